import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { composeResidentId } from '../src/domain/resident-id.ts';
import { PERSON_COLUMNS } from '../src/registry/import/person-columns.ts';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';
import { csvOf, person } from './helpers/import-rows.ts';

/**
 * A scratch database with county 620881 initialised and a temporary folder, for the describe it is
 * called in; the two are read through the returned object once `before` has run.
 */
function scratchCounty(prefix: string): { storage: ScratchStorage; dir: string } {
  const scratch = {} as { storage: ScratchStorage; dir: string };
  before(async () => {
    scratch.storage = await createScratchStorage();
    scratch.dir = mkdtempSync(join(tmpdir(), prefix));
    const init = await runRenkou(['init', '--county', '620881'], scratch.storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    await scratch.storage.cleanup();
    rmSync(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}

describe(`renkou import / export (${storageName})`, () => {
  const scratch = scratchCounty('renkou-import-cli-');
  const renkou = async (...args: string[]) => {
    const result = await runRenkou(args, scratch.storage.env);
    assert.equal(result.code, 0, `renkou ${args.join(' ')}\n${result.stderr}`);
    return result;
  };

  it('writes the template, imports a file with a progress bar, a summary and a per-row report, and knows the file again', async () => {
    await renkou('import', 'template', '--out', join(scratch.dir, 'template.xlsx'));
    assert.ok(existsSync(join(scratch.dir, 'template.xlsx')));

    const rows = [
      ['CLI-1', '620881100001', '陈一', '男', '1975-05-05', composeResidentId('620881', '1975-05-05', 901)],
      ['CLI-1', '620881100001', '陈二', '女', '1976-06-06', composeResidentId('620881', '1976-06-06', 902)],
      ['CLI-1', '620881100001', '陈三', '男', '1977-07-07', composeResidentId('620881', '1977-07-07', 904)],
    ].map((cells) => {
      const byField: Record<string, string> = {
        householdNo: cells[0]!,
        villageCode: cells[1]!,
        name: cells[2]!,
        sex: cells[3]!,
        birthDate: cells[4]!,
        idNumber: cells[5]!,
        residenceType: '户籍',
        residenceFrom: '2001-01-01',
      };
      return PERSON_COLUMNS.map((c) => byField[c.field] ?? '').join(',');
    });
    const path = join(scratch.dir, 'persons.csv');
    writeFileSync(path, `${PERSON_COLUMNS.map((c) => c.zh).join(',')}\n${rows.join('\n')}\n`);
    const reportPath = join(scratch.dir, 'rows.csv');
    const first = await renkou('import', 'persons', path, '--report', reportPath, '--user', 'clerk');
    assert.match(first.stdout, /共 3 行，新建 2，未变 0，隔离 1/);
    assert.match(first.stdout, /id_sex_mismatch/);
    assert.match(first.stderr, /导入（KB）/, 'a progress bar on stderr');
    const perRow = readFileSync(reportPath, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.deepEqual(
      perRow.map((l) => l.split(',').slice(0, 2).join(',')),
      ['行号,结果', '2,ok', '3,ok', '4,quarantined'],
    );

    const again = await renkou('import', 'persons', path, '--lang', 'en');
    assert.match(again.stdout, /nothing was written this time/);
  });

  it('lists the quarantine, resubmits a corrected row, and exports a unit that re-imports as unchanged', async () => {
    const quarantine = JSON.parse((await renkou('import', 'quarantine', '--batch', '1', '--json')).stdout);
    assert.equal(quarantine.total, 1);
    assert.equal(quarantine.items[0].rowNo, 4);
    const still = await runRenkou(
      ['import', 'resubmit', '1', '4', '--set', '性别=男性?'],
      scratch.storage.env,
    );
    assert.equal(still.code, 1);
    assert.match(still.stderr, /性别/);
    const fixed = await renkou('import', 'resubmit', '1', '4', '--set', '性别=女', '--json');
    assert.equal(JSON.parse(fixed.stdout).outcome, 'ok');

    const exported = join(scratch.dir, 'export.csv');
    const out = await renkou('export', 'persons', '--unit', '620881', '--out', exported);
    assert.match(out.stdout, /已导出 3 人/);
    // An export of personal data from the command line is in the audit log too.
    const log = JSON.parse((await renkou('access-log', 'search', '--action', 'export', '--json')).stdout);
    const entries = (Array.isArray(log) ? log : log.items) as {
      actor: string;
      resource: string;
      details: unknown;
    }[];
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.actor, /^cli:/);
    assert.equal(entries[0]!.resource, 'persons:620881');
    assert.deepEqual(entries[0]!.details, { file: exported, format: 'csv', persons: 3 });
    const reimport = JSON.parse((await renkou('import', 'persons', exported, '--json')).stdout);
    assert.deepEqual(reimport.rows, { total: 3, ok: 0, unchanged: 3, quarantined: 0, blank: 0 });
  });
});

describe(`renkou import persons --mode initial (${storageName})`, () => {
  const scratch = scratchCounty('renkou-initial-cli-');

  it('loads an empty county in one transaction, says so, reports every row after it, and refuses a bad --mode', async () => {
    const path = join(scratch.dir, 'county.csv');
    writeFileSync(
      path,
      csvOf([person({ householdNo: 'L-1', name: '林一' }), person({ householdNo: 'L-1', sex: '?' })]),
    );
    const bad = await runRenkou(['import', 'persons', path, '--mode', 'fast'], scratch.storage.env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--mode 应为 auto、chunked 或 initial：fast/);

    const reportPath = join(scratch.dir, 'rows.csv');
    const result = await runRenkou(
      ['import', 'persons', path, '--mode', 'initial', '--report', reportPath],
      scratch.storage.env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /县 620881 的整批初始导入/);
    assert.match(result.stdout, /共 2 行，新建 1，未变 0，隔离 1/);
    assert.match(result.stderr, /已写入 2 行；正在重建登记库的索引和约束/);
    const perRow = readFileSync(reportPath, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.deepEqual(
      perRow.map((l) => l.split(',').slice(0, 2).join(',')),
      ['行号,结果', '2,ok', '3,quarantined'],
    );

    const refused = await runRenkou(
      ['import', 'persons', path, '--mode', 'initial', '--lang', 'en'],
      scratch.storage.env,
    );
    assert.equal(refused.code, 0, 'the same file: already imported, nothing to refuse');
    assert.match(refused.stdout, /nothing was written this time/);
  });
});
