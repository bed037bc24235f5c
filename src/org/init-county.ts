import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { ancestorCodes, checkOrgCode, normaliseOrgCode, parentCode } from '../domain/org-code.ts';
import { type DivisionEntry, readCountySubtree, readUpperDivisions } from './division-source.ts';
import { classifyUnit, shortenName } from './naming.ts';
import { findNearMatches, type NearMatch } from './near-matches.ts';

export interface InitCountyResult {
  county: { code: string; name: string };
  townships: number;
  villages: number;
  inserted: number;
}

function describeMatches(matches: NearMatch[]): { zh: string; en: string } {
  if (matches.length === 0) return { zh: '', en: '' };
  const list = matches.map((m) => `${m.code} ${m.path}`).join('；');
  return { zh: `相近的有：${list}`, en: `Near matches: ${list}` };
}

/** Resolves a county code (or an exact county name) to the published county, or explains what is near. */
export function resolveCounty(input: string): DivisionEntry {
  const trimmed = input.trim();
  const upper = readUpperDivisions();
  const byName = upper.filter((entry) => entry.level === 'county' && entry.name === trimmed);
  if (byName.length === 1) return byName[0]!;
  const code = normaliseOrgCode(trimmed);
  const county = /^\d{6}$/.test(code)
    ? upper.find((entry) => entry.level === 'county' && entry.code === code)
    : undefined;
  if (county) return county;
  const shape = /^\d+$/.test(code) ? checkOrgCode(code, 'county') : undefined;
  const near = describeMatches(findNearMatches(trimmed, upper));
  const notCounty = shape === undefined && /^\d+$/.test(code) && code.length !== 6;
  throw new AppError(
    'unknown_org_unit',
    text(
      `${notCounty ? `${trimmed} 不是县级代码（县级代码为 6 位）` : `找不到县级单位 ${trimmed}`}。${near.zh}`.trim(),
      `${notCounty ? `${trimmed} is not a county code (county codes have 6 digits)` : `No county-level unit ${trimmed}`}. ${near.en}`.trim(),
    ),
    { field: 'county', details: { input: trimmed } },
  );
}

/**
 * Loads one county with its province, prefecture, townships and villages from the published
 * division codes. Idempotent: names are refreshed, nothing is duplicated.
 */
export async function initCounty(db: Kysely<Schema>, input: string): Promise<InitCountyResult> {
  const county = resolveCounty(input);
  const upper = new Map(readUpperDivisions().map((entry) => [entry.code, entry]));
  const chain = ancestorCodes(county.code).map((code) => upper.get(code));
  const subtree = await readCountySubtree(county.code);
  const entries = [
    ...chain.filter((entry): entry is DivisionEntry => entry !== undefined),
    county,
    ...subtree,
  ];
  const rows = entries.map((entry) => ({
    code: entry.code,
    name: entry.name,
    short_name: shortenName(entry.name),
    level: entry.level,
    kind: classifyUnit(entry.name, entry.level),
    parent_code: parentCode(entry.code) ?? null,
    county_code: entry.code.length >= 6 ? entry.code.slice(0, 6) : null,
  }));
  const inserted = await db.transaction().execute(async (trx) => {
    let count = 0;
    // Parents come before children in `rows`, so the foreign key holds row by row.
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      const result = await trx
        .insertInto('org_unit')
        .values(batch)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            short_name: eb.ref('excluded.short_name'),
            kind: eb.ref('excluded.kind'),
          })),
        )
        .returning(['code'])
        .execute();
      count += result.length;
    }
    return count;
  });
  return {
    county: { code: county.code, name: county.name },
    townships: subtree.filter((entry) => entry.level === 'township').length,
    villages: subtree.filter((entry) => entry.level === 'village').length,
    inserted,
  };
}
