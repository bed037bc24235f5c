import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { type Lang, text } from '../domain/i18n.ts';
import { AUDIT_FIELDS, type AuditFieldId, displayValue } from './audit-fields.ts';

/**
 * The survey sheets of a field audit as one XLSX workbook: one row per listed member of each
 * sampled household, what the registry says beside a blank column for what the household says,
 * and blank rows for members the list lacks. Row 1 holds machine keys (hidden) so the filled
 * sheet can be read back whatever the headers' language; a hidden sheet names the audit.
 */

/** Blank rows per household for members the registry does not list (e.g. an unregistered baby). */
export const UNLISTED_ROWS = 2;
export const META_SHEET = 'renkou';
export const SURVEY_SHEET = 'survey';

export const FIXED_COLUMNS = [
  'key',
  'household_id',
  'household_no',
  'village',
  'address',
  'survey_date',
  'not_member',
] as const;

export function sheetColumns(fields: readonly AuditFieldId[]): string[] {
  return [...FIXED_COLUMNS, ...fields.flatMap((field) => [`registry:${field}`, `surveyed:${field}`]), 'note'];
}

const HEADERS: Record<(typeof FIXED_COLUMNS)[number] | 'note', { 'zh-CN': string; en: string }> = {
  key: text('记录号', 'Record'),
  household_id: text('户ID', 'Household id'),
  household_no: text('户号', 'Household no.'),
  village: text('村（居）', 'Village'),
  address: text('住址', 'Address'),
  survey_date: text('调查日期', 'Survey date'),
  not_member: text('查无此人（填“是”）', 'Not a member (write "yes")'),
  note: text('备注', 'Note'),
};

export interface AuditSheetData {
  audit: { id: number; county_code: string; unit_code: string; year: number; seed: string; fields: string[] };
  households: {
    household_id: number;
    household_no: string;
    org_code: string;
    village: string;
    address: string | null;
  }[];
  persons: { id: number; household_id: number; registry: Record<string, string | null> }[];
}

/** Reads what a sheet needs: the audit, its households and the listed persons. */
export async function loadAuditSheetData(db: Kysely<Schema>, auditId: number): Promise<AuditSheetData> {
  const audit = await db
    .selectFrom('field_audit')
    .select(['id', 'county_code', 'unit_code', 'year', 'seed', 'fields'])
    .where('id', '=', auditId)
    .executeTakeFirst();
  if (!audit) {
    throw new AppError('not_found', text(`没有编号为 ${auditId} 的抽查`, `No audit ${auditId}`), {
      field: 'audit',
    });
  }
  const households = await db
    .selectFrom('field_audit_household as a')
    .innerJoin('household as h', (join) =>
      join.onRef('h.county_code', '=', 'a.county_code').onRef('h.id', '=', 'a.household_id'),
    )
    .innerJoin('org_unit as o', 'o.code', 'a.org_code')
    .select(['a.household_id', 'h.household_no', 'a.org_code', 'o.name as village', 'h.address'])
    .where('a.county_code', '=', audit.county_code)
    .where('a.audit_id', '=', auditId)
    .orderBy('a.org_code')
    .orderBy('h.household_no')
    .execute();
  const persons = await db
    .selectFrom('field_audit_person')
    .select(['id', 'household_id', 'registry'])
    .where('county_code', '=', audit.county_code)
    .where('audit_id', '=', auditId)
    .where('person_id', 'is not', null)
    .orderBy('id')
    .execute();
  return { audit, households, persons: persons.map((p) => ({ ...p, registry: p.registry })) };
}

