import type { Command } from 'commander';
import type { CompletenessRow } from '../../completeness/birth-counts.ts';
import { getBirthCompleteness, setOfficialBirths } from '../../completeness/birth-counts.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import type { CliRuntime } from '../runtime.ts';

function parseYear(value: string): number {
  const year = Number(value);
  if (!Number.isInteger(year) || year < 1949 || year > 2200) {
    throw new AppError('invalid_input', text(`年份无效：${value}`, `Not a year: ${value}`), {
      field: 'year',
    });
  }
  return year;
}

/** Pads to a display width, a Han character taking two columns. */
function padWidth(value: string, width: number): string {
  let columns = 0;
  for (const ch of value) columns += /[\u2e80-\uffef]/.test(ch) ? 2 : 1;
  return value + ' '.repeat(Math.max(0, width - columns));
}

const fixed = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? '-' : n.toFixed(digits);
const percent = (n: number | null | undefined) =>
  n === null || n === undefined ? '-' : `${(n * 100).toFixed(1)}%`;

/** renkou completeness [--county] --year: birth completeness per township by dual-system estimation; set-official. */
export function registerCompletenessCommands(program: Command, rt: CliRuntime) {
  const completeness = program
    .command('completeness')
    .description(
      rt.t(
        '出生登记完整性：登记与医院出生医学证明双系统估计（Chandra Sekar–Deming）',
        'Birth registration completeness: dual-system estimate from the registry and hospital birth certificates',
      ),
    )
    .option(
      '--county <code>',
      rt.t('县或乡镇代码（默认：配置的县）', 'county or township code (default: the configured county)'),
    )
    .option('--year <year>', rt.t('年份', 'year'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (options: { county?: string; year?: string; json?: boolean }) => {
      if (!options.year) {
        throw new AppError('invalid_input', text('请用 --year 指定年份', 'Give the year with --year'), {
          field: 'year',
        });
      }
      const year = parseYear(options.year);
      const report = await rt.withDatabase((db) =>
        getBirthCompleteness(db.db, { unit: options.county ?? rt.config().defaultCounty, year }),
      );
      if (options.json) return rt.out(JSON.stringify(report, null, 2));
      rt.out(
        rt.t(
          `${report.unitName} ${year} 年出生登记完整性`,
          `${report.unitName}: birth registration completeness ${year}`,
        ),
      );
      rt.out(
        rt.t(
          '单位              登记  医院  共有  外出母亲  估计出生  95%区间        登记完整率  医院完整率  统计局  差(估计)  差(登记)',
          'unit              reg.  hosp. both  away     estimate  95% interval    registry    hospital    bureau  gap(est.) gap(reg.)',
        ),
      );
      const line = (row: CompletenessRow) => {
        const interval = row.lower === null ? '-' : `${row.lower}–${row.upper ?? '∞'}`;
        return [
          padWidth(row.unitName, 14),
          String(row.registered).padStart(5),
          String(row.hospital).padStart(5),
          String(row.matched).padStart(5),
          String(row.awayRegistered).padStart(8),
          fixed(row.estimate).padStart(9),
          interval.padStart(14),
          percent(row.registryCompleteness?.value).padStart(11),
          percent(row.hospitalCompleteness?.value).padStart(11),
          String(row.official?.births ?? '-').padStart(7),
          fixed(row.official?.gapToEstimate).padStart(8),
          String(row.official?.gapToRegistered ?? '-').padStart(8),
        ].join(' ');
      };
      for (const row of report.rows) rt.out(line(row));
      rt.out(line({ ...report.total, unitName: rt.t('合计', 'total') }));
      const notes = new Map<string, string>();
      for (const row of [...report.rows, report.total]) {
        for (const note of row.notes)
          notes.set(note.code, rt.lang === 'en' ? note.message.en : note.message['zh-CN']);
      }
      for (const note of report.notes)
        notes.set(note.code, rt.lang === 'en' ? note.message.en : note.message['zh-CN']);
      if (notes.size > 0) rt.out('');
      for (const [code, message] of notes) rt.out(`  [${code}] ${message}`);
      rt.out(
        rt.t(
          '  说明：区间为超几何模型的轮廓似然 95% 区间；外出母亲的出生只计登记数，不作估计。',
          '  Note: the interval is the 95% profile-likelihood interval of the hypergeometric model; births to mothers working elsewhere are counted as registered, not estimated.',
        ),
      );
    });

  completeness
    .command('set-official')
    .description(rt.t('录入统计局公布的出生数', "Enter the statistics bureau's birth figure"))
    .requiredOption('--unit <code>', rt.t('县或乡镇代码', 'county or township code'))
    // --year is also the parent's option, and commander hands it to the parent: read it there too.
    .option('--year <year>', rt.t('年份', 'year'))
    .requiredOption('--births <n>', rt.t('出生人数', 'births'))
    .option('--source <text>', rt.t('来源（年鉴、公报等）', 'where it comes from (yearbook, bulletin)'))
    .option('--user <id>', rt.t('录入人', 'who enters it'), 'cli')
    .action(
      async (options: { unit: string; year?: string; births: string; source?: string; user: string }) => {
        const yearText = options.year ?? (completeness.opts() as { year?: string }).year;
        if (!yearText) {
          throw new AppError('invalid_input', text('请用 --year 指定年份', 'Give the year with --year'), {
            field: 'year',
          });
        }
        const row = await rt.withDatabase((db) =>
          setOfficialBirths(db.db, {
            unit: options.unit,
            year: parseYear(yearText),
            births: Number(options.births),
            source: options.source ?? null,
            actor: options.user,
          }),
        );
        rt.out(
          rt.t(
            `已录入：${row.org_code} ${row.year} 年统计局出生数 ${row.births}`,
            `Entered: ${row.org_code} ${row.year} bureau births ${row.births}`,
          ),
        );
      },
    );
}
