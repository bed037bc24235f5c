/**
 * bench/linkage: department-feed linkage end to end through the database — a household-registration
 * (户籍登记) feed of --records records is written as a CSV file, received as a feed batch (read,
 * every raw row stored, each record's event and village resolved) and linked against the whole
 * registry of a synthetic county of --persons persons in PostgreSQL (registry side read, blocked,
 * trained, scored, pairs with explanations saved, records settled, work tasks written).
 * Issue 5's target: 100,000 records against 1,000,000 persons in under 60 s and 4 GiB on 2 cores.
 *
 *   DATABASE_URL=postgres://… npx node bench/linkage.ts [--persons 1000000] [--records 100000]
 *       [--unmatched 0.1] [--seed 1] [--keep]
 *
 * The registry is the bench database renkou_bench_<persons> (bench/lib/registry.ts: made once by
 * `renkou synth --into-db`, reused). The feed is drawn from the registry's persons with the
 * departments' usual mistakes (homophones, typos, a mistyped or transposed ID digit, a missing ID
 * number, day and month swapped), plus --unmatched records of persons the registry does not have
 * (a name, sex and birth date recombined from different persons, a new ID number). A record is a
 * move the registry holds (the person's latest move in, move out or change of address, registered
 * with the police up to two months later) while there are such persons, else a made-up move
 * (which settling then finds missing from the registry: a work task). The true person
 * of every record is known, so precision and recall of the links are printed too. The batch, its
 * pairs, runs and tasks are removed afterwards unless --keep is given, so the registry stays as it
 * was for the next run. Memory is this process's peak RSS; the PostgreSQL server's is its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { ingestFeedFile, resolvePendingBatches } from '../src/feeds/ingest-feed.ts';
import { type FeedLinkPhase, linkFeedBatch } from '../src/feeds/link-feed-batch.ts';
import { defaultMapping } from '../src/feeds/sources.ts';
import { changeIdDigit, swapDayMonth, transposeIdDigits } from '../src/synth/corrupt.ts';
import { makeTypo, swapHomophone } from '../src/synth/names.ts';
import { Rng } from '../src/synth/rng.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';
import { ensureBenchRegistry } from './lib/registry.ts';

const args = readBenchArgs({ persons: '1000000', records: '100000', unmatched: '0.1', seed: '1', keep: '' });
const persons = Number(args.persons);
const recordCount = Number(args.records);
const unmatchedShare = Number(args.unmatched);
const seed = args.seed;
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench/linkage needs DATABASE_URL (a PostgreSQL server); see docs/benchmarks.md\n');
  process.exit(2);
}
if (!(persons > 0 && recordCount > 0 && unmatchedShare >= 0 && unmatchedShare < 1)) {
  process.stderr.write('bench/linkage: --persons and --records must be positive, --unmatched in [0, 1)\n');
  process.exit(2);
}

const databaseUrl = await ensureBenchRegistry(serverUrl, persons);
const database = await openDatabase({ databaseUrl });
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

// --- The feed: drawn before the clock starts (a department would have sent it as a file). ---
const county = (
  await sql<{ code: string }>`SELECT code FROM org_unit WHERE level = 'county' ORDER BY code LIMIT 1`.execute(
    database.db,
  )
).rows[0]!.code;
interface Source {
  id: number;
  name: string;
  sex: string;
  birth_date: string;
  id_number: string | null;
  household_no: string | null;
  address: string;
  station: string;
  /** The person's latest move in the registry (move_in, move_out, residence_change), if any. */
  event_kind: string | null;
  event_date: string | null;
}
const matchedCount = Math.round(recordCount * (1 - unmatchedShare));
// Persons with a move the registry holds first: the police registered that move, so the record is
// one the registry should already know (as most are), and settling finds it there.
const drawn = (
  await sql<Source>`
    WITH ev AS (
      SELECT DISTINCT ON (e.person_id) e.person_id, e.kind, e.event_date, e.org_code
        FROM vital_event e
       WHERE e.county_code = ${county} AND NOT e.voided AND e.kind IN ('move_in', 'move_out', 'residence_change')
       ORDER BY e.person_id, e.event_date DESC)
    SELECT p.id, p.name, p.sex, p.birth_date::text AS birth_date, p.id_number, h.household_no,
           t.name || v.name AS address, '公安局' || t.name || '派出所' AS station,
           ev.kind AS event_kind, ev.event_date::text AS event_date
      FROM person p
      LEFT JOIN ev ON ev.person_id = p.id
      JOIN org_unit v ON v.code = coalesce(ev.org_code, p.current_org_code) AND v.level = 'village'
      JOIN org_unit t ON t.code = v.parent_code
      LEFT JOIN household h ON h.county_code = p.county_code AND h.id = p.household_id
     WHERE p.county_code = ${county} AND p.status NOT IN ('voided', 'merged')
       AND (ev.person_id IS NOT NULL OR p.status = 'active')
     ORDER BY ev.person_id IS NULL, md5(p.id::text || ${seed})
     LIMIT ${recordCount}`.execute(database.db)
).rows;
if (drawn.length < recordCount) {
  process.stderr.write(`bench/linkage: the registry has only ${drawn.length} placed persons\n`);
  process.exit(2);
}
const rng = new Rng(seed, 'bench-linkage');
const mapping = defaultMapping('hukou_registration');
const columns = [
  mapping.record_no!,
  mapping.business!,
  mapping.event_date!,
  mapping.name!,
  mapping.sex!,
  mapping.birth_date!,
  mapping.id_number!,
  mapping.household_no!,
  mapping.address!,
  mapping.issuing_unit!,
];
const BUSINESSES = ['县内迁移', '迁入登记', '迁出登记'];
const BUSINESS_OF: Record<string, string> = {
  residence_change: '县内迁移',
  move_in: '迁入登记',
  move_out: '迁出登记',
};
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
let fromRegistry = 0;
const runTag = `${Date.now().toString(36)}`;
const truth = new Map<string, number | null>();
const lines = [columns.join(',')];
for (let i = 0; i < recordCount; i++) {
  const p = drawn[i]!;
  const matched = i < matchedCount;
  let name = p.name;
  let birthDate = p.birth_date;
  let id = p.id_number;
  let sex = p.sex;
  if (matched) {
    if (rng.chance(0.02)) name = swapHomophone(name, rng);
    if (rng.chance(0.01)) name = makeTypo(name, rng);
    const idError = rng.next();
    if (id && idError < 0.01) id = transposeIdDigits(id, rng);
    else if (id && idError < 0.02) id = changeIdDigit(id, rng);
    if (rng.chance(0.03)) id = null;
    if (rng.chance(0.005)) birthDate = swapDayMonth(birthDate) ?? birthDate;
  } else {
    // Somebody the registry does not have: a name, sex and birth date from three other persons.
    const other = (k: number) => drawn[(i * 7919 + k * 104729) % drawn.length]!;
    name = other(1).name;
    sex = other(2).sex;
    birthDate = other(3).birth_date;
    const digits = `${county}${birthDate.replaceAll('-', '')}${String(rng.int(1000)).padStart(3, '0')}`;
    id = `${digits}${rng.int(10)}`;
  }
  const recordNo = `BL${runTag}${String(i).padStart(7, '0')}`;
  truth.set(recordNo, matched ? Number(p.id) : null);
  // A move the registry holds, registered with the police up to two months later; else a made-up one.
  const known = matched && p.event_kind !== null && p.event_date !== null;
  if (known) fromRegistry++;
  const business = known ? BUSINESS_OF[p.event_kind!]! : BUSINESSES[i % BUSINESSES.length]!;
  const date = known
    ? addDays(p.event_date!, rng.int(60))
    : `2025-${String(1 + rng.int(12)).padStart(2, '0')}-15`;
  lines.push(
    [
      recordNo,
      business,
      date,
      name,
      sex === 'male' ? '男' : '女',
      birthDate,
      id ?? '',
      p.household_no ?? '',
      p.address,
      p.station,
    ].join(','),
  );
}
const dir = mkdtempSync(join(tmpdir(), 'renkou-bench-linkage-'));
const file = join(dir, `hukou-${runTag}.csv`);
writeFileSync(file, `${lines.join('\n')}\n`);

