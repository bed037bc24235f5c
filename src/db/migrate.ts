import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { Database } from './database.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
// Any constant works; it only has to be the same for every renkou process on one server.
const MIGRATION_LOCK_KEY = 7_270_881;

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  version: number;
  name: string;
  status: 'applied' | 'already-applied';
}

/** The numbered migration files (NNNN_name.sql), in order. */
export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies every migration not yet applied, each in its own transaction, and refuses to run when
 * an applied migration's file has changed since (a changed migration means two databases with
 * the same version number but different schemas).
 */
export async function migrateToLatest(database: Database, dir = MIGRATIONS_DIR): Promise<MigrationResult[]> {
  const files = listMigrations(dir);
  return database.withSession(async (session) => {
    await session.exec(`CREATE TABLE IF NOT EXISTS renkou_migration (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Two servers starting at once against one PostgreSQL must not both migrate.
    if (database.kind === 'postgres')
      await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = new Map(
        (
          await session.query<{ version: number; checksum: string }>(
            'SELECT version, checksum FROM renkou_migration',
          )
        ).map((row) => [row.version, row.checksum]),
      );
      const results: MigrationResult[] = [];
      for (const file of files) {
        const checksum = applied.get(file.version);
        if (checksum !== undefined) {
          if (checksum !== file.checksum) {
            throw new AppError(
              'conflict',
              text(
                `迁移 ${file.version}_${file.name} 在应用之后被修改过；请新增一个迁移，而不是修改旧的。`,
                `Migration ${file.version}_${file.name} was changed after it was applied; add a new migration instead of editing an old one.`,
              ),
              { field: 'migrations' },
            );
          }
          results.push({ version: file.version, name: file.name, status: 'already-applied' });
          continue;
        }
        const record = `INSERT INTO renkou_migration (version, name, checksum) VALUES (${file.version}, '${file.name}', '${file.checksum}');`;
        try {
          await session.exec(`BEGIN;\n${file.sql}\n;${record}\nCOMMIT;`);
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw new AppError(
            'internal',
            text(
              `迁移 ${file.version}_${file.name} 失败：${(error as Error).message}`,
              `Migration ${file.version}_${file.name} failed: ${(error as Error).message}`,
            ),
            { cause: error },
          );
        }
        results.push({ version: file.version, name: file.name, status: 'applied' });
      }
      return results;
    } finally {
      if (database.kind === 'postgres')
        await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
