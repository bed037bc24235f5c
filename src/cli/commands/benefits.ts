import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appendAudit } from '../../access/audit-log.ts';
import { cliPrincipal } from '../../access/principal.ts';
import {
  decideMany,
  enrolFromScreen,
  exportBankCsv,
  formatYuan,
  listProgrammes,
  recordDisability,
  reverifyEntitlements,
  runPaymentBatch,
  screenEligible,
  setProgrammeVersion,
  spendingSummary,
} from '../../benefits/index.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { formatCsvRow } from '../../linkage/csv.ts';
import { importServicesFile, voidService } from '../../services/index.ts';
import { createProgress, type Progress } from '../progress.ts';
import {
  type CliRuntime,
  dateOption,
  inputFileOption,
  outputFileOption,
  parseJsonInput,
  readInputFile,
  wholeNumber,
} from '../runtime.ts';

const actor = () => ({ id: process.env.RENKOU_USER || 'cli' });

/**
 * renkou benefits … (programmes, screen, review/approve, reverify, batch, spending, disability)
 * and renkou services import|void. TODO(access-control, issue 10): person-level output here is for
 * the benefits and health-service roles; the CLI runs as the operator of the server.
 */
export function registerBenefitCommands(program: Command, rt: CliRuntime) {
  const benefits = program
    .command('benefits')
    .description(
      rt.t(
        '家庭扶助：项目、筛查、审核、审验、发放',
        'Family support: programmes, screening, review, re-verification, payments',
      ),
    );
  const county = () => rt.config().defaultCounty;

  benefits
    .command('programmes')
    .description(rt.t('列出项目及各版本', 'List programmes and their versions'))
    .action(async () => {
      await rt.withDatabase(async (database) => {
        for (const p of await listProgrammes(database.db)) {
          const d = p.definition;
          const amount = d.amountFen
            ? formatYuan(d.amountFen)
            : `${formatYuan(d.amountFenByHukou!.urban)}/${formatYuan(d.amountFenByHukou!.rural)}`;
          rt.out(`${p.programmeId}\t${p.effectiveFrom}\t${d.schedule}\t${amount}\t${d.name[rt.lang]}`);
        }
      });
    });

  benefits
    .command('programme-set')
    .description(
      rt.t(
        '新增项目版本（自某日起生效；JSON 定义）',
        'Add a programme version from a date (JSON definition)',
      ),
    )
    .requiredOption('--programme <id>', rt.t('项目代码', 'programme id'))
    .requiredOption('--from <date>', rt.t('生效日期', 'effective date'), dateOption('--from'))
    .requiredOption(
      '--file <path>',
      rt.t('定义文件（JSON）', 'definition file (JSON)'),
      inputFileOption('--file'),
    )
    .action(async (o: { programme: string; from: string; file: string }) => {
      const definition = parseJsonInput(readInputFile(o.file, '--file'), '--file');
      await rt.withDatabase((database) =>
        setProgrammeVersion(database.db, actor().id, {
          programmeId: o.programme,
          effectiveFrom: o.from,
          definition: definition as never, // checked by setProgrammeVersion
        }),
      );
      rt.out(rt.t(`已新增 ${o.programme} 自 ${o.from} 起的版本`, `Added ${o.programme} from ${o.from}`));
    });

  benefits
    .command('screen')
    .description(
      rt.t(
        '筛查可能符合条件但未纳入的人员（乡镇工作清单）',
        'Screen the registry for likely eligible persons not enrolled (the township work list)',
      ),
    )
    .requiredOption('--programme <id>', rt.t('项目代码', 'programme id'))
    .requiredOption('--period <period>', rt.t('时期，如 2025H2', 'period, e.g. 2025H2'))
    .option('--unit <code>', rt.t('只看此单位', 'only this unit'))
    .option(
      '--out <file>',
      rt.t('名单写入 CSV 文件', 'write the list to a CSV file'),
      outputFileOption('--out'),
    )
    .option(
      '--enrol',
      rt.t(
        '为名单上每人登记申请（待审核）',
        'record an application (to be reviewed) for everyone on the list',
      ),
    )
    .action(
      async (o: { programme: string; period: string; unit?: string; out?: string; enrol?: boolean }) => {
        await rt.withDatabase(async (database) => {
          const input = { countyCode: county(), programmeId: o.programme, period: o.period, unit: o.unit };
          const screen = await screenEligible(database.db, input);
          rt.out(
            rt.t(
              `可能符合条件、尚未纳入：${screen.candidates.length} 人`,
              `Likely eligible, not enrolled: ${screen.candidates.length}`,
            ),
          );
          for (const t of screen.byTownship) rt.out(`  ${t.townshipCode ?? '-'}\t${t.count}`);
          const review = screen.candidates.filter((c) => c.needsReview.length > 0);
          if (review.length > 0) {
            rt.out(
              rt.t(
                `其中须先核实 ${review.length} 人（不能直接申请）：`,
                `Of these, ${review.length} need a look first (cannot apply yet):`,
              ),
            );
            for (const c of review) {
              rt.out(
                `  ${c.personId}\t${c.name}\t${c.needsReview.map((r) => r.message[rt.lang]).join('；')}`,
              );
            }
          }
          if (screen.heldAsDuplicates.length > 0) {
            rt.out(
              rt.t(
                `已知重复记录，未重复列出：${screen.heldAsDuplicates.length} 条`,
                `Known duplicate records not listed twice: ${screen.heldAsDuplicates.length}`,
              ),
            );
            for (const d of screen.heldAsDuplicates) {
              rt.out(
                `  ${d.personId} = ${d.sameAs}\t${d.reason === 'enrolled' ? rt.t('已纳入', 'enrolled') : rt.t('已列出', 'listed')}`,
              );
            }
          }
          if (o.out) {
            let csv = `\uFEFF${formatCsvRow(['person_id', 'name', 'id_number', 'sex', 'birth_date', 'org_code', 'mother_id', 'months', 'previous_status', 'needs_review', 'duplicate_record_ids'])}`;
            for (const c of screen.candidates) {
              csv += formatCsvRow([
                c.personId,
                c.name,
                c.idNumber,
                c.sex,
                c.birthDate,
                c.orgCode,
                c.motherId,
                c.months,
                c.previousStatus,
                c.needsReview.map((r) => r.code).join(';'),
                c.duplicateRecordIds.join(';'),
              ]);
            }
            writeFileSync(o.out, csv);
            rt.out(rt.t(`名单已写入 ${o.out}`, `List written to ${o.out}`));
          }
          if (o.enrol) {
            const result = await enrolFromScreen({ db: database.db, actor: actor() }, input);
            rt.out(
              rt.t(
                `已登记申请 ${result.applied} 人，失败 ${result.failed} 人`,
                `Applications recorded: ${result.applied}, failed: ${result.failed}`,
              ),
            );
          }
        });
      },
    );

  for (const action of ['review', 'approve', 'reject'] as const) {
    benefits
      .command(action)
      .description(
        {
          review: rt.t('审核申请（乡镇）', 'Review applications (township)'),
          approve: rt.t('批准已审核的申请（县）', 'Approve reviewed applications (county)'),
          reject: rt.t('驳回申请', 'Reject applications'),
        }[action],
      )
      .requiredOption('--programme <id>', rt.t('项目代码', 'programme id'))
      .option(
        '--ids <ids>',
        rt.t(
          '待遇编号（逗号分隔）；默认全部待办',
          'entitlement ids (comma-separated); all waiting by default',
        ),
      )
      .option('--note <text>', rt.t('意见', 'note'))
      .action(async (o: { programme: string; ids?: string; note?: string }) => {
        const result = await rt.withDatabase((database) =>
          decideMany(
            { db: database.db, actor: actor() },
            {
              countyCode: county(),
              programmeId: o.programme,
              action,
              ids: o.ids?.split(',').map((id) => wholeNumber(id.trim(), '--ids')),
              note: o.note ?? null,
            },
          ),
        );
        rt.out(
          rt.t(
            `完成 ${result.done}，未完成 ${result.failed}`,
            `Done: ${result.done}, not done: ${result.failed}`,
          ),
        );
        // One line per entitlement named by --ids (every one that was not decided otherwise): each
        // is decided on its own or left exactly as it was, never half.
        for (const r of result.report) {
          if (r.ok) {
            if (o.ids) rt.out(`  ${r.id}\t${r.status}`);
          } else rt.out(`  ${r.id}\t${r.code}\t${r.message[rt.lang]}`);
        }
        if (result.failed > 0) process.exitCode = 3;
      });
  }

  benefits
    .command('reverify')
    .description(
      rt.t(
        '年度审验：健在、仍在本地、仍符合条件',
        'Annual re-verification: alive, still here, still eligible',
      ),
    )
    .requiredOption('--programme <id>', rt.t('项目代码', 'programme id'))
    .option('--as-of <date>', rt.t('审验日期（默认今天）', 'date (default today)'), dateOption('--as-of'))
    .option('--apply', rt.t('停发不再符合条件者', 'stop those no longer eligible'))
    .action(async (o: { programme: string; asOf?: string; apply?: boolean }) => {
      const result = await rt.withDatabase((database) =>
        reverifyEntitlements(
          { db: database.db, actor: actor() },
          { countyCode: county(), programmeId: o.programme, asOf: o.asOf, apply: o.apply },
        ),
      );
      rt.out(
        rt.t(
          `审验 ${result.checked} 人：仍符合 ${result.stillEligible}，不再符合 ${result.toStop}${result.applied ? '（已停发）' : '（加 --apply 停发）'}，须核实 ${result.findings.length - result.toStop}`,
          `Checked ${result.checked}: still eligible ${result.stillEligible}, no longer ${result.toStop}${result.applied ? ' (stopped)' : ' (--apply to stop)'}, to look at ${result.findings.length - result.toStop}`,
        ),
      );
      for (const f of result.findings) {
        const why =
          f.reason === 'rule' || f.reason === 'hukou_missing'
            ? f.failed.map((l) => l[rt.lang]).join(', ')
            : f.reason;
        rt.out(`  ${f.entitlementId}\t${f.orgCode}\t${f.endDate}\t${why}`);
      }
    });

  benefits
    .command('batch')
    .description(rt.t('生成发放批次并导出银行文件', 'Run a payment batch and export the bank file'))
    .requiredOption('--programme <id>', rt.t('项目代码', 'programme id'))
    .requiredOption('--period <period>', rt.t('时期，如 2025H2', 'period, e.g. 2025H2'))
    .option('--out <file>', rt.t('银行文件路径', 'bank file path'), outputFileOption('--out'))
    .action(async (o: { programme: string; period: string; out?: string }) => {
      await rt.withDatabase(async (database) => {
        const result = await runPaymentBatch(
          { db: database.db, actor: actor() },
          { countyCode: county(), programmeId: o.programme, period: o.period },
        );
        if (result.held.length > 0) {
          rt.out(
            rt.t(
              `暂不发放 ${result.held.length} 笔（须先核实）：`,
              `Held, not paid until resolved: ${result.held.length}`,
            ),
          );
          for (const h of result.held) rt.out(`  ${h.entitlementId}\t${h.reason}\t${h.message[rt.lang]}`);
        }
        if (result.batchId === null) {
          rt.out(
            rt.t(
              `没有需要发放的款项（本期已发 ${result.alreadyPaid} 笔，不会重复发放）`,
              `Nothing to pay (${result.alreadyPaid} already paid for this period; nothing is paid twice)`,
            ),
          );
          return;
        }
        const bank = await exportBankCsv(database.db, result.batchId);
        const file = o.out ?? `bank-${o.programme}-${result.period}-${result.batchId}.csv`;
        writeFileSync(file, bank.csv);
        rt.out(
          rt.t(
            `批次 ${result.batchId}：${bank.lineCount} 笔，合计 ${formatYuan(bank.totalFen)} 元`,
            `Batch ${result.batchId}: ${bank.lineCount} payments, total ${formatYuan(bank.totalFen)} yuan`,
          ),
        );
        rt.out(rt.t(`银行文件：${file}`, `Bank file: ${file}`));
      });
    });

  benefits
    .command('spending')
    .description(rt.t('支出：按项目、按乡镇及人均投入', 'Spending by programme and township, and per capita'))
    .requiredOption('--unit <code>', rt.t('单位代码', 'unit code'))
    .requiredOption('--period <period>', rt.t('时期', 'period'))
    .action(async (o: { unit: string; period: string }) => {
      const s = await rt.withDatabase((database) => spendingSummary(database.db, o));
      rt.out(
        rt.t(
          `合计 ${formatYuan(s.totalFen)} 元；人均投入 ${s.perCapitaFen === null ? '-' : formatYuan(s.perCapitaFen)} 元（平均常住人口 ${s.averagePopulation}）`,
          `Total ${formatYuan(s.totalFen)} yuan; per capita ${s.perCapitaFen === null ? '-' : formatYuan(s.perCapitaFen)} yuan (average resident population ${s.averagePopulation})`,
        ),
      );
      for (const p of s.byProgramme) rt.out(`  ${p.programmeId}\t${formatYuan(p.totalFen)}`);
      for (const t of s.byTownship) rt.out(`  ${t.townshipCode}\t${formatYuan(t.totalFen)}`);
    });

  benefits
    .command('disability')
    .description(
      rt.t('登记残疾证（特别扶助所需）', 'Record a disability certificate (for special assistance)'),
    )
    .requiredOption('--person <id>', rt.t('人员编号', 'person id'))
    .requiredOption('--from <date>', rt.t('起始日期', 'valid from'), dateOption('--from'))
    .option('--grade <n>', rt.t('残疾等级 1–4', 'grade 1–4'))
    .option('--certificate <no>', rt.t('残疾证号', 'certificate number'))
    .action(async (o: { person: string; from: string; grade?: string; certificate?: string }) => {
      const personId = wholeNumber(o.person, '--person');
      const row = await rt.withDatabase((database) =>
        recordDisability(
          { db: database.db, actor: actor() },
          {
            personId,
            validFrom: o.from,
            grade: o.grade ? Number(o.grade) : null,
            certificateNo: o.certificate ?? null,
          },
        ),
      );
      rt.out(rt.t(`已登记（记录 ${row.id}）`, `Recorded (fact ${row.id})`));
    });

  const services = program
    .command('services')
    .description(
      rt.t(
        '妇幼及生殖健康服务记录（自愿服务，须本人同意）',
        'Maternal and reproductive health service records (voluntary, with consent)',
      ),
    );
  services
    .command('import')
    .description(
      rt.t(
        '导入服务机构的 CSV/XLSX（逐行报告；同一文件再导入时已有的行不再写入）',
        'Import a provider CSV/XLSX file with a report per row (rows already imported are not written again)',
      ),
    )
    .requiredOption('--file <path>', rt.t('CSV 或 XLSX 文件', 'CSV or XLSX file'), inputFileOption('--file'))
    .option(
      '--source <name>',
      rt.t(
        '来源名称：记录编号在同一来源内唯一，每个服务机构始终用它自己的同一个来源名称',
        'source name: record numbers are unique within a source; one source name per provider, always the same',
      ),
      'import',
    )
    .option('--chunk-size <n>', rt.t('每个事务的行数', 'rows per transaction'), '5000')
    .action(async (o: { file: string; source: string; chunkSize: string }) => {
      const chunkSize = Number(o.chunkSize);
      if (!Number.isInteger(chunkSize) || chunkSize < 1) {
        throw new AppError(
          'invalid_input',
          text(
            `chunk-size 应为正整数：${o.chunkSize}`,
            `chunk-size must be a positive integer: ${o.chunkSize}`,
          ),
          { field: 'chunk-size' },
        );
      }
      let progress: Progress | undefined;
      const started = performance.now();
      const report = await rt.withDatabase((database) =>
        importServicesFile(
          { db: database.db, actor: actor(), countyCode: county() },
          {
            path: o.file,
            source: o.source,
            chunkSize,
            onProgress: (p) => {
              progress ??= createProgress(
                rt.t('导入服务记录（KB）', 'Import services (KB)'),
                Math.ceil(p.bytesTotal / 1024),
              );
              progress.tick(Math.floor(p.bytesRead / 1024));
            },
          },
        ),
      );
      progress?.finish();
      const seconds = (performance.now() - started) / 1000;
      const total = report.ok + report.unchanged + report.rejected;
      const rate = seconds > 0 ? Math.round(total / seconds) : 0;
      rt.out(
        rt.t(
          `成功 ${report.ok}，已有 ${report.unchanged}，拒收 ${report.rejected}；${seconds.toFixed(1)} 秒，${rate} 行/秒`,
          `OK ${report.ok}, unchanged ${report.unchanged}, rejected ${report.rejected}; ${seconds.toFixed(1)} s, ${rate} rows/s`,
        ),
      );
      for (const row of report.rows.filter((r) => r.status === 'rejected')) {
        rt.out(
          `  ${rt.t('第', 'row ')}${row.rowNo}${rt.t(' 行', '')}: ${row.issues.map((i) => `${i.field}: ${i.message[rt.lang]}`).join('; ')}`,
        );
      }
    });
  services
    .command('void')
    .description(
      rt.t(
        '作废一条错误的服务记录（须填原因；记录保留，不再计入任何统计）',
        'Void a mistaken service record, with a reason (the record stays, and no longer counts anywhere)',
      ),
    )
    .argument('<id>', rt.t('服务记录编号', 'service record id'))
    .requiredOption(
      '--reason <text>',
      rt.t(
        '作废原因（如：录错了人、日期有误、并无此次服务）',
        'why (e.g. the wrong person, a wrong date, no such service)',
      ),
    )
    .option('--user <id>', rt.t('记为作废人的操作人', 'who the record names as having voided it'), actor().id)
    .option('--json', rt.t('以 JSON 输出', 'print JSON'))
    .action(async (id: string, o: { reason: string; user: string; json?: boolean }) => {
      const recordId = wholeNumber(id, 'id');
      const voided = await rt.withDatabase(async (database) => {
        const row = await voidService({ db: database.db, actor: { id: o.user } }, recordId, o.reason);
        // The command line acts as the system; a change to health data is still in the audit log,
        // as the same void over HTTP is (services.void).
        await appendAudit(database.db, {
          actor: cliPrincipal().actor,
          action: 'services.void',
          resource: `service:${row.org_code.slice(0, 6)}:${row.id}`,
          unit: row.org_code,
          outcome: 'ok',
          details: { user: o.user, reason: row.void_reason },
        });
        return row;
      });
      if (o.json) return rt.out(JSON.stringify(voided, null, 2));
      rt.out(
        rt.t(
          `已作废服务记录 ${voided.id}（${voided.service_date}），原因：${voided.void_reason}`,
          `Voided service record ${voided.id} (${voided.service_date}); reason: ${voided.void_reason}`,
        ),
      );
    });
}
