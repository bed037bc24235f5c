import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
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
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { ApiError, apiGet, apiPost, apiPut } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { ActorName } from '../../components/ActorName.tsx';
import { useAsync } from '../../components/use-async.ts';
import { useI18n } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSelection } from '../../selection.tsx';
import type { TargetIndicatorChoice, TargetItem, TargetSheet, TargetSheetSummary } from '../../types.ts';
import { useServerForm } from '../registry/forms.tsx';
import { expectedText } from './common.tsx';

/** An item as the edit form sends it (PUT): a bound left empty is left out. */
type SheetItemInput = Pick<TargetItem, 'indicator' | 'direction' | 'gate'> &
  Partial<Pick<TargetItem, 'target' | 'low' | 'high' | 'weight'>>;

const DIRECTIONS: [string, string, string][] = [
  ['at_least', '不低于', 'At least'],
  ['at_most', '不高于', 'At most'],
  ['within', '区间内', 'Within'],
];

/** 目标表: a unit's target sheet for the year — view, edit (a new version with a reason), split. */
export default function SheetPage() {
  const { tr, lang } = useI18n();
  const { auth } = useAuth();
  const { unit, period, nameOf } = useSelection();
  const year = Number(period.slice(0, 4));
  const [editing, setEditing] = useState(false);
  const canManage = auth.state !== 'signed-in' || auth.user.rights.includes('targets.manage');
  const indicators = useAsync(
    () => apiGet<{ items: TargetIndicatorChoice[] }>('/api/targets/indicators').then((r) => r.items),
    [],
  );
  const sheet = useAsync(
    () =>
      apiGet<TargetSheet>(`/api/targets/sheets/${unit}/${year}`).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    // Who wrote the version is named in the asked language.
    [unit, year, lang],
  );
  const sheets = useAsync(
    () => apiGet<{ items: TargetSheetSummary[] }>('/api/targets/sheets', { unit, year }).then((r) => r.items),
    [unit, year],
  );
  const nameOfIndicator = (id: string) => indicators.data?.find((i) => i.id === id)?.name ?? id;

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        {tr('目标表', 'Target sheet')} · {nameOf(unit)} · {year}
      </Typography.Title>
      {sheet.error && <Alert type="error" showIcon message={sheet.error.message} />}
      {sheet.data === null && !editing && (
        <Alert
          type="info"
          showIcon
          message={tr(`${year} 年没有目标表`, `No target sheet for ${year}`)}
          action={
            canManage && (
              <Button size="small" onClick={() => setEditing(true)}>
                {tr('新建', 'Create')}
              </Button>
            )
          }
        />
      )}
      {sheet.data && !editing && (
        <Card
          size="small"
          title={
            <Space>
              {tr('现行版本', 'Current version')} {sheet.data.version}
              <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
                <ActorName actor={sheet.data.createdBy} name={sheet.data.createdByName} /> ·{' '}
                {sheet.data.createdAt.slice(0, 10)} · {sheet.data.reason}
              </Typography.Text>
            </Space>
          }
          extra={
            canManage && (
              <Space>
                <Button onClick={() => setEditing(true)}>{tr('修改', 'Edit')}</Button>
                <SplitButton unit={unit!} year={year} onDone={sheets.reload} />
              </Space>
            )
          }
        >
          <Table
            size="small"
            rowKey="indicator"
            pagination={false}
            dataSource={sheet.data.items}
            columns={[
              { title: tr('指标', 'Indicator'), render: (_, item) => nameOfIndicator(item.indicator) },
              {
                title: tr('目标', 'Target'),
                render: (_, item) => expectedText(item),
              },
              { title: tr('权重', 'Weight'), dataIndex: 'weight' },
              {
                title: tr('一票否决', 'Gate'),
                render: (_, item) => (item.gate ? <Tag color="red">{tr('是', 'yes')}</Tag> : ''),
              },
              {
                title: tr('来源', 'Source'),
                render: (_, item) =>
                  item.source === 'parent' ? tr('沿用上级', 'From parent') : tr('本级设定', 'Own'),
              },
            ]}
          />
        </Card>
      )}
      {editing && (
        <SheetForm
          unit={unit!}
          year={year}
          sheet={sheet.data ?? undefined}
          indicators={indicators.data ?? []}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            sheet.reload();
            sheets.reload();
          }}
        />
      )}
      <Card size="small" title={tr('本级及下级的目标表', 'Sheets of this unit and below')}>
        <Table
          size="small"
          rowKey={(row) => `${row.unit}-${row.year}`}
          loading={sheets.loading}
          dataSource={sheets.data ?? []}
          pagination={{ pageSize: 15, hideOnSinglePage: true }}
          columns={[
            { title: tr('单位', 'Unit'), dataIndex: 'name' },
            { title: tr('代码', 'Code'), dataIndex: 'unit' },
            { title: tr('版本', 'Version'), dataIndex: 'version' },
            {
              title: tr('更新时间', 'Updated'),
              render: (_, row) => row.updatedAt.slice(0, 16).replace('T', ' '),
            },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          <Link to="/targets/progress">{tr('查看进度与排名 →', 'Progress and rankings →')}</Link>
        </Typography.Paragraph>
      </Card>
    </Space>
  );
}

