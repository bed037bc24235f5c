import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './domain/errors.ts';
import { type Lang, parseLang, text } from './domain/i18n.ts';

/**
 * Configuration is read and validated once, at start-up, from the environment and an optional
 * JSON file (RENKOU_CONFIG, or ./renkou.config.json if present). The environment wins over the file.
 */
export interface Config {
  /** PostgreSQL server URL; when absent renkou uses embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  lang: Lang;
  defaultCounty: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Persons the first start generates for the demo county (0 = none). */
  demoPersons: number;
  demoSeed: number;
  /**
   * Build the indicator cubes the dashboard opens on (each loaded county's latest year with data
   * and the year before) in the background once the server listens, so the first visit does not
   * pay for them. On by default; RENKOU_WARM_CUBES=0 turns it off.
   */
  warmCubes: boolean;
}

const fileSchema = z
  .object({
    databaseUrl: z.string().optional(),
    dataDir: z.string().optional(),
    host: z.string().optional(),
    port: z.number().int().optional(),
    lang: z.enum(['zh-CN', 'en']).optional(),
    defaultCounty: z.string().optional(),
    logLevel: z.string().optional(),
    demoPersons: z.number().int().optional(),
    demoSeed: z.number().int().optional(),
    warmCubes: z.boolean().optional(),
  })
  .strict();

/** A yes/no setting: a JSON boolean in the file; 1/0, true/false, on/off, yes/no in the environment. */
const SWITCH_WORDS = ['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'] as const;
const switchSchema = z
  .union([z.boolean(), z.enum(SWITCH_WORDS)], { message: `must be one of ${SWITCH_WORDS.join(', ')}` })
  .transform((value) => (typeof value === 'boolean' ? value : ['1', 'true', 'on', 'yes'].includes(value)));

const configSchema = z.object({
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must start with postgres:// or postgresql://' })
    .optional(),
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  lang: z.enum(['zh-CN', 'en']),
  defaultCounty: z.string().regex(/^\d{6}$/, { message: 'must be a 6-digit county code' }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  demoPersons: z.coerce.number().int().min(0).max(5_000_000),
  demoSeed: z.coerce.number().int(),
  warmCubes: switchSchema,
});

/** Env variable (or file key) behind each config field, for error messages. */
const SOURCE_NAMES: Record<keyof Config, string> = {
  databaseUrl: 'DATABASE_URL',
  dataDir: 'RENKOU_DATA_DIR',
  host: 'HOST',
  port: 'PORT',
  lang: 'RENKOU_LANG',
  defaultCounty: 'RENKOU_DEFAULT_COUNTY',
  logLevel: 'LOG_LEVEL',
  demoPersons: 'RENKOU_DEMO_PERSONS',
  demoSeed: 'RENKOU_DEMO_SEED',
  warmCubes: 'RENKOU_WARM_CUBES',
};

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): z.infer<typeof fileSchema> {
  const explicit = blankToUndefined(env.RENKOU_CONFIG);
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, 'renkou.config.json');
  if (!existsSync(path)) {
    if (explicit) {
      throw new AppError(
        'invalid_config',
        text(`找不到配置文件：${path}`, `Config file not found: ${path}`),
        {
          field: 'RENKOU_CONFIG',
        },
      );
    }
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AppError(
      'invalid_config',
      text(`配置文件不是有效的 JSON：${path}`, `Config file is not valid JSON: ${path}`),
      { field: 'RENKOU_CONFIG', cause: error },
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || String((issue as { keys?: string[] }).keys?.[0] ?? '');
    throw new AppError(
      'invalid_config',
      text(
        `配置文件 ${path} 中的 ${key} 有误：${issue.message}`,
        `Config file ${path}: ${key}: ${issue.message}`,
      ),
      { field: key },
    );
  }
  return { ...parsed.data, databaseUrl: parsed.data.databaseUrl };
}

/** Reads and validates the configuration; throws an AppError naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const file = readConfigFile(env, cwd);
  const merged = {
    databaseUrl: blankToUndefined(env.DATABASE_URL) ?? file.databaseUrl,
    dataDir: resolve(cwd, blankToUndefined(env.RENKOU_DATA_DIR) ?? file.dataDir ?? 'data'),
    host: blankToUndefined(env.HOST) ?? file.host ?? '0.0.0.0',
    port: blankToUndefined(env.PORT) ?? file.port ?? 3000,
    lang: blankToUndefined(env.RENKOU_LANG) ? parseLang(env.RENKOU_LANG) : (file.lang ?? 'zh-CN'),
    defaultCounty: blankToUndefined(env.RENKOU_DEFAULT_COUNTY) ?? file.defaultCounty ?? '620881',
    logLevel: blankToUndefined(env.LOG_LEVEL) ?? file.logLevel ?? 'info',
    demoPersons: blankToUndefined(env.RENKOU_DEMO_PERSONS) ?? file.demoPersons ?? 190_000,
    demoSeed: blankToUndefined(env.RENKOU_DEMO_SEED) ?? file.demoSeed ?? 2025,
    warmCubes: blankToUndefined(env.RENKOU_WARM_CUBES)?.trim().toLowerCase() ?? file.warmCubes ?? true,
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as keyof Config;
    const name = SOURCE_NAMES[key] ?? String(key);
    const value = String((merged as Record<string, unknown>)[key]);
    throw new AppError(
      'invalid_config',
      text(
        `配置项 ${name} 的值 "${value}" 无效：${issue.message}`,
        `Setting ${name}="${value}" is invalid: ${issue.message}`,
      ),
      { field: name },
    );
  }
  return { ...parsed.data, databaseUrl: parsed.data.databaseUrl };
}
