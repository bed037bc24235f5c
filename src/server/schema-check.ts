import { createRequire } from 'node:module';
import { AppError, type FieldIssue } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { rangeIssue } from '../domain/input-values.ts';
import { DATE_TIME_YEARS, DATE_YEARS } from './schemas.ts';

/**
 * How the app's ajv checks a route's schemas (`buildApp` hands these to Fastify): every problem at
 * once, types coerced as Fastify does by default (a query string's "7" is a number, a body's 123
 * for a text field is "123"), unknown fields kept for the schema to refuse, not dropped; each
 * problem with the value and the schema it failed (`verbose`), so a number JSON cannot hold
 * (1e400, read as Infinity) is told its range, not "must be a number".
 */
export const AJV_OPTIONS = {
  allErrors: true,
  coerceTypes: 'array',
  removeAdditional: false,
  verbose: true,
} as const;

/** What ajv (and Fastify's `error.validation`) says about one failed keyword. */
export interface SchemaProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** With `verbose`: the value that failed, and the schema it failed. */
  data?: unknown;
  parentSchema?: unknown;
}

const TYPE_NAMES: Record<string, [zh: string, en: string]> = {
  string: ['文字', 'text'],
  integer: ['整数', 'a whole number'],
  number: ['数字', 'a number'],
  boolean: ['true 或 false', 'true or false'],
  array: ['列表', 'a list'],
  object: ['对象', 'an object'],
  null: ['空值', 'null'],
};
const FORMAT_NAMES: Record<string, [zh: string, en: string]> = {
  date: ['有效日期（YYYY-MM-DD）', 'a valid date (YYYY-MM-DD)'],
  'date-time': [
    '日期时间（如 2025-07-01T08:00:00+08:00）',
    'a date and time (e.g. 2025-07-01T08:00:00+08:00)',
  ],
};

/**
 * What a schema check found, said in both languages for the keywords routes use (ajv's own
 * message is English only, and reads "must match format \"date\""); anything else keeps it.
 */
