import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { apiGet, apiPost, withQuery } from '../../api.ts';
import { ActorName } from '../../components/ActorName.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { Activity, ReportRun } from '../../types.ts';
import { periodLabel } from '../DashboardPage.tsx';
import { compact, today, useServerForm } from '../registry/forms.tsx';

const KINDS: [string, string, string][] = [
  ['publicity', '宣传服务', 'Publicity and information'],
  ['health_check', '健康检查', 'Health checks'],
  ['home_visit', '入户走访', 'Home visits'],
  ['training', '业务培训', 'Training'],
  ['consultation', '咨询服务', 'Consultations'],
  ['family_support', '家庭帮扶', 'Family support'],
  ['childcare_service', '托育服务', 'Childcare services'],
  ['elderly_care', '关爱老人', 'Care for the elderly'],
  ['other', '其他工作', 'Other work'],
];

/** 统计报表: the unit's work report (.docx) and statistical tables (.xlsx) for the period; activity log. */
export default function ReportsPage() {
  const { tr, lang } = useI18n();
  const { unit, period, nameOf } = useSelection();
  const [preview, setPreview] = useState(false);
  const runs = useAsync(
    () => apiGet<{ items: ReportRun[] }>('/api/reports/runs', { unit, limit: 10 }),
    [unit, lang],
  );
  // The file speaks the language of the page (a link sends the browser's Accept-Language, not ours).
  const file = (format: string) => withQuery('/api/reports', { unit, period, format, lang });

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('统计报表', 'Reports')} · {nameOf(unit)} · {periodLabel(period, lang)}
      </Typography.Title>
      <Card size="small" title={tr('生成报告', 'Generate')}>
        <Space wrap>
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            href={file('docx')}
            onClick={() => setTimeout(runs.reload, 3000)}
          >
            {tr('工作汇报（.docx）', 'Work report (.docx)')}
          </Button>
          <Button
            icon={<DownloadOutlined />}
            href={file('xlsx')}
            onClick={() => setTimeout(runs.reload, 3000)}
          >
            {tr('统计报表（.xlsx）', 'Statistical tables (.xlsx)')}
          </Button>
          <Button onClick={() => setPreview(true)}>{tr('预览', 'Preview')}</Button>
        </Space>
        {preview && (
          <iframe
            title={tr('报告预览', 'Report preview')}
            src={file('html')}
            style={{
              width: '100%',
              height: 600,
              border: '1px solid #f0f0f0',
              marginTop: 12,
              background: '#fff',
            }}
          />
        )}
      </Card>
      <Card size="small" title={tr('已生成的报告', 'Generated reports')}>
        <Table
          size="small"
          rowKey="id"
          loading={runs.loading}
          dataSource={runs.data?.items ?? []}
          pagination={false}
          columns={[
            { title: '#', dataIndex: 'id', width: 60 },
            { title: tr('时期', 'Period'), dataIndex: 'period' },
            { title: tr('格式', 'Format'), dataIndex: 'format' },
            {
              title: tr('时间', 'When'),
              dataIndex: 'createdAt',
              render: (d: string | undefined) => (d ? new Date(d).toLocaleString(lang) : ''),
            },
            {
              title: tr('生成人', 'By'),
              dataIndex: 'createdBy',
              render: (_: unknown, r: ReportRun) => <ActorName actor={r.createdBy} name={r.createdByName} />,
            },
          ]}
        />
      </Card>
      <Activities unit={unit} />
    </Space>
  );
}

/** 活动登记: the service activities a report's "main work" section is written from. */
function Activities({ unit }: { unit: string | undefined }) {
  const { tr, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const list = useAsync(() => apiGet<{ items: Activity[] }>('/api/activities', { unit, limit: 20 }), [unit]);
  const { onFinish, busy, alert } = useServerForm<Record<string, unknown>>(
    form,
    ['date', 'kind', 'peopleServed', 'materials', 'description', 'unit'],
    async (values) => {
      await apiPost('/api/activities', compact({ ...values, unit }));
      message.success(tr('已登记', 'Recorded'));
      form.resetFields(['description', 'peopleServed', 'materials']);
      list.reload();
    },
  );
  const kindLabel = (kind: string) => {
    const entry = KINDS.find(([code]) => code === kind);
    return entry ? (lang === 'en' ? entry[2] : entry[1]) : kind;
  };
  return (
    <Card size="small" title={tr('服务活动登记', 'Service activities')}>
      <Form
        form={form}
        layout="inline"
        onFinish={onFinish}
        initialValues={{ date: today(), kind: 'home_visit' }}
      >
        <Form.Item name="date" label={tr('日期', 'Date')} rules={[{ required: true }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="kind" label={tr('类型', 'Kind')} rules={[{ required: true }]}>
          <Select
            style={{ width: 150 }}
            options={KINDS.map(([value]) => ({ value, label: kindLabel(value) }))}
          />
        </Form.Item>
        <Form.Item name="peopleServed" label={tr('服务人数', 'People')}>
          <InputNumber min={0} style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name="materials" label={tr('资料份数', 'Materials')}>
          <InputNumber min={0} style={{ width: 90 }} />
        </Form.Item>
        <Form.Item
          name="description"
          label={tr('内容', 'What')}
          rules={[{ required: true }]}
          style={{ minWidth: 260 }}
        >
          <Input maxLength={500} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {tr('登记', 'Record')}
        </Button>
      </Form>
      <div style={{ marginTop: 8 }}>{alert}</div>
      <Table
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: tr('日期', 'Date'), dataIndex: 'date', width: 110 },
          { title: tr('类型', 'Kind'), dataIndex: 'kind', render: kindLabel },
          { title: tr('服务人数', 'People'), dataIndex: 'peopleServed' },
          { title: tr('内容', 'What'), dataIndex: 'description' },
        ]}
      />
    </Card>
  );
}
