import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poissonInterval } from '../intervals.ts';
import { computeFertility, FERTILITY_AGE_GROUPS, type FertilityGroup } from './fertility.ts';

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

// A county of about 300,000: births by mother's age and average women (start + end of year) / 2.
const BIRTHS = [25, 480, 1010, 690, 260, 48, 3];
const WOMEN = [8900, 8100, 9300, 11200, 10500, 9800, 12100];
const county: FertilityGroup[] = FERTILITY_AGE_GROUPS.map((g, i) => ({
  ...g,
  births: BIRTHS[i]!,
  women: WOMEN[i]!,
}));

describe('computeFertility', () => {
  const result = ok(computeFertility(county));

  it('computes ASFR = births / women and TFR = 5 × Σ ASFR, by hand', () => {
    const asfr = BIRTHS.map((b, i) => b / WOMEN[i]!);
    result.groups.forEach((row, i) => {
      close(row.asfr, asfr[i]!, 1e-15, row.age);
    });
    const tfr = 5 * asfr.reduce((a, b) => a + b, 0);
    close(result.tfr.value, tfr, 1e-12, 'TFR');
    close(result.tfr.value, 1.3109, 1e-4, 'TFR value');
  });

  it('computes GFR per 1,000 women 15–49 and the mean age at childbearing', () => {
    const births = BIRTHS.reduce((a, b) => a + b, 0);
    const women = WOMEN.reduce((a, b) => a + b, 0);
    close(result.gfr.value, (births / women) * 1000, 1e-12, 'GFR');
    assert.equal(result.totalBirths, 2516);
    assert.equal(result.women15to49, women);
    const asfr = BIRTHS.map((b, i) => b / WOMEN[i]!);
    const mac = asfr.reduce((s, f, i) => s + (17.5 + 5 * i) * f, 0) / asfr.reduce((a, b) => a + b, 0);
    close(result.meanAgeAtChildbearing!.value, mac, 1e-12, 'MAC');
    const macInterval = result.meanAgeAtChildbearing!.interval;
    assert.ok(
      macInterval.lower! < mac && mac < macInterval.upper! && macInterval.upper! - macInterval.lower! < 1,
    );
  });

  it('gives each ASFR its exact Poisson interval and flags groups with few births', () => {
    const youngest = result.groups[0]!;
    const count = poissonInterval(25);
    close(youngest.interval.lower, count.lower! / 8900, 1e-15);
    close(youngest.interval.upper, count.upper! / 8900, 1e-15);
    assert.deepEqual(youngest.flags, []);
    assert.deepEqual(
      result.groups[6]!.flags.map((f) => f.code),
      ['few_events'],
    );
    assert.deepEqual(result.flags, []);
  });

  it('brackets the TFR with a gamma interval that is about ±2 SE for large counts', () => {
    const { lower, upper } = result.tfr.interval;
    const se = Math.sqrt(county.reduce((s, g) => s + (25 * g.births) / g.women ** 2, 0));
    close(lower, result.tfr.value - 1.96 * se, 0.01, 'lower');
    close(upper, result.tfr.value + 1.96 * se, 0.012, 'upper');
  });

  it('reduces to the exact Poisson interval when every group has the same number of women', () => {
    const equal = ok(
      computeFertility(FERTILITY_AGE_GROUPS.map((g, i) => ({ ...g, births: BIRTHS[i]!, women: 10_000 }))),
    );
    const count = poissonInterval(2516);
    close(equal.tfr.interval.lower, (count.lower! * 5) / 10_000, 1e-9, 'lower');
    close(equal.tfr.interval.upper, (count.upper! * 5) / 10_000, 1e-9, 'upper');
  });

  it('stays honest with no births at all: TFR 0, interval [0, 5 × 3.689 / smallest group]', () => {
    const none = ok(computeFertility(county.map((g) => ({ ...g, births: 0 }))));
    assert.equal(none.tfr.value, 0);
    assert.equal(none.tfr.interval.lower, 0);
    close(none.tfr.interval.upper, (5 * 3.688879) / 8100, 1e-6);
    assert.equal(none.meanAgeAtChildbearing, null);
    assert.deepEqual(
      none.flags.map((f) => f.code),
      ['few_events'],
    );
  });

  it('flags groups that do not cover 15–49 and refuses births without women', () => {
    const partial = ok(computeFertility(county.slice(1, 5)));
    assert.ok(partial.flags.some((f) => f.code === 'partial_age_range'));
    const bad = computeFertility([{ start: 15, width: 5, births: 3, women: 0 }]);
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.issues[0]!.code, 'births_without_women');
      assert.equal(bad.issues[0]!.field, 'groups.0.women', 'a field path is spelt with dots');
    }
    const overlapping = computeFertility([
      { start: 15, width: 5, births: 3, women: 10 },
      { start: 18, width: 5, births: 3, women: 10 },
    ]);
    assert.equal(overlapping.ok, false);
  });
});
