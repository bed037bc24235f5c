import { Alert, Button, Card, Descriptions, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { apiGet } from '../api.ts';
import type { PageProps } from '../areas.tsx';
import { EChart } from '../components/EChart.tsx';
import { useAsync } from '../components/use-async.ts';
import { formatValue, intervalText } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { Link, navigate } from '../router.tsx';
import { useSelection } from '../selection.tsx';
import type { CatalogueEntry, DrillDownRecord, IndicatorResult, IndicatorValue } from '../types.ts';
import { periodLabel } from './DashboardPage.tsx';

const PAGE = 50;

/** One indicator for the selected unit and period: its breakdowns and the records behind it. */
export default function IndicatorPage({ params }: PageProps) {
  const { unit, period, nameOf, setUnit } = useSelection();
  const { tr, lang, label } = useI18n();
  const [by, setBy] = useState('children');
  const [offset, setOffset] = useState(0);
  const catalogue = useAsync(() => apiGet<{ items: CatalogueEntry[] }>('/api/indicators'), [lang]);
  const entry = catalogue.data?.items.find((item) => item.id === params.id);
  const total = useAsync(
    () => apiGet<IndicatorResult>(`/api/indicators/${params.id}`, { unit, period }),
    [params.id, unit, period, lang],
  );
  const breakdown = useAsync(
    () => apiGet<IndicatorResult>(`/api/indicators/${params.id}`, { unit, period, by }),
    [params.id, unit, period, by, lang],
  );
  const value = total.data?.values[0];
  // The figure links to its records only where the indicator lists them (not health-service
  // coverage nor data quality) and the user may list this unit's records (not a user who sees
  // figures only): the answer says why not, and the page asks for records only given a link.
  const listed = typeof value?.records === 'string';
  const records = useAsync(
    () =>
      listed
        ? apiGet<{ items: DrillDownRecord[]; hasMore: boolean }>(`/api/indicators/${params.id}/records`, {
            unit,
            period,
            limit: PAGE,
            offset,
          })
        : Promise.resolve(undefined),
    [params.id, unit, period, offset, listed],
  );
  const indicatorUnit = total.data?.indicator.unit ?? 'count';
  // A numerator made of events shows what each record is; a subtracted one (the deaths of the
  // natural increase rate) says so, so the list reads as births − deaths.
  const showsEvents = records.data?.items.some((r) => r.eventKind !== null) ?? false;
  const rows = breakdown.data?.values ?? [];
  const orderName: Record<string, string> = {
    '1': tr('一孩', 'First'),
    '2': tr('二孩', 'Second'),
    '3': tr('三孩及以上', 'Third and higher'),
  };
  const groupName = (v: IndicatorValue) =>
    by === 'children'
      ? nameOf(v.unit)
      : Object.entries(v.group)
          .map(([key, g]) => (key === 'birthOrder' ? (orderName[g] ?? g) : label(g)))
          .join(' · ') || '—';
  const option = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 48, right: 16, top: 16, bottom: 72 },
    xAxis: {
      type: 'category',
      data: rows.map(groupName),
      axisLabel: { rotate: 30, interval: 0, fontSize: 11 },
    },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: rows.map((v) => v.value), color: '#1f6fb2' }],
  };
  // The server says what `by` takes for this indicator (age × sex where both are).
  const breakdowns = (entry?.breakdowns ?? ['children']).filter((b) => b !== 'none');
  const byLabel: Record<string, string> = {
    children: tr('下级单位', 'Sub-units'),
    sex: tr('性别', 'Sex'),
    ageGroup: tr('年龄组', 'Age group'),
    residenceType: tr('人口类型', 'Residence type'),
    birthOrder: tr('孩次', 'Birth order'),
    ageSex: tr('年龄 × 性别', 'Age × sex'),
  };

  if (total.error) return <Alert type="error" message={total.error.message} />;
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={4} className="page-title">
        <Link to="/">{tr('工作台', 'Dashboard')}</Link> / {total.data?.indicator.name ?? params.id}
      </Typography.Title>
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={tr('单位', 'Unit')}>{nameOf(unit)}</Descriptions.Item>
          <Descriptions.Item label={tr('时期', 'Period')}>{periodLabel(period, lang)}</Descriptions.Item>
          <Descriptions.Item label={tr('数值', 'Value')}>
            <strong data-testid="indicator-value">{formatValue(value?.value, indicatorUnit, lang)}</strong>
            {intervalText(value?.interval, indicatorUnit, lang) && (
              <span className="muted">{intervalText(value?.interval, indicatorUnit, lang)}</span>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={tr('分子', 'Numerator')}>{value?.numerator ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={tr('分母', 'Denominator')}>
            {value?.denominator == null ? '—' : Math.round(value.denominator).toLocaleString()}
          </Descriptions.Item>
          <Descriptions.Item label={tr('说明', 'Definition')}>{entry?.description ?? ''}</Descriptions.Item>
        </Descriptions>
        {value?.flags.map((flag) => (
          <Tag key={flag.code} color="orange">
            {flag.message}
          </Tag>
        ))}
      </Card>
      <Card
        size="small"
        title={tr('分列', 'Breakdown')}
        extra={
          <Segmented
            size="small"
            value={by}
            onChange={(v) => setBy(String(v))}
            options={breakdowns.map((b) => ({ value: b, label: byLabel[b] ?? b }))}
          />
        }
      >
        {breakdown.error ? (
          <Alert type="error" message={breakdown.error.message} />
        ) : (
          <>
            {rows.length > 1 && (
              <EChart option={option} height={240} label={tr('分列图', 'Breakdown chart')} />
            )}
            <Table
              size="small"
              rowKey={(v) => `${v.unit}|${JSON.stringify(v.group)}`}
              loading={breakdown.loading}
              dataSource={rows}
              pagination={false}
              scroll={{ y: 320 }}
              columns={[
                {
                  title: byLabel[by],
                  render: (_: unknown, v: IndicatorValue) =>
                    by === 'children' ? (
                      <Button type="link" size="small" onClick={() => setUnit(v.unit)}>
                        {groupName(v)}
                      </Button>
                    ) : (
                      groupName(v)
                    ),
                },
                {
                  title: tr('数值', 'Value'),
                  align: 'right',
                  render: (_: unknown, v: IndicatorValue) => formatValue(v.value, indicatorUnit, lang),
                },
                { title: tr('分子', 'Numerator'), dataIndex: 'numerator', align: 'right' },
                {
                  title: tr('分母', 'Denominator'),
                  align: 'right',
                  render: (_: unknown, v: IndicatorValue) =>
                    v.denominator == null ? '—' : Math.round(v.denominator).toLocaleString(),
                },
                {
                  title: tr('提示', 'Flags'),
                  render: (_: unknown, v: IndicatorValue) =>
                    v.flags.map((f) => <Tag key={f.code}>{f.message}</Tag>),
                },
              ]}
            />
          </>
        )}
      </Card>
      <Card size="small" title={tr('分子所含记录', 'Records behind the figure')}>
        {value && value.records === null ? (
          <Alert
            type="info"
            data-testid="no-records"
            message={
              total.data?.recordsUnavailable?.message ??
              entry?.recordsUnavailable?.message ??
              tr('此指标没有逐条名单', 'This indicator has no record list')
            }
          />
        ) : records.error ? (
          <Alert type="warning" message={records.error.message} />
        ) : (
          <Table
            size="small"
            rowKey={(r) => `${r.personId}|${r.eventId ?? ''}`}
            loading={records.loading}
            dataSource={records.data?.items ?? []}
            pagination={false}
            onRow={(r) => ({
              onClick: () => navigate(`/persons/${r.personId}`),
              style: { cursor: 'pointer' },
            })}
            columns={[
              ...(showsEvents
                ? [
                    {
                      title: tr('事件', 'Event'),
                      key: 'event',
                      render: (_: unknown, r: DrillDownRecord) => {
                        const what = r.eventKind ? label(r.eventKind) : '—';
                        return r.sign < 0 ? (
                          <Tag color="red">{tr(`${what}（减去）`, `${what} (subtracted)`)}</Tag>
                        ) : (
                          what
                        );
                      },
                    },
                  ]
                : []),
              { title: tr('姓名', 'Name'), dataIndex: 'name' },
              { title: tr('性别', 'Sex'), dataIndex: 'sex', render: (s: string) => label(s) },
              { title: tr('出生日期', 'Birth date'), dataIndex: 'birthDate' },
              { title: tr('所在地', 'Place'), dataIndex: 'orgCode', render: (c: string) => nameOf(c) },
              { title: tr('事件日期', 'Event date'), dataIndex: 'eventDate' },
              { title: tr('报告日期', 'Reported'), dataIndex: 'reportDate' },
            ]}
            footer={() => (
              <Space>
                <Button
                  size="small"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE))}
                >
                  {tr('上一页', 'Previous')}
                </Button>
                <Button
                  size="small"
                  disabled={!records.data?.hasMore}
                  onClick={() => setOffset(offset + PAGE)}
                >
                  {tr('下一页', 'Next')}
                </Button>
                <span className="muted">{tr(`第 ${offset + 1} 条起`, `From record ${offset + 1}`)}</span>
              </Space>
            )}
          />
        )}
      </Card>
    </Space>
  );
}
