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
/** Trigram similarity below 0.3 (score 15) is noise, not a typo. */
const MIN_FUZZY_SCORE = 15;
/** Fuzzy candidates fetched per query before filtering and ranking. */
const FUZZY_POOL = 60;

function filters(input: SearchPersonsInput): RawBuilder<unknown> {
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
function branches(input: SearchPersonsInput, where: RawBuilder<unknown>, pool: number) {
  const query = parseNameQuery(input.q);
  const out: RawBuilder<unknown>[] = [];
  const fuzzyOut: RawBuilder<unknown>[] = [];
  const exact = (match: string, score: number, condition: RawBuilder<unknown>) =>
    sql`(SELECT p.id, p.county_code, ${match}::text AS match, ${score}::float8 AS score
           FROM person p WHERE ${condition} AND ${where}
          ORDER BY p.name, p.birth_date, p.id LIMIT ${pool})`;
  // Typos are looked for among names with the same surname sound (汪/王 both 'wang'): a btree
  // range on the spaced pinyin keeps the distance ranking to one surname's names instead of a
  // walk through a million.
  const fuzzy = (target: string, surname: string | undefined) =>
    sql`(SELECT p.id, p.county_code, 'fuzzy'::text AS match,
                (50 * similarity(${PINYIN}, ${target}))::float8 AS score
           FROM person p WHERE ${where}
            AND ${surname ? sql`p.name_pinyin LIKE ${`${surname} %`}` : sql`true`}
          ORDER BY ${PINYIN} <-> ${target} LIMIT ${FUZZY_POOL})`;
  switch (query.kind) {
    case 'id': {
      const id = query.normalised;
      if (id.length === 18) out.push(exact('id', 100, sql`p.id_number = ${id}`));
      else if (id.length >= 4) out.push(exact('id', 90, sql`p.id_number LIKE ${`${id}%`}`));
      break;
    }
    case 'han': {
      const keys = nameKeys(query.normalised);
      out.push(exact('name', 100, sql`p.name = ${query.normalised}`));
      if (query.normalised.length === 1)
        out.push(exact('surname', 60, sql`p.name LIKE ${`${query.normalised}%`}`));
      else {
        out.push(exact('homophone', 80, sql`p.name_pinyin = ${keys.pinyin}`));
        fuzzyOut.push(fuzzy(keys.pinyinJoined, surnamePinyin(keys)));
      }
      break;
    }
    case 'pinyin': {
      // The stored spaced form, by btree. Letters that do not split into syllables, or split
      // another way than the name was written (xian: 先 or 西安), are found by the fuzzy branch.
      if (query.syllables) out.push(exact('pinyin', 95, sql`p.name_pinyin = ${query.syllables.join(' ')}`));
      if (query.maybeInitials) out.push(exact('initials', 85, sql`p.name_initials = ${query.normalised}`));
      if (query.normalised.length >= 4) fuzzyOut.push(fuzzy(query.normalised, query.syllables?.[0]));
      break;
    }
    case 'initials':
      out.push(exact('initials', 90, sql`p.name_initials = ${query.normalised}`));
      break;
    case 'empty':
      break;
  }
  return { query, out, fuzzyOut };
}

/** The pinyin of a name's surname ('ou yang' for 欧阳), as it starts the stored spaced pinyin. */
function surnamePinyin(keys: ReturnType<typeof nameKeys>): string | undefined {
  if (!keys.surname) return undefined;
  return keys.syllables.slice(0, [...keys.surname].length).join(' ') || undefined;
}

/** The branches' candidates, best match per person, ranked, one page (plus a row to tell if there is more). */
function rankedPage(db: Tx, branchList: RawBuilder<unknown>[], limit: number, offset: number) {
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
     WHERE b.score >= ${MIN_FUZZY_SCORE}
     ORDER BY b.score DESC, p.name, p.birth_date, p.id
     LIMIT ${limit + 1} OFFSET ${offset}`.execute(db);
}

/** Searches persons by ID number, Han name, pinyin or initials, with filters; ranked and paginated. */
export async function searchPersons(db: Tx, input: SearchPersonsInput): Promise<SearchResult> {
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  const offset = Math.max(input.offset ?? 0, 0);
  const pool = offset + limit + 1;
  const { query, out, fuzzyOut } = branches(input, filters(input), pool);
  const empty = { query: { kind: query.kind, normalised: query.normalised }, items: [], hasMore: false };
  if (out.length === 0 && fuzzyOut.length === 0) return empty;
  // Typo tolerance is a fallback: the nearest-name search (a trigram KNN walk, the costly branch)
  // runs only when the exact, homophone and initials matches do not fill the page.
  let rows = out.length > 0 ? (await rankedPage(db, out, limit, offset)).rows : [];
  if (fuzzyOut.length > 0 && rows.length <= limit) {
    rows = (await rankedPage(db, [...out, ...fuzzyOut], limit, offset)).rows;
  }
  return {
    query: { kind: query.kind, normalised: query.normalised },
    items: rows.slice(0, limit).map((row) => ({ ...row, score: Math.round(row.score * 10) / 10 })),
    hasMore: rows.length > limit,
  };
}
