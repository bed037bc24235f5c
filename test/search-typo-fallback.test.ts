import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Schema } from '../src/db/schema.ts';
import { registerMoveIn } from '../src/registry/index.ts';
import {
  branches,
  filters,
  rankedPage,
  type SearchPersonsInput,
  type SearchResult,
  searchPersons,
  withFuzzyThreshold,
} from '../src/registry/queries/search-persons.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { contextFor, loadHuating, makeIdNumber, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';
import { SEARCH_PEOPLE } from './helpers/search-people.ts';

/**
 * The typo fallback as it was: when the exact branches do not fill the page, rank the exact
 * branches again together with the fuzzy ones. searchPersons must answer exactly this, page for
 * page, while running the exact branches once.
 */
async function searchPersonsTwoQueries(db: Kysely<Schema>, input: SearchPersonsInput): Promise<SearchResult> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const offset = Math.max(input.offset ?? 0, 0);
  const { query, out, fuzzyOut } = branches(input, filters(input), offset + limit + 1);
  if (out.length === 0 && fuzzyOut.length === 0)
    return { query: { kind: query.kind, normalised: query.normalised }, items: [], hasMore: false };
  let rows = out.length > 0 ? (await rankedPage(db, out, limit, offset)).rows : [];
  if (fuzzyOut.length > 0 && rows.length <= limit)
    rows = await withFuzzyThreshold(
      db,
      async (trx) => (await rankedPage(trx, [...out, ...fuzzyOut], limit, offset)).rows,
    );
  return {
    query: { kind: query.kind, normalised: query.normalised },
    items: rows.slice(0, limit).map((row) => ({ ...row, score: Math.round(row.score * 10) / 10 })),
    hasMore: rows.length > limit,
  };
}

// The search tests' people (test/registry-search.test.ts), and more of their homophones and
// one-character typos: namesakes (one with the same birth date, so only the id orders them),
// names that are near one another in pinyin but not the same.
const PEOPLE: readonly [string, 'male' | 'female', string, string][] = [
  ...SEARCH_PEOPLE,
  ['王晓明', 'male', '1990-01-01', OTHER_VILLAGE],
  ['王晓明', 'female', '1975-02-03', VILLAGE],
  ['王小明', 'female', '1991-02-02', OTHER_VILLAGE],
  ['王晓敏', 'female', '1988-04-04', VILLAGE],
  ['王小敏', 'female', '1989-05-05', OTHER_VILLAGE],
  ['王孝明', 'male', '1966-06-06', VILLAGE],
  ['黄晓明', 'male', '1987-07-07', VILLAGE],
  ['黄小明', 'male', '1986-08-08', OTHER_VILLAGE],
  ['汪晓鹏', 'male', '1994-09-09', VILLAGE],
  ['王小鹏', 'male', '1995-10-10', OTHER_VILLAGE],
  ['王晓萌', 'female', '2001-11-11', VILLAGE],
  ['王明', 'male', '1960-12-12', VILLAGE],
  ['王晓', 'female', '1999-01-02', OTHER_VILLAGE],
  ['吴雪眉', 'female', '1981-03-04', OTHER_VILLAGE],
  ['吴学梅', 'female', '1982-05-06', VILLAGE],
  ['李力', 'male', '1997-07-08', VILLAGE],
  ['黎丽', 'female', '1998-09-10', OTHER_VILLAGE],
  ['李立', 'male', '1993-11-12', VILLAGE],
];

// Han names with and without exact namesakes, pinyin that splits into syllables and pinyin that
// does not (a typo), initials: every kind of query that has a fuzzy branch, and a few that do not.
const QUERIES = [
  '王晓明',
  '王晓朋',
  '王晓敏',
  '黄晓鸣',
  '王小棚',
  '吴雪梅',
  '李丽',
  '李里',
  'wangxiaoming',
  'wang xiao min',
  'wangxiaomng',
  'huangxiaomin',
  'wuxuemei',
  'wxm',
  'lili',
  '王',
];
const FILTERS: Partial<SearchPersonsInput>[] = [{}, { unit: OTHER_VILLAGE }, { sex: 'female' }];
const LIMITS = [1, 2, 3, 7, 20];

describe(`typo fallback of person search (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
    for (const [name, sex, birthDate, orgCode] of PEOPLE)
      await registerMoveIn(ctx, {
        person: { name, sex, birthDate, idNumber: makeIdNumber(birthDate, sex) },
        orgCode,
        residenceType: 'registered',
        moveDate: '2010-01-01',
      });
  });
  after(() => test.cleanup());

  it('answers every page exactly as ranking exact and fuzzy matches in one query did', async () => {
    const db = test.database.db;
    let pages = 0;
    let mixedPages = 0;
    let laterFuzzyPages = 0;
    for (const q of QUERIES)
      for (const filter of FILTERS)
        for (const limit of LIMITS)
          for (let offset = 0; ; offset += limit === 1 ? 1 : limit - 1) {
            const input = { q, ...filter, limit, offset };
            const expected = await searchPersonsTwoQueries(db, input);
            const actual = await searchPersons(db, input);
            assert.deepEqual(actual, expected, JSON.stringify(input));
            pages += 1;
            const fuzzy = actual.items.filter((hit) => hit.match === 'fuzzy').length;
            if (fuzzy > 0 && fuzzy < actual.items.length) mixedPages += 1;
            if (fuzzy > 0 && offset > 0) laterFuzzyPages += 1;
            // One empty page past the end, then the next query.
            if (actual.items.length === 0) break;
          }
    // The comparison covered what the fallback has to get right: pages where the exact matches
    // end and the typos begin, and pages of typos after the first.
    assert.ok(pages > 500, `${pages} pages`);
    assert.ok(mixedPages > 20, `${mixedPages} pages with exact and fuzzy hits`);
    assert.ok(laterFuzzyPages > 20, `${laterFuzzyPages} later pages with fuzzy hits`);
  });

  it('lists a person whom an exact branch and the typo search both find once, as the exact match', async () => {
    // 王晓明 is its own nearest name in pinyin, so the typo search finds every 王晓明 too.
    const result = await searchPersons(test.database.db, { q: '王晓明', limit: 100 });
    const ids = result.items.map((hit) => hit.id);
    assert.equal(new Set(ids).size, ids.length);
    const wang = result.items.filter((hit) => hit.name === '王晓明');
    assert.equal(wang.length, 3);
    assert.ok(wang.every((hit) => hit.match === 'name'));
    assert.ok(result.items.some((hit) => hit.match === 'fuzzy'));
  });
});
