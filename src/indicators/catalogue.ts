import type { EventKind } from '../db/schema.ts';
import { type Text, text } from '../domain/i18n.ts';
import type { PeriodType } from '../domain/period.ts';
import type { PopulationBasis } from '../registry/queries/population.ts';
import type { QualityMeasure } from './quality-cube.ts';
import type { ServiceCount } from './service-counts.ts';

/**
 * The indicator catalogue: data, not one function per indicator. Each entry names its numerator
 * and denominator as measures over the registry; the engine (engine.ts) evaluates any entry for
 * any unit, period and breakdown. Only service and statistics indicators exist here (DESIGN.md,
 * Scope): nothing about birth permits, "policy compliance" or contraceptive measures.
 */

export interface MeasureFilter {
  sex?: 'male' | 'female';
  /** Ages [min, max] in completed years (max inclusive, absent = no upper bound). For births: the mother's age. */
  ages?: readonly [number, number?];
  /** Birth order: 1, 2 or 3 (3 = third and higher). */
  order?: 1 | 2 | 3;
}

export type Measure =
  /**
   * Events of a kind whose event date falls in the period, where they count (the village of
   * residence): every one the registry recorded, of whatever residence type.
   */
  | { events: EventKind; filter?: MeasureFilter }
  /**
   * Births or deaths of the resident population only: those whose person (for a baby without a
   * residence of its own that day, its mother) lived here on the event date, by the rule of
   * registry/queries/event-residence.ts. The numerators of rates over resident population, so both
   * count the same people: a birth to an outflow migrant living elsewhere is in neither.
   */
  | { events: 'birth' | 'death'; basis: 'resident'; filter?: MeasureFilter }
  /** Average population over the period: (population at the end of the day before it starts + at its end) / 2. */
  | { averagePopulation: PopulationBasis; filter?: MeasureFilter }
  /** Population at the end of the period's last day. */
  | { population: PopulationBasis; filter?: MeasureFilter }
  /** Events entered (by report date) in the period; `timely`: only those entered within 30 days of the event. */
  | { entered: 'all' | 'timely' }
  /** A data-quality count (quality-cube.ts): department records linked/known, complete/all person records, audited fields. */
  | { quality: QualityMeasure }
  /**
   * A family health-service coverage count (service-counts.ts): the part of a registry denominator
   * that received the service, or a denominator only the service counts have (the persons
   * marrying). Kept by sex: `filter.sex` only (an indicator over them declares no other breakdown).
   */
  | { services: ServiceCount; filter?: Pick<MeasureFilter, 'sex'> };

export type IndicatorUnit = 'permille' | 'percent' | 'ratio' | 'count' | 'years' | 'children_per_woman';
export type Disaggregation = 'sex' | 'ageGroup' | 'residenceType' | 'birthOrder';
export type OrgLevelName = 'province' | 'prefecture' | 'county' | 'township' | 'village';

export interface IndicatorDefinition {
  id: string;
  name: Text;
  description: Text;
  unit: IndicatorUnit;
  /** numerator + add − subtract, when given (total dependency, natural increase). */
  numerator: Measure;
  add?: Measure;
  subtract?: Measure;
  denominator?: Measure;
  /** Per 1,000 for ‰, 100 for %, 1 for ratios and counts. */
  multiplier: number;
  /**
   * How the uncertainty is computed: poisson (a rate over person-time), binomial (a share),
   * sexRatio, or none (exact counts); special computations have their own.
   */
  interval: 'poisson' | 'binomial' | 'sexRatio' | 'none';
  /** Rates over part of a year are annualised: exposure = average population × days / days in year. */
  annualise?: boolean;
  /** Computed by a demographic method instead of numerator/denominator. */
  method?: 'tfr' | 'lifeExpectancy' | 'sexRatioAtBirth' | 'auditAccuracy';
  disaggregations: readonly Disaggregation[];
  periodTypes: readonly PeriodType[];
  levels: readonly OrgLevelName[];
  /** A lower figure is better (deaths) or a higher (timeliness); neither for plain statistics. */
  direction?: 'higher' | 'lower';
}

const ALL_LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;
const RATE_PERIODS = ['year', 'half', 'quarter', 'month'] as const;
const STOCK_PERIODS = ['year', 'half', 'quarter', 'month', 'day'] as const;

