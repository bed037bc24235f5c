import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { IndicatorEngine } from '../src/indicators/index.ts';
import { formatFigure } from '../src/reports/figures.ts';
import { generateReport, listReportRuns } from '../src/reports/index.ts';
import { setTargetSheet } from '../src/targets/index.ts';
import { ROOT } from './helpers/cli.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { readDocx } from './helpers/docx.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { ACTIVITY_DESCRIPTIONS, seedReportCounty } from './helpers/report-county.ts';

async function readXlsx(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** Chinese characters and CJK punctuation (，。、（）：；“”…). */
const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

const DESCRIPTIONS = ACTIVITY_DESCRIPTIONS;

describe(`reports in English (${storageName})`, () => {
  let test: TestDatabase;
  let engine: IndicatorEngine;
  /** Every unit name of the county: the proper names an English report keeps in Chinese. */
  let names: string[] = [];
  const towns = new Map<string, string>();
  /** Takes out the proper names (longest first) and the activity descriptions quoted as staff wrote them. */
  const stripNames = (text: string) =>
    [...names, ...DESCRIPTIONS].reduce((out, name) => out.replaceAll(name, ''), text);

  before(async () => {
    test = await createTestDatabase();
    const county = await seedReportCounty(test);
    for (const [code, name] of county.towns) towns.set(code, name);
    names = county.unitNames;
    const context = county.context;
    engine = new IndicatorEngine(test.database.db);
    // A target sheet that some townships miss (the median timeliness), and one for next year.
    const byTown = (
      await engine.evaluate({ indicator: 'timeliness_rate', unit: '620881', period: '2025', by: 'children' })
    ).values;
    const known = byTown
      .filter((v) => v.value !== null)
      .map((v) => v.value!)
      .sort((a, b) => a - b);
    for (const year of [2025, 2026]) {
      await setTargetSheet(context, {
        unit: '620881',
        year,
        reason: 'test sheet',
        items: [
          {
            indicator: 'timeliness_rate',
            direction: 'at_least',
            target: known[Math.floor(known.length / 2)]!,
            weight: 1,
          },
        ],
      });
    }
  });
  after(() => test.cleanup());

  const value = async (indicator: string, unit: string, period = '2025') =>
    (await engine.evaluate({ indicator, unit, period })).values[0]!;

  const report = (format: 'docx' | 'xlsx' | 'html', lang: 'zh-CN' | 'en', unit = '620881', period = '2025') =>
    generateReport(test.database, { unit, period, format, lang, actor: 'tester', reportDate: '2026-01-10' });

  it('writes the English .docx with the zh-CN report’s figures, English words and no Chinese but names', async () => {
    const zhRun = await report('docx', 'zh-CN');
    const enRun = await report('docx', 'en');
    const zh = await readDocx(zhRun.bytes);
    const en = await readDocx(enRun.bytes);
    const text = en.paragraphs.join('\n');

    for (const heading of [
      '1. Overview',
      '2. Main work',
      '3. Problems',
      '4. Plans for next year',
      '(1) Units below target',
      '(2) Data quality',
      '(3) Unregistered births',
    ])
      assert.ok(en.paragraphs.includes(heading), heading);
    const population = (await value('resident_population', '620881')).value!;
    const births = (await value('births', '620881')).value!;
    const cbr = formatFigure({
      value: (await value('crude_birth_rate', '620881')).value,
      measure: 'permille',
    });
    assert.ok(
      text.includes(
        `As of 31 December 2025, the resident population of the city was ${population.toLocaleString('en-US')}`,
      ),
      text,
    );
    assert.ok(
      text.includes(
        `the number of births in the city was ${births.toLocaleString('en-US')} (crude birth rate ${cbr})`,
      ),
    );
    assert.ok(
      text.includes('For example, on 20 May, 东华镇: “在集市开展育儿补贴政策宣传” (800 people served).'),
    );
    assert.ok(
      text.includes('had found 2 births not yet registered, awaiting verification, of which 2 in 东华镇.'),
    );
    assert.ok(en.paragraphs.includes('10 January 2026'), 'the signature’s date');

    // The same units below target, with the same figures, as the zh-CN report lists.
    const zhLagging = zh.paragraphs.find((p) => p.includes('未达到目标（≥'))!;
    const enLagging = en.paragraphs.find((p) => p.includes('units below the target (≥'))!;
    const listed = (line: string, pattern: RegExp) =>
      [...line.matchAll(pattern)].map((m) => `${m[1]}=${m[2]}`);
    assert.ok(listed(zhLagging, /([^：、（）]+)（([\d.]+%)）/g).length > 0, zhLagging);
    assert.deepEqual(
      listed(enLagging, /(?:: |, )([^:,()]+) \(([\d.]+%)\)/g),
      listed(zhLagging, /([^：、（）]+)（([\d.]+%)）/g),
      enLagging,
    );

    // Tables: every figure cell equal to the zh-CN report's; unit names kept; words translated.
    assert.equal(en.tables.length, zh.tables.length);
    en.tables.forEach((table, t) => {
      assert.equal(table.length, zh.tables[t]!.length);
      table.slice(1).forEach((row, r) => {
        const zhRow = zh.tables[t]![r + 1]!;
        assert.deepEqual(
          row.slice(1),
          zhRow.slice(1).map((c) => (c === '无数据' ? 'no data' : c)),
        );
        if (names.includes(zhRow[0]!)) assert.equal(row[0], zhRow[0]);
      });
    });
    assert.deepEqual(en.tables[0]![0], ['Indicator', '2025', '2024', 'Change']);
    assert.equal(en.tables[1]!.at(-1)![0], 'Total');
    assert.equal(en.media.length, 3, 'the three charts');

    // No Chinese but the names (and the quoted activity descriptions); the zh-CN file fails this check.
    const left = stripNames(en.all);
    assert.doesNotMatch(left, CJK, left.match(new RegExp(`.{0,30}${CJK.source}.{0,30}`, 'u'))?.[0]);
    assert.match(stripNames(zh.all), CJK);
    assert.doesNotMatch(en.all, /无数据|XX|NaN|undefined/);

    // An ordinary Latin font for the words; an East Asian font (宋体) for the names; no 仿宋.
    assert.doesNotMatch(en.xml, /仿宋|楷体|黑体|方正小标宋/);
    assert.match(en.xml, /w:ascii="Times New Roman"/);
    assert.match(en.xml, /w:eastAsia="宋体"/);
    assert.match(en.xml, /<w:lang w:val="en-US" w:eastAsia="zh-CN"\/>/);
    assert.match(
      en.styles,
      /w:ascii="Times New Roman"[^>]*w:eastAsia="宋体"|w:eastAsia="宋体"[^>]*w:hAnsi="Times New Roman"/,
    );

    // The records: the same figures with the same values, each in its language.
    const runs = await test.database.db
      .selectFrom('report_run')
      .select(['id', 'lang', 'figures'])
      .where('id', 'in', [zhRun.runId, enRun.runId])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      runs.map((r) => r.lang),
      ['zh-CN', 'en'],
    );
    assert.deepEqual(runs[1]!.figures, runs[0]!.figures);
    assert.equal((await listReportRuns(test.database, { id: enRun.runId }))[0]!.lang, 'en');
    assert.match(enRun.fileName, /^华亭市 2025 work report\.docx$/);

    // The pages, to be looked at by eye (LibreOffice, when installed; test-output/ is git-ignored).
    if (spawnSync('soffice', ['--version']).status === 0 && spawnSync('pdftoppm', ['-v']).status === 0) {
      const dir = join(ROOT, 'test-output', 'reports', storageName, 'en');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'report.docx'), enRun.bytes);
      const { renderPages } = await import('../src/reports/render-pages.ts');
      assert.ok(renderPages(join(dir, 'report.docx'), dir).length >= 3);
    }
  });

  it('writes English .xlsx tables cell for cell equal to the zh-CN ones, with English headers', async () => {
    const zh = await readXlsx((await report('xlsx', 'zh-CN')).bytes);
    const en = await readXlsx((await report('xlsx', 'en')).bytes);
    assert.deepEqual(
      en.worksheets.map((w) => w.name),
      ['Annual', 'Quarterly', 'Monthly', 'Notes'],
    );
    const annual = en.getWorksheet('Annual')!;
    const header = (annual.getRow(3).values as unknown[]).map(String);
    for (const column of ['Period', 'Unit code', 'Unit', 'Live births', 'Crude birth rate(‰)'])
      assert.ok(header.includes(column), `${column} in ${header.join(' | ')}`);
    const births = header.indexOf('Live births');
    let numbers = 0;
    en.worksheets.forEach((sheet, s) => {
      const other = zh.worksheets[s]!;
      assert.equal(sheet.rowCount, other.rowCount, sheet.name);
      sheet.eachRow({ includeEmpty: true }, (row, r) => {
        row.eachCell({ includeEmpty: true }, (cell, c) => {
          const was = other.getRow(r).getCell(c).value;
          const is = cell.value;
          if (typeof was === 'number') {
            numbers++;
            assert.equal(is, was, `${sheet.name}!${cell.address}`);
          } else if (was === '无数据') assert.equal(is, 'no data', `${sheet.name}!${cell.address}`);
          if (typeof is === 'string')
            assert.doesNotMatch(stripNames(is), CJK, `${sheet.name}!${cell.address}: ${is}`);
        });
      });
    });
    assert.ok(numbers > 1000, `${numbers} numbers compared`);
    const total = [] as unknown[];
    annual.eachRow((row) => {
      if (row.getCell(3).value === 'Total') total.push(row.getCell(births).value);
    });
    assert.deepEqual(total, [(await value('births', '620881')).value]);
  });

  describe('over HTTP', () => {
    let app: TestClient;
    before(async () => {
      app = await signedInApp(test.database);
    });
    after(() => app.close());

    const runCount = async () =>
      Number(
        (
          await test.database.db
            .selectFrom('report_run')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('GET /api/reports?lang=en gives the English file and records its language', async () => {
      const docx = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=docx&lang=en' });
      assert.equal(docx.statusCode, 200, docx.body);
      assert.equal(docx.headers['content-language'], 'en');
      const text = (await readDocx(docx.rawPayload)).paragraphs;
      assert.ok(text.includes('1. Overview'));
      const run = Number(docx.headers['x-renkou-report-run']);
      const runs = await app.inject({ url: '/api/reports/runs?unit=620881' });
      assert.equal(runs.json().items.find((r: { id: number }) => r.id === run).lang, 'en');
      const html = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=html&lang=en' });
      assert.match(html.body, /<html lang="en">/);
      assert.match(html.body, /<h2>1\. Overview<\/h2>/);
      assert.match(html.body, /Annex: /);
      // Without ?lang the file is zh-CN, as before.
      const zh = await app.inject({ url: '/api/reports?unit=620881&period=2025&format=html' });
      assert.match(zh.body, /<html lang="zh-CN">/);
      assert.match(zh.body, /<h2>一、基本情况<\/h2>/);
    });

    it('follows Accept-Language when ?lang is absent: the JSON preview, charts included, in English', async () => {
      const json = await app.inject({
        url: '/api/reports?unit=620881&period=2025&format=json',
        headers: { 'accept-language': 'en-US,en;q=0.9' },
      });
      assert.equal(json.statusCode, 200, json.body);
      const body = json.json();
      assert.equal(body.document.lang, 'en');
      assert.equal(body.tables.lang, 'en');
      // Every word of the document (headings, sentences, table headers, chart captions, legends, axis
      // names) — not the figures' own bilingual names and traces — is English but for the names.
      const words: string[] = [body.document.title, body.document.subtitle];
      for (const block of body.document.blocks) {
        if (block.type === 'heading') words.push(block.text);
        if (block.type === 'paragraph')
          words.push(
            ...block.parts.map((p: string | { text: string }) => (typeof p === 'string' ? p : p.text)),
          );
        if (block.type === 'table')
          words.push(
            block.caption,
            ...block.header,
            ...block.rows.flat().map((c: { text: string }) => c.text),
          );
        if (block.type === 'chart') {
          const option = block.option;
          words.push(block.caption, JSON.stringify(option.series.map((s: { name: string }) => s.name)));
          words.push(JSON.stringify(option.xAxis), JSON.stringify(option.yAxis));
        }
      }
      for (const word of words) assert.doesNotMatch(stripNames(String(word)), CJK, String(word));
      const chart = body.document.blocks.find((b: { id?: string }) => b.id === 'trend');
      assert.equal(chart.option.xAxis.data[0], 'Jan');
      assert.equal(chart.option.yAxis.name, 'persons');
      assert.equal(
        body.document.figures['births|620881|2025'].value,
        (await value('births', '620881')).value,
      );
    });

    it('refuses a language it does not speak, field by field, in both languages, and records nothing', async () => {
      const before = await runCount();
      for (const headers of [{}, { 'accept-language': 'en' }]) {
        const bad = await app.inject({
          url: '/api/reports?unit=620881&period=2025&format=docx&lang=fr',
          headers,
        });
        assert.equal(bad.statusCode, 400, bad.body);
        const error = bad.json().error;
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.field, 'lang');
        assert.equal(error.issues[0].code, 'invalid_lang');
        assert.match(error.messages['zh-CN'], /报告语言应为 zh-CN 或 en，收到“fr”/);
        assert.match(error.messages.en, /The report language must be zh-CN or en, not "fr"/);
      }
      const preview = await app.inject({
        url: '/api/reports?unit=620881&period=2025&format=json&lang=english',
      });
      assert.equal(preview.statusCode, 400);
      assert.equal(preview.json().error.field, 'lang');
      assert.equal(await runCount(), before);
    });
  });
});
