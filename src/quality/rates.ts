import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { Text } from '../domain/i18n.ts';
import { parsePeriod } from '../domain/period.ts';
import type { IndicatorEngine } from '../indicators/engine.ts';
import type { Flag, Interval } from '../indicators/intervals.ts';
import { REQUIRED_PERSON_FIELDS, requiredFieldSql } from '../indicators/quality-cube.ts';

/**
 * The four data-quality rates (入库率、完整率、准确率、及时率) of a unit and period — each a
 * catalogue indicator (entry_rate, completeness_rate, accuracy_rate, timeliness_rate), so targets
 * and reports read the same figures — and what lies behind completeness: which required fields
 * are missing how often.
 */

export const QUALITY_RATE_IDS = [
  'entry_rate',
  'completeness_rate',
  'accuracy_rate',
  'timeliness_rate',
] as const;
export type QualityRateId = (typeof QUALITY_RATE_IDS)[number];

export interface RateFigure {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  interval: Interval | null;
  flags: Flag[];
}

export interface UnitRates {
  unit: string;
  rates: Record<QualityRateId, RateFigure>;
}

export interface QualityRates {
  period: string;
  units: UnitRates[];
  names: Record<QualityRateId, Text>;
}

/** A flag with its message in the asked language, as the quality routes send it. */
export interface LocalisedFlag {
  code: string;
  message: string;
}

/** GET /api/quality/rates: the rates with names and flags in the asked language, and the missing fields. */
export interface QualityRatesView {
  period: string;
  /** Rate id → its name. */
  names: Record<string, string>;
  units: { unit: string; rates: Record<string, Omit<RateFigure, 'flags'> & { flags: LocalisedFlag[] }> }[];
  missing: { date: string; records: number; fields: { field: string; label: string; missing: number }[] };
}

/** The four rates for a unit (and, with by = 'children', each of its child units). */
export async function computeQualityRates(
  engine: IndicatorEngine,
  request: { unit: string; period: string; by?: 'none' | 'children' },
): Promise<QualityRates> {
  const period = parsePeriod(request.period);
  const byUnit = new Map<string, UnitRates>();
  const names = {} as Record<QualityRateId, Text>;
  for (const id of QUALITY_RATE_IDS) {
    // Completeness is a stock: a month, quarter or year is read at its last day.
    const result = await engine.evaluate({
      indicator: id,
      unit: request.unit,
      period: period.id,
      by: request.by ?? 'none',
    });
    names[id] = result.indicator.name;
    for (const value of result.values) {
      let entry = byUnit.get(value.unit_code);
      if (!entry) {
        entry = { unit: value.unit_code, rates: {} as Record<QualityRateId, RateFigure> };
        byUnit.set(value.unit_code, entry);
      }
      entry.rates[id] = {
        value: value.value,
        numerator: value.numerator,
        denominator: value.denominator,
        interval: value.interval,
        flags: value.flags,
      };
    }
  }
  return { period: period.id, units: [...byUnit.values()], names };
}

export interface MissingField {
  field: string;
  label: Text;
  /** Person records required to have it that lack it. */
  missing: number;
}

/** How many person records of the unit lack each required field at the end of the period. */
export async function countMissingFields(
  db: Kysely<Schema>,
  unit: string,
  periodId: string,
): Promise<{ date: string; records: number; missing: MissingField[] }> {
  const date = parsePeriod(periodId).end;
  const columns = REQUIRED_PERSON_FIELDS.map(
    (rule, i) => `count(*) FILTER (WHERE NOT ${requiredFieldSql(rule, 'p', 'd.day')})::int AS m${i}`,
  ).join(', ');
  const row = (
    await sql<Record<string, number>>`
      SELECT count(*)::int AS records, ${sql.raw(columns)}
        FROM residence_spell s
        JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
        CROSS JOIN (SELECT ${date}::date AS day) d
       WHERE s.org_code LIKE ${`${unit}%`} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND s.valid_from <= d.day AND (s.valid_to IS NULL OR s.valid_to > d.day) AND p.birth_date <= d.day`.execute(
      db,
    )
  ).rows[0]!;
  return {
    date,
    records: Number(row.records),
    missing: REQUIRED_PERSON_FIELDS.map((rule, i) => ({
      field: rule.field,
      label: rule.label,
      missing: Number(row[`m${i}`]),
    })),
  };
}