const resident = { averagePopulation: 'resident' } as const;
/** Births and deaths of the resident population: the numerators of the rates over it. */
const residentBirths = { events: 'birth', basis: 'resident' } as const;
const residentDeaths = { events: 'death', basis: 'resident' } as const;

function stock(
  id: string,
  zh: string,
  en: string,
  basis: PopulationBasis,
  descZh: string,
  descEn: string,
): IndicatorDefinition {
  return {
    id,
    name: text(zh, en),
    description: text(descZh, descEn),
    unit: 'count',
    numerator: { population: basis },
    multiplier: 1,
    interval: 'none',
    disaggregations: ['sex', 'ageGroup'],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
  };
}

function share(
  id: string,
  zh: string,
  en: string,
  min: number,
  max: number | undefined,
): IndicatorDefinition {
  return {
    id,
    name: text(zh, en),
    description: text(
      `期末常住人口中 ${zh.replace('人口占比', '')} 人口所占百分比`,
      `Share of the resident population aged ${en.replace(/^Share aged /, '')} at the end of the period`,
    ),
    unit: 'percent',
    numerator: { population: 'resident', filter: { ages: max === undefined ? [min] : [min, max] } },
    denominator: { population: 'resident' },
    multiplier: 100,
    interval: 'binomial',
    disaggregations: ['sex'],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
  };
}

/**
 * Coverage of voluntary family health services (issue 11): each numerator is the part of its
 * denominator that received the service (service-counts.ts says exactly which records count):
 * births of the resident population, as the rates over it count them, so a visit recorded for an
 * outflow migrant's child living elsewhere is in neither; the persons marrying (the premarital
 * check, per person as the official statistics count it) or the couples (the pre-pregnancy check,
 * per couple as its official coverage counts it) of every registered marriage; resident women at
 * the year end. Figures only: person-level service records are for health-service roles.
 */
function coverage(
  id: string,
  zh: string,
  en: string,
  numerator: Measure,
  denominator: Measure,
  descZh: string,
  descEn: string,
  options: { periodTypes?: readonly PeriodType[]; disaggregations?: readonly Disaggregation[] } = {},
): IndicatorDefinition {
  return {
    id,
    name: text(zh, en),
    description: text(descZh, descEn),
    unit: 'percent',
    numerator,
    denominator,
    multiplier: 100,
    interval: 'binomial',
    disaggregations: options.disaggregations ?? [],
    periodTypes: options.periodTypes ?? RATE_PERIODS,
    levels: ALL_LEVELS,
    direction: 'higher',
  };
}

