import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  decideMany,
  enrolFromScreen,
  exportBankCsv,
  reverifyEntitlements,
  reversePayment,
  runPaymentBatch,
  screenEligible,
} from '../src/benefits/index.ts';
import { addDays } from '../src/domain/dates.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerDeath } from '../src/registry/index.ts';
import { rowsOf, seedBenefitsCounty } from './helpers/benefits-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { contextFor } from './helpers/registry.ts';

const COUNTY = '620881';
const PERIOD = { id: '2025H2', start: '2025-07-01', end: '2025-12-31' };

/** Truly eligible for the childcare subsidy in 2025H2: under 3 in a month of it, alive and in the county on the reference day. */
function trulyEligible(p: Record<string, string>): boolean {
  const birth = p.birth_date!;
  if (birth > PERIOD.end) return false;
  const thirdBirthdayMonth = `${Number(birth.slice(0, 4)) + 3}-${birth.slice(5, 7)}-01`;
  if (thirdBirthdayMonth <= PERIOD.start) return false;
  // biome-ignore lint/complexity/useMathMinMax: the later of two ISO date strings; Math.max would make numbers of them
  const ref = birth > PERIOD.start ? birth : PERIOD.start;
  if (p.death_date && p.death_date < ref) return false;
  if (p.entry_date! > ref) return false;
  if (p.exit_date && p.exit_date <= ref) return false;
  return true;
}

