import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A PostgreSQL database holding a synthetic 华亭市 registry of about `persons` persons, made once
 * by `renkou synth --into-db` and reused by later bench runs. Returns its URL.
 */
export async function ensureBenchRegistry(serverUrl: string, persons: number): Promise<string> {
  const name = `renkou_bench_${persons}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const count = await check
    .query<{ n: string }>("SELECT count(*) AS n FROM person WHERE source = 'synth'")
    .then((r) => Number(r.rows[0]?.n ?? 0))
    .catch(() => 0);
  await check.end();
  if (count >= persons * 0.9) return databaseUrl;

  process.stderr.write(
    `bench: generating a ${persons.toLocaleString('en')}-person registry in ${name} (once)…\n`,
  );
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'src', 'cli', 'main.ts'),
      'synth',
      '--county',
      '620881',
      '--persons',
      String(persons),
      '--seed',
      '1',
      '--into-db',
      '--no-workload',
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`renkou synth --into-db failed (exit ${result.status})`);
  return databaseUrl;
}
