/**
 * A cohort-component projection built from the registry for any unit: the base population on 31
 * December of the base year, fertility and death rates and net migration over the base year and
 * the two before it. Planning statistics for the five-year plan (DESIGN.md, job 6); the pure
 * projection is demography/projection.ts.
 */
import { todayInChina } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import { parsePeriod } from '../domain/period.ts';
import { findOrgUnit } from '../org/org-units.ts';
import type { Tx } from '../registry/context.ts';
import { migrationBetween } from '../registry/queries/migration.ts';
import { populationOn } from '../registry/queries/population.ts';
import { findRecordsBegin } from '../registry/queries/records-begin.ts';
import { formatAgeGroup, uniformAgeGroups } from './demography/age-groups.ts';
import type { RateGroup } from './demography/life-table.ts';
import {
  type FertilityRate,
  type ProjectionInput,
  type ProjectionResult,
  projectVariants,
  type Variant,
} from './demography/projection.ts';
import { countBirthsBySex, countDeathGroups, countFertilityGroups, type IndicatorEngine } from './engine.ts';
import type { Flag } from './intervals.ts';

/** Years of events the rates and migration are averaged over: the base year and the two before. */
export const RATE_WINDOW_YEARS = 3;
/** The open age group of the projection (and of the engine's life table). */
export const PROJECTION_OPEN_AGE = 85;
/** Below this many births in the window the registry's sex ratio at birth is too uncertain to use. */
export const MIN_BIRTHS_FOR_SEX_RATIO = 1000;
/** Default sex ratio at birth when the registry's is too uncertain (projection.ts's default). */
export const FALLBACK_SEX_RATIO_AT_BIRTH = 106;

export interface RegistryProjectionRequest {
  unit: string;
  /**
   * The year whose 31 December is the base population: a year that has ended; the latest ended
   * year with data unless given.
   */
  baseYear?: number;
  /** 1 (single years, one-year steps; the default) or 5 (five-year groups and steps). */
  step?: number;
  /** Years ahead, a multiple of the step: 5 unless given. */
  years?: number;
  /** "Today" for the latest year with data (tests). */
  today?: string;
}

export interface AgeSexCount {
  age: string;
  male: number;
  female: number;
}

/** Where each input of the projection came from, with the counts behind the rates. */
export interface ProjectionSources {
  unit: { code: string; name: string };
  baseYear: number;
  step: 5 | 1;
  years: number;
  population: {
    unit: string;
    /** The population counted at the end of this day. */
    date: string;
    basis: 'resident';
    total: number;
    description: Text;
  };
  rates: {
    /** The unit whose events and person-years give the rates: the unit itself, or its county. */
    unit: string;
    unitName: string;
    own: boolean;
    /** The calendar years the rates (and migration) are averaged over. */
    years: number[];
    births: number;
    deaths: number;
    tfr: number;
    fertility: { age: string; births: number; women: number; asfr: number }[];
    mortality: Record<'male' | 'female', { age: string; deaths: number; population: number; mx: number }[]>;
    description: Text;
  };
  migration: {
    unit: string;
    years: number[];
    moveIns: number;
    moveOuts: number;
    /** Average net migrants per year (in − out) / years. */
    netPerYear: number;
    /** Average net migrants per year by the projection's age groups and sex. */
    byAge: AgeSexCount[];
    description: Text;
  };
  sexRatioAtBirth: {
    value: number;
    /** The rate unit's male × 100 / female births over the window; null without female births. */
    observed: number | null;
    births: { male: number; female: number };
    description: Text;
  };
  flags: Flag[];
}

export interface RegistryProjection {
  input: ProjectionInput;
  sources: ProjectionSources;
}

function invalid(field: string, code: string, zh: string, en: string): AppError {
  const issue: FieldIssue = fieldIssue(code, field, zh, en);
  return new AppError('invalid_input', issue.message, { field, issues: [issue] });
}

function yearsLabel(years: number[]): string {
  return years.length === 1 ? String(years[0]) : `${years[0]}–${years[years.length - 1]}`;
}

/** Checks the request's step and years before anything is read. */
function checkShape(request: RegistryProjectionRequest): { step: 5 | 1; years: number } {
  const step = request.step ?? 1;
  if (step !== 1 && step !== 5) {
    throw invalid('step', 'invalid_step', `步长只能是 1 或 5：${step}`, `The step must be 1 or 5: ${step}`);
  }
  const years = request.years ?? 5;
  if (!Number.isInteger(years) || years < step || years > 100 || years % step !== 0) {
    throw invalid(
      'years',
      'invalid_years',
      `预测年数应为步长 ${step} 的倍数，在 ${step} 与 100 之间：${years}`,
      `The years ahead must be a multiple of the step ${step} between ${step} and 100: ${years}`,
    );
  }
  return { step, years };
}

