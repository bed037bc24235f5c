import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { appendAudit } from '../access/audit-log.ts';
import { canOn, hasRight, type Principal, unitsWithRight } from '../access/principal.ts';
import type { Right } from '../access/roles.ts';
import { suppressSmallCells } from '../access/small-cells.ts';
import { resolveApiToken, resolveSession } from '../access/users.ts';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { maskResidentId } from '../domain/resident-id.ts';

/**
 * Authorisation, in one place. Every route declares in its config what it needs:
 *
 *   config: { access: { right: 'registry.read', unit: personUnit('id'), audit: 'person.read' } }
 *
 * - `right`: the right the caller must hold ('public' for no sign-in, 'signed-in' for any user);
 * - `unit`: where the unit the request acts on comes from; the right must cover that unit;
 * - `audit`: personal data — every call is written to the audit log under this action.
 *
 * A route without `access` is refused to everyone (and the authorisation-matrix test fails), so a
 * new route cannot be forgotten. Both checks come before input validation: without the right, or
 * for a unit outside one's own, there is no answer at all — not even whether the input was valid.
 */
export interface RouteAccess {
  right: Right | 'public' | 'signed-in';
  unit?: UnitResolver;
  audit?: string;
}

/** Finds the unit a request acts on; undefined when the request names none. */
export type UnitResolver = {
  describe: string;
  /** What kind of lookup, so the authorisation-matrix test can build requests for it. */
  kind?:
    | { from: 'query' | 'body' | 'params'; key: string }
    | { person: 'params' | 'body'; key: string }
    | { event: string }
    | { serviceRecord: string }
    | { importBatch: string };
  resolve(request: FastifyRequest, database: Database): Promise<string | undefined>;
  /** Where to put the caller's own unit when the request names none (e.g. search without ?unit=). */
  defaultInto?: { from: 'query' | 'body'; key: string };
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The unit the route acts on, once checked. */
    accessUnit?: string;
    csrfToken?: string;
  }
}

export const SESSION_COOKIE = 'renkou_session';

function field(request: FastifyRequest, from: 'query' | 'params' | 'body', key: string): unknown {
  const source = request[from] as Record<string, unknown> | undefined;
  return source?.[key];
}

/** The unit is a query-string, body or path field, e.g. ?unit=620881100. */
export function unitFrom(from: 'query' | 'body' | 'params', key: string): UnitResolver {
  return {
    describe: `${from}.${key}`,
    kind: { from, key },
    ...(from === 'params' ? {} : { defaultInto: { from, key } }),
    resolve: async (request) => {
      const value = field(request, from, key);
      return typeof value === 'string' && value ? value : undefined;
    },
  };
}

