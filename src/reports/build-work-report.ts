import type { ActivityKind } from '../db/tables/reports.ts';
import { type Lang, type Text, text } from '../domain/i18n.ts';
import { type Figure, type FigureSet, formatFigure, formatNumber, NO_DATA } from './figures.ts';
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
const ENGLISH_ORDINALS = [
  'First',
  'Second',
  'Third',
  'Fourth',
  'Fifth',
  'Sixth',
  'Seventh',
  'Eighth',
  'Ninth',
  'Tenth',
];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The suffixes of unit names, longest first, with the scope word each gives in either language. */
const SCOPES: [string, string, string][] = [
  ['自治县', '全县', 'the county'],
  ['街道', '全街道', 'the subdistrict'],
  ['社区', '全社区', 'the community'],
  ['市', '全市', 'the city'],
  ['县', '全县', 'the county'],
  ['区', '全区', 'the district'],
  ['旗', '全旗', 'the banner'],
  ['镇', '全镇', 'the town'],
  ['乡', '全乡', 'the township'],
  ['村', '全村', 'the village'],
  ['省', '全省', 'the province'],
];

/** 全市 / 全县 / 全区 / 全镇 … (or "the city", "the county" … in English) from the unit's name. */
export function scopeWord(unit: ReportUnit, lang: Lang = 'zh-CN'): string {
  for (const [suffix, zh, en] of SCOPES) if (unit.name.endsWith(suffix)) return lang === 'en' ? en : zh;
  return lang === 'en' ? 'the area' : '全域';
}

/** 2025年12月31日, or 31 December 2025. */
export function formatDate(date: string, lang: Lang = 'zh-CN'): string {
  const [y, m, d] = date.split('-').map(Number);
  if (lang === 'en') return `${d} ${MONTH_NAMES_EN[m! - 1]} ${y}`;
  return `${y}年${m}月${d}日`;
}

const NOT_AVAILABLE = 'not available';

/** A figure in running text; missing, 无数据 — in English "not available" (a sentence "… was no data" does not read). */
function f(figure: Figure | undefined, lang: Lang): Inline {
  if (!figure) return lang === 'en' ? NOT_AVAILABLE : NO_DATA[lang];
  if (figure.value === null && lang === 'en') return { figure, text: NOT_AVAILABLE };
  return { figure, text: formatFigure(figure, lang) };
}

/**
 * "增加 1,234 人" / "下降 0.30 个千分点" / "持平" (in English "increased by 1,234 people (+0.7%)" /
 * "fell by 0.30 per-mille points" / "was unchanged"), from two figures; null when either has no data.
 */
function change(
  now: Figure | undefined,
  before: Figure | undefined,
  noun: string,
  lang: Lang,
): string | null {
  if (!now || !before || now.value === null || before.value === null) return null;
  const delta = now.value - before.value;
  const rounded = Number(delta.toFixed(now.measure === 'count' ? 0 : 2));
  const en = lang === 'en';
  if (rounded === 0) return en ? 'was unchanged' : '持平';
  const up = rounded > 0;
  const amount = formatNumber(Math.abs(rounded), now.measure, lang);
  if (now.measure === 'count') {
    const share = `${up ? '+' : '−'}${((Math.abs(delta) / before.value) * 100).toFixed(1)}%`;
    if (en) {
      const pct = before.value !== 0 ? ` (${share})` : '';
      return `${up ? 'increased' : 'decreased'} by ${amount}${noun ? ` ${noun}` : ''}${pct}`;
    }
    const pct = before.value !== 0 ? `（${share}）` : '';
    return `${up ? '增加' : '减少'} ${amount} ${noun}${pct}`;
  }
  if (en) {
    const points =
      now.measure === 'permille'
        ? ' per-mille points'
        : now.measure === 'percent'
          ? ' percentage points'
          : '';
    return `${up ? 'rose' : 'fell'} by ${amount}${points}`;
  }
  if (now.measure === 'permille') return `${up ? '上升' : '下降'} ${amount} 个千分点`;
  if (now.measure === 'percent') return `${up ? '上升' : '下降'} ${amount} 个百分点`;
  return `${up ? '上升' : '下降'} ${amount}`;
}

function changeCell(now: Figure | undefined, before: Figure | undefined, lang: Lang): TableCell {
  if (!now || !before || now.value === null || before.value === null)
    return { text: NO_DATA[lang], numeric: true };
  const delta = now.value - before.value;
  const text = formatNumber(Math.abs(delta), now.measure, lang);
  if (Number(text.replaceAll(',', '')) === 0) return { text: '0', numeric: true };
  return { text: `${delta > 0 ? '+' : '−'}${text}`, numeric: true };
}

