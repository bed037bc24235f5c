import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readUpperDivisions } from '../org/division-source.ts';
import { createAreaDirectory, describeArea, PROVINCE_NAMES } from './area-codes.ts';
import {
  checkIdMatchesPerson,
  checkResidentId,
  composeResidentId,
  computeCheckChar,
  isValidResidentId,
  maskResidentId,
  normaliseResidentIdInput,
  type ResidentId,
  sexFromSequence,
} from './resident-id.ts';

const TODAY = '2025-06-01';

/**
 * ISO 7064 MOD 11-2 written from the standard, not from the module: weight 2^(18-i) mod 11 for
 * position i (1-based), check value c with (sum + c) mod 11 = 1, 10 written as X.
 */
function isoCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

/** A valid number built by the test's own check-character code. */
function make(first17: string): string {
  return first17 + isoCheckChar(first17);
}

function check(input: string, options: { field?: string; today?: string } = {}) {
  return checkResidentId(input, { today: TODAY, ...options });
}

function decodeValid(input: string): ResidentId {
  const result = check(input);
  assert.ok(result.ok, `expected ${input} to be valid: ${JSON.stringify(!result.ok && result.issues)}`);
  return result.value;
}

/** Asserts the number is invalid with exactly these issue codes, all on `field`. */
function assertIssues(input: string, codes: string[], field = 'idNumber', options: { field?: string } = {}) {
  const result = check(input, options);
  assert.equal(result.ok, false, `expected ${input} to be invalid`);
  if (result.ok) return;
  assert.deepEqual(
    result.issues.map((issue) => issue.code),
    codes,
  );
  for (const issue of result.issues) {
    assert.equal(issue.field, field);
    assert.ok(issue.message['zh-CN'].length > 0 && issue.message.en.length > 0);
  }
}

describe('resident ID numbers: the check character', () => {
  it('agrees with the GB 11643 example 11010519491231002X', () => {
    assert.equal(isoCheckChar('11010519491231002'), 'X');
    assert.equal(computeCheckChar('11010519491231002'), 'X');
    const id = decodeValid('11010519491231002X');
    assert.equal(id.checkChar, 'X');
    assert.equal(id.number, '11010519491231002X');
  });

  it('agrees with the ISO algorithm for every check value 0–10', () => {
    const seen = new Set<string>();
    for (let sequence = 1; seen.size < 11; sequence++) {
      const first17 = `62088119900101${String(sequence).padStart(3, '0')}`;
      const expected = isoCheckChar(first17);
      assert.equal(computeCheckChar(first17), expected);
      assert.ok(isValidResidentId(first17 + expected, { today: TODAY }));
      seen.add(expected);
    }
  });

  it('refuses a wrong check character', () => {
    const good = make('62088119900101123');
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    assertIssues(wrong, ['resident_id_check_char']);
  });

  it('keeps the builders other modules use working', () => {
    assert.equal(composeResidentId('110105', '1949-12-31', 2), '11010519491231002X');
    assert.equal(sexFromSequence(1), 'male');
    assert.equal(sexFromSequence(2), 'female');
  });
});

describe('resident ID numbers: input forms', () => {
  it('accepts a lower-case x and normalises it to X', () => {
    assert.equal(decodeValid('11010519491231002x').number, '11010519491231002X');
  });

  it('strips spaces and hyphens and folds full-width characters', () => {
    assert.equal(decodeValid(' 110105 19491231 002X ').number, '11010519491231002X');
    assert.equal(decodeValid('110105-1949-1231-002x').number, '11010519491231002X');
    assert.equal(decodeValid('１１０１０５１９４９１２３１００２Ｘ').number, '11010519491231002X');
  });

  it('folds any input the same way, whether it is typed as stored or not', () => {
    // The rule written out in full: the module skips it for input that is digits and X already.
    const fold = (input: string) =>
      input
        .normalize('NFKC')
        .replace(/[\s\-‐‑‒–—―]/g, '')
        .toUpperCase();
    const typed = fc.oneof(
      fc.stringMatching(/^[0-9Xx]{0,20}$/),
      fc.stringMatching(/^[0-9Xx \-０-９Ｘｘ‐—]{0,20}$/),
      fc.string(),
    );
    fc.assert(fc.property(typed, (input) => normaliseResidentIdInput(input) === fold(input)));
    assert.equal(normaliseResidentIdInput('11010519491231002X'), '11010519491231002X');
    assert.equal(normaliseResidentIdInput('11010519491231002x'), '11010519491231002X');
  });

  it('refuses an empty number', () => {
    assertIssues('', ['resident_id_empty']);
    assertIssues('  - ', ['resident_id_empty']);
  });

  it('refuses characters other than digits and X', () => {
    assertIssues('11010519491231002Y', ['resident_id_characters']);
    assertIssues('110105194912310０2A', ['resident_id_characters']);
  });

  it('refuses a wrong length', () => {
    assertIssues('1101051949123100', ['resident_id_length']);
    assertIssues('11010519491231002X1', ['resident_id_length']);
  });

  it('refuses an X anywhere but the last place of 18', () => {
    assertIssues('1101051949123100X2', ['resident_id_x_position']);
    assertIssues('11010549123100X', ['resident_id_x_position']);
  });

  it('reports issues under the field it is told', () => {
    assertIssues('123', ['resident_id_length'], 'mother.idNumber', { field: 'mother.idNumber' });
  });
});

