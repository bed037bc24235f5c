import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { apiGet, apiPost } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { ServiceKindChoice, ServiceRecordRow } from '../../types.ts';
import { PersonPicker, today, useServerForm } from '../registry/forms.tsx';

/**
 * 服务记录: voluntary health services of the unit (health-service roles only), and a form to record
 * one with the person's consent. There is no field for a method, a target or a pregnancy status.
 */
export default function ServicesPage() {
  const { tr, lang } = useI18n();
  const { unit, nameOf } = useSelection();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const kinds = useAsync(
    () => apiGet<{ items: ServiceKindChoice[] }>('/api/services/kinds').then((r) => r.items),
    [lang],
  );
  const records = useAsync(
    () => apiGet<{ items: ServiceRecordRow[] }>('/api/services', { unit, limit: 100 }).then((r) => r.items),
    [unit],
  );
  const kindOf = (kind: string) => kinds.data?.find((k) => k.kind === kind);
  const chosen = kindOf(Form.useWatch('kind', form) ?? '');
  const { onFinish, busy, alert } = useServerForm<Record<string, unknown>>(
    form,
    ['kind', 'personId', 'relatedPersonId', 'serviceDate', 'provider', 'outcomeCode', 'consent', 'quantity'],
    async (values) => {
      await apiPost('/api/services', { ...values, consent: !!values.consent });
      message.success(tr('已记录', 'Recorded'));
      form.resetFields(['personId', 'relatedPersonId', 'outcomeCode', 'consent', 'quantity']);
      records.reload();
    },
  );
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('服务记录', 'Health services')} · {nameOf(unit)}
      </Typography.Title>
      <Card size="small" title={tr('记录一次服务', 'Record a service')}>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ serviceDate: today() }}
          onFinish={onFinish}
          style={{ maxWidth: 720 }}
        >
          <Space wrap align="start">
            <Form.Item name="kind" label={tr('服务', 'Service')} rules={[{ required: true }]}>
              <Select
                style={{ width: 240 }}
                options={(kinds.data ?? []).map((k) => ({ value: k.kind, label: k.name }))}
              />
            </Form.Item>
            <Form.Item name="personId" label={tr('服务对象', 'Person')} rules={[{ required: true }]}>
              <PersonPicker />
            </Form.Item>
            {chosen?.related && (
              <Form.Item
                name="relatedPersonId"
                label={chosen.related === 'spouse' ? tr('配偶', 'Spouse') : tr('新生儿', 'Newborn')}
                rules={[{ required: chosen.relatedRequired }]}
              >
                <PersonPicker />
              </Form.Item>
            )}
          </Space>
          <Space wrap align="start">
            <Form.Item name="serviceDate" label={tr('服务日期', 'Date')} rules={[{ required: true }]}>
              <Input type="date" />
            </Form.Item>
            <Form.Item name="provider" label={tr('服务机构', 'Provider')} rules={[{ required: true }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item name="outcomeCode" label={tr('结果', 'Outcome')} rules={[{ required: true }]}>
              <Select
                style={{ width: 180 }}
                options={Object.entries(chosen?.outcomes ?? {}).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            {chosen?.quantity && (
              <Form.Item name="quantity" label={tr('数量', 'Quantity')}>
                <InputNumber min={1} />
              </Form.Item>
            )}
          </Space>
          <Form.Item name="consent" valuePropName="checked">
            <Checkbox>{tr('本人已知情同意', 'The person has given consent')}</Checkbox>
          </Form.Item>
          {alert}
          <Button type="primary" htmlType="submit" loading={busy}>
            {tr('保存', 'Save')}
          </Button>
        </Form>
      </Card>
      {records.error && <Alert type="error" showIcon message={records.error.message} />}
      <Card size="small" title={tr('最近的服务', 'Recent services')}>
        <Table
          size="small"
          rowKey="id"
          loading={records.loading}
          dataSource={records.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: tr('日期', 'Date'), dataIndex: 'service_date', width: 110 },
            { title: tr('服务', 'Service'), render: (_, r) => kindOf(r.kind)?.name ?? r.kind },
            {
              title: tr('服务对象', 'Person'),
              render: (_, r) => <Link to={`/persons/${r.person_id}`}>#{r.person_id}</Link>,
            },
            {
              title: tr('结果', 'Outcome'),
              render: (_, r) => kindOf(r.kind)?.outcomes[r.outcome_code] ?? r.outcome_code,
            },
            { title: tr('机构', 'Provider'), dataIndex: 'provider' },
            { title: tr('村（居）', 'Village'), render: (_, r) => nameOf(r.org_code) },
          ]}
        />
      </Card>
    </Space>
  );
}
