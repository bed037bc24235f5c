import type { ActivityKind } from '../db/tables/reports.ts';
import { type Figure, type FigureSet, formatFigure, formatNumber } from './figures.ts';
import type {
  Block,
  Inline,
  ReportDocument,
  ReportUnit,
  TableCell,
  TargetValue,
  UnitTarget,
  WorkReportInput,
} from './model.ts';

/** Names of the activity kinds as a report prints them. */
export const ACTIVITY_KIND_NAMES: Record<ActivityKind, { 'zh-CN': string; en: string }> = {
  publicity: { 'zh-CN': '宣传服务', en: 'Publicity and information' },
  health_check: { 'zh-CN': '健康检查', en: 'Health checks' },
  home_visit: { 'zh-CN': '入户走访', en: 'Home visits' },
  training: { 'zh-CN': '业务培训', en: 'Training' },
  consultation: { 'zh-CN': '咨询服务', en: 'Consultations' },
  family_support: { 'zh-CN': '家庭帮扶', en: 'Family support' },
  childcare_service: { 'zh-CN': '托育服务', en: 'Childcare services' },
  elderly_care: { 'zh-CN': '关爱老人', en: 'Care for the elderly' },
  other: { 'zh-CN': '其他工作', en: 'Other work' },
};

/** The indicators of 一、基本情况, in the order of the table. */
export const BASIC_INDICATORS = [
  'resident_population',
  'registered_population',
  'births',
  'deaths',
  'crude_birth_rate',
  'crude_death_rate',
  'natural_increase_rate',
  'sex_ratio_at_birth',
  'total_fertility_rate',
  'share_aged_60_plus',
] as const;

/** The columns of the sub-unit (township) table. */
export const CHILD_TABLE_INDICATORS = [
  'resident_population',
  'births',
  'deaths',
  'crude_birth_rate',
  'crude_death_rate',
  'natural_increase_rate',
  'sex_ratio_at_birth',
] as const;

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** 全市 / 全县 / 全区 / 全镇 … from the unit's name. */
export function scopeWord(unit: ReportUnit): string {
  const suffixes = ['自治县', '街道', '社区', '市', '县', '区', '旗', '镇', '乡', '村', '省'];
  for (const suffix of suffixes)
    if (unit.name.endsWith(suffix)) return `全${suffix.slice(-2) === '街道' ? '街道' : suffix.slice(-1)}`;
  return '全域';
}

