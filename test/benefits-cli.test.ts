import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyForBenefit, ensureDefaultProgrammes, screenEligible } from '../src/benefits/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { voidPerson } from '../src/registry/index.ts';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/** The benefits commands as a county runs them: screen and enrol, review, approve, pay, pay again. */
describe(`renkou benefits (CLI, ${storageName})`, () => {
  let storage: ScratchStorage;
  const dir = mkdtempSync(join(tmpdir(), 'renkou-benefits-cli-'));
  const run = (args: string[]) =>
    runRenkou(args, { ...storage.env, RENKOU_DEFAULT_COUNTY: '620881' }, 300_000);

  before(async () => {
    storage = await createScratchStorage();
    const synth = await run([
      'synth',
      '--county',
      '620881',
      '--persons',
      '2000',
      '--from',
      '2023',
      '--to',
      '2025',
      '--seed',
      'cli',
      '--into-db',
      '--no-workload',
    ]);
    assert.equal(synth.code, 0, synth.stderr);
  });
  after(async () => {
    await storage.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The storage the commands write, opened here between commands (PGlite takes one process at a time). */
  async function withStorage<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>) {
    const database = await openDatabase({
      databaseUrl: storage.env.DATABASE_URL || undefined,
      dataDir: storage.env.RENKOU_DATA_DIR,
    });
    try {
      return await work(database.db);
    } finally {
      await database.close();
    }
  }

  it('review --ids reports each entitlement: one reviewed, one about a voided record and one of no such entitlement left as they were (exit 3); reject clears the voided one', async () => {
    const [fine, mistaken] = await withStorage(async (db) => {
      await ensureDefaultProgrammes(db);
      const ctx = { db, actor: { id: 'test' } };
      const screen = await screenEligible(db, {
        countyCode: '620881',
        programmeId: 'childcare-subsidy',
        period: '2025H2',
      });
      const [a, b] = screen.candidates.slice(0, 2).map((c) => c.personId);
      const applied = [];
      for (const personId of [a!, b!]) {
        applied.push(
          await applyForBenefit(ctx, { programmeId: 'childcare-subsidy', personId, period: '2025H2' }),
        );
      }
      const version = await db
        .selectFrom('person')
        .select('version')
        .where('id', '=', b!)
        .executeTakeFirstOrThrow();
      await voidPerson(ctx, { personId: b!, expectedVersion: version.version, reason: '重复录入' });
      return applied.map((e) => Number(e.id));
    });
    const statuses = () =>
      withStorage(async (db) =>
        (
          await db
            .selectFrom('entitlement')
            .select(['id', 'status'])
            .where('id', 'in', [fine!, mistaken!])
            .orderBy('id')
            .execute()
        ).map((e) => e.status),
      );

    const review = await run([
      'benefits',
      'review',
      '--programme',
      'childcare-subsidy',
      '--ids',
      `${fine},${mistaken},99999999`,
    ]);
    assert.equal(review.code, 3, review.stderr);
    assert.match(review.stdout, /^完成 1，未完成 2$/m);
    assert.match(review.stdout, new RegExp(`^  ${fine}\treviewed$`, 'm'));
    assert.match(
      review.stdout,
      new RegExp(`^  ${mistaken}\tperson_voided\t.*已作废，不能审核；请驳回此申请$`, 'm'),
    );
    assert.match(
      review.stdout,
      /^ {2}99999999\tnot_found\t县 620881 的项目 childcare-subsidy 中没有待遇 99999999$/m,
    );
    assert.deepEqual(await statuses(), ['reviewed', 'applied']);

    // Named under another programme: left as it was, never approved under that one's name.
    const elsewhere = await run([
      'benefits',
      'approve',
      '--programme',
      'rural-reward-assistance',
      '--ids',
      String(fine),
      '--lang',
      'en',
    ]);
    assert.equal(elsewhere.code, 3, elsewhere.stderr);
    assert.match(
      elsewhere.stdout,
      new RegExp(
        `^  ${fine}\tnot_found\tNo entitlement ${fine} in programme rural-reward-assistance of county 620881$`,
        'm',
      ),
    );
    assert.deepEqual(await statuses(), ['reviewed', 'applied']);

    const reject = await run([
      'benefits',
      'reject',
      '--programme',
      'childcare-subsidy',
      '--ids',
      String(mistaken),
    ]);
    assert.equal(reject.code, 0, reject.stderr);
    assert.match(reject.stdout, new RegExp(`^  ${mistaken}\trejected$`, 'm'));
    assert.deepEqual(await statuses(), ['reviewed', 'rejected']);
  });

  it('batch --programme childcare-subsidy --period 2025H2 writes the bank file and prints its totals, once', async () => {
    const screen = await run([
      'benefits',
      'screen',
      '--programme',
      'childcare-subsidy',
      '--period',
      '2025H2',
      '--enrol',
    ]);
    assert.equal(screen.code, 0, screen.stderr);
    assert.match(screen.stdout, /可能符合条件、尚未纳入：\d+ 人/);
    assert.equal((await run(['benefits', 'review', '--programme', 'childcare-subsidy'])).code, 0);
    assert.equal((await run(['benefits', 'approve', '--programme', 'childcare-subsidy'])).code, 0);

    const out = join(dir, 'bank.csv');
    const batch = await run([
      'benefits',
      'batch',
      '--programme',
      'childcare-subsidy',
      '--period',
      '2025H2',
      '--out',
      out,
    ]);
    assert.equal(batch.code, 0, batch.stderr);
    const match = /批次 \d+：(\d+) 笔，合计 ([\d.]+) 元/.exec(batch.stdout);
    assert.ok(match, batch.stdout);
    assert.ok(existsSync(out));
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    assert.equal(lines.length, Number(match[1]) + 2, 'header, one line per payment, total');
    const sum = lines.slice(1, -1).reduce((s, line) => s + Math.round(Number(line.split(',')[4]) * 100), 0);
    assert.equal((sum / 100).toFixed(2), match[2]);
    assert.match(lines.at(-1)!, new RegExp(`^合计,${match[1]} 笔,,,${match[2]!.replace('.', '\\.')},`));

    const again = await run([
      'benefits',
      'batch',
      '--programme',
      'childcare-subsidy',
      '--period',
      '2025H2',
      '--lang',
      'en',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Nothing to pay \\(${match[1]} already paid`));
  });
});
