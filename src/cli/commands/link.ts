import { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AppError, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { type Lang, text } from '../../domain/i18n.ts';
import { CsvParser, formatCsvRow } from '../../linkage/csv.ts';
import type { Dataset } from '../../linkage/dataset.ts';
import { evaluateLinkage, type LinkageQuality } from '../../linkage/evaluate.ts';
import { type LinkSettings, parseLinkConfig } from '../../linkage/link-config.ts';
import {
  DECISIONS,
  type LinkPhase,
  type LinkResult,
  linkRecords,
  type TrainedModel,
} from '../../linkage/link-records.ts';
import { createProgress, type Progress } from '../progress.ts';
import { type CliRuntime, inputFileOption, outputFileOption } from '../runtime.ts';

/**
 * renkou link: links two CSV files (or deduplicates one) with the comparisons, blocking rules and
 * thresholds of a JSON configuration, writes the scored pairs, and with --truth measures itself.
 * No database: this is the generic engine on files. The department feeds and the review queue
 * build on the same engine with the registry.
 */

/** A CSV file read into columns, with what was odd about it. */
export interface CsvDataset {
  dataset: Dataset;
  header: string[];
  /** Rows whose field count differs from the header's: kept (missing fields empty), reported. */
  ragged: { line: number; fields: number }[];
  raggedCount: number;
}

/** Reads a CSV file (UTF-8, BOM and CRLF allowed) into columns; the id column names the records. */
export async function readCsvDataset(
  path: string,
  idColumn: string | undefined,
  onBytes?: (bytes: number, total: number) => void,
): Promise<CsvDataset> {
  let total = 0;
  try {
    total = statSync(path).size;
  } catch {
    throw new AppError('not_found', text(`找不到文件 ${path}`, `File not found: ${path}`), { field: path });
  }
  let header: string[] | undefined;
  let columns: (string | null)[][] = [];
  const ragged: { line: number; fields: number }[] = [];
  let raggedCount = 0;
  const parser = new CsvParser((fields, line) => {
    if (!header) {
      header = fields.map((field) => field.trim());
      columns = header.map(() => []);
      return;
    }
    if (fields.length !== header.length) {
      raggedCount++;
      if (ragged.length < 10) ragged.push({ line, fields: fields.length });
    }
    for (let c = 0; c < columns.length; c++) {
      const value = fields[c];
      columns[c]!.push(value === undefined || value === '' ? null : value);
    }
  });
  let read = 0;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    parser.push(chunk as string);
    read += Buffer.byteLength(chunk as string);
    onBytes?.(read, total);
  }
  parser.end();
  if (!header || header.length === 0) {
    throw new AppError(
      'invalid_input',
      text(`${path} 是空文件（没有表头）`, `${path} is empty (no header row)`),
      {
        field: path,
      },
    );
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new AppError(
        'invalid_input',
        text(`${path} 的表头中列“${name}”出现了两次`, `${path} has the column "${name}" twice in its header`),
        { field: path },
      );
    }
    seen.add(name);
  }
  const map = new Map<string, (string | null)[]>();
  for (const [c, name] of header.entries()) map.set(name, columns[c]!);
  const rows = columns[0]?.length ?? 0;
  let ids: string[];
  const idValues = idColumn === undefined ? undefined : map.get(idColumn);
  if (idValues) {
    ids = idValues.map((value, i) => value ?? `#${i + 2}`);
  } else {
    // No id column (the configuration check reports it); number the rows by line.
    ids = Array.from({ length: rows }, (_, i) => `#${i + 2}`);
  }
  return { dataset: { ids, columns: map }, header, ragged, raggedCount };
}

