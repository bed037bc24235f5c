import { UserOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, type MenuProps, Segmented, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { AREAS, type AreaPage } from '../areas.tsx';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n.tsx';
import { buildMenu } from '../menu.ts';
import { Link, matchPath, navigate, useLocation } from '../router.tsx';
import { PeriodPicker } from './PeriodPicker.tsx';
import { UnitPicker } from './UnitPicker.tsx';

/** Side menu by area, header with the unit and period every page works on, language switch. */
export function AppLayout({ available, children }: { available: AreaPage[]; children: ReactNode }) {
  const { t, tr, lang, setLang } = useI18n();
  const { auth, signOut } = useAuth();
  const { path } = useLocation();

  // An area with one page the user may open is that page's entry, named after the page (menu.ts).
  const items: MenuProps['items'] = buildMenu(AREAS, (p) => available.includes(p)).map((entry) =>
    entry.kind === 'page'
      ? { key: entry.key, icon: entry.area.icon, label: tr(entry.title[0], entry.title[1]) }
      : {
          key: entry.key,
          icon: entry.area.icon,
          label: t(entry.area.title),
          children: entry.pages.map(({ page, title }) => ({ key: page.path, label: tr(title[0], title[1]) })),
        },
  );
  // The menu entry of the page shown; detail pages light up their area's first entry.
  const owner = AREAS.find((area) => area.pages.some((p) => matchPath(p.path, path)));
  const selected =
    owner?.pages.find((p) => p.title && matchPath(p.path, path))?.path ??
    owner?.pages.find((p) => p.title)?.path ??
    path;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* English labels run longer ("Targets & quality", "Progress & rankings"): a wider menu, not cut words. */}
      <Layout.Sider breakpoint="lg" collapsedWidth={56} width={lang === 'en' ? 216 : 184} theme="dark">
        <div className="brand">
          <Link to="/">
            <span className="brand-mark">人</span>
            <span className="brand-text">renkou</span>
          </Link>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selected]}
          defaultOpenKeys={owner ? [owner.key] : []}
          items={items}
          onClick={({ key }) => navigate(key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          className="app-header"
          // Its height follows its contents: on a tablet held upright the pickers and the user's
          // links take two rows instead of spilling over the page.
          style={{
            background: '#fff',
            padding: '8px 16px',
            height: 'auto',
            minHeight: 56,
            lineHeight: 'normal',
          }}
        >
          <Space size="middle" wrap>
            <UnitPicker />
            <PeriodPicker />
          </Space>
          <Space size="middle">
            {auth.state === 'signed-in' ? (
              <Space size="small">
                <Typography.Text>
                  <UserOutlined /> {auth.user.displayName ?? auth.user.username ?? auth.user.actor}
                </Typography.Text>
                <Link to="/account/password">{tr('修改密码', 'Change password')}</Link>
                <Button size="small" type="link" onClick={() => signOut().then(() => navigate('/sign-in'))}>
                  {tr('退出', 'Sign out')}
                </Button>
              </Space>
            ) : (
              <Typography.Text
                type="secondary"
                title={tr('访问控制尚未启用', 'Access control is not enabled yet')}
              >
                <Link to="/sign-in">{t('signIn')}</Link>
              </Typography.Text>
            )}
            <Segmented
              size="small"
              value={lang}
              onChange={(value) => setLang(value as 'zh-CN' | 'en')}
              options={[
                { value: 'zh-CN', label: '中文' },
                { value: 'en', label: 'EN' },
              ]}
            />
          </Space>
        </Layout.Header>
        <Layout.Content className="app-content">{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