describe('resident ID numbers: decoding', () => {
  it('decodes area, birth date, sex and sequence', () => {
    const id = decodeValid(make('62088119900101123'));
    assert.equal(id.kind, 'resident');
    assert.equal(id.areaCode, '620881');
    assert.equal(id.areaName, '甘肃省平凉市华亭市');
    assert.equal(id.isCurrentArea, true);
    assert.equal(id.birthDate, '1990-01-01');
    assert.equal(id.sequence, 123);
    assert.equal(id.sex, 'male');
    assert.equal(id.legacy15, false);
    assert.deepEqual(id.notes, []);
  });

  it('reads an odd sequence as male and an even one (0 included) as female', () => {
    assert.equal(decodeValid(make('62088119900101121')).sex, 'male');
    assert.equal(decodeValid(make('62088119900101122')).sex, 'female');
    assert.equal(decodeValid(make('62088119900101120')).sex, 'female');
  });

  it('keeps a retired county code valid, reported as not current, with the names still known', () => {
    // 622725 was 平凉地区华亭县 before 平凉 became a prefecture-level city (now 620881 华亭市).
    const id = decodeValid(make('62272519800101123'));
    assert.equal(id.isCurrentArea, false);
    assert.equal(id.areaName, '甘肃省');
    assert.deepEqual(
      id.notes.map((note) => note.code),
      ['resident_id_area_not_current'],
    );
  });

  it('refuses an area code whose province does not exist', () => {
    assertIssues(make('00010519491231002'), ['resident_id_area']);
    assertIssues(make('72010519491231002'), ['resident_id_area']);
    assertIssues(make('10010519491231002'), ['resident_id_area']);
  });

  it('reports every independent problem at once', () => {
    const bad = '000105194902300021';
    const result = check(bad);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual(
        result.issues.map((issue) => issue.code),
        ['resident_id_area', 'resident_id_birth_date', 'resident_id_check_char'],
      );
    }
  });

  it('takes names from the directory it is given', () => {
    const areas = createAreaDirectory([
      { code: '62', name: '甘肃省' },
      { code: '6208', name: '平凉市' },
      { code: '620881', name: '华亭市' },
    ]);
    const result = checkResidentId(make('62088119900101123'), { today: TODAY, areas });
    assert.ok(result.ok);
    assert.equal(result.value.areaName, '甘肃省平凉市华亭市');
    const other = checkResidentId(make('62080219900101123'), { today: TODAY, areas });
    assert.ok(other.ok);
    assert.equal(other.value.isCurrentArea, false);
  });
});

describe('resident ID numbers: birth date', () => {
  it('refuses a date that is not on the calendar', () => {
    assertIssues(make('11010519900230002'), ['resident_id_birth_date']);
    assertIssues(make('11010519901301002'), ['resident_id_birth_date']);
    assertIssues(make('11010519900100002'), ['resident_id_birth_date']);
    // 1900 is not a leap year; 2000 is.
    assertIssues(make('11010519000229002'), ['resident_id_birth_date']);
    assert.equal(decodeValid(make('11010520000229002')).birthDate, '2000-02-29');
  });

  it('refuses a birth before 1900', () => {
    assertIssues(make('11010518991231002'), ['resident_id_birth_too_early']);
    assert.equal(decodeValid(make('11010519000101002')).birthDate, '1900-01-01');
  });

  it('refuses a birth after today, and accepts today', () => {
    assertIssues(make('11010520250602002'), ['resident_id_birth_in_future']);
    assert.equal(decodeValid(make('11010520250601002')).birthDate, TODAY);
  });

  it('measures the future from the local date when no today is given', () => {
    assertIssues(make('11010521000101002'), ['resident_id_birth_in_future']);
    assert.ok(isValidResidentId(make('11010520000101002')));
  });
});

