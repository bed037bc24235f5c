import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { todayInChina } from '../domain/dates.ts';
import { AppError, fieldIssue, invalidInput } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { type BirthCells, type BirthCompleteness, estimateBirthCompleteness } from './birth-completeness.ts';

/**
 * Birth completeness per township and year from the database: the registry's births, the hospital
 * birth certificates (feed_record rows of birth_certificate batches with event_kind birth, placed
 * by org_code and event_date at ingestion) and the certificates linked to a registry person with
 * a registry birth. The counting is SQL (one pass per list); the estimate is the pure module.
 *
 * Where a certificate is linked, it counts where and when the registry has the birth, so every
 * matched birth is in both lists' counts of one cell; an unlinked certificate counts where its own
 * address and date put it. The mother is "away" when the registry has her on an outflow spell on
 * the day of the birth.
 */

/** Days after a year's end before its estimate is trusted: the newest births have not reached either list yet. */
export const SETTLING_DAYS = 90;

export interface CompletenessRow extends BirthCompleteness {
  unit: string;
  unitName: string;
}

export interface CompletenessReport {
  unit: string;
  unitName: string;
  year: number;
  rows: CompletenessRow[];
  total: CompletenessRow;
  /** Certificates of the year with no unit (address not placed) and not linked: in no township's count. */
  unplacedCertificates: number;
  notes: { code: string; message: Text }[];
}

interface CellRow {
  township: string;
  away: boolean;
  n1: number;
  n2: number;
  m: number;
}

function emptyCells(): BirthCells {
  return { here: { n1: 0, n2: 0, m: 0 }, away: { n1: 0, n2: 0, m: 0 } };
}

/** The 2×2 counts per township of the unit for one year, by the mother's residence. */
async function countCells(db: Kysely<Schema>, county: string, unit: string, year: number) {
  const from = `${year}-01-01`;
  const to = `${year + 1}-01-01`;
  const result = await sql<CellRow>`
    WITH reg AS (
      SELECT e.id, e.person_id, left(e.org_code, 9) AS township, e.event_date,
             EXISTS (
               SELECT 1 FROM residence_spell s
                WHERE s.county_code = e.county_code
                  AND s.person_id = coalesce((e.details->>'motherId')::bigint, p.mother_id)
                  AND NOT s.voided AND s.residence_type = 'outflow'
                  AND s.valid_from <= e.event_date AND (s.valid_to IS NULL OR s.valid_to > e.event_date)
             ) AS away
        FROM vital_event e
        JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE e.county_code = ${county} AND e.kind = 'birth' AND NOT e.voided
         AND p.status NOT IN ('voided', 'merged')
    ),
    hosp AS (
      SELECT coalesce(r.township, left(f.org_code, 9)) AS township,
             coalesce(r.event_date, f.event_date) AS event_date,
             r.id IS NOT NULL AS matched,
             coalesce(r.away, false) AS away
        FROM feed_record f
        JOIN feed_batch b ON b.id = f.batch_id AND b.source = 'birth_certificate'
        LEFT JOIN LATERAL (
          SELECT reg.* FROM reg
           WHERE f.link_status = 'linked' AND reg.person_id = f.person_id
           ORDER BY reg.event_date, reg.id LIMIT 1
        ) r ON true
       WHERE f.county_code = ${county} AND f.event_kind = 'birth'
    ),
    cells AS (
      SELECT township, away, 1 AS n1, 0 AS n2, 0 AS m FROM reg
       WHERE event_date >= ${from}::date AND event_date < ${to}::date
      UNION ALL
      SELECT coalesce(township, ''), away, 0, 1, CASE WHEN matched THEN 1 ELSE 0 END FROM hosp
       WHERE event_date >= ${from}::date AND event_date < ${to}::date
    )
    SELECT township, away, sum(n1)::int AS n1, sum(n2)::int AS n2, sum(m)::int AS m
      FROM cells
     WHERE township = '' OR township LIKE ${`${unit.slice(0, 9)}%`}
     GROUP BY township, away
     ORDER BY township, away`.execute(db);
  return result.rows;
}

