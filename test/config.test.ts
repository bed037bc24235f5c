import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { AppError } from '../src/domain/errors.ts';

function withDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'renkou-config-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('config', () => {
  it('defaults to PGlite under ./data, port 3000, zh-CN, 华亭市', () =>
    withDir((dir) => {
      const config = loadConfig({}, dir);
      assert.equal(config.databaseUrl, undefined);
      assert.equal(config.dataDir, join(dir, 'data'));
      assert.equal(config.port, 3000);
      assert.equal(config.lang, 'zh-CN');
      assert.equal(config.defaultCounty, '620881');
    }));

  it('reads the environment', () =>
    withDir((dir) => {
      const config = loadConfig(
        {
          PORT: '8080',
          RENKOU_DATA_DIR: 'store',
          DATABASE_URL: 'postgres://u@localhost/x',
          RENKOU_LANG: 'en',
        },
        dir,
      );
      assert.equal(config.port, 8080);
      assert.equal(config.dataDir, join(dir, 'store'));
      assert.equal(config.databaseUrl, 'postgres://u@localhost/x');
      assert.equal(config.lang, 'en');
    }));

  it('names the bad setting in both languages', () =>
    withDir((dir) => {
      assert.throws(
        () => loadConfig({ PORT: 'eighty' }, dir),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'invalid_config' &&
          error.field === 'PORT' &&
          error.text['zh-CN'].includes('PORT') &&
          error.text.en.includes('PORT="eighty"'),
      );
      assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }, dir), { field: 'DATABASE_URL' });
      assert.throws(() => loadConfig({ RENKOU_DEFAULT_COUNTY: '62088' }, dir), {
        field: 'RENKOU_DEFAULT_COUNTY',
      });
    }));

  it('warms the indicator cubes at start unless RENKOU_WARM_CUBES (or warmCubes in the file) says no', () =>
    withDir((dir) => {
      assert.equal(loadConfig({}, dir).warmCubes, true);
      for (const off of ['0', 'false', 'OFF', ' no '])
        assert.equal(loadConfig({ RENKOU_WARM_CUBES: off }, dir).warmCubes, false, off);
      for (const on of ['1', 'true', 'on', 'yes'])
        assert.equal(loadConfig({ RENKOU_WARM_CUBES: on }, dir).warmCubes, true, on);
      assert.throws(
        () => loadConfig({ RENKOU_WARM_CUBES: 'maybe' }, dir),
        (error: unknown) =>
          error instanceof AppError &&
          error.field === 'RENKOU_WARM_CUBES' &&
          error.text.en.includes('RENKOU_WARM_CUBES="maybe"') &&
          error.text.en.includes('on, off') &&
          error.text['zh-CN'].includes('RENKOU_WARM_CUBES'),
      );
      writeFileSync(join(dir, 'renkou.config.json'), JSON.stringify({ warmCubes: false }));
      assert.equal(loadConfig({}, dir).warmCubes, false);
      assert.equal(loadConfig({ RENKOU_WARM_CUBES: '1' }, dir).warmCubes, true);
    }));

  it('reads an optional file, with the environment winning', () =>
    withDir((dir) => {
      writeFileSync(join(dir, 'renkou.config.json'), JSON.stringify({ port: 4000, defaultCounty: '330825' }));
      const config = loadConfig({ PORT: '5000' }, dir);
      assert.equal(config.port, 5000);
      assert.equal(config.defaultCounty, '330825');
    }));

  it('rejects a config file with an unknown key or bad JSON', () =>
    withDir((dir) => {
      writeFileSync(join(dir, 'renkou.config.json'), JSON.stringify({ prot: 4000 }));
      assert.throws(() => loadConfig({}, dir), { code: 'invalid_config' });
      writeFileSync(join(dir, 'bad.json'), '{ port: ');
      assert.throws(() => loadConfig({ RENKOU_CONFIG: 'bad.json' }, dir), { field: 'RENKOU_CONFIG' });
      assert.throws(() => loadConfig({ RENKOU_CONFIG: 'missing.json' }, dir), { field: 'RENKOU_CONFIG' });
    }));
});
