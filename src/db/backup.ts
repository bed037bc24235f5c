import { closeSync, existsSync, openAsBlob, openSync, readdirSync, readSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { openDatabase, runTool } from './database.ts';

/**
 * Backup and restore for both storage modes. A backup is the storage's own format — PGlite's
 * data directory as a gzipped tar, or a pg_dump custom archive — so it restores exactly,
 * indexes, sequences and the audit log's hash chain included. Restore refuses to overwrite a
 * database that holds data unless told to (`force`), and then keeps the old PGlite directory
 * beside the new one rather than deleting it. Moving between storage modes is what export and
 * import are for.
 */
export type BackupFormat = 'pglite' | 'postgres';

/** What kind of backup a file is, by its first bytes. */
export function detectBackupFormat(path: string): BackupFormat | undefined {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(5);
    readSync(fd, head, 0, 5, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export interface StorageTarget {
  databaseUrl?: string;
  dataDir: string;
}

const KINDS = {
  pglite: text('内置数据库（PGlite）', 'embedded (PGlite)'),
  postgres: text('PostgreSQL', 'PostgreSQL'),
};

/** Writes a backup of the configured storage. */
export async function backupStorage(
  target: StorageTarget,
  out: string,
): Promise<{ kind: BackupFormat; bytes: number }> {
  const database = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
  try {
    return { kind: database.kind, bytes: await database.backupTo(out) };
  } finally {
    await database.close();
  }
}

async function postgresHasTables(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    return result.rows[0].n > 0;
  } finally {
    await client.end();
  }
}

async function emptyPostgres(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}

/**
 * Restores a backup into the configured storage. Returns where the replaced PGlite directory was
 * kept, if one was.
 */
export async function restoreStorage(
  target: StorageTarget,
  file: string,
  options: { force?: boolean } = {},
): Promise<{ kind: BackupFormat; keptOld?: string }> {
  if (!existsSync(file))
    throw new AppError('not_found', text(`找不到备份文件：${file}`, `No backup file at ${file}`), {
      field: 'from',
    });
  const format = detectBackupFormat(file);
  if (!format)
    throw new AppError(
      'invalid_input',
      text(`${file} 不是 renkou 的备份文件`, `${file} is not a renkou backup`),
      {
        field: 'from',
      },
    );
  const storage: BackupFormat = target.databaseUrl ? 'postgres' : 'pglite';
  if (format !== storage)
    throw new AppError(
      'invalid_input',
      text(
        `这是${KINDS[format]['zh-CN']}的备份，不能恢复到${KINDS[storage]['zh-CN']}；跨存储迁移请用导出和导入`,
        `This is a backup of ${KINDS[format].en} storage and cannot be restored into ${KINDS[storage].en}; use export and import to move between them`,
      ),
      { field: 'from' },
    );

  if (target.databaseUrl) {
    const url = target.databaseUrl;
    if (await postgresHasTables(url)) {
      if (!options.force) throw notEmpty();
      await emptyPostgres(url);
    }
    // One transaction: a restore that fails half-way leaves the database as it was (empty).
    await runTool(
      'pg_restore',
      ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', file],
      url,
    );
    return { kind: 'postgres' };
  }

  const pgDir = join(target.dataDir, 'pglite');
  let keptOld: string | undefined;
  if (existsSync(pgDir) && readdirSync(pgDir).length > 0) {
    if (!options.force) throw notEmpty();
    // Take the data directory's lock first, so a running server is never pulled out from under.
    const probe = await openDatabase({ dataDir: target.dataDir });
    await probe.close();
    keptOld = join(target.dataDir, `pglite.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    renameSync(pgDir, keptOld);
  }
  const pglite = await PGlite.create({
    dataDir: pgDir,
    loadDataDir: await openAsBlob(file),
    extensions: { pg_trgm },
  });
  await pglite.close();
  return { kind: 'pglite', keptOld };
}

function notEmpty() {
  return new AppError(
    'conflict',
    text(
      '目标数据库已有数据；确认要覆盖请加 --force（内置数据库的旧数据会保留在旁边的目录里）',
      'The target database holds data; add --force to replace it (the embedded database keeps the old data in a directory beside it)',
    ),
    { field: 'force' },
  );
}