/** The unit of the person named by a path parameter: where they live now. */
export function personUnit(param = 'id'): UnitResolver {
  return {
    describe: `person(params.${param})`,
    kind: { person: 'params', key: param },
    resolve: async (request, database) => {
      const id = Number(field(request, 'params', param));
      if (!Number.isSafeInteger(id)) return undefined;
      const row = await database.db
        .selectFrom('person')
        .select(['current_org_code', 'county_code'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new AppError('not_found', text(`没有这个人：${id}`, `No such person: ${id}`), { field: param });
      return row.current_org_code ?? row.county_code;
    },
  };
}

/** The unit of the person named by a body field (the mother of a birth, the person who died). */
export function bodyPersonUnit(key: string): UnitResolver {
  const byParam = personUnit(key);
  return {
    describe: `person(body.${key})`,
    kind: { person: 'body', key },
    resolve: (request, database) =>
      byParam.resolve(
        { params: { [key]: field(request, 'body', key) } } as unknown as FastifyRequest,
        database,
      ),
  };
}

/** The village a vital event counts in. */
export function eventUnit(param = 'id'): UnitResolver {
  return {
    describe: `event(params.${param})`,
    kind: { event: param },
    resolve: async (request, database) => {
      const id = Number(field(request, 'params', param));
      const row = await database.db
        .selectFrom('vital_event')
        .select('org_code')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new AppError('not_found', text(`没有这个事件：${id}`, `No such event: ${id}`), {
          field: param,
        });
      return row.org_code;
    },
  };
}

/**
 * The unit of a service record, for acting on it (voiding it, with `right`): the village it
 * counts in (its org_code — the person's village on the service date, by which GET /api/services
 * lists it) or the unit where its person lives now (where POST /api/services enters a service for
 * them: personUnit), whichever the caller holds the right for. So whoever sees the record in their
 * unit's list, or could enter it for that person today, may correct it — a township health centre
 * only for records of its township or of its residents. Neither: the record's village, which the
 * access check refuses (403), as it refuses an event outside one's units; a record that is not
 * there is a 404 on the path parameter.
 */
export function serviceRecordUnit(right: Right, param = 'id'): UnitResolver {
  return {
    describe: `service(params.${param})`,
    kind: { serviceRecord: param },
    resolve: async (request, database) => {
      const id = Number(field(request, 'params', param));
      const row = await database.db
        .selectFrom('service_record as s')
        .innerJoin('person as p', (join) =>
          join.onRef('p.county_code', '=', 's.county_code').onRef('p.id', '=', 's.person_id'),
        )
        .select(['s.org_code', 's.county_code', 'p.current_org_code'])
        .where('s.id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new AppError('not_found', text(`没有服务记录 ${id}`, `No service record ${id}`), {
          field: param,
        });
      const principal = request.principal;
      if (!principal || canOn(principal, right, row.org_code)) return row.org_code;
      const lives = row.current_org_code ?? row.county_code;
      return canOn(principal, right, lives) ? lives : row.org_code;
    },
  };
}

/**
 * The unit an import batch was for: a township's user reads and works the quarantine of their own
 * imports, a county's user every import in the county. Batches record their unit in the header;
 * older ones are the county's.
 */
export function importUnit(param = 'id'): UnitResolver {
  return {
    describe: `import(params.${param})`,
    kind: { importBatch: param },
    resolve: async (request, database) => {
      const id = Number(field(request, 'params', param));
      const row = await database.db
        .selectFrom('import_batch')
        .select('unit_code')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row)
        throw new AppError('not_found', text(`没有编号为 ${id} 的导入批次`, `No import batch ${id}`), {
          field: 'batchId',
        });
      return row.unit_code;
    },
  };
}

/**
 * The unit an import acts for: `?unit=` (a county, township or village), or `?county=` as before;
 * the caller's own unit when they name none and hold the right for one unit only.
 */
export function importTarget(): UnitResolver {
  return {
    describe: 'query.unit',
    kind: { from: 'query', key: 'unit' },
    defaultInto: { from: 'query', key: 'unit' },
    resolve: async (request) => {
      const query = request.query as { unit?: unknown; county?: unknown } | undefined;
      for (const value of [query?.unit, query?.county]) if (typeof value === 'string' && value) return value;
      return undefined;
    },
  };
}

/**
 * Who may list the records behind a figure: the access rule of GET /api/indicators/:id/records
 * (records.read for the unit asked for), and what every link to such a list is given by
 * (mayListRecords) — one rule, so the API never links to a list it then refuses.
 */
export const RECORD_LIST_ACCESS = {
  right: 'records.read',
  unit: unitFrom('query', 'unit'),
  audit: 'person.list',
} as const satisfies RouteAccess;

/** Whether a caller passes RECORD_LIST_ACCESS for a unit: the drill-down route's own check. */
export function mayListRecords(principal: Principal | undefined, unit: string): boolean {
  return principal !== undefined && canOn(principal, RECORD_LIST_ACCESS.right, unit);
}

/** Whether a caller passes RECORD_LIST_ACCESS for some unit (the catalogue's question: any list at all). */
export function mayListAnyRecords(principal: Principal | undefined): boolean {
  return principal !== undefined && hasRight(principal, RECORD_LIST_ACCESS.right);
}

/** A unit found by the route's own lookup (a batch's county, an event's village). */
export function unitBy(describe: string, resolve: UnitResolver['resolve']): UnitResolver {
  return { describe, resolve };
}

