import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { WorkTaskKind } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';

/**
 * A unit's work list (work_task, shared by linkage, deduplication, audits and validation): list it
 * by unit, kind and status, and close a task as done or dismissed with a note.
 */

export const TASK_KINDS: readonly WorkTaskKind[] = [
  'unregistered_birth',
  'unregistered_death',
  'unregistered_event',
  'correction',
  'merge',
  'audit_discrepancy',
  'data_check',
];
export type TaskStatus = 'open' | 'done' | 'dismissed';

/**
 * What a task's `details` hold, by who writes them (stored as jsonb, sent as they are): the web's
 * work list says what a task is about from these. Each writer checks its details against its type.
 */
/** Linkage (feeds/settle-records.ts): unregistered_birth/death/event and correction. */
export interface LinkageTaskDetails {
  source: string;
  batchId: number;
  rowNo: number;
  recordNo: string | null;
  eventKind: string | null;
  eventDate: string | null;
  reason?: 'no_match' | 'alive_in_registry' | 'event_not_in_registry';
  /** The department record's readable fields (name, birth_date, husband_name…). */
  fields?: Record<string, string>;
  motherPersonId?: number;
  personIds?: number[];
  role?: string;
  pairId?: number | null;
  /** correction: the record's value (`feed`) against the registry's. */
  differences?: { field: string; feed: string; registry: string | null }[];
}

/** Field audits (quality/audit-results.ts): audit_discrepancy. */
export interface AuditTaskDetails {
  auditId: number;
  householdId: number;
  /** The registry's person is no one of the household. */
  notMember?: boolean;
  /** What the surveyor wrote (`surveyed`) against the registry's value. */
  differences?: { field: string; registry: string | null; surveyed: string | null; unreadable?: boolean }[];
  /** Someone living in the household whom the registry does not list. */
  unlisted?: true;
  surveyed?: Record<string, string | null>;
}

/** Validation (quality/validation.ts): data_check. */
export interface DataCheckTaskDetails {
  rule: string;
  period: string | null;
  message: Text;
  figures: Record<string, number | string | null>;
}

/** Deduplication (dedupe/run-dedupe.ts): merge. */
export interface MergeTaskDetails {
  runId: number;
  /**
   * `suggested`: scored at or above the suggestion threshold; `possible`: in the band below it
   * (a possible duplicate, listed after the other tasks). Absent on tasks written before the band
   * was listed: those are suggestions.
   */
  tier?: 'suggested' | 'possible';
  /** Why the pair is listed: its score against the thresholds, the fields that agree and disagree. */
  reason?: Text;
  personIds: number[];
  records: {
    personId: number;
    idNumber: string | null;
    name: string;
    sex: string;
    birthDate: string;
    orgCode: string | null;
  }[];
  matchWeight: number;
  matchProbability: number;
  explanation: Record<string, unknown>;
}

export type TaskDetails = LinkageTaskDetails | AuditTaskDetails | DataCheckTaskDetails | MergeTaskDetails;

export interface ListTasksInput {
  /** An org code: tasks on the lists of the unit and every unit under it. */
  unit?: string | undefined;
  kind?: WorkTaskKind | undefined;
  status?: TaskStatus | 'all' | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface WorkTask {
  id: number;
  countyCode: string;
  kind: WorkTaskKind;
  orgCode: string;
  personId: number | null;
  source: string;
  sourceRef: string;
  details: Record<string, unknown>;
  status: TaskStatus;
  createdAt: string;
  createdBy: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

interface TaskRow {
  id: number;
  county_code: string;
  kind: WorkTaskKind;
  org_code: string;
  person_id: number | null;
  source: string;
  source_ref: string;
  details: Record<string, unknown>;
  status: TaskStatus;
  created_at: string;
  created_by: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
}

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

function toTask(row: TaskRow): WorkTask {
  return {
    id: Number(row.id),
    countyCode: row.county_code,
    kind: row.kind,
    orgCode: row.org_code,
    personId: row.person_id === null ? null : Number(row.person_id),
    source: row.source,
    sourceRef: row.source_ref,
    details: row.details,
    status: row.status,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    resolvedAt: iso(row.resolved_at),
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
  };
}

/**
 * One page of tasks, oldest first — possible duplicates (merge tasks in the band below the
 * suggestion threshold) last, best score first: they are worth a look once the rest is done.
 * With the count of all that match.
 */
export async function listTasks(
  database: Database,
  input: ListTasksInput,
): Promise<{ total: number; counts: Record<string, number>; items: WorkTask[] }> {
  const status = input.status ?? 'open';
  const where = sql.join(
    [
      input.unit
        ? sql`county_code = ${input.unit.slice(0, 6)} AND org_code LIKE ${`${input.unit}%`}`
        : sql`true`,
      input.kind ? sql`kind = ${input.kind}` : sql`true`,
      status === 'all' ? sql`true` : sql`status = ${status}`,
    ],
    sql` AND `,
  );
  // Never null (an ORDER BY puts nulls last): merge tasks from before tiers are suggestions.
  const possible = sql`(kind = 'merge' AND coalesce(details->>'tier', 'suggested') = 'possible')`;
  const counts = (
    await sql<{ kind: string; n: number }>`
      SELECT kind, count(*)::int AS n FROM work_task WHERE ${where} GROUP BY kind ORDER BY kind`.execute(
      database.db,
    )
  ).rows;
  const rows = (
    await sql<TaskRow>`
      SELECT * FROM work_task WHERE ${where}
       ORDER BY ${possible}, CASE WHEN ${possible} THEN (details->>'matchProbability')::float8 END DESC,
                created_at, id
       LIMIT ${input.limit ?? 50} OFFSET ${input.offset ?? 0}`.execute(database.db)
  ).rows;
  return {
    total: counts.reduce((n, c) => n + c.n, 0),
    counts: Object.fromEntries(counts.map((c) => [c.kind, c.n])),
    items: rows.map(toTask),
  };
}

export interface CloseTaskInput {
  id: number;
  status: 'done' | 'dismissed';
  note?: string | undefined;
  actor: string;
}

/** Marks an open task done or dismissed, with who and why. */
export async function closeTask(database: Database, input: CloseTaskInput): Promise<WorkTask> {
  if (input.status !== 'done' && input.status !== 'dismissed') {
    throw new AppError(
      'invalid_input',
      text('状态应为 done 或 dismissed', 'The status must be done or dismissed'),
      {
        field: 'status',
      },
    );
  }
  return database.db.transaction().execute(async (trx) => {
    const current = (
      await sql<TaskRow>`SELECT * FROM work_task WHERE id = ${input.id} FOR UPDATE`.execute(trx)
    ).rows[0];
    if (!current) {
      throw new AppError('not_found', text(`没有待办 ${input.id}`, `No task ${input.id}`), { field: 'id' });
    }
    if (current.status !== 'open') {
      throw new AppError(
        'conflict',
        text(
          `待办 ${input.id} 已于 ${iso(current.resolved_at)?.slice(0, 10)} 由 ${current.resolved_by} 处理（${current.status}）`,
          `Task ${input.id} was already closed (${current.status}) by ${current.resolved_by} on ${iso(current.resolved_at)?.slice(0, 10)}`,
        ),
        { field: 'id' },
      );
    }
    const row = (
      await sql<TaskRow>`
        UPDATE work_task SET status = ${input.status}, resolved_at = now(), resolved_by = ${input.actor},
               resolution_note = ${input.note ?? null}
         WHERE county_code = ${current.county_code} AND id = ${input.id}
        RETURNING *`.execute(trx)
    ).rows[0]!;
    return toTask(row);
  });
}
