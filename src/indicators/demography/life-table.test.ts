import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abridgedAgeGroups } from './age-groups.ts';
import {
  buildLifeTable,
  buildLifeTableFromRates,
  buildLifeTablesBySex,
  coaleDemenyAx,
  type DeathsGroup,
  type LifeTable,
  scaleRatesToLifeExpectancy,
} from './life-table.ts';

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

/**
 * Source: Preston, S. H., Heuveline, P. and Guillot, M. (2001), *Demography: Measuring and
 * Modeling Population Processes*, Blackwell, Box 3.1 (pp. 48–49): period life table for Austrian
 * males, 1992 (data: United Nations 1994). Inputs nNx, nDx and the book's nax; expected lx, nLx,
 * qx as printed (lx and nLx rounded to whole persons, qx to six decimals).
 */
const AUSTRIA_1992_MALES = {
  population: [
    47925, 189127, 234793, 238790, 254996, 326831, 355086, 324222, 269963, 261971, 238011, 261612, 181385,
    187962, 153832, 105169, 73694, 57512, 32248,
  ],
  deaths: [
    419, 70, 36, 46, 249, 420, 403, 441, 508, 769, 1154, 1866, 2043, 3496, 4366, 4337, 5279, 6460, 6146,
  ],
  ax: [
    0.068, 1.626, 2.5, 3.143, 2.724, 2.52, 2.481, 2.601, 2.701, 2.663, 2.698, 2.676, 2.645, 2.624, 2.619,
    2.593, 2.518, 2.423, 5.247,
  ],
  lx: [
    100000, 99133, 98986, 98910, 98815, 98334, 97704, 97151, 96492, 95588, 94195, 91937, 88711, 83845, 76377,
    66225, 53803, 37441, 21134,
  ],
  Lx: [
    99192, 396183, 494741, 494375, 492980, 490106, 487127, 484175, 480384, 474686, 465777, 452188, 432096,
    401480, 357713, 301224, 228404, 145182, 110889,
  ],
  qx: { '0': 0.008672, '1-4': 0.001479, '45-49': 0.023975, '80-84': 0.435548 } as Record<string, number>,
};

function austriaGroups(withBookAx: boolean): DeathsGroup[] {
  return abridgedAgeGroups(85).map((group, i) => ({
    ...group,
    deaths: AUSTRIA_1992_MALES.deaths[i]!,
    population: AUSTRIA_1992_MALES.population[i]!,
    // The book's a0 and 4a1 are the Coale–Demeny values, so leave those two to the rule.
    ax: withBookAx && i >= 2 && i < 18 ? AUSTRIA_1992_MALES.ax[i] : undefined,
  }));
}

describe('period life table: Preston et al. Box 3.1, Austria 1992 males', () => {
  const table = ok(buildLifeTable(austriaGroups(true), { sex: 'male' }));

  it('takes a0 and 4a1 from the Coale–Demeny rule, exactly as the book prints them', () => {
    close(table.rows[0]!.ax, 0.068, 0.0005, 'a0');
    close(table.rows[1]!.ax, 1.626, 0.0005, '4a1');
    assert.equal(table.rows[0]!.axSource, 'coale-demeny');
    assert.equal(table.rows[1]!.axSource, 'coale-demeny');
    // Open group: a = 1/m = 32248 / 6146.
    close(table.rows[18]!.ax, 5.247, 0.0005, 'a85');
  });

  it('reproduces the published lx, nLx and qx to the book’s rounding', () => {
    table.rows.forEach((row, i) => {
      close(row.lx, AUSTRIA_1992_MALES.lx[i]!, 1, `l${row.age}`);
      close(row.Lx, AUSTRIA_1992_MALES.Lx[i]!, 1, `L${row.age}`);
    });
    for (const [age, q] of Object.entries(AUSTRIA_1992_MALES.qx)) {
      close(table.rows.find((r) => r.age === age)!.qx, q, 5e-7, `q${age}`);
    }
    assert.equal(table.rows[18]!.qx, 1);
  });

  it('gives e0 = 72.889 and e65 = 14.971 as published', () => {
    close(table.e0, 72.889, 0.001, 'e0');
    close(table.rows.find((r) => r.age === '65-69')!.ex, 14.971, 0.001, 'e65');
    close(table.rows.find((r) => r.age === '85+')!.ex, 5.247, 0.001, 'e85');
  });

  it('puts a narrow Chiang interval around e0 for a national population', () => {
    const interval = table.e0Interval!;
    assert.ok(interval.lower! < table.e0 && table.e0 < interval.upper!);
    assert.ok(interval.upper! - interval.lower! < 0.5);
    assert.deepEqual(table.flags, []);
  });

  it('uses n/2 for the other ages when nax is not given (e0 moves only slightly)', () => {
    const plain = ok(buildLifeTable(austriaGroups(false), { sex: 'male' }));
    assert.equal(plain.rows[5]!.ax, 2.5);
    assert.equal(plain.rows[5]!.axSource, 'half-width');
    close(plain.e0, 72.851, 0.001, 'e0 with n/2');
  });
});

