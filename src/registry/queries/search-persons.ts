import { type RawBuilder, sql } from 'kysely';
import type { ResidenceType, Sex } from '../../db/schema.ts';
import { nameKeys, parseNameQuery } from '../../domain/pinyin.ts';
import type { Tx } from '../context.ts';

export interface SearchPersonsInput {
  /** What was typed: an ID number (or its start), Han characters, pinyin, or initials. */
  q: string;
  /** Only persons currently in this unit's subtree. */
  unit?: string | undefined;
  sex?: Sex | undefined;
  birthFrom?: string | undefined;
  birthTo?: string | undefined;
  residenceType?: ResidenceType | undefined;
  /** Include the dead and those who left the county (voided and merged records never show). */
  includeInactive?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface SearchHit {
  id: number;
  name: string;
  namePinyin: string;
  sex: Sex;
  birthDate: string;
  idNumber: string | null;
  orgCode: string | null;
  residenceType: ResidenceType | null;
  status: string;
  /** Why it matched, best first: id, name, homophone, pinyin, initials, fuzzy. */
  match: string;
  score: number;
}

export interface SearchResult {
  query: { kind: string; normalised: string };
  items: SearchHit[];
  /** More results exist beyond this page. */
  hasMore: boolean;
}

const PINYIN = sql`replace(p.name_pinyin, ' ', '')`;
/** Code-point order of names: the order the search indexes carry (migration 0015). */
const NAME_ORDER = sql`p.name COLLATE "C", p.birth_date, p.id`;
/**
 * Trigram similarity a typo must reach (pg_trgm's `%`): one wrong letter or character in a
 * name of two or three syllables stays above it; 0.4 is also what keeps the candidate set small.
 */
const FUZZY_THRESHOLD = 0.4;
/** Names (not persons) the typo search takes from the dictionary, nearest first. */
const FUZZY_NAMES = 40;
/** Fuzzy candidates fetched per query before filtering and ranking. */
const FUZZY_POOL = 60;
/**
 * A fuzzy match scores FUZZY_TOP_SCORE × trigram similarity (at most 1), every exact branch more:
 * the ranked list is all exact matches, then the typos. The fallback in searchPersons relies on it.
 */
const FUZZY_TOP_SCORE = 50;

// filters, branches, rankedPage and withFuzzyThreshold are exported only for
// test/search-typo-fallback.test.ts, which keeps the old fallback built from them as its reference.
export function filters(input: SearchPersonsInput): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [
    input.includeInactive ? sql`p.status NOT IN ('voided', 'merged')` : sql`p.status = 'active'`,
  ];
  if (input.unit) parts.push(sql`p.current_org_code LIKE ${`${input.unit}%`}`);
  if (input.sex) parts.push(sql`p.sex = ${input.sex}`);
  if (input.birthFrom) parts.push(sql`p.birth_date >= ${input.birthFrom}::date`);
  if (input.birthTo) parts.push(sql`p.birth_date <= ${input.birthTo}::date`);
  if (input.residenceType) parts.push(sql`p.current_residence_type = ${input.residenceType}`);
  return sql.join(parts, sql` AND `);
}

/**
 * Candidate branches for a query, each an indexed lookup with its own score. Exact matches
 * rank first, then homophones (same pinyin), then initials, then the nearest names by trigram
 * distance of their pinyin (one-character typos, a missing syllable).
 */
export function branches(input: SearchPersonsInput, where: RawBuilder<unknown>, pool: number) {
  const query = parseNameQuery(input.q);
  const out: RawBuilder<unknown>[] = [];
  const fuzzyOut: RawBuilder<unknown>[] = [];
  /** The exact branches' conditions on `p` (without the filters), to tell their matches apart. */
  const exactConditions: RawBuilder<unknown>[] = [];
  const exact = (match: string, score: number, condition: RawBuilder<unknown>) => {
    if (score <= FUZZY_TOP_SCORE) throw new Error(`exact match ${match} must score above every fuzzy match`);
    exactConditions.push(condition);
    return sql`(SELECT p.id, p.county_code, ${match}::text AS match, ${score}::float8 AS score
           FROM person p WHERE ${condition} AND ${where}
          ORDER BY ${NAME_ORDER} LIMIT ${pool})`;
  };
  // Typos are looked for among the distinct names (person_name_key, a trigram GIN index over
  // ~120,000 names for a million persons), then the persons who carry the nearest of them.
  const fuzzy = (target: string) =>
    sql`(SELECT p.id, p.county_code, 'fuzzy'::text AS match,
                (${FUZZY_TOP_SCORE} * similarity(${PINYIN}, ${target}))::float8 AS score
           FROM (SELECT k.name_pinyin FROM person_name_key k
                  WHERE k.joined % ${target}
                  ORDER BY similarity(k.joined, ${target}) DESC, k.name_pinyin LIMIT ${FUZZY_NAMES}) near
           JOIN person p ON p.name_pinyin = near.name_pinyin
          WHERE ${where}
          ORDER BY score DESC, ${NAME_ORDER} LIMIT ${FUZZY_POOL})`;
  switch (query.kind) {
    case 'id': {
      const id = query.normalised;
      if (id.length === 18) out.push(exact('id', 100, sql`p.id_number = ${id}`));
      else if (id.length >= 4) out.push(exact('id', 90, sql`p.id_number LIKE ${`${id}%`}`));
      break;
    }
    case 'han': {
      const keys = nameKeys(query.normalised);
      out.push(exact('name', 100, sql`p.name COLLATE "C" = ${query.normalised}`));
      if (query.normalised.length === 1)
        out.push(exact('surname', 60, sql`p.name COLLATE "C" LIKE ${`${query.normalised}%`}`));
      else {
        out.push(exact('homophone', 80, sql`p.name_pinyin = ${keys.pinyin}`));
        fuzzyOut.push(fuzzy(keys.pinyinJoined));
      }
      break;
    }
    case 'pinyin': {
      // The stored spaced form, by btree. Letters that do not split into syllables, or split
      // another way than the name was written (xian: 先 or 西安), are found by the fuzzy branch.
      if (query.syllables) out.push(exact('pinyin', 95, sql`p.name_pinyin = ${query.syllables.join(' ')}`));
      if (query.maybeInitials) out.push(exact('initials', 85, sql`p.name_initials = ${query.normalised}`));
      if (query.normalised.length >= 4) fuzzyOut.push(fuzzy(query.normalised));
      break;
    }
    case 'initials':
      out.push(exact('initials', 90, sql`p.name_initials = ${query.normalised}`));
      break;
    case 'empty':
      break;
  }
  return { query, out, fuzzyOut, exactConditions };
}

