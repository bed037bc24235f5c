import { App, Button, Card, Form, Input, Radio, Select, Typography } from 'antd';
import { apiPost } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { navigate } from '../../router.tsx';
import type { PersonView } from '../../types.ts';
import { compact, RESIDENCE_TYPES, today, useServerForm, VillagePicker } from './forms.tsx';

const FIELDS = [
  'person.name',
  'person.sex',
  'person.birthDate',
  'person.idNumber',
  'person.ethnicity',
  'person.hukouType',
  'person.maritalStatus',
  'person.phone',
  'orgCode',
  'residenceType',
  'moveDate',
  'fromPlace',
  'reportDate',
];

/** 迁入登记: a person moving into the county (or returning) gets a record and a residence. */
export default function MoveInPage() {
  const { tr, t, label } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { onFinish, busy, alert } = useServerForm<Record<string, unknown>>(form, FIELDS, async (values) => {
    const result = await apiPost<{ person: PersonView; returned: boolean }>('/api/moves/in', compact(values));
    message.success(tr(`已登记迁入：${result.person.name}`, `Move in registered: ${result.person.name}`));
    navigate(`/persons/${result.person.id}`);
  });
  return (
    <Card size="small" style={{ maxWidth: 760 }}>
      <Typography.Title level={4} className="page-title">
        {tr('迁入登记', 'Register a move in')}
      </Typography.Title>
      <Form
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={{ moveDate: today(), residenceType: 'registered', reportDate: today() }}
      >
        <Form.Item name={['person', 'name']} label={t('name')} rules={[{ required: true }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name={['person', 'sex']} label={t('sex')} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'male', label: label('male') },
              { value: 'female', label: label('female') },
            ]}
          />
        </Form.Item>
        <Form.Item name={['person', 'birthDate']} label={t('birthDate')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name={['person', 'idNumber']} label={t('idNumber')}>
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item name={['person', 'hukouType']} label={tr('户口性质', 'Hukou type')}>
          <Select allowClear options={['rural', 'urban'].map((v) => ({ value: v, label: label(v) }))} />
        </Form.Item>
        <Form.Item name={['person', 'maritalStatus']} label={tr('婚姻状况', 'Marital status')}>
          <Select
            allowClear
            options={['single', 'married', 'divorced', 'widowed'].map((v) => ({ value: v, label: label(v) }))}
          />
        </Form.Item>
        <Form.Item name="orgCode" label={tr('迁入村（社区）', 'Village')} rules={[{ required: true }]}>
          <VillagePicker />
        </Form.Item>
        <Form.Item name="residenceType" label={t('residenceType')} rules={[{ required: true }]}>
          <Select options={RESIDENCE_TYPES.map((r) => ({ value: r, label: label(r) }))} />
        </Form.Item>
        <Form.Item name="moveDate" label={tr('迁入日期', 'Move date')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="fromPlace" label={tr('迁出地', 'From')}>
          <Input />
        </Form.Item>
        {alert}
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('save')}
        </Button>
      </Form>
    </Card>
  );
}
