import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { MergeTaskDetails } from '../feeds/work-tasks.ts';
import type { Dataset } from '../linkage/index.ts';
import { type DuplicatePair, findDuplicates } from './find-duplicates.ts';

/**
 * A duplicate-finding run over the registry: the live persons of a unit (not voided, not merged)
 * are scored against each other, and each suspected pair becomes a `merge` work task for the
 * village of the first record — once: the task's source_ref names the pair, so a re-run never
 * makes a second task, and a suggestion someone dismissed stays dismissed.
 */

export interface DedupeRunInput {
  /** A county, township or village code: whose persons are compared. */
  unit: string;
  actor: string;
  minProbability?: number;
}

export interface DedupeRunReport {
  runId: number;
  countyCode: string;
  unit: string;
  persons: number;
  candidatePairs: number;
  blocking: { rule: string; pairs: number; newPairs: number }[];
  suggestions: number;
  tasksCreated: number;
  tasksExisting: number;
  /** Pairs in the review band, below the suggestion threshold: not written. */
  belowThreshold: number;
  prior: number;
  ms: number;
}

/** The work_task source_ref of a suspected pair: the two person ids, lower first. */
export function pairRef(a: number, b: number): string {
  return a < b ? `dedupe:${a}:${b}` : `dedupe:${b}:${a}`;
}

async function loadPersons(db: Kysely<Schema>, county: string, unit: string) {
  let query = db
    .selectFrom('person')
    .select(['id', 'id_number', 'name', 'sex', 'birth_date', 'current_org_code'])
    .where('county_code', '=', county)
    .where('status', 'not in', ['voided', 'merged']);
  if (unit !== county) query = query.where('current_org_code', 'like', `${unit}%`);
  return query.orderBy('id').execute();
}

/** Finds suspected duplicates among a unit's persons and writes one merge task per pair. */
export async function runDedupe(db: Kysely<Schema>, input: DedupeRunInput): Promise<DedupeRunReport> {
  const started = performance.now();
  const unit = await db
    .selectFrom('org_unit')
    .select(['code', 'county_code', 'level'])
    .where('code', '=', input.unit)
    .executeTakeFirst();
  if (!unit?.county_code || !['county', 'township', 'village'].includes(unit.level)) {
    throw new AppError(
      'unknown_org_unit',
      text(
        `没有代码为 ${input.unit} 的县、乡镇或村`,
        `No county, township or village with code ${input.unit}`,
      ),
      { field: 'unit' },
    );
  }
  const county = unit.county_code;
  const persons = await loadPersons(db, county, unit.code);
  const dataset: Dataset = {
    ids: persons.map((p) => String(p.id)),
    columns: new Map<string, (string | null)[]>([
      ['id_number', persons.map((p) => p.id_number)],
      ['name', persons.map((p) => p.name)],
      ['sex', persons.map((p) => p.sex)],
      ['birth_date', persons.map((p) => p.birth_date)],
      ['village', persons.map((p) => p.current_org_code)],
    ]),
  };
  const run = await db
    .insertInto('dedupe_run')
    .values({ county_code: county, scope_code: unit.code, started_by: input.actor })
    .returning('id')
    .executeTakeFirstOrThrow();
  const found =
    persons.length >= 2
      ? findDuplicates(
          dataset,
          input.minProbability === undefined ? {} : { minProbability: input.minProbability },
        )
      : undefined;
  const pairs = found?.pairs ?? [];
  let created = 0;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < pairs.length; start += 500) {
      const chunk = pairs.slice(start, start + 500);
      const rows = await trx
        .insertInto('work_task')
        .values(
          chunk.map((pair) => {
            const left = persons[pair.left]!;
            return {
              county_code: county,
              kind: 'merge' as const,
              org_code: left.current_org_code ?? persons[pair.right]!.current_org_code ?? county,
              person_id: left.id,
              source: 'dedupe' as const,
              source_ref: pairRef(left.id, persons[pair.right]!.id),
              details: JSON.stringify(taskDetails(pair, persons, run.id)),
              created_by: input.actor,
            };
          }),
        )
        .onConflict((oc) => oc.columns(['county_code', 'kind', 'source_ref']).doNothing())
        .returning('id')
        .execute();
      created += rows.length;
    }
  });
  const report: DedupeRunReport = {
    runId: run.id,
    countyCode: county,
    unit: unit.code,
    persons: persons.length,
    candidatePairs: found?.blocking.candidatePairs ?? 0,
    blocking: (found?.blocking.rules ?? []).map((r) => ({
      rule: r.name,
      pairs: r.pairs,
      newPairs: r.newPairs,
    })),
    suggestions: pairs.length,
    tasksCreated: created,
    tasksExisting: pairs.length - created,
    belowThreshold: found?.below ?? 0,
    prior: found?.training.prior ?? 0,
    ms: Math.round(performance.now() - started),
  };
  await db
    .updateTable('dedupe_run')
    .set({ finished_at: new Date().toISOString(), report: JSON.stringify(report) })
    .where('county_code', '=', county)
    .where('id', '=', run.id)
    .execute();
  return report;
}

type PersonValues = Awaited<ReturnType<typeof loadPersons>>[number];

/** What the person working the task sees: both records side by side and why they look like one. */
function taskDetails(pair: DuplicatePair, persons: PersonValues[], runId: number): MergeTaskDetails {
  const record = (p: PersonValues) => ({
    personId: p.id,
    idNumber: p.id_number,
    name: p.name,
    sex: p.sex,
    birthDate: p.birth_date,
    orgCode: p.current_org_code,
  });
  return {
    runId,
    personIds: [persons[pair.left]!.id, persons[pair.right]!.id],
    records: [record(persons[pair.left]!), record(persons[pair.right]!)],
    matchWeight: pair.weight,
    matchProbability: pair.probability,
    explanation: {
      rule: pair.explanation.rule,
      priorWeight: pair.explanation.priorWeight,
      comparisons: pair.explanation.comparisons.map((c) => ({
        name: c.name,
        level: c.code,
        label: c.label,
        weight: c.weight + c.tfWeight,
      })),
    },
  };
}
