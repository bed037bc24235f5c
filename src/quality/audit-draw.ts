import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import type { Actor } from '../registry/context.ts';
import { AUDIT_FIELD_IDS } from './audit-fields.ts';

/**
 * Drawing a field audit's sample (入户抽查): a stratified random sample of households, strata
 * the unit's child units (townships of a county, villages of a township), sizes allocated in
 * proportion to the strata's frames. Within a stratum the households are ordered by
 * md5(county:seed:stratum:household id) and the first n_h drawn — so the sample follows from the
 * seed and the frame alone: anyone can re-draw it, and no one can pick households. The seed,
 * the frame's size and its SHA-256 are recorded with the audit; draws are never deleted.
 */

export interface DrawAuditInput {
  unit: string;
  year: number;
  households: number;
  /** Any text; a random one is made (and recorded) when absent. */
  seed?: string | undefined;
  actor: Actor;
}

export interface DrawnAudit {
  id: number;
  countyCode: string;
  unitCode: string;
  year: number;
  seed: string;
  frameHouseholds: number;
  framePersons: number;
  frameDigest: string;
  strata: { code: string; frame: number; sample: number }[];
  sampledHouseholds: number;
  sampledPersons: number;
}

/**
 * Proportional allocation by largest remainder: at least one household per non-empty stratum
 * when there are enough, never more than the stratum has.
 */
