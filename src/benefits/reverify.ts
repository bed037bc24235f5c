import { sql } from 'kysely';
import { isCalendarDate } from '../domain/dates.ts';
import { fieldIssue, invalidInput } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { type CommandContext, todayOf } from '../registry/context.ts';
import { aliveSql, hukouSql, ruleLabel, ruleSql } from './eligibility-sql.ts';
import { getProgrammeVersion, needsHukou } from './programme.ts';
import { HUKOU_MISSING } from './screen.ts';

export interface ReverifyFinding {
  entitlementId: number;
  personId: number;
  orgCode: string;
  /**
   * died | record_voided | rule (a rule no longer met) | hukou_missing (the hukou type the
   * programme reads is gone from the registry: listed for review, never stopped by `apply`).
   */
  reason: 'died' | 'record_voided' | 'rule' | 'hukou_missing';
  /** The rules no longer met (reason rule), or what to record (reason hukou_missing). */
  failed: Text[];
  /** The last day of eligibility the stop records. */
  endDate: string;
}

/**
 * Annual re-verification (审验): every approved entitlement of a programme checked against the
 * registry on a date — alive, still living here, still meeting every rule. Returns those who no
 * longer are; with `apply`, stops them (status stopped, end date, reason), so no later payment
 * batch pays them (and the ledger's guard refuses a payment after death or the end date anyway).
 */
export async function reverifyEntitlements(
  context: CommandContext,
  input: { countyCode: string; programmeId: string; asOf?: string; apply?: boolean },
) {
  const asOf = input.asOf ?? todayOf(context);
  if (!isCalendarDate(asOf)) {
    throw invalidInput([
      fieldIssue('invalid_date', 'asOf', '审验日期应为 YYYY-MM-DD', 'The date must be YYYY-MM-DD'),
    ]);
  }
  const programme = await getProgrammeVersion(context.db, input.programmeId, asOf);
  const rules = programme.definition.rules;
  const w = { start: asOf, end: asOf };
  // A missing hukou type passes the hukou rules here and is a finding of its own.
  const ruleColumns = rules.map(
    (r, i) => sql`coalesce(${ruleSql(r, w, { hukouUnknown: 'pass' })}, false) AS ${sql.ref(`r${i}`)}`,
  );
  const hukouMatters = needsHukou(programme.definition);
  const ageRule = rules.find((r) => r.rule === 'ageUnderMonths');
  const result = await sql<
    Record<string, unknown> & {
      id: number;
      person_id: number;
      org_code: string;
      start_date: string;
      death_date: string | null;
      status: string;
      alive: boolean;
      aged_out: string | null;
      hukou_missing: boolean;
    }
  >`
    SELECT e.id, e.person_id, e.org_code, e.start_date, p.death_date, p.status,
           coalesce(${aliveSql(w)}, false) AS alive,
           ${
             ageRule && ageRule.rule === 'ageUnderMonths'
               ? sql`(date_trunc('month', p.birth_date) + make_interval(months => ${ageRule.months}::int) - interval '1 day')::date`
               : sql`NULL::date`
           } AS aged_out, (${hukouSql} IS NULL) AS hukou_missing
           ${ruleColumns.length ? sql`, ${sql.join(ruleColumns)}` : sql``}
      FROM entitlement e
      JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
     WHERE e.county_code = ${input.countyCode} AND e.programme_id = ${programme.programmeId}
       AND e.status = 'approved'
     ORDER BY e.org_code, e.id`.execute(context.db);

  const findings: ReverifyFinding[] = [];
  for (const row of result.rows) {
    const failed = rules.map((rule, i) => ({ rule, met: row[`r${i}`] === true })).filter((r) => !r.met);
    if (row.alive && failed.length === 0) {
      if (hukouMatters && row.hukou_missing) {
        findings.push({
          entitlementId: row.id,
          personId: row.person_id,
          orgCode: row.org_code,
          reason: 'hukou_missing',
          failed: [HUKOU_MISSING.message],
          endDate: asOf,
        });
      }
      continue;
    }
    let reason: ReverifyFinding['reason'] = 'rule';
    let endDate = asOf;
    if (row.status === 'voided' || row.status === 'merged') reason = 'record_voided';
    else if (!row.alive && row.death_date) {
      reason = 'died';
      endDate = row.death_date;
    } else if (failed.length === 1 && failed[0]!.rule.rule === 'ageUnderMonths' && row.aged_out) {
      endDate = [row.aged_out, asOf].sort()[0]!;
    }
    if (endDate < row.start_date) endDate = row.start_date;
    findings.push({
      entitlementId: row.id,
      personId: row.person_id,
      orgCode: row.org_code,
      reason,
      failed: reason === 'rule' ? failed.map((f) => ruleLabel(f.rule)) : [],
      endDate,
    });
  }
  const stops = findings.filter((f) => f.reason !== 'hukou_missing');
  if (input.apply && stops.length > 0) {
    await context.db.transaction().execute(async (trx) => {
      for (const f of stops) {
        const why =
          f.reason === 'died'
            ? 'died'
            : f.reason === 'record_voided'
              ? 'record_voided'
              : `no_longer_eligible: ${f.failed.map((l) => l.en).join('; ')}`;
        await trx
          .updateTable('entitlement')
          .set({
            status: 'stopped',
            end_date: f.endDate,
            stop_reason: `${why} (re-verification ${asOf} by ${context.actor.id})`,
            version: sql`version + 1`,
          })
          .where('id', '=', f.entitlementId)
          .where('status', '=', 'approved')
          .execute();
      }
    });
  }
  return {
    programmeId: programme.programmeId,
    asOf,
    checked: result.rows.length,
    stillEligible: result.rows.length - findings.length,
    /** Of the findings, those `apply` stops (a missing hukou type is only listed). */
    toStop: stops.length,
    findings,
    applied: input.apply === true,
    label: text('审验', 'Re-verification'),
  };
}