const SERVICE_COVERAGE: readonly IndicatorDefinition[] = [
  coverage(
    'premarital_check_rate',
    '婚前医学检查率',
    'Premarital check rate',
    { services: 'premarital_checked_persons' },
    { services: 'marrying_persons' },
    '期内登记结婚的人中，本人在结婚前 365 天内做过婚前医学检查的百分比：按人计，夫妻双方各算一人（妇幼卫生统计的口径：婚前医学检查人数 ÷ 结婚登记人数）；可按性别分列（男性、女性婚前医学检查率）。配偶为外地人员、本库只记其姓名和身份号码的，分子分母都不计',
    'Of the persons who married in the period, the share who had a premarital check themselves in the 365 days before the marriage: per person, each spouse one (as the maternal and child health statistics count it: persons checked ÷ persons registering their marriage); by sex on request (the male and female rates). A spouse from elsewhere, recorded by name and ID number only, is in neither numerator nor denominator',
    { disaggregations: ['sex'] },
  ),
  coverage(
    'prepregnancy_check_coverage',
    '孕前优生健康检查覆盖率',
    'Pre-pregnancy check coverage',
    { services: 'prepregnancy_checked' },
    { events: 'marriage' },
    '期内结婚的夫妇中，至少一方在结婚前后 365 天内做过孕前优生健康检查的百分比。按对计：孕前优生健康检查以计划怀孕夫妇为对象，其目标人群覆盖率按夫妇对数统计',
    'Of the couples married in the period, the share where either spouse had a pre-pregnancy check within 365 days of the marriage. Per couple: the check is for couples planning a pregnancy, and its official coverage counts couples',
  ),
  coverage(
    'postpartum_visit_rate',
    '产后访视率',
    'Postpartum visit rate',
    { services: 'postpartum_visited' },
    residentBirths,
    '期内常住人口的活产中，母亲在产后 28 天内接受过访视的百分比。分子分母同一口径（即“出生人数”）：户籍在本地、居住在外地的流出人口所生不计，即使有访视记录',
    'Of the live births of the resident population in the period ("Live births"), the share whose mother was visited within 28 days of the birth. Numerator and denominator on one basis: births to outflow migrants living elsewhere are in neither, even with a visit recorded',
  ),
  coverage(
    'newborn_screening_rate',
    '新生儿疾病筛查率',
    'Newborn screening rate',
    { services: 'newborn_screened' },
    residentBirths,
    '期内常住人口的活产中（即“出生人数”），做过新生儿疾病筛查的百分比；流出人口在外地所生不计，即使有筛查记录',
    'Of the live births of the resident population in the period ("Live births"), the share screened as newborns; births to outflow migrants living elsewhere are left out, even with a screening recorded',
  ),
  coverage(
    'women_screening_coverage_35_64',
    '35–64 岁妇女两癌筛查覆盖率',
    'Cervical/breast screening coverage, women 35–64',
    { services: 'women_screened_35_64' },
    { population: 'resident', filter: { sex: 'female', ages: [35, 64] } },
    '年末 35–64 岁常住妇女中，当年做过宫颈癌或乳腺癌筛查的百分比（按年末居住地统计，每人一次）',
    'Of the resident women aged 35–64 at the end of the year, the share screened for cervical or breast cancer in the year (counted where they live at the year end, each once)',
    { periodTypes: ['year'] },
  ),
];

