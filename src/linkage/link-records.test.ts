import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { composeResidentId } from '../domain/resident-id.ts';
import type { Dataset } from './dataset.ts';
import { evaluateLinkage } from './evaluate.ts';
import { type LinkSettings, parseLinkConfig } from './link-config.ts';
import { type LinkResult, linkRecords, type PairExplanation } from './link-records.ts';
import { generateLinkageData, SYNTHETIC_COLUMNS, SYNTHETIC_CONFIG } from './synthetic-records.ts';

type Row = Partial<Record<(typeof SYNTHETIC_COLUMNS)[number], string | null>> & { id: string };

/** Adds hand-made records to a dataset. */
function append(dataset: Dataset, rows: Row[]) {
  for (const row of rows) {
    dataset.ids.push(row.id);
    for (const [name, column] of dataset.columns)
      column.push((row as Record<string, string | null>)[name] ?? null);
  }
}

const VILLAGE = '620881105203';
const ID_1 = composeResidentId('620881', '19880612', 13);
const TWIN = composeResidentId('620881', '20150409', 22);
const TWIN_SISTER = composeResidentId('620881', '20150409', 24);
const RARE = composeResidentId('620881', '19790214', 31);
const COMMON = composeResidentId('620881', '19810303', 35);
const LI = composeResidentId('620881', '19921003', 42);
/** ID_1 with two adjacent digits (the day, 12 → 21) swapped. */
const ID_1_TRANSPOSED = `${ID_1.slice(0, 12)}21${ID_1.slice(14)}`;

const REGISTRY_ROWS: Row[] = [
  {
    id: 'P1',
    entity: 'e1',
    name: '王晓明',
    sex: '男',
    birth_date: '1988-06-12',
    id_number: ID_1,
    village: VILLAGE,
  },
  {
    id: 'P2',
    entity: 'e2',
    name: '赵子涵',
    sex: '女',
    birth_date: '2015-04-09',
    id_number: TWIN,
    village: VILLAGE,
    mother_id: 'M1',
  },
  {
    id: 'P3',
    entity: 'e3',
    name: '欧阳修远',
    sex: '男',
    birth_date: '1979-02-14',
    id_number: RARE,
    village: VILLAGE,
  },
  {
    id: 'P4',
    entity: 'e4',
    name: '王伟',
    sex: '男',
    birth_date: '1981-03-03',
    id_number: COMMON,
    village: VILLAGE,
  },
  {
    id: 'P5',
    entity: 'e5',
    name: '李丽',
    sex: '女',
    birth_date: '1992-10-03',
    id_number: LI,
    village: VILLAGE,
  },
];
const FEED_ROWS: Row[] = [
  {
    id: 'F1',
    entity: 'e1',
    name: '王小明',
    sex: '男',
    birth_date: '1988-06-12',
    id_number: ID_1_TRANSPOSED,
    village: VILLAGE,
  },
  {
    id: 'F2',
    entity: 'e2b',
    name: '赵雨萱',
    sex: '女',
    birth_date: '2015-04-09',
    id_number: TWIN_SISTER,
    village: VILLAGE,
    mother_id: 'M1',
  },
  {
    id: 'F3',
    entity: 'e3',
    name: '欧阳修远',
    sex: '男',
    birth_date: '1979-02-14',
    id_number: RARE,
    village: VILLAGE,
  },
  {
    id: 'F4',
    entity: 'e4',
    name: '王伟',
    sex: '男',
    birth_date: '1981-03-03',
    id_number: COMMON,
    village: VILLAGE,
  },
  {
    id: 'F5',
    entity: 'e5',
    name: '李莉',
    sex: '女',
    birth_date: '1992-03-10',
    id_number: null,
    village: VILLAGE,
  },
  {
    id: 'F6',
    entity: 'e6',
    name: '王伟',
    sex: '男',
    birth_date: '1975-01-20',
    id_number: composeResidentId('620881', '19750120', 51),
    village: '620881112208',
  },
];

