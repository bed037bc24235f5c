import type { FastifyInstance } from 'fastify';
import { getBirthCompleteness, setOfficialBirths } from '../../completeness/birth-counts.ts';
import { actorOf, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';

const unitPattern = '^[0-9]{6}([0-9]{3})?$';

/** Routes for registry completeness by dual-system estimation, and the statistics bureau's figures. */
export function registerCompletenessRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['completeness'];
  const db = context.database.db;

  app.get(
    '/api/completeness',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary:
          '出生登记完整性（双系统估计，逐乡镇） / Birth registration completeness by dual-system estimation, per township',
        querystring: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: unitPattern, description: 'county or township code' },
            year: { type: 'integer', minimum: 1949, maximum: 2200 },
          },
          required: ['unit', 'year'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              unit: { type: 'string' },
              unitName: { type: 'string' },
              year: { type: 'integer' },
              rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
              total: { type: 'object', additionalProperties: true },
              unplacedCertificates: { type: 'integer' },
              notes: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
    },
    (request) => {
      const query = request.query as { unit: string; year: number };
      return getBirthCompleteness(db, { unit: query.unit, year: query.year });
    },
  );

  app.put(
    '/api/completeness/official',
    {
      config: {
        access: { right: 'targets.manage', unit: unitFrom('body', 'unit'), audit: 'completeness.official' },
      },
      schema: {
        tags,
        summary: '录入统计局公布的出生数 / Enter the statistics bureau’s birth figure',
        body: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: unitPattern },
            year: { type: 'integer', minimum: 1949, maximum: 2200 },
            births: { type: 'integer', minimum: 0 },
            source: { type: ['string', 'null'], maxLength: 200 },
          },
          required: ['unit', 'year', 'births'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              org_code: { type: 'string' },
              year: { type: 'integer' },
              births: { type: 'integer' },
              source: { type: ['string', 'null'] },
              entered_by: { type: 'string' },
              entered_at: { type: 'string' },
            },
          },
        },
      },
    },
    (request) => {
      const body = request.body as { unit: string; year: number; births: number; source?: string | null };
      return setOfficialBirths(db, { ...body, actor: actorOf(request) });
    },
  );
}
