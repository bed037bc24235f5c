import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { parsePeriod } from '../../domain/period.ts';
import {
  CATALOGUE,
  findIndicator,
  indicatorEngineFor,
  listNumeratorRecords,
} from '../../indicators/index.ts';
import { unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';

const query = {
  type: 'object',
  properties: {
    unit: { type: 'string', pattern: '^[0-9]{2,12}$' },
    period: { type: 'string', description: '2025, 2025H1, 2025Q3, 2025-07 or 2025-07-15' },
    by: { type: 'string', enum: ['none', 'children', 'sex', 'ageGroup', 'residenceType', 'birthOrder'] },
  },
  required: ['unit', 'period'],
} as const;

/** The catalogue, indicator values and the records behind them. */
export function registerIndicatorRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['indicators'];
  app.get(
    '/api/indicators',
    {
      config: { access: { right: 'aggregates.read' } },
      schema: { tags, summary: '指标目录 / The indicator catalogue' },
    },
    (request) => {
      const lang = requestLang(request);
      return {
        items: CATALOGUE.map((entry) => ({
          id: entry.id,
          name: entry.name[lang],
          names: entry.name,
          description: entry.description[lang],
          unit: entry.unit,
          disaggregations: entry.disaggregations,
          periodTypes: entry.periodTypes,
          levels: entry.levels,
        })),
      };
    },
  );

  app.get(
    '/api/indicators/:id',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '指标值：任一单位、时期、分列 / An indicator for a unit, period and breakdown',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: query,
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { unit: string; period: string; by?: 'none' };
      const result = await indicatorEngineFor(context.database).evaluate({ indicator: id, ...q });
      const lang = requestLang(request);
      return {
        indicator: {
          id: result.indicator.id,
          name: result.indicator.name[lang],
          unit: result.indicator.unit,
        },
        unit: result.unit,
        period: {
          id: result.period.id,
          start: result.period.start,
          end: result.period.end,
          label: result.period.label[lang],
        },
        dataVersion: result.dataVersion,
        values: result.values.map((value) => ({
          unit: value.unit_code,
          group: value.group,
          value: value.value,
          numerator: value.numerator,
          denominator: value.denominator,
          interval: value.interval,
          flags: value.flags.map((flag) => ({ code: flag.code, message: flag.message[lang] })),
          records: `/api/indicators/${result.indicator.id}/records?unit=${value.unit_code}&period=${result.period.id}`,
        })),
      };
    },
  );

  app.get(
    '/api/indicators/:id/records',
    {
      config: { access: { right: 'records.read', unit: unitFrom('query', 'unit'), audit: 'person.list' } },
      schema: {
        tags,
        summary: '分子所含记录（下钻）/ The records behind the numerator (drill-down)',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: {
            unit: query.properties.unit,
            period: query.properties.period,
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            offset: { type: 'integer', minimum: 0 },
          },
          required: ['unit', 'period'],
        },
      },
    },
    // TODO(access-control): only roles allowed to see persons of the unit may drill down.
    async (request) => {
      const { id } = request.params as { id: string };
      const q = request.query as { unit: string; period: string; limit?: number; offset?: number };
      const definition = findIndicator(id);
      if (!definition) {
        throw new AppError('not_found', text(`没有指标 ${id}`, `No indicator ${id}`), { field: 'id' });
      }
      return listNumeratorRecords(context.database.db, definition, q.unit, parsePeriod(q.period), q);
    },
  );
}
