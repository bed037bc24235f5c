import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import type { Text } from '../../../../src/domain/i18n.ts';
import { ApiError, apiGet, apiPost } from '../../api.ts';
import { FileUpload } from '../../components/FileUpload.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import type { ImportBatchSummary, ImportReport, QuarantinedRow } from '../../types.ts';

type QuarantineList = { total: number; items: QuarantinedRow[]; columns: { field: string; label: Text }[] };

/** Bulk import: template, upload with a per-row report, and working the quarantine. */
export default function ImportPage() {
  const { tr, lang } = useI18n();
  const [report, setReport] = useState<ImportReport>();
  const [batch, setBatch] = useState<number>();
  const batches = useAsync(
    () => apiGet<{ items: ImportBatchSummary[] }>('/api/imports', { limit: 20 }),
    [report],
  );

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('批量导入人员', 'Import persons')}
      </Typography.Title>
      <Card size="small" title={tr('1. 下载模板', '1. Download the template')}>
        <Space wrap>
          <Button href="/api/import-template?format=xlsx">
            {tr('Excel 模板（.xlsx）', 'Excel template (.xlsx)')}
          </Button>
          <Button href="/api/import-template?format=csv">{tr('CSV 模板', 'CSV template')}</Button>
          <Typography.Text type="secondary">
            {tr(
              '每行一人；表头可用中文或英文；同一文件重复上传不会重复导入。',
              'One person per row; headers in Chinese or English; uploading the same file again imports nothing twice.',
            )}
          </Typography.Text>
        </Space>
      </Card>
      <Card size="small" title={tr('2. 上传文件', '2. Upload the file')}>
        <FileUpload<ImportReport>
          path="/api/imports"
          query={(file) => ({ filename: file.name })}
          onDone={(result) => {
            setReport(result);
            setBatch(result.batchId);
          }}
        />
        {report && <ReportView report={report} />}
      </Card>
      <Card size="small" title={tr('最近的导入', 'Recent imports')}>
        <Table
          size="small"
          rowKey="batchId"
          loading={batches.loading}
          dataSource={batches.data?.items ?? []}
          pagination={false}
          onRow={(b) => ({ onClick: () => setBatch(b.batchId), style: { cursor: 'pointer' } })}
          rowClassName={(b) => (b.batchId === batch ? 'ant-table-row-selected' : '')}
          columns={[
            { title: tr('批次', 'Batch'), dataIndex: 'batchId', width: 70 },
            { title: tr('文件', 'File'), dataIndex: 'fileName' },
            {
              title: tr('时间', 'When'),
              dataIndex: 'startedAt',
              render: (d: string) => new Date(d).toLocaleString(lang),
            },
            { title: tr('总行数', 'Rows'), render: (_: unknown, b: ImportBatchSummary) => b.rows.total },
            { title: tr('成功', 'OK'), render: (_: unknown, b: ImportBatchSummary) => b.rows.ok },
            {
              title: tr('待处理隔离', 'Quarantine pending'),
              render: (_: unknown, b: ImportBatchSummary) =>
                b.quarantinePending ? <Tag color="orange">{b.quarantinePending}</Tag> : 0,
            },
          ]}
        />
      </Card>
      {batch && <Quarantine batch={batch} onChange={() => setReport((r) => (r ? { ...r } : r))} />}
    </Space>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  const { tr, lang } = useI18n();
  return (
    <div style={{ marginTop: 12 }}>
      {report.alreadyImported && (
        <Alert
          type="info"
          showIcon
          message={tr(
            '此文件已导入过，本次未重复写入。',
            'This file was imported before; nothing was written twice.',
          )}
        />
      )}
      <Descriptions size="small" column={{ xs: 2, md: 5 }} style={{ marginTop: 8 }}>
        <Descriptions.Item label={tr('总行数', 'Rows')}>{report.rows.total}</Descriptions.Item>
        <Descriptions.Item label={tr('成功', 'Imported')}>{report.rows.ok}</Descriptions.Item>
        <Descriptions.Item label={tr('无变化', 'Unchanged')}>{report.rows.unchanged}</Descriptions.Item>
        <Descriptions.Item label={tr('隔离', 'Quarantined')}>{report.rows.quarantined}</Descriptions.Item>
        <Descriptions.Item label={tr('空行', 'Blank')}>{report.rows.blank}</Descriptions.Item>
      </Descriptions>
      {report.ignoredColumns.length > 0 && (
        <Alert
          type="warning"
          message={tr(
            `未识别的列（已忽略）：${report.ignoredColumns.join('、')}`,
            `Columns not recognised (ignored): ${report.ignoredColumns.join(', ')}`,
          )}
        />
      )}
      {report.issues.length > 0 && (
        <Table
          size="small"
          rowKey={(i) => `${i.field}|${i.code}`}
          dataSource={report.issues}
          pagination={false}
          columns={[
            {
              title: tr('字段', 'Field'),
              render: (_: unknown, i: ImportReport['issues'][number]) => i.label[lang],
            },
            {
              title: tr('问题（示例）', 'Issue (an example)'),
              render: (_: unknown, i: ImportReport['issues'][number]) => i.example[lang],
            },
            { title: tr('行数', 'Rows'), dataIndex: 'count', width: 70 },
          ]}
        />
      )}
    </div>
  );
}