/** A cookie's value from the request's Cookie header. */
export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Set-Cookie for the session: httpOnly, SameSite=Strict, Secure when the request came over TLS. */
export function sessionCookie(request: FastifyRequest, token: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PASSWORD_CHANGE_ALLOWED = new Set(['/api/auth/me', '/api/auth/password', '/api/auth/logout']);

function deny(
  code: 'forbidden' | 'unauthenticated',
  zh: string,
  en: string,
  details?: Record<string, unknown>,
) {
  return new AppError(code, text(zh, en), details ? { details } : {});
}

/** Keys whose values are identifiers to mask for callers without identifiers.read. */
const IDENTIFIER_KEY = /(^|_)id_?number$|IdNumber$|^idNumber$|(^|_)phone$|Phone$/;

function maskPhone(value: string): string {
  return value.length > 4 ? `${'*'.repeat(value.length - 4)}${value.slice(-4)}` : '****';
}

/** Masks ID and phone numbers anywhere in a JSON payload (a copy; the original is not touched). */
export function maskIdentifiers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskIdentifiers);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && IDENTIFIER_KEY.test(key))
      out[key] = /phone/i.test(key) ? maskPhone(v) : maskResidentId(v);
    else out[key] = maskIdentifiers(v);
  }
  return out;
}

/**
 * Path parameters checked against the route's schema before a handler or a unit lookup takes them
 * to the database: an id that is not a number, or one beyond a safe integer (which the schema's
 * `integer` lets through as 1e20), is a 400, not a database error.
 */
