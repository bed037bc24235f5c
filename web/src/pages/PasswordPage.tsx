import { Alert, App, Button, Card, Form, Input, Space } from 'antd';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.tsx';
import { useServerForm } from './registry/forms.tsx';

interface Values {
  oldPassword: string;
  newPassword: string;
  confirm: string;
}

/**
 * Changing one's password (POST /api/auth/password). `forced`: the account was created by an
 * administrator or is flagged must-change — the server answers nothing else until the password is
 * changed, so the page stands alone with only a sign-out besides. Otherwise it is reached from
 * the user's name in the header (/account/password). The password rules are the server's: their
 * field-level answers (too short, contains the user name, same as before) appear at the field.
 */
export default function PasswordPage({
  forced = false,
}: {
  forced?: boolean;
  params?: Record<string, string>;
}) {
  const { auth, changePassword, signOut } = useAuth();
  const { tr } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { onFinish, busy, alert } = useServerForm<Values>(
    form,
    ['oldPassword', 'newPassword'],
    async (values) => {
      await changePassword(values.oldPassword, values.newPassword);
      message.success(tr('密码已修改', 'Password changed'));
      form.resetFields();
      if (forced) navigate('/', { replace: true });
    },
  );
  const name = auth.state === 'signed-in' ? (auth.user.displayName ?? auth.user.username ?? '') : '';

  const card = (
    <Card title={tr('修改密码', 'Change password')} style={{ width: 440, maxWidth: '100%' }}>
      {forced && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="must-change-password"
          message={tr(`${name}，请先修改密码`, `${name}, please change your password first`)}
          description={tr(
            '这个账号由管理员建立（或被要求更换密码）。设置只有您自己知道的新密码后才能使用系统。',
            'This account was created by an administrator (or must change its password). Set a new password only you know before using the system.',
          )}
        />
      )}
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
        <Form.Item
          name="oldPassword"
          label={
            forced
              ? tr('管理员给的初始密码', 'Initial password from the administrator')
              : tr('原密码', 'Current password')
          }
          rules={[{ required: true, message: tr('请输入原密码', 'Enter the current password') }]}
        >
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={tr('新密码', 'New password')}
          extra={tr(
            '至少 10 个字符，不能全是数字，不能包含用户名',
            'At least 10 characters, not digits only, not containing the user name',
          )}
          rules={[{ required: true, message: tr('请输入新密码', 'Enter a new password') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={tr('再次输入新密码', 'New password again')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: tr('请再次输入新密码', 'Enter the new password again') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(tr('两次输入的新密码不一致', 'The two new passwords differ'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {alert}
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>
            {tr('修改密码', 'Change password')}
          </Button>
          {forced && (
            <Button onClick={() => signOut().then(() => navigate('/sign-in'))}>
              {tr('退出', 'Sign out')}
            </Button>
          )}
        </Space>
      </Form>
    </Card>
  );
  if (!forced) return card;
  return <div style={{ display: 'flex', justifyContent: 'center', padding: '10vh 16px' }}>{card}</div>;
}
