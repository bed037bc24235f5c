import type { Lang } from '../domain/i18n.ts';
import type { IndicatorValue } from './engine.ts';

/**
 * One value as the API answers it: figures, interval, flags in the asked language and the link
 * to its records (GET /api/indicators/:id, GET /api/indicators/values).
 */
export function indicatorValueView(value: IndicatorValue & { unit_code: string }, lang: Lang) {
  return {
    unit: value.unit_code,
    group: value.group,
    value: value.value,
    numerator: value.numerator,
    denominator: value.denominator,
    interval: value.interval,
    flags: value.flags.map((flag) => ({ code: flag.code, message: flag.message[lang] })),
    records: `/api/indicators/${value.indicator}/records?unit=${value.unit_code}&period=${value.period}`,
  };
}

export type IndicatorValueView = ReturnType<typeof indicatorValueView>;

/**
 * GET /api/indicators/values: many indicators of a unit (and its children) for a period in one
 * answer, with each month's values of the indicators asked for by `months`. (For a caller who
 * sees aggregates only, small cells come back suppressed: see SmallCellsSuppressed.)
 */
export interface IndicatorValuesAnswer {
  unit: string;
  period: { id: string; start: string; end: string; label: string };
  dataVersion: number;
  indicators: Record<string, { name: string; unit: string; values: IndicatorValueView[] }>;
  unavailable: string[];
  months?: { period: string; values: Record<string, IndicatorValueView> }[];
}
