import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Radio,
  Select,
  type SelectProps,
  Skeleton,
  Typography,
} from 'antd';
import type { ReactNode } from 'react';
import { apiGet, apiPost } from '../../api.ts';
import type { PageProps } from '../../areas.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PersonDetail, PersonView } from '../../types.ts';
import { compact, PersonPicker, RESIDENCE_TYPES, today, useServerForm, VillagePicker } from './forms.tsx';

const CORRECTABLE = [
  'name',
  'sex',
  'birthDate',
  'idNumber',
  'ethnicity',
  'hukouType',
  'maritalStatus',
  'phone',
  'relationToHead',
] as const;

/** The forms that act on one person: death, marriage, divorce, moves, and corrections. */
export default function PersonActionPage({ params }: PageProps) {
  const { tr } = useI18n();
  const detail = useAsync(() => apiGet<PersonDetail>(`/api/persons/${params.id}`), [params.id]);
  if (detail.error) return <Alert type="error" message={detail.error.message} />;
  if (!detail.data) return <Skeleton active />;
  const person = detail.data.person;
  const form = FORMS[params.action ?? ''];
  if (!form) return <Alert type="error" message={tr('没有这个操作', 'No such action')} />;
  return <ActionForm person={person} action={params.action!} spec={form} />;
}

interface FormSpec {
  title: readonly [string, string];
  path: (person: PersonView) => string;
  fields: string[];
  initial: (person: PersonView) => Record<string, unknown>;
  body?: (values: Record<string, unknown>, person: PersonView) => unknown;
  render: (person: PersonView) => ReactNode;
}

