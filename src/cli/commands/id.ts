import type { Command } from 'commander';
import { AppError, fieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkResidentId, describeResidentIdKind } from '../../domain/resident-id.ts';
import type { CliRuntime } from '../runtime.ts';

/** renkou id check NUMBER…: validates and decodes ID numbers; no database needed. */
export function registerId(program: Command, rt: CliRuntime) {
  const id = program
    .command('id')
    .description(rt.t('身份号码工具', 'ID number tools'))
    .helpOption('-h, --help', rt.t('显示帮助', 'show help'));
  id.command('check')
    .description(
      rt.t(
        '检查身份号码（含 15 位旧号码、港澳台居民居住证、外国人永久居留身份证）；全部有效时退出码为 0',
        'Check ID numbers (also old 15-digit numbers, HK/Macao/Taiwan residence permits, foreigner cards); exits 0 only when all are valid',
      ),
    )
    .helpOption('-h, --help', rt.t('显示帮助', 'show help'))
    .argument('<numbers...>', rt.t('一个或多个身份号码', 'one or more ID numbers'))
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .option('--today <date>', rt.t('以此日期为“今天”（YYYY-MM-DD）', 'take this date as today (YYYY-MM-DD)'))
    .action((numbers: string[], options: { json?: boolean; today?: string }) => {
      if (options.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) {
        const issue = fieldIssue(
          'invalid_date',
          'today',
          `--today 应为 YYYY-MM-DD 格式的日期：${options.today}`,
          `--today takes a date as YYYY-MM-DD: ${options.today}`,
        );
        throw new AppError('invalid_input', issue.message, { field: 'today', issues: [issue] });
      }
      const results = numbers.map((input) => ({
        input,
        result: checkResidentId(input, options.today ? { today: options.today } : {}),
      }));

      if (options.json) {
        rt.out(
          JSON.stringify(
            results.map(({ input, result }) =>
              result.ok
                ? { input, valid: true, ...result.value }
                : { input, valid: false, issues: result.issues },
            ),
            null,
            2,
          ),
        );
      } else {
        for (const { input, result } of results) {
          if (!result.ok) {
            rt.out(`${input.trim()}  ${rt.t('无效', 'invalid')}`);
            for (const issue of result.issues) rt.out(`  - ${issue.message[rt.lang]}`);
            continue;
          }
          const value = result.value;
          rt.out(
            `${value.number}  ${rt.t('有效', 'valid')} · ${describeResidentIdKind(value.kind)[rt.lang]}`,
          );
          if (value.legacy15) rt.out(`  ${rt.t('原 15 位号码', 'old 15-digit number')}: ${input.trim()}`);
          const area = value.areaName ?? rt.t('（名称未知）', '(name unknown)');
          const retired = value.isCurrentArea ? '' : rt.t('（非现行代码）', ' (not a current code)');
          rt.out(`  ${rt.t('地区', 'area')}: ${value.areaCode} ${area}${retired}`);
          if (value.nationalityCode)
            rt.out(`  ${rt.t('国籍代码', 'nationality code')}: ${value.nationalityCode}`);
          rt.out(`  ${rt.t('出生日期', 'birth date')}: ${value.birthDate}`);
          rt.out(
            `  ${rt.t('性别', 'sex')}: ${value.sex === 'male' ? rt.t('男', 'male') : rt.t('女', 'female')}`,
          );
          // The old-number line above already says what the legacy15 note says.
          for (const note of value.notes.filter((n) => n.code !== 'resident_id_legacy15'))
            rt.out(`  ${rt.t('注意', 'note')}: ${note.message[rt.lang]}`);
        }
      }

      const invalid = results.filter(({ result }) => !result.ok).length;
      // The exit code is the answer for scripts: runCli turns this error into exit status 1.
      if (invalid > 0) {
        throw new AppError(
          'invalid_input',
          text(
            `${numbers.length} 个号码中有 ${invalid} 个无效`,
            `${invalid} of ${numbers.length} numbers are invalid`,
          ),
        );
      }
    });
}
