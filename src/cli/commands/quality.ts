import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { indicatorEngineFor } from '../../indicators/index.ts';
import type { Interval } from '../../indicators/intervals.ts';
import { findOrgUnit } from '../../org/org-units.ts';
import {
  computeQualityRates,
  countMissingFields,
  drawAudit,
  getAudit,
  importAuditResults,
  loadAuditSheetData,
  QUALITY_RATE_IDS,
  runValidation,
  writeAuditSheet,
} from '../../quality/index.ts';
import { type CliRuntime, dateOption, inputFileOption, outputFileOption, wholeNumber } from '../runtime.ts';

/** A year, a count or an audit id typed on the command line (the rules check its range): see wholeNumber. */
function whole(value: string, field: string): number {
  return wholeNumber(value, field, { min: 0 });
}

function share(value: number | null, interval: Interval | null, rt: CliRuntime): string {
  return value === null ? rt.t('无数据', 'no data') : `${value}%${range(interval)}`;
}

function range(interval: Interval | null): string {
  return interval && interval.lower !== null && interval.upper !== null
    ? ` [${interval.lower}, ${interval.upper}]`
    : '';
}

/** renkou quality rates|check, renkou audit draw|sheet|results|show. */
export function registerQualityCommands(program: Command, rt: CliRuntime) {
  const actor = { id: process.env.USER ? `cli:${process.env.USER}` : 'cli' };
  const quality = program
    .command('quality')
    .description(rt.t('数据质量：四率与校验', 'Data quality: the four rates and validation checks'));

  quality
    .command('rates')
    .description(rt.t('入库率、完整率、准确率、及时率', 'Entry, completeness, accuracy and timeliness rates'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption('--period <period>', rt.t('时期：2025、2025Q3、2025-07', 'period: 2025, 2025Q3, 2025-07'))
    .option('--children', rt.t('同时列出下级单位', 'also list the child units'))
    .option('--format <format>', 'table | json', 'table')
    .action(async (options: { unit: string; period: string; children?: boolean; format: string }) => {
      const result = await rt.withDatabase(async (database) => {
        const engine = indicatorEngineFor(database);
        const rates = await computeQualityRates(engine, {
          unit: options.unit,
          period: options.period,
          by: options.children ? 'children' : 'none',
        });
        const total = options.children
          ? await computeQualityRates(engine, { unit: options.unit, period: options.period })
          : undefined;
        const missing = await countMissingFields(database.db, options.unit, options.period);
        const names = new Map<string, string>();
        for (const u of [...(total?.units ?? []), ...rates.units])
          names.set(u.unit, (await findOrgUnit(database.db, u.unit))?.shortName ?? '');
        return { rates, total, missing, names };
      });
      if (options.format === 'json') {
        return rt.out(
          JSON.stringify({ ...result.rates, total: result.total, missing: result.missing }, null, 2),
        );
      }
      const header = QUALITY_RATE_IDS.map((id) => result.rates.names[id][rt.lang]).join('\t');
      rt.out(`${rt.t('单位', 'Unit')}\t${header}`);
      for (const unit of [...(result.total?.units ?? []), ...result.rates.units]) {
        const cells = QUALITY_RATE_IDS.map((id) => {
          const r = unit.rates[id];
          if (!r || r.value === null) return rt.t('无数据', 'no data');
          return `${r.value}%${range(r.interval)} (${r.numerator}/${r.denominator})`;
        });
        rt.out(`${unit.unit} ${result.names.get(unit.unit) ?? ''}\t${cells.join('\t')}`);
      }
      rt.out(
        rt.t(
          `${result.missing.date} 缺项（${result.missing.records} 条人员记录）：`,
          `Missing required fields on ${result.missing.date} (${result.missing.records} person records):`,
        ),
      );
      for (const m of result.missing.missing) rt.out(`  ${m.label[rt.lang]}: ${m.missing}`);
    });

  quality
    .command('check')
    .description(
      rt.t(
        '运行校验规则，发现写入待办（data_check）',
        'Run the validation rules; findings go to the work lists (data_check)',
      ),
    )
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption('--period <period>', rt.t('时期：2025-07、2025Q3、2025', 'period: 2025-07, 2025Q3, 2025'))
    .option('--dry-run', rt.t('只列出，不写待办', 'list only, write no tasks'))
    .option('--format <format>', 'table | json', 'table')
    .action(async (options: { unit: string; period: string; dryRun?: boolean; format: string }) => {
      const run = await rt.withDatabase((database) =>
        runValidation(database.db, {
          unit: options.unit,
          period: options.period,
          write: !options.dryRun,
          actor,
        }),
      );
      if (options.format === 'json') return rt.out(JSON.stringify(run, null, 2));
      for (const finding of run.findings) {
        rt.out(`${finding.orgCode}\t${finding.rule}\t${finding.message[rt.lang]}`);
      }
      rt.out(
        rt.t(
          `共 ${run.findings.length} 项发现，新建待办 ${run.tasksCreated} 项`,
          `${run.findings.length} findings, ${run.tasksCreated} new tasks`,
        ),
      );
    });

  const audit = program.command('audit').description(rt.t('入户抽查', 'Field audits (household surveys)'));

  audit
    .command('draw')
    .description(rt.t('按乡镇分层随机抽取住户', 'Draw a stratified random sample of households'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption('--year <year>', rt.t('考核年度', 'assessment year'))
    .requiredOption('--households <n>', rt.t('抽查户数', 'households to draw'))
    .option(
      '--seed <seed>',
      rt.t('随机种子（不填则随机生成并记录）', 'random seed (made and recorded when absent)'),
    )
    .action(async (options: { unit: string; year: string; households: string; seed?: string }) => {
      const drawn = await rt.withDatabase((database) =>
        drawAudit(database.db, {
          unit: options.unit,
          year: whole(options.year, 'year'),
          households: whole(options.households, 'households'),
          seed: options.seed,
          actor,
        }),
      );
      rt.out(
        rt.t(
          `抽查 ${drawn.id}：从 ${drawn.frameHouseholds} 户（${drawn.framePersons} 人）中抽取 ${drawn.sampledHouseholds} 户、${drawn.sampledPersons} 人；种子 ${drawn.seed}`,
          `Audit ${drawn.id}: ${drawn.sampledHouseholds} households (${drawn.sampledPersons} persons) drawn from ${drawn.frameHouseholds} (${drawn.framePersons} persons); seed ${drawn.seed}`,
        ),
      );
      rt.out(`${rt.t('抽样框', 'Frame')} SHA-256 ${drawn.frameDigest}`);
      for (const s of drawn.strata) rt.out(`  ${s.code}\t${s.sample}/${s.frame}`);
    });

  audit
    .command('sheet')
    .description(rt.t('导出入户核查表（XLSX）', 'Write the survey sheets (XLSX)'))
    .requiredOption('--audit <id>', rt.t('抽查编号', 'audit id'))
    .requiredOption('--out <file>', rt.t('输出文件', 'output file'), outputFileOption('--out'))
    .action(async (options: { audit: string; out: string }) => {
      const buffer = await rt.withDatabase(async (database) =>
        writeAuditSheet(await loadAuditSheetData(database.db, whole(options.audit, 'audit')), rt.lang),
      );
      writeFileSync(options.out, buffer);
      rt.out(rt.t(`已写入 ${options.out}`, `Wrote ${options.out}`));
    });

  audit
    .command('results')
    .description(
      rt.t(
        '回收填好的核查表，与库内比对',
        'Take back a filled survey sheet and compare it with the registry',
      ),
    )
    .requiredOption('--audit <id>', rt.t('抽查编号', 'audit id'))
    .requiredOption('--file <file>', rt.t('填好的 XLSX', 'the filled XLSX'), inputFileOption('--file'))
    .option(
      '--date <date>',
      rt.t('表上未填调查日期时所用的日期', 'survey date where the sheet gives none'),
      dateOption('--date'),
    )
    .action(async (options: { audit: string; file: string; date?: string }) => {
      let file: Buffer;
      try {
        file = readFileSync(options.file);
      } catch (error) {
        throw new AppError('not_found', text(`读不到文件 ${options.file}`, `Cannot read ${options.file}`), {
          field: 'file',
          cause: error,
        });
      }
      const report = await rt.withDatabase((database) =>
        importAuditResults(database.db, {
          auditId: whole(options.audit, 'audit'),
          file,
          surveyedOn: options.date,
          actor,
        }),
      );
      const f = report.estimate.fields;
      const p = report.estimate.persons;
      rt.out(
        rt.t(
          `已调查 ${report.householdsSurveyed} 户（未调查 ${report.householdsNotReached} 户）、${report.personsChecked} 人`,
          `${report.householdsSurveyed} households surveyed (${report.householdsNotReached} not reached), ${report.personsChecked} persons`,
        ),
      );
      rt.out(
        `${rt.t('准确率（字段）', 'Accuracy (fields)')}: ${share(f.value, f.interval, rt)} (${f.numerator}/${f.denominator})`,
      );
      rt.out(
        `${rt.t('准确率（人）', 'Accuracy (persons)')}: ${share(p.value, p.interval, rt)} (${p.numerator}/${p.denominator})`,
      );
      rt.out(
        rt.t(
          `不一致 ${report.discrepancies} 人，名单外成员 ${report.unlisted} 人，写入待办 ${report.tasksWritten} 项`,
          `${report.discrepancies} persons with discrepancies, ${report.unlisted} members not listed, ${report.tasksWritten} tasks written`,
        ),
      );
      for (const issue of report.issues) rt.out(`  ⚠ ${issue.message[rt.lang]}`);
    });

  audit
    .command('show')
    .description(rt.t('查看抽查：设计、进度与准确率', 'Show an audit: design, progress and accuracy'))
    .requiredOption('--audit <id>', rt.t('抽查编号', 'audit id'))
    .option('--format <format>', 'table | json', 'table')
    .action(async (options: { audit: string; format: string }) => {
      const summary = await rt.withDatabase((database) =>
        getAudit(database.db, whole(options.audit, 'audit')),
      );
      if (options.format === 'json') return rt.out(JSON.stringify(summary, null, 2));
      rt.out(
        rt.t(
          `抽查 ${summary.id}：${summary.unitCode}，${summary.year} 年，种子 ${summary.seed}，抽样框 ${summary.frameHouseholds} 户，抽取 ${summary.sampledHouseholds} 户，已调查 ${summary.surveyedHouseholds} 户`,
          `Audit ${summary.id}: ${summary.unitCode}, ${summary.year}, seed ${summary.seed}, frame ${summary.frameHouseholds} households, ${summary.sampledHouseholds} drawn, ${summary.surveyedHouseholds} surveyed`,
        ),
      );
      for (const s of summary.strata) rt.out(`  ${s.code} ${s.name}\t${s.surveyed}/${s.sample}/${s.frame}`);
      const f = summary.estimate.fields;
      if (f.value !== null) {
        rt.out(`${rt.t('准确率（字段）', 'Accuracy (fields)')}: ${f.value}%${range(f.interval)}`);
        rt.out(`${rt.t('不一致待办', 'Discrepancy tasks')}: ${summary.discrepancies}`);
      }
    });
}
