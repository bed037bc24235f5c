import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { ancestorCodes, checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import { findOrgUnit, type OrgUnit } from '../org/org-units.ts';
import type { CommandContext, Tx } from '../registry/context.ts';
import type { SheetSettings } from './rules.ts';
import { checkBound, parseTargetSheet, type TargetItem } from './sheet.ts';
import { findTargetIndicator } from './target-indicators.ts';

/** A version of a target sheet as stored. */
export interface TargetSheet {
  unit: string;
  year: number;
  version: number;
  currentVersion: number;
  items: TargetItem[];
  settings: SheetSettings;
  changeKind: 'set' | 'split' | 'demo';
  parentUnit: string | null;
  parentVersion: number | null;
  reason: string;
  createdBy: string;
  createdAt: string;
}

/** The sheet a unit is held to: its own, or the nearest ancestor's when it has none. */
export interface EffectiveSheet {
  sheet: TargetSheet;
  /** The unit whose sheet this is, when it is not the unit's own. */
  inheritedFrom: string | null;
}

const YEAR_MIN = 2000;
const YEAR_MAX = 2100;

/** Checks a unit code (county, township or village) and a year; throws a field-level error. */
export async function getSheetUnit(db: Kysely<Schema>, input: string, year?: number): Promise<OrgUnit> {
  const issues: FieldIssue[] = [];
  const shape = checkOrgCode(String(input ?? ''), 'unit');
  if (shape) issues.push(shape);
  const code = shape ? '' : normaliseOrgCode(String(input));
  if (!shape && code.length < 6)
    issues.push(
      fieldIssue(
        'unit_level',
        'unit',
        '目标表只用于县、乡镇和村',
        'Target sheets are for counties, townships and villages',
      ),
    );
  if (year !== undefined && (!Number.isInteger(year) || year < YEAR_MIN || year > YEAR_MAX))
    issues.push(
      fieldIssue(
        'invalid_year',
        'year',
        `年份应在 ${YEAR_MIN}–${YEAR_MAX} 之间`,
        `The year must be ${YEAR_MIN}–${YEAR_MAX}`,
      ),
    );
  if (issues.length > 0) throw invalidInput(issues);
  const unit = await findOrgUnit(db, code);
  if (!unit)
    throw new AppError('not_found', text(`没有代码为 ${code} 的单位`, `No unit with code ${code}`), {
      field: 'unit',
    });
  return unit;
}

const versionColumns = [
  'v.unit_code',
  'v.year',
  'v.version',
  's.current_version',
  'v.items',
  'v.settings',
  'v.change_kind',
  'v.parent_unit_code',
  'v.parent_version',
  'v.reason',
  'v.created_by',
  'v.created_at',
] as const;

function versionsOf(db: Tx, unit: string) {
  return db
    .selectFrom('target_sheet_version as v')
    .innerJoin('target_sheet as s', (join) =>
      join
        .onRef('s.county_code', '=', 'v.county_code')
        .onRef('s.unit_code', '=', 'v.unit_code')
        .onRef('s.year', '=', 'v.year'),
    )
    .select(versionColumns)
    .where('v.county_code', '=', unit.slice(0, 6));
}

type VersionRow = {
  unit_code: string;
  year: number;
  version: number;
  current_version: number;
  items: unknown[];
  settings: Record<string, unknown>;
  change_kind: 'set' | 'split' | 'demo';
  parent_unit_code: string | null;
  parent_version: number | null;
  reason: string;
  created_by: string;
  created_at: string;
};

function toSheet(row: VersionRow): TargetSheet {
  return {
    unit: row.unit_code,
    year: row.year,
    version: row.version,
    currentVersion: row.current_version,
    items: row.items as TargetItem[],
    settings: row.settings as SheetSettings,
    changeKind: row.change_kind,
    parentUnit: row.parent_unit_code,
    parentVersion: row.parent_version,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** A unit's own sheet for a year (the current version, or the one asked for), or undefined. */
export async function findTargetSheet(
  db: Tx,
  unit: string,
  year: number,
  version?: number,
): Promise<TargetSheet | undefined> {
  // Versions are 32-bit integers from 1: no sheet has version 0 or 2147483648 (nor can the cast take it).
  if (version !== undefined && !(Number.isInteger(version) && version >= 1 && version <= 2_147_483_647))
    return undefined;
  let query = versionsOf(db, unit).where('v.unit_code', '=', unit).where('v.year', '=', year);
  query =
    version === undefined
      ? query.whereRef('v.version', '=', 's.current_version')
      : query.where('v.version', '=', version);
  const row = await query.executeTakeFirst();
  return row && toSheet(row as VersionRow);
}

/** Like findTargetSheet, but throws not_found. */
export async function getTargetSheet(
  db: Tx,
  unit: string,
  year: number,
  version?: number,
): Promise<TargetSheet> {
  const sheet = await findTargetSheet(db, unit, year, version);
  if (!sheet) {
    throw new AppError(
      'not_found',
      version === undefined
        ? text(`单位 ${unit} 没有 ${year} 年的目标表`, `Unit ${unit} has no target sheet for ${year}`)
        : text(
            `单位 ${unit} 的 ${year} 年目标表没有第 ${version} 版`,
            `Unit ${unit}'s ${year} target sheet has no version ${version}`,
          ),
      { field: version === undefined ? 'unit' : 'version' },
    );
  }
  return sheet;
}

/** The current sheets of many units at once (those that have one). */
export async function findCurrentSheets(
  db: Tx,
  units: readonly string[],
  year: number,
): Promise<Map<string, TargetSheet>> {
  const out = new Map<string, TargetSheet>();
  if (units.length === 0) return out;
  const rows = await versionsOf(db, units[0]!)
    .where('v.unit_code', 'in', [...units])
    .where('v.year', '=', year)
    .whereRef('v.version', '=', 's.current_version')
    .execute();
  for (const row of rows) out.set(row.unit_code, toSheet(row as VersionRow));
  return out;
}

/** The sheet a unit is held to in a year: its own, else its nearest ancestor's (down to the county). */
export async function findEffectiveSheet(
  db: Tx,
  unit: string,
  year: number,
): Promise<EffectiveSheet | undefined> {
  const chain = [
    unit,
    ...ancestorCodes(unit)
      .filter((code) => code.length >= 6)
      .reverse(),
  ];
  const sheets = await findCurrentSheets(db, chain, year);
  for (const code of chain) {
    const sheet = sheets.get(code);
    if (sheet) return { sheet, inheritedFrom: code === unit ? null : code };
  }
  return undefined;
}

/** Every version of a unit's sheet for a year, newest first, each with what changed from the one before. */
export async function listSheetVersions(db: Tx, unit: string, year: number) {
  const rows = await versionsOf(db, unit)
    .where('v.unit_code', '=', unit)
    .where('v.year', '=', year)
    .orderBy('v.version', 'asc')
    .execute();
  if (rows.length === 0) await getTargetSheet(db, unit, year);
  const sheets = rows.map((row) => toSheet(row as VersionRow));
  return sheets
    .map((sheet, index) => ({ ...sheet, changes: diffItems(sheets[index - 1]?.items ?? [], sheet.items) }))
    .reverse();
}

export interface ItemChange {
  indicator: string;
  change: 'added' | 'removed' | 'changed';
  before: TargetItem | null;
  after: TargetItem | null;
}

function sameItem(a: TargetItem, b: TargetItem): boolean {
  return (
    a.direction === b.direction &&
    a.target === b.target &&
    a.low === b.low &&
    a.high === b.high &&
    a.weight === b.weight &&
    a.gate === b.gate &&
    a.source === b.source
  );
}

/** What changed between two versions' items. */
export function diffItems(before: readonly TargetItem[], after: readonly TargetItem[]): ItemChange[] {
  const changes: ItemChange[] = [];
  for (const item of after) {
    const old = before.find((b) => b.indicator === item.indicator);
    if (!old) changes.push({ indicator: item.indicator, change: 'added', before: null, after: item });
    else if (!sameItem(old, item))
      changes.push({ indicator: item.indicator, change: 'changed', before: old, after: item });
  }
  for (const old of before)
    if (!after.some((a) => a.indicator === old.indicator))
      changes.push({ indicator: old.indicator, change: 'removed', before: old, after: null });
  return changes;
}

function checkReason(reason: unknown, issues: FieldIssue[]) {
  if (typeof reason !== 'string' || reason.trim().length === 0)
    issues.push(fieldIssue('required', 'reason', '须说明修改原因', 'A reason for the change is required'));
  else if (reason.length > 500)
    issues.push(
      fieldIssue('too_long', 'reason', '原因不能超过 500 字', 'The reason must be at most 500 characters'),
    );
}

interface WriteVersion {
  unit: string;
  year: number;
  items: TargetItem[];
  settings: SheetSettings;
  changeKind: 'set' | 'split' | 'demo';
  parentUnit?: string | null;
  parentVersion?: number | null;
  reason: string;
  expectedVersion?: number | undefined;
}

/** Writes the next version of a sheet inside a transaction, locking the sheet row. */
async function writeVersion(trx: Tx, actor: string, input: WriteVersion): Promise<number> {
  const county = input.unit.slice(0, 6);
  await trx
    .insertInto('target_sheet')
    .values({ county_code: county, unit_code: input.unit, year: input.year, current_version: 0 as number })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const locked = await sql<{ current_version: number }>`
    SELECT current_version FROM target_sheet
     WHERE county_code = ${county} AND unit_code = ${input.unit} AND year = ${input.year} FOR UPDATE`.execute(
    trx,
  );
  const current = Number(locked.rows[0]?.current_version ?? 0);
  if (input.expectedVersion !== undefined && input.expectedVersion !== current) {
    throw new AppError(
      'conflict',
      text(
        `目标表已被他人修改（当前第 ${current} 版，您看到的是第 ${input.expectedVersion} 版），请刷新后再改`,
        `The sheet was changed meanwhile (now version ${current}, you saw ${input.expectedVersion}); reload and try again`,
      ),
      { field: 'expectedVersion', details: { currentVersion: current } },
    );
  }
  const version = current + 1;
  await trx
    .insertInto('target_sheet_version')
    .values({
      county_code: county,
      unit_code: input.unit,
      year: input.year,
      version,
      items: JSON.stringify(input.items),
      settings: JSON.stringify(input.settings),
      change_kind: input.changeKind,
      parent_unit_code: input.parentUnit ?? null,
      parent_version: input.parentVersion ?? null,
      reason: input.reason.trim(),
      created_by: actor,
    })
    .execute();
  await trx
    .updateTable('target_sheet')
    .set({ current_version: version, updated_at: sql`now()` as never })
    .where('county_code', '=', county)
    .where('unit_code', '=', input.unit)
    .where('year', '=', input.year)
    .execute();
  return version;
}

export interface SetTargetSheetInput {
  unit: string;
  year: number;
  items: unknown;
  settings?: unknown;
  reason: string;
  /** The version the editor saw (0 or absent for a new sheet): a change never overwrites one it has not seen. */
  expectedVersion?: number;
}

/** Writes a unit's sheet for a year as a new version (who, when, why); the old ones stay readable. */
export async function setTargetSheet(
  context: CommandContext,
  input: SetTargetSheetInput,
  changeKind: 'set' | 'demo' = 'set',
): Promise<TargetSheet> {
  const unit = await getSheetUnit(context.db, input.unit, input.year);
  const issues: FieldIssue[] = [];
  checkReason(input.reason, issues);
  const parsed = parseTargetSheet({ items: input.items, settings: input.settings });
  if (!parsed.ok) issues.push(...parsed.issues);
  if (issues.length > 0 || !parsed.ok) throw invalidInput(issues);
  await context.db.transaction().execute((trx) =>
    writeVersion(trx, context.actor.id, {
      unit: unit.code,
      year: input.year,
      items: parsed.value.items,
      settings: parsed.value.settings,
      changeKind,
      reason: input.reason,
      expectedVersion: input.expectedVersion,
    }),
  );
  return getTargetSheet(context.db, unit.code, input.year);
}

/** A child's own values for some of the parent's targets. */
export type SplitOverrides = Record<string, Record<string, { target?: number; low?: number; high?: number }>>;

export interface SplitTargetSheetInput {
  unit: string;
  year: number;
  /** Per child unit code, per indicator: the value that differs from the parent's. */
  overrides?: SplitOverrides;
  reason: string;
}

export interface SplitReportItem {
  unit: string;
  name: string;
  status: 'created' | 'updated' | 'unchanged';
  version: number;
  overridden: string[];
}

/**
 * Splits a unit's sheet into its children's: every child gets the parent's targets as defaults,
 * except where `overrides` (or an earlier override or own edit, kept from the child's current
 * sheet) sets its own value. A child whose sheet would not change keeps its version.
 * All children are written in one transaction, or none.
 */
export async function splitTargetSheet(
  context: CommandContext,
  input: SplitTargetSheetInput,
): Promise<SplitReportItem[]> {
  const unit = await getSheetUnit(context.db, input.unit, input.year);
  const issues: FieldIssue[] = [];
  checkReason(input.reason, issues);
  if (unit.level === 'village')
    issues.push(
      fieldIssue(
        'unit_level',
        'unit',
        '村没有下级单位，不能分解',
        'A village has no units below it to split into',
      ),
    );
  if (issues.length > 0) throw invalidInput(issues);
  const parent = await getTargetSheet(context.db, unit.code, input.year);
  const children = await context.db
    .selectFrom('org_unit')
    .select(['code', 'short_name'])
    .where('parent_code', '=', unit.code)
    .orderBy('code')
    .execute();
  const overrides = input.overrides ?? {};
  for (const [code, byIndicator] of Object.entries(overrides)) {
    if (!children.some((child) => child.code === code)) {
      issues.push(
        fieldIssue(
          'not_a_child',
          `overrides.${code}`,
          `${code} 不是 ${unit.shortName} 的下级单位`,
          `${code} is not a unit directly under ${unit.shortName}`,
        ),
      );
      continue;
    }
    for (const [indicator, value] of Object.entries(byIndicator ?? {})) {
      const path = `overrides.${code}.${indicator}`;
      const item = parent.items.find((entry) => entry.indicator === indicator);
      if (!item) {
        issues.push(
          fieldIssue(
            'not_on_parent_sheet',
            path,
            `上级目标表没有指标 ${indicator}`,
            `The parent sheet has no target for ${indicator}`,
          ),
        );
        continue;
      }
      issues.push(
        ...checkBound(
          (value ?? {}) as Record<string, unknown>,
          item.direction,
          findTargetIndicator(indicator)?.unit,
          path,
        ),
      );
    }
  }
  if (issues.length > 0) throw invalidInput(issues);

  return context.db.transaction().execute(async (trx) => {
    const current = await findCurrentSheets(
      trx,
      children.map((child) => child.code),
      input.year,
    );
    const report: SplitReportItem[] = [];
    for (const child of children) {
      const existing = current.get(child.code);
      const own = overrides[child.code] ?? {};
      const items: TargetItem[] = parent.items.map((item) => {
        const override = own[item.indicator];
        if (override) {
          return {
            ...item,
            target: item.direction === 'within' ? null : (override.target ?? null),
            low: item.direction === 'within' ? (override.low ?? null) : null,
            high: item.direction === 'within' ? (override.high ?? null) : null,
            source: 'own',
          };
        }
        const kept = existing?.items.find(
          (entry) => entry.indicator === item.indicator && entry.source === 'own',
        );
        return kept ?? { ...item, source: 'parent' };
      });
      // Targets the child set for itself that the parent does not have stay on its sheet.
      for (const extra of existing?.items ?? [])
        if (extra.source === 'own' && !items.some((item) => item.indicator === extra.indicator))
          items.push(extra);
      const overridden = items.filter((item) => item.source === 'own').map((item) => item.indicator);
      if (
        existing &&
        diffItems(existing.items, items).length === 0 &&
        existing.parentVersion === parent.version
      ) {
        report.push({
          unit: child.code,
          name: child.short_name,
          status: 'unchanged',
          version: existing.version,
          overridden,
        });
        continue;
      }
      const version = await writeVersion(trx, context.actor.id, {
        unit: child.code,
        year: input.year,
        items,
        settings: parent.settings,
        changeKind: 'split',
        parentUnit: unit.code,
        parentVersion: parent.version,
        reason: input.reason,
      });
      report.push({
        unit: child.code,
        name: child.short_name,
        status: existing ? 'updated' : 'created',
        version,
        overridden,
      });
    }
    return report;
  });
}

/** The sheets of a county (or any subtree) for a year, current versions only. */
export async function listTargetSheets(db: Tx, unit: string, year?: number) {
  let query = db
    .selectFrom('target_sheet as s')
    .innerJoin('org_unit as o', 'o.code', 's.unit_code')
    .select(['s.unit_code', 'o.short_name', 'o.level', 's.year', 's.current_version', 's.updated_at'])
    .where('s.county_code', '=', unit.slice(0, 6))
    .where('s.unit_code', 'like', `${unit}%`)
    .where('s.current_version', '>', 0);
  if (year !== undefined) query = query.where('s.year', '=', year);
  const rows = await query.orderBy('s.year', 'desc').orderBy('s.unit_code').execute();
  return rows.map((row) => ({
    unit: row.unit_code,
    name: row.short_name,
    level: row.level,
    year: row.year,
    version: row.current_version,
    updatedAt: row.updated_at,
  }));
}

/** A row of GET /api/targets/sheets. */
export type TargetSheetSummary = Awaited<ReturnType<typeof listTargetSheets>>[number];