describe('resident ID numbers: legacy 15-digit numbers', () => {
  it('converts to 18 characters born 19YY and adds the check character', () => {
    const id = decodeValid('110105491231002');
    assert.equal(id.number, '11010519491231002X');
    assert.equal(id.legacy15, true);
    assert.equal(id.birthDate, '1949-12-31');
    assert.equal(id.sex, 'female');
    assert.equal(id.sequence, 2);
    assert.deepEqual(
      id.notes.map((note) => note.code),
      ['resident_id_legacy15'],
    );
  });

  it('applies the date and area rules to the old form', () => {
    assertIssues('110105490230002', ['resident_id_birth_date']);
    assertIssues('000105491231002', ['resident_id_area']);
    // 15-digit numbers were never issued for Hong Kong or Macao.
    assertIssues('810000491231002', ['resident_id_area']);
  });
});

describe('resident ID numbers: residence permits of Hong Kong, Macao and Taiwan residents', () => {
  it('recognises each kind by its area code', () => {
    const hk = decodeValid(make('81000019900101124'));
    assert.equal(hk.kind, 'hk');
    assert.equal(hk.areaName, '香港特别行政区');
    assert.equal(hk.isCurrentArea, true);
    assert.deepEqual(hk.notes, []);
    assert.equal(decodeValid(make('82000019900101124')).kind, 'mo');
    const tw = decodeValid(make('83000019900101123'));
    assert.equal(tw.kind, 'tw');
    assert.equal(tw.sex, 'male');
  });

  it('refuses any other area code under 81, 82 or 83', () => {
    assertIssues(make('81010019900101124'), ['resident_id_permit_area']);
    assertIssues(make('83000119900101124'), ['resident_id_permit_area']);
  });

  it('checks the check character like any other number', () => {
    const good = make('81000019900101124');
    assertIssues(good.slice(0, 17) + (good[17] === '1' ? '2' : '1'), ['resident_id_check_char']);
  });
});

describe('resident ID numbers: foreigner permanent-residence ID card', () => {
  it('decodes the 18-digit number starting with 9', () => {
    // 9, issued in Beijing (11), nationality 840 (United States), born 1985-07-20, sequence 123.
    const id = decodeValid(make('91184019850720123'));
    assert.equal(id.kind, 'foreigner');
    assert.equal(id.nationalityCode, '840');
    assert.equal(id.areaCode, '110000');
    assert.equal(id.areaName, '北京市');
    assert.equal(id.birthDate, '1985-07-20');
    assert.equal(id.sex, 'male');
  });

  it('refuses an issuing province that does not exist', () => {
    assertIssues(make('90084019850720123'), ['resident_id_foreigner_province']);
    assertIssues(make('98184019850720123'), ['resident_id_foreigner_province']);
  });

  it('refuses nationality 000', () => {
    assertIssues(make('91100019850720123'), ['resident_id_nationality']);
  });

  it('refuses a wrong check character and a bad birth date', () => {
    const good = make('91184019850720123');
    assertIssues(good.slice(0, 17) + (good[17] === '1' ? '2' : '1'), ['resident_id_check_char']);
    assertIssues(make('91184019850732123'), ['resident_id_birth_date']);
  });

  it('recognises the old 15-character card and says why it cannot be accepted', () => {
    assertIssues('USA110085072012', ['resident_id_legacy_foreigner']);
    assertIssues('usa 1100 850720 12', ['resident_id_legacy_foreigner']);
  });
});

describe('resident ID numbers: against a person', () => {
  const id = make('62088119900101123');

  it('finds nothing when birth date and sex agree', () => {
    assert.deepEqual(
      checkIdMatchesPerson(id, { birthDate: '1990-01-01', sex: 'male' }, { today: TODAY }),
      [],
    );
    assert.deepEqual(checkIdMatchesPerson(id, {}, { today: TODAY }), []);
  });

  it('reports a different birth date on the birthDate field', () => {
    const issues = checkIdMatchesPerson(id, { birthDate: '1990-01-02', sex: 'male' }, { today: TODAY });
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.field]),
      [['id_birth_date_mismatch', 'birthDate']],
    );
  });

  it('reports a different sex on the sex field', () => {
    const issues = checkIdMatchesPerson(id, { birthDate: '1990-01-01', sex: 'female' }, { today: TODAY });
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.field]),
      [['id_sex_mismatch', 'sex']],
    );
  });

  it('uses the field paths it is told, and takes a decoded number too', () => {
    const decoded = decodeValid(id);
    const issues = checkIdMatchesPerson(
      decoded,
      { birthDate: '1991-01-01', sex: 'female' },
      { birthDateField: 'child.birthDate', sexField: 'child.sex' },
    );
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.field]),
      [
        ['id_birth_date_mismatch', 'child.birthDate'],
        ['id_sex_mismatch', 'child.sex'],
      ],
    );
  });

  it("returns the number's own issues when it is invalid", () => {
    const issues = checkIdMatchesPerson('123', { birthDate: '1990-01-01' });
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.field]),
      [['resident_id_length', 'idNumber']],
    );
  });
});

