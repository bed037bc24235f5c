import { type Kysely, sql } from 'kysely';
import { dataVersion } from '../db/data-version.ts';
import type { Database } from '../db/database.ts';
import type { FeedSource, Schema } from '../db/schema.ts';
import { AppError, invalidInput } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import type { Dataset } from '../linkage/dataset.ts';
import { type LinkSettings, parseLinkConfig } from '../linkage/link-config.ts';
import {
  DECISIONS,
  type LinkPhase,
  type LinkResult,
  linkRecords,
  type PairExplanation,
} from '../linkage/link-records.ts';
import { carryDecisions } from './carry-decisions.ts';
import { type BatchInfo, readFeedSide, readRegistrySide } from './feed-datasets.ts';
import { resolvePendingBatches } from './ingest-feed.ts';
import { FEED_LINK_CONFIGS, LINK_COLUMNS } from './link-configs.ts';
import { settleRecords } from './settle-records.ts';
import type { FeedMapping } from './sources.ts';

/**
 * A link run: one batch against the registry with its source's configuration. Every pair at or
 * above the review threshold is stored with its explanation (feed_pair); a re-run updates the
 * scores in place and never touches a person's review decision; decisions made on the same records
 * in earlier batches are carried over (carry-decisions.ts); then each record's links, its
 * status and the work tasks it gives rise to are settled (settle-records.ts).
 */

export type FeedLinkPhase = 'extract' | LinkPhase | 'save';

export interface FeedLinkProgress {
  batchId: number;
  phase: FeedLinkPhase;
  done: number;
  total: number;
}

export interface FeedLinkOptions {
  actor: string;
  onProgress?: (progress: FeedLinkProgress) => void;
}

export interface FeedLinkReport {
  batchId: number;
  runId: number;
  source: FeedSource;
  records: number;
  /** Entries linked: one per role (a marriage has two). */
  entries: number;
  registryPersons: number;
  blocking: { rule: string; pairs: number; newPairs: number }[];
  candidatePairs: number;
  prior: number;
  thresholds: { autoLink: number; review: number };
  /** Pairs stored by the engine's decision (after one-to-one). */
  pairs: { link: number; review: number };
  /** Records by where they got to, after review decisions. */
  status: { linked: number; review: number; unmatched: number };
  /** Pairs whose review decision stands (made on this batch, or carried from an earlier one). */
  decisionsKept: number;
  /** Of those, decisions carried from the same record in an earlier batch (carry-decisions.ts). */
  decisionsCarried: number;
  tasks: { created: number; updated: number; closed: number };
  ms: number;
}

/** The parsed configuration of a source. */
export function feedLinkSettings(source: FeedSource): LinkSettings {
  const columns = [...LINK_COLUMNS, 'id'];
  const parsed = parseLinkConfig(FEED_LINK_CONFIGS[source], { left: columns, right: columns });
  if (!parsed.ok) throw invalidInput(parsed.issues);
  return parsed.value;
}

async function getBatch(db: Kysely<Schema>, batchId: number): Promise<BatchInfo> {
  const row = await db
    .selectFrom('feed_batch')
    .select(['id', 'county_code', 'source', 'mapping'])
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (!row) {
    throw new AppError('not_found', text(`没有批次 ${batchId}`, `No batch ${batchId}`), { field: 'batch' });
  }
  return { id: row.id, countyCode: row.county_code, source: row.source, mapping: row.mapping as FeedMapping };
}

/** Both sides of a batch's run, ready for the engine (the accuracy test measures blocking with it). */
export async function prepareFeedLink(database: Database, batchId: number) {
  const batch0 = await getBatch(database.db, batchId);
  await resolvePendingBatches(database, batch0.countyCode);
  const batch = await getBatch(database.db, batchId);
  const feed = await readFeedSide(database, batch);
  const registry = await readRegistrySide(database, batch);
  return { batch, feed, registry, settings: feedLinkSettings(batch.source) };
}

function values(dataset: Dataset, index: number): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of LINK_COLUMNS) {
    const v = dataset.columns.get(c)?.[index] ?? null;
    if (v !== null) out[c] = v;
  }
  return out;
}

