import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.tsx';

/**
 * The sign-in route. Access control (issue 10) is not built yet: while the server has no session
 * route this page says so instead of showing a form that would check nothing.
 */
export default function SignInPage() {
  const { auth, signIn } = useAuth();
  const { t, tr } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: '10vh 16px' }}>
      <Card title={`renkou · ${t('appName')}`} style={{ width: 400 }}>
        {auth.state === 'open' ? (
          <>
            <Alert
              type="info"
              showIcon
              message={tr('登录尚未启用', 'Sign-in is not enabled yet')}
              description={tr(
                '访问控制（角色与单位权限）正在建设中。在此之前本系统不需要登录，所有菜单对所有使用者开放；请只在受信任的内网中运行。',
                'Access control (roles and unit permissions) is being built. Until then the system needs no sign-in and every menu is open to everyone; run it only on a trusted network.',
              )}
            />
            <Button type="primary" block style={{ marginTop: 16 }} onClick={() => navigate('/')}>
              {tr('进入系统', 'Continue')}
            </Button>
          </>
        ) : auth.state === 'signed-in' ? (
          <Alert
            type="success"
            message={tr(
              `已登录：${auth.user.displayName ?? auth.user.username ?? auth.user.actor}`,
              `Signed in as ${auth.user.displayName ?? auth.user.username ?? auth.user.actor}`,
            )}
          />
        ) : (
          <Form
            layout="vertical"
            onFinish={async (values: { username: string; password: string }) => {
              setBusy(true);
              setError(undefined);
              try {
                await signIn(values.username, values.password);
                navigate('/');
              } catch (e) {
                setError(e instanceof ApiError ? e.message : String(e));
              } finally {
                setBusy(false);
              }
            }}
          >
            <Form.Item name="username" label={tr('用户名', 'User name')} rules={[{ required: true }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={tr('密码', 'Password')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            {error && <Alert type="error" message={error} style={{ marginBottom: 16 }} />}
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('signIn')}
            </Button>
          </Form>
        )}
      </Card>
    </div>
  );
}
