/**
 * bench/search: latency of name / pinyin / initials / ID searches over HTTP with concurrent
 * clients, against a PostgreSQL registry of --persons persons (default 1,000,000).
 *
 *   DATABASE_URL=postgres://… npx node bench/search.ts [--persons 1000000] [--rate 200] [--seconds 30]
 *
 * The load is open-loop: a request is sent every 1/rate seconds whether or not earlier ones
 * have answered, and latency is measured from the moment it was due, so a slow server cannot
 * hide its queueing (no coordinated omission). Target (issue 4): p99 < 100 ms at 200 requests/s.
 */
import pg from 'pg';
import { nameKeys } from '../src/domain/pinyin.ts';
import { describeMachine, percentile, readBenchArgs } from './lib/args.ts';
import { BenchClient, createBenchUser } from './lib/client.ts';
import { ensureBenchRegistry } from './lib/registry.ts';
import { startServerProcess } from './lib/server.ts';

const args = readBenchArgs({ persons: '1000000', rate: '200', seconds: '30', warmup: '5' });
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench/search needs DATABASE_URL (a PostgreSQL server); see docs/benchmarks.md\n');
  process.exit(2);
}
const persons = Number(args.persons);
const databaseUrl = await ensureBenchRegistry(serverUrl, persons);

// Queries people would type, drawn from the registry itself: Han names, full pinyin, initials,
// whole ID numbers and ID prefixes, plus Han names with one character changed (typos).
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
const sample = (
  await client.query<{ name: string; id_number: string | null }>(
    'SELECT name, id_number FROM person TABLESAMPLE SYSTEM (1) WHERE id_number IS NOT NULL LIMIT 2000',
  )
).rows;
await client.end();
const queries: { kind: string; q: string }[] = [];
for (const [i, row] of sample.entries()) {
  const keys = nameKeys(row.name);
  switch (i % 6) {
    case 0:
      queries.push({ kind: 'han', q: row.name });
      break;
    case 1:
      queries.push({ kind: 'pinyin', q: keys.pinyin });
      break;
    case 2:
      queries.push({ kind: 'initials', q: keys.initials });
      break;
    case 3:
      queries.push({ kind: 'id', q: row.id_number! });
      break;
    case 4:
      queries.push({ kind: 'id-prefix', q: row.id_number!.slice(0, 14) });
      break;
    default:
      queries.push({ kind: 'han-typo', q: row.name.slice(0, -1) + (row.name.at(-1) === '明' ? '敏' : '明') });
  }
}

// A county administrator signed in through the API: access control and the audit log are part
// of what is measured, as for a real user.
const user = await createBenchUser({ DATABASE_URL: databaseUrl }, 'bench.search', 'county_admin@620881');
const server = await startServerProcess({ DATABASE_URL: databaseUrl });
const http = new BenchClient(server.url);
await http.signIn(user.username, user.password);
const rate = Number(args.rate);
const seconds = Number(args.seconds);

async function run(durationSeconds: number) {
  const latencies: Record<string, number[]> = {};
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const total = Math.round(rate * durationSeconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const query = queries[i % queries.length]!;
    sent++;
    inFlight.push(
      http.send('GET', `/api/persons?q=${encodeURIComponent(query.q)}&limit=20`).then((response) => {
        if (response.status !== 200) errors++;
        latencies[query.kind] ??= [];
        latencies[query.kind]!.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, errors, sent, elapsed };
}

try {
  await run(Number(args.warmup));
  const result = await run(seconds);
  const all = Object.values(result.latencies)
    .flat()
    .sort((a, b) => a - b);
  const line = (label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${label.padEnd(10)} n=${String(sorted.length).padStart(5)}  median ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms  max ${sorted.at(-1)?.toFixed(1)} ms`;
  };
  console.log(`bench/search — ${await describeMachine()}`);
  console.log(
    `registry: ${persons.toLocaleString('en')} persons on PostgreSQL; open-loop ${rate} req/s for ${seconds} s`,
  );
  console.log(
    `sent ${result.sent}, errors ${result.errors}, achieved ${(result.sent / result.elapsed).toFixed(0)} req/s`,
  );
  console.log(line('all', all));
  for (const [kind, values] of Object.entries(result.latencies)) console.log(line(kind, values));
  const p99 = percentile(all, 99);
  console.log(`target p99 < 100 ms: ${p99 < 100 && result.errors === 0 ? 'met' : 'NOT met'}`);
} finally {
  http.close();
  await server.stop();
}