describe('Coale–Demeny a0 and 4a1 (DESIGN.md)', () => {
  it('follows the male and female formulas below m0 = 0.107 and the constants above', () => {
    const m = coaleDemenyAx('male', 0.02);
    close(m.a0, 0.045 + 2.684 * 0.02, 1e-12);
    close(m.a1to4, 1.651 - 2.816 * 0.02, 1e-12);
    const f = coaleDemenyAx('female', 0.02);
    close(f.a0, 0.053 + 2.8 * 0.02, 1e-12);
    close(f.a1to4, 1.522 - 1.518 * 0.02, 1e-12);
    assert.deepEqual(coaleDemenyAx('male', 0.107), { a0: 0.33, a1to4: 1.352 });
    assert.deepEqual(coaleDemenyAx('female', 0.2), { a0: 0.35, a1to4: 1.361 });
    close(coaleDemenyAx('total', 0.2).a0, 0.34, 1e-12);
  });
});

describe('life tables from small populations', () => {
  // A township of about 9,000: some groups have no deaths at all.
  const small: DeathsGroup[] = abridgedAgeGroups(80).map((group, i) => ({
    ...group,
    deaths: [2, 0, 0, 1, 0, 1, 0, 2, 1, 3, 4, 6, 8, 12, 15, 18, 20, 24][i]!,
    population: [80, 330, 450, 480, 500, 560, 620, 640, 600, 650, 700, 680, 600, 520, 400, 300, 200, 150][i]!,
  }));

  it('takes q = 0 where nobody died, says so, and widens the interval', () => {
    const table = ok(buildLifeTable(small, { sex: 'female' }));
    assert.equal(table.rows[1]!.qx, 0);
    const codes = table.flags.map((f) => f.code);
    assert.ok(codes.includes('zero_deaths'));
    assert.match(table.flags.find((f) => f.code === 'zero_deaths')!.message.en, /1-4, 5-9, 15-19, 25-29/);
    assert.ok(table.e0Interval!.upper! - table.e0Interval!.lower! > 3);
    assert.ok(Number.isFinite(table.e0));
  });

  it('flags a group with no population instead of dividing by zero', () => {
    const groups = small.map((g, i) => (i === 3 ? { ...g, deaths: 0, population: 0 } : g));
    const table = ok(buildLifeTable(groups, { sex: 'male', minPopulation: 10_000 }));
    assert.equal(table.rows[3]!.mx, 0);
    assert.ok(table.flags.some((f) => f.code === 'no_exposure' && /10-14/.test(f.message.en)));
    assert.ok(table.flags.some((f) => f.code === 'small_population'));
  });

  it('refuses an open group without deaths and says what to do', () => {
    const groups = small.map((g, i) => (i === small.length - 1 ? { ...g, deaths: 0 } : g));
    const result = buildLifeTable(groups, { sex: 'male' });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.issues[0]!.code, 'open_group_no_deaths');
      assert.match(result.issues[0]!.message.en, /lower open age \(e\.g\. 75\+\)/);
    }
  });

  it('refuses deaths without population, negative counts and broken age scales', () => {
    const bad = buildLifeTable(
      [
        { start: 0, width: 1, deaths: 1, population: 0 },
        { start: 1, width: 4, deaths: -1, population: 10 },
        { start: 5, width: null, deaths: 3, population: 10 },
      ],
      {},
    );
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.deepEqual(
        bad.issues.map((i) => [i.code, i.field]),
        [
          ['deaths_without_population', 'groups.0.population'],
          ['invalid_number', 'groups.1.deaths'],
        ],
      );
    }
    const overlapping = buildLifeTable(
      [
        { start: 0, width: 5, deaths: 1, population: 10 },
        { start: 1, width: 4, deaths: 1, population: 10 },
        { start: 5, width: null, deaths: 3, population: 10 },
      ],
      {},
    );
    assert.equal(overlapping.ok, false);
    if (!overlapping.ok) assert.equal(overlapping.issues[0]!.code, 'overlapping_ages');
  });
});

describe('single-year life tables and rates', () => {
  // Gompertz mortality by single year, 0 … 99, 100+.
  const gompertz = Array.from({ length: 101 }, (_, age) => ({
    start: age,
    width: age === 100 ? null : 1,
    mx: age === 0 ? 0.004 : 0.00005 * Math.exp(0.095 * age),
  }));

  it('builds a single-year table with Coale–Demeny a0 and a = 0.5 elsewhere', () => {
    const table = ok(buildLifeTableFromRates(gompertz, { sex: 'female' }));
    close(table.rows[0]!.ax, 0.053 + 2.8 * 0.004, 1e-12, 'a0');
    assert.equal(table.rows[1]!.ax, 0.5);
    assert.equal(table.rows.length, 101);
    assert.ok(table.e0 > 70 && table.e0 < 90);
    assert.equal(table.e0Interval, null);
    // T0 = Σ L and l decreases.
    close(
      table.rows.reduce((s, r) => s + r.Lx, 0),
      table.rows[0]!.Tx,
      1e-6,
    );
  });

  it('scales the rates by one multiplier to hit a target e0', () => {
    const target = 80;
    const scaled = ok(scaleRatesToLifeExpectancy(gompertz, target, { sex: 'female' }));
    assert.equal(scaled.reached, true);
    close(scaled.table.e0, target, 1e-6, 'e0');
    const base = ok(buildLifeTableFromRates(gompertz, { sex: 'female' }));
    assert.equal(scaled.multiplier < 1, base.e0 < target);
  });

  it('builds one table per sex', () => {
    const groups = austriaGroups(false);
    const both = ok(
      buildLifeTablesBySex({
        male: groups,
        female: groups.map((g) => ({ ...g, deaths: Math.round(g.deaths * 0.6) })),
      }),
    );
    assert.equal(both.male.sex, 'male');
    assert.ok((both.female as LifeTable).e0 > both.male.e0);
  });
});
