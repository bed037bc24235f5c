import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { projectPopulation, projectVariants } from '../src/indicators/demography/projection.ts';
import { indicatorEngineFor } from '../src/indicators/index.ts';
import { projectionInputFromRegistry } from '../src/indicators/registry-projection.ts';
import {
  migrationBetween,
  type PopulationChange,
  populationChangesBetween,
  populationOn,
  totalOf,
} from '../src/registry/index.ts';
import { runRenkou } from './helpers/cli.ts';
import {
  createScratchStorage,
  createTestDatabase,
  type ScratchStorage,
  storageName,
  type TestDatabase,
} from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { buildNewbornRegistry, buildProjectionRegistry } from './helpers/projection-county.ts';
import { OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

const COUNTY = '620881';
/** 18 five-year groups 0–4 … 80–84, 85+; `at` puts values at group indices. */
const groups = (at: Record<number, number> = {}) => Array.from({ length: 18 }, (_, i) => at[i] ?? 0);

/** The hand-built registry of helpers/projection-county.ts; every expected figure is counted by hand there. */
describe(`population projection from the registry (${storageName})`, () => {
  let test: TestDatabase;
  let client: TestClient;
  const inputs = (request: { unit: string; baseYear?: number; step?: number; years?: number }) =>
    projectionInputFromRegistry(test.database.db, indicatorEngineFor(test.database), request);

  before(async () => {
    test = await createTestDatabase();
    await buildProjectionRegistry(test.database.db);
    client = await signedInApp(test.database);
  });
  after(async () => {
    await client.close();
    await test.cleanup();
  });

  it('takes the base population by sex and five-year group on 31 December of the base year', async () => {
    const { input, sources } = await inputs({ unit: COUNTY, baseYear: 2025, step: 5 });
    // Men: the boy of 2023 (2), 赵强 (25), 张大山 (65). Women: the girl of 2025 (0), 李秀英 (30), 张丽 (35).
    assert.deepEqual(input.population.male, groups({ 0: 1, 5: 1, 13: 1 }));
    assert.deepEqual(input.population.female, groups({ 0: 1, 6: 1, 7: 1 }));
    assert.equal(sources.population.date, '2025-12-31');
    assert.equal(sources.population.total, 6);
    const [indicator] = (
      await indicatorEngineFor(test.database).evaluate({
        indicator: 'resident_population',
        unit: COUNTY,
        period: '2025',
      })
    ).values;
    assert.equal(sources.population.total, indicator!.value, 'the dashboard’s resident population');
  });

  it('takes single years of age to 85+ with a one-year step', async () => {
    const { input } = await inputs({ unit: COUNTY, baseYear: 2025, step: 1 });
    assert.equal(input.population.male.length, 86);
    assert.equal(input.population.male[2], 1);
    assert.equal(input.population.male[25], 1);
    assert.equal(input.population.male[65], 1);
    assert.equal(input.population.female[30], 1);
    // 赵强 arrived at 23: a third of a migrant a year at that single age.
    assert.equal(input.netMigration!.male[23], 1 / 3);
  });

  it('computes ASFR over the three years as births ÷ the sum of each year’s average women', async () => {
    const { input, sources } = await inputs({ unit: COUNTY, baseYear: 2025, step: 5 });
    assert.deepEqual(sources.rates.years, [2023, 2024, 2025]);
    const rate = (start: number) => input.fertility.find((f) => f.start === start)!.asfr;
    // 25–29: the boy of 2023 (李秀英 28); women 1 + 1 + (1 + 0) / 2 = 2.5.
    assert.equal(rate(25), 1 / 2.5);
    // 35–39: the girl of 2025 (张丽 35); women (0 + 1) / 2 = 0.5 in 2025 only.
    assert.equal(rate(35), 2);
    assert.equal(rate(30), 0);
    assert.equal(sources.rates.fertility.find((g) => g.age === '30-34')!.women, 3);
    assert.equal(sources.rates.tfr, 5 * (0.4 + 2));
    assert.equal(sources.rates.births, 2);
  });

  it('computes nMx in the open group as deaths ÷ person-years of the three years', async () => {
    const { input, sources } = await inputs({ unit: COUNTY, baseYear: 2025, step: 5 });
    const open = (sex: 'male' | 'female') => input.mortality[sex].find((g) => g.width === null)!;
    // 王老汉 (♂, 87 at the start): 1 + (1 + 0) / 2 = 1.5 person-years, one death in 2024.
    assert.equal(open('male').start, 85);
    assert.equal(open('male').mx, 1 / 1.5);
    // 王奶奶 (♀, 86 at the start): 1 + 1 + (1 + 0) / 2 = 2.5 person-years, one death in 2025.
    assert.equal(open('female').mx, 1 / 2.5);
    assert.equal(input.mortality.male.find((g) => g.start === 30)!.mx, 0);
    assert.equal(sources.rates.deaths, 2);
    assert.equal(sources.rates.own, true);
  });

  it('averages the unit’s net migration per year by sex and age group at the move', async () => {
    const { input, sources } = await inputs({ unit: COUNTY, baseYear: 2025, step: 5 });
    // In: 赵强 (23). Out: 刘芳 as an outflow migrant (25), 王建国 out of the county (31).
    // 张大山's move between two villages of the county is no migration for the county.
    assert.deepEqual(input.netMigration!.male, groups({ 4: 1 / 3, 6: -1 / 3 }));
    assert.deepEqual(input.netMigration!.female, groups({ 5: -1 / 3 }));
    assert.equal(sources.migration.moveIns, 1);
    assert.equal(sources.migration.moveOuts, 2);
    assert.equal(sources.migration.netPerYear, -1 / 3);
  });

  it('balances: population change = births − deaths + moves in − moves out, for the county and a village', async () => {
    const db = test.database.db;
    for (const [unit, births, deaths] of [
      [COUNTY, 2, 2],
      [VILLAGE, 1, 2],
      [OTHER_VILLAGE, 1, 0],
    ] as const) {
      const start = totalOf(await populationOn(db, { unit, date: '2022-12-31' }));
      const end = totalOf(await populationOn(db, { unit, date: '2025-12-31' }));
      const moves = await migrationBetween(db, { unit, from: '2023-01-01', to: '2025-12-31' });
      const count = (direction: 'in' | 'out') =>
        moves.filter((m) => m.direction === direction).reduce((sum, m) => sum + m.count, 0);
      assert.equal(end - start, births - deaths + count('in') - count('out'), unit);
      // The same four terms as populationChangesBetween counts them.
      const changes = await populationChangesBetween(db, { unit, from: '2023-01-01', to: '2025-12-31' });
      const term = (change: PopulationChange) =>
        changes.filter((c) => c.change === change).reduce((sum, c) => sum + c.count, 0);
      assert.deepEqual(
        [term('birth'), term('death'), term('in'), term('out')],
        [births, deaths, count('in'), count('out')],
        unit,
      );
    }
  });

  it('gives a village the county’s rates with its own population and migration, and says so', async () => {
    const county = await inputs({ unit: COUNTY, baseYear: 2025, step: 5 });
    const village = await inputs({ unit: VILLAGE, baseYear: 2025, step: 5 });
    assert.deepEqual(village.input.fertility, county.input.fertility);
    assert.deepEqual(village.input.mortality, county.input.mortality);
    // 东华社区 at the end of 2025: the boy, 赵强, 张大山 (moved in from 北河村), 李秀英.
    assert.deepEqual(village.input.population.male, groups({ 0: 1, 5: 1, 13: 1 }));
    assert.deepEqual(village.input.population.female, groups({ 6: 1 }));
    // In: 赵强 (23), 张大山 from 北河村 (64). Out: 刘芳 (25), 王建国 (31).
    assert.deepEqual(village.input.netMigration!.male, groups({ 4: 1 / 3, 6: -1 / 3, 12: 1 / 3 }));
    assert.deepEqual(village.input.netMigration!.female, groups({ 5: -1 / 3 }));
    assert.equal(village.sources.rates.unit, COUNTY);
    assert.equal(village.sources.rates.own, false);
    assert.match(village.sources.rates.description.en, /^Rates of county 620881, 2023–2025/);
    assert.ok(village.sources.flags.some((flag) => flag.code === 'county_rates'));
    // 北河村 lost 张大山 to 东华社区.
    const other = await inputs({ unit: OTHER_VILLAGE, baseYear: 2025, step: 5 });
    assert.deepEqual(other.input.netMigration!.male, groups({ 12: -1 / 3 }));
  });

  it('answers the three variants over HTTP; the medium one equals projectPopulation on the same inputs', async () => {
    const response = await client.inject('/api/projection?unit=620881&baseYear=2025&years=10&step=5');
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    const { input } = await inputs({ unit: COUNTY, baseYear: 2025, step: 5, years: 10 });
    const expected = projectPopulation({ ...input, variant: 'medium' });
    assert.ok(expected.ok);
    const medium = body.variants.medium;
    assert.deepEqual(
      medium.years.map((y: { year: number }) => y.year),
      [2025, 2030, 2035],
    );
    medium.years.forEach(
      (y: { population: number; births: number | null; tfr: number | null }, i: number) => {
        assert.equal(y.population, expected.value.years[i]!.total);
        assert.equal(y.births, expected.value.years[i]!.births);
        assert.equal(y.tfr, expected.value.years[i]!.tfr);
      },
    );
    const final = expected.value.years[2]!;
    assert.equal(
      medium.finalPopulation.find((c: { age: string; sex: string }) => c.age === '0-4' && c.sex === 'female')
        .population,
      final.female[0],
    );
    assert.ok(body.variants.low.years[2].births < medium.years[2].births);
    assert.ok(body.variants.high.years[2].births > medium.years[2].births);
    assert.equal(body.basePopulation.length, 36);
    assert.equal(body.inputs.rates.tfr, 12);
    assert.match(body.inputs.rates.description, /华亭市/);
    assert.ok(body.flags.some((flag: { code: string }) => flag.code === 'default_sex_ratio_at_birth'));
  });

  it('defaults to the caller’s county, the latest year with data, 5 years and one-year steps', async () => {
    const response = await client.inject('/api/projection');
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.unit.code, COUNTY);
    assert.equal(body.baseYear, 2025);
    assert.equal(body.step, 1);
    assert.deepEqual(
      body.variants.medium.years.map((y: { year: number }) => y.year),
      [2025, 2026, 2027, 2028, 2029, 2030],
    );
    assert.equal(body.ages.at(-1), '85+');
  });

  it('suppresses small cells for a statistician, who sees aggregates only', async () => {
    const statistician = await signedInApp(test.database, [{ role: 'statistician', unit: COUNTY }]);
    try {
      const response = await statistician.inject(`/api/projection?unit=${VILLAGE}&step=5`);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      const boy = body.basePopulation.find(
        (c: { age: string; sex: string }) => c.age === '0-4' && c.sex === 'male',
      );
      assert.deepEqual(boy, { age: '0-4', sex: 'male', population: null, suppressed: true });
      const base = body.variants.medium.years[0];
      assert.equal(base.population, null, 'a village of 4');
      assert.equal(base.suppressed, true);
      const births = body.inputs.rates.fertility.find((g: { age: string }) => g.age === '25-29');
      assert.equal(births.value, null, 'an ASFR on one birth is suppressed with its births');
      // A handful of moves, and a net count of a few leaving, are as telling as a count of a few.
      const migration = body.inputs.migration;
      assert.deepEqual(
        [migration.moveIns, migration.moveOuts, migration.netPerYear, migration.suppressed],
        [null, null, null, true],
      );
      for (const cell of migration.byAge as { count: number | null; suppressed?: boolean }[]) {
        assert.ok(cell.count === null || cell.count === 0 || Math.abs(cell.count) >= 5, JSON.stringify(cell));
      }
      assert.ok(
        migration.byAge.some((c: { suppressed?: boolean }) => c.suppressed),
        'the village has net movers in some group',
      );
    } finally {
      await statistician.close();
    }
  });

  it('refuses bad parameters with the field and a code, in Chinese and in English', async () => {
    const cases = [
      ['unit=620881&years=7&step=5', 400, 'years', '倍数', 'multiple'],
      ['unit=620881999', 404, 'unit', '没有代码为 620881999 的单位', 'No unit with code 620881999'],
      ['unit=620881&baseYear=2021', 400, 'baseYear', '基年 2021 没有数据', 'base year 2021 has no data'],
      ['unit=620881&baseYear=2200', 400, 'baseYear', '基年 2200 尚未结束', 'base year 2200 has not ended'],
      ['unit=620881&step=2', 400, 'step', 'step', 'step'],
    ] as const;
    for (const [query, status, field, zh, en] of cases) {
      for (const [lang, words] of [
        ['zh-CN', zh],
        ['en', en],
      ] as const) {
        const response = await client.inject({
          url: `/api/projection?${query}`,
          headers: { 'accept-language': lang },
        });
        assert.equal(response.statusCode, status, `${query}: ${response.body}`);
        const error = response.json().error;
        assert.equal(error.field, field, query);
        assert.ok(error.code, query);
        assert.ok(error.message.includes(words), `${query} (${lang}): ${error.message}`);
      }
    }
  });
});