describe(`benefits on a synthetic county (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;
  let dir: string;
  const truthOf = new Map<number, number>(); // registry person id -> true person id
  const truth = new Map<number, Record<string, string>>();

  before(async () => {
    test = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'renkou-benefits-'));
    await seedBenefitsCounty(test, dir);
    ctx = contextFor(test.database.db, 'township-worker');
    const links = new Map(
      rowsOf(dir, 'truth/registry_links').map((r) => [r.person_key!, Number(r.person_id)]),
    );
    const registry = await test.database.db
      .selectFrom('person')
      .select(['id', 'import_key'])
      .where('county_code', '=', COUNTY)
      .execute();
    for (const row of registry) truthOf.set(row.id, links.get(row.import_key!)!);
    for (const p of rowsOf(dir, 'truth/persons')) truth.set(Number(p.person_id), p);
  });
  after(async () => {
    await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the childcare screen finds every eligible child the registry knows, and no ineligible one', async () => {
    const screen = await screenEligible(test.database.db, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    const eligible = new Set([...truth.values()].filter(trulyEligible).map((p) => Number(p.person_id)));
    const known = new Set(truthOf.values());
    const found = new Set(screen.candidates.map((c) => truthOf.get(c.personId)!));
    const missed = [...eligible].filter((id) => known.has(id) && !found.has(id));
    const unregistered = [...eligible].filter((id) => !known.has(id));
    const ineligible = [...found].filter((id) => !eligible.has(id));
    // Children the registry cannot know about (births never or not yet reported): reported, not screened.
    console.log(
      `childcare 2025H2: truly eligible ${eligible.size}, screened ${found.size} (${screen.candidates.length} records), ` +
        `missed ${missed.length}, ineligible ${ineligible.length}, unregistered (invisible to the screen) ${unregistered.length}`,
    );
    assert.ok(eligible.size > 20, `a real test needs children (${eligible.size})`);
    assert.deepEqual(missed, [], 'every eligible child in the registry is found');
    assert.deepEqual(ineligible, [], 'no ineligible child is listed');
  });

  it('applications go through review and approval; the batch pays each once, and a second run pays nothing', async () => {
    const enrolled = await enrolFromScreen(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    assert.equal(enrolled.failed, 0);
    assert.ok(enrolled.applied > 20);
    const approveEarly = await decideMany(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      action: 'approve',
    });
    assert.equal(approveEarly.done, 0, 'nothing is approved before it is reviewed');
    await decideMany(ctx, { countyCode: COUNTY, programmeId: 'childcare-subsidy', action: 'review' });
    const approved = await decideMany(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      action: 'approve',
    });
    assert.equal(approved.done, enrolled.applied);

    const first = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    assert.equal(first.lineCount, enrolled.applied);
    const sum = await test.database.db
      .selectFrom('payment_line')
      .select((eb) => [eb.fn.sum<number>('amount_fen').as('total'), eb.fn.countAll<number>().as('n')])
      .where('batch_id', '=', first.batchId!)
      .executeTakeFirstOrThrow();
    assert.equal(Number(sum.total), first.totalFen);
    // 300 yuan a month; a child born in the period or turning 3 in it gets fewer months.
    assert.ok(first.totalFen <= first.lineCount * 180_000 && first.totalFen > 0);

    const second = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    assert.equal(second.batchId, null);
    assert.equal(second.lineCount, 0);
    assert.equal(second.alreadyPaid, enrolled.applied);

    const bank = await exportBankCsv(test.database.db, first.batchId!);
    assert.equal(bank.lineCount, first.lineCount);
    assert.equal(bank.totalFen, first.totalFen);
    assert.match(bank.csv, /合计/);
  });

  it('the ledger refuses a second payment, an edit, and a batch whose total is not its lines', async () => {
    const line = await test.database.db
      .selectFrom('payment_line')
      .selectAll()
      .limit(1)
      .executeTakeFirstOrThrow();
    const { id: _id, created_at: _c, attempt: _a, ...copy } = line;
    await assert.rejects(test.database.db.insertInto('payment_line').values(copy).execute());
    await assert.rejects(
      test.database.db.updateTable('payment_line').set({ amount_fen: 1 }).where('id', '=', line.id).execute(),
    );
    await assert.rejects(test.database.db.deleteFrom('payment_line').where('id', '=', line.id).execute());
    await assert.rejects(
      test.database.db.transaction().execute(async (trx) => {
        const batch = await trx
          .insertInto('payment_batch')
          .values({
            county_code: COUNTY,
            programme_id: 'childcare-subsidy',
            period: '2026H1',
            line_count: 1,
            total_fen: 999,
            created_by: 't',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('payment_line')
          .values({
            ...copy,
            batch_id: batch.id,
            period: '2026H1',
            period_start: '2026-01-01',
            amount_fen: 1000,
          })
          .execute();
      }),
    );
  });

  it('a correction is a reversing entry, after which the period can be paid again once', async () => {
    const line = await test.database.db
      .selectFrom('payment_line')
      .selectAll()
      .where('kind', '=', 'payment')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    const reversal = await reversePayment(ctx, { lineId: line.id, reason: '账号错误' });
    assert.equal(reversal.amount_fen, -line.amount_fen);
    await assert.rejects(reversePayment(ctx, { lineId: line.id, reason: 'again' }));
    const again = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    assert.equal(again.lineCount, 1);
    assert.equal(again.totalFen, line.amount_fen);
    const repeat = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: PERIOD.id,
    });
    assert.equal(repeat.lineCount, 0);
  });

  it('re-verification stops payments to children who died', async () => {
    const entitlements = await test.database.db
      .selectFrom('entitlement')
      .innerJoin('person', 'person.id', 'entitlement.person_id')
      .select(['entitlement.id', 'entitlement.person_id', 'person.birth_date'])
      .where('entitlement.status', '=', 'approved')
      .where('person.birth_date', '>', '2024-06-01')
      .orderBy('entitlement.id')
      .limit(3)
      .execute();
    assert.equal(entitlements.length, 3);
    for (const e of entitlements) {
      await registerDeath(ctx, { personId: e.person_id, deathDate: addDays('2025-12-31', -20) });
    }
    const check = await reverifyEntitlements(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      asOf: '2026-01-01',
    });
    const died = check.findings
      .filter((f) => f.reason === 'died')
      .map((f) => f.entitlementId)
      .sort();
    assert.deepEqual(died, entitlements.map((e) => e.id).sort());
    assert.equal(check.applied, false);
    await reverifyEntitlements(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      asOf: '2026-01-01',
      apply: true,
    });
    const stopped = await test.database.db
      .selectFrom('entitlement')
      .select(['id', 'status', 'end_date'])
      .where(
        'id',
        'in',
        entitlements.map((e) => e.id),
      )
      .execute();
    assert.ok(stopped.every((s) => s.status === 'stopped' && s.end_date === '2025-12-11'));

    const next = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: '2026H1',
    });
    const paidToDead = await test.database.db
      .selectFrom('payment_line')
      .select('id')
      .where('batch_id', '=', next.batchId ?? -1)
      .where(
        'entitlement_id',
        'in',
        entitlements.map((e) => e.id),
      )
      .execute();
    assert.deepEqual(paidToDead, []);
    assert.ok(next.lineCount > 0, 'the living are still paid');
  });
});