function schemaMessage(path: string, v: SchemaProblem) {
  const params = v.params;
  switch (v.keyword) {
    case 'required':
      return text(`缺少字段 ${path}`, `Field ${path} is required`);
    case 'additionalProperties':
      return text(`不认识的字段 ${path}`, `Unknown field ${path}`);
    case 'format':
    case 'pattern': {
      const yearsOf: Record<string, string> = { [DATE_YEARS]: 'date', [DATE_TIME_YEARS]: 'date-time' };
      if (v.keyword === 'pattern' && !yearsOf[String(params.pattern)])
        return text(
          `字段 ${path} 的格式不对（应符合 ${String(params.pattern)}）`,
          `Field ${path} is not in the expected form (${String(params.pattern)})`,
        );
      const format = v.keyword === 'pattern' ? yearsOf[String(params.pattern)]! : String(params.format);
      const [zh, en] = FORMAT_NAMES[format] ?? [format, format];
      return text(`字段 ${path} 应为${zh}`, `Field ${path} must be ${en}`);
    }
    case 'type': {
      const types = String(params.type).split(',');
      const zh = types.map((t) => TYPE_NAMES[t]?.[0] ?? t).join('或');
      const en = types.map((t) => TYPE_NAMES[t]?.[1] ?? t).join(' or ');
      return text(`字段 ${path} 应为${zh}`, `Field ${path} must be ${en}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[] | undefined)?.map(String) ?? [];
      return text(
        `字段 ${path} 应为以下之一：${allowed.join('、')}`,
        `Field ${path} must be one of: ${allowed.join(', ')}`,
      );
    }
    case 'minimum':
    case 'maximum': {
      const limit = String(params.limit);
      return v.keyword === 'minimum'
        ? text(`字段 ${path} 不能小于 ${limit}`, `Field ${path} must be at least ${limit}`)
        : text(`字段 ${path} 不能大于 ${limit}`, `Field ${path} must be at most ${limit}`);
    }
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = String(params.limit);
      return v.keyword === 'exclusiveMinimum'
        ? text(`字段 ${path} 应大于 ${limit}`, `Field ${path} must be above ${limit}`)
        : text(`字段 ${path} 应小于 ${limit}`, `Field ${path} must be below ${limit}`);
    }
    case 'minLength':
    case 'maxLength': {
      const limit = String(params.limit);
      return v.keyword === 'minLength'
        ? text(`字段 ${path} 至少要 ${limit} 个字`, `Field ${path} must have at least ${limit} characters`)
        : text(`字段 ${path} 最多 ${limit} 个字`, `Field ${path} must have at most ${limit} characters`);
    }
    case 'minItems':
    case 'maxItems': {
      const limit = String(params.limit);
      return v.keyword === 'minItems'
        ? text(`字段 ${path} 至少要 ${limit} 项`, `Field ${path} must have at least ${limit} items`)
        : text(`字段 ${path} 最多 ${limit} 项`, `Field ${path} must have at most ${limit} items`);
    }
    default:
      return text(`字段 ${path} 不符合要求：${v.message ?? ''}`, `Field ${path}: ${v.message ?? 'invalid'}`);
  }
}

/**
 * ajv's findings as field issues: each named by its path (`child.name`, `items.0.target`) — an
 * unknown or missing property by its own path, not by the object holding it; `root` names the
 * whole input when the problem is with it (Fastify's "body", the CLI's "--data"); `names` renames
 * top-level fields (the CLI's `reason` is its option `--reason`).
 */
export function schemaIssues(
  problems: readonly SchemaProblem[],
  root: string,
  names: Record<string, string> = {},
): FieldIssue[] {
  return problems.map((v) => {
    const at = (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.');
    const own = v.params.additionalProperty ?? v.params.missingProperty;
    const found = (own !== undefined ? [at, String(own)].filter(Boolean).join('.') : at) || root;
    const [head = '', ...rest] = found.split('.');
    const path = Object.hasOwn(names, head) ? [names[head], ...rest].join('.') : found;
    if (v.keyword === 'type' && typeof v.data === 'number' && !Number.isFinite(v.data))
      return rangeIssue(path, v.data, v.parentSchema);
    return { code: `schema_${v.keyword}`, field: path, message: schemaMessage(path, v) };
  });
}

/** A failed schema check as the one invalid_input error: the first issue's message, every issue listed. */
export function schemaError(
  problems: readonly SchemaProblem[],
  root: string,
  names?: Record<string, string>,
): AppError {
  const issues = schemaIssues(problems, root, names);
  return new AppError('invalid_input', issues[0]?.message ?? text('输入无效', 'Invalid input'), {
    field: issues[0]?.field,
    issues,
  });
}

type Validate = ((data: unknown) => boolean) & { errors?: SchemaProblem[] | null };
let compiler:
  | ((route: { schema: unknown; method: string; url: string; httpPart: string }) => Validate)
  | undefined;
const compiled = new WeakMap<object, Validate>();

/**
 * Checks input typed outside HTTP (the CLI's --data) against a route's own JSON schema, with the
 * compiler and options Fastify uses for the route — so the CLI refuses what the API refuses, with
 * the same field-level message, and gets the same coerced values (a whole number typed as "7" is
 * 7). Changes `value` in place as the route's check would; throws the error the route answers
 * (with `names`: see schemaIssues).
 */
export function checkSchema(
  schema: object,
  value: unknown,
  root: string,
  names?: Record<string, string>,
): void {
  // Loaded on first use: most commands never check a schema, and ajv takes a while to load.
  if (!compiler) {
    const AjvCompiler = createRequire(import.meta.url)(
      '@fastify/ajv-compiler',
    ) as typeof import('@fastify/ajv-compiler');
    compiler = AjvCompiler()({}, { customOptions: { ...AJV_OPTIONS } }) as unknown as typeof compiler;
  }
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compiler!({ schema, method: 'CLI', url: root, httpPart: 'body' });
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw schemaError(validate.errors ?? [], root, names);
}
