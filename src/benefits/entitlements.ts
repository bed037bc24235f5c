import { type Selectable, sql } from 'kysely';
import type { EntitlementTable } from '../db/tables/benefits.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { parsePeriod } from '../domain/period.ts';
import { type CommandContext, type Tx, todayOf } from '../registry/context.ts';
import { type DuplicateGroups, knownDuplicates } from './duplicates.ts';
import { aliveSql, hukouSql, ruleLabel, ruleSql, type Window } from './eligibility-sql.ts';
import { getProgrammeForPeriod, needsHukou, type ProgrammeVersion } from './programme.ts';
import { HUKOU_MISSING, screenEligible, windowOf } from './screen.ts';

export interface RuleCheck {
  label: Text;
  met: boolean;
}

/** Checks each rule of a programme (and being alive) for one person over a window. */
export async function checkRulesFor(
  db: Tx,
  programme: ProgrammeVersion,
  personId: number,
  w: Window,
): Promise<RuleCheck[]> {
  const rules = programme.definition.rules;
  const columns = [aliveSql(w), ...rules.map((r) => ruleSql(r, w))].map(
    (expr, i) => sql`coalesce(${expr}, false) AS ${sql.ref(`r${i}`)}`,
  );
  const result = await sql<Record<string, boolean>>`
    SELECT ${sql.join(columns)} FROM person p WHERE p.id = ${personId}`.execute(db);
  const row = result.rows[0];
  if (!row) {
    throw new AppError(
      'not_found',
      text(`登记库中没有人员 ${personId}`, `No person ${personId} in the registry`),
      {
        field: 'personId',
      },
    );
  }
  return [text('健在', 'alive'), ...rules.map(ruleLabel)].map((label, i) => ({
    label,
    met: row[`r${i}`] === true,
  }));
}

export interface ApplyInput {
  programmeId: string;
  personId: number;
  /** The period the application is judged for (default: today). */
  period?: string;
  payeePersonId?: number | null;
  bankAccount?: string | null;
}

/**
 * An application: checks the person against the programme's rules from the registry and records
 * the entitlement as applied, with the payee (for a child: the mother, else the father). Refused:
 * a person whose hukou type the programme needs but the registry lacks (户籍性质缺失 — record it
 * first), and a person another of whose known duplicate records already has a live entitlement.
 */
export async function applyForBenefit(
  context: CommandContext,
  input: ApplyInput,
  /** The county's known duplicates, when the caller read them already (enrolling a whole list). */
  known?: DuplicateGroups,
) {
  const today = todayOf(context);
  const period = input.period ? parsePeriod(input.period) : undefined;
  const w = period ? windowOf(period) : { start: today, end: today };
  const programme = await getProgrammeForPeriod(context.db, input.programmeId, w);
  return context.db.transaction().execute(async (trx) => {
    const checks = await checkRulesFor(trx, programme, input.personId, w);
    if (needsHukou(programme.definition)) {
      const hukou = await sql<{ hukou: string | null }>`
        SELECT ${hukouSql} AS hukou FROM person p WHERE p.id = ${input.personId}`.execute(trx);
      if (hukou.rows[0]?.hukou == null) {
        throw invalidInput([
          fieldIssue(
            HUKOU_MISSING.code,
            'personId',
            HUKOU_MISSING.message['zh-CN'],
            HUKOU_MISSING.message.en,
          ),
        ]);
      }
    }
    const unmet = checks.filter((c) => !c.met);
    if (unmet.length > 0) {
      throw invalidInput(
        unmet.map((c) =>
          fieldIssue(
            'not_eligible',
            'personId',
            `不符合条件：${c.label['zh-CN']}`,
            `Not eligible: ${c.label.en}`,
          ),
        ),
      );
    }
    const person = await trx
      .selectFrom('person')
      .select([
        'id',
        'county_code',
        'name',
        'id_number',
        'birth_date',
        'mother_id',
        'father_id',
        'current_org_code',
      ])
      .where('id', '=', input.personId)
      .executeTakeFirstOrThrow();
    let payeeId: number = person.id;
    if (input.payeePersonId != null) payeeId = input.payeePersonId;
    else if (programme.definition.subject === 'child')
      payeeId = person.mother_id ?? person.father_id ?? person.id;
    const payee = await trx
      .selectFrom('person')
      .select(['id', 'name', 'id_number', 'death_date'])
      .where('county_code', '=', person.county_code)
      .where('id', '=', payeeId)
      .executeTakeFirst();
    if (!payee) {
      throw invalidInput([
        fieldIssue(
          'person_not_found',
          'payeePersonId',
          '登记库中没有此领取人',
          'The payee is not in the registry',
        ),
      ]);
    }
    const others = (known ?? (await knownDuplicates(trx, person.county_code)))
      .membersOf(person.id)
      .filter((id) => id !== person.id);
    if (others.length > 0) {
      const live = await trx
        .selectFrom('entitlement')
        .select(['id', 'person_id'])
        .where('county_code', '=', person.county_code)
        .where('programme_id', '=', programme.programmeId)
        .where('status', 'in', ['applied', 'reviewed', 'approved'])
        .where('person_id', 'in', others)
        .executeTakeFirst();
      if (live) {
        throw new AppError(
          'duplicate',
          text(
            `此人的另一条登记记录（人员 ${live.person_id}）已有该项目的申请或待遇（${live.id}）；请先合并重复记录`,
            `Another registry record of this person (person ${live.person_id}) already has an application or entitlement in this programme (${live.id}); merge the duplicate records first`,
          ),
          { field: 'personId', details: { personId: live.person_id, entitlementId: live.id } },
        );
      }
    }
    const start =
      programme.definition.subject === 'child'
        ? [person.birth_date, programme.effectiveFrom].sort().at(-1)!
        : [w.start, programme.effectiveFrom].sort().at(-1)!;
    try {
      return await trx
        .insertInto('entitlement')
        .values({
          county_code: person.county_code,
          programme_id: programme.programmeId,
          person_id: person.id,
          payee_person_id: payee.id,
          payee_name: payee.name,
          payee_id_number: payee.id_number,
          bank_account: input.bankAccount?.trim() || null,
          org_code: person.current_org_code ?? person.county_code,
          start_date: start,
          applied_by: context.actor.id,
        })
        .returning(['id', 'programme_id', 'person_id', 'status', 'start_date'])
        .executeTakeFirstOrThrow();
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new AppError(
          'duplicate',
          text(
            '此人已有该项目的申请或待遇',
            'This person already has an application or entitlement in this programme',
          ),
          { field: 'personId' },
        );
      }
      throw error;
    }
  });
}