function SplitButton({ unit, year, onDone }: { unit: string; year: number; onDone(): void }) {
  const { tr } = useI18n();
  const { message, modal } = App.useApp();
  return (
    <Button
      onClick={() =>
        modal.confirm({
          title: tr('分解到下级单位', 'Split to the units below'),
          content: tr(
            '每个下级单位得到一份沿用本级目标的新版本目标表。',
            'Each unit below gets a new version of its sheet with this sheet’s targets.',
          ),
          onOk: async () => {
            try {
              const result = await apiPost<{ items: unknown[] }>(
                `/api/targets/sheets/${unit}/${year}/split`,
                { reason: tr('按上级目标分解', 'Split from the parent sheet') },
              );
              message.success(
                tr(`已分解到 ${result.items.length} 个单位`, `Split to ${result.items.length} units`),
              );
              onDone();
            } catch (error) {
              message.error((error as Error).message);
            }
          },
        })
      }
    >
      {tr('分解到下级', 'Split to units below')}
    </Button>
  );
}

function SheetForm(props: {
  unit: string;
  year: number;
  sheet?: TargetSheet;
  indicators: TargetIndicatorChoice[];
  onCancel(): void;
  onSaved(): void;
}) {
  const { tr } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const fields = ['reason', 'items'];
  for (let i = 0; i < 30; i++) {
    for (const f of ['indicator', 'direction', 'target', 'low', 'high', 'weight'])
      fields.push(`items.${i}.${f}`);
  }
  const { onFinish, busy, alert } = useServerForm<{ items: SheetItemInput[]; reason: string }>(
    form,
    fields,
    async (values) => {
      const items = values.items.map((item) => {
        const out: SheetItemInput = {
          indicator: item.indicator,
          direction: item.direction,
          gate: !!item.gate,
        };
        for (const key of ['target', 'low', 'high', 'weight'] as const) {
          if (item[key] !== null && item[key] !== undefined) out[key] = item[key];
        }
        return out;
      });
      await apiPut(`/api/targets/sheets/${props.unit}/${props.year}`, {
        items,
        reason: values.reason ?? '',
        expectedVersion: props.sheet?.currentVersion ?? 0,
      });
      message.success(tr('已保存新版本', 'New version saved'));
      props.onSaved();
    },
  );
  return (
    <Card size="small" title={tr('修改目标表', 'Edit the target sheet')}>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ items: props.sheet?.items ?? [], reason: '' }}
        onFinish={onFinish}
      >
        <Form.List name="items">
          {(rows, { add, remove }) => (
            <>
              {rows.map((row) => (
                <Space key={row.key} align="start" size={6}>
                  <Form.Item
                    name={[row.name, 'indicator']}
                    label={tr('指标', 'Indicator')}
                    rules={[{ required: true }]}
                  >
                    <Select
                      style={{ width: 170 }}
                      showSearch
                      optionFilterProp="label"
                      options={props.indicators
                        .filter((i) => i.allowed)
                        .map((i) => ({ value: i.id, label: i.name }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[row.name, 'direction']}
                    label={tr('方向', 'Direction')}
                    rules={[{ required: true }]}
                  >
                    <Select
                      style={{ width: 96 }}
                      options={DIRECTIONS.map(([value, zh, en]) => ({ value, label: tr(zh, en) }))}
                    />
                  </Form.Item>
                  <Form.Item name={[row.name, 'target']} label={tr('目标值', 'Target')}>
                    <InputNumber style={{ width: 72 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'low']} label={tr('下限', 'Low')}>
                    <InputNumber style={{ width: 72 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'high']} label={tr('上限', 'High')}>
                    <InputNumber style={{ width: 72 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'weight']} label={tr('权重', 'Weight')}>
                    <InputNumber style={{ width: 72 }} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'gate']} label={tr('否决', 'Gate')} valuePropName="checked">
                    <Checkbox />
                  </Form.Item>
                  <Form.Item label=" ">
                    <Button
                      type="text"
                      aria-label={tr('删除', 'Remove')}
                      icon={<MinusCircleOutlined />}
                      onClick={() => remove(row.name)}
                    />
                  </Form.Item>
                </Space>
              ))}
              <Form.Item>
                <Button icon={<PlusOutlined />} onClick={() => add({ direction: 'at_least' })}>
                  {tr('添加指标', 'Add an indicator')}
                </Button>
              </Form.Item>
            </>
          )}
        </Form.List>
        <Form.Item name="reason" label={tr('修改原因', 'Reason for the change')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        {alert}
        <Space>
          <Button type="primary" htmlType="submit" loading={busy}>
            {tr('保存', 'Save')}
          </Button>
          <Button onClick={props.onCancel}>{tr('取消', 'Cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
