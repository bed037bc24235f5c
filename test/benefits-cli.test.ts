import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