/** Completeness of births per township of a unit (county or township) in one year, with the unit's total. */
export async function getBirthCompleteness(
  db: Kysely<Schema>,
  input: { unit: string; year: number; today?: string },
): Promise<CompletenessReport> {
  if (!Number.isInteger(input.year) || input.year < 1949 || input.year > 2200) {
    throw invalidInput([
      fieldIssue('invalid_year', 'year', `年份无效：${input.year}`, `Not a year: ${input.year}`),
    ]);
  }
  const unit = await db
    .selectFrom('org_unit')
    .select(['code', 'name', 'level', 'county_code'])
    .where('code', '=', input.unit)
    .executeTakeFirst();
  if (!unit?.county_code || !['county', 'township'].includes(unit.level)) {
    throw new AppError(
      'unknown_org_unit',
      text(`没有代码为 ${input.unit} 的县或乡镇`, `No county or township with code ${input.unit}`),
      { field: 'unit' },
    );
  }
  const townships = await db
    .selectFrom('org_unit')
    .select(['code', 'name'])
    .where('level', '=', 'township')
    .where('code', 'like', `${unit.code}%`)
    .orderBy('code')
    .execute();
  const cells = await countCells(db, unit.county_code, unit.code, input.year);
  const official = new Map(
    (
      await db
        .selectFrom('official_birth_figure')
        .select(['org_code', 'births'])
        .where('year', '=', input.year)
        .where('org_code', 'like', `${unit.code}%`)
        .execute()
    ).map((o) => [o.org_code, o.births]),
  );
  const byTownship = new Map<string, BirthCells>();
  const total = emptyCells();
  let unplaced = 0;
  for (const c of cells) {
    if (c.township === '') {
      unplaced += c.n2;
      continue;
    }
    const target = byTownship.get(c.township) ?? emptyCells();
    byTownship.set(c.township, target);
    for (const cell of [target, total]) {
      const stratum = cell[c.away ? 'away' : 'here'];
      stratum.n1 += c.n1;
      stratum.n2 += c.n2;
      stratum.m += c.m;
    }
  }
  const rows = townships.map((t) => ({
    unit: t.code,
    unitName: t.name,
    ...estimateBirthCompleteness(byTownship.get(t.code) ?? emptyCells(), official.get(t.code)),
  }));
  const notes: CompletenessReport['notes'] = [];
  const settled = new Date(Date.UTC(input.year + 1, 0, 1 + SETTLING_DAYS)).toISOString().slice(0, 10);
  if ((input.today ?? todayInChina()) < settled) {
    notes.push({
      code: 'recent_period',
      message: text(
        `${input.year} 年结束还不到 ${SETTLING_DAYS} 天：年末的出生两个来源都可能还没报上来，估计会偏低，区间可能过窄`,
        `Fewer than ${SETTLING_DAYS} days since ${input.year} ended: the last births may be in neither list yet, so the estimate may be low and its interval too narrow`,
      ),
    });
  }
  if (unplaced > 0) {
    notes.push({
      code: 'unplaced_certificates',
      message: text(
        `${unplaced} 份出生医学证明的地址无法定位到乡镇，未计入`,
        `${unplaced} birth certificates could not be placed in a township and are not counted`,
      ),
    });
  }
  return {
    unit: unit.code,
    unitName: unit.name,
    year: input.year,
    rows,
    total: {
      unit: unit.code,
      unitName: unit.name,
      ...estimateBirthCompleteness(total, official.get(unit.code)),
    },
    unplacedCertificates: unplaced,
    notes,
  };
}

/** The most births an official figure may state: far above any county's year. */
export const MAX_OFFICIAL_BIRTHS = 1_000_000;

/** Enters (or replaces) the statistics bureau's birth figure for a unit and year. */
export async function setOfficialBirths(
  db: Kysely<Schema>,
  input: { unit: string; year: number; births: number; source?: string | null; actor: string },
) {
  const issues = [];
  if (!Number.isInteger(input.year) || input.year < 1949 || input.year > 2200) {
    issues.push(fieldIssue('invalid_year', 'year', `年份无效：${input.year}`, `Not a year: ${input.year}`));
  }
  if (!Number.isInteger(input.births) || input.births < 0) {
    issues.push(
      fieldIssue(
        'invalid_births',
        'births',
        `出生数应为非负整数：${input.births}`,
        `Births must be a whole number ≥ 0`,
      ),
    );
  } else if (input.births > MAX_OFFICIAL_BIRTHS) {
    // More than any county has in a year (and more than the integer column holds, from 2^31).
    issues.push(
      fieldIssue(
        'too_large',
        'births',
        `出生数不能超过 ${MAX_OFFICIAL_BIRTHS}：${input.births}`,
        `Births cannot be more than ${MAX_OFFICIAL_BIRTHS}: ${input.births}`,
      ),
    );
  }
  if (issues.length > 0) throw invalidInput(issues);
  const unit = await db
    .selectFrom('org_unit')
    .select(['code', 'county_code', 'level'])
    .where('code', '=', input.unit)
    .executeTakeFirst();
  if (!unit?.county_code || !['county', 'township'].includes(unit.level)) {
    throw new AppError(
      'unknown_org_unit',
      text(`没有代码为 ${input.unit} 的县或乡镇`, `No county or township with code ${input.unit}`),
      { field: 'unit' },
    );
  }
  const values = {
    county_code: unit.county_code,
    org_code: unit.code,
    year: input.year,
    births: input.births,
    source: input.source ?? null,
    entered_by: input.actor,
  };
  return db
    .insertInto('official_birth_figure')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['org_code', 'year']).doUpdateSet({
        births: input.births,
        source: input.source ?? null,
        entered_by: input.actor,
        entered_at: sql`now()`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
