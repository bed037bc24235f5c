import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { parsePeriod } from '../../domain/period.ts';
import type { RecordsAccess } from '../../indicators/index.ts';
import {
  CATALOGUE,
  findIndicator,
  indicatorEngineFor,
  listNumeratorRecords,
} from '../../indicators/index.ts';
import {
  type CatalogueEntryView,
  catalogueEntryView,
  type IndicatorAnswer,
  type IndicatorValuesAnswer,
  indicatorAnswer,
  periodView,
  recordsUnavailableView,
  indicatorValueView as valueOut,
} from '../../indicators/value-view.ts';
import { mayListAnyRecords, mayListRecords, RECORD_LIST_ACCESS, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';

const query = {
  type: 'object',
  properties: {
    unit: { type: 'string', pattern: '^[0-9]{2,12}$' },
    period: { type: 'string', description: '2025, 2025H1, 2025Q3, 2025-07 or 2025-07-15' },
    by: {
      type: 'string',
      enum: ['none', 'children', 'sex', 'ageGroup', 'ageSex', 'residenceType', 'birthOrder'],
      description: 'ageSex: every age band × sex (a population pyramid)',
    },
  },
  required: ['unit', 'period'],
} as const;

/** The months of a period, as month ids ('2025-01' …); a month is its own only month. */
function monthsOf(period: { start: string; end: string }): string[] {
  const months: string[] = [];
  let year = Number(period.start.slice(0, 4));
  let month = Number(period.start.slice(5, 7));
  const last = period.end.slice(0, 7);
  for (;;) {
    const id = `${year}-${String(month).padStart(2, '0')}`;
    months.push(id);
    if (id >= last) return months;
    month++;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/** Whether the caller of this request may list a unit's records: the drill-down route's own rule. */
function recordsAccessOf(request: FastifyRequest): RecordsAccess {
  return (unit) => mayListRecords(request.principal, unit);
}

/** The catalogue, indicator values and the records behind them. */
export function registerIndicatorRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['indicators'];
  app.get(
    '/api/indicators',
    {
      config: { access: { right: 'aggregates.read' } },
      schema: { tags, summary: '指标目录 / The indicator catalogue' },
    },
    (request): { items: CatalogueEntryView[] } => {
      const lang = requestLang(request);
      const listsAny = mayListAnyRecords(request.principal);
      return { items: CATALOGUE.map((entry) => catalogueEntryView(entry, lang, listsAny)) };
    },
  );

  app.get(
    '/api/indicators/values',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary:
          '多个指标一次取值：一个单位（及下级）、一个时期 / Many indicators for a unit (and its children) and a period at once',
        querystring: {
          type: 'object',
          properties: {
            unit: query.properties.unit,
            period: { type: 'string', description: '2025, 2025H1, 2025Q3 or 2025-07' },
            indicators: {
              type: 'string',
              pattern: '^[a-z0-9_]+(,[a-z0-9_]+)*$',
              description: 'comma-separated indicator ids; all of the catalogue when left out',
            },
            children: { type: 'boolean', description: 'also every child unit (the next level down)' },
            months: {
              type: 'string',
              pattern: '^[a-z0-9_]+(,[a-z0-9_]+)*$',
              description:
                'comma-separated indicator ids also evaluated for each month of the period (the unit only): a trend line in the same request',
            },
          },
          required: ['unit', 'period'],
        },
      },
    },
    async (request): Promise<IndicatorValuesAnswer> => {
      const q = request.query as {
        unit: string;
        period: string;
        indicators?: string;
        children?: boolean;
        months?: string;
      };
      const monthly = q.months ? [...new Set(q.months.split(','))] : [];
      const unknown = monthly.filter((id) => !findIndicator(id));
      if (unknown.length > 0) {
        throw new AppError(
          'not_found',
          text(`没有指标 ${unknown.join('、')}`, `No indicator ${unknown.join(', ')}`),
          { field: 'months', details: { unknown } },
        );
      }
      const engine = indicatorEngineFor(context.database);
      const result = await engine.evaluateMany({
        unit: q.unit,
        period: q.period,
        indicators: q.indicators ? [...new Set(q.indicators.split(','))] : undefined,
        children: q.children,
      });
      const lang = requestLang(request);
      const mayList = recordsAccessOf(request);
      // Each month of the period, from the same county-year cube (one freshness check each).
      const months: NonNullable<IndicatorValuesAnswer['months']> = [];
      if (monthly.length > 0) {
        for (const month of monthsOf(result.period)) {
          const one = await engine.evaluateMany({ unit: result.unit, period: month, indicators: monthly });
          months.push({
            period: month,
            values: Object.fromEntries(
              one.values.map((value) => [value.indicator, valueOut(value, lang, mayList)]),
            ),
          });
        }
      }
      const indicators: IndicatorValuesAnswer['indicators'] = {};
      for (const value of result.values) {
        let entry = indicators[value.indicator];
        if (!entry) {
          const definition = findIndicator(value.indicator)!;
          entry = {
            name: definition.name[lang],
            unit: definition.unit,
            recordsUnavailable: recordsUnavailableView(definition, result.unit, lang, mayList),
            values: [],
          };
          indicators[value.indicator] = entry;
        }
        entry.values.push(valueOut(value, lang, mayList));
      }
      return {
        unit: result.unit,
        period: periodView(result.period, lang),
        dataVersion: result.dataVersion,
        indicators,
        unavailable: result.unavailable,
        ...(monthly.length > 0 ? { months } : {}),
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
    async (request): Promise<IndicatorAnswer> => {
      const { id } = request.params as { id: string };
      const q = request.query as { unit: string; period: string; by?: 'none' };
      const result = await indicatorEngineFor(context.database).evaluate({ indicator: id, ...q });
      return indicatorAnswer(result, requestLang(request), recordsAccessOf(request));
    },
  );

  app.get(
    '/api/indicators/:id/records',
    {
      // The rule every records link is given by (recordsAccessOf): a link here always opens.
      config: { access: RECORD_LIST_ACCESS },
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
