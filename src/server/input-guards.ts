import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Body fields that carry a whole file's text (the services import's `csv`): a NUL in them is
     * the import's to report on the row it is in, not a reason to refuse the file.
     */
    fileFields?: string[];
  }
}

const NUL = '\u0000';
const LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * What no schema keyword catches, for every route: checked after the route's schema (and so after
 * the access checks) and before its handler, so such a request is a field-level 400 and never a
 * database error.
 *
 * - A NUL character (U+0000) in any string of the query, the path or a JSON body. PostgreSQL text
 *   and jsonb cannot hold it: the first query that carries it fails — a search filter as much as a
 *   name being stored.
 * - A number that is not finite or beyond ±(2^53 − 1). ajv's type coercion turns "1e309" into
 *   Infinity and lets it past `integer`, `minimum` and `maximum`; 1e20 passes `integer`; neither
 *   survives a bigint cast, and no id, count or version is that large.
 */
export function installInputGuards(app: FastifyInstance) {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const issues: FieldIssue[] = [];
    const skip = new Set(request.routeOptions.config?.fileFields ?? []);
    walk(request.query, '', issues, new Set());
    walk(request.params, '', issues, new Set());
    // A JSON body; an upload (a stream, bytes or text) is the file's reader's to check.
    if (Array.isArray(request.body) || isPlainObject(request.body)) walk(request.body, '', issues, skip);
    if (issues.length > 0) throw invalidInput(issues);
  });
}

const nulIssue = (field: string) =>
  fieldIssue(
    'nul_character',
    field,
    `字段 ${field} 含有空字符（U+0000），请删去后重试`,
    `Field ${field} contains a NUL character (U+0000); remove it and try again`,
  );

/**
 * An object as JSON.parse or the query-string parser makes it (the latter's has a prototype of
 * its own with none above it) — not a stream, a Buffer or a Date.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

function walk(value: unknown, path: string, issues: FieldIssue[], skip: Set<string>) {
  if (issues.length >= 20 || skip.has(path)) return;
  const field = path || 'body';
  if (typeof value === 'string') {
    if (value.includes(NUL)) issues.push(nulIssue(field));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > LIMIT)
      issues.push(
        fieldIssue(
          'out_of_range',
          field,
          `字段 ${field} 的数值超出范围（绝对值不能大于 ${LIMIT}）`,
          `Field ${field} is out of range (at most ${LIMIT} either way)`,
        ),
      );
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, path ? `${path}.${i}` : String(i), issues, skip);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      // A key is a field's name: shown with the NUL replaced, the way the audit log keeps it.
      if (key.includes(NUL)) issues.push(nulIssue(at.replaceAll(NUL, '\uFFFD')));
      else walk(item, at, issues, skip);
    }
  }
}
