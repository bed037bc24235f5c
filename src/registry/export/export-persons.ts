import type { Writable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../../domain/org-code.ts';
import { PERSON_COLUMNS, type PersonField } from '../import/person-columns.ts';
import { personSheetColumns } from '../import/template.ts';
import {
  ETHNICITY_VALUES,
  HUKOU_VALUES,
  labelOf,
  MARITAL_VALUES,
  RELATION_VALUES,
  RESIDENCE_VALUES,
  SEX_VALUES,
} from '../import/value-aliases.ts';
import { createTableWriter, type TableFormat } from './table-writer.ts';

export interface ExportPersonsInput {
  /** A unit code (county, township or village): its whole subtree is exported. */
  unit: string;
  format: TableFormat;
  /** Called with the number of persons written so far. */
  onProgress?: (written: number) => void;
}

interface ExportRow {
  id: number;
  household_no: string | null;
  current_org_code: string | null;
  name: string;
  sex: string;
  birth_date: string;
  id_number: string | null;
  ethnicity: string | null;
  hukou_type: string | null;
  marital_status: string | null;
  phone: string | null;
  relation_to_head: string | null;
  current_residence_type: string | null;
  residence_from: string | null;
  mother_id_number: string | null;
}

const PAGE = 5_000;

function cellsOf(row: ExportRow): string[] {
  const values: Record<PersonField, string> = {
    householdNo: row.household_no ?? '',
    villageCode: row.current_org_code ?? '',
    name: row.name,
    sex: labelOf(SEX_VALUES, row.sex),
    birthDate: row.birth_date,
    idNumber: row.id_number ?? '',
    ethnicity: labelOf(ETHNICITY_VALUES, row.ethnicity),
    hukouType: labelOf(HUKOU_VALUES, row.hukou_type),
    maritalStatus: labelOf(MARITAL_VALUES, row.marital_status),
    phone: row.phone ?? '',
    relationToHead: labelOf(RELATION_VALUES, row.relation_to_head),
    residenceType: labelOf(RESIDENCE_VALUES, row.current_residence_type),
    residenceFrom: row.residence_from ?? '',
    motherIdNumber: row.mother_id_number ?? '',
    sourceKey: '',
  };
  return PERSON_COLUMNS.map((column) => values[column.field]);
}

/**
 * Writes the current residents of a unit's subtree (living persons with a current residence
 * there) in the import template's columns, so the file re-imports as unchanged. Pages through the
 * registry by id, never the whole unit in memory. Returns the number of persons written.
 */
export async function exportPersons(
  db: Kysely<Schema>,
  out: Writable,
  input: ExportPersonsInput,
): Promise<number> {
  const issue = checkOrgCode(input.unit, 'unit');
  if (issue) throw new AppError('invalid_org_code', issue.message, { field: 'unit', issues: [issue] });
  const code = normaliseOrgCode(input.unit);
  const unit = await db.selectFrom('org_unit').select('code').where('code', '=', code).executeTakeFirst();
  if (!unit) {
    throw new AppError('not_found', text(`没有代码为 ${code} 的单位`, `No unit with code ${code}`), {
      field: 'unit',
    });
  }
  const writer = createTableWriter(out, input.format, { columns: personSheetColumns(), sheetName: '人员' });
  let written = 0;
  let after = 0;
  try {
    for (;;) {
      const page = await sql<ExportRow>`
        SELECT p.id, h.household_no, p.current_org_code, p.name, p.sex, p.birth_date, p.id_number, p.ethnicity,
               p.hukou_type, p.marital_status, p.phone, p.relation_to_head, p.current_residence_type,
               (SELECT r.valid_from FROM residence_spell r
                 WHERE r.county_code = p.county_code AND r.person_id = p.id AND r.valid_to IS NULL AND NOT r.voided
                 ORDER BY r.valid_from DESC LIMIT 1) AS residence_from,
               m.id_number AS mother_id_number
          FROM person p
          LEFT JOIN household h ON h.county_code = p.county_code AND h.id = p.household_id
          LEFT JOIN person m ON m.county_code = p.county_code AND m.id = p.mother_id
         WHERE p.current_org_code LIKE ${`${code}%`} AND p.status = 'active' AND p.id > ${after}
         ORDER BY p.id
         LIMIT ${PAGE}`.execute(db);
      for (const row of page.rows) await writer.writeRow(cellsOf(row));
      written += page.rows.length;
      input.onProgress?.(written);
      if (page.rows.length < PAGE) break;
      after = page.rows[page.rows.length - 1]!.id;
    }
  } finally {
    await writer.close();
  }
  return written;
}