/** An explanation as stored (feed_pair.explanation): every comparison's level and weight, and both records' values. */
export interface StoredExplanation {
  rule: string | null;
  priorWeight: number;
  weight: number;
  probability: number;
  comparisons: {
    /** The compared column (name, birth_date, id_number…): the key of `feed` and `registry`. */
    name: string;
    /** The level's code (exact, fuzzy, else…). */
    level: string;
    label: Text;
    m: number;
    u: number;
    /** The comparison's weight including its term-frequency adjustment. */
    weight: number;
    tfWeight: number;
  }[];
  feed: Record<string, string | null>;
  registry: Record<string, string | null>;
}

/** An explanation as stored: every comparison's level and weight, and both records' values. */
function storedExplanation(e: PairExplanation, feed: Dataset, registry: Dataset): StoredExplanation {
  return {
    rule: e.rule,
    priorWeight: round(e.priorWeight),
    weight: round(e.weight),
    probability: e.probability,
    comparisons: e.comparisons.map((c) => ({
      name: c.name,
      level: c.code,
      label: c.label,
      m: c.m,
      u: c.u,
      weight: round(c.weight + c.tfWeight),
      tfWeight: round(c.tfWeight),
    })),
    feed: values(feed, e.leftIndex),
    registry: values(registry, e.rightIndex),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Links one batch with the registry; see the module comment. */
export async function linkFeedBatch(
  database: Database,
  batchId: number,
  options: FeedLinkOptions,
): Promise<FeedLinkReport> {
  const started = performance.now();
  const progress = (phase: FeedLinkPhase, done: number, total: number) =>
    options.onProgress?.({ batchId, phase, done, total });
  progress('extract', 0, 1);
  const { batch, feed, registry, settings } = await prepareFeedLink(database, batchId);
  progress('extract', 1, 1);
  const result: LinkResult = linkRecords(feed.dataset, registry.dataset, settings, {
    onProgress: (p) => progress(p.phase, p.done, p.total),
  });

  // Pairs to keep: the engine's link and review pairs; where a record may link to several
  // registry persons (oneToOne off), only its best link stands.
  const { pairs } = result;
  const taken = new Uint8Array(feed.dataset.ids.length);
  const rows: {
    row_no: number;
    role: string;
    person_id: number;
    match_weight: number;
    match_probability: number;
    decision: string;
    explanation: unknown;
  }[] = [];
  const counts = { link: 0, review: 0 };
  for (let q = 0; q < pairs.count; q++) {
    let decision = DECISIONS[pairs.decision[q]!]!;
    if (decision === 'non-match' || pairs.superseded[q]) continue;
    const i = pairs.left[q]!;
    const j = pairs.right[q]!;
    if (decision === 'link') {
      if (taken[i]) continue;
      taken[i] = 1;
    } else if (taken[i]) {
      continue;
    }
    decision = decision === 'link' ? 'link' : 'review';
    counts[decision]++;
    rows.push({
      row_no: feed.rowNo[i]!,
      role: feed.role[i]!,
      person_id: registry.personIds[j]!,
      match_weight: pairs.weight[q]!,
      match_probability: pairs.probability[q]!,
      decision,
      explanation: storedExplanation(result.explain(i, j), feed.dataset, registry.dataset),
    });
  }

  progress('save', 0, rows.length);
  const report = {
    blocking: result.blocking.rules.map((r) => ({ rule: r.name, pairs: r.pairs, newPairs: r.newPairs })),
    candidatePairs: result.blocking.candidatePairs,
    decisions: result.decisions,
    training: {
      prior: result.training.prior,
      sessions: result.training.sessions.map((s) => ({ rule: s.rule, pairs: s.pairs, lambda: s.lambda })),
    },
    timings: result.timings,
  };
  const outcome = await database.db.transaction().execute(async (trx) => {
    // Many statements (a feed's pairs, its records settled): the county's data_version is bumped
    // once, at the end, so other writers in the county do not wait for the whole save.
    await dataVersion.deferIn(trx);
    const saveStarted = performance.now();
    const run = await trx
      .insertInto('feed_link_run')
      .values({
        county_code: batch.countyCode,
        batch_id: batch.id,
        started_by: options.actor,
        config: JSON.stringify(FEED_LINK_CONFIGS[batch.source]),
        model: JSON.stringify(result.model),
        report: JSON.stringify(report),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`UPDATE feed_batch SET status = 'linking' WHERE id = ${batch.id}`.execute(trx);
    for (let start = 0; start < rows.length; start += 500) {
      await sql`
        INSERT INTO feed_pair (county_code, batch_id, row_no, role, person_id, run_id, match_weight,
                               match_probability, decision, explanation)
        SELECT ${batch.countyCode}, ${batch.id}, x.row_no, x.role, x.person_id, ${run.id}, x.match_weight,
               x.match_probability, x.decision, x.explanation
          FROM jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + 500))}::jsonb)
               AS x(row_no int, role text, person_id bigint, match_weight float8, match_probability float8,
                    decision text, explanation jsonb)
        ON CONFLICT (batch_id, row_no, role, person_id) DO UPDATE
           SET run_id = EXCLUDED.run_id, match_weight = EXCLUDED.match_weight,
               match_probability = EXCLUDED.match_probability, decision = EXCLUDED.decision,
               explanation = EXCLUDED.explanation`.execute(trx);
      progress('save', Math.min(rows.length, start + 500), rows.length);
    }
    // Pairs this run no longer scores: gone unless a person decided on them (the decision stays).
    await sql`DELETE FROM feed_pair WHERE batch_id = ${batch.id} AND run_id <> ${run.id} AND review IS NULL`.execute(
      trx,
    );
    await sql`UPDATE feed_pair SET decision = 'non-match', run_id = ${run.id}
               WHERE batch_id = ${batch.id} AND run_id <> ${run.id}`.execute(trx);
    const pairsSaved = performance.now();
    // Decisions people made on the same records in earlier batches.
    const carried = await carryDecisions(trx, batch.id, run.id);
    const decisionsCarried = performance.now();
    const kept = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM feed_pair WHERE batch_id = ${batch.id} AND review IS NOT NULL`.execute(
      trx,
    );
    const settled = await settleRecords(trx, batch.id, options.actor);
    const settleDone = performance.now();
    await sql`UPDATE feed_batch SET status = 'linked', last_run_id = ${run.id} WHERE id = ${batch.id}`.execute(
      trx,
    );
    // How the save phase went, for the benchmark: pairs, carried decisions, settling (ms).
    const saveTimings = {
      pairs: Math.round(pairsSaved - saveStarted),
      carry: Math.round(decisionsCarried - pairsSaved),
      settle: Math.round(settleDone - decisionsCarried),
    };
    await sql`UPDATE feed_link_run SET finished_at = now(),
                     report = jsonb_set(report, '{saveTimings}', ${JSON.stringify(saveTimings)}::jsonb)
               WHERE id = ${run.id}`.execute(trx);
    await dataVersion.bumpIn(trx, batch.countyCode);
    return { runId: run.id, decisionsKept: kept.rows[0]?.n ?? 0, decisionsCarried: carried, ...settled };
  });
  progress('save', rows.length, rows.length);

  const recordCount = new Set(feed.rowNo).size;
  return {
    batchId: batch.id,
    runId: outcome.runId,
    source: batch.source,
    records: recordCount,
    entries: feed.dataset.ids.length,
    registryPersons: registry.dataset.ids.length,
    blocking: report.blocking,
    candidatePairs: report.candidatePairs,
    prior: result.training.prior,
    thresholds: { autoLink: settings.thresholds.autoLink, review: settings.thresholds.review },
    pairs: counts,
    status: outcome.status,
    decisionsKept: outcome.decisionsKept,
    decisionsCarried: outcome.decisionsCarried,
    tasks: outcome.tasks,
    ms: Math.round(performance.now() - started),
  };
}

export interface LinkAllOptions extends FeedLinkOptions {
  /** Only batches not linked yet (the default links every batch again). */
  onlyNew?: boolean;
}

/**
 * Links every feed batch of a county, oldest first (the demo start runs it after generating the
 * demo county). Re-running is safe: scores are updated, decisions kept, tasks never duplicated.
 */
export async function linkAllFeeds(
  database: Database,
  countyCode: string,
  options: LinkAllOptions,
): Promise<FeedLinkReport[]> {
  await resolvePendingBatches(database, countyCode);
  let query = database.db
    .selectFrom('feed_batch')
    .select('id')
    .where('county_code', '=', countyCode)
    .orderBy('id');
  if (options.onlyNew) query = query.where('status', '<>', 'linked');
  const batches = await query.execute();
  const reports: FeedLinkReport[] = [];
  for (const { id } of batches) reports.push(await linkFeedBatch(database, id, options));
  return reports;
}