/** A table cell: the number alone (the column header carries ‰ or %), or 无数据 / no data. */
function cell(figure: Figure | undefined, lang: Lang): TableCell {
  if (!figure) return { text: NO_DATA[lang], numeric: true };
  return { text: formatNumber(figure.value, figure.measure, lang), figure, numeric: true };
}

function nameOf(set: FigureSet, id: string, fallback: string, lang: Lang): string {
  return set[id]?.name[lang] ?? fallback;
}

const MEASURE_SUFFIX: Record<Lang, Record<string, string>> = {
  'zh-CN': { permille: '（‰）', percent: '（%）' },
  en: { permille: ' (‰)', percent: ' (%)' },
};

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
 * target sheet it says 无目标. In English (`lang` en) the words change and nothing else: the same
 * Figure objects, the same blocks and tables; unit names and quoted activity descriptions stay as
 * the registry holds them (the org table has no English names).
 */
export function buildWorkReport(input: WorkReportInput, lang: Lang = 'zh-CN'): ReportDocument {
  const { unit, period, figures } = input;
  const en = lang === 'en';
  const t = (zh: string, english: string) => (en ? english : zh);
  const scope = scopeWord(unit, lang);
  const label = period.label[lang];
  const isYear = period.type === 'year';
  const cur = figures.current;
  const prev = figures.previous;
  const blocks: Block[] = [];
  const fig = (figure: Figure | undefined) => f(figure, lang);
  const date = (d: string) => formatDate(d, lang);
  const heading = (level: 1 | 2, text: string) => blocks.push({ type: 'heading', level, text });
  const paragraph = (...parts: (Inline | null | false | undefined)[]) =>
    blocks.push({ type: 'paragraph', parts: dropUnitsAfterNoData(parts.filter((p): p is Inline => !!p)) });
  const numbered = (index: number, text: string) =>
    en ? `(${index + 1}) ${text}` : `（${CHINESE_NUMERALS[index] ?? index + 1}）${text}`;
  const showTfr = isYear && cur.total_fertility_rate?.value !== null && cur.total_fertility_rate;

  // 一、基本情况
  heading(1, t('一、基本情况', '1. Overview'));
  const clause = (id: string, zh: string, english: string, more: Partial<OverviewClause> = {}) => ({
    figure: cur[id],
    name: text(zh, english),
    ...more,
  });
  const persons = { zhUnit: ' 人' };
  const overview: OverviewSentence[] = [
    {
      lead: t(`截至${date(period.end)}，`, `As of ${date(period.end)}, `),
      scope: t(scope, `of ${scope}`),
      zhSeparator: '，',
      groups: [
        {
          zhJoin: '，',
          clauses: [
            clause('resident_population', '常住人口', 'the resident population', persons),
            clause('registered_population', '户籍人口', 'the registered population', persons),
          ],
        },
        {
          lead: text('其中', 'of these, '),
          zhJoin: '、',
          clauses: [
            clause('outflow_population', '流出人口', 'the outflow population', persons),
            clause('inflow_population', '流入人口', 'the inflow population', persons),
          ],
        },
      ],
    },
    {
      lead: t(label, `In ${label}, `),
      scope: t(scope, `in ${scope}`),
      zhSeparator: '；',
      groups: [
        {
          zhJoin: '；',
          clauses: [
            clause('births', '出生人数', 'the number of births', {
              ...persons,
              zhInSentence: '出生',
              rate: clause('crude_birth_rate', '出生率', 'the crude birth rate', {
                enInBrackets: 'crude birth rate',
              }),
            }),
            clause('deaths', '死亡人数', 'the number of deaths', {
              ...persons,
              zhInSentence: '死亡',
              rate: clause('crude_death_rate', '死亡率', 'the crude death rate', {
                enInBrackets: 'crude death rate',
              }),
            }),
          ],
        },
        {
          zhJoin: '；',
          clauses: [clause('natural_increase_rate', '人口自然增长率', 'the natural increase rate')],
        },
      ],
    },
    {
      lead: '',
      scope: null,
      zhSeparator: '，',
      groups: [
        {
          zhJoin: '，',
          enLastJoin: ', and ',
          clauses: [
            clause('sex_ratio_at_birth', '出生人口性别比', 'the sex ratio at birth', {
              after: srbInterval(cur.sex_ratio_at_birth, lang),
            }),
            // The TFR is printed for a year, and left out (not listed as missing) without data.
            ...(showTfr ? [clause('total_fertility_rate', '总和生育率', 'the total fertility rate')] : []),
          ],
        },
      ],
    },
  ];
  paragraph(
    ...overview.flatMap((sentence, i) => [
      ...(en && i > 0 ? [' '] : []),
      ...overviewSentence(sentence, lang),
    ]),
  );
  const previousLabel = input.previousPeriod.label[lang];
  const lastYearLabel = input.lastYearPeriod?.label[lang] ?? '';
  const comparisons: [string, FigureSet | null, string][] = isYear
    ? [[t('与上年相比', `Compared with ${previousLabel}`), prev, previousLabel]]
    : [
        [
          t(`与上期（${previousLabel}）相比`, `Compared with the previous period (${previousLabel})`),
          prev,
          previousLabel,
        ],
        [
          t(
            `与上年同期（${lastYearLabel}）相比`,
            `Compared with the same period a year earlier (${lastYearLabel})`,
          ),
          figures.lastYear,
          lastYearLabel,
        ],
      ];
  for (const [lead, before, earlier] of comparisons) {
    const pieces = [
      [
        t('常住人口', 'the resident population '),
        change(cur.resident_population, before?.resident_population, t('人', 'people'), lang),
      ],
      [t('出生人数', 'births '), change(cur.births, before?.births, t('人', ''), lang)],
      [
        t('出生率', 'the crude birth rate '),
        change(cur.crude_birth_rate, before?.crude_birth_rate, '', lang),
      ],
      [t('死亡人数', 'deaths '), change(cur.deaths, before?.deaths, t('人', ''), lang)],
      [
        t('自然增长率', 'the natural increase rate '),
        change(cur.natural_increase_rate, before?.natural_increase_rate, '', lang),
      ],
    ].filter((piece): piece is [string, string] => piece[1] !== null);
    if (pieces.length === 0)
      paragraph(
        t(
          `${lead}：${earlier}无数据，无法比较。`,
          `${lead}: ${earlier} has no data; no comparison can be made.`,
        ),
      );
    else
      paragraph(
        t(
          `${lead}，${pieces.map(([name, text]) => `${name}${text}`).join('，')}。`,
          `${lead}, ${listEn(pieces.map(([name, text]) => `${name}${text}`))}.`,
        ),
      );
  }

  blocks.push(basicTable(input, lang));
  if (input.children.length > 0) blocks.push(childTable(input, lang));
  blocks.push(trendChart(input, lang));
  if (input.children.length > 0) blocks.push(childChart(input, lang));
  blocks.push(pyramidChart(input, lang));

  // 二、主要工作
  heading(1, t('二、主要工作', '2. Main work'));
  const activeKinds = input.activities.byKind.filter((k) => (k.count.value ?? 0) > 0);
  if (activeKinds.length === 0) {
    paragraph(
      t(
        `${label}工作活动记录中没有登记的活动（无数据）。各单位可在 renkou 中登记开展的服务活动。`,
        `No activities were recorded in the activity log for ${label} (no data). Units can record the service activities they carry out in renkou.`,
      ),
    );
  }
  activeKinds.forEach((kind, index) => {
    const name = ACTIVITY_KIND_NAMES[kind.kind][lang];
    heading(2, numbered(index, name));
    const lines = input.activities.highlights.filter((line) => line.kind === kind.kind);
    const people = kind.peopleServed.value !== null;
    const materials = kind.materials.value !== null;
    if (en) {
      paragraph(
        `In ${label}, ${scope} carried out `,
        fig(kind.count),
        kind.count.value === 1 ? ' activity of this kind' : ' activities of this kind',
        people ? ', serving ' : null,
        people ? fig(kind.peopleServed) : null,
        people ? ' people' : null,
        materials ? (people ? ' and handing out ' : ', handing out ') : null,
        materials ? fig(kind.materials) : null,
        materials ? ' copies of materials' : null,
        '.',
        // The description is quoted as the staff member wrote it (it has no English version).
        ...lines.map(
          (line, i) =>
            `${i === 0 ? ' For example, on ' : 'on '}${date(line.date).replace(/ \d{4}$/, '')}, ${line.unitName}: “${line.description.replace(/[。.]$/, '')}”${line.peopleServed !== null ? ` (${formatNumber(line.peopleServed, 'count', lang)} people served)` : ''}${i === lines.length - 1 ? '.' : '; '}`,
        ),
      );
    } else {
      paragraph(
        `${label}${scope}共开展${name}活动 `,
        fig(kind.count),
        ' 次',
        people ? '，服务群众 ' : null,
        people ? fig(kind.peopleServed) : null,
        people ? ' 人次' : null,
        materials ? '，发放资料 ' : null,
        materials ? fig(kind.materials) : null,
        materials ? ' 份' : null,
        '。',
        ...lines.map(
          (line, i) =>
            `${i === 0 ? '如' : ''}${date(line.date).slice(5)}，${line.unitName}${line.description.replace(/[。.]$/, '')}${line.peopleServed !== null ? `（服务 ${formatNumber(line.peopleServed, 'count')} 人次）` : ''}${i === lines.length - 1 ? '。' : '；'}`,
        ),
      );
    }
  });

  // 三、存在的问题
  heading(1, t('三、存在的问题', '3. Problems'));
  let problemNo = 0;
  const problemHeading = (text: string) => heading(2, numbered(problemNo++, text));
  problemHeading(t('未达到目标的单位', 'Units below target'));
  if (input.targets.status === 'none') {
    paragraph(
      t(
        `${input.targets.year}年尚无目标管理责任书（无目标），本期不能对照目标评价各单位。`,
        `There is no target responsibility sheet for ${input.targets.year} (no targets), so units cannot be assessed against targets for this period.`,
      ),
    );
  } else {
    const groups = findLaggingUnits(input.targets.targets);
    if (groups.length === 0)
      paragraph(
        t(
          `${input.targets.year}年目标责任书中没有指标（无目标）。`,
          `The ${input.targets.year} target sheet has no indicators (no targets).`,
        ),
      );
    let allMet = true;
    for (const group of groups) {
      const name = group.target.name[lang];
      const target = formatTarget(group.target.target, group.target.actual.measure);
      if (group.lagging.length > 0) {
        allMet = false;
        const parts: Inline[] = [
          t(`${name}未达到目标（${target}）的有：`, `${name}: units below the target (${target}): `),
        ];
        group.lagging.forEach((lag, i) => {
          const last = i === group.lagging.length - 1;
          parts.push(
            t(`${lag.unit.name}（`, `${lag.unit.name} (`),
            fig(lag.actual),
            t(`）${last ? '。' : '、'}`, `)${last ? '.' : ', '}`),
          );
        });
        paragraph(...parts);
      }
      if (group.noData.length > 0) {
        const names = group.noData.map((u) => u.unit.name);
        paragraph(
          t(
            `${name}无数据、无法评价的有：${names.join('、')}。`,
            `${name}: no data, not assessed: ${names.join(', ')}.`,
          ),
        );
      }
    }
    if (groups.length > 0 && allMet)
      paragraph(t('各单位均达到目标责任书的目标。', 'Every unit met the targets of its target sheet.'));
  }

  problemHeading(t('数据质量', 'Data quality'));
  const tl = input.problems.timeliness;
  const worst = tl.children
    .filter((c) => c.figure.value !== null)
    .sort((a, b) => (a.figure.value ?? 0) - (b.figure.value ?? 0))
    .slice(0, 3);
  // Without a value the zh sentence ends "…暂无数据", not "…为 无数据".
  const timelinessKnown = tl.unit !== undefined && tl.unit.value !== null;
  paragraph(
    t(
      `${label}${scope}人口事件登记及时率（事件发生后 30 天内录入）${timelinessKnown ? '为 ' : ''}`,
      `In ${label}, the registration timeliness of population events in ${scope} (entered within 30 days of the event) was `,
    ),
    timelinessKnown || en ? fig(tl.unit) : tl.unit ? { figure: tl.unit, text: '暂无数据' } : '暂无数据',
    worst.length > 0 ? t('，较低的是', '; the lowest were ') : null,
    ...worst.flatMap((c, i): Inline[] => [
      t(`${c.unit.name}（`, `${c.unit.name} (`),
      fig(c.figure),
      t(`）${i === worst.length - 1 ? '' : '、'}`, `)${i === worst.length - 1 ? '' : ', '}`),
    ]),
    t('。', '.'),
  );
  if (input.problems.quality.status === 'none') {
    paragraph(
      t(
        '入库率、完整率、准确率尚无计算结果（无数据）。',
        'The entry, completeness and accuracy rates have not been computed yet (no data).',
      ),
    );
  } else if (input.problems.quality.findings.length === 0) {
    paragraph(t('数据质量检查未发现问题。', 'The data quality checks found no problems.'));
  } else {
    for (const finding of input.problems.quality.findings) {
      paragraph(`${finding.unit.name}${t('：', ': ')}${finding.text[lang]}`);
    }
  }

  problemHeading(t('出生漏报', 'Unregistered births'));
  const ub = input.problems.unregisteredBirths;
  if (!ub.feedsReceived) {
    paragraph(
      t(
        '尚未接收卫健部门出生医学证明数据，未开展出生漏报比对（无数据）。',
        'No birth-certificate data has been received from the health commission yet, so births have not been checked for missing registrations (no data).',
      ),
    );
  } else if (!ub.linked) {
    paragraph(
      t(
        '已接收出生医学证明数据，但尚未完成与登记库的比对，漏报出生情况暂无数据。',
        'Birth-certificate data has been received but not yet compared with the registry; there is no data on unregistered births yet.',
      ),
    );
  } else if ((ub.total.value ?? 0) === 0) {
    paragraph(
      t(
        `截至${date(input.reportDate)}，出生医学证明比对没有待核实的漏报出生。`,
        `As of ${date(input.reportDate)}, the comparison with birth certificates has left no unregistered births awaiting verification.`,
      ),
    );
  } else {
    paragraph(
      t(
        `截至${date(input.reportDate)}，经与出生医学证明比对，发现尚未登记的出生 `,
        `As of ${date(input.reportDate)}, the comparison with birth certificates had found `,
      ),
      fig(ub.total),
      t(' 例待核实登记', ' births not yet registered, awaiting verification'),
      ub.byUnit.length > 0 ? t('，其中', ', of which ') : null,
      ...ub.byUnit.flatMap((u, i): Inline[] => {
        const last = i === ub.byUnit.length - 1;
        return en
          ? [fig(u.count), ` in ${u.unit.name}${last ? '' : ', '}`]
          : [`${u.unit.name} `, fig(u.count), ` 例${last ? '' : '、'}`];
      }),
      t('。', '.'),
    );
  }

  // 四、下一步工作打算
  heading(1, t('四、下一步工作打算', '4. Plans for next year'));
  const outlook = input.projection;
  if (outlook) {
    // The years the rates come from, as the projection took them (fewer when the records begin later).
    const first = outlook.fromYears[0];
    const last = outlook.fromYears.at(-1);
    const years = first === last ? `${first}` : `${first}–${last}`;
    paragraph(
      t(
        `按${years}年的生育、死亡和迁移水平推算（队列要素法），到${outlook.toYear}年末${scope}常住人口约 `,
        `Projected from the fertility, mortality and migration of ${years} (cohort-component method), the resident population of ${scope} at the end of ${outlook.toYear} would be about `,
      ),
      fig(outlook.medium),
      t(' 人（低方案 ', ' (low variant '),
      fig(outlook.low),
      t(' 人，高方案 ', ', high variant '),
      fig(outlook.high),
      t(' 人），供编制人口发展规划参考。', '), a basis for population planning.'),
    );
  }
  const next = input.nextYear;
  if (!next.targets || next.targets.length === 0) {
    paragraph(
      t(
        `${next.year}年目标管理责任书尚未制定（无目标）。`,
        `The target responsibility sheet for ${next.year} has not been drawn up yet (no targets).`,
      ),
    );
  } else {
    paragraph(
      t(
        `${next.year}年主要目标：${next.targets.map((tg) => `${tg.name['zh-CN']}${formatTarget(tg.target, tg.measure)}`).join('；')}。`,
        `Main targets for ${next.year}: ${next.targets.map((tg) => `${tg.name.en} ${formatTarget(tg.target, tg.measure)}`).join('; ')}.`,
      ),
    );
  }
  let planNo = 0;
  const plan = (zh: string, english: string) => {
    const n = planNo++;
    paragraph(
      en ? `${ENGLISH_ORDINALS[n] ?? `${n + 1}.`}, ${english}` : `${CHINESE_NUMERALS[n] ?? planNo}是${zh}`,
    );
  };
  if (ub.linked && (ub.total.value ?? 0) > 0) {
    const n = formatNumber(ub.total.value, 'count', lang);
    plan(
      `督促有关单位逐例核实、登记出生医学证明比对发现的 ${n} 例漏报出生。`,
      `have the units concerned verify and register, one by one, the ${n} unregistered births found by the comparison with birth certificates.`,
    );
  }
  if (worst.length > 0) {
    plan(
      `提高${worst.map((w) => w.unit.name).join('、')}的人口事件登记及时率，做到事件发生后 30 天内录入。`,
      `raise the registration timeliness of population events in ${listEn(worst.map((w) => w.unit.name))}, entering every event within 30 days.`,
    );
  }
  if (input.targets.status === 'available') {
    const lagging = [
      ...new Set(findLaggingUnits(input.targets.targets).flatMap((g) => g.lagging.map((l) => l.unit.name))),
    ];
    if (lagging.length > 0)
      plan(
        `对${lagging.join('、')}加强指导，逐项分析未达目标的原因。`,
        `give closer guidance to ${listEn(lagging)}, analysing target by target why it was missed.`,
      );
  }
  for (const text of input.plans) paragraph(text);
  if (planNo === 0 && input.plans.length === 0)
    paragraph(t('（下一步工作安排由起草单位补充。）', '(Next steps to be added by the drafting unit.)'));

  const figuresUsed: Record<string, Figure> = {};
  const keep = (figure: Figure | undefined) => {
    if (figure) figuresUsed[figure.key] = figure;
  };
  for (const block of blocks) {
    if (block.type === 'paragraph')
      for (const part of block.parts) if (typeof part !== 'string') keep(part.figure);
    if (block.type === 'table') for (const row of block.rows) for (const c of row) keep(c.figure);
  }
  for (const series of input.monthly) for (const one of [...series.births, ...series.deaths]) keep(one);
  for (const band of input.pyramid) {
    keep(band.male);
    keep(band.female);
  }

  return {
    lang,
    title: t(
      `${unit.name}${label}人口监测与家庭发展工作情况汇报`,
      `${unit.name}: Report on Population Monitoring and Family Development Work, ${label}`,
    ),
    subtitle: t(
      `（数据截至${date(period.end)}，数据版本 ${input.dataVersion}）`,
      `(Data as of ${date(period.end)}, data version ${input.dataVersion})`,
    ),
    signature: { unit: unit.name, date: date(input.reportDate) },
    blocks,
    dataVersion: input.dataVersion,
    figures: figuresUsed,
  };
}