/** Applications for every screened candidate (a township enrolling its list); a report per person. */
export async function enrolFromScreen(
  context: CommandContext,
  input: { countyCode: string; programmeId: string; period: string; unit?: string },
) {
  const screen = await screenEligible(context.db, input);
  const known = await knownDuplicates(context.db, input.countyCode);
  const report: { personId: number; ok: boolean; entitlementId?: number; issues?: FieldIssue[] }[] = [];
  for (const candidate of screen.candidates) {
    try {
      const row = await applyForBenefit(
        context,
        { programmeId: input.programmeId, personId: candidate.personId, period: input.period },
        known,
      );
      report.push({ personId: candidate.personId, ok: true, entitlementId: row.id });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      report.push({
        personId: candidate.personId,
        ok: false,
        issues: error.issues.length
          ? error.issues
          : [{ code: error.code, field: error.field ?? '', message: error.text }],
      });
    }
  }
  return { applied: report.filter((r) => r.ok).length, failed: report.filter((r) => !r.ok).length, report };
}

const NEXT: Record<string, { from: string[]; to: string }> = {
  review: { from: ['applied'], to: 'reviewed' },
  approve: { from: ['reviewed'], to: 'approved' },
  reject: { from: ['applied', 'reviewed'], to: 'rejected' },
};

const ACTION_ZH = { review: '审核', approve: '批准', reject: '驳回' } as const;

/**
 * Why an application about this person record cannot be reviewed or approved: the record was
 * merged into another (the same person, whose own record carries the person's entitlement) or
 * voided as a mistake. Such an application is never paid; it can only be rejected.
 */
export function closedRecordRefusal(
  person: { id: number; status: string; merged_into_id: number | null },
  entitlementId: number,
  action: 'review' | 'approve',
): AppError | undefined {
  const verb = ACTION_ZH[action];
  if (person.status === 'merged') {
    const kept = person.merged_into_id;
    const zh = `待遇 ${entitlementId} 的人员记录 ${person.id} 已合并到人员 ${kept}（同一人），不能${verb}；请驳回此申请，此人的待遇在人员 ${kept} 名下办理`;
    const en = `Entitlement ${entitlementId} is about person record ${person.id}, which was merged into person ${kept} (the same person): it cannot be ${action === 'review' ? 'reviewed' : 'approved'}; reject it — the person's entitlement is handled on person ${kept}`;
    return new AppError('conflict', text(zh, en), {
      field: 'personId',
      issues: [fieldIssue('person_merged', 'personId', zh, en)],
      details: { entitlementId, personId: person.id, mergedIntoId: kept },
    });
  }
  if (person.status === 'voided') {
    const zh = `待遇 ${entitlementId} 的人员记录 ${person.id} 已作废，不能${verb}；请驳回此申请`;
    const en = `Entitlement ${entitlementId} is about person record ${person.id}, which was voided: it cannot be ${action === 'review' ? 'reviewed' : 'approved'}; reject it`;
    return new AppError('conflict', text(zh, en), {
      field: 'personId',
      issues: [fieldIssue('person_voided', 'personId', zh, en)],
      details: { entitlementId, personId: person.id },
    });
  }
  return undefined;
}

