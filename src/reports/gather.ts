import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { todayInChina } from '../domain/dates.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import { type Period, parsePeriod, previousPeriod } from '../domain/period.ts';
import { bandLabel } from '../indicators/age-bands.ts';
import { evaluateOne } from '../indicators/engine.ts';
import { findIndicator, indicatorEngineFor } from '../indicators/index.ts';
import { projectFromRegistry } from '../indicators/registry-projection.ts';
import { listSubtree } from '../org/org-units.ts';
import type { Tx } from '../registry/context.ts';
import { findRecordsBegin } from '../registry/queries/records-begin.ts';
import { summariseActivities } from './activities.ts';
import { BASIC_INDICATORS, CHILD_TABLE_INDICATORS } from './build-work-report.ts';
import {
  blankWithoutData,
  countFigure,
  type Figure,
  type FigureSet,
  figureFromIndicator,
} from './figures.ts';
import type {
  ChildFigures,
  ProblemsInput,
  ProjectionOutlook,
  PyramidBand,
  ReportUnit,
  WorkReportInput,
} from './model.ts';
import { loadNextYearTargets, loadQualityInput, loadTargetsInput } from './sections.ts';

const REPORT_INDICATORS = [
  ...new Set<string>([
    ...BASIC_INDICATORS,
    ...CHILD_TABLE_INDICATORS,
    'inflow_population',
    'outflow_population',
    'timeliness_rate',
  ]),
];

function periodEndOf(figure: Figure): string {
  return parsePeriod(figure.trace.period).end;
}

/** The unit a report is for, checked: a county or below, loaded. */
export async function getReportUnit(db: Tx, input: string): Promise<ReportUnit & { countyCode: string }> {
  const shape = checkOrgCode(input, 'unit');
  if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
  const code = normaliseOrgCode(input);
  const row = await db
    .selectFrom('org_unit')
    .select(['code', 'short_name', 'level', 'county_code'])
    .where('code', '=', code)
    .executeTakeFirst();
  const county = row?.county_code ?? (row?.level === 'county' ? row.code : null);
  if (!row || !county) {
    throw new AppError(
      'not_found',
      text(`没有代码为 ${code} 的县级或以下单位`, `No unit with code ${code} at or below a county`),
      { field: 'unit' },
    );
  }
  return { code, name: row.short_name, level: row.level, countyCode: county };
}

/** The report's period: months, quarters, halves and years (a day is not a reporting period). */
export function parseReportPeriod(input: string): Period {
  const period = parsePeriod(input);
  if (period.type === 'day') {
    throw new AppError(
      'invalid_input',
      text(
        '报告时期应为年、半年、季度或月（如 2025、2025H1、2025Q3、2025-07）',
        'A report period is a year, half, quarter or month',
      ),
      { field: 'period' },
    );
  }
  return period;
}

/** The catalogue figures of several units for one period, from one cube (evaluateAll). */
async function figuresFor(
  database: Database,
  root: string,
  period: Period,
  units: string[],
  indicators: string[],
): Promise<{ sets: Map<string, FigureSet>; dataVersion: number }> {
  const engine = indicatorEngineFor(database);
  const year = Number(period.start.slice(0, 4));
  const result = await engine.evaluateAll({ root, year, periods: [period.id], indicators, units });
  const sets = new Map<string, FigureSet>(units.map((u) => [u, {}]));
  for (const value of result.values) {
    const definition = findIndicator(value.indicator)!;
    sets.get(value.unit_code)![value.indicator] = figureFromIndicator(definition, value, result.dataVersion);
  }
  const recordsBegin = await findRecordsBegin(database.db, root);
  for (const [code, set] of sets) {
    const kept = blankWithoutData(Object.values(set), set.resident_population, {
      periodEnd: period.end,
      recordsBegin,
    });
    sets.set(code, Object.fromEntries(kept.map((figure) => [figure.trace.indicator, figure])));
  }
  return { sets, dataVersion: result.dataVersion };
}

async function monthlySeries(database: Database, unit: string, year: number) {
  const engine = indicatorEngineFor(database);
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  const result = await engine.evaluateAll({
    root: unit,
    year,
    periods: months,
    indicators: ['births', 'deaths'],
    units: [unit],
  });
  const pick = (id: string) =>
    months.map((month) => {
      const value = result.values.find((v) => v.indicator === id && v.period === month);
      return value && figureFromIndicator(findIndicator(id)!, value, result.dataVersion);
    });
  return { year, births: pick('births'), deaths: pick('deaths') };
}

