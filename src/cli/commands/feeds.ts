import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { WorkTaskKind } from '../../db/schema.ts';
import type { FeedPairReview } from '../../db/tables/feeds.ts';
import { AppError } from '../../domain/errors.ts';
import { type Text, text } from '../../domain/i18n.ts';
import { checkInputValues } from '../../domain/input-values.ts';
import { chooseCounty, type IngestFeedReport, ingestFeedFile } from '../../feeds/ingest-feed.ts';
import { type FeedLinkReport, linkAllFeeds, linkFeedBatch } from '../../feeds/link-feed-batch.ts';
import { decidePair, listReview, type ReviewFilter } from '../../feeds/review.ts';
import { parseFeedSource, SOURCE_LABELS } from '../../feeds/sources.ts';
import { closeTask, listTasks, TASK_KINDS, type TaskStatus } from '../../feeds/work-tasks.ts';
import { createProgress, type Progress } from '../progress.ts';
import { type CliRuntime, inputFileOption, wholeNumber } from '../runtime.ts';

/**
 * renkou feeds: ingest a department's file, link batches with the registry, work the review queue;
 * renkou tasks: the units' work lists (unregistered births and deaths, correction suggestions, …).
 */

/** An id or a count typed on the command line: see wholeNumber. */
function readPositive(value: string, field: string): number {
  return wholeNumber(value, field);
}

function readMappingFile(path: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new AppError('not_found', text(`找不到文件 ${path}`, `File not found: ${path}`), {
      field: 'mapping',
    });
  }
  let mapping: unknown;
  try {
    mapping = JSON.parse(raw.replace(/^\ufeff/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'invalid_input',
      text(`${path} 不是有效的 JSON：${detail}`, `${path} is not valid JSON: ${detail}`),
      { field: 'mapping' },
    );
  }
  // A column named with a NUL could not be stored with the batch (src/domain/input-values.ts).
  checkInputValues(mapping);
  return mapping;
}

function printIngest(rt: CliRuntime, r: IngestFeedReport) {
  const label = SOURCE_LABELS[r.source];
  rt.out(
    rt.t(
      `批次 ${r.batchId}（${label[0]}，${r.fileName}，县 ${r.countyCode}）：接收 ${r.rows} 行；定位到村 ${r.placed.village}，只到乡镇 ${r.placed.township}，无法定位 ${r.placed.none}；有问题的行 ${r.rowsWithIssues}（原始行都已保存）`,
      `Batch ${r.batchId} (${label[1]}, ${r.fileName}, county ${r.countyCode}): ${r.rows} rows received; placed on a village ${r.placed.village}, on a township only ${r.placed.township}, not placed ${r.placed.none}; rows with issues ${r.rowsWithIssues} (every raw row is kept)`,
    ),
  );
  for (const row of r.rowIssues.slice(0, 20)) {
    rt.out(
      `  ${rt.t('第', 'row ')}${row.rowNo}${rt.t(' 行', '')}: ${row.issues.map((i) => `${i.field}: ${i.message[rt.lang]}`).join('; ')}`,
    );
  }
  if (r.rowIssues.length > 20) rt.out(rt.t(`  …（用 --json 查看全部）`, '  … (--json shows all)'));
  rt.out(
    rt.t(`下一步：renkou feeds link --batch ${r.batchId}`, `Next: renkou feeds link --batch ${r.batchId}`),
  );
}