/**
 * The branches' candidates, best match per person, ranked, one page (plus a row to tell if there
 * is more). `unless`: leave out the persons for whom this condition on `p` holds.
 */
export function rankedPage(
  db: Tx,
  branchList: RawBuilder<unknown>[],
  limit: number,
  offset: number,
  unless?: RawBuilder<unknown>,
) {
  return sql<SearchHit>`
    WITH candidates AS (${sql.join(branchList, sql` UNION ALL `)}),
    best AS (
      SELECT DISTINCT ON (id, county_code) id, county_code, match, score
        FROM candidates ORDER BY id, county_code, score DESC
    )
    -- Each branch is ordered like the final result, so page n+1 continues page n exactly.
    SELECT p.id, p.name, p.name_pinyin AS "namePinyin", p.sex, p.birth_date AS "birthDate",
           p.id_number AS "idNumber", p.current_org_code AS "orgCode",
           p.current_residence_type AS "residenceType", p.status, b.match, b.score
      FROM best b JOIN person p ON p.county_code = b.county_code AND p.id = b.id
     ${unless ? sql`WHERE (${unless}) IS NOT TRUE` : sql``}
     ORDER BY b.score DESC, ${NAME_ORDER}
     LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
}

/** Runs `work` in a transaction whose pg_trgm `%` threshold is FUZZY_THRESHOLD (SET LOCAL: the pooled connection keeps its default). */
export async function withFuzzyThreshold<T>(db: Tx, work: (trx: Tx) => Promise<T>): Promise<T> {
  const run = async (trx: Tx) => {
    await sql`SELECT set_config('pg_trgm.similarity_threshold', ${String(FUZZY_THRESHOLD)}, true)`.execute(
      trx,
    );
    return work(trx);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** Searches persons by ID number, Han name, pinyin or initials, with filters; ranked and paginated. */
export async function searchPersons(db: Tx, input: SearchPersonsInput): Promise<SearchResult> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const offset = Math.max(input.offset ?? 0, 0);
  const pool = offset + limit + 1;
  const { query, out, fuzzyOut, exactConditions } = branches(input, filters(input), pool);
  const empty = { query: { kind: query.kind, normalised: query.normalised }, items: [], hasMore: false };
  if (out.length === 0 && fuzzyOut.length === 0) return empty;
  // Typo tolerance is a fallback: the trigram search over the name dictionary runs only when
  // the exact, homophone and initials matches do not fill the page.
  const exactRows = out.length > 0 ? (await rankedPage(db, out, limit, offset)).rows : [];
  let rows = exactRows;
  if (fuzzyOut.length > 0 && exactRows.length <= limit) {
    // No exact match lies beyond this page, so no exact branch stopped at its pool: the exact
    // matches are all the persons (within the filters) that meet an exact condition, and there
    // are offset + exactRows.length of them — unless the page is empty at an offset past them.
    // Typos rank below every exact match, so the page goes on with the fuzzy matches that no
    // exact branch found, ranked the same way, from the start of them.
    const exactCount =
      out.length === 0 ? 0 : exactRows.length > 0 || offset === 0 ? offset + exactRows.length : undefined;
    if (exactCount === undefined) {
      // How many exact matches lie before the offset is unknown: rank them again with the typos.
      rows = await withFuzzyThreshold(
        db,
        async (trx) => (await rankedPage(trx, [...out, ...fuzzyOut], limit, offset)).rows,
      );
    } else {
      const found = exactConditions.length > 0 ? sql.join(exactConditions, sql` OR `) : undefined;
      const fuzzyRows = await withFuzzyThreshold(
        db,
        async (trx) =>
          (await rankedPage(trx, fuzzyOut, limit - exactRows.length, Math.max(offset - exactCount, 0), found))
            .rows,
      );
      rows = [...exactRows, ...fuzzyRows];
    }
  }
  return {
    query: { kind: query.kind, normalised: query.normalised },
    items: rows.slice(0, limit).map((row) => ({ ...row, score: Math.round(row.score * 10) / 10 })),
    hasMore: rows.length > limit,
  };
}
