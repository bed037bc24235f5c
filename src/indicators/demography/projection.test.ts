import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abridgedAgeGroups } from './age-groups.ts';
import { buildLifeTableFromRates, type LifeTable, personYearsBetween, type RateGroup } from './life-table.ts';
import {
  type FertilityRate,
  type ProjectionInput,
  projectPopulation,
  projectVariants,
  valueOnPath,
} from './projection.ts';

const close = (actual: number | null | undefined, expected: number, tolerance: number, label = '') => {
  assert.ok(actual !== null && actual !== undefined, `${label}: missing`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: ${actual} is not within ${tolerance} of ${expected}`,
  );
};

function ok<T>(checked: { ok: true; value: T } | { ok: false; issues: unknown[] }): T {
  if (!checked.ok) assert.fail(`unexpected issues: ${JSON.stringify(checked.issues)}`);
  return checked.value;
}

// Death rates shaped like Austria 1992 (Preston Box 3.1) for males; females at 60% of them.
const MALE_MX = [
  0.008743, 0.00037, 0.000153, 0.000193, 0.000976, 0.001285, 0.001135, 0.00136, 0.001882, 0.002935, 0.004849,
  0.007133, 0.011263, 0.0186, 0.028382, 0.041238, 0.071634, 0.112324, 0.190585,
];
const male: RateGroup[] = abridgedAgeGroups(85).map((g, i) => ({ ...g, mx: MALE_MX[i]! }));
const female: RateGroup[] = male.map((g) => ({ ...g, mx: g.mx * 0.6 }));
const SHAPE = [0.02, 0.08, 0.1, 0.06, 0.02, 0.005, 0.001];
const fertility: FertilityRate[] = SHAPE.map((asfr, i) => ({ start: 15 + 5 * i, width: 5, asfr }));

/** Person-years in five-year group i (the last, 85+, is open) of a table. */
const L5 = (table: LifeTable, i: number, groups = 18) =>
  i === groups - 1
    ? personYearsBetween(table, 5 * i, Number.POSITIVE_INFINITY)!
    : personYearsBetween(table, 5 * i, 5 * i + 5)!;

describe('cohort-component projection', () => {
  it('keeps a stationary population stationary: replacement fertility (NRR = 1), fixed mortality, no migration', () => {
    const srb = 106;
    const femaleShare = 100 / (100 + srb);
    const lm = ok(buildLifeTableFromRates(male, { sex: 'male' }));
    const lf = ok(buildLifeTableFromRates(female, { sex: 'female' }));
    // NRR = Σ 5·f·(share of girls)·5Lx / (5·l0): scale the shape so that it is exactly 1.
    const nrr = fertility.reduce((s, f, i) => s + f.asfr * femaleShare * (L5(lf, 3 + i) / lf.radix), 0);
    const replacement = fertility.map((f) => ({ ...f, asfr: f.asfr / nrr }));
    // The stationary population with 1,000 births a year: N_x = B · share · nLx / l0.
    const births = 1000;
    const population = {
      male: Array.from({ length: 18 }, (_, i) => (births * (1 - femaleShare) * L5(lm, i)) / lm.radix),
      female: Array.from({ length: 18 }, (_, i) => (births * femaleShare * L5(lf, i)) / lf.radix),
    };
    const result = ok(
      projectPopulation({
        baseYear: 2025,
        population,
        mortality: { male, female },
        fertility: replacement,
        sexRatioAtBirth: srb,
        years: 30,
      }),
    );
    const base = result.years[0]!;
    for (const year of result.years.slice(1)) {
      close(year.total / base.total, 1, 1e-9, `total ${year.year}`);
      close(year.births, 5 * births, 1e-6, `births ${year.year}`);
      close(year.deaths, 5 * births, 1e-6, `deaths ${year.year}`);
      year.female.forEach((n, i) => {
        close(n, population.female[i]!, 1e-6, `F ${i} ${year.year}`);
      });
    }
    // TFR at replacement with these rates is about 2.09.
    close(result.years[1]!.tfr, 2.09, 0.01, 'TFR');
    assert.deepEqual(result.flags, []);
  });

  it('reproduces a one-step case computed by hand', () => {
    // Nobody dies before 20; in 20+ the death rate is 0.1, so T20 = l/m = 10 · l0 and T15 = 15 · l0.
    const mortality: RateGroup[] = [0, 5, 10, 15].map((start) => ({ start, width: 5, mx: 0 }));
    mortality.push({ start: 20, width: null, mx: 0.1 });
    const result = ok(
      projectPopulation({
        baseYear: 2025,
        years: 5,
        population: { male: [100, 100, 100, 100, 300], female: [100, 100, 100, 200, 300] },
        mortality: { male: mortality, female: mortality },
        fertility: [{ start: 15, width: 5, asfr: 0.1 }],
        sexRatioAtBirth: 100,
        netMigration: { male: [0, 0, 0, 2, 0], female: [0, 0, 0, 0, 0] },
      }),
    );
    const end = result.years[1]!;
    assert.equal(end.year, 2030);
    // Births: 5 × 0.1 × (200 + 100) / 2 = 75, split evenly; all survive to 0–4 (5L0 / 5l0 = 1).
    close(end.births, 75, 1e-9, 'births');
    close(end.birthsMale, 37.5, 1e-9);
    // Males: 10 migrants aged 15–19 over the step, 5 at the start (who age into 20+) and 5 at the end.
    // 20+ at the end = (100 + 5 + 300) × T20 / T15 = 405 × 2/3 = 270.
    const expectedMale = [37.5, 100, 100, 105, 270];
    const expectedFemale = [37.5, 100, 100, 100, (200 + 300) * (2 / 3)];
    end.male.forEach((n, i) => {
      close(n, expectedMale[i]!, 1e-9, `male ${i}`);
    });
    end.female.forEach((n, i) => {
      close(n, expectedFemale[i]!, 1e-9, `female ${i}`);
    });
    close(end.netMigration, 10, 1e-12, 'migration');
    // Deaths: the 20+ lose a third: 405/3 + 500/3.
    close(end.deaths, 405 / 3 + 500 / 3, 1e-9, 'deaths');
  });

  const county: ProjectionInput = {
    baseYear: 2025,
    population: {
      male: [
        7200, 9800, 10400, 9900, 8700, 9600, 11800, 10900, 10200, 12600, 13900, 12100, 9800, 8600, 6100, 3900,
        2200, 1100,
      ],
      female: [
        6600, 8900, 9400, 9100, 8200, 9300, 11400, 10600, 9900, 12200, 13600, 12000, 9900, 8900, 6600, 4500,
        2800, 1700,
      ],
    },
    mortality: { male, female },
    fertility,
    sexRatioAtBirth: 110,
    netMigration: {
      male: [20, 10, 0, -60, -180, -120, -40, -10, 0, 0, 0, 10, 20, 10, 0, 0, 0, 0],
      female: [20, 10, 0, -70, -200, -110, -30, -10, 0, 0, 0, 10, 20, 10, 0, 0, 0, 0],
    },
    assumptions: {
      tfr: [
        { year: 2025, value: 1.1 },
        { year: 2035, value: 1.3 },
      ],
      e0: {
        male: [
          { year: 2025, value: 76 },
          { year: 2050, value: 80 },
        ],
      },
    },
  };

  it('reproduces births = 5 × Σ ASFR × average women of the step', () => {
    const result = ok(projectPopulation(county));
    const baseTfr = 5 * SHAPE.reduce((a, b) => a + b, 0);
    for (let s = 1; s < result.years.length; s++) {
      const before = result.years[s - 1]!;
      const after = result.years[s]!;
      const scale = after.tfr! / baseTfr;
      const births = fertility.reduce(
        (sum, f, j) => sum + 5 * f.asfr * scale * ((before.female[3 + j]! + after.female[3 + j]!) / 2),
        0,
      );
      close(after.births, births, 1e-9, `births ${after.year}`);
      close(after.birthsMale! / after.birthsFemale!, 1.1, 1e-12, 'SRB');
    }
    // The TFR path is read at mid-step: 2027.5 → 1.15, 2032.5 → 1.25, then flat at 1.3.
    close(result.years[1]!.tfr, 1.15, 1e-12);
    close(result.years[2]!.tfr, 1.25, 1e-12);
    close(result.years[5]!.tfr, 1.3, 1e-12);
  });

  it('scales male mortality to the e0 path and leaves female mortality as given', () => {
    const result = ok(projectPopulation(county));
    const baseFemale = ok(buildLifeTableFromRates(female, { sex: 'female' })).e0;
    close(result.years[1]!.e0!.male, valueOnPath(county.assumptions!.e0!.male!, 2027.5), 1e-6, 'e0 2030');
    close(result.years[5]!.e0!.male, 79.6, 1e-6, 'e0 over 2045–2050 (mid 2047.5)');
    close(result.years[3]!.e0!.female, baseFemale, 1e-12);
    close(result.base.e0.female, baseFemale, 1e-12);
    assert.equal(result.years.length, 6);
    assert.ok(
      result.years[5]!.ageStructure!.oldAgeDependencyRatio! >
        result.years[0]!.ageStructure!.oldAgeDependencyRatio!,
    );
  });

  it('gives low, medium and high variants TFR − 0.2, as given, + 0.2', () => {
    const variants = ok(projectVariants(county));
    for (let s = 1; s < 6; s++) {
      const low = variants.low.years[s]!;
      const medium = variants.medium.years[s]!;
      const high = variants.high.years[s]!;
      close(medium.tfr! - low.tfr!, 0.2, 1e-12);
      close(high.tfr! - medium.tfr!, 0.2, 1e-12);
      assert.ok(low.births! < medium.births! && medium.births! < high.births!);
    }
    const custom = ok(projectPopulation({ ...county, variant: 'high', variantTfrDelta: 0.5 }));
    close(custom.years[1]!.tfr, 1.65, 1e-12);
  });

  it('projects single years in one-year steps, spreading abridged death rates', () => {
    const single = (n: number) => Array.from({ length: 86 }, () => n);
    const result = ok(
      projectPopulation({
        baseYear: 2025,
        step: 1,
        years: 5,
        population: { male: single(100), female: single(100) },
        mortality: { male, female },
        fertility,
      }),
    );
    assert.equal(result.ages.length, 86);
    assert.equal(result.ages[85], '85+');
    assert.equal(result.years.length, 6);
    assert.ok(result.flags.some((f) => f.code === 'mortality_expanded'));
    // One-year births: 1 × Σ f_a × average women, with the five-year rates repeated for each age.
    const step = result.years[1]!;
    const births = fertility.reduce((s, f) => {
      let women = 0;
      for (let a = f.start; a < f.start + 5; a++)
        women += (result.years[0]!.female[a]! + step.female[a]!) / 2;
      return s + f.asfr * women;
    }, 0);
    close(step.births, births, 1e-9);
  });

  it('sets emptied groups to 0 and says so when out-migration exceeds the population', () => {
    const result = ok(
      projectPopulation({
        ...county,
        netMigration: {
          male: county.population.male.map(() => -5000),
          female: county.population.female.map(() => 0),
        },
        years: 5,
      }),
    );
    assert.ok(result.years[1]!.male.every((n) => n >= 0));
    assert.ok(result.flags.some((f) => f.code === 'negative_population'));
    // The balance holds with the migrants who could leave: no negative deaths absorb the rest.
    const [base, step] = result.years;
    assert.ok(step!.deaths! > 0, `deaths ${step!.deaths}`);
    assert.ok(step!.netMigration! > -5000 * 5 * county.population.male.length, 'fewer left than asked');
    assert.ok(step!.netMigration! >= -base!.totalMale - 1e-9, 'no more men left than there were');
    close(step!.total, base!.total + step!.births! + step!.netMigration! - step!.deaths!, 1e-6);
  });

  it('refuses inconsistent input with field paths', () => {
    const bad = projectPopulation({
      ...county,
      population: { male: county.population.male, female: county.population.female.slice(1) },
      mortality: { male: abridgedAgeGroups(80).map((g) => ({ ...g, mx: 0.01 })), female },
      years: 7,
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      const fields = bad.issues.map((i) => i.field);
      assert.ok(fields.includes('years'), fields.join());
      const more = projectPopulation({
        ...county,
        population: { male: county.population.male, female: county.population.female.slice(1) },
        mortality: { male: abridgedAgeGroups(80).map((g) => ({ ...g, mx: 0.01 })), female },
      });
      assert.equal(more.ok, false);
      if (!more.ok) {
        const paths = more.issues.map((i) => i.field);
        assert.ok(paths.includes('population.female'), paths.join());
        assert.ok(paths.includes('mortality.male'), paths.join());
      }
    }
  });

  it('reads assumption paths linearly between points and flat beyond them', () => {
    const path = [
      { year: 2030, value: 2 },
      { year: 2020, value: 1 },
    ];
    assert.equal(valueOnPath(path, 2010), 1);
    assert.equal(valueOnPath(path, 2025), 1.5);
    assert.equal(valueOnPath(path, 2040), 2);
  });
});
