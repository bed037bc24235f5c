import type { Command } from 'commander';
import { runDedupe } from '../../dedupe/run-dedupe.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { mergePersons, undoMerge } from '../../registry/commands/merge-persons.ts';
import { getPersonRow } from '../../registry/person-store.ts';
import { type CliRuntime, wholeNumber as positive } from '../runtime.ts';

/** An id or a version typed on the command line, if given: see src/cli/runtime.ts. */
function wholeNumber(value: string | undefined, field: string): number | undefined {
  return value === undefined ? undefined : positive(value, field);
}

/** renkou dedupe find | merge | undo: registry duplicates, merge suggestions, merges and their undo. */
export function registerDedupeCommands(program: Command, rt: CliRuntime) {
  const dedupe = program
    .command('dedupe')
    .description(rt.t('查找并合并重复登记的人员', 'Find and merge persons registered twice'));

  dedupe
    .command('find')
    .description(
      rt.t(
        '用记录链接引擎查找重复人员，每对写一条合并待办（疑似重复；分数较低的为可能重复，待核实）',
        'Find duplicates with the linkage engine; one merge task per pair (suspected, or possible when the score is lower)',
      ),
    )
    .option(
      '--county <code>',
      rt.t(
        '县、乡镇或村代码（默认：配置的县）',
        'county, township or village code (default: the configured county)',
      ),
    )
    .option(
      '--min-probability <p>',
      rt.t('建议合并的最低匹配概率', 'lowest match probability to suggest'),
      '0.95',
    )
    .option('--user <id>', rt.t('操作人', 'who runs it'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { county?: string; minProbability: string; user: string; json?: boolean }) => {
      const minProbability = Number(options.minProbability);
      if (!(minProbability > 0 && minProbability < 1)) {
        throw new AppError(
          'invalid_input',
          text('--min-probability 应在 0 与 1 之间', '--min-probability must be between 0 and 1'),
          { field: 'minProbability' },
        );
      }
      const report = await rt.withDatabase((db) =>
        runDedupe(db.db, {
          unit: options.county ?? rt.config().defaultCounty,
          actor: options.user,
          minProbability,
        }),
      );
      if (options.json) return rt.out(JSON.stringify(report, null, 2));
      rt.out(
        rt.t(
          `比对 ${report.persons} 名人员（${report.unit}）`,
          `Compared ${report.persons} persons (${report.unit})`,
        ),
      );
      rt.out(rt.t('  分块规则            候选对      新增', '  blocking rule        pairs       new'));
      for (const rule of report.blocking) {
        rt.out(
          `  ${rule.rule.padEnd(30)} ${String(rule.pairs).padStart(9)} ${String(rule.newPairs).padStart(9)}`,
        );
      }
      const pct = (p: number) => `${Math.round(p * 1000) / 10}%`;
      rt.out(
        rt.t(
          `疑似重复（匹配概率 ≥ ${pct(report.suggestFrom)}）${report.suggestions} 对：新建待办 ${report.tasksCreated} 条，已有 ${report.tasksExisting} 条`,
          `${report.suggestions} suspected duplicates (match probability ≥ ${pct(report.suggestFrom)}): ${report.tasksCreated} new tasks, ${report.tasksExisting} already there`,
        ),
      );
      if (report.possibleFrom < report.suggestFrom) {
        rt.out(
          rt.t(
            `可能重复（匹配概率 ${pct(report.possibleFrom)}–${pct(report.suggestFrom)}，待核实）${report.possible} 对：新建待办 ${report.possibleTasksCreated} 条，已有 ${report.possibleTasksExisting} 条`,
            `${report.possible} possible duplicates (match probability ${pct(report.possibleFrom)}–${pct(report.suggestFrom)}, to check): ${report.possibleTasksCreated} new tasks, ${report.possibleTasksExisting} already there`,
          ),
        );
      }
      if (report.tasksUpdated > 0) {
        rt.out(
          rt.t(
            `${report.tasksUpdated} 条未处理的待办按本次评分改了级别（可能重复 ↔ 疑似重复）`,
            `${report.tasksUpdated} open tasks changed tier with this run's score (possible ↔ suspected duplicate)`,
          ),
        );
      }
      rt.out(rt.t(`用时 ${report.ms} 毫秒`, `${report.ms} ms`));
    });

  dedupe
    .command('merge')
    .description(
      rt.t(
        '把一条重复记录合并到保留的记录（可撤销）',
        'Merge a duplicate record into the one kept (can be undone)',
      ),
    )
    .requiredOption('--keep <id>', rt.t('保留的人员编号', 'the person id to keep'))
    .requiredOption('--drop <id>', rt.t('合并掉的人员编号', 'the person id merged away'))
    .requiredOption('--reason <text>', rt.t('合并原因', 'why'))
    .option(
      '--keep-version <n>',
      rt.t('你看到的保留记录版本（默认：当前）', 'the version of the kept record you saw (default: current)'),
    )
    .option(
      '--drop-version <n>',
      rt.t(
        '你看到的合并记录版本（默认：当前）',
        'the version of the dropped record you saw (default: current)',
      ),
    )
    .option('--task <id>', rt.t('此次合并处理的合并待办', 'the merge task this settles'))
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (options: {
        keep: string;
        drop: string;
        reason: string;
        keepVersion?: string;
        dropVersion?: string;
        task?: string;
        user: string;
        json?: boolean;
      }) => {
        const keepId = wholeNumber(options.keep, 'keep')!;
        const dropId = wholeNumber(options.drop, 'drop')!;
        const result = await rt.withDatabase(async (db) =>
          mergePersons(
            { db: db.db, actor: { id: options.user } },
            {
              keepId,
              dropId,
              keepVersion:
                wholeNumber(options.keepVersion, 'keepVersion') ??
                (await getPersonRow(db.db, keepId)).version,
              dropVersion:
                wholeNumber(options.dropVersion, 'dropVersion') ??
                (await getPersonRow(db.db, dropId)).version,
              reason: options.reason,
              workTaskId: wholeNumber(options.task, 'task') ?? null,
            },
          ),
        );
        if (options.json) return rt.out(JSON.stringify(result, null, 2));
        rt.out(
          rt.t(
            `已合并：人员 ${dropId} 并入 ${keepId}（合并记录 ${result.mergeId}，改动 ${result.changedRows} 行）。撤销：renkou dedupe undo --merge ${result.mergeId} --reason …`,
            `Merged person ${dropId} into ${keepId} (merge ${result.mergeId}, ${result.changedRows} rows changed). Undo: renkou dedupe undo --merge ${result.mergeId} --reason …`,
          ),
        );
      },
    );

  dedupe
    .command('undo')
    .description(rt.t('撤销一次合并，恢复合并前的状态', 'Undo a merge, restoring the state before it'))
    .requiredOption('--merge <id>', rt.t('合并记录编号', 'the merge id'))
    .requiredOption('--reason <text>', rt.t('撤销原因', 'why'))
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { merge: string; reason: string; user: string; json?: boolean }) => {
      const mergeId = wholeNumber(options.merge, 'merge')!;
      const result = await rt.withDatabase((db) =>
        undoMerge({ db: db.db, actor: { id: options.user } }, { mergeId, reason: options.reason }),
      );
      if (options.json) return rt.out(JSON.stringify(result, null, 2));
      rt.out(
        rt.t(
          `已撤销合并 ${mergeId}：恢复 ${result.restoredRows} 行`,
          `Undid merge ${mergeId}: ${result.restoredRows} rows restored`,
        ),
      );
    });
}