/** "a, b and c". */
function listEn(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** A figure of the overview (一、基本情况) as its sentence names it. */
interface OverviewClause {
  figure: Figure | undefined;
  /** Its name on its own, as a list of missing figures gives it: 出生人数 / the number of births. */
  name: Text;
  /** Its name beside its value in zh-CN, where that differs: 出生 (1,532 人). */
  zhInSentence?: string;
  /** The unit word after its value in zh-CN (" 人"). */
  zhUnit?: string;
  /** Its name in brackets after the figure it goes with, in English: (crude birth rate 8.21‰). */
  enInBrackets?: string;
  /** Printed after its value: the sex ratio's interval. */
  after?: string | null;
  /** The rate printed with it (出生 9 人，出生率 9.10‰ / 9 (crude birth rate 9.10‰)). */
  rate?: OverviewClause;
}

/** Clauses with a common joint: in English "a was 1, b 2 and c 3". */
interface OverviewGroup {
  clauses: OverviewClause[];
  /** Before the group when a group before it has figures: 其中 / of these. */
  lead?: Text;
  zhJoin: string;
  /** Before the last clause in English (" and " unless said). */
  enLastJoin?: string;
}

/** One sentence of the overview: its opening, the unit (全市 / of the city) and its clauses. */
interface OverviewSentence {
  lead: string;
  scope: string | null;
  /** Between groups, and before the figures that have no data, in zh-CN. */
  zhSeparator: string;
  groups: OverviewGroup[];
}

const hasValue = (figure: Figure | undefined): figure is Figure =>
  figure !== undefined && figure.value !== null;

/**
 * A sentence of the overview: the figures that have a value in their places, and those without
 * named together at its end — "死亡人数、死亡率暂无数据" / "the number of deaths and the crude death
 * rate were not available" — rather than "… was not available and … not available". A name stays
 * linked to its figure (with its trace), so the document's figure list keeps it.
 */
function overviewSentence(sentence: OverviewSentence, lang: Lang): Inline[] {
  const en = lang === 'en';
  const parts: Inline[] = [];
  const missing: OverviewClause[] = [];
  let shownAny = false;
  for (const group of sentence.groups) {
    const shown: OverviewClause[] = [];
    for (const clause of group.clauses) {
      if (hasValue(clause.figure)) shown.push(clause);
      else missing.push(clause);
      const rate = clause.rate;
      if (!rate) continue;
      if (!hasValue(rate.figure)) missing.push(rate);
      // A rate whose count has no data takes the count's place.
      else if (!hasValue(clause.figure)) shown.push(rate);
    }
    if (shown.length === 0) continue;
    if (shownAny) parts.push(en ? '; ' : sentence.zhSeparator, ...(group.lead ? [group.lead[lang]] : []));
    shown.forEach((clause, i) => {
      const first = !shownAny && i === 0;
      if (i > 0)
        parts.push(en ? (i < shown.length - 1 ? ', ' : (group.enLastJoin ?? ' and ')) : group.zhJoin);
      if (en)
        parts.push(
          `${clause.name.en}${first && sentence.scope ? ` ${sentence.scope}` : ''}${i === 0 ? ' was' : ''} `,
        );
      else
        parts.push(
          `${first && sentence.scope ? sentence.scope : ''}${clause.zhInSentence ?? clause.name['zh-CN']} `,
        );
      parts.push(f(clause.figure, lang));
      if (!en && clause.zhUnit) parts.push(clause.zhUnit);
      if (clause.after) parts.push(clause.after);
      const rate = clause.rate;
      if (rate && hasValue(clause.figure) && hasValue(rate.figure)) {
        if (en) parts.push(` (${rate.enInBrackets} `, f(rate.figure, lang), ')');
        else parts.push(`，${rate.name['zh-CN']} `, f(rate.figure, lang));
      }
    });
    shownAny = true;
  }
  if (missing.length > 0) {
    if (shownAny) parts.push(en ? '; ' : sentence.zhSeparator);
    else if (!en && sentence.scope) parts.push(sentence.scope);
    missing.forEach((clause, i) => {
      if (i > 0) parts.push(en ? (i < missing.length - 1 ? ', ' : ' and ') : '、');
      parts.push(clause.figure ? { figure: clause.figure, text: clause.name[lang] } : clause.name[lang]);
    });
    parts.push(
      en
        ? `${!shownAny && sentence.scope ? ` ${sentence.scope}` : ''} ${missing.length > 1 ? 'were' : 'was'} ${NOT_AVAILABLE}`
        : '暂无数据',
    );
  }
  if (en && !sentence.lead) parts[0] = capitalise(parts[0]!);
  return [...(sentence.lead ? [sentence.lead] : []), ...parts, en ? '.' : '。'];
}

function capitalise(part: Inline): Inline {
  const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return typeof part === 'string' ? upper(part) : { ...part, text: upper(part.text) };
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

function srbInterval(figure: Figure | undefined, lang: Lang): string | null {
  if (!figure || figure.value === null || !figure.interval) return null;
  const { lower, upper } = figure.interval;
  if (lower === null || upper === null) return null;
  const range = `${formatNumber(lower, 'ratio', lang)}–${formatNumber(upper, 'ratio', lang)}`;
  if (lang === 'en') {
    const small = figure.flags.length > 0 ? '; few births, for reference only' : '';
    return ` (95% confidence interval ${range}${small})`;
  }
  const small = figure.flags.length > 0 ? '，出生数较少，仅供参考' : '';
  return `（95% 置信区间 ${range}${small}）`;
}

function basicTable(input: WorkReportInput, lang: Lang): Block {
  const cur = input.figures.current;
  const isYear = input.period.type === 'year';
  const en = lang === 'en';
  const header = [
    en ? 'Indicator' : '指标',
    input.period.label[lang],
    input.previousPeriod.label[lang],
    en ? 'Change' : '增减',
  ];
  if (!isYear && input.lastYearPeriod)
    header.push(input.lastYearPeriod.label[lang], en ? 'Change on a year earlier' : '同比增减');
  const rows = BASIC_INDICATORS.map((id) => {
    const now = cur[id];
    const row: TableCell[] = [
      { text: `${nameOf(cur, id, id, lang)}${MEASURE_SUFFIX[lang][now?.measure ?? ''] ?? ''}` },
      cell(now, lang),
      cell(input.figures.previous[id], lang),
      changeCell(now, input.figures.previous[id], lang),
    ];
    if (!isYear && input.lastYearPeriod) {
      row.push(cell(input.figures.lastYear?.[id], lang), changeCell(now, input.figures.lastYear?.[id], lang));
    }
    return row;
  });
  return {
    type: 'table',
    caption: en
      ? `Table 1  Main population indicators of ${input.unit.name}`
      : `表1  ${input.unit.name}主要人口指标`,
    header,
    rows,
  };
}

function childTable(input: WorkReportInput, lang: Lang): Block {
  const cur = input.figures.current;
  const en = lang === 'en';
  const townships = input.children[0]?.unit.level === 'township';
  // In English the column says Township / Village; the caption says "(subdistrict)" / "(community)".
  const level = en ? (townships ? 'Township' : 'Village') : townships ? '乡镇（街道）' : '村（社区）';
  const header = [
    level,
    ...CHILD_TABLE_INDICATORS.map(
      (id) => `${nameOf(cur, id, id, lang)}${MEASURE_SUFFIX[lang][cur[id]?.measure ?? ''] ?? ''}`,
    ),
  ];
  const rows: TableCell[][] = input.children.map((child) => [
    { text: child.unit.name },
    ...CHILD_TABLE_INDICATORS.map((id) => cell(child.figures[id], lang)),
  ]);
  rows.push([{ text: en ? 'Total' : '合计' }, ...CHILD_TABLE_INDICATORS.map((id) => cell(cur[id], lang))]);
  return {
    type: 'table',
    caption: en
      ? `Table 2  Main indicators by ${townships ? 'township (subdistrict)' : 'village (community)'}, ${input.period.label.en}`
      : `表2  ${input.period.label['zh-CN']}各${level === '村（社区）' ? '村（社区）' : '乡镇（街道）'}主要指标`,
    header,
    rows,
    totalRow: true,
    note: en
      ? 'Resident population at the end of the period; crude birth, death and natural increase rates per 1,000 of the average resident population; the sex ratio at birth is the number of boys born per 100 girls.'
      : '常住人口为期末数；出生率、死亡率、自然增长率以平均常住人口为分母；性别比为每 100 名女婴对应的男婴数。',
  };
}

function values(list: (Figure | undefined)[]): (number | null)[] {
  return list.map((figure) => figure?.value ?? null);
}

function trendChart(input: WorkReportInput, lang: Lang): Block {
  const en = lang === 'en';
  const months = en ? MONTHS_EN : Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
  const series = input.monthly.flatMap((m) => [
    {
      name: en ? `${m.year} births` : `${m.year}年出生`,
      type: 'line',
      data: values(m.births),
      smooth: false,
      symbolSize: 6,
    },
    {
      name: en ? `${m.year} deaths` : `${m.year}年死亡`,
      type: 'line',
      data: values(m.deaths),
      lineStyle: { type: 'dashed' },
      symbolSize: 6,
    },
  ]);
  return {
    type: 'chart',
    id: 'trend',
    caption: en
      ? `Figure 1  Births and deaths by month, ${input.unit.name}`
      : `图1  ${input.unit.name}逐月出生、死亡人数`,
    option: {
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: en ? 'persons' : '人' },
      series,
    },
  };
}

function childChart(input: WorkReportInput, lang: Lang): Block {
  const en = lang === 'en';
  const names = input.children.map((c) => c.unit.name);
  return {
    type: 'chart',
    id: 'townships',
    caption: en
      ? `Figure 2  Crude birth and death rates by unit, ${input.period.label.en} (‰)`
      : `图2  ${input.period.label['zh-CN']}各单位出生率与死亡率（‰）`,
    option: {
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 70 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: 'value', name: '‰' },
      series: [
        {
          name: en ? 'Crude birth rate' : '出生率',
          type: 'bar',
          data: input.children.map((c) => c.figures.crude_birth_rate?.value ?? null),
        },
        {
          name: en ? 'Crude death rate' : '死亡率',
          type: 'bar',
          data: input.children.map((c) => c.figures.crude_death_rate?.value ?? null),
        },
      ],
    },
  };
}

function pyramidChart(input: WorkReportInput, lang: Lang): Block {
  const en = lang === 'en';
  const labels = input.pyramid.map((band) => band.label);
  const number = input.children.length > 0 ? 3 : 2;
  return {
    type: 'chart',
    id: 'pyramid',
    caption: en
      ? `Figure ${number}  Age pyramid of the resident population of ${input.unit.name} (end of period)`
      : `图${number}  ${input.unit.name}常住人口年龄金字塔（期末）`,
    option: {
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'value', axisLabel: { formatter: '{value}' } },
      yAxis: { type: 'category', data: labels, axisTick: { show: false } },
      series: [
        {
          name: en ? 'Male' : '男',
          type: 'bar',
          stack: 'pyramid',
          data: input.pyramid.map((band) => (band.male.value === null ? null : -band.male.value)),
        },
        {
          name: en ? 'Female' : '女',
          type: 'bar',
          stack: 'pyramid',
          data: input.pyramid.map((band) => band.female.value),
        },
      ],
    },
  };
}
