import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { MergeTaskDetails } from '../feeds/work-tasks.ts';
import type { Dataset } from '../linkage/index.ts';
import { type DuplicateTier, describePair } from './describe-pair.ts';
import { DEDUPE_CONFIG, type DuplicatePair, findDuplicates, POSSIBLE_FROM } from './find-duplicates.ts';

/**
 * A duplicate-finding run over the registry: the live persons of a unit (not voided, not merged)
 * are scored against each other, and each suspected pair becomes a `merge` work task for the
 * village of the first record — a suggested merge at or above the threshold, a possible duplicate
 * in the band below it (from POSSIBLE_FROM) — once: the task's source_ref names the pair, so a
 * re-run never makes a second task, a pair someone dismissed stays dismissed, and a possible
 * duplicate that now scores above the threshold is the same task, raised.
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
  /** The thresholds of this run: suggested merges from `suggestFrom`, possible duplicates from `possibleFrom`. */
  suggestFrom: number;
  possibleFrom: number;
  /** Pairs at or above the suggestion threshold, and their tasks new and already there. */
  suggestions: number;
  tasksCreated: number;
  tasksExisting: number;
  /** Possible duplicates (the band below the suggestion threshold), and their tasks new and already there. */
  possible: number;
  possibleTasksCreated: number;
  possibleTasksExisting: number;
  /**
   * Open tasks whose pair changed tier with this run (a possible duplicate now suggested, or the
   * reverse), rewritten with this run's score and reason; counted in the *Existing figures too.
   */
  tasksUpdated: number;
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
  const possible = found?.possible ?? [];
  const thresholds = {
    suggestFrom: input.minProbability ?? DEDUPE_CONFIG.thresholds.autoLink,
    possibleFrom: Math.min(input.minProbability ?? POSSIBLE_FROM, POSSIBLE_FROM),
  };
  const written = { suggested: { created: 0, updated: 0 }, possible: { created: 0, updated: 0 } };
  await db.transaction().execute(async (trx) => {
    // Suggestions first, then possible duplicates, each best first: the order of the task ids.
    for (const [tier, list] of [
      ['suggested', pairs],
      ['possible', possible],
    ] as const) {
      for (let start = 0; start < list.length; start += 500) {
        const chunk = list.slice(start, start + 500);
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
                details: JSON.stringify(taskDetails(pair, persons, run.id, tier, thresholds)),
                created_by: input.actor,
              };
            }),
          )
          // A pair has one task. An open one whose pair changed tier takes this run's details (a
          // possible duplicate raised to a suggestion is not listed twice); a closed one stays as
          // the person who closed it left it. Tasks from before tiers were written are suggestions.
          .onConflict((oc) =>
            oc
              .columns(['county_code', 'kind', 'source_ref'])
              .doUpdateSet({ details: (eb) => eb.ref('excluded.details') })
              .where('work_task.status', '=', 'open')
              .where(
                sql<boolean>`coalesce(work_task.details->>'tier', 'suggested') IS DISTINCT FROM excluded.details->>'tier'`,
              ),
          )
          .returning(sql<boolean>`xmax = 0`.as('inserted'))
          .execute();
        for (const row of rows) {
          if (row.inserted) written[tier].created++;
          else written[tier].updated++;
        }
      }
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
    ...thresholds,
    suggestions: pairs.length,
    tasksCreated: written.suggested.created,
    tasksExisting: pairs.length - written.suggested.created,
    possible: possible.length,
    possibleTasksCreated: written.possible.created,
    possibleTasksExisting: possible.length - written.possible.created,
    tasksUpdated: written.suggested.updated + written.possible.updated,
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
function taskDetails(
  pair: DuplicatePair,
  persons: PersonValues[],
  runId: number,
  tier: DuplicateTier,
  thresholds: { suggestFrom: number; possibleFrom: number },
): MergeTaskDetails {
  const record = (p: PersonValues) => ({
    personId: p.id,
    idNumber: p.id_number,
    name: p.name,
    sex: p.sex,
    birthDate: p.birth_date,
    orgCode: p.current_org_code,
  });
  const comparisons = pair.explanation.comparisons.map((c) => ({
    name: c.name,
    level: c.code,
    label: c.label,
    weight: c.weight + c.tfWeight,
  }));
  return {
    runId,
    tier,
    reason: describePair({ probability: pair.probability, comparisons }, tier, thresholds),
    personIds: [persons[pair.left]!.id, persons[pair.right]!.id],
    records: [record(persons[pair.left]!), record(persons[pair.right]!)],
    matchWeight: pair.weight,
    matchProbability: pair.probability,
    explanation: {
      rule: pair.explanation.rule,
      priorWeight: pair.explanation.priorWeight,
      comparisons,
    },
  };
}