/** Writes the kept pairs as CSV: ids, weight, probability, decision, rule, each comparison's level and weight. */
export async function writePairsCsv(
  path: string,
  result: LinkResult,
  left: Dataset,
  right: Dataset,
): Promise<number> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const write = (chunk: string) =>
    new Promise<void>((resolve, reject) => {
      out.write(chunk, (error) => (error ? reject(error) : resolve()));
    });
  const names = result.comparisons.map((c) => c.name);
  const header = [
    'left_id',
    'right_id',
    'match_weight',
    'match_probability',
    'decision',
    'rule',
    'superseded',
    ...names.flatMap((name) => [name, `${name}_weight`]),
  ];
  let buffer = '\ufeff' + formatCsvRow(header);
  const { pairs, candidates } = result;
  for (let q = 0; q < pairs.count; q++) {
    const c = pairs.candidate[q]!;
    const i = pairs.left[q]!;
    const j = pairs.right[q]!;
    const row: (string | number)[] = [
      left.ids[i]!,
      right.ids[j]!,
      pairs.weight[q]!.toFixed(3),
      pairs.probability[q]!.toPrecision(6),
      DECISIONS[pairs.decision[q]!]!,
      result.blocking.rules[candidates.rule[c]!]!.name,
      pairs.superseded[q] ? 1 : 0,
    ];
    for (let k = 0; k < names.length; k++) {
      row.push(result.comparisons[k]!.levels[result.levelOf(c, k)]!.code, result.weightOf(c, k).toFixed(3));
    }
    buffer += formatCsvRow(row);
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return pairs.count;
}

/** Writes each record's cluster: side, id, cluster number. */
function writeClustersCsv(path: string, result: LinkResult, left: Dataset, right: Dataset) {
  const lines = ['\ufeff' + formatCsvRow(['side', 'id', 'cluster'])];
  for (let i = 0; i < left.ids.length; i++)
    lines.push(formatCsvRow(['left', left.ids[i]!, result.clusters.left[i]!]));
  if (result.mode === 'link') {
    for (let j = 0; j < right.ids.length; j++) {
      lines.push(formatCsvRow(['right', right.ids[j]!, result.clusters.right[j]!]));
    }
  }
  writeFileSync(path, lines.join(''));
}

function readJsonFile(path: string, field: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    throw new AppError('not_found', text(`找不到文件 ${path}`, `File not found: ${path}`), { field });
  }
  try {
    return JSON.parse(raw.replace(/^\ufeff/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'invalid_config',
      text(`${path} 不是有效的 JSON：${detail}`, `${path} is not valid JSON: ${detail}`),
      { field },
    );
  }
}

/** One configuration error, or all of them, as the one error type. */
function configError(path: string, issues: FieldIssue[]): AppError {
  const first = issues[0]!;
  const message =
    issues.length === 1
      ? text(
          `配置 ${path} 中 ${first.field}：${first.message['zh-CN']}`,
          `In the configuration ${path}, ${first.field}: ${first.message.en}`,
        )
      : text(
          `配置 ${path} 有 ${issues.length} 处错误`,
          `The configuration ${path} has ${issues.length} errors`,
        );
  return new AppError('invalid_config', message, { field: first.field, issues });
}

const PHASE_TEXT: Record<LinkPhase, [string, string]> = {
  prepare: ['准备', 'preparing'],
  block: ['分块', 'blocking'],
  sample: ['抽样', 'sampling'],
  compare: ['比较', 'comparing'],
  train: ['训练', 'training'],
  score: ['评分', 'scoring'],
};

/** Numbers with thousands separators. */
function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Columns a text takes on a terminal: Han characters and full-width punctuation take two. */
function displayWidth(value: string): number {
  let shown = 0;
  for (const char of value)
    shown += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/.test(char) ? 2 : 1;
  return shown;
}

/** Pads text to a display width. */
function pad(value: string, width: number): string {
  return value + ' '.repeat(Math.max(1, width - displayWidth(value)));
}

interface LinkCommandOptions {
  left: string;
  right?: string;
  config: string;
  out: string;
  truth?: string;
  json?: boolean;
  all?: boolean;
  clusters?: string;
  model?: string;
  saveModel?: string;
}

