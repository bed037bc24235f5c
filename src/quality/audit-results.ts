import ExcelJS from 'exceljs';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { AuditTaskDetails } from '../feeds/work-tasks.ts';
import { type Actor, todayOf } from '../registry/context.ts';
import { cellText } from '../registry/import/xlsx-reader.ts';
import { type AccuracyEstimate, estimateAccuracy } from './audit-estimate.ts';
import { type AuditFieldId, compareField, getAuditField } from './audit-fields.ts';
import { META_SHEET } from './audit-sheet.ts';

/**
 * Taking back a filled survey workbook: each answer compared with what the registry printed,
 * household totals for the estimate, and every discrepancy written as an `audit_discrepancy`
 * work task on the village's list. Re-reading a sheet replaces the earlier answers; tasks are
 * keyed by audit and person, so they are updated rather than doubled. One transaction.
 */

export interface AuditResultsInput {
  auditId: number;
  file: Buffer | Uint8Array;
  /** The survey date when the sheet gives none (default today). */
  surveyedOn?: string | undefined;
  actor: Actor;
  today?: string | undefined;
}

export interface AuditResultsReport {
  auditId: number;
  rows: number;
  personsChecked: number;
  householdsSurveyed: number;
  householdsNotReached: number;
  discrepancies: number;
  unlisted: number;
  tasksWritten: number;
  issues: (FieldIssue & { row: number })[];
  estimate: AccuracyEstimate;
}

const YES = new Set(['是', 'yes', 'y', 'true', '1', '✓', '√', 'x']);

interface ParsedPerson {
  row: number;
  key: string;
  surveyed: Record<string, string | null>;
  notMember: boolean;
  surveyDate: string | undefined;
  note: string;
}

async function readSheet(
  file: Buffer | Uint8Array,
): Promise<{ auditId: number | undefined; rows: ParsedPerson[]; fieldColumns: AuditFieldId[] }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as never);
  } catch (error) {
    throw new AppError('invalid_input', text('无法读取这个 XLSX 文件', 'Cannot read this XLSX file'), {
      field: 'file',
      cause: error,
    });
  }
  const meta = workbook.getWorksheet(META_SHEET);
  let auditId: number | undefined;
  meta?.eachRow((row) => {
    if (cellText(row.getCell(1).value).text === 'audit_id')
      auditId = Number(cellText(row.getCell(2).value).text);
  });
  const sheet = workbook.worksheets.find((ws) => cellText(ws.getRow(1).getCell(1).value).text === 'key');
  if (!sheet) {
    throw new AppError(
      'invalid_input',
      text(
        '文件中没有 renkou 打印的核查表（第一行为列键）',
        'The file has no survey sheet printed by renkou (row 1 holds the column keys)',
      ),
      { field: 'file' },
    );
  }
  const keys: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => {
    keys[col] = cellText(cell.value).text.trim();
  });
  const fieldColumns = keys
    .filter((k) => k?.startsWith('surveyed:'))
    .map((k) => k.slice('surveyed:'.length) as AuditFieldId);
  const col = (name: string) => keys.indexOf(name);
  const rows: ParsedPerson[] = [];
  sheet.eachRow((row, rowNumber) => {
    if (rowNumber <= 2) return;
    const get = (name: string) => {
      const index = col(name);
      return index > 0 ? cellText(row.getCell(index).value).text.trim() : '';
    };
    const key = get('key');
    if (!key) return;
    const surveyed: Record<string, string | null> = {};
    for (const field of fieldColumns) surveyed[field] = get(`surveyed:${field}`) || null;
    const date = get('survey_date');
    rows.push({
      row: rowNumber,
      key,
      surveyed,
      notMember: YES.has(get('not_member').toLowerCase()),
      surveyDate: date || undefined,
      note: get('note'),
    });
  });
  return { auditId, rows, fieldColumns };
}

