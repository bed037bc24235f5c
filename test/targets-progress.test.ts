import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { AppError } from '../src/domain/errors.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth, registerMoveIn } from '../src/registry/index.ts';
import {
  assessUnits,
  computeProgress,
  getTargetSheet,
  listSheetVersions,
  registerTargetIndicator,
  setTargetSheet,
  splitTargetSheet,
  writeDemoTargetSheets,
} from '../src/targets/index.ts';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';
import { contextFor, loadHuating, makeIdNumber } from './helpers/registry.ts';

/**
 * A registry small enough to follow by hand. Births in 2025, each to its own mother (all arrived
 * in 2020, so no 2025 entries but the births), with the dates they were entered:
 *   东华镇 (620881100, village 东华社区):  M 01-05 →01-10, F 02-01 →02-05, M 01-10 →04-01 (late),
 *                                          F 03-01 →06-15 (late)          timeliness H1 2/4 = 50%, SRB 100
 *   山寨乡 (620881202, village 甘河村):    M 01-15 →01-20, M 02-15 →02-20, M 03-15 →03-20,
 *                                          F 04-01 →06-01 (late)          timeliness 3/4 = 75%, SRB 300
 *   西华镇 (620881102, village 龚阳村):    M 05-01 →05-05, F 05-10 →05-12 timeliness H1 2/2 = 100%, SRB 100
 *                                          M 08-01 →11-01 (late)          year: 2/3 = 66.67%, SRB 200
 * County H1: timeliness 7/10 = 70%, SRB 6 × 100 / 4 = 150.
 */
const TOWNS = { donghua: '620881100', shanzhai: '620881202', xihua: '620881102' } as const;
const VILLAGES = { donghua: '620881100001', shanzhai: '620881202200', xihua: '620881102201' } as const;
const BIRTHS: [keyof typeof VILLAGES, 'male' | 'female', string, string][] = [
  ['donghua', 'male', '2025-01-05', '2025-01-10'],
  ['donghua', 'female', '2025-02-01', '2025-02-05'],
  ['donghua', 'male', '2025-01-10', '2025-04-01'],
  ['donghua', 'female', '2025-03-01', '2025-06-15'],
  ['shanzhai', 'male', '2025-01-15', '2025-01-20'],
  ['shanzhai', 'male', '2025-02-15', '2025-02-20'],
  ['shanzhai', 'male', '2025-03-15', '2025-03-20'],
  ['shanzhai', 'female', '2025-04-01', '2025-06-01'],
  ['xihua', 'male', '2025-05-01', '2025-05-05'],
  ['xihua', 'female', '2025-05-10', '2025-05-12'],
  ['xihua', 'male', '2025-08-01', '2025-11-01'],
];

async function buildRegistry(database: Database) {
  await loadHuating(database.db);
  const ctx = contextFor(database.db);
  let n = 0;
  for (const [town, sex, birthDate, reportDate] of BIRTHS) {
    n += 1;
    const mother = await registerMoveIn(ctx, {
      person: {
        name: `母亲${'甲乙丙丁戊己庚辛壬癸子'[n - 1]}`,
        sex: 'female',
        birthDate: '1995-04-01',
        idNumber: makeIdNumber('1995-04-01', 'female'),
        maritalStatus: 'married',
      },
      orgCode: VILLAGES[town],
      residenceType: 'registered',
      moveDate: '2020-01-01',
      reportDate: '2020-01-01',
    });
    await registerBirth(ctx, {
      child: { name: `孩子${'甲乙丙丁戊己庚辛壬癸子'[n - 1]}`, sex, birthDate },
      motherId: mother.person.id,
      reportDate,
    });
  }
}

const COUNTY_ITEMS = [
  { indicator: 'timeliness_rate', direction: 'at_least', target: 95, weight: 60, gate: true },
  { indicator: 'sex_ratio_at_birth', direction: 'at_most', target: 107, weight: 40 },
];

function issuesOf(error: unknown) {
  return (error as AppError).issues.map((issue) => `${issue.field} ${issue.code}`);
}