function dateZh(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

function f(figure: Figure | undefined): Inline {
  if (!figure) return '无数据';
  return { figure, text: formatFigure(figure) };
}

/** "增加 1,234 人" / "下降 0.30 个千分点" / "持平", from two figures; null when either has no data. */
function change(now: Figure | undefined, before: Figure | undefined, noun: string): string | null {
  if (!now || !before || now.value === null || before.value === null) return null;
  const delta = now.value - before.value;
  const rounded = Number(delta.toFixed(now.measure === 'count' ? 0 : 2));
  if (rounded === 0) return '持平';
  const up = rounded > 0;
  const amount = formatNumber(Math.abs(rounded), now.measure);
  if (now.measure === 'count') {
    const pct =
      before.value !== 0
        ? `（${up ? '+' : '−'}${((Math.abs(delta) / before.value) * 100).toFixed(1)}%）`
        : '';
    return `${up ? '增加' : '减少'} ${amount} ${noun}${pct}`;
  }
  if (now.measure === 'permille') return `${up ? '上升' : '下降'} ${amount} 个千分点`;
  if (now.measure === 'percent') return `${up ? '上升' : '下降'} ${amount} 个百分点`;
  return `${up ? '上升' : '下降'} ${amount}`;
}

function changeCell(now: Figure | undefined, before: Figure | undefined): TableCell {
  if (!now || !before || now.value === null || before.value === null)
    return { text: '无数据', numeric: true };
  const delta = now.value - before.value;
  const text = formatNumber(Math.abs(delta), now.measure);
  if (Number(text.replaceAll(',', '')) === 0) return { text: '0', numeric: true };
  return { text: `${delta > 0 ? '+' : '−'}${text}`, numeric: true };
}

/** A table cell: the number alone (the column header carries ‰ or %), or 无数据. */
function cell(figure: Figure | undefined): TableCell {
  if (!figure) return { text: '无数据', numeric: true };
  return { text: formatNumber(figure.value, figure.measure), figure, numeric: true };
}

function nameOf(set: FigureSet, id: string, fallback: string): string {
  return set[id]?.name['zh-CN'] ?? fallback;
}

const MEASURE_SUFFIX: Record<string, string> = { permille: '（‰）', percent: '（%）' };

/** "≥ 95.00%" / "≤ 107.0" / "6.00‰–8.00‰". */
export function formatTarget(target: TargetValue, measure: Figure['measure']): string {
  const show = (value: number) => formatFigure({ value, measure });
  if (target.direction === 'within') {
    const [low, high] = target.value as readonly [number, number];
    return `${show(low)}–${show(high)}`;
  }
  return `${target.direction === 'at_least' ? '≥' : '≤'} ${show(target.value as number)}`;
}

/** Whether a value meets its target; null when the value is missing (no data: not judged). */
export function meetsTarget(value: number | null, target: TargetValue): boolean | null {
  if (value === null) return null;
  if (target.direction === 'at_least') return value >= (target.value as number);
  if (target.direction === 'at_most') return value <= (target.value as number);
  const [low, high] = target.value as readonly [number, number];
  return value >= low && value <= high;
}

/** The targets not met, grouped by indicator in sheet order: what 三、存在的问题 lists. */
export function findLaggingUnits(targets: readonly UnitTarget[]) {
  const byIndicator = new Map<string, { target: UnitTarget; lagging: UnitTarget[]; noData: UnitTarget[] }>();
  for (const target of targets) {
    let entry = byIndicator.get(target.indicator);
    if (!entry) {
      entry = { target, lagging: [], noData: [] };
      byIndicator.set(target.indicator, entry);
    }
    const meets = meetsTarget(target.actual.value, target.target);
    if (meets === false) entry.lagging.push(target);
    if (meets === null) entry.noData.push(target);
  }
  return [...byIndicator.values()];
}

/**
 * Builds the work report (工作汇报) as a document: pure, from figures gathered beforehand. Every
 * number in it is a Figure from the input; where there is none it says 无数据, where there is no
 * target sheet it says 无目标.
 */
export function buildWorkReport(input: WorkReportInput): ReportDocument {
  const { unit, period, figures } = input;
  const scope = scopeWord(unit);
  const isYear = period.type === 'year';
  const cur = figures.current;
  const prev = figures.previous;
  const blocks: Block[] = [];
  const heading = (level: 1 | 2, text: string) => blocks.push({ type: 'heading', level, text });
  const paragraph = (...parts: (Inline | null | false | undefined)[]) =>
    blocks.push({ type: 'paragraph', parts: dropUnitsAfterNoData(parts.filter((p): p is Inline => !!p)) });

  // 一、基本情况
  heading(1, '一、基本情况');
  paragraph(
    `截至${dateZh(period.end)}，${scope}常住人口 `,
    f(cur.resident_population),
    ' 人，户籍人口 ',
    f(cur.registered_population),
    ' 人，其中流出人口 ',
    f(cur.outflow_population),
    ' 人、流入人口 ',
    f(cur.inflow_population),
    ' 人。',
    `${period.label['zh-CN']}${scope}出生 `,
    f(cur.births),
    ' 人，出生率 ',
    f(cur.crude_birth_rate),
    '；死亡 ',
    f(cur.deaths),
    ' 人，死亡率 ',
    f(cur.crude_death_rate),
    '；人口自然增长率 ',
    f(cur.natural_increase_rate),
    '。出生人口性别比 ',
    f(cur.sex_ratio_at_birth),
    srbInterval(cur.sex_ratio_at_birth),
    isYear && cur.total_fertility_rate?.value !== null && cur.total_fertility_rate ? '，总和生育率 ' : null,
    isYear && cur.total_fertility_rate?.value !== null && cur.total_fertility_rate
      ? f(cur.total_fertility_rate)
      : null,
    '。',
  );
  const comparisons: [string, FigureSet | null, string][] = isYear
    ? [['与上年相比', prev, input.previousPeriod.label['zh-CN']]]
    : [
        [`与上期（${input.previousPeriod.label['zh-CN']}）相比`, prev, input.previousPeriod.label['zh-CN']],
        [
          `与上年同期（${input.lastYearPeriod?.label['zh-CN'] ?? ''}）相比`,
          figures.lastYear,
          input.lastYearPeriod?.label['zh-CN'] ?? '',
        ],
      ];
  for (const [lead, before, label] of comparisons) {
    const pieces = [
      ['常住人口', change(cur.resident_population, before?.resident_population, '人')],
      ['出生人数', change(cur.births, before?.births, '人')],
      ['出生率', change(cur.crude_birth_rate, before?.crude_birth_rate, '')],
      ['死亡人数', change(cur.deaths, before?.deaths, '人')],
      ['自然增长率', change(cur.natural_increase_rate, before?.natural_increase_rate, '')],
    ].filter((piece): piece is [string, string] => piece[1] !== null);
    if (pieces.length === 0) paragraph(`${lead}：${label}无数据，无法比较。`);
    else paragraph(`${lead}，${pieces.map(([name, text]) => `${name}${text}`).join('，')}。`);
  }

  blocks.push(basicTable(input));
  if (input.children.length > 0) blocks.push(childTable(input));
  blocks.push(trendChart(input));
  if (input.children.length > 0) blocks.push(childChart(input));
  blocks.push(pyramidChart(input));

  // 二、主要工作
  heading(1, '二、主要工作');
  const activeKinds = input.activities.byKind.filter((k) => (k.count.value ?? 0) > 0);
  if (activeKinds.length === 0) {
    paragraph(
      `${period.label['zh-CN']}工作活动记录中没有登记的活动（无数据）。各单位可在 renkou 中登记开展的服务活动。`,
    );
  }
  activeKinds.forEach((kind, index) => {
    const name = ACTIVITY_KIND_NAMES[kind.kind]['zh-CN'];
    heading(2, `（${CHINESE_NUMERALS[index] ?? index + 1}）${name}`);
    const lines = input.activities.highlights.filter((line) => line.kind === kind.kind);
    paragraph(
      `${period.label['zh-CN']}${scope}共开展${name}活动 `,
      f(kind.count),
      ' 次',
      kind.peopleServed.value !== null ? '，服务群众 ' : null,
      kind.peopleServed.value !== null ? f(kind.peopleServed) : null,
      kind.peopleServed.value !== null ? ' 人次' : null,
      kind.materials.value !== null ? '，发放资料 ' : null,
      kind.materials.value !== null ? f(kind.materials) : null,
      kind.materials.value !== null ? ' 份' : null,
      '。',
      ...lines.map(
        (line, i) =>
          `${i === 0 ? '如' : ''}${dateZh(line.date).slice(5)}，${line.unitName}${line.description.replace(/[。.]$/, '')}${line.peopleServed !== null ? `（服务 ${formatNumber(line.peopleServed, 'count')} 人次）` : ''}${i === lines.length - 1 ? '。' : '；'}`,
      ),
    );
  });

  // 三、存在的问题
  heading(1, '三、存在的问题');
  let problemNo = 0;
  const problemHeading = (text: string) => heading(2, `（${CHINESE_NUMERALS[problemNo++]}）${text}`);
  problemHeading('未达到目标的单位');
  if (input.targets.status === 'none') {
    paragraph(`${input.targets.year}年尚无目标管理责任书（无目标），本期不能对照目标评价各单位。`);
  } else {
    const groups = findLaggingUnits(input.targets.targets);
    if (groups.length === 0) paragraph(`${input.targets.year}年目标责任书中没有指标（无目标）。`);
    let allMet = true;
    for (const group of groups) {
      const name = group.target.name['zh-CN'];
      const target = formatTarget(group.target.target, group.target.actual.measure);
      if (group.lagging.length > 0) {
        allMet = false;
        const parts: Inline[] = [`${name}未达到目标（${target}）的有：`];
        group.lagging.forEach((lag, i) => {
          parts.push(
            `${lag.unit.name}（`,
            f(lag.actual),
            `）${i === group.lagging.length - 1 ? '。' : '、'}`,
          );
        });
        paragraph(...parts);
      }
      if (group.noData.length > 0) {
        paragraph(`${name}无数据、无法评价的有：${group.noData.map((t) => t.unit.name).join('、')}。`);
      }
    }
    if (groups.length > 0 && allMet) paragraph('各单位均达到目标责任书的目标。');
  }

  problemHeading('数据质量');
  const t = input.problems.timeliness;
  const worst = t.children
    .filter((c) => c.figure.value !== null)
    .sort((a, b) => (a.figure.value ?? 0) - (b.figure.value ?? 0))
    .slice(0, 3);
  paragraph(
    `${period.label['zh-CN']}${scope}人口事件登记及时率（事件发生后 30 天内录入）为 `,
    f(t.unit),
    worst.length > 0 ? '，较低的是' : null,
    ...worst.flatMap((c, i): Inline[] => [
      `${c.unit.name}（`,
      f(c.figure),
      `）${i === worst.length - 1 ? '' : '、'}`,
    ]),
    '。',
  );
  if (input.problems.quality.status === 'none') {
    paragraph('入库率、完整率、准确率尚无计算结果（无数据）。');
  } else if (input.problems.quality.findings.length === 0) {
    paragraph('数据质量检查未发现问题。');
  } else {
    for (const finding of input.problems.quality.findings) {
      paragraph(`${finding.unit.name}：${finding.text['zh-CN']}`);
    }
  }

  problemHeading('出生漏报');
  const ub = input.problems.unregisteredBirths;
  if (!ub.feedsReceived) {
    paragraph('尚未接收卫健部门出生医学证明数据，未开展出生漏报比对（无数据）。');
  } else if (!ub.linked) {
    paragraph('已接收出生医学证明数据，但尚未完成与登记库的比对，漏报出生情况暂无数据。');
  } else if ((ub.total.value ?? 0) === 0) {
    paragraph(`截至${dateZh(input.reportDate)}，出生医学证明比对没有待核实的漏报出生。`);
  } else {
    paragraph(
      `截至${dateZh(input.reportDate)}，经与出生医学证明比对，发现尚未登记的出生 `,
      f(ub.total),
      ' 例待核实登记',
      ub.byUnit.length > 0 ? '，其中' : null,
      ...ub.byUnit.flatMap((u, i): Inline[] => [
        `${u.unit.name} `,
        f(u.count),
        ` 例${i === ub.byUnit.length - 1 ? '' : '、'}`,
      ]),
      '。',
    );
  }

  // 四、下一步工作打算
  heading(1, '四、下一步工作打算');
  const next = input.nextYear;
  if (!next.targets || next.targets.length === 0) {
    paragraph(`${next.year}年目标管理责任书尚未制定（无目标）。`);
  } else {
    paragraph(
      `${next.year}年主要目标：${next.targets.map((tg) => `${tg.name['zh-CN']}${formatTarget(tg.target, tg.measure)}`).join('；')}。`,
    );
  }
  let planNo = 0;
  const plan = (text: string) => paragraph(`${CHINESE_NUMERALS[planNo++] ?? planNo}是${text}`);
  if (ub.linked && (ub.total.value ?? 0) > 0) {
    plan(
      `督促有关单位逐例核实、登记出生医学证明比对发现的 ${formatNumber(ub.total.value, 'count')} 例漏报出生。`,
    );
  }
  if (worst.length > 0) {
    plan(`提高${worst.map((w) => w.unit.name).join('、')}的人口事件登记及时率，做到事件发生后 30 天内录入。`);
  }
  if (input.targets.status === 'available') {
    const lagging = findLaggingUnits(input.targets.targets).flatMap((g) => g.lagging.map((l) => l.unit.name));
    if (lagging.length > 0) plan(`对${[...new Set(lagging)].join('、')}加强指导，逐项分析未达目标的原因。`);
  }
  for (const text of input.plans) paragraph(text);
  if (planNo === 0 && input.plans.length === 0) paragraph('（下一步工作安排由起草单位补充。）');

  const figuresUsed: Record<string, Figure> = {};
  const keep = (figure: Figure | undefined) => {
    if (figure) figuresUsed[figure.key] = figure;
  };
  for (const block of blocks) {
    if (block.type === 'paragraph')
      for (const part of block.parts) if (typeof part !== 'string') keep(part.figure);
    if (block.type === 'table') for (const row of block.rows) for (const c of row) keep(c.figure);
  }
  for (const series of input.monthly) for (const fig of [...series.births, ...series.deaths]) keep(fig);
  for (const band of input.pyramid) {
    keep(band.male);
    keep(band.female);
  }

  return {
    title: `${unit.name}${period.label['zh-CN']}人口监测与家庭发展工作情况汇报`,
    subtitle: `（数据截至${dateZh(period.end)}，数据版本 ${input.dataVersion}）`,
    signature: { unit: unit.name, date: dateZh(input.reportDate) },
    blocks,
    dataVersion: input.dataVersion,
    figures: figuresUsed,
  };
}

/** "常住人口 无数据 人" reads wrong: the unit word after a figure with no data is dropped. */
function dropUnitsAfterNoData(parts: Inline[]): Inline[] {
  return parts.map((part, i) => {
    const before = parts[i - 1];
    if (typeof part !== 'string' || !before || typeof before === 'string' || before.figure.value !== null)
      return part;
    return part.replace(/^ (人次|人|次|份|例)/, '');
  });
}

function srbInterval(figure: Figure | undefined): string | null {
  if (!figure || figure.value === null || !figure.interval) return null;
  const { lower, upper } = figure.interval;
  if (lower === null || upper === null) return null;
  const small = figure.flags.length > 0 ? '，出生数较少，仅供参考' : '';
  return `（95% 置信区间 ${formatNumber(lower, 'ratio')}–${formatNumber(upper, 'ratio')}${small}）`;
}

function basicTable(input: WorkReportInput): Block {
  const cur = input.figures.current;
  const isYear = input.period.type === 'year';
  const header = ['指标', input.period.label['zh-CN'], input.previousPeriod.label['zh-CN'], '增减'];
  if (!isYear && input.lastYearPeriod) header.push(input.lastYearPeriod.label['zh-CN'], '同比增减');
  const rows = BASIC_INDICATORS.map((id) => {
    const now = cur[id];
    const row: TableCell[] = [
      { text: `${nameOf(cur, id, id)}${MEASURE_SUFFIX[now?.measure ?? ''] ?? ''}` },
      cell(now),
      cell(input.figures.previous[id]),
      changeCell(now, input.figures.previous[id]),
    ];
    if (!isYear && input.lastYearPeriod) {
      row.push(cell(input.figures.lastYear?.[id]), changeCell(now, input.figures.lastYear?.[id]));
    }
    return row;
  });
  return { type: 'table', caption: `表1  ${input.unit.name}主要人口指标`, header, rows };
}

function childTable(input: WorkReportInput): Block {
  const cur = input.figures.current;
  const level = input.children[0]?.unit.level === 'township' ? '乡镇（街道）' : '村（社区）';
  const header = [
    level,
    ...CHILD_TABLE_INDICATORS.map(
      (id) => `${nameOf(cur, id, id)}${MEASURE_SUFFIX[cur[id]?.measure ?? ''] ?? ''}`,
    ),
  ];
  const rows: TableCell[][] = input.children.map((child) => [
    { text: child.unit.name },
    ...CHILD_TABLE_INDICATORS.map((id) => cell(child.figures[id])),
  ]);
  rows.push([{ text: '合计' }, ...CHILD_TABLE_INDICATORS.map((id) => cell(cur[id]))]);
  return {
    type: 'table',
    caption: `表2  ${input.period.label['zh-CN']}各${level === '村（社区）' ? '村（社区）' : '乡镇（街道）'}主要指标`,
    header,
    rows,
    totalRow: true,
    note: '常住人口为期末数；出生率、死亡率、自然增长率以平均常住人口为分母；性别比为每 100 名女婴对应的男婴数。',
  };
}

function values(list: (Figure | undefined)[]): (number | null)[] {
  return list.map((figure) => figure?.value ?? null);
}

function trendChart(input: WorkReportInput): Block {
  const months = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
  const series = input.monthly.flatMap((m) => [
    { name: `${m.year}年出生`, type: 'line', data: values(m.births), smooth: false, symbolSize: 6 },
    {
      name: `${m.year}年死亡`,
      type: 'line',
      data: values(m.deaths),
      lineStyle: { type: 'dashed' },
      symbolSize: 6,
    },
  ]);
  return {
    type: 'chart',
    id: 'trend',
    caption: `图1  ${input.unit.name}逐月出生、死亡人数`,
    option: {
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: '人' },
      series,
    },
  };
}

