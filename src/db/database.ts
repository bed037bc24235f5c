import { spawn } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openAsBlob,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { Schema } from './schema.ts';

export type StorageKind = 'pglite' | 'postgres';

/** A single connection for work that must stay on one session: multi-statement SQL, COPY, locks. */
export interface RawSession {
  /** Runs one or more SQL statements without parameters. */
  exec(sqlText: string): Promise<void>;
  /** Runs one statement with parameters and returns its rows. */
  query<Row>(sqlText: string, params?: unknown[]): Promise<Row[]>;
  /** Loads CSV text into a table with COPY … FROM STDIN (CSV, HEADER). */
  copyCsv(table: string, columns: string[], csv: string): Promise<void>;
  /** Loads a CSV file (with a header line) into a table, streaming it rather than holding it in memory. */
  copyCsvFile(table: string, columns: string[], path: string): Promise<void>;
  /**
   * Loads rows in COPY's text format (tab-separated, `\N` for null, backslash escapes, no header):
   * the cheapest form to build for rows whose values carry commas and quotes, as JSON does.
   */
  copyText(table: string, columns: string[], rows: string): Promise<void>;
}

export interface Database {
  readonly kind: StorageKind;
  /** Where the data lives, for messages: a directory, "memory" or the server URL without password. */
  readonly location: string;
  readonly db: Kysely<Schema>;
  withSession<T>(work: (session: RawSession) => Promise<T>): Promise<T>;
  /**
   * Writes a consistent backup to a file: PGlite's data directory as a gzipped tar, PostgreSQL
   * as a pg_dump custom-format archive (src/db/backup.ts restores both). Returns its size.
   */
  backupTo(path: string): Promise<number>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent, embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined keeps the database in memory (tests). */
  dataDir?: string | undefined;
}

// Dates stay 'YYYY-MM-DD' strings (a JS Date would shift them by the time zone);
// int8 and numeric come back as numbers, which is safe for counts and rates.
const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const TIMESTAMPTZ_OID = 1184;
const toNumber = (value: string) => Number(value);
const keep = (value: string) => value;
const toIso = (value: string) => new Date(value).toISOString();

/** Opens the configured storage: PostgreSQL when a URL is given, otherwise PGlite. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

async function openPostgres(url: string): Promise<Database> {
  const types = {
    getTypeParser(oid: number, format?: string) {
      if (oid === DATE_OID) return keep;
      if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
      if (oid === TIMESTAMPTZ_OID) return toIso;
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types: types as pg.CustomTypesConfig });
  pool.on('error', () => {
    // An idle client lost its server; the pool replaces it. Queries in flight still fail loudly.
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new AppError(
      'storage_unavailable',
      text(
        `无法连接 PostgreSQL 数据库 ${redactUrl(url)}：${(error as Error).message}`,
        `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`,
      ),
      { field: 'DATABASE_URL', cause: error },
    );
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const { from: copyFrom } = await import('pg-copy-streams');
  return {
    kind: 'postgres',
    location: redactUrl(url),
    db,
    async withSession(work) {
      const client = await pool.connect();
      const copyString = (statement: string, data: string) => {
        const stream = client.query(copyFrom(statement));
        return new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(data);
        });
      };
      try {
        return await work({
          async exec(sqlText) {
            await client.query(sqlText);
          },
          async query(sqlText, params) {
            return (await client.query(sqlText, params as unknown[])).rows;
          },
          async copyCsvFile(table, columns, path) {
            const stream = client.query(
              copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`),
            );
            await pipeline(createReadStream(path), stream);
          },
          async copyCsv(table, columns, csv) {
            await copyString(
              `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`,
              csv,
            );
          },
          async copyText(table, columns, rows) {
            await copyString(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, rows);
          },
        });
      } finally {
        client.release();
      }
    },
    async backupTo(path) {
      await runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${path}`], url);
      return statSync(path).size;
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only once a query of its own has run: a command that failed before
      // one (a bad option, a rule) left an idle client that kept the process alive for 10 s.
      if (!pool.ended) await pool.end();
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a single-process database: two processes on one data directory would corrupt it.
 * A lock file with the owner's pid turns that into a clear message; a stale lock is taken over.
 */
