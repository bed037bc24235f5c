import type { HukouType, MaritalStatus, ResidenceType, Sex } from '../../db/schema.ts';
import { type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import {
  checkEventDate,
  checkMarriageAge,
  checkOneOf,
  checkParentAge,
  checkPersonName,
} from '../../domain/person-rules.ts';
import { nameKeys } from '../../domain/pinyin.ts';
import { checkResidentId } from '../../domain/resident-id.ts';
import { checkPersonIdNumber } from '../id-number.ts';
import { COLUMN_BY_FIELD, type ColumnMap, PERSON_COLUMNS, type PersonField } from './person-columns.ts';
import type { TableRow } from './table-row.ts';
import {
  buildValueLookup,
  ETHNICITY_VALUES,
  HUKOU_VALUES,
  MARITAL_VALUES,
  normaliseValue,
  RELATION_VALUES,
  RESIDENCE_VALUES,
  SEX_VALUES,
  type ValueChoice,
} from './value-aliases.ts';

/** A row that passed every rule that needs no database, normalised to what is stored. */
export interface ValidPersonRow {
  rowNo: number;
  /** What finds this row's person again on re-import: the source key, else the ID number, else household + name + birth date. */
  importKey: string;
  sourceKey: string | null;
  idNumber: string | null;
  householdNo: string | null;
  orgCode: string;
  name: string;
  namePinyin: string;
  nameInitials: string;
  sex: Sex;
  birthDate: string;
  ethnicity: string | null;
  hukouType: HukouType | null;
  maritalStatus: MaritalStatus | null;
  phone: string | null;
  relationToHead: string | null;
  residenceType: ResidenceType;
  residenceFrom: string;
  motherIdNumber: string | null;
}

/** The row's cells by field, as they were in the file: what the quarantine keeps. */
export type RawPersonRow = Partial<Record<PersonField, string>>;

/** A row's verdict; a failed row carries its raw cells for the quarantine (a good one has them in the file). */
export type RowCheck =
  | { ok: true; row: ValidPersonRow }
  | { ok: false; issues: FieldIssue[]; raw: RawPersonRow };

export interface RowRules {
  /** The county being imported into. */
  countyCode: string;
  /** Every village/community code loaded, with its county. */
  villages: ReadonlyMap<string, string>;
  today: string;
  /** Skip the pinyin (replaying rows already committed, to rebuild the duplicate check). */
  withoutPinyin?: boolean;
  /**
   * The units (subtree roots) whose villages this import may write: a row in a village outside
   * them is refused as `outside_units`. Undefined: the whole county.
   */
  scope?: readonly string[];
}

const LOOKUPS = {
  sex: buildValueLookup(SEX_VALUES),
  hukouType: buildValueLookup(HUKOU_VALUES),
  maritalStatus: buildValueLookup(MARITAL_VALUES),
  residenceType: buildValueLookup(RESIDENCE_VALUES),
  relationToHead: buildValueLookup(RELATION_VALUES),
  ethnicity: buildValueLookup(ETHNICITY_VALUES),
};

const LABELS: Record<keyof typeof LOOKUPS, { zh: string; en: string }> = {
  sex: { zh: '性别', en: 'Sex' },
  hukouType: { zh: '户口性质', en: 'Hukou type' },
  maritalStatus: { zh: '婚姻状况', en: 'Marital status' },
  residenceType: { zh: '人口类型', en: 'Residence type' },
  relationToHead: { zh: '与户主关系', en: 'Relation to head' },
  ethnicity: { zh: '民族', en: 'Ethnicity' },
};

const CHOICES: Record<keyof typeof LOOKUPS, readonly ValueChoice[]> = {
  sex: SEX_VALUES,
  hukouType: HUKOU_VALUES,
  maritalStatus: MARITAL_VALUES,
  residenceType: RESIDENCE_VALUES,
  relationToHead: RELATION_VALUES,
  ethnicity: ETHNICITY_VALUES,
};

/** Reads a code-list cell; an unknown value is reported with the list's zh-CN labels. */
function readChoice(
  list: keyof typeof LOOKUPS,
  value: string,
  issues: FieldIssue[],
): string | null | undefined {
  if (value === '') return null;
  const lookup = LOOKUPS[list];
  const code = lookup.get(value) ?? lookup.get(normaliseValue(value));
  if (code !== undefined) return code;
  const labels = CHOICES[list].map((choice) => choice.zh);
  issues.push(checkOneOf(value, labels, list, LABELS[list])!);
  return undefined;
}

const DATE_PARTS =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** The forms of a date people type, as YYYY-MM-DD; anything else is returned as it is, for checkDate to refuse. */
export function normaliseDate(value: string): string {
  if (value.length === 10 && value[4] === '-' && value[7] === '-') return value;
  const text = value.normalize('NFKC').trim();
  const match = DATE_PARTS.exec(text) ?? DATE_COMPACT.exec(text);
  if (!match) return text;
  return `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
}

const EXAMPLE_ID = COLUMN_BY_FIELD.get('idNumber')!.example;
const EXAMPLE_NAME = COLUMN_BY_FIELD.get('name')!.example;

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$/;

/** A phone number without spaces and the +86 prefix; mobile or landline with area code. */
function readPhone(value: string, issues: FieldIssue[]): string | null {
  if (value === '') return null;
  if (MOBILE.test(value)) return value;
  const phone = value
    .normalize('NFKC')
    .replace(/[\s()]/g, '')
    .replace(/^(\+?86|0086)(?=1\d{10}$)/, '');
  if (MOBILE.test(phone) || LANDLINE.test(phone)) return phone;
  issues.push(
    fieldIssue(
      'invalid_phone',
      'phone',
      `联系电话应为 11 位手机号或带区号的固定电话：${value}`,
      `A phone number is an 11-digit mobile number or a landline with its area code: ${value}`,
    ),
  );
  return null;
}

const BIRTH_LABEL = { zh: '出生日期', en: 'Birth date' };
const FROM_LABEL = { zh: '居住起始日期', en: 'Residence start date' };

// A million rows carry a few tens of thousands of distinct dates: check each once (per field and
// today). The issues are the rule's own, only remembered.
const dateChecks = new Map<string, { today: string; byValue: Map<string, FieldIssue[]> }>();
function checkDateOnce(
  value: string,
  field: string,
  today: string,
  label: { zh: string; en: string },
): FieldIssue[] {
  let cache = dateChecks.get(field);
  if (!cache || cache.today !== today || cache.byValue.size >= 100_000) {
    cache = { today, byValue: new Map() };
    dateChecks.set(field, cache);
  }
  let issues = cache.byValue.get(value);
  if (!issues) {
    issues = checkEventDate(value, field, { today }, label);
    cache.byValue.set(value, issues);
  }
  return issues;
}

// Names repeat (a county has far fewer distinct names than persons): remember their keys.
const pinyinCache = new Map<string, { pinyin: string; initials: string }>();
function pinyinOf(name: string): { pinyin: string; initials: string } {
  let keys = pinyinCache.get(name);
  if (!keys) {
    const full = nameKeys(name);
    keys = { pinyin: full.pinyin, initials: full.initials };
    if (pinyinCache.size >= 200_000) pinyinCache.clear();
    pinyinCache.set(name, keys);
  }
  return keys;
}

/** The row's cells by field. */
export function rawOf(row: TableRow, columns: ColumnMap): RawPersonRow {
  const raw: RawPersonRow = {};
  for (const column of PERSON_COLUMNS) {
    const index = columns.index[column.field];
    if (index !== undefined) raw[column.field] = row.cells[index] ?? '';
  }
  return raw;
}

/** An ID-number cell (column `index`) that was a number in Excel and has lost its last digits. */
export function idNumberLostDigits(row: TableRow, index: number | undefined): boolean {
  if (index === undefined || !row.numeric?.includes(index)) return false;
  return (row.cells[index] ?? '').replace(/\D/g, '').length > 15;
}

function lostDigits(row: TableRow, columns: ColumnMap, field: PersonField): boolean {
  return idNumberLostDigits(row, columns.index[field]);
}

/** The issue for an ID number idNumberLostDigits found. */
export function numberStoredAsNumber(field: string): FieldIssue {
  return fieldIssue(
    'id_number_not_text',
    field,
    '身份号码在 Excel 中存成了数字，后几位已经丢失；请把该列设为“文本”格式后重新填写',
    'The ID number was stored as a number in Excel and its last digits are lost; format the column as text and enter it again',
  );
}

/**
 * Checks one row with the same pure rules the registry commands use: name, sex, dates, the ID
 * number (structure, check character, agreement with birth date and sex), code lists, village,
 * mother's ID number. Everything that needs the registry (duplicates, households, conflicts) is
 * checked set-wise when the chunk is written.
 */
export function validatePersonRow(row: TableRow, columns: ColumnMap, rules: RowRules): RowCheck {
  const cells = row.cells;
  const index = columns.index;
  const cell = (field: PersonField) => {
    const i = index[field];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const issues: FieldIssue[] = [];
  const push = (issue: FieldIssue | undefined) => {
    if (issue) issues.push(issue);
  };

  const name = cell('name');
  push(checkPersonName(name, 'name'));
  const sex = readChoice('sex', cell('sex'), issues) as Sex | null | undefined;
  if (sex === null) push(fieldIssue('required', 'sex', '请填写性别', 'Sex is required'));
  const birthDate = normaliseDate(cell('birthDate'));
  const birthIssues = checkDateOnce(birthDate, 'birthDate', rules.today, BIRTH_LABEL);
  issues.push(...birthIssues);
  const birthOk = birthIssues.length === 0;

  let idNumber: string | null = null;
  if (lostDigits(row, columns, 'idNumber')) {
    issues.push(numberStoredAsNumber('idNumber'));
  } else {
    const person = { birthDate: birthOk ? birthDate : undefined, sex: sex ?? undefined };
    const id = checkPersonIdNumber(cell('idNumber'), 'idNumber', person, rules.today);
    issues.push(...id.issues);
    idNumber = id.idNumber;
  }

  const ethnicity = readChoice('ethnicity', cell('ethnicity'), issues);
  const hukouType = readChoice('hukouType', cell('hukouType'), issues) as HukouType | null | undefined;
  const maritalStatus = readChoice('maritalStatus', cell('maritalStatus'), issues) as
    | MaritalStatus
    | null
    | undefined;
  if (maritalStatus && maritalStatus !== 'single' && sex && birthOk) {
    // Married (or once married) today means of marriage age today, at the least.
    push(checkMarriageAge(birthDate, sex, rules.today, 'maritalStatus'));
  }
  const phone = readPhone(cell('phone'), issues);
  const relationToHead = readChoice('relationToHead', cell('relationToHead'), issues);

  const householdNo = cell('householdNo');
  if (householdNo.length > 40) {
    issues.push(
      fieldIssue(
        'too_long',
        'householdNo',
        '户号过长（最多 40 字）',
        'Household number is too long (max 40)',
      ),
    );
  }

  const orgCode = cell('villageCode');
  if (!/^\d{12}$/.test(orgCode)) {
    issues.push(
      fieldIssue(
        orgCode === '' ? 'required' : 'invalid_village',
        'villageCode',
        `请填写 12 位村（居）代码：${orgCode}`,
        `A 12-digit village/community code is required: ${orgCode}`,
      ),
    );
  } else {
    const county = rules.villages.get(orgCode);
    if (county === undefined) {
      issues.push(
        fieldIssue(
          'unknown_village',
          'villageCode',
          `没有代码为 ${orgCode} 的村（居）`,
          `No village/community with code ${orgCode}`,
        ),
      );
    } else if (county !== rules.countyCode) {
      issues.push(
        fieldIssue(
          'village_outside_county',
          'villageCode',
          `村（居）${orgCode} 不在本次导入的县 ${rules.countyCode} 内`,
          `Village ${orgCode} is not in county ${rules.countyCode}, which this import is for`,
        ),
      );
    } else if (rules.scope && !rules.scope.some((unit) => orgCode.startsWith(unit))) {
      issues.push(
        fieldIssue(
          'outside_units',
          'villageCode',
          `村（居）${orgCode} 不在您的管辖范围（${rules.scope.join('、')}）内`,
          `Village ${orgCode} is outside your units (${rules.scope.join(', ')})`,
        ),
      );
    }
  }

  const residenceType = readChoice('residenceType', cell('residenceType'), issues) as
    | ResidenceType
    | null
    | undefined;
  if (residenceType === null) {
    issues.push(fieldIssue('required', 'residenceType', '请填写人口类型', 'Residence type is required'));
  }
  const residenceFrom = normaliseDate(cell('residenceFrom'));
  // Half the rows of a county's file are persons born where they live: the date just passed.
  const fromIssues =
    birthOk && residenceFrom === birthDate
      ? []
      : checkDateOnce(residenceFrom, 'residenceFrom', rules.today, FROM_LABEL);
  if (fromIssues.length === 0 && birthOk && residenceFrom < birthDate) {
    issues.push(
      ...checkEventDate(residenceFrom, 'residenceFrom', { today: rules.today, birthDate }, FROM_LABEL),
    );
  } else {
    issues.push(...fromIssues);
  }

  let motherIdNumber: string | null = null;
  const motherCell = cell('motherIdNumber');
  if (lostDigits(row, columns, 'motherIdNumber')) {
    issues.push(numberStoredAsNumber('motherIdNumber'));
  } else if (motherCell !== '') {
    const mother = checkResidentId(motherCell, { field: 'motherIdNumber', today: rules.today });
    if (!mother.ok) {
      issues.push(...mother.issues);
    } else {
      motherIdNumber = mother.value.number;
      if (motherIdNumber === idNumber) {
        issues.push(
          fieldIssue(
            'mother_is_self',
            'motherIdNumber',
            '母亲身份号码与本人相同',
            "The mother's ID number is the person's own",
          ),
        );
      } else if (mother.value.sex !== 'female') {
        issues.push(
          fieldIssue(
            'mother_not_female',
            'motherIdNumber',
            '母亲身份号码所示性别为男（第 17 位为奇数）',
            "The mother's ID number is a man's (its 17th digit is odd)",
          ),
        );
      } else if (birthOk) {
        push(checkParentAge(mother.value.birthDate, birthDate, 'mother', 'motherIdNumber'));
      }
    }
  }

  const sourceKey = cell('sourceKey');
  if (sourceKey.length > 100) {
    issues.push(
      fieldIssue('too_long', 'sourceKey', '来源编号过长（最多 100 字）', 'Source key is too long (max 100)'),
    );
  }
  for (let i = columns.width; i < row.cells.length; i++) {
    if ((row.cells[i] ?? '').trim() === '') continue;
    issues.push(
      fieldIssue(
        'extra_cells',
        'row',
        `第 ${i + 1} 列没有表头，不知道是什么数据：${row.cells[i]}`,
        `Column ${i + 1} has no header, so its value cannot be placed: ${row.cells[i]}`,
      ),
    );
    break;
  }

  if (idNumber === EXAMPLE_ID && name === EXAMPLE_NAME) {
    // Left in from the template: never a real person.
    issues.push(
      fieldIssue(
        'template_example_row',
        'row',
        '这是模板中的示例行，请删除后再导入',
        "This is the template's example row; delete it before importing",
      ),
    );
  }

  if (issues.length > 0) return { ok: false, issues, raw: rawOf(row, columns) };
  const trimmedName = name.trim();
  const keys = rules.withoutPinyin ? { pinyin: '', initials: '' } : pinyinOf(trimmedName);
  return {
    ok: true,
    row: {
      rowNo: row.rowNo,
      importKey: sourceKey || idNumber || `~${householdNo || orgCode}|${trimmedName}|${birthDate}`,
      sourceKey: sourceKey || null,
      idNumber,
      householdNo: householdNo || null,
      orgCode,
      name: trimmedName,
      namePinyin: keys.pinyin,
      nameInitials: keys.initials,
      sex: sex!,
      birthDate,
      ethnicity: ethnicity ?? null,
      hukouType: hukouType ?? null,
      maritalStatus: maritalStatus ?? null,
      phone,
      relationToHead: relationToHead ?? null,
      residenceType: residenceType!,
      residenceFrom,
      motherIdNumber,
    },
  };
}
