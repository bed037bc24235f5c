import type { FastifyInstance } from 'fastify';
import { indicatorEngineFor } from '../../indicators/index.ts';
import {
  type CountyWithDataYear,
  getOrgUnitWithFamily,
  listCounties,
  type OrgUnitWithFamily,
} from '../../org/org-units.ts';
import type { AppContext } from '../context.ts';
import { itemsResponse } from './list-response.ts';

export const orgUnitSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', description: '区划代码 / division code (6, 9 or 12 digits below province)' },
    name: { type: 'string' },
    shortName: { type: 'string' },
    level: { type: 'string', enum: ['province', 'prefecture', 'county', 'township', 'village'] },
    kind: { type: 'string' },
    parentCode: { type: ['string', 'null'] },
  },
  required: ['code', 'name', 'level'],
} as const;

/** Org-unit tree: one unit with its family; the loaded counties. */
export function registerOrgUnitRoutes(app: FastifyInstance, context: AppContext) {
  app.get(
    '/api/org-units',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags: ['org-units'],
        summary: '已加载的县级单位及其有数据的最近年份 / Loaded counties, with the latest year that has data',
        response: {
          200: itemsResponse({
            ...orgUnitSchema,
            properties: {
              ...orgUnitSchema.properties,
              latestDataYear: {
                type: ['integer', 'null'],
                description:
                  '工作台默认打开的年份：有人口事件的最近年份，今年须满 1 个整月（2 月 1 日起）才算；无数据为 null / The year the dashboard opens on: the latest year with vital events, this year only from 1 February on (a complete month behind it); null when there are none',
              },
            },
          }),
        },
      },
    },
    async (): Promise<{ items: CountyWithDataYear[] }> => {
      const [counties, years] = await Promise.all([
        listCounties(context.database.db),
        indicatorEngineFor(context.database).latestDataYears(context.today?.()),
      ]);
      return {
        items: counties.map((county) => ({ ...county, latestDataYear: years.get(county.code) ?? null })),
      };
    },
  );

  app.get(
    '/api/org-units/:code',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags: ['org-units'],
        summary: '单位及其上级、下级 / A unit with its ancestors and children',
        params: {
          type: 'object',
          properties: { code: { type: 'string', pattern: '^[0-9]{2,12}$' } },
          required: ['code'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ...orgUnitSchema.properties,
              ancestors: { type: 'array', items: orgUnitSchema },
              children: { type: 'array', items: orgUnitSchema },
              descendants: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
        },
      },
    },
    async (request): Promise<OrgUnitWithFamily> => {
      const { code } = request.params as { code: string };
      return getOrgUnitWithFamily(context.database.db, code);
    },
  );
}