/**
 * Reads the inputs of a cohort-component projection of a unit from the registry: its resident
 * population by sex and age on 31 December of the base year, its county's (or its own, at county
 * level and above) ASFR and death rates over the base year and the two before, and its own
 * average annual net migration by sex and age over the same years.
 */
export async function projectionInputFromRegistry(
  db: Tx,
  engine: IndicatorEngine,
  request: RegistryProjectionRequest,
): Promise<RegistryProjection> {
  const { step, years } = checkShape(request);
  const shape = checkOrgCode(request.unit, 'unit');
  if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
  const unitCode = normaliseOrgCode(request.unit);
  const unit = await findOrgUnit(db, unitCode);
  if (!unit) {
    throw new AppError('not_found', text(`没有代码为 ${unitCode} 的单位`, `No unit with code ${unitCode}`), {
      field: 'unit',
      issues: [
        fieldIssue('unknown_unit', 'unit', `没有代码为 ${unitCode} 的单位`, `No unit with code ${unitCode}`),
      ],
    });
  }
  // A township or village has too few births and deaths for rates of its own: its county's.
  const rateUnit = unitCode.length > 6 ? unitCode.slice(0, 6) : unitCode;
  const own = rateUnit === unitCode;
  const rateUnitName = own ? unit.name : ((await findOrgUnit(db, rateUnit))?.name ?? rateUnit);

  // The base year must have ended: its 31 December population and a whole year of events.
  const today = request.today ?? todayInChina();
  const thisYear = Number(today.slice(0, 4));
  const latestByCounty = await engine.latestDataYears(today);
  const latestWithData = Math.max(
    ...[...latestByCounty].filter(([county]) => county.startsWith(rateUnit)).map(([, year]) => year),
  );
  const latest = Math.min(latestWithData, thisYear - 1);
  // The registry's own records, not the births a person import brought in (their years have no
  // deaths or moves): the rates come from the years since it began.
  const recordsBegin = await findRecordsBegin(db, rateUnit);
  if (!Number.isFinite(latestWithData) || recordsBegin === null) {
    throw invalid(
      'baseYear',
      'no_data',
      `${rateUnitName}（${rateUnit}）还没有任何人口事件记录，无法预测`,
      `${rateUnitName} (${rateUnit}) has no vital events recorded yet: nothing to project from`,
    );
  }
  const baseYear = request.baseYear ?? latest;
  if (Number.isInteger(baseYear) && baseYear >= thisYear) {
    throw invalid(
      'baseYear',
      'year_not_ended',
      `基年 ${baseYear} 尚未结束：基年须是已结束且有数据的年份（最近为 ${latest}）`,
      `The base year ${baseYear} has not ended: the base year must be a finished year with data (the latest is ${latest})`,
    );
  }
  if (!Number.isInteger(baseYear) || baseYear < 1900 || baseYear > latest) {
    throw invalid(
      'baseYear',
      'no_data',
      `基年 ${baseYear} 没有数据：${rateUnitName} 有数据的最近年份是 ${latest}`,
      `The base year ${baseYear} has no data: the latest year with data for ${rateUnitName} is ${latest}`,
    );
  }

  // Rates: the catalogue's TFR and life-table counts (engine.ts), year by year, summed.
  const window: number[] = [];
  for (let year = baseYear - RATE_WINDOW_YEARS + 1; year <= baseYear; year++) window.push(year);
  let fertility: ReturnType<typeof countFertilityGroups> = [];
  const mortality: Record<'male' | 'female', ReturnType<typeof countDeathGroups>> = { male: [], female: [] };
  const births = { male: 0, female: 0 };
  const used: number[] = [];
  for (const year of window) {
    // Years before the registry's records begin, or without a single event, would add
    // person-years without their events.
    if (year < Number(recordsBegin.slice(0, 4))) continue;
    const cube = await engine.cubeFor(rateUnit, year);
    if (![...cube.events.keys()].some((key) => key.startsWith(`${rateUnit}|`))) continue;
    used.push(year);
    const period = parsePeriod(String(year));
    // Person-years of a year: its average population, (31 Dec before + 31 Dec) / 2.
    const yearFertility = countFertilityGroups(cube, rateUnit, period);
    fertility = yearFertility.map((g, i) => ({
      ...g,
      births: g.births + (fertility[i]?.births ?? 0),
      women: g.women + (fertility[i]?.women ?? 0),
    }));
    for (const sex of ['male', 'female'] as const) {
      const previous = mortality[sex];
      mortality[sex] = countDeathGroups(cube, rateUnit, period, sex).map((g, i) => ({
        ...g,
        deaths: g.deaths + (previous[i]?.deaths ?? 0),
        population: g.population + (previous[i]?.population ?? 0),
      }));
    }
    const bySex = countBirthsBySex(cube, rateUnit, period);
    births.male += bySex.male;
    births.female += bySex.female;
  }
  if (!used.includes(baseYear)) {
    throw invalid(
      'baseYear',
      'no_data',
      `基年 ${baseYear} 没有数据：${rateUnitName} 当年没有任何人口事件记录（有数据的最近年份是 ${latest}）`,
      `The base year ${baseYear} has no data: ${rateUnitName} recorded no vital events that year (the latest year with data is ${latest})`,
    );
  }
  const fertilityRates: FertilityRate[] = fertility.map((g) => ({
    start: g.start,
    width: g.width,
    asfr: g.women > 0 ? g.births / g.women : 0,
  }));
  const rates = (sex: 'male' | 'female'): RateGroup[] =>
    mortality[sex].map((g) => ({
      start: g.start,
      width: g.width,
      mx: g.population > 0 ? g.deaths / g.population : 0,
    }));

  // Base population: the registry's population on a date, by sex and single year of age.
  const date = `${baseYear}-12-31`;
  const groups = uniformAgeGroups(step, PROJECTION_OPEN_AGE);
  const groupOf = (age: number) => Math.min(Math.floor(age / step), groups.length - 1);
  const population = { male: groups.map(() => 0), female: groups.map(() => 0) };
  for (const row of await populationOn(db, { unit: unitCode, date, basis: 'resident' })) {
    if (row.age < 0) continue;
    population[row.sex][groupOf(row.age)]! += row.count;
  }

  // Net migration: the unit's own moves over the years the rates use, per year. A newborn's first
  // registration, however late, is no move in: the fertility rates bring the births already.
  const from = `${used[0]}-01-01`;
  const moves = await migrationBetween(db, { unit: unitCode, from, to: date, basis: 'resident' });
  const net = { male: groups.map(() => 0), female: groups.map(() => 0) };
  let moveIns = 0;
  let moveOuts = 0;
  for (const row of moves) {
    if (row.age < 0) continue;
    const sign = row.direction === 'in' ? 1 : -1;
    net[row.sex][groupOf(row.age)]! += (sign * row.count) / used.length;
    if (row.direction === 'in') moveIns += row.count;
    else moveOuts += row.count;
  }

  const totalBirths = births.male + births.female;
  const observedSrb = births.female > 0 ? (births.male * 100) / births.female : null;
  const useObserved = observedSrb !== null && totalBirths >= MIN_BIRTHS_FOR_SEX_RATIO;
  const srb = useObserved ? observedSrb : FALLBACK_SEX_RATIO_AT_BIRTH;

  const span = yearsLabel(used);
  const flags: Flag[] = [];
  if (!own) {
    flags.push({
      code: 'county_rates',
      message: text(
        `生育率与死亡率采用所属县 ${rateUnitName}（${rateUnit}）${span} 年的水平：乡镇、村的出生和死亡太少，不足以单独计算`,
        `Fertility and death rates are those of the county ${rateUnitName} (${rateUnit}), ${span}: a township or village has too few births and deaths for rates of its own`,
      ),
    });
  }
  if (used.length < RATE_WINDOW_YEARS) {
    flags.push({
      code: 'short_window',
      message: text(
        `登记数据只有 ${span} 年，生育率、死亡率和迁移按 ${used.length} 年计算（通常为 3 年）`,
        `The registry has data for ${span} only: rates and migration are over ${used.length} year(s), not 3`,
      ),
    });
  }
  if (!useObserved) {
    flags.push({
      code: 'default_sex_ratio_at_birth',
      message: text(
        `${span} 年出生数不足 ${MIN_BIRTHS_FOR_SEX_RATIO}，出生性别比采用默认值 ${FALLBACK_SEX_RATIO_AT_BIRTH}`,
        `Fewer than ${MIN_BIRTHS_FOR_SEX_RATIO} births in ${span}: the sex ratio at birth is taken as ${FALLBACK_SEX_RATIO_AT_BIRTH}`,
      ),
    });
  }

  const input: ProjectionInput = {
    baseYear,
    step,
    population,
    mortality: { male: rates('male'), female: rates('female') },
    fertility: fertilityRates,
    sexRatioAtBirth: srb,
    netMigration: net,
    years,
  };
  const tfr = fertilityRates.reduce((sum, f) => sum + f.width * f.asfr, 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const ages = groups.map(formatAgeGroup);
  const sources: ProjectionSources = {
    unit: { code: unitCode, name: unit.name },
    baseYear,
    step,
    years,
    population: {
      unit: unitCode,
      date,
      basis: 'resident',
      total: sum(population.male) + sum(population.female),
      description: text(
        `${unit.name}（${unitCode}）${date} 的常住人口，按性别、年龄（登记库居住记录）`,
        `Resident population of ${unit.name} (${unitCode}) at the end of ${date}, by sex and age (registry residence spells)`,
      ),
    },
    rates: {
      unit: rateUnit,
      unitName: rateUnitName,
      own,
      years: used,
      births: sum(fertility.map((g) => g.births)),
      deaths: sum(mortality.male.map((g) => g.deaths)) + sum(mortality.female.map((g) => g.deaths)),
      tfr,
      fertility: fertility.map((g, i) => ({
        age: formatAgeGroup(g),
        births: g.births,
        women: g.women,
        asfr: fertilityRates[i]!.asfr,
      })),
      mortality: {
        male: mortality.male.map((g, i) => ({
          age: formatAgeGroup(g),
          deaths: g.deaths,
          population: g.population,
          mx: rates('male')[i]!.mx,
        })),
        female: mortality.female.map((g, i) => ({
          age: formatAgeGroup(g),
          deaths: g.deaths,
          population: g.population,
          mx: rates('female')[i]!.mx,
        })),
      },
      description: text(
        `${own ? '' : '所属县 '}${rateUnitName}（${rateUnit}）${span} 年的年龄别生育率和分性别年龄别死亡率（常住人口的出生、死亡数 ÷ 平均常住人口之和）`,
        `Rates of ${own ? '' : 'county '}${rateUnit}, ${span}: age-specific fertility and death rates by sex (births and deaths of the resident population ÷ the sum of each year's average resident population)`,
      ),
    },
    migration: {
      unit: unitCode,
      years: used,
      moveIns,
      moveOuts,
      netPerYear: (moveIns - moveOuts) / used.length,
      byAge: ages.map((age, i) => ({ age, male: net.male[i]!, female: net.female[i]! })),
      description: text(
        `${unit.name}（${unitCode}）${span} 年迁入减迁出的年平均数，按性别、迁移时年龄（居住记录进出本单位；新生儿落户是出生，不算迁入）`,
        `Moves into minus moves out of ${unit.name} (${unitCode}), ${span}, averaged per year, by sex and age at the move (residence spells entering and leaving the unit; a newborn's first registration is a birth, not a move in)`,
      ),
    },
    sexRatioAtBirth: {
      value: srb,
      observed: observedSrb,
      births,
      description: useObserved
        ? text(
            `${rateUnitName}（${rateUnit}）${span} 年常住人口出生的男婴数 × 100 ÷ 女婴数`,
            `Male × 100 ÷ female births of the resident population of ${rateUnit}, ${span}`,
          )
        : text(
            `默认值 ${FALLBACK_SEX_RATIO_AT_BIRTH}（${span} 年出生数不足 ${MIN_BIRTHS_FOR_SEX_RATIO}）`,
            `Default ${FALLBACK_SEX_RATIO_AT_BIRTH} (fewer than ${MIN_BIRTHS_FOR_SEX_RATIO} births in ${span})`,
          ),
    },
    flags,
  };
  return { input, sources };
}

/** The registry's inputs and the low, medium and high variants projected from them. */
export async function projectFromRegistry(
  db: Tx,
  engine: IndicatorEngine,
  request: RegistryProjectionRequest,
): Promise<RegistryProjection & { variants: Record<Variant, ProjectionResult> }> {
  const { input, sources } = await projectionInputFromRegistry(db, engine, request);
  const variants = projectVariants(input);
  if (!variants.ok) {
    // The registry's rates can fail where a file could too: no deaths at all in the open age group.
    const first = variants.issues[0]!;
    throw new AppError(
      'invalid_input',
      text(
        `${sources.rates.unitName}（${sources.rates.unit}）${yearsLabel(sources.rates.years)} 年的数据不足以预测：${first.message['zh-CN']}`,
        `The data of ${sources.rates.unit}, ${yearsLabel(sources.rates.years)} cannot carry a projection: ${first.message.en}`,
      ),
      { field: 'unit', issues: variants.issues.map((issue) => ({ ...issue, field: 'unit' })) },
    );
  }
  return { input, sources, variants: variants.value };
}
