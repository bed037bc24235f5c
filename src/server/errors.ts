import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { AppError, type ErrorCode } from '../domain/errors.ts';
import { type Lang, parseLang, text } from '../domain/i18n.ts';
import { DATE_TIME_YEARS, DATE_YEARS } from './schemas.ts';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_org_code: 400,
  invalid_config: 500,
  not_found: 404,
  unknown_org_unit: 404,
  conflict: 409,
  duplicate: 409,
  forbidden: 403,
  unauthenticated: 401,
  rate_limited: 429,
  storage_locked: 503,
  storage_unavailable: 503,
  port_in_use: 500,
  internal: 500,
};

/** The language a request asked for: ?lang= first, then Accept-Language; zh-CN by default. */
export function requestLang(request: FastifyRequest): Lang {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = typeof query?.lang === 'string' ? query.lang : undefined;
  return parseLang(fromQuery ?? request.headers['accept-language']);
}

/** The body every error response has: a stable code, the field, the message in the asked language and both. */
export function errorBody(error: AppError, lang: Lang) {
  return {
    error: {
      code: error.code,
      field: error.field ?? null,
      message: error.messageIn(lang),
      messages: error.text,
      issues: error.issues.map((issue) => ({
        code: issue.code,
        field: issue.field,
        message: issue.message[lang],
        messages: issue.message,
      })),
      ...(error.details ? { details: error.details } : {}),
    },
  };
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
function schemaMessage(path: string, v: FastifySchemaValidationError) {
  const params = v.params as Record<string, unknown>;
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
    case 'minLength':
    case 'maxLength': {
      const limit = String(params.limit);
      return v.keyword === 'minLength'
        ? text(`字段 ${path} 至少要 ${limit} 个字`, `Field ${path} must have at least ${limit} characters`)
        : text(`字段 ${path} 最多 ${limit} 个字`, `Field ${path} must have at most ${limit} characters`);
    }
    default:
      return text(`字段 ${path} 不符合要求：${v.message ?? ''}`, `Field ${path}: ${v.message ?? 'invalid'}`);
  }
}

/** Schema validation failures become field-level invalid_input errors like any domain error. */
function fromFastify(error: FastifyError): AppError {
  if (error.validation) {
    const issues = error.validation.map((v) => {
      const params = v.params as { missingProperty?: string; additionalProperty?: string };
      const at = (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.');
      // An unknown property is named by its own path, not by the object holding it.
      const unknown = params.additionalProperty;
      const path =
        (unknown !== undefined ? [at, unknown].filter(Boolean).join('.') : at) ||
        String(params.missingProperty ?? error.validationContext ?? '');
      return { code: `schema_${v.keyword}`, field: path, message: schemaMessage(path, v) };
    });
    return new AppError('invalid_input', issues[0]?.message ?? text('输入无效', 'Invalid input'), {
      field: issues[0]?.field,
      issues,
    });
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError('invalid_input', text('请求内容过大', 'Request body too large'));
  if (status === 415)
    return new AppError('invalid_input', text('不支持的内容类型', 'Unsupported content type'));
  if (status >= 400 && status < 500)
    return new AppError('invalid_input', text(`请求无效：${error.message}`, error.message));
  return new AppError('internal', text('服务器内部错误', 'Internal server error'), { cause: error });
}

/** Fastify error handler: AppErrors map to their status; anything else is logged and becomes a 500. */
export function handleError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  const appError = error instanceof AppError ? error : fromFastify(error);
  const status =
    error instanceof AppError ? STATUS[appError.code] : (error.statusCode ?? STATUS[appError.code]);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const finalStatus = status >= 400 ? status : 500;
  return reply.status(finalStatus).send(errorBody(appError, requestLang(request)));
}
