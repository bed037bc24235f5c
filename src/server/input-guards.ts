import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../domain/errors.ts';
import { inputValueIssues, isPlainObject } from '../domain/input-values.ts';

/**
 * What no schema keyword catches, for every route (src/domain/input-values.ts): a NUL in any string
 * of the query, the path or a JSON body, and a number that is not finite or beyond ±(2^53 − 1) —
 * ajv's type coercion turns "1e309" into Infinity and lets it past `integer`, `minimum` and
 * `maximum`, and 1e20 passes `integer`. Checked after the route's schema (and so after the access
 * checks) and before its handler: a field-level 400 naming the field's range where its schema has
 * one, never a database error.
 */
export function installInputGuards(app: FastifyInstance) {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    // Each part with its schema, so a number out of range is told the field's own range.
    const schema = (request.routeOptions.schema ?? {}) as {
      querystring?: unknown;
      params?: unknown;
      body?: unknown;
    };
    const issues = [
      ...inputValueIssues(request.query, schema.querystring),
      ...inputValueIssues(request.params, schema.params),
    ];
    // A JSON body; an upload (a stream, bytes or text) is the file's reader's to check.
    if (Array.isArray(request.body) || isPlainObject(request.body))
      issues.push(...inputValueIssues(request.body, schema.body));
    if (issues.length > 0) throw invalidInput(issues);
  });
}