/** helpers/projection-county.ts's newborn registry: who was born, registered late, moved, arrived. */
describe(`a newborn's late hukou registration is a birth, not a move in (${storageName})`, () => {
  const TOWNSHIP = '620881100';
  let test: TestDatabase;
  const changesOn = (unit: string, from: string, to = from) =>
    populationChangesBetween(test.database.db, { unit, from, to });
  const movesOn = (unit: string, from: string, to = from) =>
    migrationBetween(test.database.db, { unit, from, to });

  before(async () => {
    test = await createTestDatabase();
    await buildNewbornRegistry(test.database.db);
  });
  after(() => test.cleanup());

  it('counts 小明, born 2024-03-01 and registered 2024-05-20 with his birth recorded in the county, as a birth', async () => {
    assert.deepEqual(await movesOn(COUNTY, '2024-05-20'), []);
    assert.deepEqual(await movesOn(VILLAGE, '2024-05-20'), []);
    assert.deepEqual(await changesOn(COUNTY, '2024-05-20'), [
      { change: 'birth', sex: 'male', age: 0, count: 1 },
    ]);
    // 小东, born 2022-12-10 and registered 2023-01-15: a birth of 2023, the year he joins.
    assert.deepEqual(await movesOn(COUNTY, '2023-01-15'), []);
    assert.deepEqual(await changesOn(COUNTY, '2023-01-15'), [
      { change: 'birth', sex: 'male', age: 0, count: 1 },
    ]);
    // 小丽, registered on her birth date, as before.
    assert.deepEqual(await changesOn(COUNTY, '2025-02-01'), [
      { change: 'birth', sex: 'female', age: 0, count: 1 },
    ]);
  });

  it('still counts 小芳, arriving from another county at three months without a birth here, as a move in', async () => {
    const arrival = [{ direction: 'in', sex: 'female', age: 0, count: 1 }];
    assert.deepEqual(await movesOn(COUNTY, '2024-06-01'), arrival);
    assert.deepEqual(await movesOn(VILLAGE, '2024-06-01'), arrival);
  });

  it('counts a first registration after the first birthday as a move in, birth recorded or not', async () => {
    // 小娟, born 2023-02-01 in the county, first registered at 14 months.
    assert.deepEqual(await movesOn(COUNTY, '2024-04-01'), [
      { direction: 'in', sex: 'female', age: 1, count: 1 },
    ]);
  });

  it('sees 小明’s move between two villages of 东华镇 as no move for the township and the county, a move for each village', async () => {
    assert.deepEqual(await changesOn(TOWNSHIP, '2024-09-01'), []);
    assert.deepEqual(await changesOn(COUNTY, '2024-09-01'), []);
    assert.deepEqual(await movesOn(VILLAGE, '2024-09-01'), [
      { direction: 'out', sex: 'male', age: 0, count: 1 },
    ]);
    // His spell in 北河村 is not his first in the county: a move in at six months, not a birth.
    assert.deepEqual(await movesOn(OTHER_VILLAGE, '2024-09-01'), [
      { direction: 'in', sex: 'male', age: 0, count: 1 },
    ]);
  });

  it('balances population change = newborns registered − deaths + moves in − moves out, for every unit', async () => {
    const db = test.database.db;
    // [unit, births (male, female), deaths, in, out], counted by hand from the fixture.
    for (const [unit, births, deaths, moveIns, moveOuts] of [
      [COUNTY, [2, 1], 1, 2, 0],
      [TOWNSHIP, [2, 1], 1, 2, 0],
      [VILLAGE, [2, 1], 1, 2, 1],
      [OTHER_VILLAGE, [0, 0], 0, 1, 0],
    ] as const) {
      const start = totalOf(await populationOn(db, { unit, date: '2022-12-31' }));
      const end = totalOf(await populationOn(db, { unit, date: '2025-12-31' }));
      const changes = await changesOn(unit, '2023-01-01', '2025-12-31');
      const term = (change: PopulationChange, sex?: 'male' | 'female') =>
        changes
          .filter((c) => c.change === change && (!sex || c.sex === sex))
          .reduce((sum, c) => sum + c.count, 0);
      // Births are the newborns who joined in the window (小东, 小明 and 小丽), not the birth
      // events dated in it (小娟, 小明 and 小丽): 小东 was born in 2022, 小娟 joined as a move in.
      assert.deepEqual([term('birth', 'male'), term('birth', 'female')], births, unit);
      assert.deepEqual([term('death'), term('in'), term('out')], [deaths, moveIns, moveOuts], unit);
      assert.equal(end - start, term('birth') - term('death') + term('in') - term('out'), unit);
      const moves = await movesOn(unit, '2023-01-01', '2025-12-31');
      const count = (direction: 'in' | 'out') =>
        moves.filter((m) => m.direction === direction).reduce((sum, m) => sum + m.count, 0);
      assert.deepEqual([count('in'), count('out')], [moveIns, moveOuts], `${unit}: migrationBetween`);
    }
  });
});

