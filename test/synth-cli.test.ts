import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';

/** The command as people run it (each case starts the CLI, so there are few of them). */
describe('renkou synth (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'renkou-synth-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the registry, feeds, truth and manifest, with a progress bar and a summary', async () => {
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
    assert.match(result.stdout, /出生 \d+，死亡 \d+/);
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
  });

  it('documents its options in English on request', async () => {
    const en = await runRenkou(['synth', '--help', '--lang', 'en']);
    assert.equal(en.code, 0);
    assert.match(en.stdout, /population on 1 January of the first year/);
    assert.match(en.stdout, /--seed <seed>/);
  });

  it('explains bad arguments in zh-CN and English', async () => {
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
  });
});
