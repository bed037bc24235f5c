import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { appendAudit } from '../../access/audit-log.ts';
import { cliPrincipal } from '../../access/principal.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { exportPersons } from '../../registry/export/export-persons.ts';
import { type CliRuntime, outputFileOption } from '../runtime.ts';

/** renkou export persons: a unit's current residents in the import template's columns. */
export function registerExport(program: Command, rt: CliRuntime) {
  const exp = program.command('export').description(rt.t('导出数据', 'Export data'));
  exp
    .command('persons')
    .description(
      rt.t(
        '导出某单位（含下级）的现住人员，列与导入模板相同，可原样重新导入',
        "Export a unit's current residents (with its subtree) in the import template's columns; re-imports as unchanged",
      ),
    )
    .requiredOption(
      '--unit <code>',
      rt.t('单位代码（县、乡镇或村）', 'unit code (county, township or village)'),
    )
    .option('--format <format>', 'csv | xlsx')
    .requiredOption('--out <file>', rt.t('输出文件', 'output file'), outputFileOption('--out'))
    .action(async (options: { unit: string; format?: string; out: string }) => {
      const format = options.format ?? (options.out.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (format !== 'csv' && format !== 'xlsx') {
        throw new AppError(
          'invalid_input',
          text(`格式应为 csv 或 xlsx：${format}`, `Format must be csv or xlsx: ${format}`),
          {
            field: 'format',
          },
        );
      }
      // The command line acts as the system (docs/access.md); an export of personal data is still
      // written to the audit log, like the same export over HTTP.
      const written = await rt.withDatabase(async (database) => {
        const count = await exportPersons(database.db, createWriteStream(options.out), {
          unit: options.unit,
          format,
        });
        await appendAudit(database.db, {
          actor: cliPrincipal().actor,
          action: 'export',
          resource: `persons:${options.unit}`,
          unit: options.unit,
          outcome: 'ok',
          details: { file: options.out, format, persons: count },
        });
        return count;
      });
      rt.out(rt.t(`已导出 ${written} 人到 ${options.out}`, `Exported ${written} persons to ${options.out}`));
    });
}