/** renkou link: the generic linkage engine on CSV files. */
export function registerLink(program: Command, rt: CliRuntime) {
  program
    .command('link')
    .description(
      rt.t(
        '记录链接：按配置链接两个 CSV 文件（或对一个文件查重），输出带权重和判定的记录对',
        'Record linkage: link two CSV files (or deduplicate one) by a configuration; writes pairs with weights and decisions',
      ),
    )
    .requiredOption(
      '--left <file>',
      rt.t('左侧 CSV 文件（如部门数据）', 'left CSV file (e.g. a department feed)'),
      inputFileOption('--left'),
    )
    .option(
      '--right <file>',
      rt.t(
        '右侧 CSV 文件（如人口库）；省略则对左侧文件查重',
        'right CSV file (e.g. the registry); omit to deduplicate the left file',
      ),
      inputFileOption('--right'),
    )
    .requiredOption(
      '--config <file>',
      rt.t('链接配置（JSON，见 docs/linkage.md）', 'linkage configuration (JSON, see docs/linkage.md)'),
      inputFileOption('--config'),
    )
    .requiredOption(
      '--out <file>',
      rt.t('输出记录对 CSV', 'CSV file to write the pairs to'),
      outputFileOption('--out'),
    )
    .option(
      '--truth <column>',
      rt.t(
        '两侧文件中真实实体编号所在的列：输出精确率、召回率和 F1',
        'column holding the true entity id in both files: print precision, recall and F1',
      ),
    )
    .option(
      '--all',
      rt.t(
        '输出所有候选对（默认只输出待审核及以上）',
        'write every candidate pair (default: review and above)',
      ),
    )
    .option(
      '--clusters <file>',
      rt.t('输出每条记录的聚类编号（CSV）', 'write each record’s cluster number (CSV)'),
      outputFileOption('--clusters'),
    )
    .option(
      '--model <file>',
      rt.t('使用已保存的模型参数，不再训练', 'score with a saved model instead of training'),
      inputFileOption('--model'),
    )
    .option(
      '--save-model <file>',
      rt.t('保存训练得到的模型参数（JSON）', 'save the trained model (JSON)'),
      outputFileOption('--save-model'),
    )
    .option('--json', rt.t('以 JSON 输出报告', 'print the report as JSON'))
    .action(async (options: LinkCommandOptions) => {
      const started = performance.now();
      const configJson = readJsonFile(options.config, 'config');
      const idSetting = (configJson as { id?: unknown } | null)?.id;
      const idLeft =
        typeof idSetting === 'string' ? idSetting : ((idSetting as { left?: string })?.left ?? 'id');
      const idRight =
        typeof idSetting === 'string' ? idSetting : ((idSetting as { right?: string })?.right ?? 'id');

      const showProgress = !options.json;
      const readFile = async (path: string, id: string) => {
        let bar: Progress | undefined;
        const read = await readCsvDataset(path, id, (bytes, total) => {
          if (!showProgress || total < 20 << 20) return;
          bar ??= createProgress(rt.t(`读取 ${basename(path)}`, `reading ${basename(path)}`), total);
          bar.tick(bytes);
        });
        bar?.finish();
        return read;
      };
      const left = await readFile(options.left, idLeft);
      const right = options.right === undefined ? undefined : await readFile(options.right, idRight);

      const parsed = parseLinkConfig(configJson, {
        left: left.header,
        right: right?.header,
        leftName: basename(options.left),
        rightName: options.right === undefined ? undefined : basename(options.right),
      });
      if (!parsed.ok) throw configError(options.config, parsed.issues);
      const settings = parsed.value;
      if (options.truth !== undefined) checkTruthColumn(options.truth, left, right, options);
      const model =
        options.model === undefined ? undefined : (readJsonFile(options.model, 'model') as TrainedModel);

      let bar: Progress | undefined;
      const result = linkRecords(left.dataset, right?.dataset, settings, {
        model,
        keepAll: options.all ?? false,
        onProgress: ({ phase, done, total }) => {
          if (!showProgress || phase !== 'compare' || total < 200_000) return;
          bar ??= createProgress(rt.t(PHASE_TEXT[phase][0], PHASE_TEXT[phase][1]), total);
          if (done >= total) bar.finish();
          else bar.tick(done);
        },
      });
      const rightData = right?.dataset ?? left.dataset;
      const written = await writePairsCsv(options.out, result, left.dataset, rightData);
      if (options.clusters) writeClustersCsv(options.clusters, result, left.dataset, rightData);
      if (options.saveModel) writeFileSync(options.saveModel, `${JSON.stringify(result.model, null, 2)}\n`);
      const quality =
        options.truth === undefined
          ? undefined
          : evaluateLinkage(
              result,
              left.dataset.columns.get(options.truth)!,
              right?.dataset.columns.get(options.truth),
            );
      const seconds = (performance.now() - started) / 1000;

      if (options.json) {
        rt.out(
          JSON.stringify(
            reportJson(result, settings, options, left, right, written, quality, seconds),
            null,
            2,
          ),
        );
        return;
      }
      printReport(rt, result, settings, options, left, right, written, quality, seconds);
    });
}

