import { sql } from 'kysely';
import { type Period, parsePeriod } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { eligibleMonthsSql, eligibleSql, type Window } from './eligibility-sql.ts';
import { getProgrammeVersion, type ProgrammeVersion } from './programme.ts';

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
}

export interface ScreenResult {
  programme: ProgrammeVersion;
  period: Period;
  candidates: ScreenCandidate[];
  /** Candidates per township, for the township's work list. */
  byTownship: { townshipCode: string | null; count: number }[];
}

/** The window a programme's rules are judged over for a period (a one-time programme: the period). */
export function windowOf(period: Period): Window {
  return { start: period.start, end: period.end };
}

/**
 * Screens the registry for persons likely eligible for a programme in a period and not enrolled
 * (no applied, reviewed or approved entitlement): the list a township works through. Only what
 * the registry knows can be screened: a child whose birth was never registered is not on it.
 */
export async function screenEligible(
  db: Tx,
  input: { countyCode: string; programmeId: string; period: string; unit?: string },
): Promise<ScreenResult> {
  const period = parsePeriod(input.period);
  const programme = await getProgrammeVersion(db, input.programmeId, period.end);
  const w = windowOf(period);
  const definition = programme.definition;
  const months = definition.proRateByMonths
    ? eligibleMonthsSql(definition, w, {
        programmeFrom: programme.effectiveFrom,
        entitlementStart: sql`p.birth_date`,
        entitlementEnd: sql`NULL::date`,
      })
    : sql<null>`NULL::int`;
  const result = await sql<ScreenCandidate>`
    SELECT * FROM (
      SELECT p.id AS "personId", p.name, p.id_number AS "idNumber", p.sex, p.birth_date AS "birthDate",
             p.current_org_code AS "orgCode", left(p.current_org_code, 9) AS "townshipCode",
             p.mother_id AS "motherId", p.father_id AS "fatherId", p.household_id AS "householdId",
             ${months} AS months,
             (SELECT e.status FROM entitlement e WHERE e.county_code = p.county_code AND e.programme_id = ${programme.programmeId}
                 AND e.person_id = p.id ORDER BY e.id DESC LIMIT 1) AS "previousStatus"
        FROM person p
       WHERE p.county_code = ${input.countyCode}
         AND ${input.unit ? sql`p.current_org_code LIKE ${`${input.unit}%`}` : sql`true`}
         AND ${eligibleSql(definition, w)}
         AND NOT EXISTS (SELECT 1 FROM entitlement e
                          WHERE e.county_code = p.county_code AND e.programme_id = ${programme.programmeId}
                            AND e.person_id = p.id AND e.status IN ('applied', 'reviewed', 'approved'))
    ) c
    WHERE c.months IS NULL OR c.months > 0
    ORDER BY "orgCode", "birthDate", "personId"`.execute(db);
  const counts = new Map<string | null, number>();
  for (const c of result.rows) counts.set(c.townshipCode, (counts.get(c.townshipCode) ?? 0) + 1);
  return {
    programme,
    period,
    candidates: result.rows,
    byTownship: [...counts].map(([townshipCode, count]) => ({ townshipCode, count })),
  };
}
