import { sql } from 'kysely';
import type { ActivityKind } from '../db/tables/reports.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import type { Period } from '../domain/period.ts';
import { type CommandContext, type Tx, todayOf } from '../registry/context.ts';
import { ACTIVITY_KIND_NAMES } from './build-work-report.ts';
import { countFigure } from './figures.ts';
import type { ActivitiesInput, ActivityLine } from './model.ts';

export const ACTIVITY_KINDS = Object.keys(ACTIVITY_KIND_NAMES) as ActivityKind[];

export interface ActivityInput {
  unit: string;
  date: string;
  kind: string;
  peopleServed?: number | null;
  materials?: number | null;
  description: string;
}

export interface Activity {
  id: number;
  unit: string;
  unitName: string;
  date: string;
  kind: ActivityKind;
  peopleServed: number | null;
  materials: number | null;
  description: string;
  createdBy: string;
  createdAt: string;
}

function checkCount(value: unknown, field: string, issues: FieldIssue[]) {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000_000) {
    issues.push(
      fieldIssue(
        'invalid_count',
        field,
        '应为 0 到 10,000,000 之间的整数',
        'Must be a whole number from 0 to 10,000,000',
      ),
    );
  }
}

/** Records one service activity (主要工作): validated, one insert. */
export async function addActivity(context: CommandContext, input: ActivityInput): Promise<Activity> {
  const issues: FieldIssue[] = [];
  const shape = checkOrgCode(String(input.unit ?? ''), 'unit');
  if (shape) issues.push(shape);
  if (!isCalendarDate(String(input.date ?? ''))) {
    issues.push(fieldIssue('invalid_date', 'date', '日期应为 YYYY-MM-DD', 'Date must be YYYY-MM-DD'));
  } else if (input.date > todayOf(context)) {
    issues.push(
      fieldIssue('future_date', 'date', '活动日期不能晚于今天', 'An activity cannot be in the future'),
    );
  }
  if (!ACTIVITY_KINDS.includes(input.kind as ActivityKind)) {
    issues.push(
      fieldIssue(
        'invalid_kind',
        'kind',
        `活动类型应为：${ACTIVITY_KINDS.map((k) => `${k}（${ACTIVITY_KIND_NAMES[k]['zh-CN']}）`).join('、')}`,
        `Kind must be one of: ${ACTIVITY_KINDS.join(', ')}`,
      ),
    );
  }
  checkCount(input.peopleServed, 'peopleServed', issues);
  checkCount(input.materials, 'materials', issues);
  const description = String(input.description ?? '').trim();
  if (description.length === 0 || description.length > 500) {
    issues.push(
      fieldIssue(
        'invalid_description',
        'description',
        '请用一句话（1–500 字）说明做了什么',
        'Describe what was done in 1–500 characters',
      ),
    );
  }
  if (issues.length > 0) throw invalidInput(issues);
  const unit = normaliseOrgCode(input.unit);
  const org = await context.db
    .selectFrom('org_unit')
    .select(['code', 'short_name', 'county_code', 'level'])
    .where('code', '=', unit)
    .executeTakeFirst();
  if (!org || !(org.county_code ?? (org.level === 'county' ? org.code : null))) {
    throw new AppError(
      'unknown_org_unit',
      text(`没有代码为 ${unit} 的县级以下单位`, `No unit ${unit} at or below a county`),
      {
        field: 'unit',
      },
    );
  }
  const row = await context.db
    .insertInto('activity')
    .values({
      county_code: org.county_code ?? org.code,
      org_code: unit,
      activity_date: input.date,
      kind: input.kind as ActivityKind,
      people_served: input.peopleServed ?? null,
      materials: input.materials ?? null,
      description,
      created_by: context.actor.id,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return {
    id: Number(row.id),
    unit,
    unitName: org.short_name,
    date: input.date,
    kind: input.kind as ActivityKind,
    peopleServed: input.peopleServed ?? null,
    materials: input.materials ?? null,
    description,
    createdBy: context.actor.id,
    createdAt: String(row.created_at),
  };
}

/** Activities of a unit's subtree between two dates (inclusive), newest first. */
export async function listActivities(
  db: Tx,
  options: { unit: string; from?: string; to?: string; kind?: ActivityKind; limit?: number; offset?: number },
): Promise<Activity[]> {
  let query = db
    .selectFrom('activity as a')
    .innerJoin('org_unit as o', 'o.code', 'a.org_code')
    .select([
      'a.id',
      'a.org_code',
      'o.short_name',
      'a.activity_date',
      'a.kind',
      'a.people_served',
      'a.materials',
      'a.description',
      'a.created_by',
      'a.created_at',
    ])
    .where('a.org_code', 'like', `${options.unit}%`)
    .where('a.voided', '=', false);
  if (options.from) query = query.where('a.activity_date', '>=', options.from);
  if (options.to) query = query.where('a.activity_date', '<=', options.to);
  if (options.kind) query = query.where('a.kind', '=', options.kind);
  const rows = await query
    .orderBy('a.activity_date', 'desc')
    .orderBy('a.id', 'desc')
    .limit(Math.min(options.limit ?? 100, 1000))
    .offset(options.offset ?? 0)
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    unit: row.org_code,
    unitName: row.short_name,
    date: String(row.activity_date),
    kind: row.kind,
    peopleServed: row.people_served,
    materials: row.materials,
    description: row.description,
    createdBy: row.created_by,
    createdAt: String(row.created_at),
  }));
}

