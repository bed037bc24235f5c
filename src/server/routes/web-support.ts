import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import type { OrgTreeUnit } from '../../org/org-units.ts';
import { getHouseholdDetail } from '../../registry/queries/get-household.ts';
import { serviceKindChoices } from '../../services/service-kinds.ts';
import { unitBy } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { itemsResponse } from './list-response.ts';
import { orgUnitSchema } from './org-units.ts';

/** The unit a household belongs to (its village), for the access check. */
const householdUnit = unitBy('household(params.id)', async (request, database) => {
  const id = Number((request.params as { id?: unknown }).id);
  if (!Number.isSafeInteger(id)) return undefined;
  const row = await database.db
    .selectFrom('household')
    .select('org_code')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not_found', text(`没有这个户：${id}`, `No such household: ${id}`), { field: 'id' });
  return row.org_code;
});

/**
 * Small read-only routes the web app's pages need and no area route offers yet. Each has a schema
 * and an access rule like every other route.
 */
export function registerWebSupportRoutes(app: FastifyInstance, context: AppContext) {
  const db = context.database.db;

  app.get(
    '/api/org-tree',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags: ['org-units'],
        summary:
          '已加载各县的乡镇、村（社区）（一次取回，供单位选择器使用）/ Every loaded county with its townships and villages in one answer (for the unit picker)',
        response: {
          200: itemsResponse(orgUnitSchema),
        },
      },
    },
    async (): Promise<{ items: OrgTreeUnit[] }> => {
      // Counties, then their townships and villages (codes below a county start with its code).
      const counties = await db.selectFrom('org_unit').select('code').where('level', '=', 'county').execute();
      if (counties.length === 0) return { items: [] };
      const rows = await db
        .selectFrom('org_unit')
        .select(['code', 'name', 'level', 'parent_code'])
        .where((eb) =>
          eb.or([
            eb('level', '=', 'county'),
            eb.and([
              eb('level', 'in', ['township', 'village']),
              eb(
                'county_code',
                'in',
                counties.map((c) => c.code),
              ),
            ]),
          ]),
        )
        .orderBy('code')
        .execute();
      return {
        items: rows.map((row) => ({
          code: row.code,
          name: row.name,
          level: row.level,
          parentCode: row.parent_code,
        })),
      };
    },
  );

  app.get(
    '/api/routes',
    {
      // Which routes exist reveals nothing /docs does not already show.
      config: { access: { right: 'public' } },
      schema: {
        tags: ['web'],
        summary:
          '哪些 GET 接口存在（网页应用据此显示菜单）/ Which GET routes exist (the web app shows its menus by them)',
        querystring: {
          type: 'object',
          properties: {
            paths: {
              type: 'string',
              maxLength: 4000,
              description: 'comma-separated paths, e.g. /api/tasks,/api/imports',
            },
          },
          required: ['paths'],
        },
        response: {
          200: {
            type: 'object',
            properties: { exists: { type: 'object', additionalProperties: { type: 'boolean' } } },
          },
        },
      },
    },
    (request) => {
      const paths = (request.query as { paths: string }).paths.split(',').filter(Boolean).slice(0, 100);
      return {
        exists: Object.fromEntries(
          paths.map((path) => [path, path.startsWith('/api/') && app.hasRoute({ method: 'GET', url: path })]),
        ),
      };
    },
  );

  app.get(
    '/api/households/:id',
    {
      config: { access: { right: 'registry.read', unit: householdUnit, audit: 'household.read' } },
      schema: {
        tags: ['registry'],
        summary:
          '户：成员、成员间关系、地址、居住历史 / A household: members, their relations, address, residence history',
        params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
      },
    },
    (request) => getHouseholdDetail(db, (request.params as { id: number }).id),
  );

  app.get(
    '/api/services/kinds',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags: ['services'],
        summary:
          '可记录的服务种类及其结果代码（供表单使用）/ The service kinds that can be recorded and their outcome codes (for forms)',
        response: {
          200: itemsResponse({
            type: 'object',
            properties: {
              kind: { type: 'string' },
              name: { type: 'string' },
              outcomes: { type: 'object', additionalProperties: { type: 'string' } },
              womenOnly: { type: 'boolean' },
              related: { type: ['string', 'null'] },
              relatedRequired: { type: 'boolean' },
              quantity: { type: 'boolean' },
            },
          }),
        },
      },
    },
    (request) => ({ items: serviceKindChoices(requestLang(request)) }),
  );
}
