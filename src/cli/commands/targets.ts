import type { Command } from 'commander';
import type { Lang } from '../../domain/i18n.ts';
import { checkInputValues } from '../../domain/input-values.ts';
import { findOrgUnit } from '../../org/org-units.ts';
import { targetBodies } from '../../server/routes/targets.ts';
import { checkSchema } from '../../server/schema-check.ts';
import {
  assessUnits,
  computeProgress,
  DIRECTION_LABEL,
  findTargetIndicator,
  formatBound,
  formatValue,
  getTargetSheet,
  listSheetVersions,
  type Progress,
  STATUS_LABEL,
  setTargetSheet,
  splitTargetSheet,
  type TargetItem,
} from '../../targets/index.ts';
import {
  type CliRuntime,
  dateOption,
  INT32_MAX,
  inputFileOption,
  parseJsonInput,
  parseJsonObject,
  readInputFile,
  wholeNumber,
} from '../runtime.ts';

/** Display width: CJK characters take two columns. */
function width(value: string): number {
  let n = 0;
  for (const ch of value)
    n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return n;
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, width(cell));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell))))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The JSON typed with --data or --file (or --overrides): an object, else undefined when none is
 * given; the body the command then builds is checked against the HTTP route's schema (checkBody).
 */
function readJson(
  options: { data?: string; file?: string },
  flag: string,
): Record<string, unknown> | undefined {
  const raw = options.file ? readInputFile(options.file, '--file') : options.data;
  if (!raw) return undefined;
  return parseJsonObject(raw, options.file ? '--file' : flag);
}

/** The options a body's fields are typed as, for the messages. */
const OPTION_NAMES = { reason: '--reason', expectedVersion: '--expected-version', overrides: '--overrides' };

/**
 * The body the HTTP route would get, built from the options and the JSON, checked against that
 * route's own schema (src/server/schema-check.ts): the same refusals and messages, a field typed
 * as an option named as the option.
 */
function checkBody<T extends object>(schema: object, body: T, flag: string): T {
  checkSchema(schema, body, flag, OPTION_NAMES);
  checkInputValues(body, schema);
  return body;
}

/** A sheet's year (the table holds 2000–2100): see wholeNumber. */
function parseYear(value: string): number {
  return wholeNumber(value, '--year', { min: 2000, max: 2100 });
}

function indicatorName(id: string, lang: Lang): string {
  return findTargetIndicator(id)?.name[lang] ?? id;
}

function unitOf(id: string): string {
  return findTargetIndicator(id)?.unit ?? '';
}

function itemLine(item: TargetItem, lang: Lang): string {
  const bound = formatBound(item, unitOf(item.indicator), lang);
  const flags = [
    `${lang === 'en' ? 'weight' : '权重'} ${item.weight}`,
    ...(item.gate ? [lang === 'en' ? 'gate' : '否决项'] : []),
    item.source === 'parent'
      ? lang === 'en'
        ? 'from parent'
        : '沿用上级'
      : lang === 'en'
        ? 'own'
        : '本级设定',
  ];
  return `${indicatorName(item.indicator, lang)} ${bound}（${flags.join('，')}）`;
}