/**
 * Moves an application on: review (township), then approve or reject (county). Each step records
 * who and when; an entitlement is approved only after a review. An application about a merged or
 * voided person record is refused review and approval (closedRecordRefusal) but can be rejected,
 * so the clerk can clear it. The person row is read under a share lock: a merge or void of the
 * record (which locks it for update) either finished before, and is seen, or waits for this step.
 */
export async function decideEntitlement(
  context: CommandContext,
  input: { id: number; action: 'review' | 'approve' | 'reject'; note?: string | null },
) {
  const step = NEXT[input.action];
  if (!step) {
    throw invalidInput([
      fieldIssue(
        'invalid',
        'action',
        '操作应为 review、approve 或 reject',
        'Action must be review, approve or reject',
      ),
    ]);
  }
  const now = new Date().toISOString();
  const set =
    input.action === 'review'
      ? { status: step.to as 'reviewed', reviewed_by: context.actor.id, reviewed_at: now }
      : {
          status: step.to as 'approved' | 'rejected',
          decided_by: context.actor.id,
          decided_at: now,
          decision_note: input.note ?? null,
        };
  return context.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('entitlement')
      .select(['county_code', 'person_id', 'status'])
      .where('id', '=', input.id)
      .executeTakeFirst();
    if (!found)
      throw new AppError('not_found', text(`没有待遇 ${input.id}`, `No entitlement ${input.id}`), {
        field: 'id',
      });
    // The person first, then the entitlement: the order a merge locks them in. A merge that
    // committed meanwhile may have moved the entitlement to the kept record: then read again.
    let current = found;
    for (;;) {
      const person = await trx
        .selectFrom('person')
        .select(['id', 'status', 'merged_into_id'])
        .where('county_code', '=', current.county_code)
        .where('id', '=', current.person_id)
        .forShare()
        .executeTakeFirstOrThrow();
      const locked = await trx
        .selectFrom('entitlement')
        .select(['county_code', 'person_id', 'status'])
        .where('county_code', '=', current.county_code)
        .where('id', '=', input.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (locked.person_id !== current.person_id) {
        current = locked;
        continue;
      }
      if (!step.from.includes(locked.status)) {
        throw new AppError(
          'conflict',
          text(
            `待遇 ${input.id} 当前状态为 ${locked.status}，不能${ACTION_ZH[input.action]}`,
            `Entitlement ${input.id} is ${locked.status}: cannot ${input.action}`,
          ),
          { field: 'id' },
        );
      }
      if (input.action !== 'reject') {
        const refusal = closedRecordRefusal(person, input.id, input.action);
        if (refusal) throw refusal;
      }
      break;
    }
    return trx
      .updateTable('entitlement')
      .set({ ...set, version: sql`version + 1` })
      .where('county_code', '=', current.county_code)
      .where('id', '=', input.id)
      .returning(['id', 'status'])
      .executeTakeFirstOrThrow();
  });
}

/** One entitlement's outcome in a bulk decision: its new status, or why it was left as it was. */
export type DecisionReport =
  | { id: number; ok: true; status: string }
  | { id: number; ok: false; code: string; field: string; message: Text };

/**
 * Applies one action to many entitlements (or all of a programme in a status); a report per item.
 * Each entitlement is decided in its own transaction: one refused (not of this programme or
 * county, not in a status the action takes, about a merged or voided record) is left exactly as
 * it was and reported with the reason, and the others go on.
 */