/**
 * The 主要工作 section's input: activities of the unit's subtree in the period, totals per kind
 * (counted in SQL) and the largest few of each kind to quote.
 */
export async function summariseActivities(
  db: Tx,
  unit: string,
  period: Period,
  dataVersion: number,
  perKind = 3,
): Promise<ActivitiesInput> {
  const totals = await sql<{
    kind: ActivityKind;
    n: number;
    people: number | null;
    materials: number | null;
  }>`
    SELECT kind, count(*)::int AS n, sum(people_served)::int AS people, sum(materials)::int AS materials
      FROM activity
     WHERE org_code LIKE ${`${unit}%`} AND NOT voided
       AND activity_date BETWEEN ${period.start}::date AND ${period.end}::date
     GROUP BY kind`.execute(db);
  const top = await sql<{
    kind: ActivityKind;
    activity_date: string;
    short_name: string;
    people_served: number | null;
    materials: number | null;
    description: string;
  }>`
    SELECT kind, activity_date, short_name, people_served, materials, description FROM (
      SELECT a.kind, a.activity_date, o.short_name, a.people_served, a.materials, a.description,
             row_number() OVER (PARTITION BY a.kind ORDER BY a.people_served DESC NULLS LAST, a.activity_date, a.id) AS rn
        FROM activity a JOIN org_unit o ON o.code = a.org_code
       WHERE a.org_code LIKE ${`${unit}%`} AND NOT a.voided
         AND a.activity_date BETWEEN ${period.start}::date AND ${period.end}::date) ranked
     WHERE rn <= ${perKind}
     ORDER BY kind, activity_date`.execute(db);
  const at = (kind: ActivityKind) => ({
    unit,
    period: period.id,
    dataVersion,
    group: { kind },
    query: `/api/activities?unit=${unit}&from=${period.start}&to=${period.end}&kind=${kind}`,
  });
  const byKind = ACTIVITY_KINDS.map((kind) => {
    const row = totals.rows.find((r) => r.kind === kind);
    const name = ACTIVITY_KIND_NAMES[kind];
    return {
      kind,
      count: countFigure(
        'activity',
        'count',
        text(`${name['zh-CN']}次数`, `${name.en}: activities`),
        row ? Number(row.n) : 0,
        at(kind),
      ),
      peopleServed: countFigure(
        'activity',
        'people_served',
        text(`${name['zh-CN']}服务人次`, `${name.en}: people served`),
        row?.people === null || row?.people === undefined ? null : Number(row.people),
        at(kind),
      ),
      materials: countFigure(
        'activity',
        'materials',
        text(`${name['zh-CN']}发放资料`, `${name.en}: materials`),
        row?.materials === null || row?.materials === undefined ? null : Number(row.materials),
        at(kind),
      ),
    };
  });
  const highlights: ActivityLine[] = top.rows.map((row) => ({
    date: String(row.activity_date),
    unitName: row.short_name,
    kind: row.kind,
    peopleServed: row.people_served,
    materials: row.materials,
    description: row.description,
  }));
  return { byKind, highlights };
}
