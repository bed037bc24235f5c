import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareIdentifiers,
  jaroWinkler,
  levenshteinWithin,
  packStrings,
  withinOneEdit,
} from './string-distance.ts';

/** Plain dynamic-programming Levenshtein, to check the bounded one against. */
function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

const points = (...names: string[]) => {
  const all = names.flatMap((name) => Array.from(name, (c) => c.codePointAt(0)!));
  const starts: number[] = [];
  let offset = 0;
  for (const name of names) {
    starts.push(offset);
    offset += Array.from(name).length;
  }
  return { all: Int32Array.from(all), starts, lengths: names.map((n) => Array.from(n).length) };
};

describe('string distances', () => {
  it('gives the textbook Jaro–Winkler similarities', () => {
    assert.equal(jaroWinkler('MARTHA', 'MARHTA').toFixed(3), '0.961');
    assert.equal(jaroWinkler('DWAYNE', 'DUANE').toFixed(3), '0.840');
    assert.equal(jaroWinkler('DIXON', 'DICKSONX').toFixed(3), '0.813');
    assert.equal(jaroWinkler('same', 'same'), 1);
    assert.equal(jaroWinkler('', 'abc'), 0);
  });

  it('bounds Levenshtein distance exactly as the full computation does', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        fc.integer({ min: 0, max: 4 }),
        (a, b, max) => {
          const full = levenshtein(a, b);
          assert.equal(levenshteinWithin(a, b, max), full <= max ? full : max + 1);
        },
      ),
    );
  });

  it('finds Han names one character apart, in either direction', () => {
    const p = points('王晓明', '王小明', '王明', '王晓明明', '李晓红');
    const near = (x: number, y: number) =>
      withinOneEdit(p.all, p.starts[x]!, p.lengths[x]!, p.all, p.starts[y]!, p.lengths[y]!);
    assert.equal(near(0, 1), true, 'replace');
    assert.equal(near(0, 2), true, 'delete');
    assert.equal(near(2, 0), true, 'insert');
    assert.equal(near(0, 3), true, 'insert at the end');
    assert.equal(near(0, 4), false, 'two different');
    assert.equal(near(2, 3), false, 'two inserted');
  });

  it('tells one mistyped digit from two transposed digits in an ID number', () => {
    const ids = packStrings([
      '110105194912310021',
      '110105194912310081',
      '110105194921310021',
      '110105194912311120',
    ]);
    const compare = (x: number, y: number) =>
      compareIdentifiers(ids.units, ids.start[x]!, ids.length[x]!, ids.units, ids.start[y]!, ids.length[y]!);
    assert.equal(compare(0, 0), 0);
    assert.equal(compare(0, 1), 1, 'one digit off');
    assert.equal(compare(0, 2), 2, '12 → 21 transposed');
    assert.equal(compare(0, 3), 3, 'two digits apart');
  });
});
