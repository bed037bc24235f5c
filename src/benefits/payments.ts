import { sql } from 'kysely';
import { addDays } from '../domain/dates.ts';
import { AppError, fieldIssue, invalidInput } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { parsePeriod } from '../domain/period.ts';
import { formatCsvRow } from '../linkage/csv.ts';
import type { CommandContext, Tx } from '../registry/context.ts';
import { populationOn, totalOf } from '../registry/queries/population.ts';
import { knownDuplicates } from './duplicates.ts';
import { baseAmountSql, eligibleMonthsSql } from './eligibility-sql.ts';
import { checkPeriodForSchedule, getProgrammeForPeriod, ledgerPeriod } from './programme.ts';
import { HUKOU_MISSING, windowOf } from './screen.ts';

/** An approved entitlement the batch did not pay, and why (for the township to resolve). */
export interface HeldLine {
  entitlementId: number;
  personId: number;
  reason: 'hukou_missing' | 'duplicate';
  /** For a duplicate: the entitlement paid (in this batch or before) for the same person. */
  sameAsEntitlementId?: number;
  message: Text;
}

export interface BatchResult {
  programmeId: string;
  period: string;
  /** The batch written, or null when there was nothing (left) to pay. */
  batchId: number | null;
  lineCount: number;
  totalFen: number;
  /** Entitlements already paid for this period (not paid again). */
  alreadyPaid: number;
  /** Entitlements not paid by this batch until someone looks: hukou type missing, a known duplicate. */
  held: HeldLine[];
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/**
 * A payment batch for a programme and period: one line per approved entitlement not yet paid for
 * the period (pro-rated by months where the programme says so), none for a person who died
 * before the period or whose eligibility ended before it. Running it again pays nothing twice:
 * already-paid entitlements are skipped, and the ledger's unique index and guard refuse a second
 * payment even from a run that slipped past the lock below. The batch and its lines are one
 * transaction; runs for one programme in one county take turns.
 *
 * One person is paid once per programme and period, however many records they have: of the
 * entitlements of known duplicate records (an open merge suggestion, a merged record, one ID
 * number — see duplicates.ts) only the first is paid, and none when one of them was paid for the
 * period already; the others are held and listed. An amount by hukou for a person whose hukou type
 * is missing is held too, never paid at a guessed rate.
 */
export async function runPaymentBatch(
  context: CommandContext,
  input: {
    countyCode: string;
    programmeId: string;
    period: string;
    /** Test hook: runs inside the batch's transaction after its lines are written, before it commits. */
    beforeCommit?: () => Promise<void>;
  },
): Promise<BatchResult> {
  const period = parsePeriod(input.period);
  const programme = await getProgrammeForPeriod(context.db, input.programmeId, period);
  const definition = programme.definition;
  checkPeriodForSchedule(definition.schedule, period);
  const ledger = ledgerPeriod(definition.schedule, period);
  const w = windowOf(period);
  const monthsInPeriod =
    period.type === 'month' ? 1 : period.type === 'half' ? 6 : period.type === 'quarter' ? 3 : 12;
  const months = definition.proRateByMonths
    ? eligibleMonthsSql(definition, w, {
        programmeFrom: programme.effectiveFrom,
        entitlementStart: sql`e.start_date`,
        entitlementEnd: sql`e.end_date`,
      })
    : sql<null>`NULL::int`;
  const base = baseAmountSql(definition);
  // Computed over the candidates (x), where the person is no longer in scope: from c_base.
  const amount = definition.proRateByMonths ? sql`(c_base * c_months / ${monthsInPeriod}::int)` : sql`c_base`;
  const unreversed = sql`EXISTS (SELECT 1 FROM payment_line l
      WHERE l.county_code = e.county_code AND l.entitlement_id = e.id AND l.period = ${ledger} AND l.kind = 'payment'
        AND NOT EXISTS (SELECT 1 FROM payment_line r WHERE r.county_code = l.county_code AND r.reverses_line_id = l.id))`;
  const candidates = sql`
    SELECT e.county_code, e.id AS entitlement_id, e.person_id, e.org_code, e.payee_name, e.payee_id_number, e.bank_account,
           ${months} AS c_months, ${base} AS c_base,
           1 + (SELECT count(*) FROM payment_line l
                 WHERE l.county_code = e.county_code AND l.entitlement_id = e.id AND l.period = ${ledger}
                   AND l.kind = 'payment')::int AS attempt
      FROM entitlement e
      JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
     WHERE e.county_code = ${input.countyCode} AND e.programme_id = ${programme.programmeId}
       AND (e.status = 'approved' OR (e.status = 'stopped' AND e.end_date >= ${w.start}::date))
       AND e.start_date <= ${w.end}::date AND (e.end_date IS NULL OR e.end_date >= ${w.start}::date)
       AND (p.death_date IS NULL OR p.death_date >= ${w.start}::date)
       AND p.status NOT IN ('voided', 'merged')
       AND NOT ${unreversed}`;
  const priced = sql`SELECT x.*, ${amount} AS amount_fen FROM (${candidates}) x`;

  try {
    return await context.db.transaction().execute(async (trx) => {
      // Runs for one programme in one county take turns: a second run waits for the first to
      // commit and then sees its lines, so it pays what is left — never a second payment of a
      // person whose duplicate record the first run paid, never a conflict to retry by hand.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`payment-batch:${input.countyCode}:${programme.programmeId}`}))`.execute(
        trx,
      );
      const alreadyPaid = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM entitlement e
         WHERE e.county_code = ${input.countyCode} AND e.programme_id = ${programme.programmeId} AND ${unreversed}`.execute(
        trx,
      );
      const rows = await sql<{ entitlement_id: number; person_id: number; amount_fen: number | null }>`
        SELECT entitlement_id, person_id, amount_fen FROM (${priced}) t ORDER BY entitlement_id`.execute(trx);
      const held: HeldLine[] = [];
      const due: { entitlementId: number; personId: number; amountFen: number }[] = [];
      for (const row of rows.rows) {
        if (row.amount_fen === null) {
          held.push({
            entitlementId: Number(row.entitlement_id),
            personId: Number(row.person_id),
            reason: 'hukou_missing',
            message: HUKOU_MISSING.message,
          });
        } else if (Number(row.amount_fen) > 0) {
          due.push({
            entitlementId: Number(row.entitlement_id),
            personId: Number(row.person_id),
            amountFen: Number(row.amount_fen),
          });
        }
      }
      // One payment per person and period: known duplicate records share it.
      const groups = await knownDuplicates(trx, input.countyCode);
      const grouped = due.filter((d) => groups.membersOf(d.personId).length > 1);
      const paidFor = new Map<number, number>();
      if (grouped.length > 0) {
        const members = [...new Set(grouped.flatMap((d) => groups.membersOf(d.personId)))];
        const paid = await sql<{ id: number; person_id: number }>`
          SELECT e.id, e.person_id FROM entitlement e
           WHERE e.county_code = ${input.countyCode} AND e.programme_id = ${programme.programmeId}
             AND e.person_id IN (${sql.join(members)}) AND ${unreversed}
           ORDER BY e.id`.execute(trx);
        for (const row of paid.rows) {
          const group = groups.groupOf(Number(row.person_id));
          if (!paidFor.has(group)) paidFor.set(group, Number(row.id));
        }
      }
      const pay: typeof due = [];
      for (const d of due) {
        const group = groups.groupOf(d.personId);
        const same = paidFor.get(group);
        if (same !== undefined) {
          held.push({
            entitlementId: d.entitlementId,
            personId: d.personId,
            reason: 'duplicate',
            sameAsEntitlementId: same,
            message: text(
              `同一人的另一条记录（待遇 ${same}）本期已发放或将发放；请合并重复记录`,
              `Another record of the same person (entitlement ${same}) is paid for this period; merge the duplicate records`,
            ),
          });
          continue;
        }
        if (groups.membersOf(d.personId).length > 1) paidFor.set(group, d.entitlementId);
        pay.push(d);
      }
      const n = pay.length;
      const total = pay.reduce((sum, d) => sum + d.amountFen, 0);
      const heldIds = held.map((h) => h.entitlementId);
      const payable = sql`SELECT * FROM (${priced}) t WHERE amount_fen > 0
        ${heldIds.length > 0 ? sql`AND entitlement_id NOT IN (${sql.join(heldIds)})` : sql``}`;
      const result: BatchResult = {
        programmeId: programme.programmeId,
        period: ledger === 'once' ? period.id : ledger,
        batchId: null,
        lineCount: 0,
        totalFen: 0,
        alreadyPaid: alreadyPaid.rows[0]?.n ?? 0,
        held,
      };
      if (n === 0) return result;
      const batch = await trx
        .insertInto('payment_batch')
        .values({
          county_code: input.countyCode,
          programme_id: programme.programmeId,
          period: period.id,
          line_count: n,
          total_fen: total,
          created_by: context.actor.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // All lines in one statement: the batch-total check runs after it.
      await sql`
        INSERT INTO payment_line (county_code, batch_id, entitlement_id, period, period_start, kind, attempt,
                                  amount_fen, months, payee_name, payee_id_number, bank_account, org_code)
        SELECT county_code, ${batch.id}, entitlement_id, ${ledger}, ${w.start}::date, 'payment', attempt,
               amount_fen, c_months, payee_name, payee_id_number, bank_account, org_code
          FROM (${payable}) t
         ORDER BY org_code, entitlement_id`.execute(trx);
      await input.beforeCommit?.();
      return { ...result, batchId: batch.id, lineCount: n, totalFen: total };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError(
        'conflict',
        text(
          '同一时期的发放已由另一次运行写入，本次未发放任何款项；请重新运行以发放剩余的',
          'Another run paid this period at the same time; nothing was paid by this run — run it again to pay what is left',
        ),
        { field: 'period', cause: error },
      );
    }
    throw error;
  }
}

/**
 * Corrects a payment by a reversing entry (a correction batch with one negative line naming the
 * line it reverses); the original line is never edited. The period can then be paid again.
 */
export async function reversePayment(context: CommandContext, input: { lineId: number; reason: string }) {
  if (!input.reason?.trim()) {
    throw invalidInput([
      fieldIssue('required', 'reason', '请填写冲正原因', 'Give the reason for the reversal'),
    ]);
  }
  return context.db.transaction().execute(async (trx) => {
    const line = await trx
      .selectFrom('payment_line')
      .selectAll()
      .where('id', '=', input.lineId)
      .executeTakeFirst();
    if (line?.kind !== 'payment') {
      throw new AppError(
        'not_found',
        text(`没有发放明细 ${input.lineId}`, `No payment line ${input.lineId}`),
        {
          field: 'lineId',
        },
      );
    }
    const reversed = await trx
      .selectFrom('payment_line')
      .select('id')
      .where('county_code', '=', line.county_code)
      .where('reverses_line_id', '=', line.id)
      .executeTakeFirst();
    if (reversed) {
      throw new AppError('conflict', text('这笔发放已冲正', 'This payment has already been reversed'), {
        field: 'lineId',
      });
    }
    const original = await trx
      .selectFrom('payment_batch')
      .select(['programme_id', 'period'])
      .where('county_code', '=', line.county_code)
      .where('id', '=', line.batch_id)
      .executeTakeFirstOrThrow();
    const batch = await trx
      .insertInto('payment_batch')
      .values({
        county_code: line.county_code,
        programme_id: original.programme_id,
        period: original.period,
        kind: 'correction',
        line_count: 1,
        total_fen: -line.amount_fen,
        created_by: context.actor.id,
        note: input.reason.trim(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return trx
      .insertInto('payment_line')
      .values({
        county_code: line.county_code,
        batch_id: batch.id,
        entitlement_id: line.entitlement_id,
        period: line.period,
        period_start: line.period_start,
        kind: 'reversal',
        reverses_line_id: line.id,
        amount_fen: -line.amount_fen,
        months: line.months,
        payee_name: line.payee_name,
        payee_id_number: line.payee_id_number,
        bank_account: line.bank_account,
        org_code: line.org_code,
        reason: input.reason.trim(),
      })
      .returning(['id', 'batch_id', 'amount_fen'])
      .executeTakeFirstOrThrow();
  });
}

/** Yuan with two decimals from fen, without floating-point rounding. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export async function getBatch(db: Tx, batchId: number) {
  const batch = await db.selectFrom('payment_batch').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch)
    throw new AppError('not_found', text(`没有发放批次 ${batchId}`, `No payment batch ${batchId}`), {
      field: 'batchId',
    });
  return batch;
}

/**
 * The bank file of a batch (CSV, UTF-8 with BOM for spreadsheets): one row per line, then a total
 * row; the total equals the batch's recorded total (the database checked it when it was written).
 */
export async function exportBankCsv(
  db: Tx,
  batchId: number,
): Promise<{ csv: string; lineCount: number; totalFen: number }> {
  const batch = await getBatch(db, batchId);
  const lines = await db
    .selectFrom('payment_line')
    .selectAll()
    .where('county_code', '=', batch.county_code)
    .where('batch_id', '=', batch.id)
    .orderBy('id')
    .execute();
  let csv = `\uFEFF${formatCsvRow(['序号', '收款人姓名', '收款人身份证号', '银行账号', '金额（元）', '项目', '期间', '村（社区）代码', '明细编号'])}`;
  let total = 0;
  lines.forEach((line, i) => {
    total += line.amount_fen;
    csv += formatCsvRow([
      i + 1,
      line.payee_name,
      line.payee_id_number,
      line.bank_account,
      formatYuan(line.amount_fen),
      batch.programme_id,
      line.period,
      line.org_code,
      line.id,
    ]);
  });
  if (total !== batch.total_fen || lines.length !== batch.line_count) {
    throw new AppError('internal', text('批次合计与明细不符', 'The batch total does not equal its lines'));
  }
  csv += formatCsvRow([
    '合计',
    `${lines.length} 笔`,
    '',
    '',
    formatYuan(total),
    batch.programme_id,
    batch.period,
    '',
    `批次 ${batch.id}`,
  ]);
  return { csv, lineCount: lines.length, totalFen: total };
}

/** The ledger of one entitlement: every payment and reversal with its period and batch. */
export async function listLedger(db: Tx, entitlementId: number) {
  return db
    .selectFrom('payment_line')
    .select([
      'id',
      'batch_id',
      'period',
      'kind',
      'attempt',
      'reverses_line_id',
      'amount_fen',
      'months',
      'created_at',
    ])
    .where('entitlement_id', '=', entitlementId)
    .orderBy('id')
    .execute();
}

/**
 * Spending as figures: paid (net of reversals) for periods starting in the window, by programme
 * and township, and per capita (人均投入) of the unit's average resident population.
 */
export async function spendingSummary(db: Tx, input: { unit: string; period: string }) {
  const period = parsePeriod(input.period);
  const result = await sql<{ programme_id: string; township: string; total: number; beneficiaries: number }>`
    SELECT e.programme_id, left(l.org_code, 9) AS township, sum(l.amount_fen)::bigint AS total,
           count(DISTINCT e.id) FILTER (WHERE l.kind = 'payment')::int AS beneficiaries
      FROM payment_line l
      JOIN entitlement e ON e.county_code = l.county_code AND e.id = l.entitlement_id
     WHERE l.org_code LIKE ${`${input.unit}%`} AND l.period_start BETWEEN ${period.start}::date AND ${period.end}::date
     GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  const rows = result.rows;
  const before = totalOf(await populationOn(db, { unit: input.unit, date: addDays(period.start, -1) }));
  const after = totalOf(await populationOn(db, { unit: input.unit, date: period.end }));
  const averagePopulation = (before + after) / 2;
  const byProgramme = new Map<string, number>();
  const byTownship = new Map<string, number>();
  let totalFen = 0;
  for (const row of rows) {
    const total = Number(row.total);
    totalFen += total;
    byProgramme.set(row.programme_id, (byProgramme.get(row.programme_id) ?? 0) + total);
    byTownship.set(row.township, (byTownship.get(row.township) ?? 0) + total);
  }
  return {
    unit: input.unit,
    period: period.id,
    totalFen,
    averagePopulation,
    perCapitaFen: averagePopulation > 0 ? Math.round(totalFen / averagePopulation) : null,
    byProgramme: [...byProgramme].map(([programmeId, fen]) => ({ programmeId, totalFen: fen })),
    byTownship: [...byTownship].map(([townshipCode, fen]) => ({ townshipCode, totalFen: fen })),
    rows: rows.map((r) => ({ ...r, total: Number(r.total) })),
  };
}
