import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { findIndicator, findRecordsRefusal, IndicatorEngine } from '../src/indicators/index.ts';
import { projectFromRegistry } from '../src/indicators/registry-projection.ts';
import { registerDeath } from '../src/registry/commands/register-death.ts';
import { type Figure, formatFigure } from '../src/reports/figures.ts';
import { diffReportRun, generateReport } from '../src/reports/index.ts';
import { setTargetSheet } from '../src/targets/index.ts';
import { ROOT } from './helpers/cli.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { readDocx } from './helpers/docx.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { seedReportCounty } from './helpers/report-county.ts';

function cellValue(value: ExcelJS.CellValue): unknown {
  if (value && typeof value === 'object' && 'result' in value) return value.result;
  return value;
}

describe(`reports from the synthetic county (${storageName})`, () => {
  let test: TestDatabase;
  let engine: IndicatorEngine;
  const towns = new Map<string, string>();
  before(async () => {
    test = await createTestDatabase();
    // Two open unregistered births (as linkage would file them) come with the county; one done here.
    const { towns: townNames, villages } = await seedReportCounty(test);
    for (const [code, name] of townNames) towns.set(code, name);
    engine = new IndicatorEngine(test.database.db);
    await test.database.db
      .insertInto('work_task')
      .values({
        county_code: '620881',
        kind: 'unregistered_birth',
        org_code: villages[0]!.code,
        source: 'linkage',
        source_ref: 'test:done',
        status: 'done',
        resolved_at: '2025-12-01T00:00:00Z',
        resolved_by: 'tester',
        created_by: 'tester',
      } as never)
      .execute();
  });
  after(() => test.cleanup());

  const value = async (indicator: string, unit: string, period = '2025') =>
    (await engine.evaluate({ indicator, unit, period })).values[0]!;

  it('writes a .docx whose figures are the indicator engine’s, township by township, with charts and no "XX"', async () => {
    const report = await generateReport(test.database, {
      unit: '620881',
      period: '2025',
      format: 'docx',
      actor: 'tester',
      reportDate: '2026-01-10',
    });
    const docx = await readDocx(report.bytes);
    const population = await value('resident_population', '620881');
    const births = await value('births', '620881');
    const cbr = await value('crude_birth_rate', '620881');
    const text = docx.paragraphs.join('\n');
    assert.match(text, new RegExp(`全市常住人口 ${population.value!.toLocaleString('en-US')} 人`));
    assert.ok(
      text.includes(
        `全市出生 ${births.value!.toLocaleString('en-US')} 人，出生率 ${formatFigure({ value: cbr.value, measure: 'permille' })}`,
      ),
    );
    // The township table: each township's row equals the engine's figures for it.
    for (const [code, name] of towns) {
      const row = docx.rows.find((r) => r[0] === name);
      assert.ok(row, `row for ${name}`);
      const expected = [
        await value('resident_population', code),
        await value('births', code),
        await value('deaths', code),
      ].map((v) => v.value!.toLocaleString('en-US'));
      assert.deepEqual(row.slice(1, 4), expected, name);
      const rate = await value('crude_birth_rate', code);
      assert.equal(row[4], rate.value === null ? '无数据' : rate.value.toFixed(2), `${name} 出生率`);
    }
    const total = docx.rows.find((r) => r[0] === '合计')!;
    assert.equal(total[2], births.value!.toLocaleString('en-US'));
    assert.doesNotMatch(docx.all, /XX|NaN|undefined/);
    assert.equal(docx.media.length, 3, 'trend, township and pyramid charts');
    // 二、主要工作 from the activity log; 三、存在的问题 with the open unregistered births only.
    assert.match(text, /如5月20日，东华镇在集市开展育儿补贴政策宣传（服务 800 人次）。/);
    assert.match(text, /发现尚未登记的出生 2 例待核实登记，其中东华镇 2 例。/);
    assert.match(text, /2025年尚无目标管理责任书（无目标）|未达到目标/);
    // 四、下一步工作打算 looks five years ahead: the projection from the registry, each variant's
    // figure traced to the API query that gives it again.
    const outlook = await projectFromRegistry(test.database.db, engine, {
      unit: '620881',
      baseYear: 2025,
      years: 5,
      step: 5,
    });
    const projected = (variant: 'low' | 'medium' | 'high') =>
      Math.round(outlook.variants[variant].years.at(-1)!.total).toLocaleString('en-US');
    assert.ok(
      text.includes(
        `按${outlook.sources.rates.years[0]}–2025年的生育、死亡和迁移水平推算（队列要素法），到2030年末全市常住人口约 ${projected('medium')} 人（低方案 ${projected('low')} 人，高方案 ${projected('high')} 人），供编制人口发展规划参考。`,
      ),
      text,
    );
    // The record: the file's hash and every printed figure with its trace.
    const run = await test.database.db
      .selectFrom('report_run')
      .selectAll()
      .where('id', '=', report.runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.file_sha256, createHash('sha256').update(report.bytes).digest('hex'));
    assert.equal(run.format, 'docx');
    const recorded = (
      run.figures as Record<string, { value: number; trace: { query: string; dataVersion: number } }>
    )['births|620881|2025']!;
    assert.equal(recorded.value, births.value);
    assert.equal(recorded.trace.query, '/api/indicators/births?unit=620881&period=2025');
    assert.equal(recorded.trace.dataVersion, await engine.dataVersion('620881'));
    const recordedOutlook = (
      run.figures as Record<string, { value: number; trace: { source: string; query: string } }>
    )['projection:resident_population|620881|2030|variant=medium'];
    assert.deepEqual(recordedOutlook && [recordedOutlook.trace.source, recordedOutlook.trace.query], [
      'projection',
      '/api/projection?unit=620881&baseYear=2025&years=5&step=5',
    ]);

    // The page images for a look by eye (LibreOffice, when installed; never committed: test-output/ is git-ignored).
    if (spawnSync('soffice', ['--version']).status === 0 && spawnSync('pdftoppm', ['-v']).status === 0) {
      const dir = join(ROOT, 'test-output', 'reports', storageName);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'report.docx'), report.bytes);
      const { renderPages } = await import('../src/reports/render-pages.ts');
      const pages = renderPages(join(dir, 'report.docx'), dir);
      assert.ok(pages.length >= 3, `rendered ${pages.length} pages`);
      assert.ok(readdirSync(dir).some((f) => f.endsWith('.pdf')));
    }
  });

  it('writes .xlsx tables whose rows are the engine’s figures and whose totals add up', async () => {
    const report = await generateReport(test.database, {
      unit: '620881',
      period: '2025',
      format: 'xlsx',
      actor: 'tester',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(report.bytes as unknown as ArrayBuffer);
    assert.deepEqual(
      workbook.worksheets.map((w) => w.name),
      ['年报', '季报', '月报', '说明'],
    );
    const sheet = workbook.getWorksheet('年报')!;
    assert.equal(sheet.views[0]?.state, 'frozen');
    const header = (sheet.getRow(3).values as unknown[]).map(String);
    const column = (name: string) => header.indexOf(name);
    const rows = new Map<string, ExcelJS.Row>();
    sheet.eachRow((row, n) => {
      if (n > 3) rows.set(String(row.getCell(3).value), row);
    });
    for (const [code, name] of towns) {
      const row = rows.get(name)!;
      assert.equal(cellValue(row.getCell(column('出生人数')).value), (await value('births', code)).value);
      assert.equal(
        cellValue(row.getCell(column('常住人口')).value),
        (await value('resident_population', code)).value,
      );
      const cdr = (await value('crude_death_rate', code)).value;
      assert.equal(cellValue(row.getCell(column('死亡率(‰)')).value), cdr ?? '无数据');
    }
    const total = rows.get('合计')!;
    let sumOfRows = 0;
    for (const name of towns.values())
      sumOfRows += Number(cellValue(rows.get(name)!.getCell(column('出生人数')).value));
    assert.equal(
      cellValue(total.getCell(column('出生人数')).value),
      sumOfRows,
      'the total is the sum of the rows',
    );
    for (const indicator of [
      'births',
      'deaths',
      'resident_population',
      'crude_birth_rate',
      'crude_death_rate',
      'natural_increase_rate',
      'sex_ratio_at_birth',
      'general_fertility_rate',
      'timeliness_rate',
      'share_aged_65_plus',
    ]) {
      const definition = (await engine.evaluate({ indicator, unit: '620881', period: '2025' })).indicator;
      const name = `${definition.name['zh-CN']}${definition.unit === 'permille' ? '(‰)' : definition.unit === 'percent' ? '(%)' : ''}`;
      const county = (await value(indicator, '620881')).value!;
      const got = Number(cellValue(total.getCell(column(name)).value));
      assert.ok(Math.abs(got - county) <= 0.011, `${indicator}: total ${got} vs county ${county}`);
    }
    // Quarterly and monthly blocks add up too: the sum of the months' births is the year's.
    const monthly = workbook.getWorksheet('月报')!;
    let monthBirths = 0;
    monthly.eachRow((row, n) => {
      if (n > 3 && row.getCell(3).value === '合计')
        monthBirths += Number(cellValue(row.getCell(column('出生人数')).value));
    });
    assert.equal(monthBirths, (await value('births', '620881')).value);
    assert.equal(sheet.getColumn(column('出生率(‰)')).numFmt, '#,##0.00');
  });

  it('says 无数据 for a period without data, never a made-up number', async () => {
    const report = await generateReport(test.database, {
      unit: '620881100',
      period: '2019',
      format: 'docx',
      actor: 'tester',
    });
    const docx = await readDocx(report.bytes);
    const text = docx.paragraphs.join('\n');
    // Missing figures are named together, each sentence keeping its date, period and unit.
    assert.match(text, /截至2019年12月31日，全镇常住人口、户籍人口、流出人口、流入人口暂无数据。/);
    assert.match(text, /2019年全镇出生人数、出生率、死亡人数、死亡率、人口自然增长率暂无数据。/);
    assert.doesNotMatch(text, /常住人口 0 人/);
    assert.doesNotMatch(text, /队列要素法/, 'no projection from a year without data');
    const xlsx = await generateReport(test.database, {
      unit: '620881100',
      period: '2019',
      format: 'xlsx',
      actor: 'tester',
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const row = workbook.getWorksheet('年报')!.getRow(4);
    assert.equal(row.getCell(5).value, '无数据');
  });

  it('regenerating gives the same figures, and after a registry change lists what changed', async () => {
    const report = await generateReport(test.database, {
      unit: '620881',
      period: '2025',
      format: 'docx',
      actor: 'tester',
    });
    const same = await diffReportRun(test.database, report.runId);
    assert.equal(same.same, true);
    assert.equal(same.dataVersionNow, same.dataVersionThen);
    const someone = await sql<{ id: number }>`
      SELECT p.id FROM person p JOIN residence_spell s ON s.county_code = p.county_code AND s.person_id = p.id
       WHERE p.status = 'active' AND s.valid_to IS NULL AND s.residence_type = 'registered' AND s.org_code LIKE '620881100%'
         AND p.birth_date < '1950-01-01' ORDER BY p.id LIMIT 1`.execute(test.database.db);
    await registerDeath(
      { db: test.database.db, actor: { id: 'tester' }, today: '2026-01-10' },
      { personId: Number(someone.rows[0]!.id), deathDate: '2025-06-15', reportDate: '2025-06-20' },
    );
    const diff = await diffReportRun(test.database, report.runId);
    assert.equal(diff.same, false);
    assert.ok(diff.dataVersionNow > diff.dataVersionThen);
    const deaths = diff.changed.find((c) => c.key === 'deaths|620881|2025');
    assert.ok(deaths, 'county deaths changed');
    assert.equal(deaths.after, (deaths.before ?? 0) + 1);
    assert.ok(diff.changed.some((c) => c.key === 'deaths|620881100|2025'));
  });

  it('lists exactly the townships below their target sheet’s target, with the engine’s figures', async () => {
    const byTown = (
      await engine.evaluate({ indicator: 'timeliness_rate', unit: '620881', period: '2025', by: 'children' })
    ).values;
    const known = byTown
      .filter((v) => v.value !== null)
      .map((v) => v.value!)
      .sort((a, b) => a - b);
    const bound = known[Math.floor(known.length / 2)]!;
    await setTargetSheet(
      { db: test.database.db, actor: { id: 'tester' }, today: '2026-01-10' },
      {
        unit: '620881',
        year: 2025,
        reason: 'test sheet',
        items: [{ indicator: 'timeliness_rate', direction: 'at_least', target: bound, weight: 1 }],
      },
    );
    const report = await generateReport(test.database, {
      unit: '620881',
      period: '2025',
      format: 'docx',
      actor: 'tester',
    });
    const text = (await readDocx(report.bytes)).paragraphs.join('\n');
    const line = text.split('\n').find((l) => l.includes('未达到目标（≥')) ?? '';
    const listed = [...line.matchAll(/([^：、（）]+)（([\d.]+)%）/g)].map((m) => [m[1]!, Number(m[2])]);
    const expected = byTown
      .filter((v) => v.value !== null && v.value < bound)
      .map((v) => [towns.get(v.unit_code)!, v.value!]);
    assert.deepEqual(listed.map(([name]) => name).sort(), expected.map(([name]) => name).sort(), line);
    for (const [name, figure] of listed) assert.equal(figure, expected.find(([n]) => n === name)![1]);
    assert.ok(expected.length > 0, 'the median bound leaves some townships below it');
  });

  describe('over HTTP', () => {
    let app: TestClient;
    before(async () => {
      app = await signedInApp(test.database);
    });
    after(() => app.close());

    it('GET /api/reports returns the file, and JSON for the preview with traces', async () => {
      const xlsx = await app.inject({ url: '/api/reports?unit=620881&period=2025Q2&format=xlsx' });
      assert.equal(xlsx.statusCode, 200, xlsx.body);
      assert.match(String(xlsx.headers['content-type']), /spreadsheetml/);
      assert.ok(Number(xlsx.headers['x-renkou-report-run']) > 0);
      const json = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=json' });
      assert.equal(json.statusCode, 200);
      const body = json.json();
      assert.equal(
        body.document.figures['births|620881|2025'].value,
        (await value('births', '620881')).value,
      );
      assert.ok(body.tables.sheets.length >= 1);
      const html = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=html' });
      assert.match(html.body, /<svg/);
      assert.match(html.body, /data-key="births\|620881\|2025"/);
      // A unit outside the user's (here: a county that does not exist) is refused before anything is looked up.
      const bad = await app.inject({ url: '/api/reports?unit=999999&period=2025&format=docx' });
      assert.equal(bad.statusCode, 403);
    });

    it('traces a figure to its records only where they are listed, and every such link opens', async () => {
      const json = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=json' });
      assert.equal(json.statusCode, 200, json.body);
      const body = json.json() as {
        document: { figures: Record<string, Figure> };
        tables: {
          sheets: { blocks: { rows: { figures: (Figure | null)[] }[]; total: (Figure | null)[] }[] }[];
        };
      };
      const figures = [
        ...Object.values(body.document.figures),
        ...body.tables.sheets.flatMap((sheet) =>
          sheet.blocks.flatMap((block) => [...block.rows.flatMap((row) => row.figures), ...block.total]),
        ),
      ].filter((figure): figure is Figure => figure !== null && figure.trace.source === 'indicator');
      const seen = new Set<string>();
      for (const figure of figures) {
        const refusal = findRecordsRefusal(findIndicator(figure.trace.indicator)!);
        assert.equal(figure.trace.records === undefined, refusal !== undefined, figure.key);
        seen.add(figure.trace.indicator);
      }
      // The tables carry the coverage and quality rates as well as the registry's figures.
      for (const id of [
        'postpartum_visit_rate',
        'premarital_check_rate',
        'timeliness_rate',
        'crude_birth_rate',
      ])
        assert.ok(seen.has(id), id);
      const links = new Set(
        figures
          .filter((f) => f.trace.unit === '620881' && f.trace.period === '2025' && f.trace.records)
          .map((f) => f.trace.records!),
      );
      assert.ok(links.has('/api/indicators/crude_birth_rate/records?unit=620881&period=2025'));
      for (const link of links) {
        const response = await app.inject({ url: link });
        assert.equal(response.statusCode, 200, `${link}: ${response.body}`);
      }
    });

    it('POST /api/activities records an activity and refuses a bad one field by field', async () => {
      const ok = await app.inject({
        method: 'POST',
        url: '/api/activities',
        payload: {
          unit: '620881102',
          date: '2025-03-08',
          kind: 'training',
          peopleServed: 40,
          description: '村级专干业务培训',
        },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const list = await app.inject({ url: '/api/activities?unit=620881102' });
      assert.equal(list.json().items[0].description, '村级专干业务培训');
      const bad = await app.inject({
        method: 'POST',
        url: '/api/activities',
        payload: { unit: '620881102', date: '2999-01-01', kind: 'training', description: 'x' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.field, 'date');
    });
  });
});

if (!existsSync(join(ROOT, 'node_modules', 'jszip')))
  throw new Error('jszip (a dependency of exceljs and docx) is missing');