// The synthetic county's own feed batches are resolved once, on the first run (a link run resolves
// every pending batch of the county first): not part of the measurement.
await resolvePendingBatches(database, county);

// --- End to end: receive the file, link it. ---
const phases = new Map<string, number>();
let phase: FeedLinkPhase | 'ingest' = 'ingest';
let phaseStarted = performance.now();
const enter = (next: FeedLinkPhase | 'ingest') => {
  if (next === phase) return;
  const now = performance.now();
  phases.set(phase, (phases.get(phase) ?? 0) + now - phaseStarted);
  phase = next;
  phaseStarted = now;
};
const cpuBefore = process.cpuUsage();
const started = performance.now();
const ingest = await ingestFeedFile(database, {
  source: 'hukou_registration',
  path: file,
  county,
  actor: 'bench',
});
const ingestMs = performance.now() - started;
const report = await linkFeedBatch(database, ingest.batchId, {
  actor: 'bench',
  onProgress: (p) => enter(p.phase),
});
enter('ingest');
const totalMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const maxRssMiB = process.resourceUsage().maxRSS / 1024;

// --- Quality against the truth the feed was drawn with. ---
const linked = (
  await sql<{ record_no: string; person_id: number | null }>`
    SELECT raw->>${mapping.record_no!} AS record_no, person_id FROM feed_record WHERE batch_id = ${ingest.batchId}`.execute(
    database.db,
  )
).rows;
let links = 0;
let right = 0;
for (const row of linked) {
  if (row.person_id === null) continue;
  links++;
  if (truth.get(row.record_no) === Number(row.person_id)) right++;
}
const run = (
  await sql<{ report: { timings: Record<string, number>; saveTimings?: Record<string, number> } }>`
    SELECT report FROM feed_link_run WHERE id = ${report.runId}`.execute(database.db)
).rows[0]!;
const compareMs = run.report.timings.compare ?? Number.NaN;

