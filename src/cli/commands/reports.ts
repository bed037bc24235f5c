import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError, fieldIssue, invalidInput } from '../../domain/errors.ts';
import {
  ACTIVITY_KIND_NAMES,
  ACTIVITY_KINDS,
  addActivity,
  diffReportRun,
  generateReport,
  listActivities,
  listReportRuns,
  parseReportLang,
  REPORT_FORMATS,
  type ReportFormat,
} from '../../reports/index.ts';
import { createProgress } from '../progress.ts';
import { type CliRuntime, dateOption, outputFileOption, wholeNumber } from '../runtime.ts';

function optionalCount(value: string | undefined, field: string): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value))
    throw invalidInput([fieldIssue('invalid_count', field, '应为整数', 'Must be a whole number')]);
  return Number(value);
}

/** renkou report …, renkou report diff ID, renkou report list; renkou activity add|list. */
export function registerReportCommands(program: Command, rt: CliRuntime) {
  const report = program
    .command('report')
    .description(
      rt.t(
        '生成工作汇报（docx、html）或统计报表（xlsx），并记录每个数字的来源',
        'Generate the work report (docx, html) or statistical tables (xlsx), recording where every figure came from',
      ),
    )
    .option('--unit <code>', rt.t('单位代码（县、乡镇或村）', 'unit code (county, township or village)'))
    .option(
      '--period <period>',
      rt.t('时期：2025、2025H1、2025Q3、2025-07', 'period: 2025, 2025H1, 2025Q3, 2025-07'),
    )
    .option('--format <format>', 'docx | xlsx | html', 'docx')
    .option('--out <file>', rt.t('输出文件', 'output file'), outputFileOption('--out'))
    .option(
      '--date <date>',
      rt.t('落款日期（默认今天）', 'date the report is signed (today by default)'),
      dateOption('--date'),
    )
    .option('--plan <text...>', rt.t('“下一步工作打算”中的段落', 'paragraphs for the next-steps section'))
    .option('--user <id>', rt.t('记入报告记录的操作人', 'who the report record names'), 'cli')
    .addHelpText(
      'after',
      rt.t(
        '\n报告的语言随全局选项 --lang（或 RENKOU_LANG）：zh-CN（默认）或 en。',
        '\nThe report is written in the language of the global --lang (or RENKOU_LANG): zh-CN (default) or en.',
      ),
    )
    .action(
      async (
        options: {
          unit?: string;
          period?: string;
          format: string;
          out?: string;
          date?: string;
          plan?: string[];
          user: string;
        },
        command: Command,
      ) => {
        const issues = [];
        // The report's words follow --lang (or RENKOU_LANG), checked strictly: a report is not
        // quietly written in Chinese when "--lang fr" or a typo was asked for.
        const asked = (command.optsWithGlobals() as { lang?: string }).lang ?? process.env.RENKOU_LANG;
        let lang = rt.lang;
        try {
          lang = parseReportLang(asked);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          issues.push(...error.issues);
        }
        if (!options.unit) issues.push(fieldIssue('required', 'unit', '请用 --unit 指定单位', 'Give --unit'));
        if (!options.period)
          issues.push(fieldIssue('required', 'period', '请用 --period 指定时期', 'Give --period'));
        if (!REPORT_FORMATS.includes(options.format as ReportFormat)) {
          issues.push(
            fieldIssue(
              'invalid_format',
              'format',
              '格式应为 docx、xlsx 或 html',
              'Format must be docx, xlsx or html',
            ),
          );
        }
        if (issues.length > 0) throw invalidInput(issues);
        const progress = createProgress(rt.t('生成报告', 'Report'), 7);
        const result = await rt.withDatabase((database) =>
          generateReport(database, {
            unit: options.unit!,
            period: options.period!,
            format: options.format as ReportFormat,
            lang,
            actor: options.user,
            reportDate: options.date,
            plans: options.plan,
            onStep: (_step, done) => progress.tick(done),
          }),
        );
        progress.finish();
        const out = options.out ?? result.fileName;
        writeFileSync(out, result.bytes);
        rt.out(
          rt.t(
            `已生成 ${out}（${result.bytes.length} 字节，${result.figureCount} 个数字，数据版本 ${result.dataVersion}，报告记录 #${result.runId}，SHA-256 ${result.sha256}）`,
            `Wrote ${out} (${result.bytes.length} bytes, ${result.figureCount} figures, data version ${result.dataVersion}, report record #${result.runId}, SHA-256 ${result.sha256})`,
          ),
        );
      },
    );

  report
    .command('diff <id>')
    .description(
      rt.t(
        '按今天的数据重算一份已生成报告的数字，列出变化',
        'Recompute a generated report’s figures from today’s data and list what changed',
      ),
    )
    .option('--json', rt.t('输出 JSON', 'print JSON'))
    .action(async (id: string, options: { json?: boolean }) => {
      const runId = wholeNumber(id, 'id');
      const diff = await rt.withDatabase((database) => diffReportRun(database, runId));
      if (options.json) return rt.out(JSON.stringify(diff, null, 2));
      rt.out(
        rt.t(
          `报告记录 #${diff.run.id}（${diff.run.unit} ${diff.run.period} ${diff.run.format}）：生成时数据版本 ${diff.dataVersionThen}，现在 ${diff.dataVersionNow}`,
          `Report record #${diff.run.id} (${diff.run.unit} ${diff.run.period} ${diff.run.format}): data version ${diff.dataVersionThen} then, ${diff.dataVersionNow} now`,
        ),
      );
      if (diff.same) return rt.out(rt.t('数字全部相同。', 'Every figure is the same.'));
      const show = (v: number | null) => (v === null ? rt.t('无数据', 'no data') : String(v));
      for (const c of diff.changed) rt.out(`~ ${c.key}\t${c.name}\t${show(c.before)} → ${show(c.after)}`);
      for (const c of diff.added) rt.out(`+ ${c.key}\t${c.name}\t${show(c.after)}`);
      for (const c of diff.removed) rt.out(`- ${c.key}\t${c.name}\t${show(c.before)}`);
      rt.out(
        rt.t(
          `变化 ${diff.changed.length}，新增 ${diff.added.length}，去掉 ${diff.removed.length}`,
          `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed`,
        ),
      );
    });

  report
    .command('list')
    .description(rt.t('已生成的报告记录', 'Generated report records'))
    .option('--unit <code>', rt.t('单位代码', 'unit code'))
    .option('--period <period>', rt.t('时期', 'period'))
    .action(async (options: { unit?: string; period?: string }) => {
      const runs = await rt.withDatabase((database) => listReportRuns(database, options));
      for (const run of runs) {
        rt.out(
          `#${run.id}\t${run.unit}\t${run.period}\t${run.format}\t${run.lang}\t${rt.t('数据版本', 'data version')} ${run.dataVersion}\t${run.figureCount}\t${run.sha256.slice(0, 12)}\t${run.createdBy}\t${run.createdAt}`,
        );
      }
    });

  const activity = program
    .command('activity')
    .description(
      rt.t(
        '工作活动记录（汇报“主要工作”的来源）',
        'Activity log (the source of the report’s main-work section)',
      ),
    );
  activity
    .command('add')
    .description(rt.t('登记一次服务活动', 'Record a service activity'))
    .requiredOption('--unit <code>', rt.t('开展活动的单位', 'unit that carried it out'))
    .requiredOption('--date <date>', 'YYYY-MM-DD', dateOption('--date'))
    .requiredOption(
      '--kind <kind>',
      ACTIVITY_KINDS.map(
        (k) => `${k}${rt.lang === 'en' ? '' : `（${ACTIVITY_KIND_NAMES[k]['zh-CN']}）`}`,
      ).join(' | '),
    )
    .requiredOption('--text <text>', rt.t('一句话说明做了什么', 'one line of what was done'))
    .option('--people <n>', rt.t('服务人次', 'people served'))
    .option('--materials <n>', rt.t('发放资料份数', 'materials handed out'))
    .option('--user <id>', rt.t('登记人', 'who records it'), 'cli')
    .action(
      async (options: {
        unit: string;
        date: string;
        kind: string;
        text: string;
        people?: string;
        materials?: string;
        user: string;
      }) => {
        const saved = await rt.withDatabase((database) =>
          addActivity(
            { db: database.db, actor: { id: options.user } },
            {
              unit: options.unit,
              date: options.date,
              kind: options.kind,
              description: options.text,
              peopleServed: optionalCount(options.people, 'peopleServed'),
              materials: optionalCount(options.materials, 'materials'),
            },
          ),
        );
        rt.out(rt.t(`已登记活动 #${saved.id}`, `Recorded activity #${saved.id}`));
      },
    );
  activity
    .command('list')
    .description(rt.t('某单位（含下级）的活动', 'Activities of a unit and its sub-units'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .option('--from <date>', 'YYYY-MM-DD', dateOption('--from'))
    .option('--to <date>', 'YYYY-MM-DD', dateOption('--to'))
    .option('--json', rt.t('输出 JSON', 'print JSON'))
    .action(async (options: { unit: string; from?: string; to?: string; json?: boolean }) => {
      const rows = await rt.withDatabase((database) => listActivities(database.db, options));
      if (options.json) return rt.out(JSON.stringify(rows, null, 2));
      for (const row of rows) {
        const kind = ACTIVITY_KIND_NAMES[row.kind][rt.lang];
        rt.out(
          `#${row.id}\t${row.date}\t${row.unitName}\t${kind}\t${row.peopleServed ?? '-'}\t${row.materials ?? '-'}\t${row.description}`,
        );
      }
    });
}