function printLink(rt: CliRuntime, r: FeedLinkReport) {
  const label = SOURCE_LABELS[r.source];
  rt.out(
    rt.t(
      `批次 ${r.batchId}（${label[0]}）：${r.records} 条记录（${r.entries} 人次）对 ${r.registryPersons} 个登记人员，候选对 ${r.candidatePairs}，用时 ${(r.ms / 1000).toFixed(1)} 秒`,
      `Batch ${r.batchId} (${label[1]}): ${r.records} records (${r.entries} persons) against ${r.registryPersons} registry persons, ${r.candidatePairs} candidate pairs, ${(r.ms / 1000).toFixed(1)} s`,
    ),
  );
  for (const b of r.blocking) {
    rt.out(`  ${b.rule.padEnd(34)} ${String(b.pairs).padStart(9)} ${String(b.newPairs).padStart(9)}`);
  }
  rt.out(
    rt.t(
      `  自动链接（≥ ${r.thresholds.autoLink}）${r.pairs.link} 对，待审核（≥ ${r.thresholds.review}）${r.pairs.review} 对；保留的人工决定 ${r.decisionsKept} 个（其中沿用其他批次的 ${r.decisionsCarried} 个）`,
      `  auto-linked (≥ ${r.thresholds.autoLink}) ${r.pairs.link} pairs, for review (≥ ${r.thresholds.review}) ${r.pairs.review}; review decisions kept ${r.decisionsKept} (of them carried from other batches ${r.decisionsCarried})`,
    ),
  );
  rt.out(
    rt.t(
      `  记录：已链接 ${r.status.linked}，待审核 ${r.status.review}，未匹配 ${r.status.unmatched}；待办 新建 ${r.tasks.created}，更新 ${r.tasks.updated}，关闭 ${r.tasks.closed}`,
      `  records: linked ${r.status.linked}, in review ${r.status.review}, unmatched ${r.status.unmatched}; tasks created ${r.tasks.created}, updated ${r.tasks.updated}, closed ${r.tasks.closed}`,
    ),
  );
}

const PHASES: Record<string, [string, string]> = {
  extract: ['读取', 'reading'],
  prepare: ['准备', 'preparing'],
  block: ['分块', 'blocking'],
  sample: ['抽样', 'sampling'],
  compare: ['比较', 'comparing'],
  train: ['训练', 'training'],
  score: ['评分', 'scoring'],
  save: ['保存', 'saving'],
};

const KIND_LABELS: Record<string, [string, string]> = {
  unregistered_birth: ['未登记出生', 'unregistered birth'],
  unregistered_death: ['未登记死亡', 'unregistered death'],
  unregistered_event: ['未登记事件', 'unregistered event'],
  correction: ['更正建议', 'correction'],
  merge: ['合并建议', 'merge'],
  audit_discrepancy: ['核查不符', 'audit discrepancy'],
  data_check: ['数据核查', 'data check'],
};

