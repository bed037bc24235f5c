import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { text } from '../src/domain/i18n.ts';
import { parsePeriod } from '../src/domain/period.ts';
import { buildWorkReport, findLaggingUnits } from '../src/reports/build-work-report.ts';
import { countFigure, type Figure, type FigureSet, figureKey, formatFigure } from '../src/reports/figures.ts';
import type { ReportDocument, ReportUnit, UnitTarget, WorkReportInput } from '../src/reports/model.ts';

function fig(
  indicator: string,
  unit: string,
  value: number | null,
  measure: Figure['measure'] = 'count',
): Figure {
  return {
    key: figureKey(indicator, unit, '2025'),
    name: text(indicator, indicator),
    measure,
    value,
    numerator: value,
    denominator: null,
    interval: null,
    flags: [],
    trace: {
      source: 'indicator',
      indicator,
      unit,
      period: '2025',
      group: {},
      dataVersion: 7,
      query: `/api/indicators/${indicator}?unit=${unit}&period=2025`,
    },
  };
}

const county: ReportUnit = { code: '620881', name: '华亭市', level: 'county' };
const towns: ReportUnit[] = [
  { code: '620881100', name: '东华镇', level: 'township' },
  { code: '620881101', name: '安口镇', level: 'township' },
  { code: '620881102', name: '西华镇', level: 'township' },
  { code: '620881200', name: '山寨乡', level: 'township' },
];

function setOf(unit: string, values: Record<string, number | null>): FigureSet {
  const measures: Record<string, Figure['measure']> = {
    crude_birth_rate: 'permille',
    crude_death_rate: 'permille',
    natural_increase_rate: 'permille',
    sex_ratio_at_birth: 'ratio',
    timeliness_rate: 'percent',
  };
  return Object.fromEntries(
    Object.entries(values).map(([id, v]) => [id, fig(id, unit, v, measures[id] ?? 'count')]),
  );
}

function input(overrides: Partial<WorkReportInput> = {}): WorkReportInput {
  const period = parsePeriod('2025');
  const zeroActivities = { byKind: [], highlights: [] };
  const at = { unit: county.code, period: '2025', dataVersion: 7, query: '/api/work-tasks' };
  return {
    unit: county,
    period,
    previousPeriod: parsePeriod('2024'),
    lastYearPeriod: null,
    reportDate: '2026-01-10',
    dataVersion: 7,
    figures: {
      current: setOf(county.code, {
        resident_population: 1000,
        births: 9,
        crude_birth_rate: 9.1,
        sex_ratio_at_birth: null,
      }),
      previous: setOf(county.code, { resident_population: null, births: 8 }),
      lastYear: null,
    },
    children: towns.map((t, i) => ({
      unit: t,
      figures: setOf(t.code, { resident_population: 100 + i, births: i }),
    })),
    monthly: [],
    pyramid: [],
    activities: zeroActivities,
    targets: { status: 'none', year: 2025 },
    nextYear: { year: 2026, targets: null },
    problems: {
      quality: { status: 'none' },
      unregisteredBirths: {
        feedsReceived: false,
        linked: false,
        total: countFigure('work_task', 'x', text('x', 'x'), 0, at),
        byUnit: [],
      },
      timeliness: { unit: fig('timeliness_rate', county.code, null, 'percent'), children: [] },
    },
    plans: [],
    ...overrides,
  };
}

function plainText(document: ReportDocument): string {
  return document.blocks
    .map((block) => {
      if (block.type === 'heading') return block.text;
      if (block.type === 'paragraph')
        return block.parts.map((p) => (typeof p === 'string' ? p : p.text)).join('');
      if (block.type === 'table')
        return [block.header.join(' '), ...block.rows.map((r) => r.map((c) => c.text).join(' '))].join('\n');
      return block.caption;
    })
    .join('\n');
}

function section(document: ReportDocument, from: string, to: string): string {
  const all = plainText(document);
  return all.slice(all.indexOf(from), all.indexOf(to));
}