/** The status report as printed by `renkou targets status`. */
export function formatProgress(progress: Progress, lang: Lang, detail = false): string[] {
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const w = progress.window;
  const lines = [
    t(
      `${progress.unit.name}（${progress.unit.code}）${w.year} 年目标进度，截至 ${w.asOf}`,
      `${progress.unit.name} (${progress.unit.code}) ${w.year} targets, progress on ${w.asOf}`,
    ),
    w.period
      ? t(
          `统计期：${w.period.label['zh-CN']}（${w.period.start} 至 ${w.period.end}），全年时间进度 ${(w.elapsedShare * 100).toFixed(1)}%`,
          `Counted: ${w.period.label.en} (${w.period.start} to ${w.period.end}); ${(w.elapsedShare * 100).toFixed(1)}% of the year`,
        )
      : t('本年尚无完整月份，暂无数据', 'No complete month of the year yet: no figures'),
    t(
      `目标表：第 ${progress.sheet.version} 版${progress.sheet.inheritedFrom ? `（沿用 ${progress.sheet.inheritedFrom} 的目标表）` : ''}`,
      `Target sheet: version ${progress.sheet.version}${progress.sheet.inheritedFrom ? ` (inherited from ${progress.sheet.inheritedFrom})` : ''}`,
    ),
    '',
  ];
  const rows = [
    [
      t('指标', 'Indicator'),
      t('全年目标', 'Year target'),
      t('当前值', 'Value'),
      t('应达', 'Expected'),
      t('状态', 'Status'),
    ],
  ];
  for (const target of progress.targets) {
    rows.push([
      target.name[lang],
      formatBound(target.item, target.unit, lang),
      formatValue(target.value, target.unit, lang),
      formatBound(target.expected, target.unit, lang),
      STATUS_LABEL[target.status][lang],
    ]);
  }
  lines.push(...table(rows));
  if (detail) {
    for (const target of progress.targets) {
      lines.push('', `${target.name[lang]}${t('：下级单位排名', ': units below, ranked')}`);
      lines.push(
        ...table([
          [
            t('名次', 'Rank'),
            t('单位', 'Unit'),
            t('当前值', 'Value'),
            t('应达', 'Expected'),
            t('状态', 'Status'),
          ],
          ...target.children.map((child) => [
            child.rank === null ? '-' : String(child.rank),
            child.name,
            formatValue(child.value, target.unit, lang),
            child.expected ? formatBound(child.expected, target.unit, lang) : '-',
            STATUS_LABEL[child.status][lang],
          ]),
        ]).map((line) => `  ${line}`),
      );
    }
  }
  if (progress.ranking.length > 0) {
    lines.push(
      '',
      progress.alerts.length > 0
        ? t('落后单位：', 'Units behind their targets:')
        : t('下级单位均达到进度。', 'Every unit below is on track.'),
    );
    for (const alert of progress.alerts) lines.push(`  ${alert.text[lang]}`);
    lines.push(
      '',
      t(
        '下级单位排名（按目前进度折算的考核得分）：',
        'Units below ranked by the score their progress would earn:',
      ),
    );
    lines.push(
      ...table([
        [
          t('名次', 'Rank'),
          t('单位', 'Unit'),
          t('得分', 'Score'),
          t('正常/风险/落后/无数据', 'on track/at risk/off/no data'),
        ],
        ...progress.ranking.map((entry) => [
          entry.rank === null ? '-' : String(entry.rank),
          entry.name,
          `${entry.score.total} / ${entry.score.max}`,
          `${entry.counts.on_track}/${entry.counts.at_risk}/${entry.counts.off_track}/${entry.counts.no_data}`,
        ]),
      ]).map((line) => `  ${line}`),
    );
  }
  return lines;
}

