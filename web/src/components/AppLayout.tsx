import { UserOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, type MenuProps, Segmented, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { AREAS, type AreaPage } from '../areas.tsx';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n.tsx';
import { Link, matchPath, navigate, useLocation } from '../router.tsx';
import { PeriodPicker } from './PeriodPicker.tsx';
import { UnitPicker } from './UnitPicker.tsx';

/** Side menu by area, header with the unit and period every page works on, language switch. */
export function AppLayout({ available, children }: { available: AreaPage[]; children: ReactNode }) {
  const { t, tr, lang, setLang } = useI18n();
  const { auth, signOut } = useAuth();
  const { path } = useLocation();

  const items: MenuProps['items'] = [];
  for (const area of AREAS) {
    const pages = area.pages.filter((p) => p.title && available.includes(p));
    if (pages.length === 0) continue;
    const label = (p: AreaPage) => tr(p.title![0], p.title![1]);
    if (pages.length === 1) {
      items.push({ key: pages[0]!.path, icon: area.icon, label: t(area.title) });
    } else {
      items.push({
        key: area.key,
        icon: area.icon,
        label: t(area.title),
        children: pages.map((p) => ({ key: p.path, label: label(p) })),
      });
    }
  }
  // The menu entry of the page shown; detail pages light up their area's first entry.
  const owner = AREAS.find((area) => area.pages.some((p) => matchPath(p.path, path)));
  const selected =
    owner?.pages.find((p) => p.title && matchPath(p.path, path))?.path ??
    owner?.pages.find((p) => p.title)?.path ??
    path;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={56} width={184} theme="dark">
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