function checkTruthColumn(
  column: string,
  left: CsvDataset,
  right: CsvDataset | undefined,
  options: LinkCommandOptions,
) {
  const missing: string[] = [];
  if (!left.header.includes(column)) missing.push(basename(options.left));
  if (right && !right.header.includes(column)) missing.push(basename(options.right!));
  if (missing.length > 0) {
    const issue = fieldIssue(
      'unknown_column',
      'truth',
      `--truth 指定的列“${column}”不在 ${missing.join('、')} 中`,
      `the --truth column "${column}" is not in ${missing.join(' and ')}`,
    );
    throw new AppError('invalid_input', issue.message, { field: 'truth', issues: [issue] });
  }
}

function reportJson(
  result: LinkResult,
  settings: LinkSettings,
  options: LinkCommandOptions,
  left: CsvDataset,
  right: CsvDataset | undefined,
  written: number,
  quality: LinkageQuality | undefined,
  seconds: number,
) {
  return {
    mode: result.mode,
    left: { file: options.left, records: result.leftSize, raggedRows: left.raggedCount },
    right: right ? { file: options.right, records: result.rightSize, raggedRows: right.raggedCount } : null,
    blocking: result.blocking,
    training: result.training,
    model: {
      prior: result.model.prior,
      comparisons: result.comparisons.map((c) => ({
        name: c.name,
        levels: c.levels.map((level, l) => ({
          code: level.code,
          label: level.label,
          m: l === 0 ? null : c.m[l],
          u: l === 0 ? null : c.u[l],
          weight: c.weights[l],
          tf: c.tf[l],
        })),
      })),
    },
    thresholds: settings.thresholds,
    decisions: result.decisions,
    clusters: { count: result.clusters.count, multiRecord: result.clusters.multiRecord },
    unreadable: result.unreadable,
    out: { file: options.out, pairs: written },
    quality: quality && {
      truePairs: quality.truePairs,
      truePairsInBlocks: quality.truePairsInBlocks,
      blockingRecall: quality.blockingRecall,
      linked: quality.linked,
      truePositives: quality.truePositives,
      precision: quality.precision,
      recall: quality.recall,
      f1: quality.f1,
      review: quality.review,
      reviewTrue: quality.reviewTrue,
    },
    timings: { ...result.timings, totalSeconds: seconds },
  };
}