function issueText(issue: QuarantinedRow['issues'][number], lang: 'zh-CN' | 'en'): string {
  return issue.message[lang];
}

function Quarantine({ batch, onChange }: { batch: number; onChange(): void }) {
  const { tr, lang } = useI18n();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<QuarantinedRow>();
  const [form] = Form.useForm();
  const rows = useAsync(
    () =>
      apiGet<QuarantineList>(`/api/imports/${batch}/quarantine`, {
        status: 'pending',
        limit: 200,
      }),
    [batch],
  );
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      message.success(done);
      setEditing(undefined);
      rows.reload();
      onChange();
    } catch (e) {
      message.error(
        e instanceof ApiError ? [e.message, ...e.issues.map((i) => i.message)].join('；') : String(e),
      );
    }
  };
  return (
    <Card
      size="small"
      title={tr(
        `批次 ${batch} 的隔离区（待处理 ${rows.data?.total ?? '…'} 行）`,
        `Quarantine of batch ${batch} (${rows.data?.total ?? '…'} pending)`,
      )}
      extra={
        <Button size="small" href={`/api/imports/${batch}/quarantine/file?format=xlsx`}>
          {tr('导出隔离行', 'Download rows')}
        </Button>
      }
    >
      <Table
        size="small"
        rowKey="rowNo"
        loading={rows.loading}
        dataSource={rows.data?.items ?? []}
        pagination={{ pageSize: 20, size: 'small' }}
        columns={[
          { title: tr('行号', 'Row'), dataIndex: 'rowNo', width: 60 },
          { title: tr('姓名', 'Name'), render: (_: unknown, r: QuarantinedRow) => r.raw.name ?? '' },
          {
            title: tr('身份证号', 'ID number'),
            render: (_: unknown, r: QuarantinedRow) => r.raw.idNumber ?? '',
          },
          {
            title: tr('问题', 'Issues'),
            render: (_: unknown, r: QuarantinedRow) =>
              r.issues.map((i) => <div key={i.field + i.code}>{issueText(i, lang)}</div>),
          },
          {
            title: '',
            width: 150,
            render: (_: unknown, r: QuarantinedRow) => (
              <Space>
                <Button
                  size="small"
                  type="primary"
                  onClick={() => {
                    setEditing(r);
                    form.setFieldsValue({ values: r.raw });
                  }}
                >
                  {tr('更正', 'Fix')}
                </Button>
                <Button
                  size="small"
                  onClick={() => {
                    let reason = '';
                    Modal.confirm({
                      title: tr('舍弃此行', 'Discard this row'),
                      content: (
                        <Input
                          placeholder={tr('原因（必填）', 'Reason (required)')}
                          onChange={(e) => {
                            reason = e.target.value;
                          }}
                        />
                      ),
                      onOk: () =>
                        act(
                          () => apiPost(`/api/imports/${batch}/quarantine/${r.rowNo}/discard`, { reason }),
                          tr('已舍弃', 'Discarded'),
                        ),
                    });
                  }}
                >
                  {tr('舍弃', 'Discard')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={tr(`更正第 ${editing?.rowNo} 行并重新提交`, `Fix row ${editing?.rowNo} and resubmit`)}
        onCancel={() => setEditing(undefined)}
        onOk={() => form.submit()}
        width={640}
      >
        {editing && (
          <Form
            form={form}
            layout="horizontal"
            labelCol={{ span: 8 }}
            onFinish={(v: { values: Record<string, string> }) =>
              act(
                () =>
                  apiPost(`/api/imports/${batch}/quarantine/${editing.rowNo}/resubmit`, { values: v.values }),
                tr('已重新提交', 'Resubmitted'),
              )
            }
          >
            {editing.issues.map((i) => (
              <Alert
                key={i.field + i.code}
                type="error"
                message={issueText(i, lang)}
                style={{ marginBottom: 8 }}
              />
            ))}
            {/* Every column of the template, named as in the template, so a cell the file left out can be filled in. */}
            {(rows.data?.columns ?? []).map(({ field, label }) => (
              <Form.Item key={field} name={['values', field]} label={label[lang]}>
                <Input />
              </Form.Item>
            ))}
          </Form>
        )}
      </Modal>
    </Card>
  );
}