function lockDataDir(dir: string): () => void {
  const lockPath = join(dir, 'renkou.lock');
  if (existsSync(lockPath)) {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
      throw new AppError(
        'storage_locked',
        text(
          `数据目录 ${dir} 正被进程 ${pid} 使用（内置数据库一次只能由一个进程打开）。请先停止该进程，或设置 DATABASE_URL 使用 PostgreSQL 服务器。`,
          `Data directory ${dir} is in use by process ${pid} (the embedded database is single-process). Stop that process first, or set DATABASE_URL to use a PostgreSQL server.`,
        ),
        { field: 'RENKOU_DATA_DIR' },
      );
    }
  }
  writeFileSync(lockPath, String(process.pid));
  return () => rmSync(lockPath, { force: true });
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let unlock = () => {};
  let pgDir: string | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
    pgDir = join(dataDir, 'pglite');
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(pgDir ? { dataDir: pgDir } : {}),
      extensions: { pg_trgm },
      parsers: { [DATE_OID]: keep, [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber, [TIMESTAMPTZ_OID]: toIso },
    });
  } catch (error) {
    unlock();
    throw new AppError(
      'storage_unavailable',
      text(
        `无法打开内置数据库 ${pgDir ?? '(内存)'}`,
        `Cannot open the embedded database at ${pgDir ?? '(memory)'}`,
      ),
      { field: 'RENKOU_DATA_DIR', cause: error },
    );
  }
  const db = new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) });
  return {
    kind: 'pglite',
    location: pgDir ?? 'memory',
    db,
    withSession(work) {
      // PGlite is one connection. A raw session runs inside pglite.transaction(), which holds
      // PGlite's exclusive lock: no Kysely query or other session can run between its statements
      // (so nothing slips into a BEGIN … COMMIT it issues). The session's own BEGIN/COMMIT work
      // as on a server; PGlite's closing COMMIT is then a harmless no-op. The work must not await
      // Kysely queries itself: they would wait for the lock it holds.
      return pglite.transaction((tx) =>
        work({
          async exec(sqlText) {
            await tx.exec(sqlText);
          },
          async query(sqlText, params) {
            return (await tx.query(sqlText, params as unknown[])).rows as never[];
          },
          async copyCsvFile(table, columns, path) {
            // PGlite reads COPY input from a blob; openAsBlob hands it the file without a JS string copy.
            await tx.query(
              `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
              [],
              { blob: await openAsBlob(path) },
            );
          },
          async copyCsv(table, columns, csv) {
            await tx.query(
              `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`,
              [],
              {
                blob: new Blob([csv]),
              },
            );
          },
          async copyText(table, columns, rows) {
            await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
              blob: new Blob([rows]),
            });
          },
        }),
      );
    },
    async backupTo(path) {
      // dumpDataDir waits for PGlite's lock, so the copy is taken between transactions.
      const dump = await pglite.dumpDataDir('gzip');
      const bytes = new Uint8Array(await dump.arrayBuffer());
      writeFileSync(path, bytes);
      return bytes.length;
    },
    async close() {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * Runs a PostgreSQL client tool (pg_dump, pg_restore from Debian's postgresql-client), passing the
 * connection as --dbname so the password never appears in messages; fails with its stderr.
 */
export function runTool(tool: string, args: string[], url: string): Promise<void> {
  // The password goes in the environment, not the command line other users can read with ps.
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${parsed.toString()}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) =>
      reject(
        new AppError(
          'storage_unavailable',
          text(
            `找不到 ${tool}：请安装 PostgreSQL 客户端（apt-get install -y postgresql-client）`,
            `${tool} not found: install the PostgreSQL client (apt-get install -y postgresql-client)`,
          ),
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new AppError(
            'storage_unavailable',
            text(`${tool} 失败：${stderr.trim()}`, `${tool} failed: ${stderr.trim()}`),
          ),
        );
    });
  });
}
