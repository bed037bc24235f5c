import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

describe(`renkou report and renkou activity (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-report-cli-'));
    const synth = await runRenkou(
      [
        'synth',
        '--persons',
        '1500',
        '--from',
        '2025',
        '--to',
        '2025',
        '--seed',
        '5',
        '--into-db',
        '--no-workload',
      ],
      storage.env,
      300_000,
    );
    assert.equal(synth.code, 0, synth.stderr);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  });

  it('records activities and lists them', async () => {
    const added = await runRenkou(
      [
        'activity',
        'add',
        '--unit',
        '620881100',
        '--date',
        '2025-04-12',
        '--kind',
        'home_visit',
        '--people',
        '35',
        '--text',
        '走访新生儿家庭，讲解育儿补贴申领',
      ],
      storage.env,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /已登记活动 #\d+/);
    const bad = await runRenkou(
      ['activity', 'add', '--unit', '620881100', '--date', '2025-04-12', '--kind', 'fines', '--text', 'x'],
      storage.env,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /活动类型应为/);
    const list = await runRenkou(['activity', 'list', '--unit', '620881'], storage.env);
    assert.match(list.stdout, /2025-04-12\t东华镇\t入户走访\t35\t-\t走访新生儿家庭/);
  });

  it('writes the report file with progress, records it, and diffs it as unchanged', async () => {
    const out = join(dir, 'report.docx');
    const result = await runRenkou(
      ['report', '--unit', '620881', '--period', '2025', '--format', 'docx', '--out', out],
      storage.env,
      300_000,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /生成报告 .*100%/);
    const run = /报告记录 #(\d+)/.exec(result.stdout)?.[1];
    assert.ok(run, result.stdout);
    assert.ok(existsSync(out));
    assert.equal(readFileSync(out).subarray(0, 2).toString(), 'PK');
    const html = await runRenkou(
      [
        'report',
        '--unit',
        '620881100',
        '--period',
        '2025Q2',
        '--format',
        'html',
        '--out',
        join(dir, 'r.html'),
      ],
      storage.env,
      300_000,
    );
    assert.equal(html.code, 0, html.stderr);
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /入户走访/);
    const list = await runRenkou(['report', 'list', '--unit', '620881'], storage.env);
    assert.match(list.stdout, new RegExp(`#${run}\\t620881\\t2025\\tdocx`));
    const diff = await runRenkou(['report', 'diff', run], storage.env, 300_000);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /数字全部相同/);
  });

  it('asks for what is missing, in English on request', async () => {
    const result = await runRenkou(['report', '--format', 'pdf', '--lang', 'en'], storage.env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Give --unit/);
    assert.match(result.stderr, /Format must be docx, xlsx or html/);
  });

  it('writes the report in English with --lang en or RENKOU_LANG=en, and refuses a language it does not speak', async () => {
    const html = join(dir, 'en.html');
    const result = await runRenkou(
      [
        'report',
        '--unit',
        '620881100',
        '--period',
        '2025Q2',
        '--format',
        'html',
        '--lang',
        'en',
        '--out',
        html,
      ],
      storage.env,
      300_000,
    );
    assert.equal(result.code, 0, result.stderr);
    const run = /Wrote .* report record #(\d+)/.exec(result.stdout)?.[1];
    assert.ok(run, result.stdout);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<html lang="en">/);
    assert.match(page, /<h2>1\. Overview<\/h2>/);
    assert.match(page, /<h3>\(1\) Home visits<\/h3>/);
    assert.doesNotMatch(page, /一、基本情况|入户走访/);
    const xlsx = join(dir, 'en.xlsx');
    const tables = await runRenkou(
      ['report', '--unit', '620881', '--period', '2025', '--format', 'xlsx', '--out', xlsx],
      { ...storage.env, RENKOU_LANG: 'en' },
      300_000,
    );
    assert.equal(tables.code, 0, tables.stderr);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['Annual', 'Quarterly', 'Monthly', 'Notes'],
    );
    const list = await runRenkou(['report', 'list', '--unit', '620881100'], storage.env);
    assert.match(list.stdout, new RegExp(`#${run}\\t620881100\\t2025Q2\\thtml\\ten\\t`));

    const before = list.stdout;
    const refused = join(dir, 'fr.docx');
    const bad = await runRenkou(
      ['report', '--unit', '620881100', '--period', '2025', '--lang', 'fr', '--out', refused],
      storage.env,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /报告语言应为 zh-CN 或 en，收到“fr”（The report language must be zh-CN or en）/);
    assert.ok(!existsSync(refused), 'no file');
    const badEnv = await runRenkou(['report', '--unit', '620881100', '--period', '2025', '--out', refused], {
      ...storage.env,
      RENKOU_LANG: 'klingon',
    });
    assert.equal(badEnv.code, 1);
    assert.match(badEnv.stderr, /收到“klingon”/);
    assert.ok(!existsSync(refused), 'no file');
    assert.equal((await runRenkou(['report', 'list', '--unit', '620881100'], storage.env)).stdout, before);
  });
});
