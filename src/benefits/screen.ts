import { sql } from 'kysely';
import { type Text, text } from '../domain/i18n.ts';
import { type Period, parsePeriod } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { knownDuplicates } from './duplicates.ts';
import { eligibleMonthsSql, eligibleSql, hukouSql, type Window } from './eligibility-sql.ts';
import { getProgrammeForPeriod, needsHukou, type ProgrammeVersion } from './programme.ts';

/** Why a listed person needs a look before an application can go through. */
export interface ReviewReason {
  code: 'hukou_missing';
  message: Text;
}

export const HUKOU_MISSING: ReviewReason = {
  code: 'hukou_missing',
  message: text(
    '户籍性质缺失：请先在登记库补录户籍性质（农村/城镇），再判断是否符合条件及金额',
    'Hukou type missing: record it (rural/urban) in the registry before eligibility and amount can be judged',
  ),
};

export interface ScreenCandidate {
  personId: number;
  name: string;
  idNumber: string | null;
  sex: string;
  birthDate: string;
  orgCode: string | null;
  townshipCode: string | null;
  motherId: number | null;
  fatherId: number | null;
  householdId: number | null;
  /** Months of the period the person would be paid for (pro-rated programmes), else null. */
  months: number | null;
  /** The status of an earlier entitlement that ended (rejected or stopped), if any. */
  previousStatus: string | null;
  /** Reasons to look before applying (e.g. 户籍性质缺失); empty when none. */
  needsReview: ReviewReason[];
  /** Other registry records known to be this person (to merge); they are not listed themselves. */
  duplicateRecordIds: number[];
}

/** A screened record not listed because it is a known duplicate of a listed or enrolled record. */
export interface HeldDuplicate {
  personId: number;
  /** The record listed, or the record with a live entitlement, for the same person. */
  sameAs: number;
  reason: 'listed' | 'enrolled';
}

export interface ScreenResult {
  programme: ProgrammeVersion;
  period: Period;
  candidates: ScreenCandidate[];
  /** Records of a person listed (or enrolled) under another record: never listed twice. */
  heldAsDuplicates: HeldDuplicate[];
  /** Candidates per township, for the township's work list. */
  byTownship: { townshipCode: string | null; count: number }[];
}

/** The screen as GET /api/benefits/screen sends it: the period by its id, without the programme. */
export type ScreenSummary = Omit<ScreenResult, 'programme' | 'period'> & { period: string };

/** The window a programme's rules are judged over for a period (a one-time programme: the period). */
export function windowOf(period: Period): Window {
  return { start: period.start, end: period.end };
}

/**
 * Screens the registry for persons likely eligible for a programme in a period and not enrolled
 * (no applied, reviewed or approved entitlement): the list a township works through. Only what
 * the registry knows can be screened: a child whose birth was never registered is not on it.
 * A person with known duplicate records is listed once (and not at all when another of their
 * records is enrolled); a person whose hukou type the programme needs but the registry lacks is
 * listed with the reason 户籍性质缺失, never assumed rural or urban.
 */