const out = [
  `bench/linkage — ${await describeMachine()}`,
  `feed: ${n(recordCount)} hukou records (${n(matchedCount)} of registry persons — ${n(fromRegistry)} of them moves the registry holds, ${n(matchedCount - fromRegistry)} made up — and ${n(recordCount - matchedCount)} of persons it does not have) against a registry of ${n(report.registryPersons)} persons (all but voided and merged) (renkou_bench_${persons}, seed ${seed})`,
  `candidate pairs: ${n(report.candidatePairs)} (${report.blocking.map((r) => `${r.rule} ${n(r.newPairs)}`).join('; ')})`,
  `pairs compared per second: ${n(report.candidatePairs / (totalMs / 1000))} end to end; ${n(report.candidatePairs / (compareMs / 1000))} in the engine's compare phase`,
  `time: total ${seconds(totalMs)} s = ingest ${seconds(ingestMs)} + link ${seconds(report.ms)}`,
  `  link phases (s): ${[...phases]
    .filter(([name]) => name !== 'ingest')
    .map(([name, ms]) => `${name} ${seconds(ms)}`)
    .join(', ')}`,
  `  save (s): ${Object.entries(run.report.saveTimings ?? {})
    .map(([name, ms]) => `${name} ${seconds(ms)}`)
    .join(', ')}`,
  `cpu (this process): user ${seconds(cpu.user / 1000)} s, system ${seconds(cpu.system / 1000)} s`,
  `peak memory (maxRSS, this process): ${n(maxRssMiB)} MiB`,
  `records: linked ${n(report.status.linked)}, review ${n(report.status.review)}, unmatched ${n(report.status.unmatched)}; tasks created ${n(report.tasks.created)} (records of persons the registry lacks, made-up moves, corrections)`,
  `quality: precision ${(right / links).toFixed(4)}, recall ${(right / matchedCount).toFixed(4)} (${n(right)} right of ${n(links)} links; ${n(matchedCount)} records have a registry person)`,
];
process.stdout.write(`${out.join('\n')}\n`);

// --- Leave the registry as it was. ---
if (!args.keep) {
  await database.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM work_task WHERE county_code = ${county} AND source = 'linkage'
               AND source_ref LIKE ${`feed:${ingest.batchId}:%`}`.execute(trx);
    await sql`DELETE FROM feed_pair WHERE batch_id = ${ingest.batchId}`.execute(trx);
    await sql`UPDATE feed_batch SET last_run_id = NULL WHERE id = ${ingest.batchId}`.execute(trx);
    await sql`DELETE FROM feed_link_run WHERE batch_id = ${ingest.batchId}`.execute(trx);
    await sql`DELETE FROM feed_record WHERE batch_id = ${ingest.batchId}`.execute(trx);
    await sql`DELETE FROM feed_batch WHERE id = ${ingest.batchId}`.execute(trx);
  });
}
rmSync(dir, { recursive: true, force: true });
await database.close();
