import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE, findIndicator } from '../src/indicators/catalogue.ts';
import {
  DEFAULT_SCORING_RULE,
  DEFAULT_STATUS_THRESHOLDS,
  formatAlert,
  progressWindow,
  rankBy,
  scoreItems,
  shortfallOf,
  statusOf,
  targetScopeOf,
} from '../src/targets/index.ts';

describe('target arithmetic (hand-computed)', () => {
  it('measures the shortfall relative to the bound, in each direction', () => {
    assert.equal(shortfallOf({ direction: 'at_least', target: 95 }, 95), 0);
    assert.equal(shortfallOf({ direction: 'at_least', target: 80 }, 60), 0.25);
    assert.equal(shortfallOf({ direction: 'at_most', target: 100 }, 110), 0.1);
    assert.equal(shortfallOf({ direction: 'within', low: 100, high: 110 }, 121), 0.1);
    assert.equal(shortfallOf({ direction: 'within', low: 100, high: 110 }, 90), 0.1);
    assert.equal(shortfallOf({ direction: 'within', low: 100, high: 110 }, 105), 0);
    assert.equal(shortfallOf({ direction: 'at_least', target: 95 }, null), null);
  });

  it('calls 5% short at risk and more off track', () => {
    const t = DEFAULT_STATUS_THRESHOLDS;
    assert.equal(statusOf(0, t), 'on_track');
    assert.equal(statusOf(0.05, t), 'at_risk');
    assert.equal(statusOf(0.0501, t), 'off_track');
    assert.equal(statusOf(null, t), 'no_data');
    assert.equal(statusOf(0.08, { atRiskShortfall: 0.1 }), 'at_risk');
  });

  it('scores weight × attainment, linear to zero at 20% short, and caps at 60% for a missed gate', () => {
    const score = scoreItems(
      [
        { indicator: 'a', weight: 50, gate: false, shortfall: 0 },
        { indicator: 'b', weight: 30, gate: false, shortfall: 0.05 }, // 30 × 0.75 = 22.5
        { indicator: 'c', weight: 20, gate: false, shortfall: 0.3 }, // 0
      ],
      DEFAULT_SCORING_RULE,
    );
    assert.equal(score.total, 72.5);
    assert.equal(score.max, 100);
    assert.equal(score.cap, null);
    const gated = scoreItems(
      [
        { indicator: 'a', weight: 50, gate: false, shortfall: 0 },
        { indicator: 'b', weight: 30, gate: true, shortfall: 0.01 }, // 30 × 0.95 = 28.5, but gate missed
        { indicator: 'c', weight: 20, gate: false, shortfall: 0 },
      ],
      DEFAULT_SCORING_RULE,
    );
    assert.equal(gated.raw, 98.5);
    assert.equal(gated.cap, 60);
    assert.equal(gated.total, 60);
    assert.deepEqual(gated.failedGates, ['b']);
    const lenient = scoreItems([{ indicator: 'b', weight: 10, gate: false, shortfall: 0.25 }], {
      zeroAtShortfall: 0.5,
      gateCapShare: 0.6,
    });
    assert.equal(lenient.total, 5);
  });

  it('gives equal figures the same rank and leaves units without data unranked', () => {
    const ranked = rankBy(
      [
        { n: 'a', v: 3 },
        { n: 'b', v: 5 },
        { n: 'c', v: null },
        { n: 'd', v: 3 },
        { n: 'e', v: 1 },
      ],
      (e) => e.v,
      'higher',
    );
    assert.deepEqual(
      ranked.map((r) => [r.entry.n, r.rank]),
      [
        ['b', 1],
        ['a', 2],
        ['d', 2],
        ['e', 4],
        ['c', null],
      ],
    );
  });

  it('writes alerts the way the work reports do', () => {
    const alert = formatAlert({ 'zh-CN': '入库率', en: 'Entry rate' }, 'at_least', 'percent', [
      { name: '东华镇', value: 54.3 },
      { name: '山寨乡', value: 61.2 },
    ]);
    assert.equal(alert['zh-CN'], '入库率：低于标准的有东华镇（54.3%）、山寨乡（61.2%）');
    assert.equal(alert.en, 'Entry rate below target: 东华镇 (54.3%), 山寨乡 (61.2%)');
  });

  it('counts progress over the complete months up to the date', () => {
    assert.equal(progressWindow('2025-06-30').period!.id, '2025H1');
    assert.equal(progressWindow('2025-12-31').period!.id, '2025');
    const may = progressWindow('2025-06-01');
    assert.equal(may.through, '2025-05-31');
    assert.equal(may.elapsedShare, 151 / 365);
    assert.equal(progressWindow('2024-02-29').elapsedShare, 60 / 366);
    assert.equal(progressWindow('2025-01-31').period!.start, '2025-01-01');
  });
});

describe('what may be a target (DESIGN.md, Scope)', () => {
  const allowed = (id: string) => targetScopeOf(findIndicator(id)!).allowed;

  it('allows service and data-quality indicators, and the sex ratio at birth', () => {
    for (const id of ['timeliness_rate', 'sex_ratio_at_birth', 'infant_mortality_rate'])
      assert.ok(allowed(id), id);
    for (const id of ['entry_rate', 'completeness_rate', 'accuracy_rate'])
      if (findIndicator(id))
        assert.ok(allowed(id), `${id}: a quality rate in the catalogue is a possible target`);
  });

  it('refuses births, fertility, birth order, population size and plain statistics', () => {
    const reasons = Object.fromEntries(
      CATALOGUE.map((d) => {
        const scope = targetScopeOf(d);
        return [d.id, scope.allowed ? 'allowed' : scope.reason];
      }),
    );
    for (const id of [
      'births',
      'crude_birth_rate',
      'natural_increase_rate',
      'general_fertility_rate',
      'age_specific_fertility_rate',
      'total_fertility_rate',
      'birth_order_1_share',
      'birth_order_3_share',
    ])
      assert.equal(reasons[id], 'birth_quota', id);
    assert.equal(reasons.resident_population, 'population_control');
    assert.equal(reasons.crude_death_rate, 'plain_statistic');
    assert.equal(reasons.share_aged_60_plus, 'plain_statistic');
  });

  it('judges an indicator added to the catalogue later by its shape', () => {
    const later = {
      ...findIndicator('timeliness_rate')!,
      id: 'some_new_registration_rate',
      direction: undefined,
      numerator: { entered: 'timely' as const },
    };
    assert.equal(targetScopeOf(later).allowed, true, 'a measure of registration work');
    const fertilityLike = { ...findIndicator('crude_birth_rate')!, id: 'x', direction: 'higher' as const };
    assert.equal(
      targetScopeOf(fertilityLike).allowed,
      false,
      'a direction does not make a birth rate a target',
    );
  });
});
