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
  Spin,
  Statistic,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { apiGet } from '../api.ts';
import { type ChartOption, EChart } from '../components/EChart.tsx';
import { monthsOf, previousPeriod } from '../components/PeriodPicker.tsx';
import { useAsync } from '../components/use-async.ts';
import { formatChange, formatValue, periodEnd } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { navigate } from '../router.tsx';
import { useSelection } from '../selection.tsx';
import type { IndicatorResult } from '../types.ts';

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

function evaluate(id: string, unit: string, period: string, by?: string) {
  return apiGet<IndicatorResult>(`/api/indicators/${id}`, { unit, period, by });
}

/** A value that is missing (no data for the period, e.g. before the registry starts) is null. */
async function valueFor(id: string, unit: string, period: string) {
  try {
    return (await evaluate(id, unit, period)).values[0]?.value ?? null;
  } catch {
    return null;
  }
}

export default function DashboardPage() {
  const { unit, period, nameOf } = useSelection();
  const { tr, t, lang } = useI18n();
  if (!unit) return <Skeleton active />;
  return (
    <>
      <Typography.Title level={4} className="page-title">
        {t('dashboard')} · {nameOf(unit)} · {periodLabel(period, lang)}
      </Typography.Title>
      <KeyFigures unit={unit} period={period} />
      <Alerts unit={unit} />
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={tr('出生与死亡（按月）', 'Births and deaths by month')}>
            <Trend unit={unit} period={period} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Pyramid unit={unit} period={period} />
        </Col>
        <Col span={24}>
          <Comparison unit={unit} period={period} />
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
function Alerts({ unit }: { unit: string }) {
  const { tr } = useI18n();
  const tasks = useAsync(
    () =>
      apiGet<{ total: number; counts: Record<string, number> }>('/api/tasks', {
        unit,
        status: 'open',
        limit: 1,
      }).catch(() => undefined),
    [unit.length >= 6 ? unit : ''],
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

function KeyFigures({ unit, period }: { unit: string; period: string }) {
  const { tr, lang } = useI18n();
  const previous = previousPeriod(period);
  const figures = useAsync(
    () =>
      Promise.all(
        FIGURES.map(async (id) => {
          const [now, before] = await Promise.all([evaluate(id, unit, period), valueFor(id, unit, previous)]);
          return { id, now, before };
        }),
      ),
    [unit, period, lang],
  );
  if (figures.error) return <Alert type="error" message={figures.error.message} />;
  return (
    <Row gutter={[12, 12]}>
      {FIGURES.map((id, index) => {
        const figure = figures.data?.[index];
        const value = figure?.now.values[0];
        const change = figure && formatChange(value?.value, figure.before, figure.now.indicator.unit);
        return (
          <Col key={id} xs={12} sm={8} lg={6} xxl={3}>
            <Card
              size="small"
              className="figure-card"
              data-testid={`figure-${id}`}
              hoverable
              onClick={() => navigate(`/indicators/${id}`)}
            >
              {figure && !figures.loading ? (
                <>
                  <Statistic
                    title={figure.now.indicator.name}
                    value={formatValue(value?.value, figure.now.indicator.unit, lang)}
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
                          tr(`上期（${previous}）：`, `Previous (${previous}): `) +
                          formatValue(figure.before, figure.now.indicator.unit, lang)
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

function Trend({ unit, period }: { unit: string; period: string }) {
  const { tr, lang } = useI18n();
  // A single month is shown within its year.
  const months = monthsOf(period.includes('-') ? period.slice(0, 4) : period);
  const data = useAsync(
    () =>
      Promise.all(
        ['births', 'deaths'].map((id) => Promise.all(months.map((month) => valueFor(id, unit, month)))),
      ),
    [unit, period],
  );
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [tr('出生', 'Births'), tr('死亡', 'Deaths')] },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: {
      type: 'category',
      data: months.map((m) => (lang === 'en' ? m.slice(5) : `${Number(m.slice(5))}月`)),
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: tr('出生', 'Births'),
        type: 'line',
        smooth: false,
        data: data.data?.[0] ?? [],
        color: '#1f6fb2',
      },
      {
        name: tr('死亡', 'Deaths'),
        type: 'line',
        smooth: false,
        data: data.data?.[1] ?? [],
        color: '#8c8c8c',
      },
    ],
  };
  if (data.error) return <Alert type="error" message={data.error.message} />;
  return <EChart option={option} label={tr('出生与死亡趋势', 'Births and deaths trend')} />;
}

/**
 * The pyramid. The indicator engine answers age bands (both sexes) from its cube at once; it has
 * no age × sex breakdown yet, so the two-sided pyramid comes from /api/population (a scan of
 * the residence spells: seconds on the 190,000-person county on PGlite) and is drawn only on
 * request.
 */
function Pyramid({ unit, period }: { unit: string; period: string }) {
  const { tr, lang } = useI18n();
  const [bySex, setBySex] = useState(false);
  const bands = useAsync(
    () => evaluate('resident_population', unit, period, 'ageGroup'),
    [unit, period, lang],
  );
  const date = periodEnd(period);
  const single = useAsync(
    () =>
      bySex
        ? apiGet<{ total: number; rows: { sex: string; age: number; count: number }[] }>('/api/population', {
            unit,
            date,
          })
        : Promise.resolve(undefined),
    [unit, date, bySex],
  );
  const labels = (bands.data?.values ?? []).map((v) => v.group.ageGroup ?? '');
  let option: ChartOption;
  if (bySex && single.data) {
    // Single years of age into the engine's bands ('0', '1-4', '5-9' … '85+').
    const starts = labels.map((label) => Number.parseInt(label, 10));
    const bandOf = (age: number) => {
      let index = 0;
      for (let i = 0; i < starts.length; i++) if (age >= starts[i]!) index = i;
      return index;
    };
    const male = labels.map(() => 0);
    const female = labels.map(() => 0);
    for (const row of single.data.rows) {
      if (row.sex === 'male') male[bandOf(row.age)]! -= row.count;
      else female[bandOf(row.age)]! += row.count;
    }
    option = {
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: number) => String(Math.abs(v)),
      },
      legend: { top: 0, data: [tr('男', 'Male'), tr('女', 'Female')] },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => String(Math.abs(v)) } },
      yAxis: { type: 'category', data: labels, axisTick: { show: false } },
      series: [
        {
          name: tr('男', 'Male'),
          type: 'bar',
          stack: 'p',
          data: male,
          color: '#4e79a7',
          barCategoryGap: '10%',
        },
        { name: tr('女', 'Female'), type: 'bar', stack: 'p', data: female, color: '#e15759' },
      ],
    };
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
          data: (bands.data?.values ?? []).map((v) => v.value),
          color: '#1f6fb2',
          barCategoryGap: '10%',
        },
      ],
    };
  }
  const error = bands.error ?? single.error;
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
            { value: 'total', label: tr('合计', 'Total') },
            { value: 'sex', label: tr('分性别（金字塔）', 'By sex (pyramid)') },
          ]}
        />
      }
    >
      {error ? (
        <Alert type="error" message={error.message} />
      ) : (
        <Spin spinning={bySex && single.loading}>
          <EChart option={option} label={tr('人口金字塔', 'Population pyramid')} />
        </Spin>
      )}
    </Card>
  );
}

function Comparison({ unit, period }: { unit: string; period: string }) {
  const { tr, lang } = useI18n();
  const { nameOf, setUnit } = useSelection();
  const [indicator, setIndicator] = useState<string>('births');
  const data = useAsync(() => evaluate(indicator, unit, period, 'children'), [indicator, unit, period, lang]);
  const values = data.data?.values ?? [];
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
      {data.error ? (
        <Alert type="error" message={data.error.message} />
      ) : values.length === 0 && !data.loading ? (
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