export const CATALOGUE: readonly IndicatorDefinition[] = [
  stock(
    'resident_population',
    '常住人口',
    'Resident population',
    'resident',
    '期末居住在本地的人口（户籍在本地且居住在本地、流入人口及户口待定者）',
    'Persons living here at the end of the period (registered residents, inflow migrants, unsettled hukou)',
  ),
  stock(
    'registered_population',
    '户籍人口',
    'Registered population',
    'registered',
    '期末户籍在本地的人口（含流出人口）',
    'Persons whose hukou is here at the end of the period (outflow migrants included)',
  ),
  stock(
    'inflow_population',
    '流入人口',
    'Inflow population',
    'inflow',
    '期末户籍在外地、居住在本地的人口',
    'Persons living here with hukou elsewhere at the end of the period',
  ),
  stock(
    'outflow_population',
    '流出人口',
    'Outflow population',
    'outflow',
    '期末户籍在本地、居住在外地的人口',
    'Persons with hukou here living elsewhere at the end of the period',
  ),
  {
    id: 'births',
    name: text('出生人数', 'Live births'),
    description: text(
      '期内常住人口的活产数：出生之日婴儿（尚无居住记录的看母亲）居住在本地；户籍在本地、居住在外地的流出人口所生不计（登记的全部出生见“登记出生数”）。即出生率的分子',
      'Live births of the resident population in the period: the baby (without a residence of its own yet, its mother) lived here on the birth date; births to outflow migrants living elsewhere are left out (every birth recorded: "Births recorded"). The numerator of the crude birth rate',
    ),
    unit: 'count',
    numerator: residentBirths,
    multiplier: 1,
    interval: 'none',
    disaggregations: ['sex', 'birthOrder'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'deaths',
    name: text('死亡人数', 'Deaths'),
    description: text(
      '期内常住人口的死亡人数：死亡之日居住在本地；流出人口在外地死亡不计（登记的全部死亡见“登记死亡数”）。即死亡率的分子',
      'Deaths of the resident population in the period: the person lived here on the day of death; deaths of outflow migrants living elsewhere are left out (every death recorded: "Deaths recorded"). The numerator of the crude death rate',
    ),
    unit: 'count',
    numerator: residentDeaths,
    multiplier: 1,
    interval: 'none',
    disaggregations: ['sex', 'ageGroup'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'births_recorded',
    name: text('登记出生数（含流出人口）', 'Births recorded (outflow included)'),
    description: text(
      '期内在本单位登记的全部活产，含户籍在本地、居住在外地的流出人口所生：登记工作的数字，不是出生率的分子（出生率只计常住人口的出生，见“出生人数”）',
      'Every live birth recorded in the unit in the period, births to outflow migrants living elsewhere included: a figure of the registration work, not the numerator of the birth rate (which counts births of the resident population only: "Live births")',
    ),
    unit: 'count',
    numerator: { events: 'birth' },
    multiplier: 1,
    interval: 'none',
    disaggregations: ['sex', 'birthOrder'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'deaths_recorded',
    name: text('登记死亡数（含流出人口）', 'Deaths recorded (outflow included)'),
    description: text(
      '期内在本单位登记的全部死亡，含流出人口在外地的死亡：登记工作的数字，不是死亡率的分子（见“死亡人数”）',
      'Every death recorded in the unit in the period, deaths of outflow migrants living elsewhere included: a figure of the registration work, not the numerator of the death rate ("Deaths")',
    ),
    unit: 'count',
    numerator: { events: 'death' },
    multiplier: 1,
    interval: 'none',
    disaggregations: ['sex', 'ageGroup'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'marriages',
    name: text('结婚对数', 'Marriages'),
    description: text('期内登记的结婚', 'Marriages registered in the period'),
    unit: 'count',
    numerator: { events: 'marriage' },
    multiplier: 1,
    interval: 'none',
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'crude_birth_rate',
    name: text('出生率', 'Crude birth rate'),
    description: text(
      '常住人口的出生人数 ÷ 平均常住人口 × 1000（平均人口 =（期初 + 期末）÷ 2；不足一年的按年折算；流出人口在外地所生不计，与分母同一口径）',
      'Live births of the resident population per 1,000 average resident population (average = (start + end) / 2; annualised for parts of a year; births to outflow migrants living elsewhere are left out, as they are from the denominator)',
    ),
    unit: 'permille',
    numerator: residentBirths,
    denominator: resident,
    multiplier: 1000,
    interval: 'poisson',
    annualise: true,
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'crude_death_rate',
    name: text('死亡率', 'Crude death rate'),
    description: text(
      '常住人口的死亡人数 ÷ 平均常住人口 × 1000（流出人口在外地死亡不计）',
      'Deaths of the resident population per 1,000 average resident population (deaths of outflow migrants living elsewhere left out)',
    ),
    unit: 'permille',
    numerator: residentDeaths,
    denominator: resident,
    multiplier: 1000,
    interval: 'poisson',
    annualise: true,
    disaggregations: ['sex'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'natural_increase_rate',
    name: text('自然增长率', 'Natural increase rate'),
    description: text(
      '（常住人口的出生 − 死亡）÷ 平均常住人口 × 1000',
      '(Births − deaths of the resident population) per 1,000 average resident population',
    ),
    unit: 'permille',
    numerator: residentBirths,
    subtract: residentDeaths,
    denominator: resident,
    multiplier: 1000,
    interval: 'none',
    annualise: true,
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'sex_ratio_at_birth',
    name: text('出生人口性别比', 'Sex ratio at birth'),
    description: text(
      '常住人口出生的男婴数 × 100 ÷ 女婴数，附 95% 置信区间',
      'Male × 100 / female live births of the resident population, with a 95% interval',
    ),
    unit: 'ratio',
    numerator: { ...residentBirths, filter: { sex: 'male' } },
    denominator: { ...residentBirths, filter: { sex: 'female' } },
    multiplier: 100,
    interval: 'sexRatio',
    method: 'sexRatioAtBirth',
    disaggregations: ['birthOrder'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'general_fertility_rate',
    name: text('一般生育率', 'General fertility rate'),
    description: text(
      '常住人口的出生人数 ÷ 15–49 岁平均常住妇女人数 × 1000',
      'Live births of the resident population per 1,000 average resident women aged 15–49',
    ),
    unit: 'permille',
    numerator: residentBirths,
    denominator: { averagePopulation: 'resident', filter: { sex: 'female', ages: [15, 49] } },
    multiplier: 1000,
    interval: 'poisson',
    annualise: true,
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'age_specific_fertility_rate',
    name: text('年龄别生育率', 'Age-specific fertility rate'),
    description: text(
      '常住人口中某年龄组妇女所生孩子数 ÷ 该组平均常住妇女人数 × 1000（按 5 岁组分列）',
      'Resident births to women of an age group per 1,000 average resident women in the group (by 5-year group)',
    ),
    unit: 'permille',
    numerator: { ...residentBirths, filter: { ages: [15, 49] } },
    denominator: { averagePopulation: 'resident', filter: { sex: 'female', ages: [15, 49] } },
    multiplier: 1000,
    interval: 'poisson',
    annualise: true,
    disaggregations: ['ageGroup'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'total_fertility_rate',
    name: text('总和生育率', 'Total fertility rate'),
    description: text(
      '5 × 15–49 岁各 5 岁组年龄别生育率之和（常住人口的出生与常住妇女）',
      '5 × the sum of age-specific fertility rates of the 5-year groups 15–49 (births and women of the resident population)',
    ),
    unit: 'children_per_woman',
    // What the TFR is made of (countFertilityGroups): births to mothers aged 15–49.
    numerator: { ...residentBirths, filter: { ages: [15, 49] } },
    denominator: { averagePopulation: 'resident', filter: { sex: 'female', ages: [15, 49] } },
    multiplier: 1,
    interval: 'poisson',
    method: 'tfr',
    annualise: true,
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
  },
  ...([1, 2, 3] as const).map(
    (order): IndicatorDefinition => ({
      id: `birth_order_${order}_share`,
      name: text(
        `${['一', '二', '三'][order - 1]}孩${order === 3 ? '及以上' : ''}占比`,
        `Share of ${['first', 'second', 'third and higher'][order - 1]} births`,
      ),
      description: text(
        `常住人口的出生中，第 ${order} ${order === 3 ? '及以上' : ''}孩所占百分比`,
        `Births of order ${order}${order === 3 ? '+' : ''} as a share of all live births of the resident population`,
      ),
      unit: 'percent',
      numerator: { ...residentBirths, filter: { order } },
      denominator: residentBirths,
      multiplier: 100,
      interval: 'binomial',
      disaggregations: [],
      periodTypes: RATE_PERIODS,
      levels: ALL_LEVELS,
    }),
  ),
  {
    id: 'infant_mortality_rate',
    name: text('婴儿死亡率', 'Infant mortality rate'),
    description: text(
      '常住人口中不满 1 岁死亡人数 ÷ 常住人口的活产数 × 1000',
      'Deaths under age 1 per 1,000 live births, both of the resident population',
    ),
    unit: 'permille',
    numerator: { ...residentDeaths, filter: { ages: [0, 0] } },
    denominator: residentBirths,
    multiplier: 1000,
    interval: 'poisson',
    disaggregations: ['sex'],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
    direction: 'lower',
  },
  {
    id: 'life_expectancy',
    name: text('平均预期寿命', 'Life expectancy at birth'),
    description: text(
      '由常住人口的年龄别死亡率编制的时期生命表得出（按性别）',
      'From a period life table of the resident population’s age-specific death rates (by sex)',
    ),
    unit: 'years',
    numerator: residentDeaths,
    denominator: resident,
    multiplier: 1,
    interval: 'none',
    method: 'lifeExpectancy',
    annualise: true,
    disaggregations: ['sex'],
    periodTypes: ['year'],
    levels: ALL_LEVELS,
  },
  share('share_aged_0_14', '0–14 岁人口占比', 'Share aged 0–14', 0, 14),
  share('share_aged_15_59', '15–59 岁人口占比', 'Share aged 15–59', 15, 59),
  share('share_aged_60_plus', '60 岁及以上人口占比', 'Share aged 60+', 60, undefined),
  share('share_aged_65_plus', '65 岁及以上人口占比', 'Share aged 65+', 65, undefined),
  {
    id: 'old_age_dependency_ratio',
    name: text('老年抚养比', 'Old-age dependency ratio'),
    description: text('65 岁及以上人口 ÷ 15–64 岁人口 × 100', 'Population 65+ per 100 aged 15–64'),
    unit: 'percent',
    numerator: { population: 'resident', filter: { ages: [65] } },
    denominator: { population: 'resident', filter: { ages: [15, 64] } },
    multiplier: 100,
    interval: 'none',
    disaggregations: [],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'child_dependency_ratio',
    name: text('少儿抚养比', 'Child dependency ratio'),
    description: text('0–14 岁人口 ÷ 15–64 岁人口 × 100', 'Population 0–14 per 100 aged 15–64'),
    unit: 'percent',
    numerator: { population: 'resident', filter: { ages: [0, 14] } },
    denominator: { population: 'resident', filter: { ages: [15, 64] } },
    multiplier: 100,
    interval: 'none',
    disaggregations: [],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'total_dependency_ratio',
    name: text('总抚养比', 'Total dependency ratio'),
    description: text(
      '（0–14 岁 + 65 岁及以上人口）÷ 15–64 岁人口 × 100',
      '(Population 0–14 + 65+) per 100 aged 15–64',
    ),
    unit: 'percent',
    numerator: { population: 'resident', filter: { ages: [0, 14] } },
    add: { population: 'resident', filter: { ages: [65] } },
    denominator: { population: 'resident', filter: { ages: [15, 64] } },
    multiplier: 100,
    interval: 'none',
    disaggregations: [],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
  },
  {
    id: 'timeliness_rate',
    name: text('及时率', 'Timeliness rate'),
    description: text(
      '期内录入的事件中，于事件发生后 30 天内录入的百分比（批量导入的人员登记时带入的出生不计：它们不是报告录入的）',
      'Of the events entered in the period, the share entered within 30 days of the event (births recorded by a person import are left out: nobody reported them)',
    ),
    unit: 'percent',
    numerator: { entered: 'timely' },
    denominator: { entered: 'all' },
    multiplier: 100,
    interval: 'binomial',
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
    direction: 'higher',
  },
  {
    id: 'entry_rate',
    name: text('入库率', 'Entry rate'),
    description: text(
      '部门信息（出生医学证明、婚姻登记、户籍登记、死亡证明）中已比对到库内人员的记录 ÷ 已比对完（比对上 + 未比对上）的记录，按事件月份与所属单位',
      'Department records (birth certificates, marriages, hukou registrations, death certificates) linked to a registry person ÷ records whose linkage is settled (linked + unmatched), by event month and unit',
    ),
    unit: 'percent',
    numerator: { quality: 'feedLinked' },
    denominator: { quality: 'feedKnown' },
    multiplier: 100,
    interval: 'binomial',
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
    direction: 'higher',
  },
  {
    id: 'completeness_rate',
    name: text('完整率', 'Completeness rate'),
    description: text(
      '期末在本单位有居住记录的人员中，必填项（身份号码、民族、户口性质、所属户、与户主关系、婚姻状况）齐全的百分比',
      'Of the person records living in the unit at the end of the period, the share with every required field (ID number, ethnicity, hukou type, household, relation to head, marital status)',
    ),
    unit: 'percent',
    numerator: { quality: 'completeRecords' },
    denominator: { quality: 'records' },
    multiplier: 100,
    interval: 'binomial',
    disaggregations: [],
    periodTypes: STOCK_PERIODS,
    levels: ALL_LEVELS,
    direction: 'higher',
  },
  {
    id: 'accuracy_rate',
    name: text('准确率', 'Accuracy rate'),
    description: text(
      '入户抽查中与住户核实一致的字段 ÷ 核查的字段（按调查月份），95% 置信区间按户整群抽样计算',
      'Fields that matched the household in field audits ÷ fields checked (by survey month), with a 95% interval for household cluster sampling',
    ),
    unit: 'percent',
    numerator: { quality: 'auditedCorrect' },
    denominator: { quality: 'auditedFields' },
    multiplier: 100,
    interval: 'binomial',
    method: 'auditAccuracy',
    disaggregations: [],
    periodTypes: RATE_PERIODS,
    levels: ALL_LEVELS,
    direction: 'higher',
  },
  ...SERVICE_COVERAGE,
];

const BY_ID = new Map(CATALOGUE.map((entry) => [entry.id, entry]));

/** Finds a catalogue entry by id. */
export function findIndicator(id: string): IndicatorDefinition | undefined {
  return BY_ID.get(id);
}
