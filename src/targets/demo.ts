import type { Database } from '../db/database.ts';
import { todayInChina } from '../domain/dates.ts';
import { findIndicator } from '../indicators/catalogue.ts';
import { findTargetSheet, type SplitOverrides, setTargetSheet, splitTargetSheet } from './sheet-store.ts';
import { findTargetIndicator } from './target-indicators.ts';

/**
 * Example target sheets for the demo county, the way a county writes its 目标管理责任书: the
 * county's sheet for each year, split into its townships' with a few townships held to stricter
 * targets (so the demo shows units lagging). Only catalogue indicators inside the Scope; the
 * data-quality rates join the sheet as soon as the catalogue has them.
 */
interface DemoTarget {
  /** Catalogue ids tried in order; the first that exists (and may be a target) is used. */
  ids: readonly string[];
  direction: 'at_least' | 'at_most';
  target: number;
  weight: number;
  gate?: boolean;
}

export const DEMO_TARGETS: readonly DemoTarget[] = [
  { ids: ['timeliness_rate'], direction: 'at_least', target: 95, weight: 30, gate: true },
  { ids: ['completeness_rate'], direction: 'at_least', target: 98, weight: 20 },
  {
    ids: [
      'birth_registration_completeness',
      'birth_registration_completeness_rate',
      'birth_completeness_rate',
    ],
    direction: 'at_least',
    target: 97,
    weight: 20,
  },
  { ids: ['entry_rate'], direction: 'at_least', target: 95, weight: 10 },
  { ids: ['sex_ratio_at_birth'], direction: 'at_most', target: 107, weight: 20 },
  { ids: ['infant_mortality_rate'], direction: 'at_most', target: 6, weight: 20 },
];

/** Townships held to stricter targets than the county's (by position among the county's townships). */
const STRICTER: readonly { position: number; indicator: string; target: number }[] = [
  { position: 1, indicator: 'sex_ratio_at_birth', target: 104 },
  { position: 1, indicator: 'infant_mortality_rate', target: 4 },
  { position: 4, indicator: 'sex_ratio_at_birth', target: 103 },
  { position: 8, indicator: 'infant_mortality_rate', target: 3 },
  { position: 9, indicator: 'sex_ratio_at_birth', target: 104 },
];

export interface DemoSheetReport {
  year: number;
  status: 'written' | 'kept';
  indicators: string[];
  /** Demo targets left out because the catalogue does not have them (yet). */
  missing: string[];
  townships: number;
}

/** The demo items that exist in the catalogue now, and the ones that do not. */
export function demoItems() {
  const items: {
    indicator: string;
    direction: 'at_least' | 'at_most';
    target: number;
    weight: number;
    gate: boolean;
  }[] = [];
  const missing: string[] = [];
  for (const entry of DEMO_TARGETS) {
    const id = entry.ids.find(
      (candidate) => findIndicator(candidate) && findTargetIndicator(candidate)?.scope.allowed,
    );
    if (!id) missing.push(entry.ids[0]!);
    else
      items.push({
        indicator: id,
        direction: entry.direction,
        target: entry.target,
        weight: entry.weight,
        gate: entry.gate === true,
      });
  }
  return { items, missing };
}

/**
 * Writes an example sheet for each year for the county and its townships. A year whose county
 * sheet already exists is kept as it is (never overwrites what people wrote).
 */
export async function writeDemoTargetSheets(
  database: Database,
  countyCode: string,
  years: readonly number[],
): Promise<DemoSheetReport[]> {
  const context = { db: database.db, actor: { id: 'demo' }, today: todayInChina() };
  const { items, missing } = demoItems();
  const townships = await database.db
    .selectFrom('org_unit')
    .select('code')
    .where('parent_code', '=', countyCode)
    .orderBy('code')
    .execute();
  const reports: DemoSheetReport[] = [];
  for (const year of years) {
    if (await findTargetSheet(database.db, countyCode, year)) {
      reports.push({ year, status: 'kept', indicators: [], missing, townships: 0 });
      continue;
    }
    await setTargetSheet(
      context,
      { unit: countyCode, year, items, reason: '示例目标表（演示数据）/ Example target sheet (demo data)' },
      'demo',
    );
    const overrides: SplitOverrides = {};
    for (const stricter of STRICTER) {
      const township = townships[stricter.position]?.code;
      if (!township || !items.some((item) => item.indicator === stricter.indicator)) continue;
      overrides[township] = { ...overrides[township], [stricter.indicator]: { target: stricter.target } };
    }
    const split = await splitTargetSheet(context, {
      unit: countyCode,
      year,
      overrides,
      reason: '示例：分解到乡镇，部分乡镇目标从严 / Demo: split to townships, some held to stricter targets',
    });
    reports.push({
      year,
      status: 'written',
      indicators: items.map((item) => item.indicator),
      missing,
      townships: split.length,
    });
  }
  return reports;
}
