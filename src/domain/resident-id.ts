import {
  type AreaDescription,
  type AreaDirectory,
  currentAreaDirectory,
  describeArea,
  isMainlandProvinceCode,
  isProvinceCode,
} from './area-codes.ts';
import { type Checked, type FieldIssue, fieldIssue } from './errors.ts';
import { type Text, text } from './i18n.ts';

/**
 * Resident ID numbers (公民身份号码, GB 11643-1999): 6-digit area code, 8-digit birth date,
 * 3-digit sequence (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.
 * The same 18-character form is used by the residence permits of Hong Kong, Macao and Taiwan
 * residents (area codes 810000, 820000, 830000) and by the foreigner permanent-residence ID card
 * issued since 2023-12-01 (first digit 9). Legacy 15-digit numbers are converted to 18.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function computeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Builds a full 18-character number from its parts (sequence 1..999). */
export function composeResidentId(areaCode: string, birthDate: string, sequence: number): string {
  const first17 = `${areaCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return first17 + computeCheckChar(first17);
}

/** The sex the sequence encodes: odd = male, even = female. */
export function sexFromSequence(sequence: number): 'male' | 'female' {
  return sequence % 2 === 1 ? 'male' : 'female';
}

export type Sex = 'male' | 'female';

/** Which document the number belongs to. */
export type ResidentIdKind = 'resident' | 'hk' | 'mo' | 'tw' | 'foreigner';

/** A valid, decoded ID number. */
export interface ResidentId {
  /** The normalised 18-character number (upper-case X; a legacy 15-digit number converted). */
  number: string;
  kind: ResidentIdKind;
  /** The input was a legacy 15-digit number (born 19YY) and `number` is its 18-character form. */
  legacy15: boolean;
  /** 6 digits. For a foreigner card, the issuing office's province code padded with zeros. */
  areaCode: string;
  /** Current names of the area ("甘肃省平凉市华亭市"), as far as today's division list knows them. */
  areaName: string | undefined;
  /** False for a code not in today's division list: a retired code, still valid for a number. */
  isCurrentArea: boolean;
  /** YYYY-MM-DD. */
  birthDate: string;
  sex: Sex;
  /** The 3-digit sequence code (its parity is the sex). */
  sequence: number;
  checkChar: string;
  /** Foreigner card only: the 3-digit numeric nationality code (GB/T 2659, ISO 3166-1 numeric). */
  nationalityCode?: string;
  /** Things worth knowing that do not make the number invalid (a retired area code). */
  notes: FieldIssue[];
}

export interface CheckResidentIdOptions {
  /** Field path for the issues; `idNumber` unless told. */
  field?: string;
  /** The date births may not come after, YYYY-MM-DD; today's local date unless told. */
  today?: string;
  /** Where area names come from; today's division list unless told. */
  areas?: AreaDirectory;
}

const KIND_TEXT: Record<ResidentIdKind, Text> = {
  resident: text('居民身份证', 'resident ID card'),
  hk: text('港澳台居民居住证（香港居民）', 'residence permit for Hong Kong residents'),
  mo: text('港澳台居民居住证（澳门居民）', 'residence permit for Macao residents'),
  tw: text('港澳台居民居住证（台湾居民）', 'residence permit for Taiwan residents'),
  foreigner: text('外国人永久居留身份证', 'foreigner permanent-residence ID card'),
};

/** The name of the document a kind of number belongs to, in both languages. */
export function describeResidentIdKind(kind: ResidentIdKind): Text {
  return KIND_TEXT[kind];
}

const PERMIT_KIND: Record<string, ResidentIdKind> = { '81': 'hk', '82': 'mo', '83': 'tw' };

/**
 * What people type, made comparable: full-width characters folded (NFKC), spaces and hyphens
 * removed, x upper-cased. Does not validate.
 */
export function normaliseResidentIdInput(input: string): string {
  // Nearly every number is typed as it should be; an import checks a million of them.
  if (/^[0-9X]*$/.test(input)) return input;
  return input
    .normalize('NFKC')
    .replace(/[\s\-‐‑‒–—―]/g, '')
    .toUpperCase();
}

/** Today's local calendar date as YYYY-MM-DD. */
function localToday(): string {
  const now = new Date();
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** Checks the 8-digit birth date; returns it as YYYY-MM-DD or an issue. */
function checkBirthDate(yyyymmdd: string, field: string, today: string): string | FieldIssue {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  if (!isRealDate(year, month, day)) {
    return fieldIssue(
      'resident_id_birth_date',
      field,
      `身份号码中的出生日期 ${yyyymmdd} 不是有效日期`,
      `The birth date in the ID number, ${yyyymmdd}, is not a real date`,
    );
  }
  if (year < 1900) {
    return fieldIssue(
      'resident_id_birth_too_early',
      field,
      `身份号码中的出生日期 ${iso} 早于 1900 年`,
      `The birth date in the ID number, ${iso}, is before 1900`,
    );
  }
  if (iso > today) {
    return fieldIssue(
      'resident_id_birth_in_future',
      field,
      `身份号码中的出生日期 ${iso} 晚于今天（${today}）`,
      `The birth date in the ID number, ${iso}, is after today (${today})`,
    );
  }
  return iso;
}

const describedAreas = new WeakMap<AreaDirectory, Map<string, AreaDescription>>();

/** describeArea, memoised per directory: an import checks a million numbers from a few hundred codes. */
function describeAreaCached(code: string, directory: AreaDirectory): AreaDescription {
  let cache = describedAreas.get(directory);
  if (!cache) {
    cache = new Map();
    describedAreas.set(directory, cache);
  }
  let described = cache.get(code);
  if (!described) {
    described = describeArea(code, directory);
    cache.set(code, described);
  }
  return described;
}

/**
 * Validates and decodes a resident ID number (or a residence permit or foreigner card number
 * in the same form). Every problem found is reported, each with a stable code. Messages never
 * repeat the whole number, so they can go into reports and logs.
 */
export function checkResidentId(input: string, options: CheckResidentIdOptions = {}): Checked<ResidentId> {
  const field = options.field ?? 'idNumber';
  const fail = (issue: FieldIssue): Checked<ResidentId> => ({ ok: false, issues: [issue] });
  const id = normaliseResidentIdInput(input);

  if (id === '') {
    return fail(fieldIssue('resident_id_empty', field, '身份号码为空', 'The ID number is empty'));
  }
  if (/^[A-Z]{3}\d{12}$/.test(id)) {
    // 3 letters of nationality + 12 digits: the foreigner card issued 2004–2023. Its check digit
    // is not published in a standard renkou can cite, so it cannot be verified here.
    return fail(
      fieldIssue(
        'resident_id_legacy_foreigner',
        field,
        '这是旧版（2023 年 12 月以前）外国人永久居留身份证号码，无法核验其校验位；请填写新版证件上以 9 开头的 18 位号码',
        'This is a foreigner permanent-residence card number in the format used before December 2023, whose check character cannot be verified; enter the 18-digit number starting with 9 from the current card',
      ),
    );
  }
  if (!/^[0-9X]+$/.test(id)) {
    return fail(
      fieldIssue(
        'resident_id_characters',
        field,
        '身份号码只能由数字和末位的 X 组成',
        'An ID number has digits only, with an X allowed as the last character',
      ),
    );
  }
  if (id.length !== 18 && id.length !== 15) {
    return fail(
      fieldIssue(
        'resident_id_length',
        field,
        `身份号码应为 18 位（旧号码 15 位），现有 ${id.length} 位`,
        `An ID number has 18 characters (15 for an old number); this one has ${id.length}`,
      ),
    );
  }
  if (id.length === 15 ? !/^\d{15}$/.test(id) : !/^\d{17}[\dX]$/.test(id)) {
    return fail(
      fieldIssue(
        'resident_id_x_position',
        field,
        'X 只能出现在 18 位身份号码的最后一位',
        'X may only be the last character of an 18-character ID number',
      ),
    );
  }

  const legacy15 = id.length === 15;
  // A 15-digit number is 6 area + YYMMDD + 3 sequence, all born 19YY; it has no check character.
  const first17 = legacy15 ? `${id.slice(0, 6)}19${id.slice(6)}` : id.slice(0, 17);
  const issues: FieldIssue[] = [];
  const notes: FieldIssue[] = [];

  let kind: ResidentIdKind = 'resident';
  let areaCode = first17.slice(0, 6);
  let nationalityCode: string | undefined;
  const lead = first17.slice(0, 2);
  if (!legacy15 && first17[0] === '9') {
    kind = 'foreigner';
    const province = first17.slice(1, 3);
    nationalityCode = first17.slice(3, 6);
    areaCode = `${province}0000`;
    if (!isMainlandProvinceCode(province)) {
      issues.push(
        fieldIssue(
          'resident_id_foreigner_province',
          field,
          `外国人永久居留身份证号码第 2–3 位应为受理地的省级代码，${province} 不是`,
          `Digits 2–3 of a foreigner card number are the province of the issuing office; ${province} is not a province code`,
        ),
      );
    }
    if (nationalityCode === '000') {
      issues.push(
        fieldIssue(
          'resident_id_nationality',
          field,
          '外国人永久居留身份证号码第 4–6 位应为国籍代码，000 不是',
          'Digits 4–6 of a foreigner card number are a nationality code; 000 is not one',
        ),
      );
    }
  } else if (!legacy15 && PERMIT_KIND[lead]) {
    kind = PERMIT_KIND[lead]!;
    if (areaCode !== `${lead}0000`) {
      issues.push(
        fieldIssue(
          'resident_id_permit_area',
          field,
          `港澳台居民居住证号码的地址码只能是 810000、820000 或 830000，不是 ${areaCode}`,
          `The area code of a residence permit for Hong Kong, Macao or Taiwan residents is 810000, 820000 or 830000, not ${areaCode}`,
        ),
      );
    }
  } else if (legacy15 ? !isMainlandProvinceCode(lead) : !isProvinceCode(lead)) {
    issues.push(
      fieldIssue(
        'resident_id_area',
        field,
        `地址码 ${areaCode} 无效：${lead} 不是省级行政区代码`,
        `The area code ${areaCode} is not valid: ${lead} is not a province code`,
      ),
    );
  }

  const birth = checkBirthDate(first17.slice(6, 14), field, options.today ?? localToday());
  if (typeof birth !== 'string') issues.push(birth);

  const expected = computeCheckChar(first17);
  const checkChar = legacy15 ? expected : id[17]!;
  if (checkChar !== expected) {
    issues.push(
      fieldIssue(
        'resident_id_check_char',
        field,
        `校验码不符：号码中可能有数字输错（按前 17 位，末位应为 ${expected}，实际为 ${checkChar}）`,
        `The check character does not match: a digit may be mistyped (for these first 17 digits the last character would be ${expected}, not ${checkChar})`,
      ),
    );
  }

  if (issues.length > 0 || typeof birth !== 'string') return { ok: false, issues };

  const area = describeAreaCached(areaCode, options.areas ?? currentAreaDirectory());
  if (kind === 'resident' && !area.isCurrent) {
    notes.push(
      fieldIssue(
        'resident_id_area_not_current',
        field,
        `地址码 ${areaCode} 不是现行区划代码（多为撤并前的旧代码），号码仍然有效`,
        `The area code ${areaCode} is not a current division code (usually one retired by a merger); the number is still valid`,
      ),
    );
  }
  if (legacy15) {
    notes.push(
      fieldIssue(
        'resident_id_legacy15',
        field,
        '15 位旧号码，已转换为 18 位',
        'An old 15-digit number, converted to 18 characters',
      ),
    );
  }
  const sequence = Number(first17.slice(14, 17));
  const value: ResidentId = {
    number: first17 + checkChar,
    kind,
    legacy15,
    areaCode,
    areaName: area.name,
    isCurrentArea: area.isCurrent,
    birthDate: birth,
    sex: sexFromSequence(sequence),
    sequence,
    checkChar,
    notes,
  };
  if (nationalityCode !== undefined) value.nationalityCode = nationalityCode;
  return { ok: true, value };
}

/** True when the number passes every rule of checkResidentId. */
export function isValidResidentId(input: string, options: CheckResidentIdOptions = {}): boolean {
  return checkResidentId(input, options).ok;
}

/** What a person's record says, to hold against their ID number. */
export interface StatedPerson {
  /** YYYY-MM-DD. */
  birthDate?: string | undefined;
  sex?: Sex | undefined;
}

export interface CheckIdMatchesPersonOptions extends CheckResidentIdOptions {
  /** Field paths for the person's birth date and sex; `birthDate` and `sex` unless told. */
  birthDateField?: string;
  sexField?: string;
}

/**
 * Holds an ID number against a person's stated birth date and sex. Returns no issues when they
 * agree; the ID's own issues when it is invalid; otherwise one issue per field that disagrees.
 */
export function checkIdMatchesPerson(
  id: string | ResidentId,
  person: StatedPerson,
  options: CheckIdMatchesPersonOptions = {},
): FieldIssue[] {
  let decoded: ResidentId;
  if (typeof id === 'string') {
    const checked = checkResidentId(id, options);
    if (!checked.ok) return checked.issues;
    decoded = checked.value;
  } else {
    decoded = id;
  }
  const issues: FieldIssue[] = [];
  if (person.birthDate !== undefined && person.birthDate !== decoded.birthDate) {
    issues.push(
      fieldIssue(
        'id_birth_date_mismatch',
        options.birthDateField ?? 'birthDate',
        `出生日期 ${person.birthDate} 与身份号码中的 ${decoded.birthDate} 不一致`,
        `The birth date ${person.birthDate} differs from ${decoded.birthDate} in the ID number`,
      ),
    );
  }
  if (person.sex !== undefined && person.sex !== decoded.sex) {
    const zh = { male: '男', female: '女' };
    issues.push(
      fieldIssue(
        'id_sex_mismatch',
        options.sexField ?? 'sex',
        `性别“${zh[person.sex]}”与身份号码（第 17 位）所示的“${zh[decoded.sex]}”不一致`,
        `The sex "${person.sex}" differs from "${decoded.sex}" encoded in the ID number (17th digit)`,
      ),
    );
  }
  return issues;
}

/** Masks a number for display and logs: first 6 and last 4 characters kept (620881********1234). */
export function maskResidentId(input: string): string {
  const id = normaliseResidentIdInput(input);
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
