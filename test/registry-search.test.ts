import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { correctPerson, getPersonDetail, registerMoveIn, searchPersons } from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { contextFor, loadHuating, makeIdNumber, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';
import { SEARCH_PEOPLE } from './helpers/search-people.ts';

const PEOPLE = SEARCH_PEOPLE;

describe(`person search (${storageName})`, () => {
  let test: TestDatabase;
  const ids = new Map<string, { id: number; idNumber: string }>();
  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
    for (const [name, sex, birthDate, orgCode] of PEOPLE) {
      const idNumber = makeIdNumber(birthDate, sex);
      const { person } = await registerMoveIn(ctx, {
        person: { name, sex, birthDate, idNumber },
        orgCode,
        residenceType: 'registered',
        moveDate: '2010-01-01',
      });
      ids.set(name, { id: person.id, idNumber });
    }
  });
  after(() => test.cleanup());

  const names = async (q: string, extra: Record<string, unknown> = {}) =>
    (await searchPersons(test.database.db, { q, ...extra })).items.map((hit) => hit.name);

  it('finds the exact Han name first, then its homophones', async () => {
    const found = await names('王晓明');
    assert.equal(found[0], '王晓明');
    for (const homophone of ['王小明', '王晓鸣', '汪小明'])
      assert.ok(found.includes(homophone), `${homophone} in ${found}`);
    const hit = (await searchPersons(test.database.db, { q: '王晓明' })).items.find(
      (h) => h.name === '王小明',
    );
    assert.equal(hit?.match, 'homophone');
  });

  it('finds a one-character typo by pinyin distance', async () => {
    const found = await names('王晓朋');
    assert.equal(found[0], '王晓朋');
    assert.ok(found.includes('王晓明'), `${found}`);
  });

  it('finds by pinyin with or without spaces and tones, and by initials', async () => {
    assert.ok((await names('wang xiaoming')).includes('王晓明'));
    assert.ok((await names('wangxiaoming')).includes('王小明'));
    assert.ok((await names('Wáng Xiǎomíng')).includes('汪小明'));
    const initials = await names('wxm');
    // 吴雪梅 (wu xue mei) has the same initials: initials are a coarse key by design.
    assert.deepEqual(initials.sort(), ['吴雪梅', '汪小明', '王小明', '王晓明', '王晓鸣'].sort());
    assert.deepEqual(await names('wxy'), ['王秀英']);
    assert.deepEqual((await names('oynn')).length, 1);
    assert.ok((await names('ouyang nana')).includes('欧阳娜娜'));
  });

  it('finds homophone given names (丽/莉)', async () => {
    assert.deepEqual((await names('李丽')).slice(0, 2).sort(), ['李丽', '李莉'].sort());
  });

  it('finds by full ID number (any case of x) and by its start', async () => {
    const { idNumber } = ids.get('吴雪梅')!;
    assert.deepEqual(await names(idNumber.toLowerCase()), ['吴雪梅']);
    assert.ok((await names(idNumber.slice(0, 14))).includes('吴雪梅'));
  });

  it('filters by unit, sex, birth date range and pages through results', async () => {
    assert.deepEqual((await names('wxm', { unit: OTHER_VILLAGE })).sort(), ['汪小明', '王晓鸣'].sort());
    assert.deepEqual(await names('吴雪梅', { unit: OTHER_VILLAGE }), []);
    const men = await searchPersons(test.database.db, { q: '王秀英', sex: 'male' });
    assert.ok(men.items.every((hit) => hit.sex === 'male'));
    assert.ok(!men.items.some((hit) => hit.name === '王秀英'));
    assert.deepEqual(await names('wxm', { birthFrom: '1991-01-01', birthTo: '1991-12-31' }), ['王小明']);
    const first = await searchPersons(test.database.db, { q: 'wxm', limit: 2 });
    const second = await searchPersons(test.database.db, { q: 'wxm', limit: 2, offset: 2 });
    assert.equal(first.items.length, 2);
    assert.equal(first.hasMore, true);
    const overlap = first.items.filter((a) => second.items.some((b) => b.id === a.id));
    assert.deepEqual(overlap, []);
  });

  it('pages through a surname in code-point order of the names', async () => {
    const pages = [];
    for (let offset = 0; offset < 6; offset += 2)
      pages.push(
        ...(await searchPersons(test.database.db, { q: '王', limit: 2, offset })).items.map((h) => h.name),
      );
    const wang = PEOPLE.map(([name]) => name).filter((name) => name.startsWith('王'));
    const byCodePoint = [...wang].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(pages, byCodePoint);
  });

  it('finds by a typo the names of persons registered later and names corrected later', async () => {
    // The typo search looks in a dictionary of names kept by triggers on person: a name that
    // first appears after the dictionary was filled must be found too, and so must a new name.
    const ctx = contextFor(test.database.db);
    await registerMoveIn(ctx, {
      person: {
        name: '赵志刚',
        sex: 'male',
        birthDate: '1988-11-11',
        idNumber: makeIdNumber('1988-11-11', 'male'),
      },
      orgCode: VILLAGE,
      residenceType: 'registered',
      moveDate: '2010-01-01',
    });
    assert.deepEqual(await names('zhaozhigan'), ['赵志刚']);

    const wu = ids.get('吴雪梅')!;
    const before = (await searchPersons(test.database.db, { q: '吴雪梅' })).items.find((h) => h.id === wu.id);
    assert.ok(before);
    const detail = await getPersonDetail(test.database.db, wu.id);
    await correctPerson(ctx, {
      personId: wu.id,
      expectedVersion: detail.person.version,
      changes: { name: '吴春梅' },
      reason: '户口簿为“春”',
    });
    const found = await searchPersons(test.database.db, { q: 'wuchunmai' });
    assert.deepEqual(
      found.items.map((h) => [h.name, h.match]),
      [['吴春梅', 'fuzzy']],
    );
  });

  describe('over HTTP', () => {
    let app: TestClient;
    before(async () => {
      app = await signedInApp(test.database);
    });
    after(() => app.close());

    it('GET /api/persons?q= answers ranked hits; a missing q is a field error', async () => {
      const response = await app.inject({ url: `/api/persons?q=${encodeURIComponent('wxm')}&limit=10` });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().query.kind, 'initials');
      assert.ok(response.json().items.length >= 4);
      const bad = await app.inject({ url: '/api/persons?sex=x' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_input');
    });
  });
});