/** The projection county twice: newborns registered on their birth date, and months later. */
describe(`projection from a county whose newborns register late (${storageName})`, () => {
  let onTime: TestDatabase;
  let late: TestDatabase;
  const inputsOf = (test: TestDatabase, baseYear: number) =>
    projectionInputFromRegistry(test.database.db, indicatorEngineFor(test.database), {
      unit: COUNTY,
      baseYear,
      step: 1,
      years: 5,
    });

  before(async () => {
    onTime = await createTestDatabase();
    await buildProjectionRegistry(onTime.database.db);
    late = await createTestDatabase();
    await buildProjectionRegistry(late.database.db, { newborns: 'late' });
  });
  after(async () => {
    await onTime.cleanup();
    await late.cleanup();
  });

  it('takes the same inputs and projects the same age-0 cohort as when newborns register at birth', async () => {
    // Window 2023–2025: the boy (born 2023-04-01) registered 2024-01-15, the girl (2025-08-01) 2025-10-20.
    const expected = await inputsOf(onTime, 2025);
    const { input, sources } = await inputsOf(late, 2025);
    assert.deepEqual(
      [input.netMigration!.male[0], input.netMigration!.female[0]],
      [0, 0],
      'no migrants aged 0: the two registrations are births',
    );
    assert.equal(sources.migration.moveIns, expected.sources.migration.moveIns);
    const projected = projectVariants(input);
    const reference = projectVariants(expected.input);
    assert.ok(projected.ok);
    assert.ok(reference.ok);
    const years = projected.value.medium.years;
    const referenceYears = reference.value.medium.years;
    for (const [i, year] of years.entries()) {
      assert.equal(year.male[0], referenceYears[i]!.male[0], `${year.year}: boys aged 0`);
      assert.equal(year.female[0], referenceYears[i]!.female[0], `${year.year}: girls aged 0`);
    }
    assert.deepEqual(input, expected.input);
    assert.deepEqual(projected.value, reference.value);
  });

  it('misses only a child born before the base date and registered after it: not yet in the base population', async () => {
    // Base year 2023: the boy, born 2023-04-01, is registered only on 2024-01-15.
    const expected = await inputsOf(onTime, 2023);
    const { input } = await inputsOf(late, 2023);
    assert.equal(input.population.male[0], expected.input.population.male[0]! - 1);
    const withTheBoy = structuredClone(input);
    withTheBoy.population.male[0]! += 1;
    assert.deepEqual(withTheBoy, expected.input);
  });
});

