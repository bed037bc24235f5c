import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePeriod } from '../src/domain/period.ts';
import { findIndicator } from '../src/indicators/catalogue.ts';
import { evaluateOne, IndicatorEngine } from '../src/indicators/engine.ts';
import { registerBirth, registerDeath } from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

/**
 * The hand-counted registry of indicators.test.ts. Village A (东华社区) and B (北河村), both in
 * 东华镇 (620881100), everyone arriving 2020-01-01:
 *   A: woman b. 1995-03-08, man b. 1993-05-05, man b. 1950-01-01 (dies 2025-06-10), girl b. 2015-06-01
 *   B: woman b. 1990-02-01, man b. 1960-01-01
 * Births in 2025: a boy in A on 03-01, a girl in B on 08-01.
 * Resident at 2025-12-31, by age band and sex (counted by hand):
 *   0: 1 male (the boy), 1 female (the girl); 10-14: 1 female; 30-34: 1 male (b. 1993), 1 female
 *   (b. 1995); 35-39: 1 female (b. 1990); 65-69: 1 male (b. 1960). Total 7.
 */
describe(`many indicators at once, age × sex, quality counts on demand (${storageName})`, () => {
  let test: TestDatabase;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
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
  });
  after(() => test.cleanup());

  it('breaks the resident population down by age band and sex in one request (a pyramid)', async () => {
    const app = await signedInApp(test.database);
    try {
      const response = await app.inject({
        url: '/api/indicators/resident_population?unit=620881&period=2025&by=ageSex',
      });
      assert.equal(response.statusCode, 200, response.body);
      const values = response.json().values as { group: { ageGroup: string; sex: string }; value: number }[];
      assert.equal(values.length, 22 * 2, 'every band, both sexes, zeros included');
      assert.deepEqual(values[0]!.group, { ageGroup: '0', sex: 'male' });
      assert.deepEqual(values[1]!.group, { ageGroup: '0', sex: 'female' });
      const nonZero = Object.fromEntries(
        values.filter((v) => v.value !== 0).map((v) => [`${v.group.ageGroup} ${v.group.sex}`, v.value]),
      );
      assert.deepEqual(nonZero, {
        '0 male': 1,
        '0 female': 1,
        '10-14 female': 1,
        '30-34 male': 1,
        '30-34 female': 1,
        '35-39 female': 1,
        '65-69 male': 1,
      });
      const village = await app.inject({
        url: `/api/indicators/resident_population?unit=${OTHER_VILLAGE}&period=2024&by=ageSex`,
      });
      const villageValues = village.json().values as {
        group: { ageGroup: string; sex: string };
        value: number;
      }[];
      // At the end of 2024 village B holds the woman of 1990 (34) and the man of 1960 (64).
      assert.deepEqual(
        villageValues
          .filter((v) => v.value !== 0)
          .map((v) => `${v.group.ageGroup} ${v.group.sex} ${v.value}`),
        ['30-34 female 1', '60-64 male 1'],
      );
      const refused = await app.inject({ url: '/api/indicators/births?unit=620881&period=2025&by=ageSex' });
      assert.equal(refused.statusCode, 400, 'births has no age breakdown of its own');
      assert.equal(refused.json().error.field, 'by');
      const catalogue = (await app.inject({ url: '/api/indicators' })).json();
      const resident = catalogue.items.find((i: { id: string }) => i.id === 'resident_population');
      assert.ok(resident.breakdowns.includes('ageSex'));
    } finally {
      await app.close();
    }
  });

  it('answers several indicators for a unit and its children in one request, as the single route does', async () => {
    const app = await signedInApp(test.database);
    try {
      const response = await app.inject({
        url: '/api/indicators/values?unit=620881&period=2025&indicators=births,deaths,resident_population,crude_birth_rate&children=true',
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(Object.keys(body.indicators).sort(), [
        'births',
        'crude_birth_rate',
        'deaths',
        'resident_population',
      ]);
      const of = (indicator: string, unit: string) =>
        body.indicators[indicator].values.find((v: { unit: string }) => v.unit === unit);
      assert.equal(of('births', '620881').value, 2);
      assert.equal(of('deaths', '620881').value, 1);
      assert.equal(of('resident_population', '620881').value, 7);
      assert.equal(of('births', '620881100').value, 2, '东华镇 holds both villages');
      assert.equal(of('births', '620881101').value, 0, 'a township with no one');
      assert.equal(
        of('births', '620881100').records,
        '/api/indicators/births/records?unit=620881100&period=2025',
      );
      // 2 births over the average resident population (6 + 7) / 2 = 6.5, per thousand.
      const cbr = of('crude_birth_rate', '620881');
      assert.equal(cbr.numerator, 2);
      assert.equal(cbr.denominator, 6.5);
      assert.equal(cbr.value, Math.round((2 / 6.5) * 1000 * 100) / 100);
      assert.ok(cbr.interval && cbr.interval.lower < cbr.value && cbr.value < cbr.interval.upper);
      assert.ok(Array.isArray(cbr.flags));
      // The same value shape as GET /api/indicators/:id.
      const single = (
        await app.inject({ url: '/api/indicators/crude_birth_rate?unit=620881&period=2025' })
      ).json();
      assert.deepEqual(single.values[0], cbr);
      const townships = body.indicators.births.values.filter((v: { unit: string }) => v.unit.length === 9);
      assert.equal(townships.length, 11, '华亭市 has 11 townships');

      const annualOnly = await app.inject({
        url: '/api/indicators/values?unit=620881100&period=2025-03&indicators=births,life_expectancy',
      });
      assert.equal(annualOnly.statusCode, 200, annualOnly.body);
      assert.equal(annualOnly.json().indicators.births.values[0].value, 1);
      assert.deepEqual(annualOnly.json().unavailable, ['life_expectancy']);

      const unknown = await app.inject({
        url: '/api/indicators/values?unit=620881&period=2025&indicators=births,no_such_thing',
      });
      assert.equal(unknown.statusCode, 404);
      const noUnit = await app.inject({ url: '/api/indicators/values?unit=620881999&period=2025' });
      assert.equal(noUnit.statusCode, 404);
      const all = (await app.inject({ url: `/api/indicators/values?unit=${VILLAGE}&period=2025` })).json();
      assert.ok(Object.keys(all.indicators).length > 20, 'the whole catalogue when no list is given');
    } finally {
      await app.close();
    }
  });

  it('loads the quality counts an indicator needs: cubeFor(…, [indicator]) and evaluate', async () => {
    const engine = new IndicatorEngine(test.database.db);
    const definition = findIndicator('completeness_rate')!;
    const period = parsePeriod('2025');
    const plain = await engine.cubeFor('620881', 2025);
    assert.throws(() => evaluateOne(plain, definition, '620881', period, {}), /not loaded/);
    const cube = await engine.cubeFor('620881', 2025, ['completeness_rate']);
    assert.equal(cube, plain, 'the same cached cube, now carrying the quality counts');
    const direct = evaluateOne(cube, definition, '620881', period, {});
    // Every person record of the county at the end of 2025 (7 living + 1 dead) is counted.
    assert.ok(direct.denominator !== null && direct.denominator > 0);
    const fresh = new IndicatorEngine(test.database.db);
    await fresh.evaluate({ indicator: 'births', unit: '620881', period: '2025' });
    const viaEvaluate = await fresh.evaluate({
      indicator: 'completeness_rate',
      unit: '620881',
      period: '2025',
    });
    assert.deepEqual(viaEvaluate.values[0]!.value, direct.value);
    assert.deepEqual(viaEvaluate.values[0]!.denominator, direct.denominator);
  });
});
