import type { Text } from '../domain/i18n.ts';
import { type IndicatorDefinition, type IndicatorValue, recordsPath } from '../indicators/index.ts';

/**
 * A figure as a report prints it, with where it came from. Every number in a generated report is
 * one of these: the renderers never compute or invent a number, they print `figure.value` (or
 * 无数据 when it is null).
 */
export interface Trace {
  /** What produced it: the indicator engine, the activity log, the work-task list, a target sheet, the data-quality rates or the population projection. */
  source: 'indicator' | 'activity' | 'work_task' | 'target' | 'quality' | 'projection';
  /** Catalogue indicator id (source indicator), or what was counted. */
  indicator: string;
  unit: string;
  period: string;
  group: Record<string, string>;
  /** The registry data_version the figure was computed from. */
  dataVersion: number;
  /** Where the same figure can be asked for again (an API path). */
  query: string;
  /**
   * The records behind the numerator (drill-down), where there is one: left out for indicators
   * whose records are not listed (findRecordsRefusal in indicators/drill-down.ts).
   */
  records?: string;
  /** How a derived figure was made (e.g. a table's total recomputed from its rows). */
  note?: string;
}

export type FigureUnit = 'permille' | 'percent' | 'ratio' | 'count' | 'years' | 'children_per_woman';

export interface Figure {
  /** Stable key: indicator|unit|period|group — what a later regeneration is compared by. */
  key: string;
  name: Text;
  measure: FigureUnit;
  /** null: no data. Never a made-up number. */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  interval: { lower: number | null; upper: number | null } | null;
  flags: string[];
  trace: Trace;
}

/** The figures of one unit and period, by indicator id. */
export type FigureSet = Record<string, Figure>;

/** The key of a figure: indicator|unit|period plus the breakdown group, if any. */
export function figureKey(
  indicator: string,
  unit: string,
  period: string,
  group: Record<string, string> = {},
) {
  const parts = Object.entries(group)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return [indicator, unit, period, ...parts].join('|');
}

/** A figure from an indicator engine value, with the engine's query and drill-down links. */
export function figureFromIndicator(
  definition: IndicatorDefinition,
  value: IndicatorValue & { unit_code: string },
  dataVersion: number,
): Figure {
  const unit = value.unit_code;
  const query = `unit=${unit}&period=${value.period}`;
  const by = Object.keys(value.group)[0];
  return {
    key: figureKey(definition.id, unit, value.period, value.group),
    name: definition.name,
    measure: definition.unit,
    value: value.value,
    numerator: value.numerator,
    denominator: value.denominator,
    interval: value.interval ? { lower: value.interval.lower, upper: value.interval.upper } : null,
    flags: value.flags.map((flag) => flag.code),
    trace: {
      source: 'indicator',
      indicator: definition.id,
      unit,
      period: value.period,
      group: value.group,
      dataVersion,
      query: `/api/indicators/${definition.id}?${query}${by ? `&by=${by}` : ''}`,
      // Only where the indicator's records are listed (drill-down.ts): none for coverage and quality rates.
      ...traceRecords(definition, unit, value.period),
    },
  };
}

/** The trace's link to the records behind a figure, left out where the indicator has no list. */
export function traceRecords(
  definition: IndicatorDefinition,
  unit: string,
  period: string,
): { records?: string } {
  const path = recordsPath(definition, unit, period);
  return path === null ? {} : { records: path };
}

/** A plain count from another source (activity log, work tasks), traced to the query that gives it. */
export function countFigure(
  source: Trace['source'],
  what: string,
  name: Text,
  value: number | null,
  at: { unit: string; period: string; dataVersion: number; query: string; group?: Record<string, string> },
): Figure {
  const group = at.group ?? {};
  return {
    key: figureKey(`${source}:${what}`, at.unit, at.period, group),
    name,
    measure: 'count',
    value,
    numerator: value,
    denominator: null,
    interval: null,
    flags: [],
    trace: {
      source,
      indicator: what,
      unit: at.unit,
      period: at.period,
      group,
      dataVersion: at.dataVersion,
      query: at.query,
    },
  };
}

/**
 * Figures that are not facts become 无数据, with the reason in the trace: those of a period that
 * ends before the registry's records begin (its zero births would be an absence of records, not
 * of births), and those of a unit with no resident population in the period.
 */
export function blankWithoutData(
  figures: Figure[],
  population: Figure | undefined,
  coverage: { periodEnd: string; recordsBegin: string | null },
): Figure[] {
  const before = coverage.recordsBegin !== null && coverage.periodEnd < coverage.recordsBegin;
  const empty = !population || population.value === null || population.value <= 0;
  if (!before && !empty) return figures;
  const note = before
    ? `the registry's records begin on ${coverage.recordsBegin}: no data`
    : 'no resident population in the period: no data';
  return figures.map((figure) => ({
    ...figure,
    value: null,
    interval: null,
    trace: { ...figure.trace, note },
  }));
}

const NO_DATA = { 'zh-CN': '无数据', en: 'no data' } as const;

/** How many decimals a figure is printed with. */
export function decimalsOf(measure: FigureUnit): number {
  switch (measure) {
    case 'count':
      return 0;
    case 'ratio':
    case 'years':
      return 1;
    case 'children_per_woman':
      return 2;
    default:
      return 2;
  }
}

/** The number alone, grouped by thousands (12,345 · 9.40 · 106.3), or 无数据. */
export function formatNumber(value: number | null, measure: FigureUnit, lang: 'zh-CN' | 'en' = 'zh-CN') {
  if (value === null || !Number.isFinite(value)) return NO_DATA[lang];
  const digits = decimalsOf(measure);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The number with its sign of measure (9.40‰, 95.20%), or 无数据. */
export function formatFigure(
  figure: Pick<Figure, 'value' | 'measure'> | undefined,
  lang: 'zh-CN' | 'en' = 'zh-CN',
) {
  if (!figure || figure.value === null) return NO_DATA[lang];
  const number = formatNumber(figure.value, figure.measure, lang);
  if (figure.measure === 'permille') return `${number}‰`;
  if (figure.measure === 'percent') return `${number}%`;
  return number;
}

export { NO_DATA };
