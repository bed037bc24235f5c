import type { Command } from 'commander';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { CATALOGUE, findIndicator, indicatorEngineFor } from '../../indicators/index.ts';
import { findOrgUnit } from '../../org/org-units.ts';
import { createProgress } from '../progress.ts';
import type { CliRuntime } from '../runtime.ts';

const LEVEL_BY = { township: 'children', village: 'children' } as const;

function csvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** renkou indicators --unit U --period P [--by township|village|sex|…] [--indicator a,b] [--format table|csv|json] */
export function registerIndicators(program: Command, rt: CliRuntime) {
  program
    .command('indicators')
    .description(rt.t('计算指标：任一单位、任一时期', 'Compute indicators for any unit and period'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption(
      '--period <period>',
      rt.t('时期：2025、2025H1、2025Q3、2025-07', 'period: 2025, 2025H1, 2025Q3, 2025-07'),
    )
    .option(
      '--by <breakdown>',
      rt.t(
        '分列：township、village（下级单位）、sex、ageGroup、residenceType、birthOrder',
        'breakdown: township, village (child units), sex, ageGroup, residenceType, birthOrder',
      ),
    )
    .option(
      '--indicator <ids>',
      rt.t('只算这些指标（逗号分隔）；默认全部', 'only these indicators (comma-separated); all by default'),
    )
    .option('--format <format>', 'table | csv | json', 'table')
    .action(
      async (options: { unit: string; period: string; by?: string; indicator?: string; format: string }) => {
        const ids = options.indicator
          ? options.indicator.split(',').map((id) => id.trim())
          : CATALOGUE.map((e) => e.id);
        for (const id of ids) {
          if (!findIndicator(id)) {
            throw new AppError('not_found', text(`没有指标 ${id}`, `No indicator ${id}`), {
              field: 'indicator',
            });
          }
        }
        const by = options.by ? ((LEVEL_BY as Record<string, string>)[options.by] ?? options.by) : 'none';
        const rows = await rt.withDatabase(async (database) => {
          const engine = indicatorEngineFor(database);
          const progress = createProgress(rt.t('计算指标', 'Indicators'), ids.length);
          const out = [];
          for (const [i, id] of ids.entries()) {
            const definition = findIndicator(id)!;
            if (by !== 'none' && by !== 'children' && !definition.disaggregations.includes(by as never))
              continue;
            const result = await engine.evaluate({
              indicator: id,
              unit: options.unit,
              period: options.period,
              by: by as never,
            });
            for (const value of result.values) {
              const unit = await findOrgUnit(database.db, value.unit_code);
              out.push({
                indicator: id,
                name: definition.name[rt.lang],
                unit: value.unit_code,
                unitName: unit?.shortName ?? '',
                group: Object.values(value.group).join(' '),
                value: value.value,
                lower: value.interval?.lower ?? null,
                upper: value.interval?.upper ?? null,
                numerator: value.numerator,
                denominator: value.denominator,
                flags: value.flags.map((f) => f.code).join(' '),
              });
            }
            progress.tick(i + 1);
          }
          progress.finish();
          return out;
        });
        if (options.format === 'json') return rt.out(JSON.stringify(rows, null, 2));
        if (options.format === 'csv') {
          const header = Object.keys(rows[0] ?? { indicator: '' });
          rt.out(header.join(','));
          for (const row of rows) rt.out(Object.values(row).map(csvCell).join(','));
          return;
        }
        const noData = rt.t('无数据', 'no data');
        for (const row of rows) {
          const range = row.lower !== null && row.upper !== null ? ` [${row.lower}, ${row.upper}]` : '';
          rt.out(
            `${row.unit} ${row.unitName}\t${row.name}${row.group ? ` (${row.group})` : ''}\t${row.value ?? noData}${range}${row.flags ? `  ⚠ ${row.flags}` : ''}`,
          );
        }
      },
    );
}
