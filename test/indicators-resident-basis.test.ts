import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePeriod } from '../src/domain/period.ts';
import { findIndicator, indicatorEngineFor, listNumeratorRecords } from '../src/indicators/index.ts';
import { projectionInputFromRegistry } from '../src/indicators/registry-projection.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth, registerDeath, registerMoveOut } from '../src/registry/index.ts';
import { gatherWorkReportInput } from '../src/reports/gather.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';

/**
 * Births and deaths of outflow migrants — hukou here, living elsewhere — are in no rate over the
 * resident population, because they are in none of its denominators (docs/demography.md, "Whose
 * births and deaths"). One village of 华亭市, everyone registered there from 2020-01-01:
 *
 *   李秀英 ♀ 1995-03-08   has a girl 王小红 on 2025-03-01                        resident birth
 *   陈红   ♀ 1992-05-01   has a boy 陈一 on 2025-04-01, who dies that day        resident birth and
 *                         (his residence is voided with the death: his mother's counts)  infant death
 *   刘芳   ♀ 1994-04-01   works elsewhere from 2024-06-01 (outflow); has a girl  outflow birth and
 *                         刘小花 on 2025-05-01, who dies on 2025-09-01             infant death
 *   王老汉 ♂ 1950-01-01   dies 2025-06-10                                        resident death
 *   赵大山 ♂ 1960-01-01   works elsewhere from 2024-01-01, dies there 2025-07-01  outflow death
 *
 * Resident population: 李秀英, 陈红, 王老汉 at the end of 2024; 李秀英, 陈红, 王小红 at the end of
 * 2025 — an average of 3. Resident women 15–49: 李秀英 and 陈红 all year.
 */
