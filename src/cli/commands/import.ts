import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { csvLine, type TableFormat } from '../../registry/export/table-writer.ts';
import { type ImportMode, importPersons, type RowOutcome } from '../../registry/import/import-persons.ts';
import {
  getImportReport,
  type ImportReport,
  listImportBatches,
} from '../../registry/import/import-report.ts';
import { fieldLabel } from '../../registry/import/person-columns.ts';
import {
  discardQuarantinedRow,
  listQuarantine,
  resubmitQuarantinedRow,
  resubmitQuarantineFile,
  writeQuarantineFile,
} from '../../registry/import/quarantine.ts';
import { writePersonTemplate } from '../../registry/import/template.ts';
import { createProgress, type Progress } from '../progress.ts';
import { type CliRuntime, INT32_MAX, inputFileOption, outputFileOption, wholeNumber } from '../runtime.ts';

function readFormat(value: string | undefined, out?: string): TableFormat {
  const format = value ?? (out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (format !== 'csv' && format !== 'xlsx') {
    throw new AppError(
      'invalid_input',
      text(`格式应为 csv 或 xlsx：${format}`, `Format must be csv or xlsx: ${format}`),
      {
        field: 'format',
      },
    );
  }
  return format;
}

/** An id, a count or a row number typed on the command line (rows are 32-bit in the database). */
function readId(value: string, field: string): number {
  return wholeNumber(value, field, field === 'row' ? { max: INT32_MAX } : {});
}

function readMode(value: string): ImportMode {
  if (value === 'auto' || value === 'chunked' || value === 'initial') return value;
  throw new AppError(
    'invalid_input',
    text(
      `--mode 应为 auto、chunked 或 initial：${value}`,
      `--mode must be auto, chunked or initial: ${value}`,
    ),
    { field: 'mode' },
  );
}

/** The summary a person reads after an import. */
function printReport(rt: CliRuntime, report: ImportReport, seconds?: number) {
  const r = report.rows;
  if (report.alreadyImported) {
    rt.out(
      rt.t(
        `此文件已于 ${report.finishedAt} 导入（批次 ${report.batchId}），本次没有写入任何数据。`,
        `This file was imported on ${report.finishedAt} (batch ${report.batchId}); nothing was written this time.`,
      ),
    );
  } else if (report.initialLoad) {
    rt.out(
      rt.t(
        `县 ${report.countyCode} 的整批初始导入：全部行在一个事务中写入，索引和约束已重建。`,
        `Initial load of county ${report.countyCode}: every row written in one transaction, indexes and constraints rebuilt.`,
      ),
    );
  } else if (report.resumedAfterRow !== null) {
    rt.out(
      rt.t(
        `续导：上次中断的批次 ${report.batchId} 从第 ${report.resumedAfterRow} 行之后继续。`,
        `Resumed batch ${report.batchId} after row ${report.resumedAfterRow}, where it had stopped.`,
      ),
    );
  }
  const rate = seconds && seconds > 0 ? Math.round(r.total / seconds) : undefined;
  rt.out(
    rt.t(
      `批次 ${report.batchId}（${report.fileName}，县 ${report.countyCode}）：共 ${r.total} 行，新建 ${r.ok}，未变 ${r.unchanged}，隔离 ${r.quarantined}${r.blank ? `；空行 ${r.blank}` : ''}${rate ? `；${seconds!.toFixed(1)} 秒，${rate} 行/秒` : ''}`,
      `Batch ${report.batchId} (${report.fileName}, county ${report.countyCode}): ${r.total} rows, ${r.ok} new, ${r.unchanged} unchanged, ${r.quarantined} quarantined${r.blank ? `; ${r.blank} blank` : ''}${rate ? `; ${seconds!.toFixed(1)} s, ${rate} rows/s` : ''}`,
    ),
  );
  if (report.ignoredColumns.length > 0) {
    rt.out(
      rt.t(
        `未识别的列（未导入）：${report.ignoredColumns.join('、')}`,
        `Columns not recognised (not imported): ${report.ignoredColumns.join(', ')}`,
      ),
    );
  }
  if (report.quarantine.pending > 0) {
    rt.out(rt.t('隔离区中待处理的问题：', 'Problems waiting in the quarantine:'));
    for (const issue of report.issues.slice(0, 12))
      rt.out(
        `  ${String(issue.count).padStart(7)}  ${issue.label[rt.lang]}  ${issue.example[rt.lang]}  (${issue.code})`,
      );
    rt.out(
      rt.t(
        `查看：renkou import quarantine --batch ${report.batchId}；导出后更正再提交：renkou import quarantine --batch ${report.batchId} --out 隔离.xlsx，然后 renkou import resubmit ${report.batchId} --file 隔离.xlsx`,
        `See them: renkou import quarantine --batch ${report.batchId}; correct in a sheet and resubmit: renkou import quarantine --batch ${report.batchId} --out quarantine.xlsx, then renkou import resubmit ${report.batchId} --file quarantine.xlsx`,
      ),
    );
  }
}

function parseSet(pairs: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new AppError(
        'invalid_input',
        text(`--set 应为 列名=值：${pair}`, `--set takes column=value: ${pair}`),
        {
          field: 'set',
        },
      );
    }
    values[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return values;
}

/** renkou import …: persons from CSV/XLSX, the quarantine, the template. */
export function registerImport(program: Command, rt: CliRuntime) {
  const imp = program
    .command('import')
    .description(
      rt.t(
        '从 CSV/XLSX 批量导入人员；隔离区；导入模板',
        'Bulk import persons from CSV/XLSX; quarantine; template',
      ),
    );

  imp
    .command('persons')
    .description(
      rt.t(
        '导入人员文件（每行一人，列见 renkou import template）',
        'Import a person file (one person per row; columns as in renkou import template)',
      ),
    )
    .argument('<file>', rt.t('CSV 或 XLSX 文件', 'CSV or XLSX file'), inputFileOption('<file>'))
    .option('--county <code>', rt.t('导入到哪个县（6 位代码）', 'county to import into (6 digits)'))
    .option(
      '--report <file>',
      rt.t('把每一行的结果写到 CSV 文件', 'write every row’s outcome to a CSV file'),
      outputFileOption('--report'),
    )
    .option('--chunk-size <n>', rt.t('每个事务的行数', 'rows per transaction'), '10000')
    .option(
      '--mode <mode>',
      rt.t(
        'auto：空县且文件较大时整批初始导入（一个事务，导入期间登记库表被锁定，最后重建索引），否则分块导入；chunked：总是分块；initial：要求整批初始导入',
        'auto: an initial load (one transaction, the registry tables locked meanwhile, indexes rebuilt at the end) for an empty county and a big file, else chunk by chunk; chunked: always chunk by chunk; initial: insist on an initial load',
      ),
      'auto',
    )
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (
        file: string,
        options: {
          county?: string;
          report?: string;
          chunkSize: string;
          mode: string;
          user: string;
          json?: boolean;
        },
      ) => {
        let progress: Progress | undefined;
        let reportFile: WriteStream | undefined;
        if (options.report) {
          reportFile = createWriteStream(options.report);
          reportFile.write(
            `\uFEFF${csvLine([rt.t('行号', 'row'), rt.t('结果', 'outcome'), rt.t('问题', 'issues')])}`,
          );
        }
        const started = performance.now();
        const writeOutcomes = (outcomes: RowOutcome[]) => {
          let lines = '';
          for (const o of outcomes) {
            const issues = (o.issues ?? [])
              .map((i) => `${fieldLabel(i.field)[rt.lang]}: ${i.message[rt.lang]}`)
              .join('; ');
            lines += csvLine([String(o.rowNo), o.outcome, issues]);
          }
          reportFile!.write(lines);
        };
        try {
          const report = await rt.withDatabase((database) =>
            importPersons(
              { database, actor: { id: options.user } },
              {
                path: file,
                county: options.county,
                chunkSize: readId(options.chunkSize, 'chunk-size'),
                mode: readMode(options.mode),
                onProgress: (p) => {
                  if (p.phase === 'indexes') {
                    progress?.finish();
                    // On stderr with the progress bar, so --json output stays clean.
                    process.stderr.write(
                      `${rt.t(
                        `已写入 ${p.rowsDone} 行；正在重建登记库的索引和约束……`,
                        `${p.rowsDone} rows written; rebuilding the registry's indexes and constraints…`,
                      )}\n`,
                    );
                    return;
                  }
                  progress ??= createProgress(
                    rt.t('导入（KB）', 'Import (KB)'),
                    Math.ceil(p.bytesTotal / 1024),
                  );
                  progress.tick(Math.floor(p.bytesRead / 1024));
                },
                ...(reportFile ? { onRows: writeOutcomes } : {}),
              },
            ),
          );
          progress?.finish();
          if (options.json) rt.out(JSON.stringify(report, null, 2));
          else
            printReport(
              rt,
              report,
              report.alreadyImported ? undefined : (performance.now() - started) / 1000,
            );
        } finally {
          if (reportFile) await new Promise((resolve) => reportFile!.end(resolve));
        }
      },
    );

  imp
    .command('report')
    .description(
      rt.t(
        '查看导入批次的结果；不带批次号时列出最近的批次',
        'Show an import batch; without an id, list recent batches',
      ),
    )
    .argument('[batch]', rt.t('批次号', 'batch id'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (batch: string | undefined, options: { json?: boolean }) => {
      if (batch === undefined) {
        const batches = await rt.withDatabase((database) => listImportBatches(database.db));
        if (options.json) return rt.out(JSON.stringify(batches, null, 2));
        for (const b of batches) {
          rt.out(
            `${String(b.batchId).padStart(6)}  ${b.countyCode}  ${b.status.padEnd(9)}  ${b.rows.total}/${b.rows.ok}/${b.rows.unchanged}/${b.rows.quarantined}  ${b.quarantinePending}  ${b.fileName}`,
          );
        }
        return rt.out(
          rt.t(
            '（列：批次 县 状态 总数/新建/未变/隔离 隔离待处理 文件）',
            '(batch county status total/new/unchanged/quarantined quarantine-pending file)',
          ),
        );
      }
      const report = await rt.withDatabase((database) =>
        getImportReport(database.db, readId(batch, 'batch')),
      );
      if (options.json) return rt.out(JSON.stringify(report, null, 2));
      printReport(rt, report);
    });

  imp
    .command('quarantine')
    .description(rt.t('查看或导出隔离区中的行', 'List or export rows in the quarantine'))
    .option('--batch <id>', rt.t('只看此批次', 'only this batch'))
    .option('--status <status>', 'pending | resubmitted | discarded | all', 'pending')
    .option('--limit <n>', rt.t('最多条数', 'at most this many'), '50')
    .option(
      '--out <file>',
      rt.t(
        '导出为 CSV/XLSX 以便更正后重新提交（须指定 --batch）',
        'export as CSV/XLSX to correct and resubmit (needs --batch)',
      ),
      outputFileOption('--out'),
    )
    .option('--format <format>', 'csv | xlsx')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (options: {
        batch?: string;
        status: string;
        limit: string;
        out?: string;
        format?: string;
        json?: boolean;
      }) => {
        const batchId = options.batch === undefined ? undefined : readId(options.batch, 'batch');
        if (options.out) {
          if (batchId === undefined) {
            throw new AppError(
              'invalid_input',
              text('导出隔离区须指定 --batch', 'Exporting the quarantine needs --batch'),
              {
                field: 'batch',
              },
            );
          }
          const format = readFormat(options.format, options.out);
          const written = await rt.withDatabase((database) =>
            writeQuarantineFile(database.db, createWriteStream(options.out!), { batchId, format }),
          );
          return rt.out(
            rt.t(`已写出 ${written} 行到 ${options.out}`, `Wrote ${written} rows to ${options.out}`),
          );
        }
        const result = await rt.withDatabase((database) =>
          listQuarantine(database.db, {
            ...(batchId === undefined ? {} : { batchId }),
            status: options.status as 'pending',
            limit: readId(options.limit, 'limit'),
          }),
        );
        if (options.json) return rt.out(JSON.stringify(result, null, 2));
        for (const row of result.items) {
          rt.out(
            `${rt.t('批次', 'batch')} ${row.batchId} ${rt.t('第', 'row')} ${row.rowNo}${rt.t(' 行', '')}  [${row.status}]  ${row.raw.name ?? ''} ${row.raw.idNumber ?? ''}`,
          );
          for (const issue of row.issues)
            rt.out(`    ${fieldLabel(issue.field)[rt.lang]}: ${issue.message[rt.lang]} (${issue.code})`);
        }
        rt.out(rt.t(`共 ${result.total} 行`, `${result.total} rows`));
      },
    );

  imp
    .command('resubmit')
    .description(
      rt.t(
        '更正后重新提交隔离区中的行：单行用 --set 列名=值，多行用 --file（renkou import quarantine --out 导出的文件）',
        'Resubmit quarantined rows after correcting them: one row with --set column=value, many with --file (as written by renkou import quarantine --out)',
      ),
    )
    .argument('<batch>', rt.t('批次号', 'batch id'))
    .argument('[row]', rt.t('行号', 'row number'))
    .option(
      '--set <column=value...>',
      rt.t('更正的值，如 --set 出生日期=1985-03-12', 'a corrected value, e.g. --set birth_date=1985-03-12'),
    )
    .option(
      '--file <file>',
      rt.t('更正后的隔离区文件', 'the corrected quarantine file'),
      inputFileOption('--file'),
    )
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (
        batch: string,
        row: string | undefined,
        options: { set?: string[]; file?: string; user: string; json?: boolean },
      ) => {
        const batchId = readId(batch, 'batch');
        if (options.file) {
          const result = await rt.withDatabase((database) =>
            resubmitQuarantineFile(
              { database, actor: { id: options.user } },
              { batchId, path: options.file! },
            ),
          );
          if (options.json) return rt.out(JSON.stringify(result, null, 2));
          for (const item of result.items.filter(
            (i) => i.outcome === 'quarantined' || i.outcome === 'skipped',
          )) {
            rt.out(`${rt.t('第', 'row')} ${item.rowNo}${rt.t(' 行', '')}: ${item.outcome}`);
            for (const issue of item.issues ?? [])
              rt.out(`    ${fieldLabel(issue.field)[rt.lang]}: ${issue.message[rt.lang]}`);
          }
          return rt.out(
            rt.t(
              `重新提交 ${result.rows} 行：新建 ${result.ok}，未变 ${result.unchanged}，仍有问题 ${result.stillQuarantined}，跳过 ${result.skipped}`,
              `Resubmitted ${result.rows} rows: ${result.ok} new, ${result.unchanged} unchanged, ${result.stillQuarantined} still failing, ${result.skipped} skipped`,
            ),
          );
        }
        if (row === undefined) {
          throw new AppError(
            'invalid_input',
            text(
              '请给出行号，或用 --file 提交更正后的文件',
              'Give a row number, or a corrected file with --file',
            ),
            {
              field: 'row',
            },
          );
        }
        const result = await rt.withDatabase((database) =>
          resubmitQuarantinedRow(
            { database, actor: { id: options.user } },
            { batchId, rowNo: readId(row, 'row'), values: parseSet(options.set ?? []) },
          ),
        );
        if (options.json) return rt.out(JSON.stringify(result, null, 2));
        rt.out(
          result.outcome === 'ok'
            ? rt.t(`已导入：人员 ${result.personId}`, `Imported: person ${result.personId}`)
            : rt.t(
                `登记库中已有且相同：人员 ${result.personId}`,
                `Already in the registry, unchanged: person ${result.personId}`,
              ),
        );
      },
    );

  imp
    .command('discard')
    .description(rt.t('舍弃隔离区中的一行（须填原因）', 'Discard a quarantined row, with a reason'))
    .argument('<batch>', rt.t('批次号', 'batch id'))
    .argument('<row>', rt.t('行号', 'row number'))
    .requiredOption('--reason <text>', rt.t('舍弃原因', 'why'))
    .option('--user <id>', rt.t('操作人', 'who'), 'cli')
    .action(async (batch: string, row: string, options: { reason: string; user: string }) => {
      await rt.withDatabase((database) =>
        discardQuarantinedRow(
          { database, actor: { id: options.user } },
          { batchId: readId(batch, 'batch'), rowNo: readId(row, 'row'), reason: options.reason },
        ),
      );
      rt.out(rt.t(`已舍弃批次 ${batch} 第 ${row} 行`, `Discarded row ${row} of batch ${batch}`));
    });

  imp
    .command('template')
    .description(
      rt.t(
        '写出人员导入模板（表头、示例行、填写说明）',
        'Write the person import template (header, example row, notes)',
      ),
    )
    .option('--format <format>', 'csv | xlsx')
    .requiredOption('--out <file>', rt.t('输出文件', 'output file'), outputFileOption('--out'))
    .action(async (options: { format?: string; out: string }) => {
      const format = readFormat(options.format, options.out);
      await writePersonTemplate(createWriteStream(options.out), format);
      rt.out(rt.t(`模板已写到 ${options.out}`, `Template written to ${options.out}`));
    });
}
