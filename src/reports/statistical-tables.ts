import type { Database } from '../db/database.ts';
import type { Lang } from '../domain/i18n.ts';
import { type Period, parsePeriod } from '../domain/period.ts';
import {
  CATALOGUE,
  findIndicator,
  type IndicatorDefinition,
  indicatorEngineFor,
} from '../indicators/index.ts';
import { listSubtree } from '../org/org-units.ts';
import { findRecordsBegin } from '../registry/queries/records-begin.ts';
import { blankWithoutData, type Figure, figureFromIndicator, figureKey, traceRecords } from './figures.ts';
import { getReportUnit, parseReportPeriod } from './gather.ts';
import type { ReportUnit } from './model.ts';

/**
 * Statistical tables (统计报表): the catalogue for every sub-unit of a unit, by month, quarter and
 * year, with a total row that adds up — counts summed, rates recomputed from the summed numerators
 * and denominators (never an average of rates).
 */

/** Catalogue entries that make a column: age-specific fertility needs its age breakdown, so it is left out. */
export const TABLE_INDICATORS = CATALOGUE.filter((d) => d.id !== 'age_specific_fertility_rate');

export interface TableRow {
  unit: ReportUnit;
  figures: (Figure | undefined)[];
}

export interface TableBlock {
  period: Period;
  rows: TableRow[];
  /** The total row: one figure per column, recomputed from the rows. */
  total: (Figure | undefined)[];
}

export interface TableSheet {
  name: string;
  title: string;
  blocks: TableBlock[];
}

export interface StatisticalTables {
  /** The language of the sheet names, titles and headers (the figures are the same in both). */
  lang: Lang;
  unit: ReportUnit;
  period: Period;
  dataVersion: number;
  columns: IndicatorDefinition[];
  sheets: TableSheet[];
  figures: Record<string, Figure>;
}

/** Whether a total for this indicator can be recomputed from rows' numerators and denominators. */
function additive(definition: IndicatorDefinition): boolean {
  return definition.method !== 'tfr' && definition.method !== 'lifeExpectancy';
}

function round(value: number, digits: number) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The total of a column: counts summed; rates from the summed numerators and denominators; TFR and
 * life expectancy (not additive) the parent unit's own figure, computed from its pooled data.
 */
export function totalFigure(
  definition: IndicatorDefinition,
  rows: (Figure | undefined)[],
  parent: Figure | undefined,
  parentUnit: string,
  period: string,
  dataVersion: number,
): Figure | undefined {
  if (!additive(definition)) {
    return (
      parent && { ...parent, trace: { ...parent.trace, note: 'pooled: not additive, the unit’s own figure' } }
    );
  }
  const present = rows.filter((r): r is Figure => r !== undefined);
  if (present.length === 0) return undefined;
  const numerator = present.reduce((sum, r) => sum + (r.numerator ?? 0), 0);
  let value: number | null;
  let denominator: number | null = null;
  if (!definition.denominator) value = numerator;
  else {
    denominator = round(
      present.reduce((sum, r) => sum + (r.denominator ?? 0), 0),
      1,
    );
    value = denominator > 0 ? round((numerator / denominator) * definition.multiplier, 2) : null;
  }
  return {
    key: figureKey(definition.id, parentUnit, period),
    name: definition.name,
    measure: definition.unit,
    value,
    numerator,
    denominator,
    interval: null,
    flags: [],
    trace: {
      source: 'indicator',
      indicator: definition.id,
      unit: parentUnit,
      period,
      group: {},
      dataVersion,
      query: `/api/indicators/${definition.id}?unit=${parentUnit}&period=${period}`,
      ...traceRecords(definition, parentUnit, period),
      note: definition.denominator ? 'sum of rows’ numerators / sum of rows’ denominators' : 'sum of rows',
    },
  };
}

/** The periods the tables cover: the year's months, quarters and the year itself, within the report period. */
export function tablePeriods(period: Period): { months: Period[]; quarters: Period[]; years: Period[] } {
  const year = Number(period.start.slice(0, 4));
  const within = (p: Period) => p.start >= period.start && p.end <= period.end;
  const months = Array.from({ length: 12 }, (_, i) =>
    parsePeriod(`${year}-${String(i + 1).padStart(2, '0')}`),
  ).filter(within);
  const quarters = [1, 2, 3, 4].map((q) => parsePeriod(`${year}Q${q}`)).filter(within);
  return { months, quarters, years: period.type === 'year' ? [period] : [] };
}