function ActionForm({ person, spec }: { person: PersonView; action: string; spec: FormSpec }) {
  const { tr, t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { onFinish, busy, alert } = useServerForm<Record<string, unknown>>(
    form,
    spec.fields,
    async (values) => {
      const body = spec.body ? spec.body(values, person) : { ...compact(values), personId: person.id };
      await apiPost(spec.path(person), body);
      message.success(tr('已保存', 'Saved'));
      navigate(`/persons/${person.id}`);
    },
  );
  return (
    <Card size="small" style={{ maxWidth: 760 }}>
      <Typography.Title level={4} className="page-title">
        {tr(spec.title[0], spec.title[1])} · <Link to={`/persons/${person.id}`}>{person.name}</Link>
      </Typography.Title>
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={spec.initial(person)}>
        {spec.render(person)}
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

function Field({
  name,
  zh,
  en,
  children,
  required,
}: {
  name: string | string[];
  zh: string;
  en: string;
  children: ReactNode;
  required?: boolean;
}) {
  const { tr } = useI18n();
  return (
    <Form.Item name={name} label={tr(zh, en)} rules={required ? [{ required: true }] : undefined}>
      {children}
    </Form.Item>
  );
}

/**
 * A choice of codes shown by their names. Form.Item hands its child `value` and `onChange`: they
 * must reach the Select (without them the list showed nothing and a choice was never saved).
 */
function Labelled({ values, ...select }: { values: readonly string[] } & SelectProps<string>) {
  const { label } = useI18n();
  return <Select allowClear {...select} options={values.map((v) => ({ value: v, label: label(v) }))} />;
}

/** The household relations the registry stores (value-aliases.ts RELATION_VALUES). */
const RELATIONS = [
  'head',
  'spouse',
  'child',
  'child_in_law',
  'grandchild',
  'parent',
  'parent_in_law',
  'grandparent',
  'sibling',
  'other',
] as const;

const FORMS: Record<string, FormSpec> = {
  death: {
    title: ['死亡登记', 'Register a death'],
    path: () => '/api/deaths',
    fields: ['deathDate', 'reportDate', 'cause', 'expectedVersion'],
    initial: (p) => ({ deathDate: today(), reportDate: today(), expectedVersion: p.version }),
    render: () => (
      <>
        <Field name="deathDate" zh="死亡日期" en="Date of death" required>
          <Input type="date" />
        </Field>
        <Field name="cause" zh="死亡原因" en="Cause">
          <Input />
        </Field>
        <Field name="reportDate" zh="报告日期" en="Report date">
          <Input type="date" />
        </Field>
        <Form.Item name="expectedVersion" hidden>
          <Input />
        </Form.Item>
      </>
    ),
    body: (v, p) => ({ ...compact(v), personId: p.id, expectedVersion: p.version }),
  },
  marriage: {
    title: ['结婚登记', 'Register a marriage'],
    path: () => '/api/marriages',
    fields: ['partnerId', 'partner.name', 'partner.idNumber', 'marriageDate', 'reportDate'],
    initial: () => ({ marriageDate: today(), reportDate: today() }),
    render: (p) => (
      <>
        <Field name="partnerId" zh="配偶（本县登记在册）" en="Spouse (in the registry)">
          <PersonPicker sex={p.sex === 'male' ? 'female' : 'male'} />
        </Field>
        <Field
          name={['partner', 'name']}
          zh="或：配偶姓名（不在本县登记）"
          en="Or: spouse’s name (not in the registry)"
        >
          <Input />
        </Field>
        <Field name={['partner', 'idNumber']} zh="配偶身份证号" en="Spouse’s ID number">
          <Input maxLength={18} />
        </Field>
        <Field name="marriageDate" zh="结婚日期" en="Marriage date" required>
          <Input type="date" />
        </Field>
        <Field name="reportDate" zh="报告日期" en="Report date">
          <Input type="date" />
        </Field>
      </>
    ),
  },
  divorce: {
    title: ['离婚登记', 'Register a divorce'],
    path: () => '/api/divorces',
    fields: ['divorceDate', 'reportDate'],
    initial: () => ({ divorceDate: today(), reportDate: today() }),
    render: () => (
      <>
        <Field name="divorceDate" zh="离婚日期" en="Divorce date" required>
          <Input type="date" />
        </Field>
        <Field name="reportDate" zh="报告日期" en="Report date">
          <Input type="date" />
        </Field>
      </>
    ),
  },
  'move-out': {
    title: ['迁出登记', 'Register a move out'],
    path: () => '/api/moves/out',
    fields: ['moveDate', 'kind', 'toPlace', 'reportDate'],
    initial: () => ({ moveDate: today(), kind: 'out_of_county', reportDate: today() }),
    body: (v, p) => ({ ...compact(v), personId: p.id, expectedVersion: p.version }),
    render: () => (
      <>
        <Field name="kind" zh="类型" en="Kind" required>
          <Radio.Group
            options={[
              { value: 'out_of_county', label: '迁出本县 / Out of the county' },
              { value: 'outflow', label: '外出（户口留在本地）/ Outflow (hukou stays)' },
            ]}
          />
        </Field>
        <Field name="moveDate" zh="迁出日期" en="Move date" required>
          <Input type="date" />
        </Field>
        <Field name="toPlace" zh="迁往地" en="To">
          <Input />
        </Field>
        <Field name="reportDate" zh="报告日期" en="Report date">
          <Input type="date" />
        </Field>
      </>
    ),
  },
  'move-within': {
    title: ['县内迁移', 'Move within the county'],
    path: () => '/api/moves/within',
    fields: ['date', 'orgCode', 'residenceType', 'reportDate'],
    initial: (p) => ({
      date: today(),
      orgCode: p.orgCode,
      residenceType: p.residenceType,
      reportDate: today(),
    }),
    body: (v, p) => ({ ...compact(v), personId: p.id, expectedVersion: p.version }),
    render: () => (
      <>
        <Field name="orgCode" zh="迁入村（社区）" en="Village" required>
          <VillagePicker />
        </Field>
        <Field name="residenceType" zh="人口类型" en="Residence type">
          <Labelled values={RESIDENCE_TYPES} />
        </Field>
        <Field name="date" zh="迁移日期" en="Date" required>
          <Input type="date" />
        </Field>
        <Field name="reportDate" zh="报告日期" en="Report date">
          <Input type="date" />
        </Field>
      </>
    ),
  },
  correct: {
    title: ['更正字段', 'Correct fields'],
    path: (p) => `/api/persons/${p.id}/corrections`,
    fields: [...CORRECTABLE.map((f) => `changes.${f}`), 'reason', 'changes', 'expectedVersion'],
    initial: (p) => ({ changes: Object.fromEntries(CORRECTABLE.map((f) => [f, p[f] ?? ''])) }),
    // Only the fields that changed are sent; an emptied field becomes null.
    body: (v, p) => {
      const values = v.changes as Record<string, string>;
      const changes: Record<string, string | null> = {};
      for (const field of CORRECTABLE) {
        const now = values[field] ?? '';
        if (now !== (p[field] ?? '')) changes[field] = now === '' ? null : now;
      }
      return { expectedVersion: p.version, changes, reason: v.reason };
    },
    render: () => (
      <>
        <Field name={['changes', 'name']} zh="姓名" en="Name">
          <Input />
        </Field>
        <Field name={['changes', 'sex']} zh="性别" en="Sex">
          <Labelled values={['male', 'female']} />
        </Field>
        <Field name={['changes', 'birthDate']} zh="出生日期" en="Birth date">
          <Input type="date" />
        </Field>
        <Field name={['changes', 'idNumber']} zh="身份证号" en="ID number">
          <Input maxLength={18} />
        </Field>
        <Field name={['changes', 'ethnicity']} zh="民族" en="Ethnicity">
          <Input />
        </Field>
        <Field name={['changes', 'hukouType']} zh="户口性质" en="Hukou type">
          <Labelled values={['rural', 'urban']} />
        </Field>
        <Field name={['changes', 'maritalStatus']} zh="婚姻状况" en="Marital status">
          <Labelled values={['single', 'married', 'divorced', 'widowed']} />
        </Field>
        <Field name={['changes', 'phone']} zh="电话" en="Phone">
          <Input />
        </Field>
        <Field name={['changes', 'relationToHead']} zh="与户主关系" en="Relation to head">
          <Labelled values={RELATIONS} />
        </Field>
        <Field name="reason" zh="更正原因（必填）" en="Reason (required)" required>
          <Input.TextArea rows={2} />
        </Field>
      </>
    ),
  },
};
