import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pinyin } from 'pinyin-pro';
import {
  findHomophoneGroup,
  HOMOPHONE_GROUPS,
  makeTypo,
  NameMaker,
  swapHomophone,
  TOP_SURNAMES,
} from './names.ts';
import { Rng } from './rng.ts';

const toneless = (c: string) => pinyin(c, { toneType: 'none' });

describe('names', () => {
  it('groups only characters that sound the same', () => {
    for (const group of HOMOPHONE_GROUPS) {
      const sounds = new Set([...group].map(toneless));
      assert.equal(sounds.size, 1, `${group}: ${[...sounds].join(' ')}`);
    }
  });

  it('swaps one character of a name for a homophone', () => {
    const rng = new Rng(1, 'swap');
    for (const name of ['王晓丽', '李明', '张子涵', '陈一诺']) {
      for (let i = 0; i < 20; i++) {
        const swapped = swapHomophone(name, rng);
        const diff = [...name].flatMap((c, k) => (c === [...swapped][k] ? [] : [k]));
        assert.equal(diff.length, 1, `${name} → ${swapped}`);
        const k = diff[0]!;
        assert.equal(toneless([...swapped][k]!), toneless([...name][k]!));
        assert.ok(findHomophoneGroup([...name][k]!)?.includes([...swapped][k]!));
      }
    }
    assert.equal(swapHomophone('熊', rng), '熊', 'no homophone, no change');
    assert.notEqual(makeTypo('王晓丽', rng), '王晓丽');
  });

  it('draws surnames with the national shares (4 standard errors) and given names of 1–2 characters', () => {
    const maker = new NameMaker();
    const rng = new Rng(2, 'surnames');
    const n = 200_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = maker.surnameAt(maker.drawSurname(rng));
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    for (const [surname, percent] of TOP_SURNAMES.slice(0, 20)) {
      const p = percent / 100;
      const share = (counts.get(surname) ?? 0) / n;
      assert.ok(
        Math.abs(share - p) < 4 * Math.sqrt((p * (1 - p)) / n),
        `${surname}: ${share.toFixed(4)} vs ${p}`,
      );
    }
    const top5 = ['王', '李', '张', '刘', '陈'].reduce((sum, s) => sum + (counts.get(s) ?? 0), 0) / n;
    assert.ok(top5 > 0.29 && top5 < 0.32, `王李张刘陈 ${top5.toFixed(3)} (about 30 %)`);
    for (const year of [1945, 1975, 1995, 2015, 2023]) {
      for (const male of [true, false]) {
        const given = maker.drawGivenName(rng, male, year);
        assert.match(given, /^\p{Script=Han}{1,2}$/u);
      }
    }
  });
});
