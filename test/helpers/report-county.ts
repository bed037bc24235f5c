import { addActivity } from '../../src/reports/index.ts';
import { generateCountyIntoDatabase } from '../../src/synth/load-registry.ts';
import type { TestDatabase } from './database.ts';

/** The activity log lines the report county is given (quoted as staff wrote them in any language). */
export const ACTIVITY_DESCRIPTIONS = ['在集市开展育儿补贴政策宣传', '为辖区老年人开展免费健康检查'] as const;

export interface ReportCounty {
  /** Township code → short name. */
  towns: Map<string, string>;
  /** Every unit name of the county, full and short, longest first. */
  unitNames: string[];
  /** The two villages given an open unregistered birth each. */
  villages: { code: string }[];
  context: { db: TestDatabase['database']['db']; actor: { id: string }; today: string };
}

/**
 * A small synthetic 华亭市 (2,000 persons, 2024–2025) with what a work report draws on besides the
 * registry: two activity-log entries in two townships and two open unregistered births (as
 * linkage would file them) in the first township's first two villages.
 */
export async function seedReportCounty(test: TestDatabase): Promise<ReportCounty> {
  const db = test.database.db;
  await generateCountyIntoDatabase(test.database, {
    county: '620881',
    persons: 2000,
    from: 2024,
    to: 2025,
    seed: 4,
  } as Parameters<typeof generateCountyIntoDatabase>[1]);
  const units = await db
    .selectFrom('org_unit')
    .select(['code', 'short_name', 'name', 'level'])
    .where('code', 'like', '620881%')
    .execute();
  const towns = new Map<string, string>();
  for (const unit of units) if (unit.level === 'township') towns.set(unit.code, unit.short_name);
  const unitNames = [...new Set(units.flatMap((u) => [u.name, u.short_name]))].sort(
    (a, b) => b.length - a.length,
  );
  const context = { db, actor: { id: 'tester' }, today: '2026-01-10' };
  await addActivity(context, {
    unit: '620881100',
    date: '2025-05-20',
    kind: 'publicity',
    peopleServed: 800,
    materials: 1200,
    description: ACTIVITY_DESCRIPTIONS[0],
  });
  await addActivity(context, {
    unit: '620881101',
    date: '2025-09-02',
    kind: 'health_check',
    peopleServed: 150,
    description: ACTIVITY_DESCRIPTIONS[1],
  });
  const villages = await db
    .selectFrom('org_unit')
    .select('code')
    .where('code', 'like', '620881100%')
    .where('level', '=', 'village')
    .orderBy('code')
    .limit(2)
    .execute();
  for (const [i, village] of villages.entries()) {
    await db
      .insertInto('work_task')
      .values({
        county_code: '620881',
        kind: 'unregistered_birth',
        org_code: village.code,
        source: 'linkage',
        source_ref: `test:${i}`,
        created_by: 'tester',
      })
      .execute();
  }
  return { towns, unitNames, villages, context };
}