/** Writes the survey workbook of an audit. */
export async function writeAuditSheet(data: AuditSheetData, lang: Lang): Promise<Buffer> {
  const fields = data.audit.fields as AuditFieldId[];
  const columns = sheetColumns(fields);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'renkou';
  const sheet = workbook.addWorksheet(lang === 'en' ? 'Survey' : '入户核查表', {
    views: [{ state: 'frozen', xSplit: 3, ySplit: 2 }],
  });
  const keyRow = sheet.addRow(columns);
  keyRow.hidden = true;
  const header = sheet.addRow(
    columns.map((column) => {
      if (column in HEADERS) return HEADERS[column as keyof typeof HEADERS][lang];
      const [side, field] = column.split(':') as ['registry' | 'surveyed', AuditFieldId];
      const label = AUDIT_FIELDS.find((f) => f.id === field)!.label[lang];
      return side === 'registry'
        ? `${label}${lang === 'en' ? ' (registry)' : '（登记）'}`
        : `${label}${lang === 'en' ? ' (surveyed)' : '（核实）'}`;
    }),
  );
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  sheet.columns.forEach((column, index) => {
    const key = columns[index]!;
    column.width =
      key.startsWith('surveyed:') || key.startsWith('registry:') ? 16 : key === 'address' ? 24 : 12;
  });
  const byHousehold = new Map<number, AuditSheetData['persons']>();
  for (const person of data.persons) {
    const list = byHousehold.get(person.household_id) ?? [];
    list.push(person);
    byHousehold.set(person.household_id, list);
  }
  const surveyedFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF7D6' } };
  const addRow = (
    key: string,
    household: AuditSheetData['households'][number],
    registry: Record<string, string | null>,
  ) => {
    const values: (string | number)[] = columns.map((column) => {
      switch (column) {
        case 'key':
          return key;
        case 'household_id':
          return household.household_id;
        case 'household_no':
          return household.household_no;
        case 'village':
          return household.village;
        case 'address':
          return household.address ?? '';
        default:
          if (column.startsWith('registry:')) {
            const field = column.slice('registry:'.length) as AuditFieldId;
            return displayValue(field, registry[field] ?? null, lang);
          }
          return '';
      }
    });
    const row = sheet.addRow(values);
    columns.forEach((column, index) => {
      const cell = row.getCell(index + 1);
      cell.numFmt = '@';
      if (column.startsWith('surveyed:') || column === 'survey_date' || column === 'not_member') {
        cell.fill = surveyedFill;
        const field = AUDIT_FIELDS.find((f) => `surveyed:${f.id}` === column);
        if (field?.choices) {
          const list = Object.values(field.choices).map((label) => label[lang].replaceAll(',', ' '));
          cell.dataValidation = { type: 'list', allowBlank: true, formulae: [`"${list.join(',')}"`] };
        }
      }
    });
  };
  for (const household of data.households) {
    for (const person of byHousehold.get(household.household_id) ?? [])
      addRow(String(person.id), household, person.registry);
    for (let i = 1; i <= UNLISTED_ROWS; i++) addRow(`+${household.household_id}.${i}`, household, {});
  }
  const notes = workbook.addWorksheet(lang === 'en' ? 'Instructions' : '填表说明');
  const lines =
    lang === 'en'
      ? [
          `Field audit ${data.audit.id} of unit ${data.audit.unit_code}, ${data.audit.year} (seed ${data.audit.seed}).`,
          'Ask the household about each listed member; write what they say in the yellow "(surveyed)" columns.',
          'Write ✓ when the printed value is right; leave a cell blank if the field was not checked.',
          'If a listed person is no one of this household, write "yes" in "Not a member".',
          'Members the list lacks (e.g. a new baby): use the rows marked +, filling the surveyed columns.',
          'Do not change the first column or add columns: the sheet is read back by those.',
        ]
      : [
          `抽查编号 ${data.audit.id}，单位 ${data.audit.unit_code}，${data.audit.year} 年（随机种子 ${data.audit.seed}）。`,
          '逐一向住户核实所列成员，把住户所说的填在黄色的“（核实）”列。',
          '与登记一致可填 ✓；未核实的项留空。',
          '所列人员不是本户成员（查无此人、重复登记）的，在“查无此人”列填“是”。',
          '名单上没有的成员（如新生儿）填在标有 + 的空行的核实列。',
          '请勿改动第一列、请勿增删列：回收时据此读取。',
        ];
  for (const line of lines) notes.addRow([line]);
  notes.getColumn(1).width = 100;
  const meta = workbook.addWorksheet(META_SHEET, { state: 'veryHidden' });
  meta.addRow(['audit_id', data.audit.id]);
  meta.addRow(['county_code', data.audit.county_code]);
  meta.addRow(['seed', data.audit.seed]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
