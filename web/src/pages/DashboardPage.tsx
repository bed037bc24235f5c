import { WarningOutlined } from '@ant-design/icons';
import {
  Alert,
  Card,
  Col,
  Empty,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { apiGet, prefetch, type Query } from '../api.ts';
import { initialUser } from '../auth.tsx';
import { type ChartOption, EChart, loadCharts } from '../components/EChart.tsx';
import { previousPeriod } from '../components/PeriodPicker.tsx';
import { pyramidOption } from '../components/pyramid.ts';
import { useAsync } from '../components/use-async.ts';
import { formatChange, formatValue } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.tsx';
import { initialPeriod, initialUnit, useSelection } from '../selection.tsx';
import type { IndicatorBatch, IndicatorResult, IndicatorValue } from '../types.ts';

/** The key figures, in the order a county office reads them. */
const FIGURES = [
  'resident_population',
  'births',
  'deaths',
  'crude_birth_rate',
  'crude_death_rate',
  'natural_increase_rate',
  'sex_ratio_at_birth',
] as const;

/** Indicators the sub-unit comparison offers, with their catalogue names. */
const COMPARED = [
  ['births', '出生人数', 'Live births'],
  ['crude_birth_rate', '出生率', 'Crude birth rate'],
  ['deaths', '死亡人数', 'Deaths'],
  ['resident_population', '常住人口', 'Resident population'],
] as const;

/** The dashboard's requests for a unit and period (the same list for prefetching and for the page). */
type Request = [path: string, query: Query];

function requestsFor(
  unit: string,
  period: string,
): { current: Request; previous: Request; year: Request | undefined; pyramid: Request; tasks: Request } {
  const isMonth = period.includes('-');
  const figures = FIGURES.join(',');
  return {
    current: [
      '/api/indicators/values',
      { unit, period, indicators: figures, children: true, months: isMonth ? undefined : 'births,deaths' },
    ],
    previous: ['/api/indicators/values', { unit, period: previousPeriod(period), indicators: figures }],
    year: isMonth
      ? [
          '/api/indicators/values',
          { unit, period: period.slice(0, 4), indicators: 'births', months: 'births,deaths' },
        ]
      : undefined,
    pyramid: ['/api/indicators/resident_population', { unit, period, by: 'ageSex' }],
    tasks: ['/api/tasks', { unit, status: 'open', limit: 1 }],
  };
}

// Opened on its own route, the dashboard sends its requests as soon as the server has said who
// the user is — while React is still drawing the page — and asks for the chart library at once.
if (typeof location !== 'undefined' && location.pathname === '/') {
  loadCharts();
  initialUser.then(async (user) => {
    const unit = user && initialUnit(user.roles.map((role) => role.unit));
    if (!unit || !user.rights.includes('aggregates.read') || user.mustChangePassword) return;
    const { tasks, ...figures } = requestsFor(unit, await initialPeriod(unit));
    for (const request of Object.values(figures)) if (request) prefetch(...request);
    if (user.rights.includes('registry.write')) prefetch(...tasks);
  });
}

/** The value of an indicator for the unit itself in a batch (null: no data). */
function own(data: IndicatorBatch | undefined, unit: string, id: string): IndicatorValue | undefined {
  return data?.indicators[id]?.values.find((v) => v.unit === unit);
}

// On its own route the dashboard asks for the chart library as the app starts, alongside its data.
if (typeof location !== 'undefined' && location.pathname === '/') loadCharts();

/**
 * The dashboard sends four requests: the key figures of the unit and its sub-units with the
 * period's months (one batch), the previous period's figures, the age × sex pyramid and the work
 * list's counts. A month's trend is shown within its year, which is one more batch.
 */
export default function DashboardPage() {
  const { unit, period, nameOf } = useSelection();
  const { tr, t, lang } = useI18n();
  const isMonth = period.includes('-');
  const requests = unit ? requestsFor(unit, period) : undefined;
  const current = useAsync(
    () => (requests ? apiGet<IndicatorBatch>(...requests.current) : Promise.resolve(undefined)),
    [unit, period, lang],
  );
  const previous = useAsync(
    () =>
      requests
        ? apiGet<IndicatorBatch>(...requests.previous).catch(() => undefined)
        : Promise.resolve(undefined),
    [unit, period, lang],
  );
  // A month is drawn within its year: the year's months in one more request.
  const year = useAsync(
    () => (requests?.year ? apiGet<IndicatorBatch>(...requests.year) : Promise.resolve(undefined)),
    [unit, period, lang],
  );
  if (!unit) return <Skeleton active />;
  const trend = isMonth ? year : current;
  return (
    <>
      <Typography.Title level={4} className="page-title">
        {t('dashboard')} · {nameOf(unit)} · {periodLabel(period, lang)}
      </Typography.Title>
      {current.error ? (
        <Alert type="error" message={current.error.message} />
      ) : (
        <KeyFigures
          unit={unit}
          period={period}
          current={current.loading ? undefined : current.data}
          previous={previous.loading ? undefined : previous.data}
          ready={!current.loading && !previous.loading && !!current.data}
        />
      )}
      <Alerts request={requests!.tasks} />
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={tr('出生与死亡（按月）', 'Births and deaths by month')}>
            {trend.error ? (
              <Alert type="error" message={trend.error.message} />
            ) : (
              <Trend months={trend.data?.months} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Pyramid request={requests!.pyramid} />
        </Col>
        <Col span={24}>
          <Comparison
            unit={unit}
            data={current.loading ? undefined : current.data}
            loading={current.loading}
          />
        </Col>
      </Row>
    </>
  );
}

/** What the work list (linkage, dedupe, audits, checks) says needs doing; kinds from migration 0007. */
const TASK_KINDS: Record<string, [string, string]> = {
  unregistered_birth: ['未登记的出生', 'Unregistered births'],
  unregistered_death: ['未登记的死亡', 'Unregistered deaths'],
  unregistered_event: ['未登记的事件', 'Unregistered events'],
  correction: ['待核对更正', 'Corrections to check'],
  merge: ['疑似重复人员', 'Possible duplicates'],
  audit_discrepancy: ['抽查差异', 'Audit discrepancies'],
  data_check: ['数据检查问题', 'Data-check findings'],
};

/** Alerts: open work-list items of the unit by kind, once the work list exists (and the user may see it). */
function Alerts({ request }: { request: Request }) {
  const { tr } = useI18n();
  const tasks = useAsync(
    () => apiGet<{ total: number; counts: Record<string, number> }>(...request).catch(() => undefined),
    [JSON.stringify(request)],
  );
  const counts = Object.entries(tasks.data?.counts ?? {}).filter(([, n]) => n > 0);
  if (counts.length === 0) return null;
  return (
    <Alert
      style={{ marginTop: 12 }}
      type="warning"
      showIcon
      message={
        <Space wrap size="middle">
          <span>{tr('待办提醒：', 'To do: ')}</span>
          {counts.map(([kind, n]) => (
            <span key={kind} data-testid={`task-${kind}`}>
              {TASK_KINDS[kind] ? tr(TASK_KINDS[kind][0], TASK_KINDS[kind][1]) : kind} <strong>{n}</strong>
            </span>
          ))}
        </Space>
      }
    />
  );
}

export function periodLabel(period: string, lang: string): string {
  const year = period.slice(0, 4);
  const part = period.slice(4);
  if (lang === 'en') return period;
  if (part === '') return `${year}年`;
  if (part === 'H1') return `${year}年上半年`;
  if (part === 'H2') return `${year}年下半年`;
  if (part.startsWith('Q')) return `${year}年第${'一二三四'[Number(part.slice(1)) - 1]}季度`;
  return `${year}年${Number(part.slice(1))}月`;
}

function KeyFigures({
  unit,
  period,
  current,
  previous,
  ready,
}: {
  unit: string;
  period: string;
  current: IndicatorBatch | undefined;
  previous: IndicatorBatch | undefined;
  ready: boolean;
}) {
  const { tr, lang } = useI18n();
  const before = previousPeriod(period);
  return (
    <Row gutter={[12, 12]}>
      {FIGURES.map((id) => {
        const entry = current?.indicators[id];
        const value = own(current, unit, id);
        const earlier = own(previous, unit, id)?.value ?? null;
        const indicatorUnit = entry?.unit ?? '';
        const change = entry && formatChange(value?.value, earlier, indicatorUnit);
        return (
          <Col key={id} xs={12} sm={8} lg={6} xxl={3}>
            <Card
              size="small"
              className="figure-card"
              data-testid={`figure-${id}`}
              hoverable
              onClick={() => navigate(`/indicators/${id}`)}
            >
              {ready ? (
                <>
                  <Statistic
                    title={entry?.name ?? id}
                    value={formatValue(value?.value, indicatorUnit, lang)}
                    suffix={
                      value?.flags.length && change ? (
                        // Small numbers and other caveats from the engine, e.g. a sex ratio of 16 births.
                        <Tooltip title={value.flags.map((flag) => flag.message).join('；')}>
                          <WarningOutlined className="flag-icon" aria-label={tr('提示', 'Caveat')} />
                        </Tooltip>
                      ) : undefined
                    }
                  />
                  <div className="figure-change">
                    {change ? (
                      <Tooltip
                        title={
                          tr(`上期（${before}）：`, `Previous (${before}): `) +
                          formatValue(earlier, indicatorUnit, lang)
                        }
                      >
                        <span className="muted">
                          {tr('较上期', 'vs previous')} {change.text}
                        </span>
                      </Tooltip>
                    ) : (
                      <span className="muted">{value?.flags[0]?.message ?? ''}</span>
                    )}
                  </div>
                </>
              ) : (
                <Skeleton active paragraph={{ rows: 1 }} />
              )}
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

function Trend({ months }: { months: IndicatorBatch['months'] }) {
  const { tr, lang } = useI18n();
  const list = months ?? [];
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [tr('出生', 'Births'), tr('死亡', 'Deaths')] },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: {
      type: 'category',
      data: list.map((m) => (lang === 'en' ? m.period.slice(5) : `${Number(m.period.slice(5))}月`)),
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: tr('出生', 'Births'),
        type: 'line',
        smooth: false,
        data: list.map((m) => m.values.births?.value ?? null),
        color: '#1f6fb2',
      },
      {
        name: tr('死亡', 'Deaths'),
        type: 'line',
        smooth: false,
        data: list.map((m) => m.values.deaths?.value ?? null),
        color: '#8c8c8c',
      },
    ],
  };
  return <EChart option={option} label={tr('出生与死亡趋势', 'Births and deaths trend')} />;
}

/**
 * The age structure at the end of the period from the indicator engine's age × sex breakdown
 * (one request, from its cube): a two-sided pyramid, or both sexes together on request.
 */
function Pyramid({ request }: { request: Request }) {
  const { tr, lang } = useI18n();
  const [bySex, setBySex] = useState(true);
  const bands = useAsync(() => apiGet<IndicatorResult>(...request), [JSON.stringify(request), lang]);
  const labels: string[] = [];
  const male: number[] = [];
  const female: number[] = [];
  for (const v of bands.data?.values ?? []) {
    const band = v.group.ageGroup ?? '';
    let index = labels.indexOf(band);
    if (index < 0) {
      index = labels.push(band) - 1;
      male.push(0);
      female.push(0);
    }
    // Suppressed small cells (a user without record rights) count as unknown, drawn as 0.
    if (v.group.sex === 'male') male[index]! += v.value ?? 0;
    else female[index]! += v.value ?? 0;
  }
  let option: ChartOption;
  if (bySex) {
    option = pyramidOption(labels, male, female, tr);
  } else {
    option = {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: labels, axisTick: { show: false } },
      series: [
        {
          name: tr('常住人口', 'Resident population'),
          type: 'bar',
          data: labels.map((_, i) => female[i]! + male[i]!),
          color: '#1f6fb2',
          barCategoryGap: '10%',
        },
      ],
    };
  }
  return (
    <Card
      size="small"
      title={tr('年龄结构（常住人口，期末）', 'Age structure (resident, end of period)')}
      extra={
        <Segmented
          size="small"
          value={bySex ? 'sex' : 'total'}
          onChange={(value) => setBySex(value === 'sex')}
          options={[
            { value: 'sex', label: tr('分性别（金字塔）', 'By sex (pyramid)') },
            { value: 'total', label: tr('合计', 'Total') },
          ]}
        />
      }
    >
      {bands.error ? (
        <Alert type="error" message={bands.error.message} />
      ) : (
        <EChart option={option} label={tr('人口金字塔', 'Population pyramid')} />
      )}
    </Card>
  );
}

function Comparison({
  unit,
  data,
  loading,
}: {
  unit: string;
  data: IndicatorBatch | undefined;
  loading: boolean;
}) {
  const { tr } = useI18n();
  const { nameOf, setUnit } = useSelection();
  const [indicator, setIndicator] = useState<string>('births');
  const values = (data?.indicators[indicator]?.values ?? []).filter((v) => v.unit !== unit);
  const option = {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 48, right: 16, top: 16, bottom: 80 },
    xAxis: {
      type: 'category',
      data: values.map((v) => nameOf(v.unit)),
      axisLabel: { rotate: values.length > 12 ? 60 : 30, interval: 0, fontSize: 11 },
    },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: values.map((v) => v.value), color: '#1f6fb2' }],
  };
  const title =
    unit.length >= 12
      ? tr('下级单位对比', 'Sub-units')
      : unit.length === 9
        ? tr('各村（社区）对比', 'Villages compared')
        : tr('各乡镇对比', 'Townships compared');
  return (
    <Card
      size="small"
      title={title}
      extra={
        <Segmented
          size="small"
          value={indicator}
          onChange={(value) => setIndicator(String(value))}
          options={COMPARED.map(([id, zh, en]) => ({ value: id, label: tr(zh, en) }))}
        />
      }
    >
      {values.length === 0 && !loading ? (
        <Empty description={tr('没有下级单位', 'No sub-units')} />
      ) : (
        <EChart
          option={option}
          height={300}
          label={title}
          onClick={(_name, index) => {
            const code = values[index]?.unit;
            if (code) setUnit(code);
          }}
        />
      )}
    </Card>
  );
}
