/**
 * bench/report: time to generate the county's annual work report (.docx) and statistical tables
 * (.xlsx) for 华亭市 on a synthetic registry, cold (a fresh engine: the cubes of the year, the year
 * before and the comparisons are built first) and warm (cubes cached, as on a running server).
 * Target (issue 8): under 5 s.
 *
 *   DATABASE_URL=postgres://… npx node bench/report.ts [--persons 20000] [--year 2025]
 *
 * The registry is made once in its own database (renkou_bench_<persons>, `renkou synth --into-db`)
 * and reused; the report tables are migrated into it when missing.
 */
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { generateReport, type ReportFormat } from '../src/reports/index.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';
import { ensureBenchRegistry } from './lib/registry.ts';

const args = readBenchArgs({ persons: '20000', year: '2025' });
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  process.stderr.write('bench/report needs DATABASE_URL (a PostgreSQL server)\n');
  process.exit(2);
}
const databaseUrl = await ensureBenchRegistry(serverUrl, Number(args.persons));

async function timeOne(format: ReportFormat, warm: boolean) {
  const database = await openDatabase({ databaseUrl });
  try {
    await migrateToLatest(database);
    if (warm) await generateReport(database, { unit: '620881', period: args.year, format, actor: 'bench' });
    const started = performance.now();
    const report = await generateReport(database, {
      unit: '620881',
      period: args.year,
      format,
      actor: 'bench',
    });
    return { ms: performance.now() - started, bytes: report.bytes.length, figures: report.figureCount };
  } finally {
    await database.close();
  }
}

const rows = [];
for (const format of ['docx', 'xlsx'] as const) {
  for (const warm of [false, true]) {
    const result = await timeOne(format, warm);
    rows.push({ format, warm, ...result });
    process.stdout.write(
      `${format} ${warm ? 'warm' : 'cold'}: ${(result.ms / 1000).toFixed(2)} s, ${result.bytes.toLocaleString('en')} bytes, ${result.figures.toLocaleString('en')} figures\n`,
    );
  }
}
process.stdout.write(
  `${await describeMachine()}; ${new Date().toISOString().slice(0, 10)}; persons ${args.persons}\n`,
);
