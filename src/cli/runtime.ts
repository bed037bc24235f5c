import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Config, loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { isRegistryDate } from '../domain/dates.ts';
import { AppError, fieldIssue } from '../domain/errors.ts';
import { type Lang, parseLang, text } from '../domain/i18n.ts';
import { checkInputValues, isPlainObject } from '../domain/input-values.ts';
import { checkSchema } from '../server/schema-check.ts';

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
    if (isRegistryDate(value)) return value;
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

/**
 * A whole number typed on the command line — an id, a count, a row, a version: digits only, from
 * `min` (1 unless told) to `max` (2^53 − 1 unless told), else a field-level error naming it.
 * `Number()` takes "abc" (NaN), "1.5", "1e20" and "Infinity", which used to reach the database's
 * cast as an "unexpected error".
 */
export function wholeNumber(value: string, name: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? 1;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (n >= min && n <= max) return n;
  const field = name.replace(/^--/, '');
  const issue =
    max === Number.MAX_SAFE_INTEGER
      ? min === 1
        ? fieldIssue(
            'invalid_number',
            field,
            `${name} 应为正整数：${value}`,
            `${name} must be a positive whole number: ${value}`,
          )
        : fieldIssue(
            'invalid_number',
            field,
            `${name} 应为不小于 ${min} 的整数：${value}`,
            `${name} must be a whole number of at least ${min}: ${value}`,
          )
      : fieldIssue(
          'invalid_number',
          field,
          `${name} 应为 ${min} 到 ${max} 之间的整数：${value}`,
          `${name} must be a whole number from ${min} to ${max}: ${value}`,
        );
  throw new AppError('invalid_input', issue.message, { field, issues: [issue] });
}

/** Commander's parser for a whole-number option (`--limit`, `--batch` …): see wholeNumber. */
export function wholeNumberOption(
  flag: string,
  range: { min?: number; max?: number } = {},
): (value: string) => number {
  return (value) => wholeNumber(value, flag, range);
}

/**
 * Commander's parser for a file a command reads (--file, an import's <file>): it must be a file
 * that can be read, else an error naming the option before any storage is opened — not an
 * "unexpected error" with ENOENT from deep in the import.
 */
export function inputFileOption(flag: string): (value: string) => string {
  return (value) => {
    let file = false;
    try {
      accessSync(value, constants.R_OK);
      file = statSync(value).isFile();
    } catch {
      // not there, or not readable: said below
    }
    if (file) return value;
    throw new AppError(
      'invalid_input',
      text(
        `${flag}：找不到文件或无法读取：${value}`,
        `${flag}: no such file, or it cannot be read: ${value}`,
      ),
      { field: flag.replace(/^--|[<>]/g, '') },
    );
  };
}

/**
 * Commander's parser for a file a command writes (--out, --report): its folder must exist and be
 * writable and the path must not be a folder — checked before the work, which may be long (a
 * report, an export), and before any storage is opened.
 */
export function outputFileOption(flag: string): (value: string) => string {
  return (value) => {
    let folder = false;
    let writable = false;
    try {
      folder = statSync(value).isDirectory();
    } catch {
      // a new file: its folder is checked below
    }
    try {
      accessSync(dirname(resolve(value)), constants.W_OK);
      writable = true;
    } catch {
      // said below
    }
    if (!folder && writable) return value;
    throw new AppError(
      'invalid_input',
      folder
        ? text(`${flag} 应为文件，不是文件夹：${value}`, `${flag} must be a file, not a folder: ${value}`)
        : text(
            `${flag}：无法写入 ${value}（文件夹不存在或没有写权限）`,
            `${flag}: cannot write ${value} (its folder does not exist or is not writable)`,
          ),
      { field: flag.replace(/^--/, '') },
    );
  };
}

/** A file named on the command line, as UTF-8 text: one that cannot be read is an error naming the option. */
export function readInputFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AppError(
      'invalid_input',
      text(`${flag}：无法读取文件 ${path}（${reason}）`, `${flag}: cannot read the file ${path} (${reason})`),
      { field: flag.replace(/^--/, '') },
    );
  }
}

/**
 * JSON typed (--data) or read from a file on the command line: JSON that does not parse, and what
 * the HTTP API refuses in any input (src/domain/input-values.ts: a NUL, a number past 2^53), are
 * errors naming the option, not an "unexpected error" from JSON.parse or the database. `schema`:
 * the HTTP route's own body schema, checked as the route checks it (src/server/schema-check.ts) —
 * the same field-level refusals and messages, and the same coerced values; `names` says which
 * top-level fields are typed as options of their own (`reason` → `--reason`), so a message names
 * the option.
 */
export function parseJsonInput(
  raw: string,
  flag: string,
  schema?: object,
  names?: Record<string, string>,
): unknown {
  let input: unknown;
  try {
    input = JSON.parse(raw.replace(/^\ufeff/, ''));
  } catch {
    throw new AppError('invalid_input', text('输入不是有效的 JSON', 'The input is not valid JSON'), {
      field: flag.replace(/^--/, ''),
    });
  }
  if (schema) checkSchema(schema, input, flag, names);
  checkInputValues(input, schema);
  return input;
}

/** JSON input that must be an object ({…}), as a command's --data is: see parseJsonInput. */
export function parseJsonObject(
  raw: string,
  flag: string,
  schema?: object,
  names?: Record<string, string>,
): Record<string, unknown> {
  const input = parseJsonInput(raw, flag);
  if (!isPlainObject(input))
    throw new AppError(
      'invalid_input',
      text(`${flag} 的 JSON 应为一个对象（{…}）`, `The JSON of ${flag} must be an object ({…})`),
      { field: flag.replace(/^--/, '') },
    );
  if (schema) {
    checkSchema(schema, input, flag, names);
    checkInputValues(input, schema);
  }
  return input;
}

/** The largest value of a PostgreSQL integer column (a row number, a version). */
export const INT32_MAX = 2_147_483_647;

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