function childChart(input: WorkReportInput): Block {
  const names = input.children.map((c) => c.unit.name);
  return {
    type: 'chart',
    id: 'townships',
    caption: `图2  ${input.period.label['zh-CN']}各单位出生率与死亡率（‰）`,
    option: {
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 70 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: 'value', name: '‰' },
      series: [
        {
          name: '出生率',
          type: 'bar',
          data: input.children.map((c) => c.figures.crude_birth_rate?.value ?? null),
        },
        {
          name: '死亡率',
          type: 'bar',
          data: input.children.map((c) => c.figures.crude_death_rate?.value ?? null),
        },
      ],
    },
  };
}

function pyramidChart(input: WorkReportInput): Block {
  const labels = input.pyramid.map((band) => band.label);
  return {
    type: 'chart',
    id: 'pyramid',
    caption: `图${input.children.length > 0 ? 3 : 2}  ${input.unit.name}常住人口年龄金字塔（期末）`,
    option: {
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'value', axisLabel: { formatter: '{value}' } },
      yAxis: { type: 'category', data: labels, axisTick: { show: false } },
      series: [
        {
          name: '男',
          type: 'bar',
          stack: 'pyramid',
          data: input.pyramid.map((band) => (band.male.value === null ? null : -band.male.value)),
        },
        {
          name: '女',
          type: 'bar',
          stack: 'pyramid',
          data: input.pyramid.map((band) => band.female.value),
        },
      ],
    },
  };
}
