import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { apiGet, apiPost } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { FileUpload } from '../../components/FileUpload.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { ServiceImportReport, ServiceKindChoice, ServiceRecordRow } from '../../types.ts';
import { PersonPicker, today, useServerForm } from '../registry/forms.tsx';

/**
 * 服务记录: voluntary health services of the unit (health-service roles only), a form to record
 * one with the person's consent, and the import of a provider's CSV / XLSX export for the selected
 * unit with its per-row report (both for services.write). There is no field for a method, a
 * target or a pregnancy status.
 */
export default function ServicesPage() {
  const { tr, lang } = useI18n();
  const { auth } = useAuth();
  const { unit, nameOf } = useSelection();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [report, setReport] = useState<ServiceImportReport>();
  /** The source the file's record numbers belong to (docs/services.md): `import` when left empty. */
  const [source, setSource] = useState('');
  const mayWrite = auth.state !== 'signed-in' || auth.user.rights.includes('services.write');
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
      {mayWrite && (
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
      )}
      {mayWrite && (
        <Card size="small" title={tr('导入服务机构的导出文件', 'Import a provider’s export')}>
          <Typography.Paragraph type="secondary">
            {tr(
              '每行一次服务；表头可用中文或英文（服务类型、身份证号、服务日期、服务机构、结果代码、知情同意，及可选的关联人身份证号、数量、记录编号）；同一文件重复上传不会重复导入。',
              'One service per row; headers in Chinese or English (kind, id_number, service_date, provider, outcome_code, consent, and optionally related_id_number, quantity, import_key); uploading the same file again imports nothing twice.',
            )}
            {unit &&
              tr(
                `导入到${nameOf(unit)}：现住地不在其内的人的行将被拒收。`,
                ` Imported for ${nameOf(unit)}: rows for persons who do not live there are rejected.`,
              )}
          </Typography.Paragraph>
          <Space wrap style={{ marginBottom: 8 }}>
            <span>{tr('来源名称', 'Source')}</span>
            <Input
              aria-label={tr('来源名称', 'Source')}
              style={{ width: 200 }}
              maxLength={64}
              placeholder="import"
              value={source}
              onChange={(e) => setSource(e.target.value)}
            />
            <Typography.Text type="secondary">
              {tr(
                '记录编号在同一来源内唯一：每个服务机构的文件始终用它自己的同一个来源名称导入（如 wsy-乡镇代码）；已用 import 导入过的机构继续用 import。',
                'Record numbers are unique within a source: import each provider’s files under one source name of its own, always the same (e.g. wsy-<township code>); a provider already imported as import stays import.',
              )}
            </Typography.Text>
          </Space>
          <FileUpload<ServiceImportReport>
            path="/api/services/import"
            // The selected unit (a township user's is their township): the server holds every row
            // to it, as the person import does; without one, the server takes the user's own.
            query={() => ({ unit, source: source.trim() })}
            onDone={(result) => {
              setReport(result);
              records.reload();
            }}
          />
          {report && <ServiceReport report={report} />}
        </Card>
      )}
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
              render: (_, r) => <Link to={`/persons/${r.person_id}`}>{r.person_name}</Link>,
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

/** The import's report: counts, and each problem of a rejected row by its row, column and message. */
function ServiceReport({ report }: { report: ServiceImportReport }) {
  const { tr, lang } = useI18n();
  const columnOf = (field: string) =>
    report.columns.find((c) => c.field === field)?.label[lang] ?? tr('整行', 'Whole row');
  const problems = report.rows.flatMap((row) =>
    row.status === 'rejected'
      ? row.issues.map((issue, at) => ({ key: `${row.rowNo}.${at}`, rowNo: row.rowNo, issue }))
      : [],
  );
  return (
    <div style={{ marginTop: 12 }} data-testid="service-import-report">
      <Descriptions size="small" column={{ xs: 2, md: 4 }}>
        <Descriptions.Item label={tr('总行数', 'Rows')}>{report.rows.length}</Descriptions.Item>
        <Descriptions.Item label={tr('成功', 'Imported')}>{report.ok}</Descriptions.Item>
        <Descriptions.Item label={tr('已导入过', 'Already there')}>{report.unchanged}</Descriptions.Item>
        <Descriptions.Item label={tr('拒收', 'Rejected')}>{report.rejected}</Descriptions.Item>
      </Descriptions>
      {problems.length > 0 && (
        <Table
          size="small"
          rowKey="key"
          dataSource={problems}
          pagination={{ pageSize: 20, hideOnSinglePage: true, size: 'small' }}
          columns={[
            { title: tr('行号', 'Row'), dataIndex: 'rowNo', width: 70 },
            { title: tr('列', 'Column'), render: (_, p) => columnOf(p.issue.field), width: 160 },
            { title: tr('问题', 'Problem'), render: (_, p) => p.issue.message[lang] },
          ]}
        />
      )}
    </div>
  );
}
