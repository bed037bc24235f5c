import { composeResidentId } from '../../src/domain/resident-id.ts';
import { PERSON_COLUMNS, type PersonField } from '../../src/registry/import/person-columns.ts';
import { VILLAGE } from './registry.ts';

/** One row of a person import file, by field, as a user types it (zh-CN values). */
export type Row = Partial<Record<PersonField, string>>;

let sequence = 300;
/** A valid ID number for a person born in 华亭市; every call a new one. */
export function idFor(birthDate: string, sex: '男' | '女'): string {
  sequence += 2;
  return composeResidentId('620881', birthDate, sex === '男' ? sequence + 1 : sequence);
}

/** A valid row; overrides change single cells. */
export function person(overrides: Row = {}): Row {
  const sex = (overrides.sex ?? '男') as '男' | '女';
  const birthDate = overrides.birthDate ?? '1980-05-01';
  return {
    householdNo: 'H-0001',
    villageCode: VILLAGE,
    name: '王建国',
    sex,
    birthDate,
    idNumber: 'idNumber' in overrides ? overrides.idNumber : idFor(birthDate, sex),
    ethnicity: '汉族',
    hukouType: '农业',
    maritalStatus: '已婚',
    phone: '13800000001',
    relationToHead: '户主',
    residenceType: '户籍',
    residenceFrom: '2000-01-01',
    motherIdNumber: '',
    ...overrides,
  };
}

/** 王小明, the son of household A-1 born 2008-09-01, with his mother's ID number: the imports' family. */
export function sonOf(mother: Row, overrides: Row = {}): Row {
  return person({
    householdNo: 'A-1',
    name: '王小明',
    birthDate: '2008-09-01',
    maritalStatus: '未婚',
    relationToHead: '子女',
    residenceFrom: '2008-09-01',
    phone: '',
    motherIdNumber: mother.idNumber!,
    ...overrides,
  });
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV file in the template's columns (zh-CN headers, BOM, CRLF unless told otherwise). */
export function csvOf(rows: Row[], options: { bom?: boolean; eol?: string; english?: boolean } = {}): string {
  const eol = options.eol ?? '\r\n';
  const header = PERSON_COLUMNS.map((c) => (options.english ? c.en : c.zh)).join(',');
  const lines = rows.map((row) => PERSON_COLUMNS.map((c) => csvCell(row[c.field] ?? '')).join(','));
  return `${options.bom === false ? '' : '\uFEFF'}${[header, ...lines].join(eol)}${eol}`;
}
