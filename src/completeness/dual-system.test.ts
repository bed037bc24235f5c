import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../synth/rng.ts';
import { estimateDualSystem } from './dual-system.ts';

describe('dual-system estimate', () => {
  it('gives Chapman’s estimate and an interval around it', () => {
    const e = estimateDualSystem({ n1: 100, n2: 100, m: 50 });
    assert.equal(e.estimate, (101 * 101) / 51 - 1);
    assert.equal(e.observed, 150);
    assert.ok(e.lower! < 199 && e.upper! > 199, `${e.lower}–${e.upper}`);
    assert.ok(e.lower! >= 170 && e.upper! <= 245, `${e.lower}–${e.upper}`);
    assert.ok(Math.abs(e.firstCompleteness!.value - 100 / e.estimate!) < 1e-12);
    assert.deepEqual(e.flags, []);
  });

  it('never puts the interval below the births actually seen', () => {
    for (const [n1, n2, m] of [
      [10, 10, 9],
      [40, 38, 38],
      [5, 3, 1],
      [300, 280, 270],
    ] as const) {
      const e = estimateDualSystem({ n1, n2, m });
      assert.ok(e.lower! >= n1 + n2 - m, `${n1},${n2},${m}: ${e.lower}`);
      assert.ok(e.upper === null || e.upper >= e.lower!);
    }
  });

  it('keeps an upper end above the seen births when one list holds the other', () => {
    const e = estimateDualSystem({ n1: 35, n2: 30, m: 30 });
    assert.equal(e.estimate, 35);
    assert.equal(e.lower, 35);
    assert.ok(e.upper! > 35, `upper ${e.upper}`);
  });

  it('gives no estimate when the lists share nothing, and flags a small overlap', () => {
    const none = estimateDualSystem({ n1: 12, n2: 9, m: 0 });
    assert.equal(none.estimate, null);
    assert.equal(none.lower, null);
    assert.deepEqual(
      none.flags.map((f) => f.code),
      ['no_overlap'],
    );
    const small = estimateDualSystem({ n1: 8, n2: 6, m: 3 });
    assert.ok(small.estimate! > 11);
    assert.deepEqual(
      small.flags.map((f) => f.code),
      ['small_overlap'],
    );
    assert.deepEqual(
      estimateDualSystem({ n1: 5, n2: 0, m: 0 }).flags.map((f) => f.code),
      ['no_second_list'],
    );
  });

  it('refuses counts that cannot be', () => {
    assert.throws(() => estimateDualSystem({ n1: 3, n2: 5, m: 4 }), RangeError);
    assert.throws(() => estimateDualSystem({ n1: -1, n2: 5, m: 0 }), RangeError);
  });

  it('covers the true total about 95% of the time when the lists are independent', () => {
    const rng = new Rng(7, 'dual-system');
    for (const [N, p1, p2] of [
      [200, 0.7, 0.6],
      [60, 0.9, 0.85],
    ] as const) {
      let covered = 0;
      const runs = 400;
      for (let r = 0; r < runs; r++) {
        let n1 = 0;
        let n2 = 0;
        let m = 0;
        for (let i = 0; i < N; i++) {
          const a = rng.next() < p1;
          const b = rng.next() < p2;
          n1 += a ? 1 : 0;
          n2 += b ? 1 : 0;
          m += a && b ? 1 : 0;
        }
        const e = estimateDualSystem({ n1, n2, m });
        if (e.lower! <= N && (e.upper === null || N <= e.upper)) covered++;
      }
      const share = covered / runs;
      assert.ok(share >= 0.91 && share <= 0.99, `N ${N}: coverage ${share}`);
    }
  });
});
