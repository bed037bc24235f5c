import type { Command } from 'commander';
import { appendAudit } from '../../access/audit-log.ts';
import { cliPrincipal } from '../../access/principal.ts';
import { backupStorage, restoreStorage } from '../../db/backup.ts';
import { type CliRuntime, outputFileOption } from '../runtime.ts';

/** renkou backup / renkou restore, for both storage modes (src/db/backup.ts). */
export function registerBackupCommands(program: Command, rt: CliRuntime) {
  program
    .command('backup')
    .description(rt.t('备份数据库到一个文件', 'Back up the database to one file'))
    .requiredOption('--out <file>', rt.t('备份文件', 'backup file'), outputFileOption('--out'))
    .action(async (options: { out: string }) => {
      const config = rt.config();
      const started = Date.now();
      const result = await backupStorage(
        { databaseUrl: config.databaseUrl, dataDir: config.dataDir },
        options.out,
      );
      await rt.withDatabase((database) =>
        appendAudit(database.db, {
          actor: cliPrincipal().actor,
          action: 'backup',
          resource: 'database',
          outcome: 'ok',
          details: { file: options.out, bytes: result.bytes },
        }),
      );
      const mib = (result.bytes / 1024 / 1024).toFixed(1);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      rt.out(
        rt.t(
          `已备份到 ${options.out}（${mib} MiB，${seconds} 秒）`,
          `Backed up to ${options.out} (${mib} MiB, ${seconds} s)`,
        ),
      );
    });

  program
    .command('restore')
    .description(rt.t('从备份文件恢复数据库', 'Restore the database from a backup file'))
    .requiredOption('--from <file>', rt.t('备份文件', 'backup file'))
    .option('--force', rt.t('覆盖已有数据', 'replace the data already there'))
    .action(async (options: { from: string; force?: boolean }) => {
      const config = rt.config();
      const result = await restoreStorage(
        { databaseUrl: config.databaseUrl, dataDir: config.dataDir },
        options.from,
        {
          force: options.force,
        },
      );
      // A backup from an older renkou is brought up to this version's schema.
      await rt.withDatabase((database) =>
        appendAudit(database.db, {
          actor: cliPrincipal().actor,
          action: 'restore',
          resource: 'database',
          outcome: 'ok',
          details: { file: options.from },
        }),
      );
      rt.out(rt.t(`已从 ${options.from} 恢复`, `Restored from ${options.from}`));
      if (result.keptOld)
        rt.out(rt.t(`原数据保留在 ${result.keptOld}`, `The previous data is kept in ${result.keptOld}`));
    });
}