/** Compares a filled sheet with the registry, records it and writes the discrepancy tasks. */
export async function importAuditResults(
  db: Kysely<Schema>,
  input: AuditResultsInput,
): Promise<AuditResultsReport> {
  const audit = await db
    .selectFrom('field_audit')
    .selectAll()
    .where('id', '=', input.auditId)
    .executeTakeFirst();
  if (!audit) {
    throw new AppError('not_found', text(`没有编号为 ${input.auditId} 的抽查`, `No audit ${input.auditId}`), {
      field: 'audit',
    });
  }
  const fallbackDate = input.surveyedOn ?? todayOf({ db, actor: input.actor, today: input.today });
  if (!isCalendarDate(fallbackDate)) {
    throw new AppError('invalid_input', text('调查日期不对', 'Not a survey date'), { field: 'surveyedOn' });
  }
  const sheet = await readSheet(input.file);
  if (sheet.auditId !== undefined && sheet.auditId !== audit.id) {
    throw new AppError(
      'invalid_input',
      text(
        `这是抽查 ${sheet.auditId} 的核查表，不是抽查 ${audit.id} 的`,
        `This is the sheet of audit ${sheet.auditId}, not of audit ${audit.id}`,
      ),
      { field: 'file' },
    );
  }
  const county = audit.county_code;
  const listed = await db
    .selectFrom('field_audit_person as f')
    .innerJoin('field_audit_household as h', (join) =>
      join
        .onRef('h.county_code', '=', 'f.county_code')
        .onRef('h.audit_id', '=', 'f.audit_id')
        .onRef('h.household_id', '=', 'f.household_id'),
    )
    .select(['f.id', 'f.person_id', 'f.household_id', 'f.registry', 'h.org_code'])
    .where('f.county_code', '=', county)
    .where('f.audit_id', '=', audit.id)
    .where('f.person_id', 'is not', null)
    .execute();
  const byId = new Map(listed.map((p) => [String(p.id), p]));
  const households = new Map(
    (
      await db
        .selectFrom('field_audit_household')
        .select(['household_id', 'org_code', 'stratum_code'])
        .where('county_code', '=', county)
        .where('audit_id', '=', audit.id)
        .execute()
    ).map((h) => [h.household_id, h]),
  );
  const fields = (audit.fields as AuditFieldId[]).filter((f) => sheet.fieldColumns.includes(f));
  const issues: AuditResultsReport['issues'] = [];
  const issue = (row: number, code: string, field: string, zh: string, en: string) =>
    issues.push({ ...fieldIssue(code, field, zh, en), row });

  interface Outcome {
    id: number;
    personId: number;
    householdId: number;
    orgCode: string;
    surveyed: Record<string, string | null>;
    outcome: 'pending' | 'checked' | 'not_member';
    checked: number;
    correct: number;
    differences: { field: string; registry: string | null; surveyed: string | null; unreadable?: boolean }[];
  }
  const outcomes: Outcome[] = [];
  const unlisted: {
    householdId: number;
    orgCode: string;
    index: string;
    surveyed: Record<string, string | null>;
  }[] = [];
  const surveyDates = new Map<number, string>();
  for (const row of sheet.rows) {
    if (row.key.startsWith('+')) {
      const match = /^\+(\d+)\.(\d+)$/.exec(row.key);
      const household = match ? households.get(Number(match[1])) : undefined;
      if (!household) {
        issue(
          row.row,
          'unknown_row',
          'key',
          `第 ${row.row} 行：记录号 ${row.key} 不属于本次抽查`,
          `Row ${row.row}: ${row.key} is not a row of this audit`,
        );
        continue;
      }
      const filled = Object.entries(row.surveyed).filter(([, v]) => v !== null);
      if (filled.length === 0) continue;
      const surveyed: Record<string, string | null> = {};
      for (const [field, value] of filled)
        surveyed[field] = getAuditField(field as AuditFieldId).normalise(value!) ?? value;
      unlisted.push({
        householdId: household.household_id,
        orgCode: household.org_code,
        index: match![2]!,
        surveyed,
      });
      continue;
    }
    const person = byId.get(row.key);
    if (!person) {
      issue(
        row.row,
        'unknown_row',
        'key',
        `第 ${row.row} 行：记录号 ${row.key} 不属于本次抽查`,
        `Row ${row.row}: ${row.key} is not a row of this audit`,
      );
      continue;
    }
    if (row.surveyDate) {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(row.surveyDate) ? row.surveyDate : undefined;
      if (!date || !isCalendarDate(date)) {
        issue(
          row.row,
          'invalid_date',
          'survey_date',
          `第 ${row.row} 行：调查日期 ${row.surveyDate} 不对`,
          `Row ${row.row}: survey date ${row.surveyDate} is not a date`,
        );
      } else if (!surveyDates.has(person.household_id)) {
        surveyDates.set(person.household_id, date);
      }
    }
    const result: Outcome = {
      id: person.id,
      personId: person.person_id!,
      householdId: person.household_id,
      orgCode: person.org_code,
      surveyed: {},
      outcome: 'pending',
      checked: 0,
      correct: 0,
      differences: [],
    };
    if (row.notMember) {
      // A record that is no one of this household: every field of it is wrong.
      result.outcome = 'not_member';
      result.checked = fields.length;
      result.surveyed = { not_member: 'yes' };
    } else {
      for (const field of fields) {
        const registry = (person.registry as Record<string, string | null>)[field] ?? null;
        const verdict = compareField(field, registry, row.surveyed[field] ?? '');
        if (!verdict.checked) continue;
        result.checked += 1;
        result.surveyed[field] = verdict.surveyed;
        if (verdict.correct) result.correct += 1;
        else {
          result.differences.push({
            field,
            registry,
            surveyed: verdict.surveyed,
            ...(verdict.problem ? { unreadable: true } : {}),
          });
          if (verdict.problem) {
            issue(
              row.row,
              'unreadable_answer',
              field,
              `第 ${row.row} 行：“${verdict.surveyed}”无法识别，按不一致处理`,
              `Row ${row.row}: "${verdict.surveyed}" cannot be read; counted as a discrepancy`,
            );
          }
        }
      }
      if (result.checked > 0) result.outcome = 'checked';
    }
    outcomes.push(result);
  }

  // Household totals: a household counts as surveyed when any of its members was checked.
  const totals = new Map<
    number,
    { personsChecked: number; personsCorrect: number; checked: number; correct: number }
  >();
  for (const o of outcomes) {
    if (o.outcome === 'pending') continue;
    const t = totals.get(o.householdId) ?? { personsChecked: 0, personsCorrect: 0, checked: 0, correct: 0 };
    t.personsChecked += 1;
    if (o.outcome === 'checked' && o.correct === o.checked) t.personsCorrect += 1;
    t.checked += o.checked;
    t.correct += o.correct;
    totals.set(o.householdId, t);
  }

  let tasksWritten = 0;
  await db.transaction().execute(async (trx) => {
    // One statement per table: PGlite pays per statement, and a sheet has hundreds of rows.
    const personRows = outcomes.map((o) => ({
      id: o.id,
      surveyed: o.outcome === 'pending' ? null : o.surveyed,
      outcome: o.outcome,
      checked: o.checked,
      correct: o.correct,
    }));
    await sql`
      UPDATE field_audit_person f
         SET surveyed = r.surveyed, outcome = r.outcome, fields_checked = r.checked, fields_correct = r.correct
        FROM jsonb_to_recordset(${JSON.stringify(personRows)}::jsonb)
             AS r(id bigint, surveyed jsonb, outcome text, checked int, correct int)
       WHERE f.county_code = ${county} AND f.id = r.id`.execute(trx);
    await trx
      .deleteFrom('field_audit_person')
      .where('county_code', '=', county)
      .where('audit_id', '=', audit.id)
      .where('outcome', '=', 'unlisted')
      .execute();
    if (unlisted.length > 0) {
      await trx
        .insertInto('field_audit_person')
        .values(
          unlisted.map((u) => ({
            county_code: county,
            audit_id: audit.id,
            household_id: u.householdId,
            person_id: null,
            registry: '{}',
            surveyed: JSON.stringify(u.surveyed),
            outcome: 'unlisted' as const,
          })),
        )
        .execute();
    }
    const householdRows = [...households.values()].map((household) => {
      const t = totals.get(household.household_id);
      return {
        household_id: household.household_id,
        surveyed_on: t ? (surveyDates.get(household.household_id) ?? fallbackDate) : null,
        persons_checked: t?.personsChecked ?? 0,
        persons_correct: t?.personsCorrect ?? 0,
        fields_checked: t?.checked ?? 0,
        fields_correct: t?.correct ?? 0,
      };
    });
    await sql`
      UPDATE field_audit_household h
         SET surveyed_on = r.surveyed_on, persons_checked = r.persons_checked, persons_correct = r.persons_correct,
             fields_checked = r.fields_checked, fields_correct = r.fields_correct
        FROM jsonb_to_recordset(${JSON.stringify(householdRows)}::jsonb)
             AS r(household_id bigint, surveyed_on date, persons_checked int, persons_correct int,
                  fields_checked int, fields_correct int)
       WHERE h.county_code = ${county} AND h.audit_id = ${audit.id} AND h.household_id = r.household_id`.execute(
      trx,
    );
    const tasks = [
      ...outcomes
        .filter((o) => o.outcome === 'not_member' || o.differences.length > 0)
        .map((o) => ({
          org_code: o.orgCode,
          person_id: o.personId,
          source_ref: `audit:${audit.id}:person:${o.personId}`,
          details: {
            auditId: audit.id,
            householdId: o.householdId,
            notMember: o.outcome === 'not_member',
            differences: o.differences,
          } satisfies AuditTaskDetails,
        })),
      ...unlisted.map((u) => ({
        org_code: u.orgCode,
        person_id: null,
        source_ref: `audit:${audit.id}:household:${u.householdId}:unlisted:${u.index}`,
        details: {
          auditId: audit.id,
          householdId: u.householdId,
          unlisted: true,
          surveyed: u.surveyed,
        } satisfies AuditTaskDetails,
      })),
    ];
    if (tasks.length > 0) {
      const written = await sql<{ id: number }>`
        INSERT INTO work_task (county_code, kind, org_code, person_id, source, source_ref, details, created_by)
        SELECT ${county}, 'audit_discrepancy', t.org_code, t.person_id, 'audit', t.source_ref, t.details, ${input.actor.id}
          FROM jsonb_to_recordset(${JSON.stringify(tasks)}::jsonb)
               AS t(org_code text, person_id bigint, source_ref text, details jsonb)
        ON CONFLICT (county_code, kind, source_ref) DO UPDATE SET details = excluded.details
         WHERE work_task.status = 'open'
        RETURNING id`.execute(trx);
      tasksWritten = written.rows.length;
    }
    await trx
      .updateTable('field_audit')
      .set({ status: 'surveyed', results_at: new Date().toISOString(), results_by: input.actor.id })
      .where('county_code', '=', county)
      .where('id', '=', audit.id)
      .execute();
  });

  return {
    auditId: audit.id,
    rows: sheet.rows.length,
    personsChecked: outcomes.filter((o) => o.outcome !== 'pending').length,
    householdsSurveyed: totals.size,
    householdsNotReached: households.size - totals.size,
    discrepancies: outcomes.filter((o) => o.outcome === 'not_member' || o.differences.length > 0).length,
    unlisted: unlisted.length,
    tasksWritten,
    issues,
    estimate: await estimateAuditAccuracy(db, audit.id),
  };
}

/** The accuracy estimate of an audit from its surveyed households. */
export async function estimateAuditAccuracy(db: Kysely<Schema>, auditId: number): Promise<AccuracyEstimate> {
  const [strata, households] = await Promise.all([
    db
      .selectFrom('field_audit_stratum')
      .select(['stratum_code', 'frame_households'])
      .where('audit_id', '=', auditId)
      .execute(),
    db
      .selectFrom('field_audit_household')
      .select(['stratum_code', 'fields_checked', 'fields_correct', 'persons_checked', 'persons_correct'])
      .where('audit_id', '=', auditId)
      .where('surveyed_on', 'is not', null)
      .execute(),
  ]);
  return estimateAccuracy(
    households.map((h) => ({
      stratum: h.stratum_code,
      checked: h.fields_checked,
      correct: h.fields_correct,
      personsChecked: h.persons_checked,
      personsCorrect: h.persons_correct,
    })),
    strata.map((s) => ({ code: s.stratum_code, frame: s.frame_households })),
  );
}