describe(`renkou demog project --unit (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    const config = loadConfig(storage.env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrateToLatest(database);
      await buildProjectionRegistry(database.db);
    } finally {
      await database.close();
    }
  });
  after(() => storage.cleanup());

  it('prints the three variants from the registry with where the inputs came from', async () => {
    const result = await runRenkou(
      ['demog', 'project', '--unit', VILLAGE, '--base-year', '2025', '--years', '10', '--step', '5'],
      storage.env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /人口预测（低方案/);
    assert.match(result.stdout, /人口预测（中方案/);
    assert.match(result.stdout, /人口预测（高方案/);
    assert.match(result.stdout, /年份\s+总人口/);
    assert.match(result.stdout, /^2035\s/m);
    assert.match(result.stdout, /所属县 华亭市（620881）2023–2025 年/);
  });

  it('speaks English with --lang en and gives CSV with --format csv', async () => {
    const english = await runRenkou(
      ['demog', 'project', '--unit', COUNTY, '--years', '5', '--step', '5', '--lang', 'en'],
      storage.env,
    );
    assert.equal(english.code, 0, english.stderr);
    assert.match(english.stdout, /Population projection \(medium variant/);
    assert.match(english.stdout, /Rates of 620881, 2023–2025/);
    const csv = await runRenkou(
      [
        'demog',
        'project',
        '--unit',
        COUNTY,
        '--years',
        '5',
        '--step',
        '5',
        '--format',
        'csv',
        '--lang',
        'en',
      ],
      storage.env,
    );
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.match(lines[0]!, /^variant,year,total/);
    assert.equal(lines.length, 1 + 3 * 2);
  });

  it('refuses --unit together with --input, and a base year without data, with the field named', async () => {
    const both = await runRenkou(['demog', 'project', '--unit', COUNTY, '--input', 'x.json'], storage.env);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--input.*--unit|--unit.*--input/);
    const early = await runRenkou(
      ['demog', 'project', '--unit', COUNTY, '--base-year', '2021', '--lang', 'en'],
      storage.env,
    );
    assert.equal(early.code, 1);
    assert.match(early.stderr, /base year 2021 has no data/);
  });
});
