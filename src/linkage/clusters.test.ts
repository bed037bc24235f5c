import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignOneToOne, clusterPairs } from './clusters.ts';

describe('clusters', () => {
  it('groups records linked directly or through others into one cluster', () => {
    // 0–1, 1–2 and 4–5 linked; 3 alone; the 2–3 pair was not linked.
    const left = [0, 1, 4, 2];
    const right = [1, 2, 5, 3];
    const linked = [true, true, true, false];
    const clusters = clusterPairs(left, right, (p) => linked[p]!, { left: 6, right: 6, dedupe: true });
    assert.deepEqual(Array.from(clusters.left), [0, 0, 0, 1, 2, 2]);
    assert.equal(clusters.count, 3);
    assert.equal(clusters.multiRecord, 2);
  });

  it('numbers the two files apart when linking', () => {
    const clusters = clusterPairs([0], [1], () => true, { left: 2, right: 2, dedupe: false });
    assert.deepEqual(Array.from(clusters.left), [0, 1]);
    assert.deepEqual(Array.from(clusters.right), [2, 0]);
  });

  it('assigns one to one, best weight first', () => {
    // Left 0 fits right 0 best (30); left 1 also wants right 0 (25) and gets right 1 (20).
    const superseded = assignOneToOne([0, 1, 1, 0], [0, 0, 1, 1], [30, 25, 20, 5], () => true, {
      left: 2,
      right: 2,
    });
    assert.deepEqual(Array.from(superseded), [0, 1, 0, 1]);
  });
});