/** renkou targets set|show|split|history|status|assess */
export function registerTargetCommands(program: Command, rt: CliRuntime) {
  const targets = program
    .command('targets')
    .description(
      rt.t('目标管理责任书：目标表、进度、排名、考核', 'Target sheets, progress, rankings and assessment'),
    );
  const unitOption = rt.t(
    '单位代码（县 6 位、乡镇 9 位、村 12 位）',
    'unit code (county 6, township 9, village 12 digits)',
  );

  targets
    .command('status')
    .description(
      rt.t(
        '某日的目标进度、状态、落后单位和排名',
        'Progress on a date: values, status, lagging units, ranking',
      ),
    )
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--date <date>', rt.t('日期 YYYY-MM-DD', 'date YYYY-MM-DD'), dateOption('--date'))
    .option('--detail', rt.t('逐项列出下级单位排名', 'rank the units below on every target'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { unit: string; date: string; detail?: boolean; json?: boolean }) => {
      const progress = await rt.withDatabase((database) => computeProgress(database, options));
      if (options.json) return rt.out(JSON.stringify(progress, null, 2));
      for (const line of formatProgress(progress, rt.lang, options.detail)) rt.out(line);
    });

  targets
    .command('show')
    .description(rt.t('查看目标表（默认现行版本）', 'Show a target sheet (the current version by default)'))
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--year <year>', rt.t('年度', 'year'))
    .option('--version <n>', rt.t('查看某一历史版本', 'an earlier version'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { unit: string; year: string; version?: string; json?: boolean }) => {
      const { sheet, name } = await rt.withDatabase(async (database) => ({
        sheet: await getTargetSheet(
          database.db,
          options.unit,
          parseYear(options.year),
          options.version ? wholeNumber(options.version, '--version', { max: INT32_MAX }) : undefined,
        ),
        name: (await findOrgUnit(database.db, options.unit))?.shortName ?? options.unit,
      }));
      if (options.json) return rt.out(JSON.stringify(sheet, null, 2));
      rt.out(
        rt.t(
          `${name} ${sheet.year} 年目标表 第 ${sheet.version} 版（现行第 ${sheet.currentVersion} 版）— ${sheet.createdBy}，${sheet.createdAt}：${sheet.reason}`,
          `${name} ${sheet.year} target sheet, version ${sheet.version} (current: ${sheet.currentVersion}) — ${sheet.createdBy}, ${sheet.createdAt}: ${sheet.reason}`,
        ),
      );
      for (const item of sheet.items) rt.out(`  ${itemLine(item, rt.lang)}`);
      if (sheet.items.length === 0) rt.out(rt.t('  （没有目标）', '  (no targets)'));
    });

  targets
    .command('set')
    .description(
      rt.t(
        '写入目标表的新版本：JSON {"items":[{"indicator":"timeliness_rate","direction":"at_least","target":95,"weight":40,"gate":true}],"settings":{…}}',
        'Write a new version of a sheet: JSON {"items":[{"indicator":"timeliness_rate","direction":"at_least","target":95,"weight":40,"gate":true}],"settings":{…}}',
      ),
    )
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--year <year>', rt.t('年度', 'year'))
    .requiredOption('--reason <text>', rt.t('修改原因（记入历史）', 'why (kept in the history)'))
    .option('--data <json>', rt.t('JSON 输入', 'JSON input'))
    .option('--file <path>', rt.t('JSON 文件', 'JSON file'), inputFileOption('--file'))
    .option(
      '--expected-version <n>',
      rt.t('您看到的版本号（防止覆盖他人修改）', 'the version you saw (guards against lost updates)'),
    )
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .action(
      async (options: {
        unit: string;
        year: string;
        reason: string;
        data?: string;
        file?: string;
        expectedVersion?: string;
        user: string;
      }) => {
        const year = parseYear(options.year);
        const input = readJson(options, '--data') ?? {};
        const body = checkBody(
          targetBodies.sheet,
          {
            items: input.items,
            settings: input.settings,
            reason: options.reason,
            ...(options.expectedVersion !== undefined
              ? { expectedVersion: wholeNumber(options.expectedVersion, '--expected-version', { min: 0 }) }
              : {}),
          },
          options.file ? '--file' : '--data',
        );
        const sheet = await rt.withDatabase((database) =>
          setTargetSheet({ db: database.db, actor: { id: options.user } }, {
            ...body,
            unit: options.unit,
            year,
          } as Parameters<typeof setTargetSheet>[1]),
        );
        rt.out(
          rt.t(
            `已保存 ${sheet.unit} ${sheet.year} 年目标表第 ${sheet.version} 版`,
            `Saved ${sheet.unit} ${sheet.year} target sheet version ${sheet.version}`,
          ),
        );
        for (const item of sheet.items) rt.out(`  ${itemLine(item, rt.lang)}`);
      },
    );

  targets
    .command('split')
    .description(
      rt.t(
        '把目标表分解到下级单位（默认沿用上级目标；--overrides \'{"620881202":{"timeliness_rate":{"target":90}}}\' 单独设定）',
        'Split a sheet into the units below (parent targets by default; --overrides \'{"620881202":{"timeliness_rate":{"target":90}}}\' sets their own)',
      ),
    )
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--year <year>', rt.t('年度', 'year'))
    .requiredOption('--reason <text>', rt.t('原因（记入历史）', 'why (kept in the history)'))
    .option('--overrides <json>', rt.t('下级单位的单独目标（JSON）', 'own targets of units below (JSON)'))
    .option('--user <id>', rt.t('记入历史的操作人', 'who the history records'), 'cli')
    .action(
      async (options: { unit: string; year: string; reason: string; overrides?: string; user: string }) => {
        const year = parseYear(options.year);
        const overrides =
          options.overrides === undefined ? undefined : parseJsonInput(options.overrides, '--overrides');
        const body = checkBody(
          targetBodies.split,
          { reason: options.reason, ...(overrides === undefined ? {} : { overrides }) },
          '--overrides',
        );
        const report = await rt.withDatabase((database) =>
          splitTargetSheet({ db: database.db, actor: { id: options.user } }, {
            ...body,
            unit: options.unit,
            year,
          } as Parameters<typeof splitTargetSheet>[1]),
        );
        const label = {
          created: rt.t('新建', 'created'),
          updated: rt.t('更新', 'updated'),
          unchanged: rt.t('未变', 'unchanged'),
        };
        const lines = table([
          [
            rt.t('单位', 'Unit'),
            rt.t('结果', 'Result'),
            rt.t('版本', 'Version'),
            rt.t('单独设定', 'Own targets'),
          ],
          ...report.map((entry) => [
            `${entry.unit} ${entry.name}`,
            label[entry.status],
            String(entry.version),
            entry.overridden.map((id) => indicatorName(id, rt.lang)).join(rt.lang === 'en' ? ', ' : '、') ||
              '-',
          ]),
        ]);
        for (const line of lines) rt.out(line);
      },
    );

  targets
    .command('history')
    .description(
      rt.t(
        '目标表的全部版本：谁、何时、为何、改了什么',
        'Every version of a sheet: who, when, why, what changed',
      ),
    )
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--year <year>', rt.t('年度', 'year'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { unit: string; year: string; json?: boolean }) => {
      const versions = await rt.withDatabase((database) =>
        listSheetVersions(database.db, options.unit, parseYear(options.year)),
      );
      if (options.json) return rt.out(JSON.stringify(versions, null, 2));
      const kinds = { set: rt.t('修改', 'set'), split: rt.t('分解', 'split'), demo: rt.t('示例', 'demo') };
      for (const version of versions) {
        rt.out(
          `${rt.t('第', 'v')}${version.version}${rt.t(' 版', '')}  ${version.createdAt}  ${version.createdBy}  [${kinds[version.changeKind]}]  ${version.reason}`,
        );
        for (const change of version.changes) {
          const name = indicatorName(change.indicator, rt.lang);
          const unit = unitOf(change.indicator);
          const before = change.before ? formatBound(change.before, unit, rt.lang) : '';
          const after = change.after ? formatBound(change.after, unit, rt.lang) : '';
          if (change.change === 'added') rt.out(`  + ${name} ${after}`);
          else if (change.change === 'removed') rt.out(`  - ${name} ${before}`);
          else
            rt.out(
              `  ~ ${name} ${before} → ${after}${change.before!.weight !== change.after!.weight ? ` (${rt.t('权重', 'weight')} ${change.before!.weight} → ${change.after!.weight})` : ''}`,
            );
        }
      }
    });

  targets
    .command('assess')
    .description(
      rt.t(
        '年度考核：下级单位得分、名次和计分过程',
        'Year-end assessment: scores, ranks and the working of the units below',
      ),
    )
    .requiredOption('--unit <code>', unitOption)
    .requiredOption('--year <year>', rt.t('年度', 'year'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { unit: string; year: string; json?: boolean }) => {
      const assessment = await rt.withDatabase((database) =>
        assessUnits(database, { unit: options.unit, year: parseYear(options.year) }),
      );
      if (options.json) return rt.out(JSON.stringify(assessment, null, 2));
      const { scoring } = assessment;
      rt.out(
        rt.t(
          `${assessment.unit.name} ${assessment.year} 年度考核：达标得满分，未达标按差距线性扣分，差距达 ${(scoring.zeroAtShortfall * 100).toFixed(0)}% 得 0 分；否决项未达标时总分不超过满分的 ${(scoring.gateCapShare * 100).toFixed(0)}%`,
          `${assessment.unit.name} ${assessment.year} assessment: full points when met, falling linearly to 0 at a ${(scoring.zeroAtShortfall * 100).toFixed(0)}% shortfall; an unmet gate caps the total at ${(scoring.gateCapShare * 100).toFixed(0)}% of the maximum`,
        ),
      );
      for (const unit of assessment.units) {
        const capped =
          unit.cap !== null
            ? rt.t(
                `（否决项未达标：${unit.failedGates.map((id) => indicatorName(id, rt.lang)).join('、')}，封顶 ${unit.cap}）`,
                ` (gate not met: ${unit.failedGates.join(', ')}; capped at ${unit.cap})`,
              )
            : '';
        rt.out('');
        rt.out(`${unit.rank ?? '-'}. ${unit.name}  ${unit.total} / ${unit.max}${capped}`);
        const lines = table(
          unit.lines.map((line) => [
            line.name[rt.lang],
            `${DIRECTION_LABEL[line.target.direction][rt.lang]} ${formatBound(line.target, line.unit, rt.lang)}`,
            formatValue(line.value, line.unit, rt.lang),
            `${rt.t('差距', 'short')} ${line.shortfall === null ? '-' : `${(line.shortfall * 100).toFixed(1)}%`}`,
            `${(line.attainment * 100).toFixed(1)}% × ${line.weight} = ${line.points}`,
          ]),
        );
        for (const line of lines) rt.out(`   ${line}`);
      }
    });
}
