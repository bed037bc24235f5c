import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEMO_STEPS, type DemoStep, prepareDemoWorkload } from '../../demo/prepare-demo.ts';
import { type FieldIssue, fieldIssue, invalidInput } from '../../domain/errors.ts';
import { type SynthResult, writeCountyCsv } from '../../synth/generate-county.ts';
import { generateCountyIntoDatabase } from '../../synth/load-registry.ts';
import { createProgress, type Progress } from '../progress.ts';
import { type CliRuntime, dateOption } from '../runtime.ts';

interface SynthCliOptions {
  county?: string;
  persons: string;
  from: string;
  to: string;
  seed: string;
  out?: string;
  asOf?: string;
  intoDb?: boolean;
  workload: boolean;
}

function wholeNumber(
  value: string,
  field: string,
  label: { zh: string; en: string },
  issues: FieldIssue[],
): number {
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  issues.push(
    fieldIssue(
      'not_a_number',
      field,
      `${label.zh}应为整数：${value}`,
      `${label.en} must be a whole number: ${value}`,
    ),
  );
  return Number.NaN;
}

/** renkou synth: a synthetic county with its registry, department feeds and ground truth, as CSV files. */
export function registerSynth(program: Command, rt: CliRuntime) {
  program
    .command('synth')
    .description(
      rt.t(
        '生成合成县：按真实村居模拟人口与十年事件，输出登记库、部门数据和真实值（CSV）',
        'Generate a synthetic county: simulate people and years of events in its real villages, write the registry, department feeds and ground truth (CSV)',
      ),
    )
    .option(
      '--county <code>',
      rt.t(
        '县级区划代码（6 位）或县名，默认为配置的默认县',
        '6-digit county code or name; default: the configured default county',
      ),
    )
    .option(
      '--persons <n>',
      rt.t('起始年 1 月 1 日的人口数', 'population on 1 January of the first year'),
      '190000',
    )
    .option('--from <year>', rt.t('起始年份', 'first year simulated'), '2016')
    .option('--to <year>', rt.t('结束年份（含）', 'last year simulated (inclusive)'), '2025')
    .option(
      '--seed <seed>',
      rt.t('随机种子：相同种子生成相同文件', 'random seed: the same seed writes the same files'),
      '1',
    )
    .option(
      '--out <dir>',
      rt.t(
        '输出目录（registry/、feeds/、truth/ 和 manifest.json）',
        'output directory (registry/, feeds/, truth/, manifest.json)',
      ),
    )
    .option(
      '--as-of <date>',
      rt.t(
        '登记库和部门数据的截止日期，默认为结束年 12 月 31 日',
        'extract date of the registry and the feeds; default: 31 December of the last year',
      ),
      dateOption('--as-of'),
    )
    .option(
      '--into-db',
      rt.t(
        '写入数据库：登记库和待比对的部门数据（真实值只写文件）',
        'write into the database: the registry and the department feeds waiting to be linked (ground truth stays in files)',
      ),
    )
    .option(
      '--no-workload',
      rt.t(
        '只写入数据：不写示例目标、不比对部门数据、不运行核查和查重',
        'load the data only: no example target sheets, feed linkage, validation or duplicate search',
      ),
    )
    .action(async (options: SynthCliOptions) => {
      const issues: FieldIssue[] = [];
      const persons = wholeNumber(options.persons, 'persons', { zh: '人数', en: 'Persons' }, issues);
      const from = wholeNumber(options.from, 'from', { zh: '起始年份', en: 'The first year' }, issues);
      const to = wholeNumber(options.to, 'to', { zh: '结束年份', en: 'The last year' }, issues);
      if (!options.out && !options.intoDb) {
        issues.push(
          fieldIssue(
            'required',
            'out',
            '请用 --out 指定输出目录，或用 --into-db 写入数据库',
            'Name the output directory with --out, or write into the database with --into-db',
          ),
        );
      }
      if (issues.length > 0) throw invalidInput(issues);
      const county = options.county ?? rt.config().defaultCounty;
      const dir = options.out ? resolve(options.out) : undefined;
      let progress: Progress | undefined;
      const started = Date.now();
      if (options.intoDb) {
        let loading: Progress | undefined;
        const { result, steps } = await rt.withDatabase((database) =>
          generateCountyIntoDatabase(database, {
            county,
            persons,
            from,
            to,
            seed: options.seed,
            asOf: options.asOf,
            out: dir,
            onProgress: (phase, done, total) => {
              if (phase === 'generate') {
                progress ??= createProgress(rt.t('生成', 'Generating'), total);
                progress.tick(done);
              } else {
                if (!loading) progress?.finish();
                loading ??= createProgress(rt.t('写入数据库', 'Loading'), total);
                loading.tick(done);
              }
            },
          }),
        );
        loading?.finish();
        const seconds = (Date.now() - started) / 1000;
        const rows = (step: string) => steps.find((s) => s.step === step)?.rows ?? 0;
        rt.out(
          rt.t(
            `已写入数据库：${result.county.fullName}（${result.county.code}）${rows('persons')} 人、${rows('households')} 户、${rows('events')} 个事件、${rows('residence spells')} 段居住记录；部门数据 ${steps.filter((s) => s.step.startsWith('feed ')).reduce((n, s) => n + s.rows, 0)} 条${options.workload ? '' : '待比对'}；用时 ${seconds.toFixed(1)} 秒`,
            `Loaded into the database: ${result.county.fullName} (${result.county.code}) ${rows('persons')} persons, ${rows('households')} households, ${rows('events')} events, ${rows('residence spells')} residence spells; ${steps.filter((s) => s.step.startsWith('feed ')).reduce((n, s) => n + s.rows, 0)} feed records${options.workload ? '' : ' waiting to be linked'}; ${seconds.toFixed(1)} s`,
          ),
        );
        if (options.workload) {
          const labels: Record<DemoStep, string> = {
            targets: rt.t('写入示例目标责任书', 'writing example target sheets'),
            feeds: rt.t('部门数据与登记库比对', 'linking the department feeds'),
            checks: rt.t('运行数据核查规则', 'running the validation rules'),
            dedupe: rt.t('查找重复记录', 'looking for duplicate records'),
          };
          const workload = await rt.withDatabase((database) =>
            prepareDemoWorkload(database, county, {
              from,
              to,
              onStep: (step, index) =>
                process.stderr.write(`[${index + 1}/${DEMO_STEPS.length}] ${labels[step]}\n`),
            }),
          );
          rt.out(
            rt.t(
              `示例工作：目标责任书 ${workload.targetSheets} 年、比对部门数据 ${workload.feedRecords} 条、核查发现 ${workload.findings} 项、疑似重复 ${workload.mergeSuggestions} 对、可能重复 ${workload.possibleDuplicates} 对`,
              `Example work: target sheets for ${workload.targetSheets} years, ${workload.feedRecords} feed records linked, ${workload.findings} validation findings, ${workload.mergeSuggestions} suspected and ${workload.possibleDuplicates} possible duplicates`,
            ),
          );
        }
        return;
      }
      const result: SynthResult = await writeCountyCsv(
        {
          county,
          persons,
          from,
          to,
          seed: options.seed,
          asOf: options.asOf,
          onProgress: (done, total) => {
            progress ??= createProgress(rt.t('生成', 'Generating'), total);
            progress.tick(done);
          },
        },
        dir!,
      );
      progress?.finish();
      const seconds = (Date.now() - started) / 1000;
      const { stats, rows, population } = result;
      const sum = (prefix: string) =>
        Object.entries(rows)
          .filter(([table]) => table.startsWith(prefix))
          .reduce((total, [, n]) => total + n, 0);
      rt.out(
        rt.t(
          `已生成 ${result.county.fullName}（${result.county.code}）${result.options.from}–${result.options.to} 年，种子 ${result.options.seed}：`,
          `Generated ${result.county.fullName} (${result.county.code}) ${result.options.from}–${result.options.to}, seed ${result.options.seed}:`,
        ),
      );
      rt.out(
        rt.t(
          `  人口 ${population.start} → ${population.end}（${result.county.townships} 个乡镇街道，${result.county.villages} 个村居）`,
          `  population ${population.start} → ${population.end} (${result.county.townships} townships, ${result.county.villages} villages)`,
        ),
      );
      rt.out(
        rt.t(
          `  出生 ${stats.births}，死亡 ${stats.deaths}，结婚 ${stats.marriages}，离婚 ${stats.divorces}，迁入 ${stats.moveIns}，迁出 ${stats.moveOuts}`,
          `  births ${stats.births}, deaths ${stats.deaths}, marriages ${stats.marriages}, divorces ${stats.divorces}, moves in ${stats.moveIns}, moves out ${stats.moveOuts}`,
        ),
      );
      rt.out(
        rt.t(
          `  登记库 ${rows['registry/persons']} 人、${rows['registry/households']} 户、${rows['registry/events']} 个事件；部门数据 ${sum('feeds/')} 条；真实值 ${sum('truth/')} 行`,
          `  registry ${rows['registry/persons']} persons, ${rows['registry/households']} households, ${rows['registry/events']} events; feeds ${sum('feeds/')} records; truth ${sum('truth/')} rows`,
        ),
      );
      rt.out(
        rt.t(
          `  用时 ${seconds.toFixed(1)} 秒（每秒 ${Math.round(persons / seconds)} 人），输出到 ${dir}`,
          `  ${seconds.toFixed(1)} s (${Math.round(persons / seconds)} persons/s), written to ${dir}`,
        ),
      );
    });
}