function printReport(
  rt: CliRuntime,
  result: LinkResult,
  settings: LinkSettings,
  options: LinkCommandOptions,
  left: CsvDataset,
  right: CsvDataset | undefined,
  written: number,
  quality: LinkageQuality | undefined,
  seconds: number,
) {
  const lang: Lang = rt.lang;
  const leftName = basename(options.left);
  if (result.mode === 'link') {
    const rightName = basename(options.right!);
    rt.out(
      rt.t(
        `链接 ${leftName}（${count(result.leftSize)} 条）与 ${rightName}（${count(result.rightSize)} 条）`,
        `Linking ${leftName} (${count(result.leftSize)} records) with ${rightName} (${count(result.rightSize)} records)`,
      ),
    );
  } else {
    rt.out(
      rt.t(
        `查重 ${leftName}（${count(result.leftSize)} 条）`,
        `Deduplicating ${leftName} (${count(result.leftSize)} records)`,
      ),
    );
  }
  for (const [file, read] of [
    [leftName, left],
    [options.right ? basename(options.right) : '', right],
  ] as const) {
    if (!read || read.raggedCount === 0) continue;
    const lines = read.ragged.map((r) => r.line).join(', ');
    rt.out(
      rt.t(
        `  注意：${file} 有 ${read.raggedCount} 行的字段数与表头不符（行 ${lines}），缺少的字段按空值处理`,
        `  note: ${read.raggedCount} rows of ${file} have a different number of fields from the header (lines ${lines}); missing fields count as empty`,
      ),
    );
  }
  for (const u of result.unreadable) {
    rt.out(
      rt.t(
        `  注意：列 ${u.column} 有 ${count(u.count)} 个值无法识别，按缺失处理`,
        `  note: ${count(u.count)} values of column ${u.column} could not be read and count as missing`,
      ),
    );
  }

  const blocking = result.blocking;
  rt.out('');
  rt.out(rt.t('分块规则', 'Blocking rules'));
  rt.out(`  ${pad(rt.t('规则', 'rule'), 36)}${pad(rt.t('候选对', 'pairs'), 14)}${rt.t('新增', 'new')}`);
  for (const rule of blocking.rules) {
    rt.out(`  ${pad(rule.name, 36)}${pad(count(rule.pairs), 14)}${count(rule.newPairs)}`);
    if (rule.cappedBlocks > 0) {
      const examples = rule.largestCapped
        .slice(0, 3)
        .map((b) => `${b.key || '∅'} (${count(b.pairs)})`)
        .join('; ');
      rt.out(
        rt.t(
          `    跳过 ${rule.cappedBlocks} 个过大的块（每块超过 ${count(blocking.maxBlockPairs)} 对，共 ${count(rule.cappedPairs)} 对）：${examples}`,
          `    skipped ${rule.cappedBlocks} blocks over ${count(blocking.maxBlockPairs)} pairs (${count(rule.cappedPairs)} pairs): ${examples}`,
        ),
      );
    }
  }
  const share = blocking.totalPairs > 0 ? (100 * blocking.candidatePairs) / blocking.totalPairs : 0;
  rt.out(
    rt.t(
      `  合计 ${count(blocking.candidatePairs)} 个候选对（全部 ${count(blocking.totalPairs)} 对的 ${share.toPrecision(2)}%）`,
      `  ${count(blocking.candidatePairs)} candidate pairs in all (${share.toPrecision(2)}% of ${count(blocking.totalPairs)} pairs)`,
    ),
  );

  rt.out('');
  const training = result.training;
  rt.out(
    rt.t(
      `模型：先验匹配概率 λ = ${training.prior.toExponential(3)}（${training.priorSource === 'estimated' ? '估计' : training.priorSource === 'configured' ? '配置' : '已保存模型'}），预计匹配 ${count(training.expectedMatches)} 对`,
      `Model: prior match probability λ = ${training.prior.toExponential(3)} (${training.priorSource}), ${count(training.expectedMatches)} matches expected`,
    ),
  );
  if (training.pooled.length > 0) {
    rt.out(
      rt.t(
        `  注意：${training.pooled.join('、')} 的列出现在每条分块规则中，其 m 只能在全部候选对上估计`,
        `  note: every blocking rule uses the columns of ${training.pooled.join(', ')}; their m was estimated on all candidate pairs`,
      ),
    );
  }
  const nameWidth = Math.max(14, ...result.comparisons.map((c) => c.name.length + 2));
  const levelWidth = Math.max(
    20,
    ...result.comparisons.flatMap((c) => c.levels.map((level) => displayWidth(level.label[lang]) + 2)),
  );
  rt.out(
    `  ${pad(rt.t('比较', 'comparison'), nameWidth)}${pad(rt.t('级别', 'level'), levelWidth)}${pad('m', 10)}${pad('u', 11)}${rt.t('权重', 'weight')}`,
  );
  for (const comparison of result.comparisons) {
    for (let l = 1; l < comparison.levels.length; l++) {
      const level = comparison.levels[l]!;
      rt.out(
        `  ${pad(l === 1 ? comparison.name : '', nameWidth)}${pad(level.label[lang], levelWidth)}${pad(comparison.m[l]!.toFixed(4), 10)}${pad(comparison.u[l]!.toExponential(2), 11)}${comparison.weights[l]! >= 0 ? '+' : ''}${comparison.weights[l]!.toFixed(2)}${comparison.tf[l] ? rt.t('（按频率调整）', ' (TF-adjusted)') : ''}`,
      );
    }
  }

  rt.out('');
  const d = result.decisions;
  rt.out(
    rt.t(
      `判定（自动链接 ≥ ${settings.thresholds.autoLink}，待审核 ≥ ${settings.thresholds.review}）：自动链接 ${count(d.link)}，待审核 ${count(d.review)}，非匹配 ${count(d.nonMatch)}`,
      `Decisions (auto-link ≥ ${settings.thresholds.autoLink}, review ≥ ${settings.thresholds.review}): link ${count(d.link)}, review ${count(d.review)}, non-match ${count(d.nonMatch)}`,
    ),
  );
  if (d.superseded > 0) {
    rt.out(
      rt.t(
        `  一对一分配：${count(d.superseded)} 对让位于权重更高的记录对`,
        `  one-to-one: ${count(d.superseded)} pairs gave way to a better pair`,
      ),
    );
  }
  if (result.mode === 'dedupe') {
    rt.out(
      rt.t(
        `  聚类：${count(result.clusters.count)} 个实体，其中 ${count(result.clusters.multiRecord)} 个有重复记录`,
        `  clusters: ${count(result.clusters.count)} entities, ${count(result.clusters.multiRecord)} with duplicates`,
      ),
    );
  }
  rt.out(
    rt.t(`已写入 ${options.out}：${count(written)} 对`, `Wrote ${count(written)} pairs to ${options.out}`),
  );

  if (quality) {
    rt.out('');
    rt.out(rt.t(`与真实值（列 ${options.truth}）对照：`, `Against the truth (column ${options.truth}):`));
    rt.out(
      rt.t(
        `  自动链接阈值下 精确率 ${quality.precision.toFixed(4)}  召回率 ${quality.recall.toFixed(4)}  F1 ${quality.f1.toFixed(4)}`,
        `  at the auto-link threshold: precision ${quality.precision.toFixed(4)}  recall ${quality.recall.toFixed(4)}  F1 ${quality.f1.toFixed(4)}`,
      ),
    );
    rt.out(
      rt.t(
        `  分块召回率 ${quality.blockingRecall.toFixed(4)}（真实配对 ${count(quality.truePairs)} 对中 ${count(quality.truePairsInBlocks)} 对进入候选）`,
        `  blocking recall ${quality.blockingRecall.toFixed(4)} (${count(quality.truePairsInBlocks)} of ${count(quality.truePairs)} true pairs are candidates)`,
      ),
    );
    rt.out(
      rt.t(
        `  待审核 ${count(quality.review)} 对，其中真实配对 ${count(quality.reviewTrue)} 对`,
        `  review: ${count(quality.review)} pairs, ${count(quality.reviewTrue)} of them true`,
      ),
    );
  }
  const pairsPerSecond =
    result.timings.compare > 0 ? result.candidates.count / (result.timings.compare / 1000) : 0;
  rt.out(
    rt.t(
      `用时 ${seconds.toFixed(1)} 秒（比较 ${count(pairsPerSecond)} 对/秒）`,
      `Took ${seconds.toFixed(1)} s (${count(pairsPerSecond)} pairs compared per second)`,
    ),
  );
}
