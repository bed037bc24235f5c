import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { CATALOGUE, findRecordsRefusal, RECORDS_NOT_PERMITTED } from '../src/indicators/index.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth, registerDeath } from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

/**
 * A registry small enough to count by hand. Village A (东华社区) and B (北河村), both in 东华镇:
 *   A: woman b. 1995-03-08, man b. 1993-05-05, man b. 1950-01-01, girl b. 2015-06-01
 *   B: woman b. 1990-02-01, man b. 1960-01-01
 * all arriving 2020-01-01. In 2025: a boy to the A woman on 03-01 (reported 03-10), a girl to the
 * B woman on 08-01 (reported 10-01, 61 days late), the A man of 1950 dies 06-10 (reported 06-12).
 */
describe(`indicator engine on a hand-counted registry (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;
  let engine: IndicatorEngine;
  const value = async (
    indicator: string,
    period: string,
    unit = '620881',
    by?: 'sex' | 'children' | 'ageGroup',
  ) => (await engine.evaluate({ indicator, unit, period, ...(by ? { by } : {}) })).values;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = contextFor(test.database.db);
    const arrive = { moveDate: '2020-01-01' };
    const womanA = await addAdult(ctx, { name: '李秀英', sex: 'female', birthDate: '1995-03-08', ...arrive });
    await addAdult(ctx, { name: '王建国', sex: 'male', birthDate: '1993-05-05', ...arrive });
    const oldMan = await addAdult(ctx, { name: '王老汉', sex: 'male', birthDate: '1950-01-01', ...arrive });
    await addAdult(ctx, { name: '王小妹', sex: 'female', birthDate: '2015-06-01', ...arrive });
    const womanB = await addAdult(ctx, {
      name: '张丽',
      sex: 'female',
      birthDate: '1990-02-01',
      orgCode: OTHER_VILLAGE,
      ...arrive,
    });
    await addAdult(ctx, {
      name: '张大山',
      sex: 'male',
      birthDate: '1960-01-01',
      orgCode: OTHER_VILLAGE,
      ...arrive,
    });
    await registerBirth(ctx, {
      child: { name: '王一', sex: 'male', birthDate: '2025-03-01' },
      motherId: womanA.id,
      reportDate: '2025-03-10',
    });
    await registerBirth(ctx, {
      child: { name: '张一', sex: 'female', birthDate: '2025-08-01' },
      motherId: womanB.id,
      reportDate: '2025-10-01',
    });
    await registerDeath(ctx, { personId: oldMan.id, deathDate: '2025-06-10', reportDate: '2025-06-12' });
    engine = new IndicatorEngine(test.database.db);
  });
  after(() => test.cleanup());

  it('counts populations at the period end and births, deaths in the period', async () => {
    assert.equal((await value('resident_population', '2024'))[0]!.value, 6);
    assert.equal((await value('resident_population', '2025'))[0]!.value, 7);
    assert.equal((await value('births', '2025'))[0]!.value, 2);
    assert.equal((await value('deaths', '2025'))[0]!.value, 1);
    assert.equal((await value('births', '2025H1'))[0]!.value, 1);
    assert.equal((await value('births', '2025Q3'))[0]!.value, 1);
    assert.equal((await value('births', '2025-04'))[0]!.value, 0);
    assert.equal(
      (await value('resident_population', '2025-06-10'))[0]!.value,
      6,
      'dead at the end of the day of death',
    );
  });

  it('computes crude rates over the average population (6 + 7) / 2', async () => {
    const [cbr] = await value('crude_birth_rate', '2025');
    assert.equal(cbr!.numerator, 2);
    assert.equal(cbr!.denominator, 6.5);
    assert.equal(cbr!.value, Math.round((2 / 6.5) * 1000 * 100) / 100);
    assert.ok(cbr!.interval && cbr!.interval.lower! < cbr!.value! && cbr!.interval.upper! > cbr!.value!);
    assert.ok(
      cbr!.flags.some((flag) => flag.code === 'few_events'),
      'two births are flagged as few',
    );
    assert.equal(
      (await value('crude_death_rate', '2025'))[0]!.value,
      Math.round((1 / 6.5) * 1000 * 100) / 100,
    );
    assert.equal(
      (await value('natural_increase_rate', '2025'))[0]!.value,
      Math.round((1 / 6.5) * 1000 * 100) / 100,
    );
  });

  it('annualises rates for part of a year', async () => {
    // March: population 6 at the end of 28 Feb and 7 at the end of 31 March.
    const [march] = await value('crude_birth_rate', '2025-03');
    assert.equal(march!.value, Math.round((1 / (6.5 * (31 / 365))) * 1000 * 100) / 100);
  });

  it('computes the sex ratio at birth, fertility and the TFR by the mother’s age', async () => {
    assert.equal((await value('sex_ratio_at_birth', '2025'))[0]!.value, 100);
    // Women 15–49: 2 at the start, 2 at the end.
    assert.equal((await value('general_fertility_rate', '2025'))[0]!.value, 1000);
    // The A mother was 29 at the birth; women 25–29: 1 at the start (29), 0 at the end (30): 0.5.
    // The B mother was 35; women 35–39: 0 at the start (34), 1 at the end: 0.5. TFR = 5 × (1/0.5 + 1/0.5).
    const asfr = await value('age_specific_fertility_rate', '2025', '620881', 'ageGroup');
    const byGroup = Object.fromEntries(asfr.map((v) => [v.group.ageGroup, v.value]));
    assert.equal(byGroup['25-29'], 2000);
    assert.equal(byGroup['35-39'], 2000);
    assert.equal(byGroup['30-34'], 0);
    assert.equal((await value('total_fertility_rate', '2025'))[0]!.value, 20);
    assert.equal((await value('birth_order_1_share', '2025'))[0]!.value, 100);
    assert.equal((await value('infant_mortality_rate', '2025'))[0]!.value, 0);
  });

  it('computes age structure and dependency ratios at the period end', async () => {
    // End of 2025: 0–14: girl (10) + two babies = 3; 15–64: 30, 32, 35 = 3; 65+: the 1960 man = 1.
    assert.equal((await value('old_age_dependency_ratio', '2025'))[0]!.value, 33.33);
    assert.equal((await value('child_dependency_ratio', '2025'))[0]!.value, 100);
    assert.equal((await value('total_dependency_ratio', '2025'))[0]!.value, 133.33);
    assert.equal(
      (await value('share_aged_65_plus', '2025'))[0]!.value,
      Math.round((1 / 7) * 100 * 100) / 100,
    );
  });

  it('computes timeliness over events entered in the period', async () => {
    // Entered in 2025: 6 arrivals (reported on "today", years late), 2 births, 1 death; timely: 1 birth + the death.
    const [timeliness] = await value('timeliness_rate', '2025');
    assert.equal(timeliness!.numerator, 2);
    assert.equal(timeliness!.denominator, 9);
  });

  it('breaks down by sex and by child unit', async () => {
    const bySex = await value('births', '2025', '620881', 'sex');
    assert.deepEqual(
      bySex.map((v) => [v.group.sex, v.value]),
      [
        ['male', 1],
        ['female', 1],
      ],
    );
    const byTownship = await value('resident_population', '2025', '620881', 'children');
    assert.equal(byTownship.length, 11);
    assert.equal(byTownship.find((v) => v.unit_code === '620881100')!.value, 7);
    assert.equal(byTownship.filter((v) => v.value === 0).length, 10);
    const byVillage = await value('resident_population', '2025', '620881100', 'children');
    assert.equal(byVillage.find((v) => v.unit_code === VILLAGE)!.value, 4);
    assert.equal(byVillage.find((v) => v.unit_code === OTHER_VILLAGE)!.value, 3);
  });

  it('says "no data" (null) rather than inventing a figure', async () => {
    const [empty] = await value('crude_birth_rate', '2025', '620881201');
    assert.equal(empty!.value, null);
    assert.ok(empty!.flags.some((flag) => flag.code === 'zero_denominator'));
  });

  it('is fresh after every change: the cube is rebuilt when the registry changes', async () => {
    assert.equal((await value('births', '2025'))[0]!.value, 2);
    const mother = await addAdult(ctx, {
      name: '赵敏',
      sex: 'female',
      birthDate: '1996-01-01',
      moveDate: '2020-01-01',
    });
    await registerBirth(ctx, {
      child: { name: '赵一', sex: 'female', birthDate: '2025-11-11' },
      motherId: mother.id,
    });
    assert.equal((await value('births', '2025'))[0]!.value, 3);
  });

  it('evaluates the whole catalogue for every unit and period of a year from one cube, equal to one by one', async () => {
    const all = await engine.evaluateAll({
      root: '620881',
      year: 2025,
      periods: ['2025', '2025-03', '2025Q3'],
    });
    const units = new Set(all.values.map((v) => v.unit_code));
    assert.equal(units.size, 1 + 11 + 129, 'county, townships and villages');
    for (const [indicator, unit, period] of [
      ['crude_birth_rate', '620881', '2025'],
      ['births', '620881100', '2025Q3'],
      ['resident_population', VILLAGE, '2025-03'],
      ['total_fertility_rate', '620881', '2025'],
    ] as const) {
      const one = (await value(indicator, period, unit))[0]!;
      const fromAll = all.values.find(
        (v) => v.indicator === indicator && v.unit_code === unit && v.period === period,
      )!;
      assert.deepEqual(fromAll.value, one.value, `${indicator} ${unit} ${period}`);
    }
    await assert.rejects(engine.evaluateAll({ root: '620881', year: 2025, periods: ['2024'] }), {
      field: 'period',
    });
  });

  it('refuses unknown indicators, bad periods and breakdowns that do not apply', async () => {
    await assert.rejects(engine.evaluate({ indicator: 'nope', unit: '620881', period: '2025' }), {
      code: 'not_found',
    });
    await assert.rejects(engine.evaluate({ indicator: 'births', unit: '620881', period: '2025Q5' }), {
      field: 'period',
    });
    await assert.rejects(engine.evaluate({ indicator: 'births', unit: '620881', period: '2025-03-03' }), {
      field: 'period',
    });
    await assert.rejects(
      engine.evaluate({ indicator: 'marriages', unit: '620881', period: '2025', by: 'sex' }),
      { field: 'by' },
    );
    await assert.rejects(engine.evaluate({ indicator: 'births', unit: '62088', period: '2025' }), {
      field: 'unit',
    });
  });
});

describe(`indicator API (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
    const mother = await addAdult(ctx, {
      name: '李秀英',
      sex: 'female',
      birthDate: '1995-03-08',
      moveDate: '2020-01-01',
    });
    await registerBirth(ctx, {
      child: { name: '王一', sex: 'male', birthDate: '2025-03-01' },
      motherId: mother.id,
    });
  });
  after(() => test.cleanup());

  it('lists the catalogue, answers values with their records link, and drills down to the records', async () => {
    const app = await signedInApp(test.database);
    try {
      const catalogue = (await app.inject({ url: '/api/indicators?lang=en' })).json();
      assert.ok(
        catalogue.items.some(
          (i: { id: string; name: string }) => i.id === 'crude_birth_rate' && i.name === 'Crude birth rate',
        ),
      );
      const births = await app.inject({ url: '/api/indicators/births?unit=620881&period=2025&by=children' });
      assert.equal(births.statusCode, 200, births.body);
      const values = births.json().values as { unit: string; value: number; records: string }[];
      const donghua = values.find((v) => v.unit === '620881100')!;
      assert.equal(donghua.value, 1);
      const records = (await app.inject({ url: donghua.records })).json();
      assert.deepEqual(
        records.items.map((r: { name: string }) => r.name),
        ['王一'],
      );
      const bad = await app.inject({ url: '/api/indicators/births?unit=620881&period=2025-13' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.field, 'period');
    } finally {
      await app.close();
    }
  });

  it('links a figure to its records only where they are listed: not for a coverage rate, for the crude birth rate', async () => {
    const app = await signedInApp(test.database);
    try {
      const first = async (id: string) =>
        (await app.inject({ url: `/api/indicators/${id}?unit=620881&period=2025` })).json().values[0];
      assert.equal(
        (await first('crude_birth_rate')).records,
        '/api/indicators/crude_birth_rate/records?unit=620881&period=2025',
      );
      // Who was visited after a birth is health data: no list, so no link to one.
      assert.equal((await first('postpartum_visit_rate')).records, null);
      assert.equal((await first('completeness_rate')).records, null);
      // The catalogue says why, in the asked language, with the code the records route refuses with.
      for (const lang of ['zh-CN', 'en'] as const) {
        const items = (await app.inject({ url: `/api/indicators?lang=${lang}` })).json().items as {
          id: string;
          recordsUnavailable: { code: string; message: string } | null;
        }[];
        const entry = (id: string) => items.find((item) => item.id === id)!;
        assert.equal(entry('crude_birth_rate').recordsUnavailable, null);
        assert.equal(entry('postpartum_visit_rate').recordsUnavailable?.code, 'forbidden');
        assert.match(
          entry('postpartum_visit_rate').recordsUnavailable!.message,
          lang === 'en' ? /no person-level drill-down/ : /不提供逐人名单/,
        );
      }
      const refused = await app.inject({
        url: '/api/indicators/postpartum_visit_rate/records?unit=620881&period=2025',
      });
      assert.equal(refused.statusCode, 403);
    } finally {
      await app.close();
    }
  });

  it('every records link the county’s catalogue answers with opens, and an indicator without one is refused', async () => {
    const app = await signedInApp(test.database);
    try {
      const batch = await app.inject({ url: '/api/indicators/values?unit=620881&period=2025&children=true' });
      assert.equal(batch.statusCode, 200, batch.body);
      const indicators = batch.json().indicators as Record<
        string,
        { values: { unit: string; records: string | null }[] }
      >;
      assert.deepEqual(Object.keys(indicators).sort(), CATALOGUE.map((entry) => entry.id).sort());
      let followed = 0;
      for (const entry of CATALOGUE) {
        const refusal = findRecordsRefusal(entry);
        for (const value of indicators[entry.id]!.values) {
          if (value.records === null) {
            assert.ok(refusal, `${entry.id} ${value.unit}: no link, yet its records are listed`);
            const response = await app.inject({
              url: `/api/indicators/${entry.id}/records?unit=${value.unit}&period=2025`,
            });
            assert.equal(response.statusCode, refusal.code === 'forbidden' ? 403 : 400, entry.id);
            continue;
          }
          assert.equal(refusal, undefined, `${entry.id}: a link to a list that is refused`);
          const response = await app.inject({ url: value.records });
          assert.equal(response.statusCode, 200, `${value.records}: ${response.body}`);
          followed++;
        }
      }
      // Every indicator but the coverage and quality rates links to its records, at every unit.
      const unlisted = CATALOGUE.filter((entry) => findRecordsRefusal(entry)).map((entry) => entry.id);
      assert.deepEqual(unlisted.sort(), [
        'accuracy_rate',
        'completeness_rate',
        'entry_rate',
        'newborn_screening_rate',
        'postpartum_visit_rate',
        'premarital_check_rate',
        'prepregnancy_check_coverage',
        'women_screening_coverage_35_64',
      ]);
      assert.equal(followed, (CATALOGUE.length - unlisted.length) * indicators.births!.values.length);
    } finally {
      await app.close();
    }
  });
  /**
   * Every value of every indicator the caller is answered for the county and its townships: a
   * records link opens (200), and where there is none the list is refused (403 or 400): the links
   * and the drill-down route follow one rule. Returns how many links were followed.
   */
  async function linksAgreeWithRoute(client: TestClient): Promise<number> {
    const batch = await client.inject('/api/indicators/values?unit=620881&period=2025&children=true');
    assert.equal(batch.statusCode, 200, batch.body);
    const indicators = batch.json().indicators as Record<
      string,
      { values: { unit: string; records: string | null }[] }
    >;
    let followed = 0;
    for (const [id, entry] of Object.entries(indicators)) {
      for (const value of entry.values) {
        const url = value.records ?? `/api/indicators/${id}/records?unit=${value.unit}&period=2025`;
        const response = await client.inject(url);
        if (value.records === null) {
          assert.ok([400, 403].includes(response.statusCode), `${url}: no link, yet ${response.statusCode}`);
        } else {
          assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
          followed++;
        }
      }
    }
    return followed;
  }

  it('gives a user who sees figures only no records links, and says why; a user who may list a unit’s records gets links that open', async () => {
    // A statistician: aggregates only, no person records anywhere.
    const figuresOnly = await signedInApp(test.database, [{ role: 'statistician', unit: '620881' }]);
    // The same, and a village worker's rights in 东华镇: the township's records, not the county's.
    const township = await signedInApp(test.database, [
      { role: 'statistician', unit: '620881' },
      { role: 'village_worker', unit: '620881100' },
    ]);
    const everyone = await signedInApp(test.database);
    try {
      for (const lang of ['zh-CN', 'en'] as const) {
        const answer = (
          await figuresOnly.inject(`/api/indicators/births?unit=620881&period=2025&by=children&lang=${lang}`)
        ).json();
        assert.ok(answer.values.length > 1);
        assert.deepEqual(
          answer.values.map((v: { records: string | null }) => v.records),
          answer.values.map(() => null),
          'no link for any unit',
        );
        assert.deepEqual(answer.recordsUnavailable, {
          code: 'forbidden',
          message: RECORDS_NOT_PERMITTED.message[lang],
        });
        // The catalogue says so for every listed indicator; an unlisted one keeps its own reason.
        const items = (await figuresOnly.inject(`/api/indicators?lang=${lang}`)).json().items as {
          id: string;
          recordsUnavailable: { code: string; message: string } | null;
        }[];
        const entry = (id: string) => items.find((item) => item.id === id)!.recordsUnavailable;
        assert.deepEqual(entry('births'), {
          code: 'forbidden',
          message: RECORDS_NOT_PERMITTED.message[lang],
        });
        assert.deepEqual(entry('postpartum_visit_rate'), {
          code: 'forbidden',
          message: findRecordsRefusal(CATALOGUE.find((i) => i.id === 'postpartum_visit_rate')!)!.message[
            lang
          ],
        });
      }
      const values = (
        await figuresOnly.inject(
          '/api/indicators/values?unit=620881&period=2025&children=true&indicators=births,postpartum_visit_rate&months=births',
        )
      ).json();
      assert.equal(
        values.indicators.births.recordsUnavailable.message,
        RECORDS_NOT_PERMITTED.message['zh-CN'],
      );
      assert.match(values.indicators.postpartum_visit_rate.recordsUnavailable.message, /不提供逐人名单/);
      assert.ok(
        values.months.every(
          (m: { values: { births: { records: string | null } } }) => m.values.births.records === null,
        ),
      );
      assert.equal(await linksAgreeWithRoute(figuresOnly), 0, 'no link at all');

      // The township's user: no list for the county, the township's list opens (the birth is there).
      const births = (
        await township.inject('/api/indicators/births?unit=620881&period=2025&by=children')
      ).json();
      assert.equal(births.recordsUnavailable.code, 'forbidden');
      const links = Object.fromEntries(
        births.values.map((v: { unit: string; records: string | null }) => [v.unit, v.records]),
      );
      assert.equal(links['620881100'], '/api/indicators/births/records?unit=620881100&period=2025');
      assert.ok(Object.entries(links).every(([unit, link]) => (unit === '620881100') === (link !== null)));
      const listed = await township.inject(links['620881100']);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(
        listed.json().items.map((r: { name: string }) => r.name),
        ['王一'],
      );
      const own = (await township.inject('/api/indicators/births?unit=620881100&period=2025')).json();
      assert.equal(own.recordsUnavailable, null);
      assert.ok((await linksAgreeWithRoute(township)) > 0);

      // A user who may list the county's records: every link, each one opens.
      const full = (await everyone.inject('/api/indicators/births?unit=620881&period=2025')).json();
      assert.equal(full.recordsUnavailable, null);
      assert.equal(full.values[0].records, '/api/indicators/births/records?unit=620881&period=2025');
      assert.ok((await linksAgreeWithRoute(everyone)) > (await linksAgreeWithRoute(township)));
    } finally {
      await figuresOnly.close();
      await township.close();
      await everyone.close();
    }
  });
});
