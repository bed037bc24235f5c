import type { Lang, Text } from '../domain/i18n.ts';
import {
  type Disaggregation,
  findIndicator,
  type IndicatorDefinition,
  type IndicatorUnit,
} from './catalogue.ts';
import {
  findRecordsRefusal,
  findRecordsRefusalFor,
  RECORDS_NOT_PERMITTED,
  type RecordsAccess,
  type RecordsRefusal,
  recordsPath,
} from './drill-down.ts';
import { type Breakdown, breakdownsOf, type EvaluateResult, type IndicatorValue } from './engine.ts';

/** Why there is no record list, as the API says it: the refusal's code, its message in the asked language. */
export interface RecordsUnavailableView {
  code: string;
  message: string;
}

function refusalView(refusal: RecordsRefusal | undefined, lang: Lang): RecordsUnavailableView | null {
  return refusal ? { code: refusal.code, message: refusal.message[lang] } : null;
}

/**
 * One value as the API answers it: figures, interval, flags in the asked language and the link
 * to its records (GET /api/indicators/:id, GET /api/indicators/values) — null for an indicator
 * whose records are not listed (coverage of health services, data quality: the catalogue entry's
 * `recordsUnavailable` says why), and for a caller who may not list the value's unit's records
 * (`mayList`, the drill-down route's own rule: the answer's `recordsUnavailable` says so), so no
 * link leads to a refusal.
 */
export function indicatorValueView(
  value: IndicatorValue & { unit_code: string },
  lang: Lang,
  mayList: RecordsAccess,
) {
  const definition = findIndicator(value.indicator);
  return {
    unit: value.unit_code,
    group: value.group,
    value: value.value,
    numerator: value.numerator,
    denominator: value.denominator,
    interval: value.interval,
    flags: value.flags.map((flag) => ({ code: flag.code, message: flag.message[lang] })),
    records: definition ? recordsPath(definition, value.unit_code, value.period, mayList) : null,
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
  /**
   * Per indicator; `recordsUnavailable` says why the caller has no record list for it at the
   * answer's unit (null when they have): why its `records` links are null — a child unit's value
   * may still carry one, for a caller who may list that unit's records.
   */
  indicators: Record<
    string,
    {
      name: string;
      unit: string;
      recordsUnavailable: RecordsUnavailableView | null;
      values: IndicatorValueView[];
    }
  >;
  unavailable: string[];
  months?: { period: string; values: Record<string, IndicatorValueView> }[];
}

/**
 * GET /api/indicators/:id: one indicator of a unit and period, one value per group of the
 * breakdown asked for. (For a caller who sees aggregates only, small cells come back suppressed.)
 */
export interface IndicatorAnswer {
  indicator: { id: string; name: string; unit: IndicatorUnit };
  unit: string;
  period: { id: string; start: string; end: string; label: string };
  dataVersion: number;
  /**
   * Why the caller has no record list of this indicator at the answer's unit — the indicator's own
   * refusal (as the catalogue's), or that the caller may see figures only there — or null when
   * the unit's value links to its records.
   */
  recordsUnavailable: RecordsUnavailableView | null;
  values: IndicatorValueView[];
}

/** Why this caller has no record list of an indicator at a unit, in the asked language (null: they have). */
export function recordsUnavailableView(
  definition: IndicatorDefinition,
  unit: string,
  lang: Lang,
  mayList: RecordsAccess,
): RecordsUnavailableView | null {
  return refusalView(findRecordsRefusalFor(definition, unit, mayList), lang);
}

/** A period as the indicator answers carry it, its label in the asked language. */
export function periodView(period: EvaluateResult['period'], lang: Lang) {
  return { id: period.id, start: period.start, end: period.end, label: period.label[lang] };
}

/** An evaluation as GET /api/indicators/:id answers it, in the asked language, with this caller's record links. */
export function indicatorAnswer(result: EvaluateResult, lang: Lang, mayList: RecordsAccess): IndicatorAnswer {
  return {
    indicator: { id: result.indicator.id, name: result.indicator.name[lang], unit: result.indicator.unit },
    unit: result.unit,
    period: periodView(result.period, lang),
    dataVersion: result.dataVersion,
    recordsUnavailable: recordsUnavailableView(result.indicator, result.unit, lang, mayList),
    values: result.values.map((value) => indicatorValueView(value, lang, mayList)),
  };
}

/** One entry of the catalogue as GET /api/indicators lists it (name and description in the asked language). */
export interface CatalogueEntryView {
  id: string;
  name: string;
  names: Text;
  description: string;
  unit: IndicatorUnit;
  disaggregations: readonly Disaggregation[];
  /** What `by` accepts for this indicator: none, children, each disaggregation, ageSex when both sex and age group are. */
  breakdowns: Breakdown[];
  periodTypes: IndicatorDefinition['periodTypes'];
  levels: IndicatorDefinition['levels'];
  /**
   * Why the indicator's records are not listed — the refusal GET /api/indicators/:id/records would
   * answer, its message in the asked language, as flags are — or null when they are: its values'
   * `records` link is null then. For a caller who may list records of no unit at all (aggregates
   * only), every listed indicator says so too; one who may list some units' records learns per
   * unit from the answers' `recordsUnavailable`.
   */
  recordsUnavailable: RecordsUnavailableView | null;
}

/**
 * A catalogue entry in the asked language; `listsAnyRecords`: whether the caller may list the
 * records of some unit (else every listed indicator says RECORDS_NOT_PERMITTED).
 */
export function catalogueEntryView(
  entry: IndicatorDefinition,
  lang: Lang,
  listsAnyRecords: boolean,
): CatalogueEntryView {
  const refusal = findRecordsRefusal(entry) ?? (listsAnyRecords ? undefined : RECORDS_NOT_PERMITTED);
  return {
    id: entry.id,
    name: entry.name[lang],
    names: entry.name,
    description: entry.description[lang],
    unit: entry.unit,
    disaggregations: entry.disaggregations,
    breakdowns: breakdownsOf(entry),
    periodTypes: entry.periodTypes,
    levels: entry.levels,
    recordsUnavailable: refusalView(refusal, lang),
  };
}
