import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datasetCsvChunks, parseCsv } from '../src/linkage/csv.ts';
import { generateLinkageData, SYNTHETIC_CONFIG } from '../src/linkage/synthetic-records.ts';
import { runRenkou } from './helpers/cli.ts';

// renkou link needs no storage: point it at a database that cannot exist to prove it never opens one.
const NO_DATABASE = { DATABASE_URL: 'postgres://renkou:none@127.0.0.1:1/none' };

describe('renkou link', () => {
  let dir: string;
  const path = (name: string) => join(dir, name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-link-'));
    const { registry, feed } = generateLinkageData({ seed: 5, registry: 3000, feed: 600 });
    writeFileSync(path('registry.csv'), [...datasetCsvChunks(registry)].join(''));
    writeFileSync(path('feed.csv'), [...datasetCsvChunks(feed)].join(''));
    // Fewer random pairs than the default million: enough for u at this size, and quicker.
    writeFileSync(
      path('link.json'),
      JSON.stringify({ ...SYNTHETIC_CONFIG, training: { randomPairs: 300_000 } }, null, 2),
    );
    const dedupe = generateLinkageData({ seed: 6, registry: 2000, feed: 0, registryDuplicates: 0.03 });
    writeFileSync(path('dups.csv'), [...datasetCsvChunks(dedupe.registry)].join(''));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('links a feed to a registry and, with --truth, reaches precision and recall of 0.99', async () => {
    const result = await runRenkou(
      [
        'link',
        '--left',
        path('feed.csv'),
        '--right',
        path('registry.csv'),
        '--config',
        path('link.json'),
        '--out',
        path('pairs.csv'),
        '--truth',
        'entity',
      ],
      NO_DATABASE,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /链接 feed\.csv（600 条）与 registry\.csv（3,000 条）/);
    assert.match(result.stdout, /surname pinyin \+ birth year\s+[\d,]+\s+[\d,]+/);
    assert.match(result.stdout, /合计 [\d,]+ 个候选对/);
    assert.match(result.stdout, /name\s+完全相同\s+[\d.]+\s+[\d.e+-]+\s+\+[\d.]+（按频率调整）/);
    const precision = Number(/精确率 ([\d.]+)/.exec(result.stdout)?.[1]);
    const recall = Number(/召回率 ([\d.]+)/.exec(result.stdout)?.[1]);
    const blockingRecall = Number(/分块召回率 ([\d.]+)/.exec(result.stdout)?.[1]);
    assert.ok(precision >= 0.99, `precision ${precision}\n${result.stdout}`);
    assert.ok(recall >= 0.99, `recall ${recall}\n${result.stdout}`);
    assert.ok(blockingRecall >= 0.995, `blocking recall ${blockingRecall}`);

    const rows = parseCsv(readFileSync(path('pairs.csv'), 'utf8'));
    assert.deepEqual(rows[0], [
      'left_id',
      'right_id',
      'match_weight',
      'match_probability',
      'decision',
      'rule',
      'superseded',
      'id_number',
      'id_number_weight',
      'name',
      'name_weight',
      'birth_date',
      'birth_date_weight',
      'sex',
      'sex_weight',
      'village',
      'village_weight',
    ]);
    const first = rows[1]!;
    assert.match(first[0]!, /^F\d+$/);
    assert.match(first[1]!, /^R\d+$/);
    assert.equal(first[4], 'link');
    assert.ok(Number(first[3]) >= 0.95);
    // The weight is the prior plus the comparisons' weights (with the frequency adjustment in them).
    const parts = [8, 10, 12, 14, 16].reduce((sum, c) => sum + Number(first[c]), 0);
    assert.ok(parts > Number(first[2]), 'the prior odds are against a match');
  });

  it('prints the whole report as JSON with --json', async () => {
    const json = await runRenkou(
      [
        'link',
        '--left',
        path('feed.csv'),
        '--right',
        path('registry.csv'),
        '--config',
        path('link.json'),
        '--out',
        path('pairs-json.csv'),
        '--truth',
        'entity',
        '--json',
      ],
      NO_DATABASE,
    );
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.mode, 'link');
    assert.equal(report.blocking.rules.length, 5);
    assert.equal(
      report.blocking.candidatePairs,
      report.blocking.rules.reduce((sum: number, rule: { newPairs: number }) => sum + rule.newPairs, 0),
    );
    assert.ok(report.quality.precision >= 0.99);
    assert.deepEqual(
      report.model.comparisons[0].levels.map((level: { code: string }) => level.code),
      ['null', 'exact', 'one-digit', 'transposed', 'else'],
    );
  });

  it('deduplicates one file when --right is left out, writes the clusters, and speaks English with --lang en', async () => {
    const result = await runRenkou(
      [
        'link',
        '--left',
        path('dups.csv'),
        '--config',
        path('link.json'),
        '--out',
        path('dup-pairs.csv'),
        '--truth',
        'entity',
        '--clusters',
        path('clusters.csv'),
        '--lang',
        'en',
      ],
      NO_DATABASE,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Deduplicating dups\.csv \([\d,]+ records\)/);
    assert.match(result.stdout, /clusters: [\d,]+ entities, \d+ with duplicates/);
    const precision = Number(/precision ([\d.]+)/.exec(result.stdout)?.[1]);
    assert.ok(precision >= 0.99, result.stdout);
    const clusters = parseCsv(readFileSync(path('clusters.csv'), 'utf8'));
    assert.deepEqual(clusters[0], ['side', 'id', 'cluster']);
    assert.equal(
      clusters.length - 1,
      Number(/Deduplicating dups\.csv \(([\d,]+) records\)/.exec(result.stdout)![1]!.replace(/,/g, '')),
    );
  });

  it('reports configuration mistakes at their field, all of them in Chinese, one in English', async () => {
    writeFileSync(
      path('bad.json'),
      JSON.stringify({
        comparisons: [
          { type: 'fuzzy', column: 'name' },
          { type: 'date', column: 'dob' },
        ],
        blocking: [{ on: 'name:surname-pinyin' }],
      }),
    );
    const args = [
      'link',
      '--left',
      path('feed.csv'),
      '--right',
      path('registry.csv'),
      '--config',
      path('bad.json'),
      '--out',
      path('x.csv'),
    ];
    const zh = await runRenkou(args, NO_DATABASE);
    assert.equal(zh.code, 1);
    assert.match(zh.stderr, /错误: 配置 .*bad\.json 有 3 处错误/);
    assert.match(zh.stderr, /- comparisons\.0\.type: 未知的比较类型“fuzzy”（可用：id-number, han-name/);
    assert.match(
      zh.stderr,
      /- comparisons\.1\.column: 文件 feed\.csv 中没有列“dob”（现有列：id, entity, name/,
    );
    writeFileSync(path('one.json'), JSON.stringify({ ...SYNTHETIC_CONFIG, thresholds: { autoLink: 0.4 } }));
    const one = await runRenkou(
      [...args.slice(0, 6), path('one.json'), '--out', path('x.csv'), '--lang', 'en'],
      NO_DATABASE,
    );
    assert.equal(one.code, 1);
    assert.match(
      one.stderr,
      /In the configuration .*one\.json, thresholds\.review: the review threshold \(0\.5\) cannot be above the auto-link threshold \(0\.4\)/,
    );
  });

  it('says which --truth column is missing', async () => {
    const result = await runRenkou(
      [
        'link',
        '--left',
        path('feed.csv'),
        '--right',
        path('registry.csv'),
        '--config',
        path('link.json'),
        '--out',
        path('x.csv'),
        '--truth',
        'person',
        '--lang',
        'en',
      ],
      NO_DATABASE,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the --truth column "person" is not in feed\.csv and registry\.csv/);
  });
});
