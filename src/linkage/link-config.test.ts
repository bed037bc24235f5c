import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FileColumns, type LinkConfig, parseLinkConfig } from './link-config.ts';

const FILES = {
  left: ['id', 'name', 'birth_date'],
  right: ['id', '姓名', 'birth_date'],
  leftName: 'feed.csv',
  rightName: 'registry.csv',
};
const VALID: LinkConfig = {
  columns: { name: { left: 'name', right: '姓名' } },
  comparisons: [
    { type: 'han-name', column: 'name' },
    { name: 'dob', type: 'date', column: 'birth_date', levels: ['exact', 'within-days:7'] },
  ],
  blocking: [{ on: ['name:surname-pinyin', 'birth_date:year'] }, 'birth_date'],
};

const issuesOf = (config: unknown, files: FileColumns = FILES) => {
  const parsed = parseLinkConfig(config, files);
  assert.equal(parsed.ok, false);
  return parsed.ok ? [] : parsed.issues;
};

describe('linkage configuration', () => {
  it('reads a valid configuration with defaults', () => {
    const parsed = parseLinkConfig(VALID, FILES);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
    const settings = parsed.value;
    assert.deepEqual(settings.columns.get('name'), { left: 'name', right: '姓名' });
    assert.equal(settings.comparisons[0]!.name, 'name');
    assert.equal(settings.comparisons[0]!.tf, true, 'names are adjusted by frequency by default');
    assert.deepEqual(settings.comparisons[1]!.levels, [{ kind: 'exact' }, { kind: 'within-days', param: 7 }]);
    assert.equal(settings.blocking[0]!.name, 'name:surname-pinyin + birth_date:year');
    assert.deepEqual(settings.blocking[1]!.keys, [{ column: 'birth_date', transform: 'exact' }]);
    assert.deepEqual(settings.thresholds, { autoLink: 0.95, review: 0.5 });
    assert.equal(settings.oneToOne, true);
  });

  it('names the field, the file and the columns there are when a column is unknown', () => {
    const [issue] = issuesOf({ ...VALID, comparisons: [{ type: 'exact', column: 'sex' }] });
    assert.equal(issue!.field, 'comparisons.0.column');
    assert.equal(issue!.code, 'config_unknown_column');
    assert.match(issue!.message['zh-CN'], /文件 feed\.csv 中没有列“sex”（现有列：id, name, birth_date）/);
    assert.match(issue!.message.en, /feed\.csv has no column "sex"/);
  });

  it('lists the comparison types when one is unknown', () => {
    const [issue] = issuesOf({ ...VALID, comparisons: [{ type: 'fuzzy', column: 'name' }] });
    assert.equal(issue!.field, 'comparisons.0.type');
    assert.match(issue!.message.en, /unknown comparison type "fuzzy" \(known: id-number, han-name, date/);
    assert.match(issue!.message['zh-CN'], /未知的比较类型“fuzzy”/);
  });

  it('rejects a level that does not fit the comparison type, and a level without its parameter', () => {
    const issues = issuesOf({
      ...VALID,
      comparisons: [{ type: 'date', column: 'birth_date', levels: ['exact', 'same-pinyin', 'within-days'] }],
    });
    assert.deepEqual(
      issues.map((i) => [i.field, i.code]),
      [
        ['comparisons.0.levels.1', 'config_level_kind'],
        ['comparisons.0.levels.2', 'config_level_param'],
      ],
    );
    assert.match(issues[0]!.message.en, /applies to: han-name/);
  });

  it('rejects an unknown blocking transform, misspelt settings and thresholds out of order, all at once', () => {
    const issues = issuesOf({
      ...VALID,
      blocking: [{ on: 'name:soundex' }],
      treshold: 1,
      thresholds: { autoLink: 0.6, review: 0.9 },
    });
    assert.deepEqual(
      issues.map((i) => i.field),
      ['treshold', 'blocking.0.on.0', 'thresholds.review'],
    );
  });

  it('requires the id column in both files', () => {
    const [issue] = issuesOf({ ...VALID, id: 'record_no' });
    assert.equal(issue!.field, 'id');
    assert.match(issue!.message.en, /record id column is missing \(feed\.csv: record_no\)/);
  });

  it('takes m fixed by hand for a level, and rejects a level the comparison does not have', () => {
    const parsed = parseLinkConfig(
      { ...VALID, comparisons: [{ type: 'id-number', column: 'birth_date', m: { else: 0.001 } }] },
      FILES,
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.comparisons[0]!.fixedM, { else: 0.001 });
    const [issue] = issuesOf({
      ...VALID,
      comparisons: [{ type: 'id-number', column: 'birth_date', m: { village: 0.5 } }],
    });
    assert.equal(issue!.field, 'comparisons.0.m.village');
    assert.match(issue!.message.en, /it has: exact, one-digit, transposed, else/);
  });

  it('does not ask for one-to-one when deduplicating', () => {
    const files = { left: FILES.left };
    const parsed = parseLinkConfig({ ...VALID, columns: undefined }, files);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.oneToOne, false);
    const [issue] = issuesOf({ ...VALID, columns: undefined, oneToOne: true }, files);
    assert.equal(issue!.field, 'oneToOne');
  });
});
