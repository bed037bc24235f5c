import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, InputNumber, Space, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { apiGet, apiPost, apiUpload } from '../../api.ts';
import { ActorName } from '../../components/ActorName.tsx';
import { useAsync } from '../../components/use-async.ts';
import { formatValue, intervalText } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { AuditListRow, AuditView, DrawnAudit } from '../../types.ts';
import { useServerForm } from '../registry/forms.tsx';

type Estimate = AuditView['estimate']['fields'];

/** 入户核查: field audits of the unit — draw a sample of households, download the sheet, upload results. */
export default function AuditsPage() {
  const { tr, lang } = useI18n();
  const { unit, period, nameOf } = useSelection();
  const year = Number(period.slice(0, 4));
  const [open, setOpen] = useState<number>();
  const audits = useAsync(
    () => apiGet<{ items: AuditListRow[] }>('/api/audits', { unit }).then((r) => r.items),
    [unit, lang],
  );
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const draw = useServerForm<{ households: number }>(form, ['households'], async (values) => {
    const drawn = await apiPost<DrawnAudit>('/api/audits', {
      unit,
      year,
      households: values.households,
    });
    message.success(
      tr(`已抽取 ${drawn.sampledHouseholds} 户`, `${drawn.sampledHouseholds} households drawn`),
    );
    setOpen(drawn.id);
    audits.reload();
  });
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('入户核查', 'Field audits')} · {nameOf(unit)} · {year}
      </Typography.Title>
      <Card size="small" title={tr('抽取样本', 'Draw a sample')}>
        <Form form={form} layout="inline" initialValues={{ households: 20 }} onFinish={draw.onFinish}>
          <Form.Item name="households" label={tr('户数', 'Households')} rules={[{ required: true }]}>
            <InputNumber min={1} max={100000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={draw.busy}>
            {tr('抽取样本', 'Draw a sample')}
          </Button>
        </Form>
        <div style={{ marginTop: 8 }}>{draw.alert}</div>
        <Typography.Text type="secondary">
          {tr(
            '按村分层随机抽户；种子与抽样框摘要随核查保存，可复核。',
            'Households drawn at random within each village; the seed and a digest of the frame are kept so the draw can be checked.',
          )}
        </Typography.Text>
      </Card>
      <Card size="small" title={tr('核查记录', 'Audits')}>
        <Table
          size="small"
          rowKey="id"
          loading={audits.loading}
          dataSource={audits.data ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          onRow={(row) => ({ onClick: () => setOpen(row.id), style: { cursor: 'pointer' } })}
          columns={[
            { title: '#', dataIndex: 'id', width: 50 },
            { title: tr('单位', 'Unit'), render: (_, row) => nameOf(row.unit_code) },
            { title: tr('年度', 'Year'), dataIndex: 'year' },
            {
              title: tr('样本 / 抽样框（户）', 'Sample / frame (households)'),
              render: (_, row) => `${row.households_requested} / ${row.frame_households}`,
            },
            {
              title: tr('状态', 'Status'),
              render: (_, row) => (
                <Tag color={row.status === 'drawn' ? 'blue' : 'green'}>
                  {row.status === 'drawn' ? tr('待核查', 'To survey') : tr('已录入', 'Results in')}
                </Tag>
              ),
            },
            {
              title: tr('抽取时间', 'Drawn'),
              render: (_, row) => (
                <>
                  {row.drawn_at.slice(0, 10)} <ActorName actor={row.drawn_by} name={row.drawn_by_name} />
                </>
              ),
            },
            {
              title: '',
              render: (_, row) => (
                <Button size="small" icon={<DownloadOutlined />} href={`/api/audits/${row.id}/sheet`}>
                  {tr('核查表', 'Sheet')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {open !== undefined && <AuditDetail id={open} onChanged={audits.reload} />}
    </Space>
  );
}

function AuditDetail({ id, onChanged }: { id: number; onChanged(): void }) {
  const { tr, lang } = useI18n();
  const { message } = App.useApp();
  const audit = useAsync(() => apiGet<AuditView>(`/api/audits/${id}`), [id]);
  const data = audit.data;
  // A bound may be null (no households surveyed in a stratum): then no interval, never "null".
  const pct = (e: Estimate) =>
    e.value === null
      ? '—'
      : `${formatValue(e.value, 'percent', lang)}${intervalText(e.interval, 'percent', lang)}`;
  return (
    <Card
      size="small"
      title={`${tr('核查', 'Audit')} #${id}`}
      extra={
        <Space>
          <Button size="small" icon={<DownloadOutlined />} href={`/api/audits/${id}/sheet`}>
            {tr('下载核查表（.xlsx）', 'Download the sheet (.xlsx)')}
          </Button>
          <Upload
            accept=".xlsx"
            showUploadList={false}
            customRequest={async ({ file }) => {
              try {
                await apiUpload(`/api/audits/${id}/results`, file as File);
                message.success(tr('已录入核查结果', 'Results recorded'));
                audit.reload();
                onChanged();
              } catch (error) {
                message.error((error as Error).message);
              }
            }}
          >
            <Button size="small" icon={<UploadOutlined />}>
              {tr('上传核查结果', 'Upload results')}
            </Button>
          </Upload>
        </Space>
      }
    >
      {audit.error && <Alert type="error" showIcon message={audit.error.message} />}
      {data && (
        <>
          <Typography.Paragraph>
            {tr('字段准确率', 'Field accuracy')}: {pct(data.estimate.fields)} ·{' '}
            {tr('人员准确率', 'Person accuracy')}: {pct(data.estimate.persons)} ·{' '}
            {tr('已核查户数', 'Households surveyed')}: {data.estimate.households}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey="code"
            pagination={false}
            dataSource={data.strata.filter((s) => s.sample > 0)}
            columns={[
              { title: tr('村（居）', 'Village'), dataIndex: 'name' },
              { title: tr('户数', 'Households'), dataIndex: 'frame' },
              { title: tr('抽中', 'Drawn'), dataIndex: 'sample' },
              { title: tr('已核查', 'Surveyed'), dataIndex: 'surveyed' },
            ]}
          />
        </>
      )}
    </Card>
  );
}