export async function decideMany(
  context: CommandContext,
  input: {
    countyCode: string;
    programmeId: string;
    action: 'review' | 'approve' | 'reject';
    ids?: number[];
    note?: string | null;
  },
) {
  let ids = input.ids ? [...new Set(input.ids)] : undefined;
  if (!ids) {
    const rows = await context.db
      .selectFrom('entitlement')
      .select('id')
      .where('county_code', '=', input.countyCode)
      .where('programme_id', '=', input.programmeId)
      .where('status', 'in', NEXT[input.action]!.from as never[])
      .orderBy('id')
      .execute();
    ids = rows.map((r) => r.id);
  }
  const ofProgramme = new Set(
    ids.length === 0
      ? []
      : (
          await context.db
            .selectFrom('entitlement')
            .select('id')
            .where('county_code', '=', input.countyCode)
            .where('programme_id', '=', input.programmeId)
            .where('id', 'in', ids)
            .execute()
        ).map((r) => r.id),
  );
  const report: DecisionReport[] = [];
  for (const id of ids) {
    if (!ofProgramme.has(id)) {
      // Named by --ids but of another programme or county: never decided under this one's name.
      report.push({
        id,
        ok: false,
        code: 'not_found',
        field: 'ids',
        message: text(
          `县 ${input.countyCode} 的项目 ${input.programmeId} 中没有待遇 ${id}`,
          `No entitlement ${id} in programme ${input.programmeId} of county ${input.countyCode}`,
        ),
      });
      continue;
    }
    try {
      const row = await decideEntitlement(context, { id, action: input.action, note: input.note });
      report.push({ id, ok: true, status: row.status });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const issue = error.issues[0];
      report.push({
        id,
        ok: false,
        code: issue?.code ?? error.code,
        field: issue?.field ?? error.field ?? 'id',
        message: error.text,
      });
    }
  }
  return { done: report.filter((r) => r.ok).length, failed: report.filter((r) => !r.ok).length, report };
}

/**
 * An entitlement as listed (GET /api/benefits/entitlements): the stored row, and the name and
 * record status of the person it is about (the payee, often a parent, is `payee_name`). A record
 * merged into another (`person_status` merged, `person_merged_into_id` the kept record) or voided
 * is shown as such: its entitlement is never paid, and an application on it can only be rejected
 * (a merge rejects those itself, "record merged into N" in `decision_note`).
 */
export type EntitlementListRow = Selectable<EntitlementTable> & {
  person_name: string;
  person_status: string;
  person_merged_into_id: number | null;
};

/** Lists entitlements of a programme (for the county's and townships' lists). */
export async function listEntitlements(
  db: Tx,
  input: {
    countyCode: string;
    programmeId?: string;
    status?: string;
    unit?: string;
    limit?: number;
    offset?: number;
  },
): Promise<EntitlementListRow[]> {
  let query = db
    .selectFrom('entitlement as e')
    .innerJoin('person as p', (join) =>
      join.onRef('p.county_code', '=', 'e.county_code').onRef('p.id', '=', 'e.person_id'),
    )
    .selectAll('e')
    .select([
      'p.name as person_name',
      'p.status as person_status',
      'p.merged_into_id as person_merged_into_id',
    ])
    .where('e.county_code', '=', input.countyCode)
    .orderBy('e.org_code')
    .orderBy('e.id')
    .limit(Math.min(input.limit ?? 100, 1000))
    .offset(input.offset ?? 0);
  if (input.programmeId) query = query.where('e.programme_id', '=', input.programmeId);
  if (input.status) query = query.where('e.status', '=', input.status as never);
  if (input.unit) query = query.where('e.org_code', 'like', `${input.unit}%`);
  return query.execute();
}

/** Records a disability certificate (残疾证) for a person: what special assistance reads. */
export async function recordDisability(
  context: CommandContext,
  input: {
    personId: number;
    grade?: number | null;
    certificateNo?: string | null;
    validFrom: string;
    validTo?: string | null;
  },
) {
  const issues: FieldIssue[] = [];
  if (!isCalendarDate(input.validFrom)) {
    issues.push(
      fieldIssue('invalid_date', 'validFrom', '起始日期应为 YYYY-MM-DD', 'Start date must be YYYY-MM-DD'),
    );
  }
  if (input.validTo && (!isCalendarDate(input.validTo) || input.validTo <= input.validFrom)) {
    issues.push(
      fieldIssue('invalid_date', 'validTo', '截止日期应晚于起始日期', 'The end date must be after the start'),
    );
  }
  if (input.grade != null && !(Number.isInteger(input.grade) && input.grade >= 1 && input.grade <= 4)) {
    issues.push(fieldIssue('invalid', 'grade', '残疾等级应为 1–4', 'Disability grade is 1–4'));
  }
  const person = await context.db
    .selectFrom('person')
    .select(['id', 'county_code'])
    .where('id', '=', input.personId)
    .where('status', 'not in', ['voided', 'merged'])
    .executeTakeFirst();
  if (!person)
    issues.push(
      fieldIssue('person_not_found', 'personId', '登记库中没有此人', 'This person is not in the registry'),
    );
  if (issues.length > 0 || !person) throw invalidInput(issues);
  return context.db
    .insertInto('person_fact')
    .values({
      county_code: person.county_code,
      person_id: person.id,
      kind: 'disability',
      grade: input.grade ?? null,
      certificate_no: input.certificateNo ?? null,
      valid_from: input.validFrom,
      valid_to: input.validTo ?? null,
      recorded_by: context.actor.id,
    })
    .returning(['id', 'person_id', 'valid_from'])
    .executeTakeFirstOrThrow();
}
