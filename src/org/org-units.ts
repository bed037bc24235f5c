import type { Kysely } from 'kysely';
import type { OrgUnitTable, Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { ancestorCodes, checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';

export interface OrgUnit {
  code: string;
  name: string;
  shortName: string;
  level: OrgUnitTable['level'];
  kind: string;
  parentCode: string | null;
}

export interface OrgUnitWithFamily extends OrgUnit {
  ancestors: OrgUnit[];
  children: OrgUnit[];
  /** Count of units in the subtree below, by level. */
  descendants: Partial<Record<OrgUnitTable['level'], number>>;
}

/** A unit as GET /api/org-tree lists it for the unit picker: no short name or kind. */
export type OrgTreeUnit = Pick<OrgUnit, 'code' | 'name' | 'level' | 'parentCode'>;

/** A loaded county as GET /api/org-units lists it: the latest year with data, null when there is none. */
export interface CountyWithDataYear extends OrgUnit {
  latestDataYear: number | null;
}

const columns = ['code', 'name', 'short_name', 'level', 'kind', 'parent_code'] as const;

function toOrgUnit(row: Pick<OrgUnitTable, (typeof columns)[number]>): OrgUnit {
  return {
    code: row.code,
    name: row.name,
    shortName: row.short_name,
    level: row.level,
    kind: row.kind,
    parentCode: row.parent_code,
  };
}

/** Finds one unit by code, or undefined. */
export async function findOrgUnit(db: Kysely<Schema>, code: string): Promise<OrgUnit | undefined> {
  const row = await db.selectFrom('org_unit').select(columns).where('code', '=', code).executeTakeFirst();
  return row && toOrgUnit(row);
}

/** Gets one unit with its ancestors, direct children and subtree counts; throws not_found. */
export async function getOrgUnitWithFamily(db: Kysely<Schema>, input: string): Promise<OrgUnitWithFamily> {
  const shape = checkOrgCode(input);
  if (shape) throw new AppError('invalid_org_code', shape.message, { field: 'code', issues: [shape] });
  const code = normaliseOrgCode(input);
  const unit = await findOrgUnit(db, code);
  if (!unit) {
    throw new AppError('not_found', text(`没有代码为 ${code} 的单位`, `No unit with code ${code}`), {
      field: 'code',
    });
  }
  const [ancestors, children, counts] = await Promise.all([
    db
      .selectFrom('org_unit')
      .select(columns)
      .where('code', 'in', ancestorCodes(code).concat(['-']))
      .orderBy('code')
      .execute(),
    db.selectFrom('org_unit').select(columns).where('parent_code', '=', code).orderBy('code').execute(),
    db
      .selectFrom('org_unit')
      .select(['level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('code', 'like', `${code}%`)
      .where('code', '<>', code)
      .groupBy('level')
      .execute(),
  ]);
  return {
    ...unit,
    ancestors: ancestors.map(toOrgUnit),
    children: children.map(toOrgUnit),
    descendants: Object.fromEntries(counts.map((row) => [row.level, Number(row.n)])),
  };
}

/** Every unit in the subtree of `root` (itself included), in code order. */
export async function listSubtree(
  db: Kysely<Schema>,
  root: string,
  level?: OrgUnitTable['level'],
): Promise<OrgUnit[]> {
  let query = db.selectFrom('org_unit').select(columns).where('code', 'like', `${root}%`);
  if (level) query = query.where('level', '=', level);
  return (await query.orderBy('code').execute()).map(toOrgUnit);
}

/** The counties loaded so far. */
export async function listCounties(db: Kysely<Schema>): Promise<OrgUnit[]> {
  return (
    await db.selectFrom('org_unit').select(columns).where('level', '=', 'county').orderBy('code').execute()
  ).map(toOrgUnit);
}
