import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { DEFAULT_RATES } from '../src/synth/rates.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

/**
 * The engine, run over a synthetic county's registry, recovers the rates the county was generated
 * with. The registry is the county's imperfect one: by the generator's configuration 3% of births
 * are never registered (up to 15% for migrant mothers), so the registry's TFR is the true one
 * times a completeness between 0.85 and 1 — the bound these tests allow, beside the 95% interval.
 */
describe(`indicators recover the synthetic county's configured rates (${storageName})`, () => {
  let test: TestDatabase;
  let engine: IndicatorEngine;
  before(async () => {
    test = await createTestDatabase();
    await generateCountyIntoDatabase(test.database, {
      county: '620881',
      persons: 40_000,
      from: 2021,
      to: 2025,
      seed: 5,
    });
    engine = new IndicatorEngine(test.database.db);
  });
  after(() => test.cleanup());

  const one = async (indicator: string, period: string) =>
    (await engine.evaluate({ indicator, unit: '620881', period })).values[0]!;

  it('recovers the total fertility rate of each year within its interval and the registry’s completeness', async () => {
    for (const year of ['2022', '2023', '2024']) {
      const configured = DEFAULT_RATES.fertility.tfrByYear[year]!;
      const tfr = await one('total_fertility_rate', year);
      assert.ok(tfr.interval, `TFR ${year} has an interval`);
      const lower = tfr.interval.lower!;
      const upper = tfr.interval.upper! / 0.85;
      assert.ok(
        configured >= lower && configured <= upper,
        `TFR ${year}: configured ${configured}, registry ${tfr.value} [${tfr.interval.lower}, ${tfr.interval.upper}]`,
      );
    }
  });

  it('recovers the sex ratio at birth within its interval (registration does not depend on sex)', async () => {
    const srb = await one('sex_ratio_at_birth', '2021');
    const configured = DEFAULT_RATES.fertility.sexRatioAtBirth;
    // Pool the years for enough births: 2021–2024 as four yearly intervals all near 110.
    const values = await Promise.all(
      ['2021', '2022', '2023', '2024'].map((y) => one('sex_ratio_at_birth', y)),
    );
    const males = values.reduce((n, v) => n + v.numerator!, 0);
    const females = values.reduce((n, v) => n + v.denominator!, 0);
    const pooled = (males * 100) / females;
    // Binomial standard error of the male share, carried to the ratio: 1.96·se·100/(1−p)².
    const p = males / (males + females);
    const halfWidth = (1.96 * Math.sqrt((p * (1 - p)) / (males + females)) * 100) / (1 - p) ** 2;
    assert.ok(
      Math.abs(pooled - configured) <= halfWidth,
      `pooled SRB ${pooled.toFixed(1)} ± ${halfWidth.toFixed(1)} vs ${configured}`,
    );
    assert.ok(srb.interval && srb.interval.lower! < srb.value! && srb.value! < srb.interval.upper!);
  });

  it('puts births, deaths and population together consistently: population change = births − deaths + net moves', async () => {
    const start = (await one('resident_population', '2023')).value!;
    const end = (await one('resident_population', '2024')).value!;
    const births = (await one('births', '2024')).value!;
    const deaths = (await one('deaths', '2024')).value!;
    assert.ok(births > 100 && deaths > 100);
    // Net migration is what is left; in a county losing people to the cities it is negative and small.
    const netMoves = end - start - births + deaths;
    assert.ok(Math.abs(netMoves) < start * 0.05, `net moves ${netMoves} of ${start}`);
  });
});