describe('linkRecords on a seeded synthetic feed and registry', () => {
  let registry: Dataset;
  let feed: Dataset;
  let settings: LinkSettings;
  let result: LinkResult;
  const explain = (feedId: string, registryId: string): PairExplanation =>
    result.explain(feed.ids.indexOf(feedId), registry.ids.indexOf(registryId));

  before(() => {
    ({ registry, feed } = generateLinkageData({ seed: 21, registry: 3000, feed: 600 }));
    append(registry, REGISTRY_ROWS);
    append(feed, FEED_ROWS);
    const columns = [...SYNTHETIC_COLUMNS];
    const parsed = parseLinkConfig(SYNTHETIC_CONFIG, { left: columns, right: columns });
    assert.ok(parsed.ok);
    settings = parsed.value;
    result = linkRecords(feed, registry, settings);
  });

  it('links a homophone name with a transposed ID digit', () => {
    const pair = explain('F1', 'P1');
    assert.equal(pair.decision, 'link');
    assert.deepEqual(
      pair.comparisons.map((c) => c.code),
      ['transposed', 'same-pinyin', 'exact', 'exact', 'village'],
    );
  });

  it('links a homophone name with day and month swapped and no ID number', () => {
    const pair = explain('F5', 'P5');
    assert.equal(pair.decision, 'link');
    assert.equal(pair.comparisons[0]!.code, 'null');
    assert.equal(pair.comparisons[0]!.weight, 0, 'a missing value weighs nothing');
    assert.equal(pair.comparisons[2]!.code, 'day-month-swapped');
  });

  it('does not link twins with different given names', () => {
    const pair = explain('F2', 'P2');
    assert.equal(pair.decision, 'non-match');
    assert.equal(pair.comparisons[0]!.code, 'else', 'two valid, different ID numbers');
    assert.equal(pair.comparisons[1]!.code, 'surname');
    assert.equal(pair.comparisons[2]!.code, 'exact');
  });

  it('does not link two people who share only a common name', () => {
    assert.equal(explain('F6', 'P4').decision, 'non-match');
    assert.equal(explain('F4', 'P4').decision, 'link');
  });

  it('weighs an exact rare name more than an exact 王伟 (term-frequency adjustment)', () => {
    const rare = explain('F3', 'P3').comparisons[1]!;
    const common = explain('F4', 'P4').comparisons[1]!;
    assert.equal(rare.code, 'exact');
    assert.equal(common.code, 'exact');
    assert.equal(rare.weight, common.weight, 'the same level, the same Bayes factor');
    assert.ok(common.tfWeight < rare.tfWeight - 2, `王伟 ${common.tfWeight} vs 欧阳修远 ${rare.tfWeight}`);
    assert.ok(explain('F4', 'P4').weight < explain('F3', 'P3').weight);
  });

  it('explains every pair: each level and weight, the adjustment, and the total they add up to', () => {
    const pair = explain('F1', 'P1');
    const sum = pair.priorWeight + pair.comparisons.reduce((total, c) => total + c.weight + c.tfWeight, 0);
    assert.ok(Math.abs(sum - pair.weight) < 1e-9);
    assert.ok(pair.priorWeight < -10, 'the prior odds of two random records matching are low');
    assert.equal(
      pair.rule,
      'birth date + sex',
      'the ID numbers differ, so the date and sex rule made the pair',
    );
    for (const c of pair.comparisons)
      assert.equal(c.weight, c.level === 0 ? 0 : Math.log2(c.m / c.u) || c.weight);
  });

  it('reaches precision and recall of 0.99 at the auto-link threshold, keeping 99.5% of true pairs in blocks', () => {
    const quality = evaluateLinkage(result, feed.columns.get('entity')!, registry.columns.get('entity')!);
    assert.ok(quality.precision >= 0.99, `precision ${quality.precision}`);
    assert.ok(quality.recall >= 0.99, `recall ${quality.recall}`);
    assert.ok(quality.blockingRecall >= 0.995, `blocking recall ${quality.blockingRecall}`);
  });

  it('scores the same with its saved model and no training', () => {
    const again = linkRecords(feed, registry, settings, { model: JSON.parse(JSON.stringify(result.model)) });
    assert.equal(again.training.source, 'given');
    assert.deepEqual(Array.from(again.pairs.weight), Array.from(result.pairs.weight));
  });

  it('links each feed record to one registry record at most', () => {
    const linked = new Map<number, number>();
    for (let q = 0; q < result.pairs.count; q++) {
      if (result.pairs.decision[q] !== 2) continue;
      const i = result.pairs.left[q]!;
      linked.set(i, (linked.get(i) ?? 0) + 1);
    }
    assert.ok([...linked.values()].every((n) => n === 1));
  });
});

describe('linkRecords deduplicating one file', () => {
  it('finds the duplicates of a registry and clusters them, twins kept apart', () => {
    const { registry } = generateLinkageData({ seed: 22, registry: 3000, feed: 0, registryDuplicates: 0.03 });
    const columns = [...SYNTHETIC_COLUMNS];
    const parsed = parseLinkConfig(SYNTHETIC_CONFIG, { left: columns });
    assert.ok(parsed.ok);
    const result = linkRecords(registry, undefined, parsed.value);
    assert.equal(result.mode, 'dedupe');
    const quality = evaluateLinkage(result, registry.columns.get('entity')!);
    assert.ok(quality.precision >= 0.99, `precision ${quality.precision}`);
    assert.ok(quality.recall >= 0.95, `recall ${quality.recall}`);
    assert.ok(Math.abs(result.clusters.multiRecord - quality.truePositives) <= 2);
    // Records of one cluster are of one entity.
    const entity = registry.columns.get('entity')!;
    const seen = new Map<number, string>();
    for (let i = 0; i < registry.ids.length; i++) {
      const cluster = result.clusters.left[i]!;
      if (seen.has(cluster)) assert.equal(entity[i], seen.get(cluster));
      else seen.set(cluster, entity[i]!);
    }
  });
});
