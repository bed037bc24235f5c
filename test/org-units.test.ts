import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../src/domain/errors.ts';
import { initCounty, resolveCounty } from '../src/org/init-county.ts';
import { getOrgUnitWithFamily, listSubtree } from '../src/org/org-units.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

describe(`org units (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
  });
  after(() => test.cleanup());

  it('loads 华亭市 with its 11 townships and 129 villages, real names', async () => {
    const result = await initCounty(test.database.db, '620881');
    assert.deepEqual(result.county, { code: '620881', name: '华亭市' });
    assert.equal(result.townships, 11);
    assert.equal(result.villages, 129);
    const unit = await getOrgUnitWithFamily(test.database.db, '620881');
    assert.deepEqual(
      unit.ancestors.map((a) => a.name),
      ['甘肃省', '平凉市'],
    );
    const names = unit.children.map((c) => c.name);
    for (const township of [
      '东华镇',
      '西华镇',
      '马峡镇',
      '策底镇',
      '上关镇',
      '河西镇',
      '神峪乡',
      '山寨乡',
      '砚峡乡',
    ]) {
      assert.ok(names.includes(township), `${township} missing from ${names.join(',')}`);
    }
    assert.equal(unit.descendants.township, 11);
    assert.equal(unit.descendants.village, 129);
  });

  it('answers subtree queries by code prefix', async () => {
    const villages = await listSubtree(test.database.db, '620881100', 'village');
    assert.ok(villages.length > 0);
    assert.ok(villages.every((v) => v.code.startsWith('620881100') && v.code.length === 12));
    const township = await getOrgUnitWithFamily(test.database.db, '620881100');
    assert.equal(township.children.length, villages.length);
    assert.equal(township.kind, 'town');
  });

  it('is idempotent: loading again adds nothing', async () => {
    const before = await listSubtree(test.database.db, '620881');
    await initCounty(test.database.db, '620881');
    const afterLoad = await listSubtree(test.database.db, '620881');
    assert.equal(afterLoad.length, before.length);
  });

  it('loads 龙游县 (330825) beside it, by code or by name', async () => {
    const result = await initCounty(test.database.db, '龙游县');
    assert.equal(result.county.code, '330825');
    assert.equal(result.townships, 15);
    assert.equal(result.villages, 288);
    const unit = await getOrgUnitWithFamily(test.database.db, '330825');
    assert.deepEqual(
      unit.ancestors.map((a) => a.name),
      ['浙江省', '衢州市'],
    );
    const huating = await listSubtree(test.database.db, '620881');
    assert.ok(huating.every((u) => u.code.startsWith('620881')));
  });

  it('refuses an unknown code and lists near matches', () => {
    assert.throws(
      () => resolveCounty('620889'),
      (error: unknown) =>
        error instanceof AppError &&
        error.code === 'unknown_org_unit' &&
        error.field === 'county' &&
        error.text['zh-CN'].includes('找不到县级单位 620889') &&
        error.text['zh-CN'].includes('620881') &&
        error.text.en.includes('华亭市'),
    );
  });

  it('suggests counties by a misspelt or partial name', () => {
    assert.throws(
      () => resolveCounty('华亭'),
      (error: unknown) =>
        error instanceof AppError && error.text['zh-CN'].includes('620881 甘肃省 平凉市 华亭市'),
    );
  });

  it('says when a code is not at county level', () => {
    assert.throws(
      () => resolveCounty('620881100'),
      (error: unknown) => error instanceof AppError && error.text.en.includes('not a county code'),
    );
  });

  it('rejects malformed codes and missing units with distinct errors', async () => {
    await assert.rejects(getOrgUnitWithFamily(test.database.db, '6208811'), { code: 'invalid_org_code' });
    await assert.rejects(getOrgUnitWithFamily(test.database.db, '620881999'), { code: 'not_found' });
  });
});