export async function screenEligible(
  db: Tx,
  input: { countyCode: string; programmeId: string; period: string; unit?: string },
): Promise<ScreenResult> {
  const period = parsePeriod(input.period);
  const w = windowOf(period);
  const programme = await getProgrammeForPeriod(db, input.programmeId, w);
  const definition = programme.definition;
  const months = definition.proRateByMonths
    ? eligibleMonthsSql(definition, w, {
        programmeFrom: programme.effectiveFrom,
        entitlementStart: sql`p.birth_date`,
        entitlementEnd: sql`NULL::date`,
      })
    : sql<null>`NULL::int`;
  const hukouMatters = needsHukou(definition);
  const result = await sql<
    Omit<ScreenCandidate, 'needsReview' | 'duplicateRecordIds'> & { hukouMissing: boolean }
  >`
    SELECT * FROM (
      SELECT p.id AS "personId", p.name, p.id_number AS "idNumber", p.sex, p.birth_date AS "birthDate",
             p.current_org_code AS "orgCode", left(p.current_org_code, 9) AS "townshipCode",
             p.mother_id AS "motherId", p.father_id AS "fatherId", p.household_id AS "householdId",
             ${months} AS months, (${hukouSql} IS NULL) AS "hukouMissing",
             (SELECT e.status FROM entitlement e WHERE e.county_code = p.county_code AND e.programme_id = ${programme.programmeId}
                 AND e.person_id = p.id ORDER BY e.id DESC LIMIT 1) AS "previousStatus"
        FROM person p
       WHERE p.county_code = ${input.countyCode}
         AND ${input.unit ? sql`p.current_org_code LIKE ${`${input.unit}%`}` : sql`true`}
         AND ${eligibleSql(definition, w, { hukouUnknown: 'pass' })}
         AND NOT EXISTS (SELECT 1 FROM entitlement e
                          WHERE e.county_code = p.county_code AND e.programme_id = ${programme.programmeId}
                            AND e.person_id = p.id AND e.status IN ('applied', 'reviewed', 'approved'))
    ) c
    WHERE c.months IS NULL OR c.months > 0
    ORDER BY "orgCode", "birthDate", "personId"`.execute(db);
  const groups = await knownDuplicates(db, input.countyCode);
  const grouped = result.rows.filter((c) => groups.membersOf(c.personId).length > 1);
  const enrolledOf = new Map<number, number>();
  if (grouped.length > 0) {
    const members = [...new Set(grouped.flatMap((c) => groups.membersOf(c.personId)))];
    const live = await db
      .selectFrom('entitlement')
      .select('person_id')
      .where('county_code', '=', input.countyCode)
      .where('programme_id', '=', programme.programmeId)
      .where('status', 'in', ['applied', 'reviewed', 'approved'])
      .where('person_id', 'in', members)
      .orderBy('person_id')
      .execute();
    for (const row of live) {
      const group = groups.groupOf(row.person_id);
      if (!enrolledOf.has(group)) enrolledOf.set(group, row.person_id);
    }
  }
  // Within a group, a record with an ID number is listed, else the record with the lowest id.
  const preferred = new Map<number, (typeof result.rows)[number]>();
  for (const c of result.rows) {
    const group = groups.groupOf(c.personId);
    const best = preferred.get(group);
    const better =
      !best ||
      (c.idNumber !== null && best.idNumber === null) ||
      ((c.idNumber !== null) === (best.idNumber !== null) && c.personId < best.personId);
    if (better) preferred.set(group, c);
  }
  const candidates: ScreenCandidate[] = [];
  const heldAsDuplicates: HeldDuplicate[] = [];
  for (const { hukouMissing, ...c } of result.rows) {
    const group = groups.groupOf(c.personId);
    const enrolled = enrolledOf.get(group);
    if (enrolled !== undefined) {
      heldAsDuplicates.push({ personId: c.personId, sameAs: enrolled, reason: 'enrolled' });
      continue;
    }
    const listed = preferred.get(group)!;
    if (listed.personId !== c.personId) {
      heldAsDuplicates.push({ personId: c.personId, sameAs: listed.personId, reason: 'listed' });
      continue;
    }
    candidates.push({
      ...c,
      needsReview: hukouMatters && hukouMissing ? [HUKOU_MISSING] : [],
      duplicateRecordIds: groups.membersOf(c.personId).filter((id) => id !== c.personId),
    });
  }
  const counts = new Map<string | null, number>();
  for (const c of candidates) counts.set(c.townshipCode, (counts.get(c.townshipCode) ?? 0) + 1);
  return {
    programme,
    period,
    candidates,
    heldAsDuplicates,
    byTownship: [...counts].map(([townshipCode, count]) => ({ townshipCode, count })),
  };
}
