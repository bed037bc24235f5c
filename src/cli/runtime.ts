import { type Config, loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, fieldIssue } from '../domain/errors.ts';
import { type Lang, parseLang } from '../domain/i18n.ts';

/** What every CLI command gets: the language, and the config read once on first use. */
export interface CliRuntime {
  lang: Lang;
  /** Picks the zh-CN or English text. */
  t(zh: string, en: string): string;
  config(): Config;
  /** Opens storage, brings it to the latest migration, runs the work and closes it again. */
  withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T>;
  out(line: string): void;
}

/** The language asked for: --lang, then RENKOU_LANG; zh-CN by default. */
export function langFromArgv(argv: string[], env: NodeJS.ProcessEnv): Lang {
  const index = argv.findIndex((arg) => arg === '--lang' || arg.startsWith('--lang='));
  if (index >= 0) {
    const arg = argv[index]!;
    return parseLang(arg.includes('=') ? arg.split('=')[1] : argv[index + 1]);
  }
  return parseLang(env.RENKOU_LANG);
}

export function createRuntime(lang: Lang, env: NodeJS.ProcessEnv = process.env): CliRuntime {
  let config: Config | undefined;
  const runtime: CliRuntime = {
    lang,
    t: (zh, en) => (lang === 'en' ? en : zh),
    config() {
      config ??= loadConfig(env);
      return config;
    },
    async withDatabase(work) {
      const settings = runtime.config();
      const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
      try {
        await migrateToLatest(database);
        return await work(database);
      } finally {
        await database.close();
      }
    },
    out(line) {
      process.stdout.write(`${line}\n`);
    },
  };
  return runtime;
}

/**
 * Commander's parser for a date option (`--date`, `--from`, …): the value must be a calendar day
 * written YYYY-MM-DD in the years 1000-2999, else a field-level error naming the option, before the
 * command opens any storage (a bad date used to reach the database's cast as an "unexpected error").
 */
export function dateOption(flag: string): (value: string) => string {
  return (value) => {
    if (isCalendarDate(value) && /^[12]/.test(value)) return value;
    const field = flag.replace(/^--/, '');
    const issue = fieldIssue(
      'invalid_date',
      field,
      `${flag} 应为有效日期（YYYY-MM-DD）：${value}`,
      `${flag} must be a valid date (YYYY-MM-DD): ${value}`,
    );
    throw new AppError('invalid_input', issue.message, { field, issues: [issue] });
  };
}

/** Prints an error for a person: the message in their language, the field, and the issues. */
export function formatCliError(error: unknown, lang: Lang): string {
  if (error instanceof AppError) {
    const lines = [`${lang === 'en' ? 'Error' : '错误'}: ${error.messageIn(lang)}`];
    if (error.issues.length > 1) {
      for (const issue of error.issues) lines.push(`  - ${issue.field}: ${issue.message[lang]}`);
    }
    return lines.join('\n');
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${lang === 'en' ? 'Unexpected error' : '意外错误'}: ${message}`;
}