async function pyramidOf(database: Database, unit: string, period: Period): Promise<PyramidBand[]> {
  const engine = indicatorEngineFor(database);
  const cube = await engine.cubeFor(unit, Number(period.start.slice(0, 4)));
  const dataVersion = await engine.dataVersion(unit);
  const definition = findIndicator('resident_population')!;
  // 5-year groups to 85+ (the cube's 0 and 1–4 merged into 0–4).
  const bands: PyramidBand[] = [];
  for (let start = 0; start <= 85; start += 5) {
    const label = start === 85 ? '85+' : `${start}-${start + 4}`;
    const sides = (['male', 'female'] as const).map((sex) => {
      const groups = start === 0 ? [bandLabel(0), bandLabel(1)] : [label];
      let total = 0;
      for (const ageGroup of groups) {
        const value = evaluateOne(cube, definition, unit, period, {
          sex,
          ageGroup: ageGroup === '85+' ? '85+' : ageGroup,
        });
        total += value.value ?? 0;
      }
      return figureFromIndicator(
        definition,
        {
          indicator: definition.id,
          unit: definition.unit,
          period: period.id,
          group: { sex, ageGroup: label },
          value: total,
          numerator: total,
          denominator: null,
          interval: null,
          flags: [],
          unit_code: unit,
        },
        dataVersion,
      );
    });
    bands.push({ label, male: sides[0]!, female: sides[1]! });
  }
  return bands;
}

