import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  COMPARISON_TYPES,
  type ComparisonSpec,
  type ComparisonType,
  describeLevels,
  prepareComparison,
} from './comparisons.ts';
import { parseLinkConfig } from './link-config.ts';
import { buildValueTable, DEFAULT_NULL_VALUES } from './value-tables.ts';

const NULLS = new Set(DEFAULT_NULL_VALUES);

/** The comparison spec a one-comparison configuration gives. */
function specOf(type: ComparisonType, levels?: string[]): ComparisonSpec {
  const parsed = parseLinkConfig(
    { comparisons: [{ type, column: 'x', ...(levels ? { levels } : {}) }], blocking: [{ on: 'x' }] },
    { left: ['id', 'x'], right: ['id', 'x'] },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value.comparisons[0]!;
}

/** The level code of comparing a with b, computed and looked up in the level matrix (they must agree). */
function levelOf(type: ComparisonType, a: string | null, b: string | null, levels?: string[]): string {
  const spec = specOf(type, levels);
  const table = buildValueTable(spec.valueKind, [a], [b], NULLS);
  const computed = prepareComparison(spec, table, { matrixValues: 0 }).level(0, 0);
  const looked = prepareComparison(spec, table).level(0, 0);
  assert.equal(looked, computed, 'the level matrix agrees with the tests');
  return describeLevels(spec)[computed]!.code;
}

describe('comparison levels', () => {
  it('ID numbers: exact, one digit off, two adjacent digits transposed, else, missing', () => {
    assert.equal(levelOf('id-number', '11010519491231002X', '11010519491231002x'), 'exact');
    assert.equal(levelOf('id-number', '110105194912310021', '110105194912310081'), 'one-digit');
    assert.equal(levelOf('id-number', '110105194912310021', '110105194921310021'), 'transposed');
    assert.equal(levelOf('id-number', '110105194912310021', '110105200001010021'), 'else');
    assert.equal(levelOf('id-number', '110105194912310021', null), 'null');
    assert.equal(levelOf('id-number', '110105194912310021', '不详'), 'null');
    assert.equal(
      levelOf('id-number', '１１０１０５１９４９１２３１００２１', '110105194912310021'),
      'exact',
      'full-width digits',
    );
  });

  it('Han names: exact, same pinyin (晓/小, 丽/莉), one character off, surname only, else', () => {
    assert.equal(levelOf('han-name', '王晓明', '王晓明'), 'exact');
    assert.equal(levelOf('han-name', '王晓明', '王小明'), 'same-pinyin');
    assert.equal(levelOf('han-name', '李丽', '李莉'), 'same-pinyin');
    assert.equal(levelOf('han-name', '王晓明', '王晓敏'), 'edit-1');
    assert.equal(levelOf('han-name', '王晓明', '王明'), 'edit-1', 'a character left out');
    assert.equal(
      levelOf('han-name', '王伟', '王强'),
      'surname',
      'two-character names share only the surname',
    );
    assert.equal(levelOf('han-name', '欧阳修远', '欧阳明'), 'surname', 'compound surname');
    assert.equal(levelOf('han-name', '王晓明', '李晓红'), 'else');
    assert.equal(levelOf('han-name', '王晓明', ''), 'null');
  });

  it('dates: exact in any format, day and month swapped, within N days, same year, else', () => {
    assert.equal(levelOf('date', '1990-03-05', '19900305'), 'exact');
    assert.equal(levelOf('date', '1990-03-05', '1990/3/5'), 'exact');
    assert.equal(levelOf('date', '1990-03-05', '1990-05-03'), 'day-month-swapped');
    assert.equal(
      levelOf('date', '1990-03-15', '1990-15-03'),
      'day-month-swapped',
      'a swap that is no calendar date',
    );
    assert.equal(levelOf('date', '1990-03-05', '1990-03-30'), 'within-days:30');
    assert.equal(levelOf('date', '1990-12-30', '1991-01-02'), 'within-days:30', 'across the year end');
    assert.equal(levelOf('date', '1990-03-05', '1990-11-20'), 'same-year');
    assert.equal(levelOf('date', '1990-03-05', '1991-03-05'), 'else');
    assert.equal(levelOf('date', '1990-03-05', 'unknown'), 'null', 'an unreadable date counts as missing');
    assert.equal(levelOf('date', '1990-03-05', '1990-03-12', ['exact', 'within-days:7']), 'within-days:7');
    assert.equal(levelOf('date', '1990-03-05', '1990-03-13', ['exact', 'within-days:7']), 'else');
  });

  it('places: same village (12 digits), township (9), county (6), else', () => {
    assert.equal(levelOf('place', '620881100201', '620881100201'), 'village');
    assert.equal(levelOf('place', '620881100201', '620881100202'), 'township');
    assert.equal(
      levelOf('place', '620881100201', '620881100'),
      'township',
      'one side known to the township only',
    );
    assert.equal(levelOf('place', '620881100201', '620881101201'), 'county');
    assert.equal(levelOf('place', '620881100201', '620802100201'), 'else');
  });

  it('generic strings: exact, Jaro–Winkler and Levenshtein thresholds', () => {
    assert.equal(levelOf('exact', '男', '男'), 'exact');
    assert.equal(levelOf('exact', '男', '女'), 'else');
    assert.equal(levelOf('jaro-winkler', 'MARTHA', 'MARHTA'), 'jaro-winkler:0.95');
    assert.equal(
      levelOf('jaro-winkler', 'DWAYNE', 'DUANE', ['exact', 'jaro-winkler:0.9', 'jaro-winkler:0.8']),
      'jaro-winkler:0.8',
    );
    assert.equal(levelOf('levenshtein', 'Zhongshan Road 12', 'Zhongshan Rd 12'), 'levenshtein:2');
    assert.equal(levelOf('levenshtein', 'abcdef', 'abcxef'), 'levenshtein:1');
    assert.equal(levelOf('levenshtein', 'abcdef', 'uvwxyz'), 'else');
  });

  it('every comparison type has a null level first and an else level last', () => {
    for (const type of Object.keys(COMPARISON_TYPES) as ComparisonType[]) {
      const codes = describeLevels(specOf(type)).map((level) => level.code);
      assert.equal(codes[0], 'null');
      assert.equal(codes.at(-1), 'else');
    }
  });

  it('compares a block of pairs exactly as it compares one pair at a time', () => {
    const names = ['王晓明', '王小明', '王晓敏', '王明', '王伟', '李丽', '李莉', '欧阳修远', null];
    const dates = ['1990-03-05', '1990-05-03', '1990-03-20', '1990-11-01', '1991-03-05', '19900305', null];
    const ids = [
      '110105194912310021',
      '110105194912310081',
      '110105194921310021',
      '110105200001010021',
      null,
    ];
    const places = ['620881100201', '620881100202', '620881100', '620881101201', '620802100201', null];
    const strings = ['MARTHA', 'MARHTA', 'MARTA', 'DWAYNE', null];
    const cases: [ComparisonType, (string | null)[]][] = [
      ['han-name', names],
      ['date', dates],
      ['id-number', ids],
      ['place', places],
      ['jaro-winkler', strings],
      ['levenshtein', strings],
    ];
    for (const [type, pool] of cases) {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 6 }),
          fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 8 }),
          (left, right, lefts) => {
            const spec = specOf(type);
            const comparison = prepareComparison(spec, buildValueTable(spec.valueKind, left, right, NULLS), {
              matrixValues: 0,
            });
            const members = Int32Array.from(right.keys());
            // lefts ≥ 4 gathers the block's features; fewer reads them in place.
            comparison.beginBlock(members, 0, right.length, lefts);
            const sel = Int32Array.from(right.keys());
            for (let i = 0; i < left.length; i++) {
              const codes = new Int32Array(right.length);
              comparison.accumulate(i, sel, right.length, codes, 1);
              assert.deepEqual(
                Array.from(codes),
                right.map((_, j) => comparison.level(i, j)),
              );
            }
          },
        ),
      );
    }
  });
});

describe('value tables', () => {
  it('interns values by their reading, counts them, and keeps unreadable ones apart from missing ones', () => {
    const table = buildValueTable(
      'date',
      ['1990-03-05', '19900305', 'soon', null, '不详'],
      ['1990/3/5', '1991-01-01', ''],
      NULLS,
    );
    assert.deepEqual(Array.from(table.left), [0, 0, -1, -1, -1]);
    assert.deepEqual(Array.from(table.right), [0, 1, -1]);
    assert.deepEqual(table.values, ['1990-03-05', '1991-01-01']);
    assert.deepEqual(Array.from(table.counts), [3, 1]);
    assert.equal(table.present, 4);
    assert.equal(table.unreadable, 1);
  });

  it('interns many distinct ID numbers, each once', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `1101051990${String(i).padStart(8, '0')}`);
    const table = buildValueTable('id', [...ids, ids[17]!], [ids[4999]!, 'x'], NULLS);
    assert.equal(table.values.length, 5001);
    assert.equal(table.left[5000], 17);
    assert.equal(table.right[0], 4999);
    assert.equal(table.right[1], 5000, 'a value in another form is read, not refused');
  });
});