export function allocateSample(frames: readonly number[], total: number): number[] {
  const size = frames.reduce((a, b) => a + b, 0);
  if (total >= size) return [...frames];
  const nonEmpty = frames.filter((f) => f > 0).length;
  const floor = total >= nonEmpty ? 1 : 0;
  const alloc: number[] = frames.map((f) => (f > 0 ? floor : 0));
  let left = total - alloc.reduce((a, b) => a + b, 0);
  const quota = frames.map((f) => (f * total) / size);
  // Hand out the rest by quota minus what each already has, largest first (ties: earlier stratum).
  while (left > 0) {
    let best = -1;
    let bestGap = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < frames.length; i++) {
      if (alloc[i]! >= frames[i]!) continue;
      const gap = quota[i]! - alloc[i]!;
      if (gap > bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    if (best < 0) break;
    alloc[best]! += 1;
    left -= 1;
  }
  return alloc;
}

/** SQL for the registry's values of the audited fields of person `p`, as a jsonb object. */
export function registrySnapshotSql(p = 'p'): string {
  return `jsonb_build_object(
    'name', ${p}.name, 'sex', ${p}.sex, 'birth_date', ${p}.birth_date::text, 'id_number', ${p}.id_number,
    'ethnicity', ${p}.ethnicity, 'marital_status', ${p}.marital_status,
    'residence', CASE ${p}.status WHEN 'dead' THEN 'dead' WHEN 'moved_out' THEN 'moved_out'
                 ELSE ${p}.current_residence_type END)`;
}

const CHILD_LENGTH: Record<number, number> = { 6: 9, 9: 12, 12: 12 };

/** Draws, records and returns a field audit's household sample, in one transaction. */
export async function drawAudit(db: Kysely<Schema>, input: DrawAuditInput): Promise<DrawnAudit> {
  const shape = checkOrgCode(input.unit, 'unit');
  if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
  const unit = normaliseOrgCode(input.unit);
  if (unit.length < 6) {
    throw new AppError(
      'invalid_input',
      text('抽查以县、乡镇或村为单位', 'An audit is of a county, a township or a village'),
      { field: 'unit' },
    );
  }
  if (!Number.isInteger(input.households) || input.households < 1 || input.households > 100_000) {
    throw new AppError(
      'invalid_input',
      text('抽查户数应为 1 到 100000 的整数', 'Households must be a whole number from 1 to 100,000'),
      { field: 'households' },
    );
  }
  if (!Number.isInteger(input.year) || input.year < 1950 || input.year > 2200) {
    throw new AppError('invalid_input', text('年份不对', 'Not a year'), { field: 'year' });
  }
  const known = await db.selectFrom('org_unit').select('code').where('code', '=', unit).executeTakeFirst();
  if (!known) {
    throw new AppError('not_found', text(`没有代码为 ${unit} 的单位`, `No unit with code ${unit}`), {
      field: 'unit',
    });
  }
  const county = unit.slice(0, 6);
  const seed = input.seed?.trim() || randomBytes(8).toString('hex');
  const length = CHILD_LENGTH[unit.length]!;
  const prefix = `${unit}%`;

  return db.transaction().execute(async (trx) => {
    // The frame: active households of the unit with at least one active member, now.
    await sql`
      CREATE TEMP TABLE audit_frame ON COMMIT DROP AS
      SELECT h.id AS household_id, left(h.org_code, ${length}) AS stratum, h.org_code,
             (SELECT count(*) FROM person p WHERE p.county_code = h.county_code AND p.household_id = h.id
                 AND p.status = 'active')::int AS members
        FROM household h
       WHERE h.county_code = ${county} AND h.org_code LIKE ${prefix} AND h.status = 'active'`.execute(trx);
    await sql`DELETE FROM audit_frame WHERE members = 0`.execute(trx);
    const strata = (
      await sql<{ stratum: string; n: number; persons: number }>`
        SELECT stratum, count(*)::int AS n, sum(members)::int AS persons
          FROM audit_frame GROUP BY 1 ORDER BY 1`.execute(trx)
    ).rows;
    const frameHouseholds = strata.reduce((a, s) => a + s.n, 0);
    if (frameHouseholds === 0) {
      throw new AppError(
        'not_found',
        text(`单位 ${unit} 没有可抽查的户`, `Unit ${unit} has no households to audit`),
        { field: 'unit' },
      );
    }
    const digest = (
      await sql<{ digest: string }>`
        SELECT encode(sha256(convert_to(string_agg(stratum || ':' || household_id, ',' ORDER BY stratum, household_id), 'UTF8')), 'hex') AS digest
          FROM audit_frame`.execute(trx)
    ).rows[0]!.digest;
    const allocation = allocateSample(
      strata.map((s) => s.n),
      input.households,
    );
    const audit = await trx
      .insertInto('field_audit')
      .values({
        county_code: county,
        unit_code: unit,
        year: input.year,
        households_requested: input.households,
        seed,
        frame_households: frameHouseholds,
        frame_persons: strata.reduce((a, s) => a + s.persons, 0),
        frame_digest: digest,
        fields: JSON.stringify(AUDIT_FIELD_IDS),
        drawn_by: input.actor.id,
      })
      .returning(['id', 'frame_persons'])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('field_audit_stratum')
      .values(
        strata.map((s, i) => ({
          county_code: county,
          audit_id: audit.id,
          stratum_code: s.stratum,
          frame_households: s.n,
          sample_households: allocation[i]!,
        })),
      )
      .execute();
    await sql`
      INSERT INTO field_audit_household (county_code, audit_id, household_id, stratum_code, org_code, draw_rank)
      SELECT ${county}, ${audit.id}, r.household_id, r.stratum, r.org_code, r.rank
        FROM (SELECT f.*, row_number() OVER (
                       PARTITION BY f.stratum
                       ORDER BY md5(${county} || ':' || ${seed} || ':' || f.stratum || ':' || f.household_id), f.household_id
                     )::int AS rank
                FROM audit_frame f) r
        JOIN field_audit_stratum s ON s.county_code = ${county} AND s.audit_id = ${audit.id} AND s.stratum_code = r.stratum
       WHERE r.rank <= s.sample_households`.execute(trx);
    const persons = await sql<{ n: number }>`
      WITH ins AS (
        INSERT INTO field_audit_person (county_code, audit_id, household_id, person_id, registry)
        SELECT ${county}, ${audit.id}, h.household_id, p.id, ${sql.raw(registrySnapshotSql('p'))}
          FROM field_audit_household h
          JOIN person p ON p.county_code = h.county_code AND p.household_id = h.household_id AND p.status = 'active'
         WHERE h.county_code = ${county} AND h.audit_id = ${audit.id}
         ORDER BY h.household_id, (p.relation_to_head = 'head') DESC NULLS LAST, p.birth_date, p.id
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(trx);
    return {
      id: audit.id,
      countyCode: county,
      unitCode: unit,
      year: input.year,
      seed,
      frameHouseholds,
      framePersons: audit.frame_persons,
      frameDigest: digest,
      strata: strata.map((s, i) => ({ code: s.stratum, frame: s.n, sample: allocation[i]! })),
      sampledHouseholds: allocation.reduce((a, b) => a + b, 0),
      sampledPersons: persons.rows[0]!.n,
    };
  });
}
