import { sql } from 'kysely';
import { type Text, text } from '../domain/i18n.ts';
import type { Tx } from '../registry/context.ts';
import { type Flag, type Interval, wilsonInterval } from './intervals.ts';

/**
 * The data-quality part of the indicator cube (入库率、完整率、准确率): built only when a quality
 * indicator is asked for, and kept with the cube it belongs to, so other indicators never pay
 * for it.
 *
 * flows[unit|month]:  FLOW_SIZE numbers — department records linked to the registry and known
 *                     (linked + unmatched) by event month; surveyed audit households by survey
 *                     month with the sums a cluster-sample interval needs
 * stocks[unit|date]:  [person records, complete person records] at the end of the date
 */
export type QualityMeasure =
  | 'feedLinked'
  | 'feedKnown'
  | 'completeRecords'
  | 'records'
  | 'auditedCorrect'
  | 'auditedFields';

export const FLOW = {
  feedLinked: 0,
  feedKnown: 1,
  auditHouseholds: 2,
  auditedCorrect: 3,
  auditedFields: 4,
  correctSquared: 5,
  fieldsSquared: 6,
  correctTimesFields: 7,
} as const;
export const FLOW_SIZE = 8;
export const STOCK = { records: 0, completeRecords: 1 } as const;

export interface QualityCube {
  flows: Map<string, Float64Array>;
  stocks: Map<string, Float64Array>;
}

/** A person field the registry must have, from a given age on (age at the date counted). */
export interface RequiredField {
  field: 'id_number' | 'ethnicity' | 'hukou_type' | 'household_id' | 'relation_to_head' | 'marital_status';
  label: Text;
  /** Required only of persons at least this many days old (an ID number is issued after birth). */
  minAgeDays?: number;
  /** Required only of persons at least this old in completed years. */
  minAgeYears?: number;
}

/**
 * What a complete person record has (完整率), beyond what the database already forces (name, sex,
 * birth date, residence): data, not code. A newborn has 90 days to get an ID number; marital
 * status is asked from 15, as the census does.
 */
export const REQUIRED_PERSON_FIELDS: readonly RequiredField[] = [
  { field: 'id_number', label: text('公民身份号码', 'Resident ID number'), minAgeDays: 90 },
  { field: 'ethnicity', label: text('民族', 'Ethnicity') },
  { field: 'hukou_type', label: text('户口性质', 'Hukou type') },
  { field: 'household_id', label: text('所属户', 'Household') },
  { field: 'relation_to_head', label: text('与户主关系', 'Relation to the household head') },
  { field: 'marital_status', label: text('婚姻状况', 'Marital status'), minAgeYears: 15 },
];

/** SQL that is true when person `p` has the field or is not yet required to at date `day`. */
export function requiredFieldSql(rule: RequiredField, person = 'p', day = 'd.day'): string {
  const present = `${person}.${rule.field} IS NOT NULL`;
  if (rule.minAgeDays !== undefined)
    return `(${present} OR ${person}.birth_date > ${day} - ${Math.trunc(rule.minAgeDays)})`;
  if (rule.minAgeYears !== undefined)
    return `(${present} OR ${person}.birth_date > (${day} - interval '${Math.trunc(rule.minAgeYears)} years')::date)`;
  return `(${present})`;
}

function rollupCodes(code: string, root: string): string[] {
  const out: string[] = [];
  for (const length of [2, 4, 6, 9, 12]) {
    if (length < root.length || length > code.length) continue;
    out.push(code.slice(0, length));
  }
  return out;
}

function addTo(map: Map<string, Float64Array>, key: string, size: number, values: [number, number][]) {
  let cell = map.get(key);
  if (!cell) {
    cell = new Float64Array(size);
    map.set(key, cell);
  }
  for (const [index, value] of values) cell[index]! += value;
}

