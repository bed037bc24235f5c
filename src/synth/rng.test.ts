import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AliasTable, Rng } from './rng.ts';

describe('seeded random numbers', () => {
  it('repeats a stream for the same seed and name, and not for another', () => {
    const draw = (seed: string, stream: string) => {
      const rng = new Rng(seed, stream);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    assert.deepEqual(draw('s', 'a'), draw('s', 'a'));
    assert.notDeepEqual(draw('s', 'a'), draw('s', 'b'));
    assert.notDeepEqual(draw('s', 'a'), draw('t', 'a'));
  });

  it('draws uniforms, normals and Poisson counts with the right moments (4 standard errors)', () => {
    const rng = new Rng(1, 'moments');
    const n = 100_000;
    let sum = 0;
    let normal = 0;
    let normalSquares = 0;
    let poisson = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      const z = rng.normal();
      normal += z;
      normalSquares += z * z;
      poisson += rng.poisson(3.5);
    }
    assert.ok(Math.abs(sum / n - 0.5) < 4 * Math.sqrt(1 / 12 / n));
    assert.ok(Math.abs(normal / n) < 4 / Math.sqrt(n));
    assert.ok(Math.abs(normalSquares / n - 1) < 4 * Math.sqrt(2 / n));
    assert.ok(Math.abs(poisson / n - 3.5) < 4 * Math.sqrt(3.5 / n));
  });

  it('draws from an alias table in proportion to the weights', () => {
    const weights = [5, 0, 1, 3, 1];
    const table = new AliasTable(weights);
    const rng = new Rng(2, 'alias');
    const n = 200_000;
    const counts = new Array<number>(weights.length).fill(0);
    for (let i = 0; i < n; i++) counts[table.sample(rng)]!++;
    for (let k = 0; k < weights.length; k++) {
      const p = weights[k]! / 10;
      assert.ok(
        Math.abs(counts[k]! / n - p) <= 4 * Math.sqrt((p * (1 - p)) / n),
        `category ${k}: ${counts[k]}`,
      );
    }
    assert.throws(() => new AliasTable([]));
    assert.throws(() => new AliasTable([0, 0]));
  });
});
