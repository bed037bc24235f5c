import { sql } from 'kysely';
import type { StorageKind } from '../db/database.ts';
import { addDays, todayInChina } from '../domain/dates.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import { monthsOf, type Period, parsePeriod } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { BASIS_TYPES, type PopulationBasis } from '../registry/queries/population.ts';
import { AGE_BAND_STARTS, bandLabel, bandsFor } from './age-bands.ts';
import {
  CATALOGUE,
  type Disaggregation,
  findIndicator,
  type IndicatorDefinition,
  type Measure,
  type MeasureFilter,
} from './catalogue.ts';
import {
  BANDS,
  buildCube,
  type Cube,
  EVENT_KINDS,
  eventIndex,
  ORDERS,
  popIndex,
  RESIDENCE_TYPES,
  RESIDENT_EVENT_KINDS,
} from './cube.ts';
import { findLatestDataYears } from './data-years.ts';
import { computeFertility } from './demography/fertility.ts';
import { buildLifeTable } from './demography/life-table.ts';
import {
  estimateProportion,
  estimateRate,
  estimateSexRatioAtBirth,
  type Flag,
  type Interval,
} from './intervals.ts';
import {
  accuracyFromSums,
  buildQualityCube,
  FLOW,
  type QualityCube,
  qualityMeasureValue,
  sumQualityFlows,
} from './quality-cube.ts';
import { SERVICE_COUNTS, type ServiceCount, serviceIndex } from './service-counts.ts';

export interface IndicatorValue {
  indicator: string;
  unit: string;
  period: string;
  /** The breakdown this value is for: {} for the total, { sex: 'male' }, { ageGroup: '15-19' }… */
  group: Record<string, string>;
  /** null when there is no data (no denominator): never a made-up number. */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  interval: Interval | null;
  flags: Flag[];
}

/**
 * A breakdown: the unit's children (by org level), a disaggregation of the unit itself, or
 * `ageSex` — every age band × sex (a population pyramid in one request), for indicators that can
 * be broken down both by sex and by age group.
 */
export type Breakdown = 'none' | 'children' | Disaggregation | 'ageSex';

/** The breakdowns an indicator accepts. */
export function breakdownsOf(definition: IndicatorDefinition): Breakdown[] {
  const out: Breakdown[] = ['none', 'children', ...definition.disaggregations];
  if (definition.disaggregations.includes('sex') && definition.disaggregations.includes('ageGroup'))
    out.push('ageSex');
  return out;
}

export interface EvaluateRequest {
  indicator: string;
  unit: string;
  period: string;
  by?: Breakdown;
}

export interface EvaluateResult {
  indicator: IndicatorDefinition;
  period: Period;
  unit: string;
  values: (IndicatorValue & { unit_code: string })[];
  dataVersion: number;
}

interface CacheEntry {
  version: number;
  cube: Promise<Cube>;
}

/**
 * Evaluates catalogue indicators from the cube. One engine per database: it keeps the cubes it
 * built, keyed by root unit and year, and rebuilds one only when the registry behind it changed
 * (data_version), so figures are always fresh and repeated requests cost arithmetic only.
 */
export class IndicatorEngine {
  readonly #db: Tx;
  readonly #cache = new Map<string, CacheEntry>();
  #latestYears: { key: string; years: Promise<Map<string, number>> } | undefined;

  /** The storage behind `db`: background cube builds differ (see buildCube). */
  readonly #storage: StorageKind;

  constructor(db: Tx, storage: StorageKind = 'postgres') {
    this.#db = db;
    this.#storage = storage;
  }

  /** The registry change counter for a unit's subtree (sum over its counties). */
  async dataVersion(unit: string): Promise<number> {
    const county = unit.slice(0, Math.min(unit.length, 6));
    const row = await sql<{ v: number | null }>`
      SELECT sum(version)::bigint AS v FROM data_version WHERE county_code LIKE ${`${county}%`}`.execute(
      this.#db,
    );
    return Number(row.rows[0]?.v ?? 0);
  }