/** The statistical tables of a unit for a period, from one evaluateAll over the year's cube. */
export async function gatherStatisticalTables(
  database: Database,
  options: { unit: string; period: string; lang?: Lang },
): Promise<StatisticalTables> {
  const lang = options.lang ?? 'zh-CN';
  const unit = await getReportUnit(database.db, options.unit);
  const period = parseReportPeriod(options.period);
  const childLevel = { county: 'township', township: 'village' } as const;
  const children: ReportUnit[] =
    unit.level === 'county' || unit.level === 'township'
      ? (await listSubtree(database.db, unit.code, childLevel[unit.level])).map((u) => ({
          code: u.code,
          name: u.shortName,
          level: u.level,
        }))
      : [];
  const rowsUnits = children.length > 0 ? children : [unit];
  const { months, quarters, years } = tablePeriods(period);
  const all = [...years, ...quarters, ...months];
  const engine = indicatorEngineFor(database);
  const result = await engine.evaluateAll({
    root: unit.code,
    year: Number(period.start.slice(0, 4)),
    periods: all.map((p) => p.id),
    indicators: TABLE_INDICATORS.map((d) => d.id),
    units: [unit.code, ...children.map((c) => c.code)],
  });
  const recordsBegin = await findRecordsBegin(database.db, unit.code);
  const byKey = new Map<string, Figure>();
  for (const value of result.values) {
    const figure = figureFromIndicator(findIndicator(value.indicator)!, value, result.dataVersion);
    byKey.set(figure.key, figure);
  }
  const figures: Record<string, Figure> = {};
  const blockOf = (p: Period): TableBlock => {
    const columns = TABLE_INDICATORS.map((d) => (d.periodTypes.includes(p.type) ? d : null));
    const population = (code: string) => byKey.get(figureKey('resident_population', code, p.id));
    const rows = rowsUnits.map((u) => {
      const found = columns.map((d) => (d ? byKey.get(figureKey(d.id, u.code, p.id)) : undefined));
      const present = blankWithoutData(
        found.filter((f): f is Figure => f !== undefined),
        population(u.code),
        { periodEnd: p.end, recordsBegin },
      );
      let next = 0;
      return { unit: u, figures: found.map((f) => (f ? present[next++] : undefined)) };
    });
    const parentPopulation = population(unit.code);
    const total = columns.map((d, i) =>
      d
        ? totalFigure(
            d,
            rows.map((r) => r.figures[i]),
            byKey.get(figureKey(d.id, unit.code, p.id)),
            unit.code,
            p.id,
            result.dataVersion,
          )
        : undefined,
    );
    const blankTotal = (f: Figure | undefined) =>
      f && blankWithoutData([f], parentPopulation, { periodEnd: p.end, recordsBegin })[0];
    for (let i = 0; i < total.length; i++) total[i] = blankTotal(total[i]);
    for (const row of rows) for (const f of row.figures) if (f) figures[f.key] = f;
    for (const f of total) if (f) figures[f.key] = f;
    return { period: p, rows, total };
  };
  const sheets: TableSheet[] = [];
  const label = period.label[lang];
  const sheet = (type: 'year' | 'quarter' | 'month', blocks: TableBlock[]): TableSheet => {
    const [zhName, enName] = {
      year: ['年报', 'annual'],
      quarter: ['季报', 'quarterly'],
      month: ['月报', 'monthly'],
    }[type];
    return lang === 'en'
      ? {
          name: `${enName!.charAt(0).toUpperCase()}${enName!.slice(1)}`,
          title: `${unit.name}: population statistics, ${enName} tables, ${label}`,
          blocks,
        }
      : { name: zhName!, title: `${unit.name}${label}人口统计${zhName}`, blocks };
  };
  if (years.length > 0) sheets.push(sheet('year', years.map(blockOf)));
  if (quarters.length > 0) sheets.push(sheet('quarter', quarters.map(blockOf)));
  if (months.length > 0) sheets.push(sheet('month', months.map(blockOf)));
  return {
    lang,
    unit: { code: unit.code, name: unit.name, level: unit.level },
    period,
    dataVersion: result.dataVersion,
    columns: TABLE_INDICATORS,
    sheets,
    figures,
  };
}