export function registerFeedCommands(program: Command, rt: CliRuntime) {
  const feeds = program
    .command('feeds')
    .description(
      rt.t(
        '部门信息互通：接收出生医学证明、婚姻登记、户籍登记、死亡证明，与人口登记链接，审核',
        'Department feeds: receive birth certificates, marriage, household and death registrations, link them with the registry, review',
      ),
    );

  feeds
    .command('ingest')
    .description(
      rt.t('接收一个部门文件（CSV、XLSX 或 JSON）', 'Receive a department file (CSV, XLSX or JSON)'),
    )
    .requiredOption(
      '--source <source>',
      'birth_certificate | marriage_registration | hukou_registration | death_certificate',
    )
    .requiredOption(
      '--file <file>',
      rt.t('CSV、XLSX 或 JSON 文件', 'CSV, XLSX or JSON file'),
      inputFileOption('--file'),
    )
    .option(
      '--mapping <file>',
      rt.t(
        '列映射 JSON：{ 字段: 列名 }，覆盖标准映射',
        'column mapping JSON { field: column }, over the standard one',
      ),
    )
    .option('--county <code>', rt.t('县（6 位代码）', 'county (6 digits)'))
    .option('--user <id>', rt.t('接收人', 'who received it'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (options: {
        source: string;
        file: string;
        mapping?: string;
        county?: string;
        user: string;
        json?: boolean;
      }) => {
        const source = parseFeedSource(options.source);
        const mapping = options.mapping ? readMappingFile(options.mapping) : undefined;
        const report = await rt.withDatabase((database) =>
          ingestFeedFile(database, {
            source,
            path: options.file,
            mapping,
            county: options.county,
            actor: options.user,
          }),
        );
        if (options.json) rt.out(JSON.stringify(report, null, 2));
        else printIngest(rt, report);
      },
    );

  feeds
    .command('batches')
    .description(rt.t('列出接收的批次', 'List the batches received'))
    .option('--county <code>', rt.t('县（6 位代码）', 'county (6 digits)'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { county?: string; json?: boolean }) => {
      const rows = await rt.withDatabase(async (database) => {
        let query = database.db
          .selectFrom('feed_batch')
          .select(['id', 'county_code', 'source', 'file_name', 'row_count', 'status', 'received_at'])
          .orderBy('id');
        if (options.county) query = query.where('county_code', '=', options.county);
        return query.execute();
      });
      if (options.json) {
        rt.out(JSON.stringify(rows, null, 2));
        return;
      }
      for (const b of rows) {
        rt.out(
          `${String(b.id).padStart(5)}  ${b.county_code}  ${SOURCE_LABELS[b.source][rt.lang === 'en' ? 1 : 0].padEnd(12)}  ${String(b.row_count).padStart(7)}  ${b.status.padEnd(8)}  ${b.file_name ?? ''}`,
        );
      }
    });

  feeds
    .command('link')
    .description(
      rt.t(
        '把批次与人口登记链接（不带 --batch：本县所有批次）；可重复运行，人工决定保留',
        'Link batches with the registry (without --batch: every batch of the county); safe to re-run, review decisions are kept',
      ),
    )
    .option('--batch <id>', rt.t('批次号', 'batch id'))
    .option('--county <code>', rt.t('县（6 位代码）', 'county (6 digits)'))
    .option('--user <id>', rt.t('操作人', 'who runs it'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { batch?: string; county?: string; user: string; json?: boolean }) => {
      let progress: Progress | undefined;
      let current = '';
      const onProgress = (p: { batchId: number; phase: string; done: number; total: number }) => {
        const key = `${p.batchId}:${p.phase}`;
        if (key !== current) {
          progress?.finish();
          current = key;
          const phase = PHASES[p.phase] ?? [p.phase, p.phase];
          progress = createProgress(
            rt.t(`批次 ${p.batchId} ${phase[0]}`, `batch ${p.batchId} ${phase[1]}`),
            Math.max(1, p.total),
          );
        }
        progress!.tick(p.done);
      };
      const reports = await rt.withDatabase(async (database) => {
        if (options.batch) {
          return [
            await linkFeedBatch(database, readPositive(options.batch, 'batch'), {
              actor: options.user,
              onProgress,
            }),
          ];
        }
        const county = await chooseCounty(database.db, options.county);
        return linkAllFeeds(database, county, { actor: options.user, onProgress });
      });
      progress?.finish();
      if (options.json) rt.out(JSON.stringify(reports, null, 2));
      else for (const r of reports) printLink(rt, r);
      if (reports.length === 0) rt.out(rt.t('没有可链接的批次', 'No batches to link'));
    });

  feeds
    .command('review')
    .description(rt.t('审核队列：待人工判断的配对', 'The review queue: pairs waiting for a person'))
    .option('--unit <code>', rt.t('单位（县、乡镇或村代码）', 'unit (county, township or village code)'))
    .option('--status <status>', 'open | unsure | decided | all', 'open')
    .option('--batch <id>', rt.t('批次号', 'batch id'))
    .option('--limit <n>', rt.t('每页条数', 'items per page'), '20')
    .option('--offset <n>', rt.t('跳过条数', 'items to skip'), '0')
    .option('--json', rt.t('以 JSON 输出（含每个字段的权重）', 'print JSON (with every field’s weight)'))
    .action(
      async (options: {
        unit?: string;
        status: string;
        batch?: string;
        limit: string;
        offset: string;
        json?: boolean;
      }) => {
        if (!['open', 'unsure', 'decided', 'all'].includes(options.status)) {
          throw new AppError(
            'invalid_input',
            text('状态应为 open、unsure、decided 或 all', 'The status must be open, unsure, decided or all'),
            { field: 'status' },
          );
        }
        const page = await rt.withDatabase((database) =>
          listReview(database, {
            unit: options.unit,
            status: options.status as ReviewFilter,
            batchId: options.batch ? readPositive(options.batch, 'batch') : undefined,
            limit: readPositive(options.limit, 'limit'),
            offset: wholeNumber(options.offset, 'offset', { min: 0 }),
          }),
        );
        if (options.json) {
          rt.out(JSON.stringify(page, null, 2));
          return;
        }
        rt.out(rt.t(`共 ${page.total} 对`, `${page.total} pairs`));
        for (const item of page.items) {
          const e = item.explanation as {
            comparisons: {
              name: string;
              level: string;
              weight: number;
              label: { 'zh-CN': string; en: string };
            }[];
            feed: Record<string, string>;
            registry: Record<string, string>;
          };
          rt.out(
            rt.t(
              `配对 ${item.id}  概率 ${item.matchProbability.toFixed(3)}  批次 ${item.batchId} 第 ${item.rowNo} 行（${item.role}）↔ 人员 ${item.personId}${item.review ? `  [${item.review}]` : ''}`,
              `pair ${item.id}  probability ${item.matchProbability.toFixed(3)}  batch ${item.batchId} row ${item.rowNo} (${item.role}) ↔ person ${item.personId}${item.review ? `  [${item.review}]` : ''}`,
            ),
          );
          for (const c of e.comparisons) {
            const column = c.name;
            rt.out(
              `    ${c.name.padEnd(17)} ${(e.feed[column] ?? '—').padEnd(20)} ${(e.registry[column] ?? '—').padEnd(20)} ${c.label[rt.lang].padEnd(18)} ${c.weight >= 0 ? '+' : ''}${c.weight.toFixed(2)}`,
            );
          }
        }
        if (page.total > page.items.length) {
          rt.out(rt.t('（用 --offset 翻页）', '(page on with --offset)'));
        }
      },
    );

  feeds
    .command('decide')
    .description(rt.t('对一个配对作出决定', 'Decide on a pair'))
    .argument('<pair>', rt.t('配对号', 'pair id'))
    .argument('<decision>', 'accept | reject | unsure')
    .option('--note <text>', rt.t('说明', 'note'))
    .option('--user <id>', rt.t('审核人', 'who decides'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (pair: string, decision: string, options: { note?: string; user: string; json?: boolean }) => {
        const words: Record<string, FeedPairReview> = {
          accept: 'accepted',
          accepted: 'accepted',
          reject: 'rejected',
          rejected: 'rejected',
          unsure: 'unsure',
        };
        const review = words[decision];
        if (!review) {
          throw new AppError(
            'invalid_input',
            text('决定应为 accept、reject 或 unsure', 'The decision must be accept, reject or unsure'),
            { field: 'decision' },
          );
        }
        const result = await rt.withDatabase((database) =>
          decidePair(database, {
            pairId: readPositive(pair, 'pair'),
            decision: review,
            actor: options.user,
            note: options.note,
          }),
        );
        if (options.json) {
          rt.out(JSON.stringify(result, null, 2));
          return;
        }
        rt.out(
          rt.t(
            `配对 ${result.pairId}：${result.decision}；批次 ${result.batchId} 第 ${result.rowNo} 行现为 ${result.recordStatus}；待办 新建 ${result.settle.tasks.created}，关闭 ${result.settle.tasks.closed}`,
            `Pair ${result.pairId}: ${result.decision}; batch ${result.batchId} row ${result.rowNo} is now ${result.recordStatus}; tasks created ${result.settle.tasks.created}, closed ${result.settle.tasks.closed}`,
          ),
        );
      },
    );

  const tasks = program
    .command('tasks')
    .description(
      rt.t(
        '待办：未登记的出生和死亡、更正建议、合并建议等（各单位一张清单）',
        'Work tasks: unregistered births and deaths, corrections, merges … (one list per unit)',
      ),
    );

  tasks
    .command('list', { isDefault: true })
    .description(rt.t('列出待办', 'List tasks'))
    .option('--unit <code>', rt.t('单位（县、乡镇或村代码）', 'unit (county, township or village code)'))
    .option('--kind <kind>', TASK_KINDS.join(' | '))
    .option('--status <status>', 'open | done | dismissed | all', 'open')
    .option('--limit <n>', rt.t('每页条数', 'items per page'), '50')
    .option('--offset <n>', rt.t('跳过条数', 'items to skip'), '0')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(
      async (options: {
        unit?: string;
        kind?: string;
        status: string;
        limit: string;
        offset: string;
        json?: boolean;
      }) => {
        if (options.kind && !(TASK_KINDS as readonly string[]).includes(options.kind)) {
          throw new AppError(
            'invalid_input',
            text(
              `待办类型应为 ${TASK_KINDS.join('、')} 之一`,
              `The kind must be one of ${TASK_KINDS.join(', ')}`,
            ),
            { field: 'kind' },
          );
        }
        if (!['open', 'done', 'dismissed', 'all'].includes(options.status)) {
          throw new AppError(
            'invalid_input',
            text('状态应为 open、done、dismissed 或 all', 'The status must be open, done, dismissed or all'),
            { field: 'status' },
          );
        }
        const page = await rt.withDatabase((database) =>
          listTasks(database, {
            unit: options.unit,
            kind: options.kind as WorkTaskKind | undefined,
            status: options.status as TaskStatus | 'all',
            limit: readPositive(options.limit, 'limit'),
            offset: wholeNumber(options.offset, 'offset', { min: 0 }),
          }),
        );
        if (options.json) {
          rt.out(JSON.stringify(page, null, 2));
          return;
        }
        const summary = Object.entries(page.counts)
          .map(([kind, n]) => `${(KIND_LABELS[kind] ?? [kind, kind])[rt.lang === 'en' ? 1 : 0]} ${n}`)
          .join(rt.t('，', ', '));
        rt.out(rt.t(`共 ${page.total} 项（${summary}）`, `${page.total} tasks (${summary})`));
        for (const t of page.items) {
          const possible = t.kind === 'merge' && t.details.tier === 'possible';
          const kind = possible
            ? rt.t('可能重复', 'possible duplicate')
            : (KIND_LABELS[t.kind] ?? [t.kind, t.kind])[rt.lang === 'en' ? 1 : 0];
          const differences = (
            t.details.differences as { field: string; feed: string; registry: string | null }[] | undefined
          )
            ?.map((d) => `${d.field}: ${d.registry ?? '—'} → ${d.feed}`)
            .join('; ');
          // A merge task says why its pair is listed (score, fields for and against).
          const reason = (t.details.reason as Text | undefined)?.[rt.lang];
          rt.out(
            `${String(t.id).padStart(6)}  ${t.orgCode.padEnd(12)}  ${kind}  ${t.status}${t.personId ? `  ${rt.t('人员', 'person')} ${t.personId}` : ''}${differences ? `  ${differences}` : ''}${reason ? `  ${reason}` : ''}  (${t.sourceRef})`,
          );
        }
      },
    );

  tasks
    .command('close')
    .description(rt.t('把待办标为已办或不予处理，并写明原因', 'Mark a task done or dismissed, with a note'))
    .argument('<id>', rt.t('待办号', 'task id'))
    .requiredOption('--status <status>', 'done | dismissed')
    .option('--note <text>', rt.t('说明', 'note'))
    .option('--user <id>', rt.t('处理人', 'who closes it'), 'cli')
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (id: string, options: { status: string; note?: string; user: string; json?: boolean }) => {
      const task = await rt.withDatabase((database) =>
        closeTask(database, {
          id: readPositive(id, 'id'),
          status: options.status as 'done' | 'dismissed',
          note: options.note,
          actor: options.user,
        }),
      );
      if (options.json) rt.out(JSON.stringify(task, null, 2));
      else rt.out(rt.t(`待办 ${task.id}：${task.status}`, `Task ${task.id}: ${task.status}`));
    });
}