  /**
   * The cube covering a unit's county (or the unit itself above county level) for a year, carrying
   * the extra counts that `indicators` need (the data-quality counts of the quality rates), so
   * `evaluateOne` can evaluate them on it.
   */
  async cubeFor(
    unit: string,
    year: number,
    indicators: readonly (string | IndicatorDefinition)[] = [],
  ): Promise<Cube> {
    const { cube } = await this.#freshCube(unit, year);
    const definitions = indicators.map((entry) => (typeof entry === 'string' ? findIndicator(entry) : entry));
    await withQuality(
      this.#db,
      cube,
      definitions.filter((entry): entry is IndicatorDefinition => entry !== undefined),
    );
    return cube;
  }

  /**
   * The cubes held now, as 'root|year' keys: built or being built (each is checked against the
   * data version when it is used). For the start-up warming's log and its tests.
   */
  listCachedCubes(): string[] {
    return [...this.#cache.keys()].sort();
  }

  /**
   * The year each county with data opens on (data-years.ts): its latest year with data, this year
   * only from 1 February on; kept while the registry and the date are unchanged, so asking at
   * every page load costs one small query.
   */
  async latestDataYears(today: string = todayInChina()): Promise<Map<string, number>> {
    const key = `${await this.dataVersion('')}|${today}`;
    if (this.#latestYears?.key !== key) {
      const years = findLatestDataYears(this.#db, today);
      this.#latestYears = { key, years };
      years.catch(() => {
        if (this.#latestYears?.years === years) this.#latestYears = undefined;
      });
    }
    return this.#latestYears.years;
  }

  /**
   * Builds a unit's cube ahead of any request (src/server/warm-cubes.ts) as background work: its
   * queries one at a time and without parallel workers, so the database keeps a core for the
   * requests that come in meanwhile. A request for the same cube waits for this build.
   */
  async warmCube(unit: string, year: number): Promise<void> {
    await this.#freshCube(unit, year, { background: this.#storage });
  }

  /** The cube and the data version it was checked against (one freshness query). */
  async #freshCube(
    unit: string,
    year: number,
    options: { background?: StorageKind } = {},
  ): Promise<{ cube: Cube; version: number }> {
    const root = unit.length >= 6 ? unit.slice(0, 6) : unit;
    const version = await this.dataVersion(root);
    const key = `${root}|${year}`;
    const cached = this.#cache.get(key);
    if (cached && cached.version === version) return { cube: await cached.cube, version };
    const cube = buildCube(this.#db, root, year, [], options);
    this.#cache.set(key, { version, cube });
    cube.catch(() => this.#cache.delete(key));
    return { cube: await cube, version };
  }

  /**
   * Evaluates many indicators for every unit under `root` and many periods of one year from one
   * cube, with one freshness check: what a dashboard, a report or a statistical table needs.
   */
  async evaluateAll(request: {
    root: string;
    year: number;
    periods: string[];
    indicators?: string[];
    units?: string[];
  }): Promise<{ values: (IndicatorValue & { unit_code: string })[]; dataVersion: number; cubeMs: number }> {
    const cube = await this.cubeFor(request.root, request.year);
    const units = request.units ?? [...cube.units].filter((code) => code.startsWith(request.root)).sort();
    const definitions = (request.indicators ?? CATALOGUE.map((entry) => entry.id)).map((id) => {
      const definition = findIndicator(id);
      if (!definition)
        throw new AppError('not_found', text(`没有指标 ${id}`, `No indicator ${id}`), { field: 'indicator' });
      return definition;
    });
    const periods = request.periods.map((id) => parsePeriod(id));
    for (const period of periods) {
      if (Number(period.start.slice(0, 4)) !== request.year || period.type === 'day') {
        throw new AppError(
          'invalid_input',
          text(
            `时期 ${period.id} 不在 ${request.year} 年内`,
            `Period ${period.id} is not a part of ${request.year}`,
          ),
          { field: 'period' },
        );
      }
    }
    await withQuality(this.#db, cube, definitions);
    const values: (IndicatorValue & { unit_code: string })[] = [];
    for (const definition of definitions) {
      for (const period of periods) {
        if (!definition.periodTypes.includes(period.type)) continue;
        for (const unit of units)
          values.push({ ...evaluateOne(cube, definition, unit, period, {}), unit_code: unit });
      }
    }
    return { values, dataVersion: await this.dataVersion(cube.root), cubeMs: cube.builtInMs };
  }

  /**
   * Many indicators for one unit and period (and optionally its children) in one call: one
   * freshness check, one cube, as `evaluateAll`, with `evaluate`'s checks of unit and period.
   * Indicators not defined for the period's type are listed in `unavailable`, not evaluated.
   */
  async evaluateMany(request: {
    unit: string;
    period: string;
    indicators?: string[];
    children?: boolean;
  }): Promise<{
    period: Period;
    unit: string;
    values: (IndicatorValue & { unit_code: string })[];
    unavailable: string[];
    dataVersion: number;
  }> {
    const shape = checkOrgCode(request.unit, 'unit');
    if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
    const unit = normaliseOrgCode(request.unit);
    const period = parsePeriod(request.period);
    if (period.type === 'day') {
      throw new AppError(
        'invalid_input',
        text(
          '多个指标一次取值需要月、季、半年或年（单日请逐个指标查询）',
          'Many indicators at once need a month, quarter, half-year or year (ask for a day one indicator at a time)',
        ),
        { field: 'period' },
      );
    }
    const ids = request.indicators ?? CATALOGUE.map((entry) => entry.id);
    const unknown = ids.filter((id) => !findIndicator(id));
    if (unknown.length > 0) {
      throw new AppError(
        'not_found',
        text(`没有指标 ${unknown.join('、')}`, `No indicator ${unknown.join(', ')}`),
        { field: 'indicators', details: { unknown, known: CATALOGUE.map((entry) => entry.id) } },
      );
    }
    const { cube, version } = await this.#freshCube(unit, Number(period.start.slice(0, 4)));
    if (!cube.units.has(unit)) {
      throw new AppError('not_found', text(`没有代码为 ${unit} 的单位`, `No unit with code ${unit}`), {
        field: 'unit',
      });
    }
    const units = request.children ? [unit, ...childrenOf(cube, unit)] : [unit];
    const definitions = ids.map((id) => findIndicator(id)!);
    const applicable = definitions.filter((definition) => definition.periodTypes.includes(period.type));
    await withQuality(this.#db, cube, applicable);
    const values: (IndicatorValue & { unit_code: string })[] = [];
    for (const definition of applicable) {
      for (const code of units)
        values.push({ ...evaluateOne(cube, definition, code, period, {}), unit_code: code });
    }
    return {
      period,
      unit,
      values,
      unavailable: definitions.filter((d) => !applicable.includes(d)).map((d) => d.id),
      dataVersion: version,
    };
  }

  /** Evaluates one indicator for a unit and period, as a total or broken down. */
  async evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    const definition = findIndicator(request.indicator);
    if (!definition) {
      throw new AppError(
        'not_found',
        text(`没有指标 ${request.indicator}`, `No indicator ${request.indicator}`),
        { field: 'indicator', details: { known: CATALOGUE.map((entry) => entry.id) } },
      );
    }
    const shape = checkOrgCode(request.unit, 'unit');
    if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
    const unit = normaliseOrgCode(request.unit);
    const period = parsePeriod(request.period);
    if (!definition.periodTypes.includes(period.type)) {
      throw new AppError(
        'invalid_input',
        text(
          `指标“${definition.name['zh-CN']}”不适用于这种时期（可用：${definition.periodTypes.join('、')}）`,
          `${definition.name.en} is not defined for this kind of period (use: ${definition.periodTypes.join(', ')})`,
        ),
        { field: 'period' },
      );
    }
    const by = request.by ?? 'none';
    const breakdowns = breakdownsOf(definition).filter((b) => b !== 'none' && b !== 'children');
    if (by !== 'none' && by !== 'children' && !breakdowns.includes(by)) {
      throw new AppError(
        'invalid_input',
        text(
          `指标“${definition.name['zh-CN']}”不能按 ${by} 分列（可用：${breakdowns.join('、') || '无'}）`,
          `${definition.name.en} cannot be broken down by ${by} (available: ${breakdowns.join(', ') || 'none'})`,
        ),
        { field: 'by' },
      );
    }
    const year = Number(period.start.slice(0, 4));
    const cube = await this.cubeFor(unit, year);
    if (!cube.units.has(unit)) {
      throw new AppError('not_found', text(`没有代码为 ${unit} 的单位`, `No unit with code ${unit}`), {
        field: 'unit',
      });
    }
    if (period.type === 'day' && !cube.dates.includes(period.end)) {
      // Stock figures on an arbitrary day: a cube with that date added (not cached).
      const dayCube = await buildCube(this.#db, cube.root, year, [addDays(period.start, -1), period.end]);
      return this.#evaluateOn(dayCube, definition, unit, period, by);
    }
    return this.#evaluateOn(cube, definition, unit, period, by);
  }

  async #evaluateOn(
    cube: Cube,
    definition: IndicatorDefinition,
    unit: string,
    period: Period,
    by: Breakdown,
  ) {
    await withQuality(this.#db, cube, [definition]);
    const values: EvaluateResult['values'] = [];
    if (by === 'children') {
      for (const child of childrenOf(cube, unit))
        values.push({ ...evaluateOne(cube, definition, child, period, {}), unit_code: child });
    } else {
      for (const group of groupsFor(definition, by)) {
        values.push({ ...evaluateOne(cube, definition, unit, period, group), unit_code: unit });
      }
    }
    return { indicator: definition, period, unit, values, dataVersion: await this.dataVersion(cube.root) };
  }
}

type Group = Record<string, string>;

/** The unit's children in the cube (the next org level down), by code. */
function childrenOf(cube: Cube, unit: string): string[] {
  const length = { 2: 4, 4: 6, 6: 9, 9: 12 }[unit.length as 2 | 4 | 6 | 9];
  return [...cube.units].filter((code) => code.length === length && code.startsWith(unit)).sort();
}

/** The data-quality counts of a cube, built on first use (quality-cube.ts) and dropped with it. */
const qualityCubes = new WeakMap<Cube, Promise<QualityCube>>();

function usesQuality(definition: IndicatorDefinition): boolean {
  return [definition.numerator, definition.denominator, definition.add, definition.subtract].some(
    (measure) => measure !== undefined && 'quality' in measure,
  );
}

/** Makes sure a cube carries its quality counts when any of the definitions needs them. */
async function withQuality(db: Tx, cube: Cube, definitions: readonly IndicatorDefinition[]): Promise<void> {
  if (!definitions.some(usesQuality)) return;
  let quality = qualityCubes.get(cube);
  if (!quality) {
    quality = buildQualityCube(db, cube.root, cube.year, cube.dates);
    qualityCubes.set(cube, quality);
    quality.catch(() => qualityCubes.delete(cube));
  }
  builtQuality.set(cube, await quality);
}

const builtQuality = new WeakMap<Cube, QualityCube>();

function qualityOf(cube: Cube): QualityCube {
  const quality = builtQuality.get(cube);
  if (!quality) {
    throw new Error(
      'quality counts were not loaded for this cube: get it with engine.cubeFor(unit, year, [indicator])',
    );
  }
  return quality;
}

function groupsFor(definition: IndicatorDefinition, by: Breakdown): Group[] {
  switch (by) {
    case 'none':
    case 'children':
      return [{}];
    case 'sex':
      return [{ sex: 'male' }, { sex: 'female' }];
    case 'birthOrder':
      return [{ birthOrder: '1' }, { birthOrder: '2' }, { birthOrder: '3' }];
    case 'residenceType':
      return RESIDENCE_TYPES.map((type) => ({ residenceType: type }));
    case 'ageGroup': {
      // Fertility by the mother's 5-year group 15–49; everything else by the cube's bands.
      if (definition.id === 'age_specific_fertility_rate') {
        return [15, 20, 25, 30, 35, 40, 45].map((start) => ({ ageGroup: `${start}-${start + 4}` }));
      }
      return AGE_BAND_STARTS.map((_, index) => ({ ageGroup: bandLabel(index) }));
    }
    case 'ageSex':
      // Youngest band first, males before females: the two sides of a pyramid, row by row.
      return AGE_BAND_STARTS.flatMap((_, index) => [
        { ageGroup: bandLabel(index), sex: 'male' },
        { ageGroup: bandLabel(index), sex: 'female' },
      ]);
  }
}

function ageRangeOf(label: string): [number, number | undefined] {
  if (label.endsWith('+')) return [Number(label.slice(0, -1)), undefined];
  const [start, end] = label.split('-').map(Number);
  return [start!, end ?? start!];
}

/** The measure's filter narrowed by the breakdown group. */
function narrow(measure: Measure, group: Group): Measure {
  if ('entered' in measure || 'quality' in measure) return measure;
  // Service counts are kept by sex only (service-counts.ts): an indicator over them declares no
  // other breakdown.
  if ('services' in measure)
    return group.sex
      ? { ...measure, filter: { ...measure.filter, sex: group.sex as 'male' | 'female' } }
      : measure;
  const filter: MeasureFilter = { ...measure.filter };
  if (group.sex && !('events' in measure && measure.events === 'birth' && filter.sex)) {
    filter.sex = group.sex as 'male' | 'female';
  }
  if (group.ageGroup) filter.ages = ageRangeOf(group.ageGroup);
  if (group.birthOrder && 'events' in measure && measure.events === 'birth') {
    filter.order = Number(group.birthOrder) as 1 | 2 | 3;
  }
  if (group.residenceType && !('events' in measure)) {
    return {
      ...measure,
      filter,
      ...('population' in measure
        ? { population: group.residenceType as PopulationBasis }
        : { averagePopulation: group.residenceType as PopulationBasis }),
    } as Measure;
  }
  return { ...measure, filter } as Measure;
}

function sexIndices(filter: MeasureFilter | undefined): number[] {
  if (filter?.sex === 'male') return [0];
  if (filter?.sex === 'female') return [1];
  return [0, 1];
}

const ALL_BANDS = Array.from({ length: BANDS }, (_, i) => i);
const bandCache = new Map<string, number[]>();

function bandIndices(filter: MeasureFilter | undefined): number[] {
  if (!filter?.ages) return ALL_BANDS;
  const key = `${filter.ages[0]}-${filter.ages[1] ?? ''}`;
  let bands = bandCache.get(key);
  if (!bands) {
    bands = bandsFor(filter.ages[0], filter.ages[1]);
    bandCache.set(key, bands);
  }
  return bands;
}

function typeIndices(basis: PopulationBasis): number[] {
  return BASIS_TYPES[basis].map((type) => RESIDENCE_TYPES.indexOf(type));
}

function sumPopulation(
  cube: Cube,
  unit: string,
  date: string,
  basis: PopulationBasis,
  filter?: MeasureFilter,
): number {
  const cell = cube.population.get(`${unit}|${date}`);
  if (!cell) return 0;
  let total = 0;
  for (const sex of sexIndices(filter))
    for (const type of typeIndices(basis))
      for (const band of bandIndices(filter)) total += cell[popIndex(sex, type, band)]!;
  return total;
}

const monthCache = new Map<string, number[]>();

function monthNumbers(period: Period): number[] {
  let months = monthCache.get(period.id);
  if (!months) {
    months = monthsOf(period).map((month) => Number(month.id.slice(5, 7)));
    monthCache.set(period.id, months);
  }
  return months;
}

/**
 * Events of a kind over the months of the period: every one recorded, or with `basis: 'resident'`
 * (births and deaths only) those of the resident population.
 */
function sumEvents(
  cube: Cube,
  unit: string,
  period: Period,
  kind: string,
  filter?: MeasureFilter,
  basis?: 'resident',
): number {
  const k = EVENT_KINDS.indexOf(kind as never);
  if (basis && !(RESIDENT_EVENT_KINDS as readonly string[]).includes(kind))
    throw new Error(`no resident basis is kept for ${kind} events`);
  const cells = basis ? cube.residentEvents : cube.events;
  const orders = filter?.order ? [filter.order] : Array.from({ length: ORDERS }, (_, i) => i);
  let total = 0;
  for (const month of monthNumbers(period)) {
    const cell = cells.get(`${unit}|${month}`);
    if (!cell) continue;
    for (const sex of sexIndices(filter))
      for (const band of bandIndices(filter))
        for (const order of orders) total += cell[eventIndex(k, sex, band, order)]!;
  }
  return total;
}

function sumEntered(cube: Cube, unit: string, period: Period, timelyOnly: boolean): number {
  let total = 0;
  for (const month of monthNumbers(period)) {
    const cell = cube.reports.get(`${unit}|${month}`);
    if (!cell) continue;
    for (let k = 0; k < EVENT_KINDS.length; k++) total += cell[k * 2 + 1]! + (timelyOnly ? 0 : cell[k * 2]!);
  }
  return total;
}

/** A family health-service coverage count (service-counts.ts) over the months of the period, of one sex or both. */
function sumServices(
  cube: Cube,
  unit: string,
  period: Period,
  count: ServiceCount,
  filter?: MeasureFilter,
): number {
  const k = SERVICE_COUNTS.indexOf(count);
  let total = 0;
  for (const month of monthNumbers(period)) {
    const cell = cube.services.get(`${unit}|${month}`);
    if (!cell) continue;
    for (const sex of sexIndices(filter)) total += cell[serviceIndex(k, sex)]!;
  }
  return total;
}

/** The date at whose end the period's opening population is counted: the day before it starts. */
function openingDate(period: Period): string {
  return addDays(period.start, -1);
}

function measureValue(cube: Cube, unit: string, period: Period, measure: Measure): number {
  if ('entered' in measure) return sumEntered(cube, unit, period, measure.entered === 'timely');
  if ('quality' in measure)
    return qualityMeasureValue(qualityOf(cube), unit, monthNumbers(period), period.end, measure.quality);
  if ('services' in measure) return sumServices(cube, unit, period, measure.services, measure.filter);
  if ('events' in measure)
    return sumEvents(
      cube,
      unit,
      period,
      measure.events,
      measure.filter,
      'basis' in measure ? measure.basis : undefined,
    );
  if ('population' in measure)
    return sumPopulation(cube, unit, period.end, measure.population, measure.filter);
  const start = sumPopulation(cube, unit, openingDate(period), measure.averagePopulation, measure.filter);
  const end = sumPopulation(cube, unit, period.end, measure.averagePopulation, measure.filter);
  return (start + end) / 2;
}

/** Person-years of exposure for an annualised rate: average population × share of the year. */
function exposureFactor(definition: IndicatorDefinition, period: Period): number {
  if (!definition.annualise || period.type === 'year') return 1;
  const year = Number(period.start.slice(0, 4));
  const daysInYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365;
  return period.days / daysInYear;
}

function round(value: number | null, digits = 2): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundInterval(interval: Interval | null): Interval | null {
  if (!interval) return null;
  return { ...interval, lower: round(interval.lower), upper: round(interval.upper) };
}

/** One value: the arithmetic of the definition over the cube, with interval and flags. */
export function evaluateOne(
  cube: Cube,
  definition: IndicatorDefinition,
  unit: string,
  period: Period,
  group: Group,
): IndicatorValue {
  const base = { indicator: definition.id, unit: definition.unit, period: period.id, group };
  const value = (measure: Measure) => measureValue(cube, unit, period, narrow(measure, group));

  if (definition.method === 'sexRatioAtBirth') {
    const males = value(definition.numerator);
    const females = value(definition.denominator!);
    const estimate = estimateSexRatioAtBirth(males, females);
    return {
      ...base,
      value: round(estimate.value),
      numerator: males,
      denominator: females,
      interval: roundInterval(estimate.interval),
      flags: estimate.flags,
    };
  }
  if (definition.method === 'auditAccuracy') {
    const sums = sumQualityFlows(qualityOf(cube), unit, monthNumbers(period));
    const estimate = accuracyFromSums(sums);
    return {
      ...base,
      value: round(estimate.value),
      numerator: sums[FLOW.auditedCorrect]!,
      denominator: sums[FLOW.auditedFields]!,
      interval: roundInterval(estimate.interval),
      flags: estimate.flags,
    };
  }
  if (definition.method === 'tfr') return tfrValue(cube, definition, unit, period, base);
  if (definition.method === 'lifeExpectancy')
    return lifeExpectancyValue(cube, definition, unit, period, group, base);

  let numerator = value(definition.numerator);
  if (definition.add) numerator += value(definition.add);
  if (definition.subtract) numerator -= value(definition.subtract);
  if (!definition.denominator) {
    return { ...base, value: numerator, numerator, denominator: null, interval: null, flags: [] };
  }
  const denominator = value(definition.denominator) * exposureFactor(definition, period);
  if (definition.interval === 'poisson') {
    const estimate = estimateRate(numerator, denominator, { per: definition.multiplier });
    return {
      ...base,
      value: round(estimate.value),
      numerator,
      denominator: round(denominator, 1),
      interval: roundInterval(estimate.interval),
      flags: estimate.flags,
    };
  }
  if (definition.interval === 'binomial' && numerator <= denominator && Number.isInteger(denominator)) {
    const estimate = estimateProportion(numerator, denominator, { per: definition.multiplier });
    return {
      ...base,
      value: round(estimate.value),
      numerator,
      denominator,
      interval: roundInterval(estimate.interval),
      flags: estimate.flags,
    };
  }
  return {
    ...base,
    value: denominator > 0 ? round((numerator / denominator) * definition.multiplier) : null,
    numerator,
    denominator: round(denominator, 1),
    interval: null,
    flags:
      denominator > 0
        ? []
        : [{ code: 'zero_denominator', message: text('分母为 0，无法计算', 'The denominator is 0') }],
  };
}

const FERTILITY_STARTS = [15, 20, 25, 30, 35, 40, 45];

/**
 * Births of the resident population by the mother's five-year group 15–49 and the average
 * resident women of each group over a period (not annualised): what the TFR and the registry
 * projection's ASFR are made of.
 */
export function countFertilityGroups(
  cube: Cube,
  unit: string,
  period: Period,
): { start: number; width: number; births: number; women: number }[] {
  return FERTILITY_STARTS.map((start) => ({
    start,
    width: 5,
    births: measureValue(cube, unit, period, {
      events: 'birth',
      basis: 'resident',
      filter: { ages: [start, start + 4] },
    }),
    women: measureValue(cube, unit, period, {
      averagePopulation: 'resident',
      filter: { sex: 'female', ages: [start, start + 4] },
    }),
  }));
}

/**
 * Deaths of the resident population and its average (not annualised) in the abridged groups 0,
 * 1–4, 5–9, …, 80–84, 85+ from the cube's bands, for one sex or both: the life table's and the
 * registry projection's death rates.
 */
export function countDeathGroups(
  cube: Cube,
  unit: string,
  period: Period,
  sex?: 'male' | 'female',
): { start: number; width: number | null; deaths: number; population: number }[] {
  const filterSex = sex ? { sex } : {};
  const groups = [];
  for (let index = 0; index < 19; index++) {
    const start = AGE_BAND_STARTS[index]!;
    const open = index === 18;
    const ages: [number, number?] = open ? [85] : [start, AGE_BAND_STARTS[index + 1]! - 1];
    groups.push({
      start,
      width: open ? null : AGE_BAND_STARTS[index + 1]! - start,
      deaths: measureValue(cube, unit, period, {
        events: 'death',
        basis: 'resident',
        filter: { ...filterSex, ages },
      }),
      population: measureValue(cube, unit, period, {
        averagePopulation: 'resident',
        filter: { ...filterSex, ages },
      }),
    });
  }
  return groups;
}

/** Births of the resident population of each sex over a period (sex ratio at birth). */
export function countBirthsBySex(cube: Cube, unit: string, period: Period): { male: number; female: number } {
  const births = (sex: 'male' | 'female') =>
    measureValue(cube, unit, period, { events: 'birth', basis: 'resident', filter: { sex } });
  return { male: births('male'), female: births('female') };
}

function tfrValue(
  cube: Cube,
  definition: IndicatorDefinition,
  unit: string,
  period: Period,
  base: Pick<IndicatorValue, 'indicator' | 'unit' | 'period' | 'group'>,
): IndicatorValue {
  const factor = exposureFactor(definition, period);
  const groups = countFertilityGroups(cube, unit, period).map((g) => ({ ...g, women: g.women * factor }));
  const births = groups.reduce((sum, g) => sum + g.births, 0);
  const women = groups.reduce((sum, g) => sum + g.women, 0);
  const result = computeFertility(groups);
  if (!result.ok) {
    return {
      ...base,
      value: null,
      numerator: births,
      denominator: round(women, 1),
      interval: null,
      flags: [],
    };
  }
  return {
    ...base,
    value: round(result.value.tfr.value, 3),
    numerator: births,
    denominator: round(women, 1),
    interval: result.value.tfr.interval
      ? {
          ...result.value.tfr.interval,
          lower: round(result.value.tfr.interval.lower, 3),
          upper: round(result.value.tfr.interval.upper, 3),
        }
      : null,
    flags: result.value.flags,
  };
}

function lifeExpectancyValue(
  cube: Cube,
  definition: IndicatorDefinition,
  unit: string,
  period: Period,
  group: Group,
  base: Pick<IndicatorValue, 'indicator' | 'unit' | 'period' | 'group'>,
): IndicatorValue {
  const sex = (group.sex as 'male' | 'female' | undefined) ?? undefined;
  const factor = exposureFactor(definition, period);
  const groups = countDeathGroups(cube, unit, period, sex).map((g) => ({
    ...g,
    population: g.population * factor,
  }));
  const deaths = groups.reduce((sum, g) => sum + g.deaths, 0);
  const population = groups.reduce((sum, g) => sum + g.population, 0);
  const table = buildLifeTable(groups, { sex: sex ?? 'total' });
  if (!table.ok) {
    return {
      ...base,
      value: null,
      numerator: deaths,
      denominator: round(population, 1),
      interval: null,
      flags: table.issues.map((issue) => ({ code: issue.code, message: issue.message })),
    };
  }
  return {
    ...base,
    value: round(table.value.e0, 2),
    numerator: deaths,
    denominator: round(population, 1),
    interval: roundInterval(table.value.e0Interval ?? null),
    flags: table.value.flags ?? [],
  };
}
