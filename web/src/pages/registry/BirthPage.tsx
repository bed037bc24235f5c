import { App, Button, Card, Form, Input, Radio, Select, Typography } from 'antd';
import { apiGet, apiPost } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { navigate, useLocation } from '../../router.tsx';
import type { PersonDetail, PersonView } from '../../types.ts';
import { compact, PersonPicker, RESIDENCE_TYPES, today, useServerForm, VillagePicker } from './forms.tsx';

const FIELDS = [
  'child.name',
  'child.sex',
  'child.birthDate',
  'child.idNumber',
  'child.ethnicity',
  'motherId',
  'fatherId',
  'orgCode',
  'residenceType',
  'reportDate',
  'place',
  'hospital',
];

/** 出生登记: the child becomes a person linked to its mother (and father), with its first residence. */
export default function BirthPage() {
  const { tr, t, label } = useI18n();
  const { message } = App.useApp();
  const { query } = useLocation();
  const motherParam = Number(query.get('mother')) || undefined;
  const mother = useAsync(
    () => (motherParam ? apiGet<PersonDetail>(`/api/persons/${motherParam}`) : Promise.resolve(undefined)),
    [motherParam],
  );
  const [form] = Form.useForm();
  const { onFinish, busy, alert } = useServerForm<Record<string, unknown>>(form, FIELDS, async (values) => {
    const result = await apiPost<{ person: PersonView }>('/api/births', compact(values));
    message.success(tr(`已登记出生：${result.person.name}`, `Birth registered: ${result.person.name}`));
    navigate(`/persons/${result.person.id}`);
  });
  if (motherParam && mother.loading) return null;
  const m = mother.data?.person;
  return (
    <Card size="small" style={{ maxWidth: 760 }}>
      <Typography.Title level={4} className="page-title">
        {t('registerBirth')}
      </Typography.Title>
      <Form
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={{
          motherId: m?.id,
          fatherId: mother.data?.relatives.find((r) => r.relation === 'spouse')?.id,
          child: { birthDate: today() },
          reportDate: today(),
        }}
        requiredMark
      >
        <Form.Item
          name="motherId"
          label={t('mother')}
          rules={[{ required: true, message: tr('请选择母亲', 'Choose the mother') }]}
        >
          <PersonPicker sex="female" initial={m} />
        </Form.Item>
        <Form.Item name="fatherId" label={t('father')}>
          <PersonPicker sex="male" initial={mother.data?.relatives.find((r) => r.relation === 'spouse')} />
        </Form.Item>
        <Form.Item
          name={['child', 'name']}
          label={tr('婴儿姓名', 'Child’s name')}
          rules={[{ required: true, message: tr('请填写姓名', 'Enter the name') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name={['child', 'sex']}
          label={t('sex')}
          rules={[{ required: true, message: tr('请选择性别', 'Choose the sex') }]}
        >
          <Radio.Group
            options={[
              { value: 'male', label: label('male') },
              { value: 'female', label: label('female') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name={['child', 'birthDate']}
          label={t('birthDate')}
          rules={[{ required: true, message: tr('请填写出生日期', 'Enter the birth date') }]}
        >
          <Input type="date" />
        </Form.Item>
        <Form.Item
          name={['child', 'idNumber']}
          label={t('idNumber')}
          extra={tr('尚未办理可留空', 'Leave empty if not issued yet')}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="orgCode"
          label={tr('居住村（社区）', 'Village')}
          extra={tr('默认为母亲现居住地', 'The mother’s village by default')}
        >
          <VillagePicker />
        </Form.Item>
        <Form.Item
          name="residenceType"
          label={t('residenceType')}
          extra={tr(
            '住在母亲村（社区）的，默认与母亲相同：母亲在外地（流出）时孩子也为流出',
            'In the mother’s village, the mother’s by default: a child of a mother living elsewhere (outflow) is outflow too',
          )}
        >
          <Select allowClear options={RESIDENCE_TYPES.map((r) => ({ value: r, label: label(r) }))} />
        </Form.Item>
        <Form.Item name="hospital" label={tr('接生机构', 'Hospital')}>
          <Input />
        </Form.Item>
        <Form.Item name="reportDate" label={tr('报告日期', 'Report date')}>
          <Input type="date" />
        </Form.Item>
        {alert}
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('save')}
        </Button>
        <Button style={{ marginLeft: 8 }} onClick={() => history.back()}>
          {t('cancel')}
        </Button>
      </Form>
    </Card>
  );
}