describe('resident ID numbers: masking', () => {
  it('keeps the first 6 and the last 4 characters', () => {
    assert.equal(maskResidentId('620881199001011234'), '620881********1234');
    assert.equal(maskResidentId('62088119900101123x'), '620881********123X');
    assert.equal(maskResidentId('620881900101123'), '620881*****1123');
    assert.equal(maskResidentId('1234567'), '*******');
  });
});

describe('area codes', () => {
  it('holds the 31 mainland provinces of the division list, plus Taiwan, Hong Kong and Macao', () => {
    const listed = readUpperDivisions().filter((entry) => entry.level === 'province');
    assert.equal(listed.length, 31);
    for (const province of listed) assert.equal(PROVINCE_NAMES[province.code], province.name);
    assert.equal(Object.keys(PROVINCE_NAMES).length, 34);
  });

  it('names a code by its levels, without placeholders or repeats', () => {
    assert.equal(describeArea('110105').name, '北京市朝阳区');
    assert.equal(describeArea('441900').name, '广东省东莞市');
    assert.equal(describeArea('441900').isCurrent, true);
    assert.equal(describeArea('620800').name, '甘肃省平凉市');
    assert.equal(describeArea('620800').isCurrent, true);
    assert.equal(describeArea('620000').isCurrent, true);
    assert.equal(describeArea('620899').isCurrent, false);
  });
});

describe('resident ID numbers: properties', () => {
  const counties = readUpperDivisions().filter((entry) => entry.level === 'county');
  const areaCode = fc.oneof(
    fc.constantFrom(...counties.map((county) => county.code)),
    // Retired or unknown county codes under a real province stay valid.
    fc
      .tuple(fc.constantFrom(...Object.keys(PROVINCE_NAMES)), fc.integer({ min: 0, max: 9999 }))
      .filter(([province]) => province !== '81' && province !== '82')
      .map(([province, rest]) => province + String(rest).padStart(4, '0')),
    fc.constantFrom('810000', '820000', '830000'),
  );
  const birthDate = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10));
  const sequence = fc.integer({ min: 0, max: 999 });
  const validId = fc.tuple(areaCode, birthDate, sequence).map(([area, birth, seq]) => ({
    area,
    birth,
    seq,
    id: composeResidentId(area, birth, seq),
  }));

  it('validates any composed number and decodes it back to its parts', () => {
    fc.assert(
      fc.property(validId, ({ area, birth, seq, id }) => {
        const result = check(id);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
        assert.equal(result.value.number, id);
        assert.equal(result.value.areaCode, area);
        assert.equal(result.value.birthDate, birth);
        assert.equal(result.value.sequence, seq);
        assert.equal(result.value.sex, seq % 2 === 1 ? 'male' : 'female');
        assert.equal(result.value.checkChar, isoCheckChar(id.slice(0, 17)));
      }),
    );
  });

  it('detects every change of a single character', () => {
    const CHARS = '0123456789X';
    fc.assert(
      fc.property(
        validId,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 10 }),
        ({ id }, position, shift) => {
          const alphabet = position === 17 ? CHARS : CHARS.slice(0, 10);
          const index = alphabet.indexOf(id[position]!);
          const replacement = alphabet[(index + shift) % alphabet.length]!;
          fc.pre(replacement !== id[position]);
          const changed = id.slice(0, position) + replacement + id.slice(position + 1);
          const result = check(changed);
          assert.equal(result.ok, false);
          if (!result.ok) {
            assert.ok(result.issues.some((issue) => issue.code === 'resident_id_check_char'));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('detects every swap of two different neighbouring digits', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 15 }), ({ id }, position) => {
        fc.pre(id[position] !== id[position + 1]);
        const swapped = id.slice(0, position) + id[position + 1] + id[position] + id.slice(position + 2);
        const result = check(swapped);
        assert.equal(result.ok, false);
        if (!result.ok) {
          assert.ok(result.issues.some((issue) => issue.code === 'resident_id_check_char'));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