const timeliness = (unit: ReportUnit, value: number | null): UnitTarget => ({
  unit,
  indicator: 'timeliness_rate',
  name: text('及时率', 'Timeliness rate'),
  target: { direction: 'at_least', value: 95 },
  actual: fig('timeliness_rate', unit.code, value, 'percent'),
});
const srb = (unit: ReportUnit, value: number | null): UnitTarget => ({
  unit,
  indicator: 'sex_ratio_at_birth',
  name: text('出生人口性别比', 'Sex ratio at birth'),
  target: { direction: 'within', value: [103, 107] },
  actual: fig('sex_ratio_at_birth', unit.code, value, 'ratio'),
});

describe('work report builder', () => {
  it('lists exactly the units below target, with their figures, and names those with no data', () => {
    const targets = [
      timeliness(towns[0]!, 96.5),
      timeliness(towns[1]!, 91.2),
      timeliness(towns[2]!, 95),
      timeliness(towns[3]!, 88.04),
      srb(towns[0]!, 110.4),
      srb(towns[1]!, 105),
      srb(towns[2]!, null),
      srb(towns[3]!, 101.9),
    ];
    const groups = findLaggingUnits(targets);
    assert.deepEqual(
      groups.map((g) => [g.target.indicator, g.lagging.map((l) => l.unit.name)]),
      [
        ['timeliness_rate', ['安口镇', '山寨乡']],
        ['sex_ratio_at_birth', ['东华镇', '山寨乡']],
      ],
    );
    const document = buildWorkReport(input({ targets: { status: 'available', year: 2025, targets } }));
    const problems = section(document, '（一）未达到目标的单位', '（二）数据质量');
    assert.match(problems, /及时率未达到目标（≥ 95\.00%）的有：安口镇（91\.20%）、山寨乡（88\.04%）。/);
    assert.match(
      problems,
      /出生人口性别比未达到目标（103\.0–107\.0）的有：东华镇（110\.4）、山寨乡（101\.9）。/,
    );
    assert.match(problems, /出生人口性别比无数据、无法评价的有：西华镇。/);
    assert.doesNotMatch(problems, /西华镇（/, 'a unit exactly at its target is not lagging');
    assert.match(section(document, '四、下一步工作打算', '\uFFFF'), /对安口镇、山寨乡、东华镇加强指导/);
  });

  it('says 无目标 when there is no target sheet, and says so again for next year', () => {
    const document = buildWorkReport(input());
    assert.match(plainText(document), /2025年尚无目标管理责任书（无目标）/);
    assert.match(plainText(document), /2026年目标管理责任书尚未制定（无目标）/);
  });

  it('prints 无数据 for a missing figure and never "XX"; comparisons without data are not invented', () => {
    const document = buildWorkReport(input());
    const all = plainText(document);
    assert.match(all, /出生人口性别比暂无数据/);
    assert.match(all, /常住人口 1,000 人/);
    assert.match(all, /人口事件登记及时率（事件发生后 30 天内录入）暂无数据。/);
    assert.match(
      plainText(buildWorkReport(input(), 'en')),
      /\(entered within 30 days of the event\) was not available\./,
    );
    assert.doesNotMatch(all, /XX|xx|NaN|undefined|null/);
    // The previous year's population is missing: the population change is left out, births compared.
    assert.match(all, /与上年相比，出生人数增加 1 人（\+12\.5%）/);
    assert.doesNotMatch(all, /常住人口(增加|减少)/);
    assert.equal(formatFigure(undefined), '无数据');
  });

  describe('the overview’s sentences when figures are missing', () => {
    // Every figure of 一、基本情况 for a year, as a county of 190,000 would have them.
    const complete = (): FigureSet => ({
      ...setOf(county.code, {
        resident_population: 186420,
        registered_population: 191035,
        outflow_population: 12870,
        inflow_population: 8255,
        births: 1532,
        crude_birth_rate: 8.21,
        deaths: 1204,
        crude_death_rate: 6.45,
        natural_increase_rate: 1.76,
      }),
      sex_ratio_at_birth: {
        ...fig('sex_ratio_at_birth', county.code, 106.3, 'ratio'),
        interval: { lower: 101.2, upper: 111.6 },
      },
      total_fertility_rate: fig('total_fertility_rate', county.code, 1.12, 'children_per_woman'),
    });
    const overview = (current: FigureSet) =>
      (['zh-CN', 'en'] as const).map((lang) => {
        const document = buildWorkReport(
          input({ figures: { current, previous: setOf(county.code, {}), lastYear: null } }),
          lang,
        );
        const first = document.blocks.find((block) => block.type === 'paragraph');
        assert.ok(first?.type === 'paragraph');
        return { text: first.parts.map((p) => (typeof p === 'string' ? p : p.text)).join(''), document };
      });

    it('reads as before when every figure is there', () => {
      const [zh, en] = overview(complete());
      assert.equal(
        zh!.text,
        '截至2025年12月31日，全市常住人口 186,420 人，户籍人口 191,035 人，其中流出人口 12,870 人、流入人口 8,255 人。' +
          '2025年全市出生 1,532 人，出生率 8.21‰；死亡 1,204 人，死亡率 6.45‰；人口自然增长率 1.76‰。' +
          '出生人口性别比 106.3（95% 置信区间 101.2–111.6），总和生育率 1.12。',
      );
      assert.equal(
        en!.text,
        'As of 31 December 2025, the resident population of the city was 186,420 and the registered population 191,035; of these, the outflow population was 12,870 and the inflow population 8,255. ' +
          'In 2025, the number of births in the city was 1,532 (crude birth rate 8.21‰) and the number of deaths 1,204 (crude death rate 6.45‰); the natural increase rate was 1.76‰. ' +
          'The sex ratio at birth was 106.3 (95% confidence interval 101.2–111.6), and the total fertility rate 1.12.',
      );
    });

    it('says of one missing figure, at the end of its sentence, that it has no data', () => {
      const current = complete();
      current.outflow_population = fig('outflow_population', county.code, null);
      const [zh, en] = overview(current);
      assert.equal(
        zh!.text.split('。')[0],
        '截至2025年12月31日，全市常住人口 186,420 人，户籍人口 191,035 人，其中流入人口 8,255 人，流出人口暂无数据',
      );
      assert.equal(
        en!.text.split('. ')[0],
        'As of 31 December 2025, the resident population of the city was 186,420 and the registered population 191,035; of these, the inflow population was 8,255; the outflow population was not available',
      );
      // The other sentences are untouched.
      assert.ok(
        zh!.text.endsWith(
          '人口自然增长率 1.76‰。出生人口性别比 106.3（95% 置信区间 101.2–111.6），总和生育率 1.12。',
        ),
      );
      assert.ok(
        en!.text.endsWith(
          'the natural increase rate was 1.76‰. The sex ratio at birth was 106.3 (95% confidence interval 101.2–111.6), and the total fertility rate 1.12.',
        ),
      );
    });

    it('names several missing figures together, once per sentence, not one “not available” each', () => {
      const current = complete();
      delete current.outflow_population; // not gathered at all
      for (const id of [
        'registered_population',
        'deaths',
        'crude_death_rate',
        'natural_increase_rate',
        'sex_ratio_at_birth',
      ])
        current[id] = { ...current[id]!, value: null, interval: null };
      const [zh, en] = overview(current);
      assert.equal(
        zh!.text,
        '截至2025年12月31日，全市常住人口 186,420 人，其中流入人口 8,255 人，户籍人口、流出人口暂无数据。' +
          '2025年全市出生 1,532 人，出生率 8.21‰；死亡人数、死亡率、人口自然增长率暂无数据。' +
          '总和生育率 1.12，出生人口性别比暂无数据。',
      );
      assert.equal(
        en!.text,
        'As of 31 December 2025, the resident population of the city was 186,420; of these, the inflow population was 8,255; the registered population and the outflow population were not available. ' +
          'In 2025, the number of births in the city was 1,532 (crude birth rate 8.21‰); the number of deaths, the crude death rate and the natural increase rate were not available. ' +
          'The total fertility rate was 1.12; the sex ratio at birth was not available.',
      );
      // A missing figure is still listed (with its trace) for the report's record and diff.
      const deaths = en!.document.figures[figureKey('deaths', '620881', '2025')];
      assert.equal(deaths?.value, null);
    });

    it('keeps the date, the period and the unit when a sentence has no figure at all', () => {
      const [zh, en] = overview({});
      assert.equal(
        zh!.text,
        '截至2025年12月31日，全市常住人口、户籍人口、流出人口、流入人口暂无数据。' +
          '2025年全市出生人数、出生率、死亡人数、死亡率、人口自然增长率暂无数据。出生人口性别比暂无数据。',
      );
      assert.equal(
        en!.text,
        'As of 31 December 2025, the resident population, the registered population, the outflow population and the inflow population of the city were not available. ' +
          'In 2025, the number of births, the crude birth rate, the number of deaths, the crude death rate and the natural increase rate in the city were not available. ' +
          'The sex ratio at birth was not available.',
      );
    });
  });

  it('looks five years ahead in 四、下一步工作打算 when a projection is given, in both languages, and says nothing without one', () => {
    const at = (variant: string) => ({
      unit: county.code,
      period: '2030',
      dataVersion: 7,
      query: '/api/projection?unit=620881&baseYear=2025&years=5&step=5',
      group: { variant },
    });
    const outlook = (variant: string, value: number) =>
      countFigure('projection', 'resident_population', text('预测常住人口', 'Projected'), value, at(variant));
    const withOutlook = input({
      projection: {
        fromYears: [2023, 2024, 2025],
        toYear: 2030,
        medium: outlook('medium', 184210),
        low: outlook('low', 182930),
        high: outlook('high', 185480),
      },
    });
    const zh = plainText(buildWorkReport(withOutlook));
    assert.ok(
      zh.includes(
        '按2023–2025年的生育、死亡和迁移水平推算（队列要素法），到2030年末全市常住人口约 184,210 人（低方案 182,930 人，高方案 185,480 人），供编制人口发展规划参考。',
      ),
      zh,
    );
    const en = plainText(buildWorkReport(withOutlook, 'en'));
    assert.ok(
      en.includes(
        'Projected from the fertility, mortality and migration of 2023–2025 (cohort-component method), the resident population of the city at the end of 2030 would be about 184,210 (low variant 182,930, high variant 185,480), a basis for population planning.',
      ),
      en,
    );
    const document = buildWorkReport(withOutlook);
    assert.equal(
      document.figures['projection:resident_population|620881|2030|variant=medium']?.value,
      184210,
    );
    assert.doesNotMatch(plainText(buildWorkReport(input())), /队列要素法/);
  });

  it('keeps every printed figure, with its trace, in the document’s figure list', () => {
    const document = buildWorkReport(input());
    const births = document.figures[figureKey('births', '620881', '2025')];
    assert.ok(births);
    assert.equal(births.value, 9);
    assert.equal(births.trace.query, '/api/indicators/births?unit=620881&period=2025');
    assert.equal(births.trace.dataVersion, 7);
    for (const block of document.blocks) {
      if (block.type !== 'paragraph') continue;
      for (const part of block.parts)
        if (typeof part !== 'string') assert.ok(document.figures[part.figure.key]);
    }
  });

  it('quotes the activity log by kind with its totals, and says when there is none', () => {
    const at = (kind: string) => ({
      unit: county.code,
      period: '2025',
      dataVersion: 7,
      query: `/api/activities?kind=${kind}`,
      group: { kind },
    });
    const document = buildWorkReport(
      input({
        activities: {
          byKind: [
            {
              kind: 'publicity',
              count: countFigure('activity', 'count', text('n', 'n'), 12, at('publicity')),
              peopleServed: countFigure('activity', 'people_served', text('p', 'p'), 3400, at('publicity')),
              materials: countFigure('activity', 'materials', text('m', 'm'), null, at('publicity')),
            },
          ],
          highlights: [
            {
              date: '2025-05-20',
              unitName: '东华镇',
              kind: 'publicity',
              peopleServed: 800,
              materials: 1200,
              description: '开展育儿补贴政策宣传',
            },
          ],
        },
      }),
    );
    const work = section(document, '二、主要工作', '三、存在的问题');
    assert.match(
      work,
      /共开展宣传服务活动 12 次，服务群众 3,400 人次。如5月20日，东华镇开展育儿补贴政策宣传（服务 800 人次）。/,
    );
    assert.doesNotMatch(work, /发放资料/, 'materials not counted are not printed');
    assert.match(
      section(buildWorkReport(input()), '二、主要工作', '三、存在的问题'),
      /没有登记的活动（无数据）/,
    );
  });

  it('writes the same document in English on request: same figures, English words, Chinese only in names', () => {
    const at = { unit: county.code, period: '2025', dataVersion: 7, query: '/api/work-tasks' };
    const targets = [timeliness(towns[1]!, 91.2), timeliness(towns[3]!, 88.04), srb(towns[2]!, null)];
    const full = input({
      targets: { status: 'available', year: 2025, targets },
      nextYear: {
        year: 2026,
        targets: [
          {
            indicator: 'timeliness_rate',
            name: text('及时率', 'Timeliness rate'),
            target: { direction: 'at_least', value: 95 },
            measure: 'percent',
          },
        ],
      },
      problems: {
        quality: {
          status: 'available',
          findings: [{ unit: county, text: text('完整率 91.00%。', 'Completeness rate 91.00%.') }],
        },
        unregisteredBirths: {
          feedsReceived: true,
          linked: true,
          total: countFigure('work_task', 'ub', text('漏报', 'Unregistered'), 3, at),
          byUnit: [
            {
              unit: towns[0]!,
              count: countFigure('work_task', 'ub', text('漏报', 'Unregistered'), 3, {
                ...at,
                unit: towns[0]!.code,
              }),
            },
          ],
        },
        timeliness: {
          unit: fig('timeliness_rate', county.code, 93.5, 'percent'),
          children: [{ unit: towns[3]!, figure: fig('timeliness_rate', towns[3]!.code, 88.04, 'percent') }],
        },
      },
    });
    const zh = buildWorkReport(full);
    const en = buildWorkReport(full, 'en');
    assert.equal(en.lang, 'en');
    // The same Figure objects, printed in the same places.
    assert.deepEqual(Object.keys(en.figures), Object.keys(zh.figures));
    for (const key of Object.keys(zh.figures)) assert.equal(en.figures[key], zh.figures[key]);
    assert.deepEqual(
      en.blocks.map((b) => b.type),
      zh.blocks.map((b) => b.type),
    );
    const all = plainText(en);
    for (const heading of ['1. Overview', '2. Main work', '3. Problems', '4. Plans for next year'])
      assert.ok(
        en.blocks.some((b) => b.type === 'heading' && b.text === heading),
        heading,
      );
    assert.match(all, /As of 31 December 2025, the resident population of the city was 1,000/);
    assert.match(all, /The sex ratio at birth was not available\./);
    assert.match(all, /Compared with 2024, births increased by 1 \(\+12\.5%\)\./);
    assert.match(
      all,
      /Timeliness rate: units below the target \(≥ 95\.00%\): 安口镇 \(91\.20%\), 山寨乡 \(88\.04%\)\./,
    );
    assert.match(all, /Sex ratio at birth: no data, not assessed: 西华镇\./);
    assert.match(all, /had found 3 births not yet registered, awaiting verification, of which 3 in 东华镇\./);
    assert.match(all, /Main targets for 2026: Timeliness rate ≥ 95\.00%\./);
    assert.match(all, /First, have the units concerned verify and register/);
    assert.match(all, /Third, give closer guidance to 安口镇 and 山寨乡/);
    assert.equal(en.signature.date, '10 January 2026');
    // No Chinese left once the unit names are taken out (the zh-CN text fails the same check).
    const names = [county, ...towns].map((u) => u.name);
    const strip = (s: string) => names.reduce((out, name) => out.replaceAll(name, ''), s);
    const cjk = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;
    assert.doesNotMatch(strip(`${all}\n${en.title}\n${en.subtitle}`), cjk);
    assert.match(strip(plainText(zh)), cjk);
  });
});
