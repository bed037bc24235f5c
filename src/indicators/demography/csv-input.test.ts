import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv, readFertilityCsv, readLifeTableCsv } from './csv-input.ts';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF, a BOM and tabs', () => {
    assert.deepEqual(parseCsv('\uFEFFa,b\r\n"1,234","say ""hi"""\r\n'), [
      ['a', 'b'],
      ['1,234', 'say "hi"'],
    ]);
    assert.deepEqual(parseCsv('age\tdeaths\n0\t3'), [
      ['age', 'deaths'],
      ['0', '3'],
    ]);
  });
});

describe('readLifeTableCsv', () => {
  it('reads Chinese headers, thousands separators and any row order', () => {
    const csv = '年龄,死亡人数,人口\n5+,40,"1,200"\n0,2,100\n1-4,1,400\n';
    const result = readLifeTableCsv(csv);
    assert.ok(result.ok);
    if (result.ok) {
      assert.equal(result.value.length, 1);
      assert.equal(result.value[0]!.sex, 'total');
      assert.deepEqual(
        result.value[0]!.groups.map((g) => [g.start, g.width, g.deaths, g.population]),
        [
          [0, 1, 2, 100],
          [1, 4, 1, 400],
          [5, null, 40, 1200],
        ],
      );
    }
  });

  it('splits by a sex column', () => {
    const csv = 'age,sex,deaths,population\n0,男,2,100\n1+,男,9,900\n0,female,1,90\n1+,female,8,950\n';
    const result = readLifeTableCsv(csv);
    assert.ok(result.ok);
    if (result.ok)
      assert.deepEqual(
        result.value.map((t) => t.sex),
        ['male', 'female'],
      );
  });

  it('names the missing column, the line of a bad number and overlapping ages, in both languages', () => {
    const missing = readLifeTableCsv('age,deaths\n0,1\n');
    assert.ok(!missing.ok);
    if (!missing.ok) {
      assert.equal(missing.issues[0]!.code, 'missing_column');
      assert.match(missing.issues[0]!.message['zh-CN'], /缺少“人口”列/);
      assert.match(missing.issues[0]!.message.en, /"population" column is missing/);
    }
    const bad = readLifeTableCsv('age,deaths,population\n0,1,100\n1-4,abc,400\n5+,,500\n');
    assert.ok(!bad.ok);
    if (!bad.ok) {
      assert.deepEqual(
        bad.issues.map((i) => [i.code, i.field]),
        [
          ['not_a_number', 'line 3.deaths'],
          ['missing_value', 'line 4.deaths'],
        ],
      );
      assert.match(bad.issues[0]!.message['zh-CN'], /第 3 行：“死亡人数”应为数字，实为“abc”/);
      assert.match(bad.issues[0]!.message.en, /Line 3: deaths must be a number, not "abc"/);
    }
    const overlap = readLifeTableCsv('age,deaths,population\n0,1,100\n1-4,1,400\n1-9,1,500\n10+,9,900\n');
    assert.ok(!overlap.ok);
    if (!overlap.ok) {
      assert.equal(overlap.issues[0]!.code, 'overlapping_ages');
      assert.match(overlap.issues[0]!.message.en, /Line 4: age group 1-9 overlaps 1-4/);
    }
    const age = readLifeTableCsv('age,deaths,population\nbaby,1,100\n');
    assert.ok(!age.ok);
    if (!age.ok) assert.equal(age.issues[0]!.code, 'invalid_age');
  });
});

describe('readFertilityCsv', () => {
  it('reads age group, births and women, and refuses an open group', () => {
    const result = readFertilityCsv('年龄组,出生数,育龄妇女人数\n15-19,3,1000\n20-24,40,900\n');
    assert.ok(result.ok);
    if (result.ok) assert.deepEqual(result.value[1], { start: 20, width: 5, births: 40, women: 900 });
    const open = readFertilityCsv('age,births,women\n45+,1,100\n');
    assert.ok(!open.ok);
    if (!open.ok) assert.equal(open.issues[0]!.code, 'open_age_group');
  });
});
