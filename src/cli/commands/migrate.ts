import type { Command } from 'commander';
import { openDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { CliRuntime } from '../runtime.ts';

/** renkou migrate: applies pending migrations and lists them. */
export function registerMigrate(program: Command, rt: CliRuntime) {
  program
    .command('migrate')
    .description(
      rt.t(
        '把数据库结构升级到最新（启动时也会自动执行）',
        'Bring the database schema up to date (start does this too)',
      ),
    )
    .action(async () => {
      const config = rt.config();
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        for (const result of await migrateToLatest(database)) {
          const status =
            result.status === 'applied' ? rt.t('已应用', 'applied') : rt.t('早已应用', 'already applied');
          rt.out(`${String(result.version).padStart(4, '0')}_${result.name}  ${status}`);
        }
      } finally {
        await database.close();
      }
    });
}