/** Builds the quality cube for a root unit (county or above), a year and the cube's dates. */
export async function buildQualityCube(
  db: Tx,
  root: string,
  year: number,
  dates: readonly string[],
): Promise<QualityCube> {
  const prefix = `${root}%`;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  for (const date of dates) if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`bad date ${date}`);
  const days = sql.raw(dates.map((date, i) => `('${date}'::date, ${i})`).join(', '));
  const complete = sql.raw(REQUIRED_PERSON_FIELDS.map((rule) => requiredFieldSql(rule)).join(' AND '));
  const [feeds, records, audits] = await Promise.all([
    // A record without a place counts for its county only.
    sql<{ org_code: string; m: number; linked: number; known: number }>`
      SELECT coalesce(f.org_code, f.county_code) AS org_code, extract(month FROM f.event_date)::int AS m,
             count(*) FILTER (WHERE f.link_status = 'linked')::int AS linked,
             count(*) FILTER (WHERE f.link_status IN ('linked', 'unmatched'))::int AS known
        FROM feed_record f
       WHERE f.county_code LIKE ${prefix} AND (f.org_code IS NULL OR f.org_code LIKE ${prefix})
         AND f.event_date BETWEEN ${from}::date AND ${to}::date
       GROUP BY 1, 2`.execute(db),
    sql<{ org_code: string; i: number; n: number; c: number }>`
      SELECT s.org_code, d.i, count(*)::int AS n, count(*) FILTER (WHERE ${complete})::int AS c
        FROM residence_spell s
        JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
        JOIN (VALUES ${days}) AS d(day, i)
          ON s.valid_from <= d.day AND (s.valid_to IS NULL OR s.valid_to > d.day)
       WHERE s.org_code LIKE ${prefix} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND p.birth_date <= d.day
       GROUP BY 1, 2`.execute(db),
    sql<{ org_code: string; m: number; n: number; y: number; f: number; yy: number; ff: number; yf: number }>`
      SELECT h.org_code, extract(month FROM h.surveyed_on)::int AS m, count(*)::int AS n,
             sum(h.fields_correct)::bigint AS y, sum(h.fields_checked)::bigint AS f,
             sum(h.fields_correct::bigint * h.fields_correct)::bigint AS yy,
             sum(h.fields_checked::bigint * h.fields_checked)::bigint AS ff,
             sum(h.fields_correct::bigint * h.fields_checked)::bigint AS yf
        FROM field_audit_household h
       WHERE h.org_code LIKE ${prefix} AND h.fields_checked > 0
         AND h.surveyed_on BETWEEN ${from}::date AND ${to}::date
       GROUP BY 1, 2`.execute(db),
  ]);
  const cube: QualityCube = { flows: new Map(), stocks: new Map() };
  for (const row of feeds.rows) {
    for (const code of rollupCodes(row.org_code, root))
      addTo(cube.flows, `${code}|${row.m}`, FLOW_SIZE, [
        [FLOW.feedLinked, row.linked],
        [FLOW.feedKnown, row.known],
      ]);
  }
  for (const row of audits.rows) {
    for (const code of rollupCodes(row.org_code, root))
      addTo(cube.flows, `${code}|${row.m}`, FLOW_SIZE, [
        [FLOW.auditHouseholds, row.n],
        [FLOW.auditedCorrect, Number(row.y)],
        [FLOW.auditedFields, Number(row.f)],
        [FLOW.correctSquared, Number(row.yy)],
        [FLOW.fieldsSquared, Number(row.ff)],
        [FLOW.correctTimesFields, Number(row.yf)],
      ]);
  }
  for (const row of records.rows) {
    const date = dates[row.i]!;
    for (const code of rollupCodes(row.org_code, root))
      addTo(cube.stocks, `${code}|${date}`, 2, [
        [STOCK.records, row.n],
        [STOCK.completeRecords, row.c],
      ]);
  }
  return cube;
}

/** The flow sums of a unit over some months. */
export function sumQualityFlows(cube: QualityCube, unit: string, months: readonly number[]): Float64Array {
  const total = new Float64Array(FLOW_SIZE);
  for (const month of months) {
    const cell = cube.flows.get(`${unit}|${month}`);
    if (!cell) continue;
    for (let i = 0; i < FLOW_SIZE; i++) total[i]! += cell[i]!;
  }
  return total;
}

/** The value of a quality measure for a unit, the period's months and its last date. */
export function qualityMeasureValue(
  cube: QualityCube,
  unit: string,
  months: readonly number[],
  endDate: string,
  measure: QualityMeasure,
): number {
  if (measure === 'records' || measure === 'completeRecords') {
    return cube.stocks.get(`${unit}|${endDate}`)?.[STOCK[measure]] ?? 0;
  }
  return sumQualityFlows(cube, unit, months)[FLOW[measure]]!;
}

export interface ClusteredShare {
  value: number | null;
  interval: Interval | null;
  /** The design effect: the variance over what simple random sampling of fields would give. */
  designEffect: number | null;
  flags: Flag[];
}

/**
 * A share estimated from a cluster sample (fields within households) with a 95% interval:
 * Wilson's interval on the effective sample size n / deff, so it stays inside [0, 1] when almost
 * every field is right (where a plain ± 1.96·SE interval would cross 100%). `variance` is the
 * variance of the estimate from the design (e.g. the ratio estimator's linearisation).
 */
export function clusteredShareInterval(
  estimate: number,
  variance: number,
  fields: number,
  per = 100,
  level = 0.95,
): ClusteredShare {
  if (fields <= 0) {
    return {
      value: null,
      interval: null,
      designEffect: null,
      flags: [{ code: 'zero_denominator', message: text('没有核查的字段', 'No fields were checked') }],
    };
  }
  const srs = (estimate * (1 - estimate)) / fields;
  const designEffect = variance > 0 && srs > 0 ? variance / srs : 1;
  const effective = fields / designEffect;
  const interval = wilsonInterval(estimate * effective, effective, level);
  return {
    value: estimate * per,
    interval: {
      level,
      method: 'wilson-design-effect',
      lower: interval.lower === null ? null : interval.lower * per,
      upper: interval.upper === null ? null : interval.upper * per,
    },
    designEffect,
    flags: [],
  };
}

/**
 * Accuracy from the cube's cluster sums, treating the surveyed households of the unit as a
 * simple random sample of clusters: the ratio estimator Σy/Σm and its linearised variance
 * n/(n−1)·Σ(y − R·m)² / (Σm)², expanded so it rolls up from sums.
 */
export function accuracyFromSums(sums: Float64Array, per = 100): ClusteredShare {
  const n = sums[FLOW.auditHouseholds]!;
  const y = sums[FLOW.auditedCorrect]!;
  const m = sums[FLOW.auditedFields]!;
  if (m <= 0) return clusteredShareInterval(0, 0, 0, per);
  const r = y / m;
  const residuals =
    sums[FLOW.correctSquared]! - 2 * r * sums[FLOW.correctTimesFields]! + r * r * sums[FLOW.fieldsSquared]!;
  const variance = n > 1 ? ((n / (n - 1)) * Math.max(0, residuals)) / (m * m) : 0;
  const result = clusteredShareInterval(r, variance, m, per);
  if (n < 30) {
    result.flags.push({
      code: 'few_clusters',
      message: text(
        `仅抽查 ${n} 户（少于 30 户），区间仅供参考`,
        `Only ${n} households surveyed (fewer than 30): the interval is approximate`,
      ),
    });
  }
  return result;
}