function checkPathParams(request: FastifyRequest) {
  const validate = request.getValidationFunction('params');
  if (!validate) return;
  const valid = validate(request.params);
  const unsafe = Object.entries((request.params ?? {}) as Record<string, unknown>).find(
    ([, v]) => typeof v === 'number' && !Number.isSafeInteger(v),
  );
  if (valid && !unsafe) return;
  const path = unsafe?.[0] ?? ((validate.errors?.[0]?.instancePath ?? '').replace(/^\//, '') || 'params');
  throw new AppError(
    'invalid_input',
    text(`路径参数 ${path} 不符合要求`, `Path parameter ${path} is invalid`),
    {
      field: path,
    },
  );
}

function routeAccess(request: FastifyRequest): RouteAccess | undefined {
  return (request.routeOptions.config as { access?: RouteAccess } | undefined)?.access;
}

/**
 * Installs authentication (session cookie or bearer token), CSRF protection, the right and unit
 * checks, identifier masking, small-cell suppression and the audit log on an app.
 */
export function installAccessControl(app: FastifyInstance, database: Database) {
  const db = database.db;

  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Routes Fastify itself answers (404, /docs static files) have no access config.
    if (!request.routeOptions.url) return;
    const access = routeAccess(request);
    if (!access) {
      if (request.routeOptions.url.startsWith('/docs')) return;
      throw deny(
        'forbidden',
        '这个地址没有权限规则，任何人都不能访问',
        'This route has no access rule; nobody may use it',
      );
    }
    const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) {
      request.principal = await resolveApiToken(db, bearer);
      if (!request.principal)
        throw deny('unauthenticated', '令牌无效或已过期', 'The token is invalid or expired');
    } else {
      const cookie = cookieValue(request, SESSION_COOKIE);
      if (cookie) {
        const session = await resolveSession(db, cookie);
        if (session) {
          request.principal = session.principal;
          request.csrfToken = session.csrfToken;
        }
      }
    }
    if (access.right === 'public') return;
    const principal = request.principal;
    if (!principal) throw deny('unauthenticated', '请先登录', 'Please sign in first');
    // A cookie is sent by the browser on its own; a forged cross-site form cannot know this header.
    if (
      request.csrfToken &&
      UNSAFE.has(request.method) &&
      request.headers['x-csrf-token'] !== request.csrfToken
    )
      throw deny(
        'forbidden',
        '请求缺少有效的防伪令牌（CSRF），请刷新页面后重试',
        'Missing or wrong CSRF token; reload the page and try again',
        {
          reason: 'csrf',
        },
      );
    if (principal.mustChangePassword && !PASSWORD_CHANGE_ALLOWED.has(request.routeOptions.url))
      throw deny('forbidden', '请先修改密码', 'Please change your password first', {
        reason: 'password_change_required',
      });
    if (access.right === 'signed-in') return;
    if (!hasRight(principal, access.right)) {
      await auditDenied(request, access.right);
      throw deny('forbidden', '您没有这项操作的权限', 'You do not have the right to do this', {
        right: access.right,
      });
    }
  });

  // Before validation: a request for a unit outside the caller's is refused whatever else is in
  // it (and the caller's own unit is filled in before validation sees the request).
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const access = routeAccess(request);
    const principal = request.principal;
    if (!access || !principal || access.right === 'public' || access.right === 'signed-in') return;
    const right = access.right;
    // A unit found by a lookup (a person's, an event's, a batch's) would take a malformed id to
    // the database and fail there: such a request gets its 400 first (it reveals no unit).
    const lookup = access.unit && !(access.unit.kind && 'from' in access.unit.kind);
    if (!access.unit || lookup) checkPathParams(request);
    if (!access.unit) return;
    let unit = await access.unit.resolve(request, database);
    if (unit === undefined) {
      if (principal.kind === 'system') return;
      const own = unitsWithRight(principal, right);
      const into = access.unit.defaultInto;
      if (own.length !== 1 || !into) {
        throw new AppError(
          'invalid_input',
          text(
            '请指定单位（您有多个单位的权限）',
            'Name the unit: you hold this right for more than one unit',
          ),
          { field: access.unit.describe },
        );
      }
      unit = own[0]!;
      const target = request[into.from];
      // A body that is not a JSON object (a string, null, an array) has nowhere to put the unit.
      if (typeof target !== 'object' || target === null || Array.isArray(target))
        throw new AppError(
          'invalid_input',
          text('请求内容必须是 JSON 对象', 'The request body must be a JSON object'),
          { field: into.from },
        );
      (target as Record<string, unknown>)[into.key] = unit;
    }
    if (!canOn(principal, right, unit)) {
      await auditDenied(request, right, unit);
      throw deny(
        'forbidden',
        `您没有单位 ${unit} 的这项权限`,
        `You do not have this right for unit ${unit}`,
        {
          right,
          unit,
        },
      );
    }
    request.accessUnit = unit;
    checkPathParams(request);
  });

  app.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
    const principal = request.principal;
    const access = routeAccess(request);
    if (!principal || !access || access.right === 'public') return payload;
    let out = payload;
    if (!hasRight(principal, 'identifiers.read')) out = maskIdentifiers(out);
    if (access.right === 'aggregates.read' && !hasRight(principal, 'records.read'))
      out = suppressSmallCells(out);
    return out;
  });

  // Before the answer leaves, not after: a read of personal data that could not be recorded is
  // not answered (the append failing is a 500), and the entry exists when the caller has the data.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const access = routeAccess(request);
    if (!access?.audit || !request.principal) return payload;
    const status = reply.statusCode;
    if (status === 401 || status === 403) return payload; // already recorded as denied
    await appendAudit(db, {
      actor: request.principal.actor,
      action: access.audit,
      resource: `${request.method} ${request.url.split('?')[0]}`,
      unit: request.accessUnit ?? null,
      outcome: status < 400 ? 'ok' : 'failed',
      ip: request.ip,
      details: { route: request.routeOptions.url, status, query: request.query ?? {} },
    });
    return payload;
  });

  async function auditDenied(request: FastifyRequest, right: Right, unit?: string) {
    if (!request.principal) return;
    await appendAudit(db, {
      actor: request.principal.actor,
      action: 'authz.denied',
      resource: `${request.method} ${request.url.split('?')[0]}`,
      unit: unit ?? null,
      outcome: 'denied',
      ip: request.ip,
      details: { route: request.routeOptions.url, right },
    });
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access?: RouteAccess;
}

/** Records every route registered after it, with its access rule, for the matrix test and the docs. */
export function collectRoutes(app: FastifyInstance): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      routes.push({
        method,
        url: route.url,
        access: (route.config as { access?: RouteAccess } | undefined)?.access,
      });
  });
  return routes;
}

/** Who the histories and the audit log record for a request: the signed-in user or token. */
export function actorOf(request: FastifyRequest): string {
  return request.principal?.actor ?? 'anonymous';
}
