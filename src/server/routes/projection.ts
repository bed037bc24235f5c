import type { FastifyInstance } from 'fastify';
import { indicatorEngineFor } from '../../indicators/index.ts';
import { type ProjectionAnswer, projectionAnswer } from '../../indicators/projection-view.ts';
import { projectFromRegistry } from '../../indicators/registry-projection.ts';
import { unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';

const num = { type: 'number' } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;
const flagSchema = {
  type: 'object',
  properties: { code: str, message: str },
} as const;
/** One bar of a pyramid. Named `population` so aggregate-only callers get small cells suppressed. */
const ageSexCell = {
  type: 'object',
  properties: {
    age: str,
    sex: { type: 'string', enum: ['male', 'female'] },
    population: numOrNull,
    suppressed: { type: 'boolean' },
  },
} as const;
const yearRow = {
  type: 'object',
  properties: {
    year: { type: 'integer' },
    population: numOrNull,
    births: numOrNull,
    deaths: numOrNull,
    netMigration: numOrNull,
    tfr: numOrNull,
    e0Male: numOrNull,
    e0Female: numOrNull,
    share65plus: numOrNull,
    oldAgeDependencyRatio: numOrNull,
    suppressed: { type: 'boolean' },
  },
} as const;
const variantSchema = {
  type: 'object',
  properties: {
    variant: str,
    years: { type: 'array', items: yearRow },
    finalPopulation: { type: 'array', items: ageSexCell },
    flags: { type: 'array', items: flagSchema },
  },
} as const;
const cellRow = (count: string, denominator: string) =>
  ({
    type: 'object',
    properties: {
      age: str,
      [count]: numOrNull,
      [denominator]: numOrNull,
      value: numOrNull,
      suppressed: { type: 'boolean' },
    },
  }) as const;

const responseSchema = {
  type: 'object',
  properties: {
    unit: { type: 'object', properties: { code: str, name: str } },
    baseYear: { type: 'integer' },
    years: { type: 'integer' },
    step: { type: 'integer' },
    ages: { type: 'array', items: str },
    variants: {
      type: 'object',
      properties: { low: variantSchema, medium: variantSchema, high: variantSchema },
    },
    basePopulation: { type: 'array', items: ageSexCell },
    inputs: {
      type: 'object',
      properties: {
        population: {
          type: 'object',
          properties: { unit: str, date: str, basis: str, total: numOrNull, description: str },
        },
        rates: {
          type: 'object',
          properties: {
            unit: str,
            unitName: str,
            own: { type: 'boolean' },
            years: { type: 'array', items: { type: 'integer' } },
            tfr: num,
            e0Male: num,
            e0Female: num,
            fertility: {
              type: 'array',
              description: 'value = ASFR (births per woman per year) / 年龄别生育率',
              items: cellRow('births', 'women'),
            },
            mortality: {
              type: 'object',
              description: 'value = nMx (deaths per person-year) / 年龄别死亡率',
              properties: {
                male: { type: 'array', items: cellRow('deaths', 'population') },
                female: { type: 'array', items: cellRow('deaths', 'population') },
              },
            },
            description: str,
          },
        },
        migration: {
          type: 'object',
          properties: {
            unit: str,
            years: { type: 'array', items: { type: 'integer' } },
            moveIns: numOrNull,
            moveOuts: numOrNull,
            netPerYear: numOrNull,
            suppressed: { type: 'boolean' },
            byAge: {
              type: 'array',
              description: '年平均净迁移 / average net migrants per year',
              items: {
                type: 'object',
                properties: { age: str, sex: str, count: numOrNull, suppressed: { type: 'boolean' } },
              },
            },
            description: str,
          },
        },
        sexRatioAtBirth: {
          type: 'object',
          properties: { value: num, observed: numOrNull, description: str },
        },
      },
    },
    flags: { type: 'array', items: flagSchema },
  },
} as const;

/** Population projection from the registry: planning statistics, aggregates only. */
export function registerProjectionRoutes(app: FastifyInstance, context: AppContext) {
  app.get(
    '/api/projection',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags: ['indicators'],
        summary:
          '人口预测（队列要素法，低、中、高方案，输入取自登记库）/ Population projection from the registry (cohort-component; low, medium and high variants)',
        querystring: {
          type: 'object',
          properties: {
            unit: {
              type: 'string',
              pattern: '^[0-9]{2,12}$',
              description: '单位代码；默认为本人所在县 / unit code; the caller’s county by default',
            },
            baseYear: {
              type: 'integer',
              minimum: 1900,
              maximum: 2200,
              description:
                '基年（其 12 月 31 日人口为起点）；默认为有数据的最近年份 / base year; the latest with data by default',
            },
            years: {
              type: 'integer',
              minimum: 1,
              maximum: 100,
              description: '预测年数，默认 5 / years ahead (5)',
            },
            step: {
              type: 'integer',
              enum: [1, 5],
              description: '1：单岁、逐年（默认）；5：五岁组、五年一步',
            },
          },
        },
        response: { 200: responseSchema },
      },
    },
    async (request): Promise<ProjectionAnswer> => {
      const q = request.query as { unit: string; baseYear?: number; years?: number; step?: number };
      const lang = requestLang(request);
      const { sources, variants } = await projectFromRegistry(
        context.database.db,
        indicatorEngineFor(context.database),
        { unit: q.unit, baseYear: q.baseYear, years: q.years, step: q.step },
      );
      return projectionAnswer(sources, variants, lang);
    },
  );
}