describe(`target sheets, progress and assessment on a hand-counted registry (${storageName})`, () => {
  // Scratch storage a renkou child process can open too: the CLI runs on the same registry at the end.
  let storage: ScratchStorage;
  let test: { database: Database };
  let ctx: CommandContext;
  let open = false;

  before(async () => {
    storage = await createScratchStorage();
    const database = await openDatabase({
      databaseUrl: storage.env.DATABASE_URL || undefined,
      dataDir: storage.env.RENKOU_DATA_DIR,
    });
    open = true;
    await migrateToLatest(database);
    test = { database };
    await buildRegistry(test.database);
    ctx = contextFor(test.database.db, 'county-office');
  });
  after(async () => {
    if (open) await test.database.close();
    await storage.cleanup();
  });

  it('refuses birth-quota, population and plain-statistic targets with field-level reasons', async () => {
    await assert.rejects(
      setTargetSheet(ctx, {
        unit: '620881',
        year: 2025,
        reason: '试',
        items: [
          { indicator: 'timeliness_rate', direction: 'at_least', target: 95, weight: 1 },
          { indicator: 'births', direction: 'at_most', target: 900, weight: 1 },
          { indicator: 'total_fertility_rate', direction: 'within', low: 1.5, high: 1.8, weight: 1 },
          { indicator: 'birth_order_3_share', direction: 'at_most', target: 5, weight: 1 },
          { indicator: 'resident_population', direction: 'at_most', target: 200000, weight: 1 },
          { indicator: 'crude_death_rate', direction: 'at_most', target: 8, weight: 1 },
        ],
      }),
      (error: AppError) => {
        assert.deepEqual(issuesOf(error), [
          'items.1.indicator not_targetable_birth_quota',
          'items.2.indicator not_targetable_birth_quota',
          'items.3.indicator not_targetable_birth_quota',
          'items.4.indicator not_targetable_population_control',
          'items.5.indicator not_targetable_plain_statistic',
        ]);
        assert.match(error.issues[0]!.message['zh-CN'], /出生人数.*不能作为目标/);
        return true;
      },
    );
  });

  it('checks every field of every item, in both languages', async () => {
    await assert.rejects(
      setTargetSheet(ctx, {
        unit: '620881',
        year: 2025,
        reason: '',
        items: [
          { indicator: 'timeliness_rate', direction: 'at_most', target: 95, weight: 1 },
          { indicator: 'sex_ratio_at_birth', direction: 'within', low: 108, high: 103, weight: 0 },
          { indicator: 'no_such_thing', direction: 'at_least', target: 1 },
          { indicator: 'infant_mortality_rate', direction: 'at_most' },
        ],
      }),
      (error: AppError) => {
        assert.deepEqual(issuesOf(error), [
          'reason required',
          'items.0.direction direction_mismatch',
          'items.1.low invalid_range',
          'items.1.weight invalid_weight',
          'items.2.indicator unknown_indicator',
          'items.3.target required',
        ]);
        assert.match(error.issues[1]!.message.en, /use at_least/);
        return true;
      },
    );
    const none = await test.database.db.selectFrom('target_sheet_version').select('version').execute();
    assert.equal(none.length, 0, 'nothing written');
  });

  it('keeps every version with who, when and why, and refuses a stale edit', async () => {
    const v1 = await setTargetSheet(ctx, {
      unit: '620881',
      year: 2025,
      reason: '2025 年目标管理责任书',
      items: [{ indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60, gate: true }],
    });
    assert.equal(v1.version, 1);
    const v2 = await setTargetSheet(contextFor(test.database.db, 'director'), {
      unit: '620881',
      year: 2025,
      reason: '县政府要求提高及时率，并增加性别比',
      items: COUNTY_ITEMS,
      expectedVersion: 1,
    });
    assert.equal(v2.version, 2);
    await assert.rejects(
      setTargetSheet(ctx, { unit: '620881', year: 2025, reason: '旧页面', items: [], expectedVersion: 1 }),
      (error: AppError) => error.code === 'conflict' && error.field === 'expectedVersion',
    );
    const history = await listSheetVersions(test.database.db, '620881', 2025);
    assert.deepEqual(
      history.map((v) => [v.version, v.createdBy, v.reason]),
      [
        [2, 'director', '县政府要求提高及时率，并增加性别比'],
        [1, 'county-office', '2025 年目标管理责任书'],
      ],
    );
    assert.deepEqual(
      history[0]!.changes.map((c) => [
        c.indicator,
        c.change,
        c.before?.target ?? null,
        c.after?.target ?? null,
      ]),
      [
        ['timeliness_rate', 'changed', 90, 95],
        ['sex_ratio_at_birth', 'added', null, 107],
      ],
    );
    const old = await getTargetSheet(test.database.db, '620881', 2025, 1);
    assert.equal(old.items[0]!.target, 90, 'the old version is still readable');
    assert.equal(old.currentVersion, 2);
  });

  it('splits the county sheet into townships: parent defaults, overrides kept on re-split', async () => {
    const report = await splitTargetSheet(ctx, {
      unit: '620881',
      year: 2025,
      reason: '分解到乡镇',
      overrides: { [TOWNS.shanzhai]: { timeliness_rate: { target: 78 } } },
    });
    assert.equal(report.length, 11);
    assert.ok(report.every((r) => r.status === 'created' && r.version === 1));
    const shanzhai = await getTargetSheet(test.database.db, TOWNS.shanzhai, 2025);
    assert.deepEqual(
      shanzhai.items.map((i) => [i.indicator, i.target, i.source]),
      [
        ['timeliness_rate', 78, 'own'],
        ['sex_ratio_at_birth', 107, 'parent'],
      ],
    );
    assert.equal(shanzhai.parentUnit, '620881');
    assert.equal(shanzhai.parentVersion, 2);
    const donghua = await getTargetSheet(test.database.db, TOWNS.donghua, 2025);
    assert.deepEqual(
      donghua.items.map((i) => [i.target, i.source]),
      [
        [95, 'parent'],
        [107, 'parent'],
      ],
    );
    // Splitting again with nothing new changes nobody.
    const again = await splitTargetSheet(ctx, { unit: '620881', year: 2025, reason: '再次分解' });
    assert.ok(again.every((r) => r.status === 'unchanged'));
    await assert.rejects(
      splitTargetSheet(ctx, {
        unit: '620881',
        year: 2025,
        reason: 'x',
        overrides: {
          '620881100001': { timeliness_rate: { target: 90 } },
          [TOWNS.xihua]: { births: { target: 3 } },
        },
      }),
      (error: AppError) => {
        assert.deepEqual(issuesOf(error).sort(), [
          'overrides.620881100001 not_a_child',
          `overrides.${TOWNS.xihua}.births not_on_parent_sheet`,
        ]);
        return true;
      },
    );
  });

  it('computes progress on 30 June: values, expected values, status, ranking and alerts', async () => {
    const progress = await computeProgress(test.database, { unit: '620881', date: '2025-06-30' });
    assert.equal(progress.window.period!.id, '2025H1');
    assert.equal(progress.window.elapsedShare, 181 / 365);
    const [timeliness, srb] = progress.targets;
    assert.equal(timeliness!.value, 70);
    assert.equal(timeliness!.expected.target, 95, 'a rate is compared with its target as it stands');
    assert.equal(timeliness!.status, 'off_track');
    assert.equal(srb!.value, 150);
    assert.equal(srb!.status, 'off_track');
    const byUnit = Object.fromEntries(timeliness!.children.map((c) => [c.name, c]));
    assert.equal(byUnit.东华镇!.value, 50);
    assert.equal(byUnit.东华镇!.status, 'off_track'); // (95 − 50) / 95 = 47% short
    assert.equal(byUnit.山寨乡!.value, 75);
    assert.equal(byUnit.山寨乡!.expected!.target, 78, 'each township against its own target');
    assert.equal(byUnit.山寨乡!.status, 'at_risk'); // (78 − 75) / 78 = 3.8% ≤ 5%
    assert.equal(byUnit.西华镇!.status, 'on_track');
    assert.equal(byUnit.安口镇!.status, 'no_data');
    assert.deepEqual(
      timeliness!.children.slice(0, 3).map((c) => [c.name, c.rank]),
      [
        ['西华镇', 1],
        ['山寨乡', 2],
        ['东华镇', 3],
      ],
    );
    assert.equal(byUnit.安口镇!.rank, null);
    assert.deepEqual(
      progress.alerts.map((a) => a.text['zh-CN']),
      ['及时率：低于标准的有东华镇（50.0%）、山寨乡（75.0%）', '出生人口性别比：高于标准的有山寨乡（300.0）'],
    );
    // Ranking by the score progress would earn: 西华镇 100; 山寨乡 60 × (1 − 0.0385 / 0.2) = 48.46,
    // capped at 60 by its unmet gate; 东华镇 0 + 40 = 40; the rest have no data: 0.
    assert.deepEqual(
      progress.ranking.slice(0, 4).map((r) => [r.name, r.score.total, r.rank]),
      [
        ['西华镇', 100, 1],
        ['山寨乡', 48.46, 2],
        ['东华镇', 40, 3],
        ['东华街道', 0, 4],
      ],
    );
  });

  it('measures a mid-month date over the complete months before it', async () => {
    const progress = await computeProgress(test.database, { unit: '620881', date: '2025-06-14' });
    assert.equal(progress.window.through, '2025-05-31');
    // Entered January–May: 东华镇 3 (2 timely), so 66.67%; the June entries are not counted.
    const donghua = progress.targets[0]!.children.find((c) => c.name === '东华镇')!;
    assert.equal(donghua.value, 66.67);
    const january = await computeProgress(test.database, { unit: '620881', date: '2025-01-20' });
    assert.equal(january.window.period, null);
    assert.equal(january.targets[0]!.status, 'no_data');
  });

  it('pro-rates a count target along the year, and takes a plugged-in indicator', async () => {
    registerTargetIndicator({
      id: 'test_events_entered',
      name: { 'zh-CN': '录入事件数', en: 'Events entered' },
      unit: 'count',
      direction: 'higher',
      accumulates: true,
      async evaluate(database, request) {
        const rows = await sql<{ org: string; n: number }>`
          SELECT o.code AS org, count(e.id)::int AS n FROM org_unit o
            LEFT JOIN vital_event e ON e.org_code LIKE o.code || '%'
                 AND e.report_date BETWEEN ${request.period.start}::date AND ${request.period.end}::date
           WHERE o.code IN (${sql.join(request.units.map((u) => sql`${u}`))}) GROUP BY 1`.execute(
          database.db,
        );
        return new Map(rows.rows.map((row) => [row.org, row.n]));
      },
    });
    await setTargetSheet(ctx, {
      unit: VILLAGES.donghua,
      year: 2025,
      reason: '村级登记工作量',
      items: [{ indicator: 'test_events_entered', direction: 'at_least', target: 7.5, weight: 1 }],
    });
    // 31 May: 151/365 of the year, so 7.5 × 151/365 = 3.103 expected; 3 entered: 3.3% short, at risk.
    const may = await computeProgress(test.database, { unit: VILLAGES.donghua, date: '2025-05-31' });
    const target = may.targets[0]!;
    assert.equal(target.value, 3);
    assert.ok(Math.abs(target.expected.target! - (7.5 * 151) / 365) < 1e-9);
    assert.equal(target.status, 'at_risk');
    // 30 June: 7.5 × 181/365 = 3.72 expected; 4 entered: on track.
    const june = await computeProgress(test.database, { unit: VILLAGES.donghua, date: '2025-06-30' });
    assert.equal(june.targets[0]!.value, 4);
    assert.equal(june.targets[0]!.status, 'on_track');
    // 30 April: 7.5 × 120/365 = 2.47 expected; 3 entered (January, February, April): on track.
    const april = await computeProgress(test.database, { unit: VILLAGES.donghua, date: '2025-04-30' });
    assert.equal(april.targets[0]!.value, 3);
    assert.equal(april.targets[0]!.status, 'on_track');
  });

  it('scores the year: attainment, weights, gates, ranks, with the working shown', async () => {
    const assessment = await assessUnits(test.database, { unit: '620881', year: 2025 });
    const byName = Object.fromEntries(assessment.units.map((u) => [u.name, u]));
    const shanzhai = byName.山寨乡!;
    assert.deepEqual(
      shanzhai.lines.map((l) => [l.indicator, l.value, l.attainment, l.points]),
      [
        ['timeliness_rate', 75, 0.8077, 48.46],
        ['sex_ratio_at_birth', 300, 0, 0],
      ],
    );
    assert.equal(shanzhai.total, 48.46);
    assert.deepEqual(shanzhai.failedGates, ['timeliness_rate']);
    // 西华镇 over the whole year: timeliness 2/3 = 66.67% and SRB 200, both far off: 0.
    assert.equal(byName.西华镇!.lines[0]!.value, 66.67);
    assert.equal(byName.西华镇!.total, 0);
    assert.equal(byName.东华镇!.total, 40);
    assert.equal(byName.东华镇!.cap, 60);
    assert.deepEqual(
      assessment.units.slice(0, 3).map((u) => [u.name, u.rank]),
      [
        ['山寨乡', 1],
        ['东华镇', 2],
        ['东华街道', 3],
      ],
    );
    assert.equal(byName.西华镇!.rank, 3, 'equal totals share a rank');
    assert.equal(assessment.self.lines[0]!.value, 63.64); // county: 7 of 11 timely
  });

  it('writes demo sheets for the county and its townships, keeping sheets people wrote', async () => {
    const reports = await writeDemoTargetSheets(test.database, '620881', [2024, 2025]);
    assert.deepEqual(
      reports.map((r) => [r.year, r.status]),
      [
        [2024, 'written'],
        [2025, 'kept'],
      ],
    );
    assert.ok(reports[0]!.indicators.includes('timeliness_rate'));
    assert.ok(reports[0]!.indicators.includes('sex_ratio_at_birth'));
    assert.equal(reports[0]!.townships, 11);
    const county = await getTargetSheet(test.database.db, '620881', 2024);
    assert.equal(county.changeKind, 'demo');
    const stricter = await getTargetSheet(test.database.db, TOWNS.donghua, 2024);
    assert.deepEqual(
      stricter.items.filter((i) => i.source === 'own').map((i) => [i.indicator, i.target]),
      [
        ['sex_ratio_at_birth', 104],
        ['infant_mortality_rate', 4],
      ],
    );
    const progress = await computeProgress(test.database, { unit: '620881', date: '2024-12-31' });
    assert.equal(progress.targets.length, reports[0]!.indicators.length);
  });

  it('prints the county sheet with values, status and the lagging townships (renkou targets status)', async () => {
    await test.database.close();
    open = false;
    const result = await runRenkou(
      ['targets', 'status', '--unit', '620881', '--date', '2025-06-30'],
      storage.env,
    );
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /华亭市（620881）2025 年目标进度，截至 2025-06-30/);
    assert.match(out, /统计期：2025年上半年（2025-01-01 至 2025-06-30），全年时间进度 49\.6%/);
    assert.match(out, /及时率\s+≥ 95\.0%\s+70\.0%\s+≥ 95\.0%\s+落后/);
    assert.match(out, /出生人口性别比\s+≤ 107\.0\s+150\.0\s+≤ 107\.0\s+落后/);
    assert.match(out, /及时率：低于标准的有东华镇（50\.0%）、山寨乡（75\.0%）/);
    assert.match(out, /出生人口性别比：高于标准的有山寨乡（300\.0）/);
    assert.match(out, /1\s+西华镇\s+100 \/ 100/);
  });

  it('prints the year-end assessment with the working (renkou targets assess)', async () => {
    const assess = await runRenkou(['targets', 'assess', '--unit', '620881', '--year', '2025'], storage.env);
    assert.equal(assess.code, 0, assess.stderr);
    assert.match(assess.stdout, /1\. 山寨乡 {2}48\.46 \/ 100（否决项未达标：及时率，封顶 60）/);
    assert.match(assess.stdout, /及时率\s+不低于 ≥ 78\.0%\s+75\.0%\s+差距 3\.8%\s+80\.8% × 60 = 48\.46/);
  });
});
