import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

describe(`renkou indicators (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    const synth = await runRenkou(
      [
        'synth',
        '--persons',
        '2000',
        '--from',
        '2024',
        '--to',
        '2025',
        '--seed',
        '4',
        '--into-db',
        '--no-workload',
      ],
      storage.env,
      300_000,
    );
    assert.equal(synth.code, 0, synth.stderr);
    assert.match(synth.stdout, /已写入数据库/);
  });
  after(() => storage.cleanup());

  it('prints every township’s figures as CSV, and "无数据" never a made-up number', async () => {
    const result = await runRenkou(
      [
        'indicators',
        '--unit',
        '620881',
        '--period',
        '2025',
        '--by',
        'township',
        '--indicator',
        'resident_population,births',
        '--format',
        'csv',
      ],
      storage.env,
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(
      lines[0],
      'indicator,name,unit,unitName,group,value,lower,upper,numerator,denominator,flags',
    );
    assert.equal(lines.length, 1 + 2 * 11, 'two indicators × 11 townships');
    const total = lines
      .slice(1)
      .filter((line) => line.startsWith('resident_population'))
      .reduce((sum, line) => sum + Number(line.split(',')[5]), 0);
    const county = await runRenkou(
      [
        'indicators',
        '--unit',
        '620881',
        '--period',
        '2025',
        '--indicator',
        'resident_population',
        '--format',
        'json',
      ],
      storage.env,
    );
    assert.equal(JSON.parse(county.stdout)[0].value, total, 'townships add up to the county');
    const table = await runRenkou(
      ['indicators', '--unit', '620881204', '--period', '2025-01', '--indicator', 'crude_birth_rate'],
      storage.env,
    );
    assert.match(table.stdout, /出生率\t(无数据|[0-9.]+)/);
  });

  it('refuses an unknown indicator with a clear message', async () => {
    const result = await runRenkou(
      ['indicators', '--unit', '620881', '--period', '2025', '--indicator', 'no_such_indicator'],
      storage.env,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /没有指标 no_such_indicator/);
  });
});
