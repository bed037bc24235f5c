import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../domain/errors.ts';
import { type Lang, parseLang, text } from '../domain/i18n.ts';
import { schemaError } from './schema-check.ts';

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

/** Schema validation failures become field-level invalid_input errors like any domain error. */
function fromFastify(error: FastifyError): AppError {
  if (error.validation) return schemaError(error.validation, String(error.validationContext ?? ''));
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