/** Unregistered births found by linkage and still open (work_task kind unregistered_birth). */
export async function gatherUnregisteredBirths(
  db: Tx,
  unit: string,
  children: ReportUnit[],
  period: Period,
  dataVersion: number,
): Promise<ProblemsInput['unregisteredBirths']> {
  const feeds = await sql<{ n: number; linked: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE r.link_status <> 'pending')::int AS linked
      FROM feed_record r JOIN feed_batch b ON b.id = r.batch_id
     WHERE b.source = 'birth_certificate' AND r.county_code = ${unit.slice(0, 6)}`.execute(db);
  const rows = await sql<{ code: string; n: number }>`
    SELECT substr(org_code, 1, ${children[0]?.code.length ?? unit.length}) AS code, count(*)::int AS n
      FROM work_task
     WHERE kind = 'unregistered_birth' AND status = 'open' AND org_code LIKE ${`${unit}%`}
     GROUP BY 1 ORDER BY 1`.execute(db);
  const query = (u: string) => `/api/work-tasks?unit=${u}&kind=unregistered_birth&status=open`;
  const total = rows.rows.reduce((sum, row) => sum + Number(row.n), 0);
  const name = text('待核实的漏报出生', 'Unregistered births awaiting registration');
  const byUnit = rows.rows
    .map((row) => ({ unit: children.find((c) => c.code === row.code), n: Number(row.n), code: row.code }))
    .filter((row) => row.unit)
    .map((row) => ({
      unit: row.unit!,
      count: countFigure('work_task', 'unregistered_birth_open', name, row.n, {
        unit: row.code,
        period: period.id,
        dataVersion,
        query: query(row.code),
      }),
    }));
  return {
    feedsReceived: Number(feeds.rows[0]?.n ?? 0) > 0 || total > 0,
    linked: Number(feeds.rows[0]?.linked ?? 0) > 0 || total > 0,
    total: countFigure('work_task', 'unregistered_birth_open', name, total, {
      unit,
      period: period.id,
      dataVersion,
      query: query(unit),
    }),
    byUnit,
  };
}

export interface GatherOptions {
  unit: string;
  period: string;
  /** The report's date; today in China by default. */
  reportDate?: string;
  plans?: string[];
  onStep?: (step: string) => void;
}

/** Years a year report looks ahead in 四、下一步工作打算. */
const OUTLOOK_YEARS = 5;

/**
 * A year report's outlook: the resident population projected from the end of the year, five
 * years on, by variant (the projection from the registry, in five-year steps). Null for other
 * periods, a year not over yet, or a unit whose data cannot carry a projection — the report then
 * says nothing rather than a guess.
 */
async function projectionOutlook(
  database: Database,
  unit: string,
  period: Period,
  dataVersion: number,
): Promise<ProjectionOutlook | null> {
  if (period.type !== 'year') return null;
  const baseYear = Number(period.id);
  let projection: Awaited<ReturnType<typeof projectFromRegistry>>;
  try {
    projection = await projectFromRegistry(database.db, indicatorEngineFor(database), {
      unit,
      baseYear,
      years: OUTLOOK_YEARS,
      step: 5,
    });
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
  const toYear = baseYear + OUTLOOK_YEARS;
  const figure = (variant: 'low' | 'medium' | 'high') =>
    countFigure(
      'projection',
      'resident_population',
      text('预测常住人口', 'Projected resident population'),
      Math.round(projection.variants[variant].years.at(-1)!.total),
      {
        unit,
        period: String(toYear),
        dataVersion,
        query: `/api/projection?unit=${unit}&baseYear=${baseYear}&years=${OUTLOOK_YEARS}&step=5`,
        group: { variant },
      },
    );
  return {
    fromYears: projection.sources.rates.years,
    toYear,
    medium: figure('medium'),
    low: figure('low'),
    high: figure('high'),
  };
}

/** Everything the work report needs, from the indicator engine and the tables around it. */
export async function gatherWorkReportInput(
  database: Database,
  options: GatherOptions,
): Promise<WorkReportInput> {
  const db = database.db;
  const unit = await getReportUnit(db, options.unit);
  const period = parseReportPeriod(options.period);
  const previous = previousPeriod(period);
  const lastYear =
    period.type === 'year' ? null : parsePeriod(`${Number(period.id.slice(0, 4)) - 1}${period.id.slice(4)}`);
  const childLevel = { county: 'township', township: 'village' } as const;
  const childUnits: ReportUnit[] =
    unit.level === 'county' || unit.level === 'township'
      ? (await listSubtree(db, unit.code, childLevel[unit.level])).map((u) => ({
          code: u.code,
          name: u.shortName,
          level: u.level,
        }))
      : [];
  const units = [unit.code, ...childUnits.map((c) => c.code)];
  options.onStep?.('figures');
  const current = await figuresFor(database, unit.code, period, units, REPORT_INDICATORS);
  options.onStep?.('comparisons');
  const before = await figuresFor(database, unit.code, previous, [unit.code], REPORT_INDICATORS);
  const sameLastYear = lastYear
    ? await figuresFor(database, unit.code, lastYear, [unit.code], REPORT_INDICATORS)
    : null;
  options.onStep?.('charts');
  const year = Number(period.start.slice(0, 4));
  const cur = current.sets.get(unit.code)!;
  const recordsBegin = await findRecordsBegin(db, unit.code);
  const coveredMonths = (series: Awaited<ReturnType<typeof monthlySeries>>) => {
    const blank = (list: (Figure | undefined)[]) =>
      list.map(
        (f) =>
          f && blankWithoutData([f], cur.resident_population, { periodEnd: periodEndOf(f), recordsBegin })[0],
      );
    return { ...series, births: blank(series.births), deaths: blank(series.deaths) };
  };
  const monthly = [
    coveredMonths(await monthlySeries(database, unit.code, year - 1)),
    coveredMonths(await monthlySeries(database, unit.code, year)),
  ];
  const pyramid = (await pyramidOf(database, unit.code, period)).map((band) => {
    const [male, female] = blankWithoutData([band.male, band.female], cur.resident_population, {
      periodEnd: period.end,
      recordsBegin,
    });
    return { ...band, male: male!, female: female! };
  });
  const dataVersion = current.dataVersion;
  options.onStep?.('sections');
  const activities = await summariseActivities(db, unit.code, period, dataVersion);
  const children: ChildFigures[] = childUnits.map((child) => ({
    unit: child,
    figures: current.sets.get(child.code)!,
  }));
  const targets = await loadTargetsInput(database, {
    unit,
    children: childUnits,
    period,
    figures: current.sets,
  });
  const nextYear = await loadNextYearTargets(database, { unit, year: year + 1 });
  const quality = await loadQualityInput(database, { unit, children: childUnits, period });
  const timeliness = {
    unit: cur.timeliness_rate as Figure,
    children: children
      .map((c) => ({ unit: c.unit, figure: c.figures.timeliness_rate as Figure }))
      .filter((c) => c.figure),
  };
  const unregisteredBirths = await gatherUnregisteredBirths(db, unit.code, childUnits, period, dataVersion);
  const projection = await projectionOutlook(database, unit.code, period, dataVersion);
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    period,
    previousPeriod: previous,
    lastYearPeriod: lastYear,
    reportDate: options.reportDate ?? todayInChina(),
    dataVersion,
    figures: {
      current: cur,
      previous: before.sets.get(unit.code)!,
      lastYear: sameLastYear?.sets.get(unit.code) ?? null,
    },
    children,
    monthly,
    pyramid,
    activities,
    targets,
    nextYear,
    problems: { quality, unregisteredBirths, timeliness },
    plans: options.plans ?? [],
    projection,
  };
}
