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
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { apiGet, apiPost } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { ActorName } from '../../components/ActorName.tsx';
import { FileUpload } from '../../components/FileUpload.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { ServiceImportReport, ServiceKindChoice, ServiceRecordRow } from '../../types.ts';
import { PersonPicker, today, useServerForm } from '../registry/forms.tsx';

/**
 * 服务记录: voluntary health services of the unit (health-service roles only), a form to record
 * one with the person's consent, the import of a provider's CSV / XLSX export for the selected
 * unit with its per-row report, and 作废 on a mistaken record, with a reason (all three for
 * services.write); the voided records are a view of their own (有效记录 / 已作废), never mixed with
 * the ones that count. There is no field for a method, a target or a pregnancy status.
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
  /** The live records (what counts), or the voided ones with why, by whom and when. */
  const [view, setView] = useState<'live' | 'voided'>('live');
  /** The record whose 作废 was clicked: the modal asks for the reason. */
  const [voiding, setVoiding] = useState<ServiceRecordRow>();
  const records = useAsync(
    () =>
      apiGet<{ items: ServiceRecordRow[] }>('/api/services', {
        unit,
        limit: 100,
        ...(view === 'voided' ? { voided: true } : {}),
      }).then((r) => r.items),
    [unit, view, lang],
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
      <Card
        size="small"
        title={
          view === 'voided'
            ? tr('已作废的服务记录', 'Voided service records')
            : tr('最近的服务', 'Recent services')
        }
        extra={
          <Segmented
            size="small"
            value={view}
            onChange={(v) => setView(v as 'live' | 'voided')}
            options={[
              { value: 'live', label: tr('有效记录', 'Live records') },
              { value: 'voided', label: tr('已作废', 'Voided') },
            ]}
          />
        }
      >
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
            ...(view === 'voided'
              ? [
                  {
                    title: tr('作废原因', 'Reason'),
                    key: 'void_reason',
                    render: (_: unknown, r: ServiceRecordRow) => (
                      <>
                        <Tag>{tr('已作废', 'Voided')}</Tag>
                        {r.void_reason}
                      </>
                    ),
                  },
                  {
                    title: tr('作废人 / 时间', 'Voided by / on'),
                    key: 'voided_by',
                    render: (_: unknown, r: ServiceRecordRow) => (
                      <>
                        <ActorName actor={r.voided_by} name={r.voided_by_name} />{' '}
                        {r.voided_at ? new Date(r.voided_at).toLocaleString() : ''}
                      </>
                    ),
                  },
                ]
              : mayWrite
                ? [
                    {
                      title: '',
                      key: 'actions',
                      width: 80,
                      render: (_: unknown, r: ServiceRecordRow) => (
                        <Button size="small" danger onClick={() => setVoiding(r)}>
                          {tr('作废', 'Void')}
                        </Button>
                      ),
                    },
                  ]
                : []),
          ]}
        />
      </Card>
      {voiding && (
        <VoidServiceModal
          record={voiding}
          kindName={kindOf(voiding.kind)?.name ?? voiding.kind}
          onClose={() => setVoiding(undefined)}
          onVoided={() => {
            setVoiding(undefined);
            message.success(tr('已作废', 'Voided'));
            records.reload();
          }}
        />
      )}
    </Space>
  );
}

/**
 * Asks for the reason a record is voided and sends it (POST /api/services/:id/void); the server's
 * refusals land at the reason field, or above it (already voided, not found, not one's unit).
 */
function VoidServiceModal({
  record,
  kindName,
  onClose,
  onVoided,
}: {
  record: ServiceRecordRow;
  kindName: string;
  onClose: () => void;
  onVoided: () => void;
}) {
  const { tr } = useI18n();
  const [form] = Form.useForm();
  const { onFinish, busy, alert } = useServerForm<{ reason: string }>(
    form,
    ['reason'],
    async ({ reason }) => {
      await apiPost(`/api/services/${record.id}/void`, { reason });
      onVoided();
    },
  );
  return (
    <Modal
      open
      title={tr('作废服务记录', 'Void a service record')}
      okText={tr('作废', 'Void')}
      cancelText={tr('取消', 'Cancel')}
      okButtonProps={{ danger: true, loading: busy }}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <Typography.Paragraph>
        {record.service_date} · {kindName} · {record.person_name}
        {tr(`（${record.provider}）`, ` (${record.provider})`)}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">
        {tr(
          '作废的记录保留（连同原因、作废人和时间），但不再计入列表和覆盖率指标；不能撤销。记录有误时先作废，再录入或导入正确的记录。',
          'A voided record is kept (with the reason, who voided it and when) but no longer counts in the list or the coverage figures; it cannot be undone. Void a wrong record, then enter or import the right one.',
        )}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <Form.Item
          name="reason"
          label={tr('作废原因', 'Reason')}
          rules={[
            {
              required: true,
              whitespace: true,
              message: tr('请填写作废原因', 'Give the reason for voiding'),
            },
          ]}
        >
          <Input.TextArea
            rows={3}
            maxLength={500}
            placeholder={tr(
              '如：录错了人、日期有误、并无此次服务',
              'e.g. the wrong person, a wrong date, no such service',
            )}
          />
        </Form.Item>
        {alert}
      </Form>
    </Modal>
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
  /** Rows written as the correction of a voided record: each says which (its note). */
  const corrections = report.rows.filter((row) => row.replaces !== undefined && row.note);
  return (
    <div style={{ marginTop: 12 }} data-testid="service-import-report">
      <Descriptions size="small" column={{ xs: 2, md: 4 }}>
        <Descriptions.Item label={tr('总行数', 'Rows')}>{report.rows.length}</Descriptions.Item>
        <Descriptions.Item label={tr('成功', 'Imported')}>{report.ok}</Descriptions.Item>
        <Descriptions.Item label={tr('已导入过', 'Already there')}>{report.unchanged}</Descriptions.Item>
        <Descriptions.Item label={tr('拒收', 'Rejected')}>{report.rejected}</Descriptions.Item>
      </Descriptions>
      {corrections.length > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 8 }}
          message={tr(
            `${corrections.length} 行作为已作废记录的更正写入`,
            `${corrections.length} row(s) written as corrections of voided records`,
          )}
          description={corrections.slice(0, 20).map((row) => (
            <div key={row.rowNo}>
              {tr(`第 ${row.rowNo} 行：`, `Row ${row.rowNo}: `)}
              {row.note![lang]}
            </div>
          ))}
        />
      )}
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