describe(`rates count the births and deaths of the resident population only (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;
  const names = new Map<string, number>();

  const value = async (indicator: string, period = '2025', by?: 'sex' | 'ageGroup') =>
    (
      await indicatorEngineFor(test.database).evaluate({
        indicator,
        unit: '620881',
        period,
        ...(by ? { by } : {}),
      })
    ).values;
  const listed = async (indicator: string) =>
    (
      await listNumeratorRecords(test.database.db, findIndicator(indicator)!, '620881', parsePeriod('2025'))
    ).items
      .map((record) => record.name)
      .sort();

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = contextFor(test.database.db);
    const arrive = { moveDate: '2020-01-01' };
    const liXiuying = await addAdult(ctx, {
      name: '李秀英',
      sex: 'female',
      birthDate: '1995-03-08',
      ...arrive,
    });
    const chenHong = await addAdult(ctx, { name: '陈红', sex: 'female', birthDate: '1992-05-01', ...arrive });
    const liuFang = await addAdult(ctx, { name: '刘芳', sex: 'female', birthDate: '1994-04-01', ...arrive });
    const wangLaohan = await addAdult(ctx, {
      name: '王老汉',
      sex: 'male',
      birthDate: '1950-01-01',
      ...arrive,
    });
    const zhaoDashan = await addAdult(ctx, {
      name: '赵大山',
      sex: 'male',
      birthDate: '1960-01-01',
      ...arrive,
    });
    await registerMoveOut(ctx, { personId: zhaoDashan.id, moveDate: '2024-01-01', kind: 'outflow' });
    await registerMoveOut(ctx, { personId: liuFang.id, moveDate: '2024-06-01', kind: 'outflow' });

    const girl = await registerBirth(ctx, {
      child: { name: '王小红', sex: 'female', birthDate: '2025-03-01' },
      motherId: liXiuying.id,
      reportDate: '2025-03-05',
    });
    const boy = await registerBirth(ctx, {
      child: { name: '陈一', sex: 'male', birthDate: '2025-04-01' },
      motherId: chenHong.id,
      reportDate: '2025-04-02',
    });
    await registerDeath(ctx, { personId: boy.person.id, deathDate: '2025-04-01', reportDate: '2025-04-02' });
    // Registered in her hukou village with no residence type given: the child lives with her mother.
    const away = await registerBirth(ctx, {
      child: { name: '刘小花', sex: 'female', birthDate: '2025-05-01' },
      motherId: liuFang.id,
      reportDate: '2025-05-20',
    });
    await registerDeath(ctx, { personId: away.person.id, deathDate: '2025-09-01', reportDate: '2025-09-03' });
    await registerDeath(ctx, { personId: wangLaohan.id, deathDate: '2025-06-10', reportDate: '2025-06-12' });
    await registerDeath(ctx, { personId: zhaoDashan.id, deathDate: '2025-07-01', reportDate: '2025-07-20' });
    for (const [name, person] of [
      ['王小红', girl.person],
      ['陈一', boy.person],
      ['刘小花', away.person],
    ] as const)
      names.set(name, person.id);
  });
  after(() => test.cleanup());

  it('gives the child of an outflow mother her residence type when no other is given', async () => {
    const spells = await test.database.db
      .selectFrom('residence_spell')
      .select(['person_id', 'residence_type', 'voided'])
      .where('person_id', 'in', [...names.values()])
      .execute();
    const typeOf = (name: string) => spells.find((s) => s.person_id === names.get(name))!;
    assert.equal(typeOf('刘小花').residence_type, 'outflow');
    assert.equal(typeOf('王小红').residence_type, 'registered');
    // 陈一 died the day he was born: his one spell is voided, so his mother's residence decides.
    assert.equal(typeOf('陈一').voided, true);
  });

  it('counts the outflow birth among the births recorded but not among the resident births', async () => {
    assert.equal((await value('births_recorded'))[0]!.value, 3);
    assert.equal((await value('births'))[0]!.value, 2);
    assert.equal((await value('deaths_recorded'))[0]!.value, 4);
    assert.equal((await value('deaths'))[0]!.value, 2);
  });

  it('computes the crude birth, death and natural increase rates on one basis (2 births, 2 deaths over 3)', async () => {
    const [cbr] = await value('crude_birth_rate');
    // Counting every recorded birth, as before, gave 3 / 3: 1000‰.
    assert.equal(cbr!.numerator, 2);
    assert.equal(cbr!.denominator, 3);
    assert.equal(cbr!.value, 666.67);
    const [cdr] = await value('crude_death_rate');
    assert.equal(cdr!.numerator, 2);
    assert.equal(cdr!.value, 666.67);
    const [nir] = await value('natural_increase_rate');
    assert.equal(nir!.numerator, 0);
    assert.equal(nir!.value, 0);
  });

  it('computes fertility over resident women from their births only', async () => {
    const [gfr] = await value('general_fertility_rate');
    assert.equal(gfr!.numerator, 2);
    assert.equal(gfr!.denominator, 2);
    assert.equal(gfr!.value, 1000);
    // 李秀英 was 29 (25–29: 1 woman at the start, 0 at the end: 0.5), 陈红 32 (30–34: 陈红 at the
    // start, 陈红 and 李秀英 at 30 at the end: 1.5); 刘芳's birth at 31 is in neither.
    const asfr = Object.fromEntries(
      (await value('age_specific_fertility_rate', '2025', 'ageGroup')).map((v) => [v.group.ageGroup, v]),
    );
    assert.equal(asfr['25-29']!.value, 2000);
    assert.equal(asfr['30-34']!.numerator, 1);
    assert.equal(asfr['30-34']!.denominator, 1.5);
    assert.equal(asfr['30-34']!.value, 666.67);
    // 5 × (1 / 0.5 + 1 / 1.5); with 刘芳's birth it was 5 × (1 / 0.5 + 2 / 1.5) = 16.667.
    const [tfr] = await value('total_fertility_rate');
    assert.equal(tfr!.numerator, 2);
    assert.equal(tfr!.value, 13.333);
  });

  it('keeps infant mortality, the sex ratio at birth and birth order on resident births', async () => {
    const [imr] = await value('infant_mortality_rate');
    // 陈一's death over 王小红 and 陈一: not 刘小花's death over all three births (666.67‰).
    assert.equal(imr!.numerator, 1);
    assert.equal(imr!.denominator, 2);
    assert.equal(imr!.value, 500);
    const [srb] = await value('sex_ratio_at_birth');
    assert.equal(srb!.numerator, 1);
    assert.equal(srb!.denominator, 1);
    assert.equal(srb!.value, 100);
    const [first] = await value('birth_order_1_share');
    assert.equal(first!.denominator, 2);
    const bySex = await value('births', '2025', 'sex');
    assert.deepEqual(
      bySex.map((v) => [v.group.sex, v.value]),
      [
        ['male', 1],
        ['female', 1],
      ],
    );
  });

  it('lists exactly the persons behind each numerator in the drill-down', async () => {
    assert.deepEqual(await listed('births'), ['王小红', '陈一']);
    assert.deepEqual(await listed('crude_birth_rate'), ['王小红', '陈一']);
    assert.deepEqual(await listed('total_fertility_rate'), ['王小红', '陈一']);
    assert.deepEqual(await listed('age_specific_fertility_rate'), ['王小红', '陈一']);
    assert.deepEqual(await listed('births_recorded'), ['刘小花', '王小红', '陈一']);
    assert.deepEqual(await listed('deaths'), ['王老汉', '陈一']);
    assert.deepEqual(await listed('deaths_recorded'), ['刘小花', '王老汉', '赵大山', '陈一']);
    assert.deepEqual(await listed('infant_mortality_rate'), ['陈一']);
    for (const indicator of [
      'births',
      'crude_birth_rate',
      'deaths',
      'infant_mortality_rate',
      'total_fertility_rate',
    ]) {
      assert.equal(
        (await listed(indicator)).length,
        (await value(indicator))[0]!.numerator,
        `${indicator}: the list adds up to the numerator`,
      );
    }
  });

  it('lists the natural increase rate’s births and the deaths it subtracts, marked, adding up to its numerator', async () => {
    const { items, hasMore } = await listNumeratorRecords(
      test.database.db,
      findIndicator('natural_increase_rate')!,
      '620881',
      parsePeriod('2025'),
    );
    assert.equal(hasMore, false);
    // By date: 王小红's birth, 陈一's birth and death the same day, 王老汉's death. Not the outflow
    // 刘小花 or 赵大山, who are in neither the births nor the deaths of the figure.
    assert.deepEqual(
      items.map((r) => [r.name, r.eventKind, r.sign, r.eventDate]),
      [
        ['王小红', 'birth', 1, '2025-03-01'],
        ['陈一', 'birth', 1, '2025-04-01'],
        ['陈一', 'death', -1, '2025-04-01'],
        ['王老汉', 'death', -1, '2025-06-10'],
      ],
    );
    const [nir] = await value('natural_increase_rate');
    assert.equal(
      items.reduce((sum, r) => sum + r.sign, 0),
      nir!.numerator,
      'births − deaths in the list is the numerator',
    );
    // Paged, the list is the same records in the same order.
    const first = await listNumeratorRecords(
      test.database.db,
      findIndicator('natural_increase_rate')!,
      '620881',
      parsePeriod('2025'),
      { limit: 3 },
    );
    const rest = await listNumeratorRecords(
      test.database.db,
      findIndicator('natural_increase_rate')!,
      '620881',
      parsePeriod('2025'),
      { limit: 3, offset: 3 },
    );
    assert.equal(first.hasMore, true);
    assert.deepEqual([...first.items, ...rest.items], items);
    // A single-measure figure marks its records as added.
    const births = await listNumeratorRecords(
      test.database.db,
      findIndicator('births')!,
      '620881',
      parsePeriod('2025'),
    );
    assert.deepEqual(
      births.items.map((r) => [r.eventKind, r.sign]),
      [
        ['birth', 1],
        ['birth', 1],
      ],
    );
  });

  it('answers the natural increase drill-down over HTTP with each record marked birth or death', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.app.inject({
        url: '/api/indicators/natural_increase_rate/records?unit=620881&period=2025',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(response.statusCode, 200, response.body);
      const items = response.json().items as { name: string; eventKind: string; sign: number }[];
      assert.deepEqual(
        items.map((r) => `${r.sign > 0 ? '+' : '−'}${r.eventKind} ${r.name}`),
        ['+birth 王小红', '+birth 陈一', '−death 陈一', '−death 王老汉'],
      );
    } finally {
      await client.app.close();
    }
  });

  it('gives the projection the resident births and deaths as its rates', async () => {
    const { sources } = await projectionInputFromRegistry(
      test.database.db,
      indicatorEngineFor(test.database),
      {
        unit: '620881',
        baseYear: 2025,
        today: '2026-06-01',
      },
    );
    assert.equal(sources.rates.births, 2);
    assert.equal(sources.rates.deaths, 2);
    assert.deepEqual(sources.sexRatioAtBirth.births, { male: 1, female: 1 });
    const thirty = sources.rates.fertility.find((row) => row.age === '30-34')!;
    assert.equal(thirty.births, 1);
  });

  it('prints the work report’s births beside a birth rate of the same births', async () => {
    const input = await gatherWorkReportInput(test.database, { unit: '620881', period: '2025' });
    const figures = input.figures.current;
    assert.equal(figures.births!.value, 2);
    assert.equal(figures.crude_birth_rate!.numerator, figures.births!.value);
    assert.equal(figures.deaths!.value, 2);
    assert.equal(figures.crude_death_rate!.numerator, figures.deaths!.value);
    const year = input.monthly.find((series) => series.year === 2025)!;
    assert.equal(
      year.births.reduce((sum, figure) => sum + (figure?.value ?? 0), 0),
      2,
    );
  });
});
