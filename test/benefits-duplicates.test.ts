import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  applyForBenefit,
  decideEntitlement,
  reverifyEntitlements,
  runPaymentBatch,
  screenEligible,
} from '../src/benefits/index.ts';
import type { BatchResult } from '../src/benefits/payments.ts';
import { pairRef, runDedupe } from '../src/dedupe/run-dedupe.ts';
import { AppError } from '../src/domain/errors.ts';
import { mergePersons } from '../src/registry/commands/merge-persons.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerDeath, registerMoveIn } from '../src/registry/index.ts';
import { seedBenefitsCounty } from './helpers/benefits-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { contextFor } from './helpers/registry.ts';

/**
 * One person, two registry records; a person whose hukou type the registry lacks. On a synthetic
 * county: the screen lists a known duplicate once, a batch pays one person once per period, and a
 * missing hukou type is a reason to look, never a rural amount.
 */
const COUNTY = '620881';

describe(`benefits and duplicate records, missing hukou types (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;

  before(async () => {
    test = await createTestDatabase();
    await seedBenefitsCounty(test);
    ctx = contextFor(test.database.db, 'township-worker');
  });
  after(() => test.cleanup());

  const childcare = (period = '2025H2') =>
    screenEligible(test.database.db, { countyCode: COUNTY, programmeId: 'childcare-subsidy', period });

  /** A second record of a screened child, entered as the synthetic registry's duplicates are: no ID number, no parents. */
  async function duplicateOf(personId: number) {
    const original = await test.database.db
      .selectFrom('person')
      .selectAll()
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    const { person } = await registerMoveIn(ctx, {
      person: {
        name: original.name,
        sex: original.sex,
        birthDate: original.birth_date,
        hukouType: original.hukou_type,
      },
      orgCode: original.current_org_code!,
      residenceType: 'registered',
      moveDate: original.birth_date,
    });
    return person.id;
  }

  async function approve(personId: number) {
    const row = await applyForBenefit(ctx, { programmeId: 'childcare-subsidy', personId, period: '2025H2' });
    await decideEntitlement(ctx, { id: row.id, action: 'review' });
    await decideEntitlement(ctx, { id: row.id, action: 'approve' });
    return row.id;
  }

  let children: number[] = [];
  const twins = new Map<number, number>();

  it('a duplicate nobody has found is listed twice; once the duplicate finder flags it, the child is listed once', async () => {
    const first = await childcare();
    children = first.candidates
      .filter((c) => c.idNumber !== null && c.birthDate < '2025-06-01')
      .slice(0, 3)
      .map((c) => c.personId);
    assert.equal(children.length, 3);
    for (const child of children) twins.set(child, await duplicateOf(child));
    const [a] = children as [number];

    const unknown = await childcare();
    const listed = (s: Awaited<ReturnType<typeof childcare>>) => s.candidates.map((c) => c.personId);
    assert.ok(
      listed(unknown).includes(a) && listed(unknown).includes(twins.get(a)!),
      'what renkou cannot know',
    );
    assert.equal(unknown.candidates.length, first.candidates.length + 3);

    const run = await runDedupe(test.database.db, { unit: COUNTY, actor: 'tester' });
    const tasks = await test.database.db
      .selectFrom('work_task')
      .select('source_ref')
      .where('kind', '=', 'merge')
      .where('status', '=', 'open')
      .execute();
    const refs = new Set(tasks.map((t) => t.source_ref));
    for (const child of children) {
      assert.ok(refs.has(pairRef(child, twins.get(child)!)), `the finder flags ${child} (run ${run.runId})`);
    }

    const known = await childcare();
    assert.equal(known.candidates.length, first.candidates.length, 'each child once');
    const candidate = known.candidates.find((c) => c.personId === a)!;
    assert.deepEqual(candidate.duplicateRecordIds, [twins.get(a)]);
    assert.deepEqual(
      known.heldAsDuplicates.filter((d) => children.includes(d.sameAs)).sort((x, y) => x.sameAs - y.sameAs),
      children
        .map((c) => ({ personId: twins.get(c)!, sameAs: c, reason: 'listed' }))
        .sort((x, y) => x.sameAs - y.sameAs),
    );
    assert.equal(new Set(known.candidates.map((c) => c.personId)).size, known.candidates.length);
  });

  it('a known duplicate of an enrolled child is not listed, and its application is refused', async () => {
    const [a] = children as [number];
    await approve(a);
    const screen = await childcare();
    assert.ok(!screen.candidates.some((c) => c.personId === a || c.personId === twins.get(a)));
    assert.deepEqual(
      screen.heldAsDuplicates.find((d) => d.personId === twins.get(a)),
      { personId: twins.get(a), sameAs: a, reason: 'enrolled' },
    );
    await assert.rejects(
      applyForBenefit(ctx, { programmeId: 'childcare-subsidy', personId: twins.get(a)!, period: '2025H2' }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'duplicate' &&
        error.field === 'personId' &&
        error.text['zh-CN'].includes('重复记录') &&
        error.text.en.includes('merge the duplicate records'),
    );
  });

  it('two records of one child approved before anyone knew: each period pays one of them once, the other is held', async () => {
    // Approved while the pair was not yet known (the merge suggestion dismissed, then re-opened).
    const [, b] = children as [number, number];
    await test.database.db
      .updateTable('work_task')
      .set({ status: 'dismissed', resolved_at: new Date().toISOString(), resolved_by: 'tester' })
      .where('source_ref', '=', pairRef(b, twins.get(b)!))
      .execute();
    const kept = await approve(b);
    const twin = await approve(twins.get(b)!);
    await test.database.db
      .updateTable('work_task')
      .set({ status: 'open', resolved_at: null, resolved_by: null })
      .where('source_ref', '=', pairRef(b, twins.get(b)!))
      .execute();

    const batch = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: '2025H2',
    });
    const paid = await test.database.db
      .selectFrom('payment_line')
      .select(['entitlement_id', 'amount_fen'])
      .where('batch_id', '=', batch.batchId!)
      .where('entitlement_id', 'in', [kept, twin])
      .execute();
    assert.deepEqual(
      paid.map((l) => l.entitlement_id),
      [kept],
    );
    const held = batch.held.find((h) => h.entitlementId === twin)!;
    assert.equal(held.reason, 'duplicate');
    assert.equal(held.sameAsEntitlementId, kept);
    assert.match(held.message['zh-CN'], /合并重复记录/);

    const again = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: '2025H2',
    });
    assert.equal(again.lineCount, 0, 'the held twin is not paid by a second run either');
    assert.equal(again.held.find((h) => h.entitlementId === twin)?.sameAsEntitlementId, kept);

    // Merged: the dropped record's entitlement is not paid, the kept one is, once, next period.
    const versions = await test.database.db
      .selectFrom('person')
      .select(['id', 'version'])
      .where('id', 'in', [b, twins.get(b)!])
      .execute();
    const version = (id: number) => versions.find((v) => v.id === id)!.version;
    await mergePersons(ctx, {
      keepId: b,
      dropId: twins.get(b)!,
      keepVersion: version(b),
      dropVersion: version(twins.get(b)!),
      reason: '同一人重复登记',
    });
    const next = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'childcare-subsidy',
      period: '2026H1',
    });
    const nextLines = await test.database.db
      .selectFrom('payment_line')
      .select('entitlement_id')
      .where('batch_id', '=', next.batchId!)
      .where('entitlement_id', 'in', [kept, twin])
      .execute();
    assert.deepEqual(
      nextLines.map((l) => l.entitlement_id),
      [kept],
    );
  });

  it('a missing hukou type is listed for review (户籍性质缺失), refused at application, and never paid an assumed amount', async () => {
    const db = test.database.db;
    const rural = await screenEligible(db, {
      countyCode: COUNTY,
      programmeId: 'rural-reward-assistance',
      period: '2025',
    });
    const parent = rural.candidates[0]!;
    const clearHukou = async (personId: number) => {
      const row = await db
        .selectFrom('person')
        .select('household_id')
        .where('id', '=', personId)
        .executeTakeFirstOrThrow();
      // As an import without the field leaves it: neither the person nor the household has one.
      await db.updateTable('person').set({ hukou_type: null }).where('id', '=', personId).execute();
      if (row.household_id !== null) {
        await db
          .updateTable('household')
          .set({ hukou_type: null })
          .where('id', '=', row.household_id)
          .execute();
      }
    };
    await clearHukou(parent.personId);
    const after = await screenEligible(db, {
      countyCode: COUNTY,
      programmeId: 'rural-reward-assistance',
      period: '2025',
    });
    const listed = after.candidates.find((c) => c.personId === parent.personId);
    assert.ok(listed, 'still listed: not silently dropped');
    assert.deepEqual(
      listed.needsReview.map((r) => r.code),
      ['hukou_missing'],
    );
    assert.match(listed.needsReview[0]!.message['zh-CN'], /户籍性质缺失/);
    assert.match(listed.needsReview[0]!.message.en, /Hukou type missing/);
    assert.ok(
      after.candidates.filter((c) => c.personId !== parent.personId).every((c) => c.needsReview.length === 0),
    );
    await assert.rejects(
      applyForBenefit(ctx, {
        programmeId: 'rural-reward-assistance',
        personId: parent.personId,
        period: '2025',
      }),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'invalid_input' &&
        error.issues.length === 1 &&
        error.issues[0]!.code === 'hukou_missing' &&
        error.issues[0]!.field === 'personId' &&
        /户籍性质缺失/.test(error.issues[0]!.message['zh-CN']),
    );

    // Special assistance pays by hukou type: an approved parent whose hukou type is then lost is held.
    const candidates = await db
      .selectFrom('person as c')
      .innerJoin('person as m', 'm.id', 'c.mother_id')
      .select(['c.id as child', 'm.id as mother'])
      .where('c.status', '=', 'active')
      .where('m.status', '=', 'active')
      .where('m.birth_date', '<', '1970-01-01')
      .where('m.hukou_type', '=', 'rural')
      .where('m.id', '<>', parent.personId)
      .where('c.death_date', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('residence_spell as r')
            .select('r.id')
            .whereRef('r.person_id', '=', 'm.id')
            .where('r.residence_type', 'in', ['registered', 'outflow'])
            .where('r.valid_to', 'is', null)
            .where('r.voided', '=', false),
        ),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('person as s')
              .select('s.id')
              .whereRef('s.mother_id', '=', 'm.id')
              .whereRef('s.id', '<>', 'c.id'),
          ),
        ),
      )
      .orderBy('c.id')
      .limit(2)
      .execute();
    assert.equal(candidates.length, 2);
    const entitlements: number[] = [];
    for (const { child, mother } of candidates) {
      await registerDeath(ctx, { personId: child, deathDate: '2025-03-01' });
      const row = await applyForBenefit(ctx, {
        programmeId: 'special-assistance-death',
        personId: mother,
        period: '2025-10',
      });
      await decideEntitlement(ctx, { id: row.id, action: 'review' });
      await decideEntitlement(ctx, { id: row.id, action: 'approve' });
      entitlements.push(row.id);
    }
    await clearHukou(candidates[0]!.mother);
    const batch = await runPaymentBatch(ctx, {
      countyCode: COUNTY,
      programmeId: 'special-assistance-death',
      period: '2025-11',
    });
    const lines = await db
      .selectFrom('payment_line')
      .select(['entitlement_id', 'amount_fen'])
      .where('batch_id', '=', batch.batchId!)
      .execute();
    assert.deepEqual(
      lines,
      [{ entitlement_id: entitlements[1], amount_fen: 17_000 }],
      'the other mother: rural rate',
    );
    assert.deepEqual(
      batch.held.map((h) => [h.entitlementId, h.reason]),
      [[entitlements[0], 'hukou_missing']],
    );
    assert.equal(batch.totalFen, 17_000);

    // Re-verification lists her for a look and does not stop her: the registry lost a fact, she did not die.
    const check = await reverifyEntitlements(ctx, {
      countyCode: COUNTY,
      programmeId: 'special-assistance-death',
      asOf: '2025-12-01',
      apply: true,
    });
    assert.deepEqual(
      check.findings.map((f) => [f.entitlementId, f.reason]),
      [[entitlements[0], 'hukou_missing']],
    );
    assert.equal(check.toStop, 0);
    const still = await db
      .selectFrom('entitlement')
      .select('status')
      .where('id', '=', entitlements[0]!)
      .executeTakeFirstOrThrow();
    assert.equal(still.status, 'approved');
  });
  it('two batch runs for one period take turns: the second pays only what is left, with no error', async () => {
    const run = (beforeCommit?: () => Promise<void>) =>
      runPaymentBatch(ctx, {
        countyCode: COUNTY,
        programmeId: 'childcare-subsidy',
        period: '2026H2',
        ...(beforeCommit ? { beforeCommit } : {}),
      });
    // The second run starts while the first has written its lines and not yet committed. Were they
    // not to take turns, the second would find the same people unpaid and collide with the first's
    // lines (or, for a duplicate record, pay the person a second time).
    let second: Promise<BatchResult> | undefined;
    const first = await run(async () => {
      second = run();
      second.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const after = await second!;
    assert.ok(first.lineCount > 0);
    assert.equal(after.lineCount, 0, 'the second run found everything paid');
    assert.equal(after.alreadyPaid, first.alreadyPaid + first.lineCount);
    const lines = await test.database.db
      .selectFrom('payment_line')
      .select(['entitlement_id'])
      .where('period', '=', '2026H2')
      .where('kind', '=', 'payment')
      .execute();
    assert.equal(lines.length, first.lineCount);
    assert.equal(new Set(lines.map((l) => l.entitlement_id)).size, lines.length, 'no entitlement paid twice');
  });

  it('no ID number is paid twice for one programme and period, across every batch', async () => {
    const lines = await test.database.db
      .selectFrom('payment_line as l')
      .innerJoin('entitlement as e', (j) =>
        j.onRef('e.county_code', '=', 'l.county_code').onRef('e.id', '=', 'l.entitlement_id'),
      )
      .innerJoin('person as p', (j) =>
        j.onRef('p.county_code', '=', 'e.county_code').onRef('p.id', '=', 'e.person_id'),
      )
      .leftJoin('person as kept', (j) =>
        j.onRef('kept.county_code', '=', 'p.county_code').onRef('kept.id', '=', 'p.merged_into_id'),
      )
      .select([
        'e.programme_id',
        'l.period',
        'l.amount_fen',
        'p.id',
        'p.id_number',
        'kept.id_number as kept_id_number',
      ])
      .execute();
    // The records this test made are the person of their original, whose ID number they lack.
    const originals = await test.database.db
      .selectFrom('person')
      .select(['id', 'id_number'])
      .where('id', 'in', [...twins.keys()])
      .execute();
    const twinIdNumber = new Map(originals.map((o) => [twins.get(o.id)!, o.id_number]));
    assert.ok(lines.length >= 4, `${lines.length} lines`);
    const net = new Map<string, number>();
    for (const line of lines) {
      const id = line.id_number ?? line.kept_id_number ?? twinIdNumber.get(line.id);
      if (!id) continue;
      const key = `${line.programme_id}|${line.period}|${id}`;
      net.set(key, (net.get(key) ?? 0) + Math.sign(line.amount_fen));
    }
    assert.deepEqual(
      [...net].filter(([, n]) => n > 1),
      [],
    );
  });
});
