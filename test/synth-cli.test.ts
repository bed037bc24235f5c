import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';

describe('renkou synth (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'renkou-synth-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the registry, feeds, truth and manifest and sums up, in zh-CN or English', async () => {
    const out = join(dir, 'county');
    const result = await runRenkou([
      'synth',
      '--county',
      '620881',
      '--persons',
      '3000',
      '--seed',
      '7',
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /已生成 甘肃省平凉市华亭市（620881）2016–2025 年，种子 7/);
    assert.match(result.stdout, /人口 3000 → \d+/);
    assert.match(result.stderr, /生成 100%/, 'a progress bar on stderr');
    for (const file of [
      'registry/persons.csv',
      'feeds/birth_certificates.csv',
      'truth/persons.csv',
      'manifest.json',
    ]) {
      assert.ok(existsSync(join(out, file)), file);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.options.seed, '7');
    assert.equal(manifest.options.persons, 3000);
    const en = await runRenkou([
      'synth',
      '--county',
      '华亭市',
      '--persons',
      '500',
      '--from',
      '2020',
      '--to',
      '2021',
      '--out',
      join(dir, 'en'),
      '--lang',
      'en',
      '--threads',
      '1',
    ]);
    assert.equal(en.code, 0, en.stderr);
    assert.match(en.stdout, /Generated 甘肃省平凉市华亭市 \(620881\) 2020–2021, seed 1/);
    assert.match(en.stdout, /births \d+, deaths \d+/);
  });

  it('refuses --into-db for now, clearly and with a non-zero exit', async () => {
    const zh = await runRenkou(['synth', '--county', '620881', '--into-db']);
    assert.equal(zh.code, 1);
    assert.match(zh.stderr, /--into-db 尚未提供/);
    const en = await runRenkou(['synth', '--county', '620881', '--into-db', '--lang', 'en']);
    assert.equal(en.code, 1);
    assert.match(en.stderr, /--into-db is not available yet/);
  });

  it('explains bad arguments in both languages', async () => {
    const persons = await runRenkou([
      'synth',
      '--county',
      '620881',
      '--persons',
      'many',
      '--out',
      join(dir, 'x'),
    ]);
    assert.equal(persons.code, 1);
    assert.match(persons.stderr, /人数应为整数：many/);
    const years = await runRenkou([
      'synth',
      '--county',
      '620881',
      '--from',
      '2020',
      '--to',
      '2019',
      '--out',
      join(dir, 'x'),
      '--lang',
      'en',
    ]);
    assert.equal(years.code, 1);
    assert.match(years.stderr, /The last year 2019 is before the first year 2020/);
    const county = await runRenkou([
      'synth',
      '--county',
      '620889',
      '--persons',
      '100',
      '--out',
      join(dir, 'x'),
    ]);
    assert.equal(county.code, 1);
    assert.match(county.stderr, /找不到县级单位 620889/);
    assert.match(county.stderr, /620881 甘肃省 平凉市 华亭市/, 'near matches');
    const noOut = await runRenkou(['synth', '--county', '620881', '--lang', 'en']);
    assert.equal(noOut.code, 1);
    assert.match(noOut.stderr, /Name the output directory with --out/);
  });
});
