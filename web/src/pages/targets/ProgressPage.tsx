import { Alert, Card, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { apiGet } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { formatValue } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import { useSelection } from '../../selection.tsx';
import type { ProgressView } from '../../types.ts';
import { expectedText, progressDate, round, StatusTag } from './common.tsx';

/** 目标进度: each target's value on a date against what is expected by then, the units behind, rankings. */
export default function ProgressPage() {
  const { tr, lang } = useI18n();
  const { unit, period, nameOf, setUnit } = useSelection();
  const [date, setDate] = useState(() => progressDate(period));
  const progress = useAsync(
    () => apiGet<ProgressView>('/api/targets/progress', { unit, date }),
    [unit, date, lang],
  );
  const data = progress.data;
  const names = new Map(data?.targets.map((t) => [t.indicator, t.name]));

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} className="page-title">
          {tr('目标进度', 'Target progress')} · {nameOf(unit)}
        </Typography.Title>
        <Space>
          {tr('截至', 'As of')}
          <Input
            type="date"
            aria-label={tr('截至日期', 'As-of date')}
            value={date}
            onChange={(event) => event.target.value && setDate(event.target.value)}
          />
        </Space>
      </Space>
      {progress.error && <Alert type="warning" showIcon message={progress.error.message} />}
      {!data && progress.loading && <Card loading />}
      {data && (
        <>
          {data.alerts.length > 0 && (
            <Alert
              type="warning"
              showIcon
              message={tr('落后单位', 'Units behind')}
              description={data.alerts.map((alert) => <div key={alert.indicator}>{alert.text}</div>)}
            />
          )}
          <Card
            size="small"
            title={`${data.window.period?.label ?? data.window.year} · ${tr('时间进度', 'time elapsed')} ${Math.round(
              data.window.elapsedShare * 100,
            )}%`}
          >
            <Table
              size="small"
              rowKey="indicator"
              pagination={false}
              dataSource={data.targets}
              expandable={{
                expandedRowRender: (target) => (
                  <Table
                    size="small"
                    rowKey="unit"
                    pagination={false}
                    dataSource={target.children}
                    columns={[
                      { title: tr('名次', 'Rank'), dataIndex: 'rank', width: 60 },
                      {
                        title: tr('单位', 'Unit'),
                        render: (_, child) => (
                          <Typography.Link onClick={() => setUnit(child.unit)}>{child.name}</Typography.Link>
                        ),
                      },
                      {
                        title: tr('数值', 'Value'),
                        render: (_, child) => formatValue(child.value, target.unit, lang),
                      },
                      { title: tr('应达', 'Expected'), render: (_, child) => expectedText(child.expected) },
                      {
                        title: tr('状态', 'Status'),
                        render: (_, child) => <StatusTag status={child.status} />,
                      },
                    ]}
                  />
                ),
                rowExpandable: (target) => target.children.length > 0,
              }}
              columns={[
                { title: tr('指标', 'Indicator'), dataIndex: 'name' },
                { title: tr('数值', 'Value'), render: (_, t) => formatValue(t.value, t.unit, lang) },
                { title: tr('应达', 'Expected'), render: (_, t) => expectedText(t.expected) },
                {
                  title: tr('差距', 'Shortfall'),
                  render: (_, t) => (t.shortfall ? `${round(t.shortfall * 100, 1)}%` : '—'),
                },
                { title: tr('权重', 'Weight'), render: (_, t) => t.item.weight ?? '—' },
                { title: tr('状态', 'Status'), render: (_, t) => <StatusTag status={t.status} /> },
                {
                  title: tr('落后单位', 'Units behind'),
                  render: (_, t) => t.children.filter((c) => c.status === 'off_track').length || '',
                },
              ]}
            />
          </Card>
          <Card size="small" title={tr('下级单位排名', 'Ranking of the units below')}>
            <Table
              size="small"
              rowKey="unit"
              pagination={false}
              dataSource={data.ranking}
              columns={[
                { title: tr('名次', 'Rank'), dataIndex: 'rank', width: 60 },
                {
                  title: tr('单位', 'Unit'),
                  render: (_, row) => (
                    <Typography.Link onClick={() => setUnit(row.unit)}>{row.name}</Typography.Link>
                  ),
                },
                {
                  title: tr('得分', 'Score'),
                  render: (_, row) => `${round(row.score.total, 1)} / ${row.score.max}`,
                },
                {
                  title: tr('达标 / 预警 / 落后', 'On track / at risk / off'),
                  render: (_, row) => (
                    <Space size={2}>
                      <Tag color="green">{row.counts.on_track ?? 0}</Tag>
                      <Tag color="orange">{row.counts.at_risk ?? 0}</Tag>
                      <Tag color="red">{row.counts.off_track ?? 0}</Tag>
                    </Space>
                  ),
                },
                {
                  title: tr('否决项', 'Failed gates'),
                  render: (_, row) => row.score.failedGates.map((g) => names.get(g) ?? g).join('、'),
                },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
