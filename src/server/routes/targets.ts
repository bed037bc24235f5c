import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withActorNames } from '../../access/actor-names.ts';
import { CATALOGUE } from '../../indicators/catalogue.ts';
import type { CommandContext } from '../../registry/context.ts';
import {
  assessUnits,
  computeProgress,
  getTargetSheet,
  listSheetVersions,
  listTargetIndicators,
  listTargetSheets,
  localiseProgress,
  setTargetSheet,
  splitTargetSheet,
  targetIndicatorChoice,
} from '../../targets/index.ts';
import { actorOf, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { dateSchema as date } from '../schemas.ts';

const unitCode = { type: 'string', pattern: '^[0-9]{6,12}$' } as const;
const year = { type: 'integer', minimum: 2000, maximum: 2100 } as const;
const sheetParams = {
  type: 'object',
  properties: { unit: unitCode, year },
  required: ['unit', 'year'],
} as const;
/** Objects whose shape the module defines (see src/targets/): passed through whole. */
const open = { type: 'object', additionalProperties: true } as const;
const openList = { type: 'array', items: open } as const;
const item = {
  type: 'object',
  required: ['indicator', 'direction'],
  properties: {
    indicator: { type: 'string' },
    direction: { type: 'string', enum: ['at_least', 'at_most', 'within'] },
    target: { type: 'number' },
    low: { type: 'number' },
    high: { type: 'number' },
    weight: { type: 'number' },
    gate: { type: 'boolean' },
    source: { type: 'string', enum: ['own', 'parent'] },
  },
} as const;

/**
 * The bodies of a sheet's new version and of a split: the routes' schemas, and what the CLI's
 * `renkou targets set|split` checks what is typed against (src/cli/commands/targets.ts).
 */
export const targetBodies = {
  sheet: {
    type: 'object',
    required: ['items', 'reason'],
    properties: {
      items: { type: 'array', items: item, maxItems: 100 },
      settings: open,
      reason: { type: 'string', maxLength: 500 },
      expectedVersion: { type: 'integer', minimum: 0 },
    },
  },
  split: {
    type: 'object',
    required: ['reason'],
    properties: { reason: { type: 'string', maxLength: 500 }, overrides: open },
  },
} as const;

const paramsUnit = unitFrom('params', 'unit');

/** The signed-in user is who the records name. */
function commandContext(app: AppContext, request: FastifyRequest): CommandContext {
  return { db: app.database.db, actor: { id: actorOf(request) } };
}

/** Target sheets (CRUD with versions), progress, rankings and the year-end assessment. */
export function registerTargetRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['targets'];
  const read = { right: 'aggregates.read' as const };
  const manage = { right: 'targets.manage' as const };

  app.get(
    '/api/targets/indicators',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags,
        summary: '可作为目标的指标及理由 / Which indicators may be targets, and why',
        response: { 200: { type: 'object', properties: { items: openList } } },
      },
    },
    (request) => {
      const lang = requestLang(request);
      return {
        items: listTargetIndicators(CATALOGUE).map((indicator) => targetIndicatorChoice(indicator, lang)),
      };
    },
  );

  app.get(
    '/api/targets/sheets',
    {
      config: { access: { ...read, unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '单位及其下级的目标表 / Target sheets of a unit and the units below',
        querystring: { type: 'object', properties: { unit: unitCode, year }, required: ['unit'] },
        response: { 200: { type: 'object', properties: { items: openList } } },
      },
    },
    async (request) => {
      const q = request.query as { unit: string; year?: number };
      return { items: await listTargetSheets(context.database.db, q.unit, q.year) };
    },
  );

  app.get(
    '/api/targets/sheets/:unit/:year',
    {
      config: { access: { ...read, unit: paramsUnit } },
      schema: {
        tags,
        summary: '目标表（现行或指定版本）/ A target sheet (current or a given version)',
        params: sheetParams,
        querystring: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
        response: { 200: open },
      },
    },
    async (request) => {
      const p = request.params as { unit: string; year: number };
      const q = request.query as { version?: number };
      const db = context.database.db;
      const sheet = await getTargetSheet(db, p.unit, p.year, q.version);
      const [named] = await withActorNames(db, requestLang(request), [sheet], ['createdBy'], 'Name');
      return named;
    },
  );

  app.put(
    '/api/targets/sheets/:unit/:year',
    {
      config: { access: { ...manage, unit: paramsUnit } },
      schema: {
        tags,
        summary: '写入目标表的新版本（须说明原因）/ Write a new version of a sheet, with a reason',
        params: sheetParams,
        body: targetBodies.sheet,
        response: { 200: open },
      },
    },
    async (request) => {
      const p = request.params as { unit: string; year: number };
      const body = request.body as {
        items: unknown[];
        settings?: unknown;
        reason: string;
        expectedVersion?: number;
      };
      return setTargetSheet(commandContext(context, request), { ...body, unit: p.unit, year: p.year });
    },
  );

  app.delete(
    '/api/targets/sheets/:unit/:year',
    {
      config: { access: { ...manage, unit: paramsUnit } },
      schema: {
        tags,
        summary:
          '撤销目标表：写入一个没有目标的新版本，旧版本保留 / Withdraw a sheet: a new version with no targets; old versions stay',
        params: sheetParams,
        querystring: {
          type: 'object',
          required: ['reason'],
          properties: {
            reason: { type: 'string', maxLength: 500 },
            expectedVersion: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: open },
      },
    },
    async (request) => {
      const p = request.params as { unit: string; year: number };
      const q = request.query as { reason: string; expectedVersion?: number };
      return setTargetSheet(commandContext(context, request), {
        ...q,
        items: [],
        unit: p.unit,
        year: p.year,
      });
    },
  );

  app.get(
    '/api/targets/sheets/:unit/:year/versions',
    {
      config: { access: { ...read, unit: paramsUnit } },
      schema: {
        tags,
        summary: '目标表的全部版本：谁、何时、为何、改了什么 / Every version: who, when, why, what changed',
        params: sheetParams,
        response: { 200: { type: 'object', properties: { items: openList } } },
      },
    },
    async (request) => {
      const p = request.params as { unit: string; year: number };
      const db = context.database.db;
      const items = await listSheetVersions(db, p.unit, p.year);
      return { items: await withActorNames(db, requestLang(request), items, ['createdBy'], 'Name') };
    },
  );

  app.post(
    '/api/targets/sheets/:unit/:year/split',
    {
      config: { access: { ...manage, unit: paramsUnit } },
      schema: {
        tags,
        summary:
          '分解到下级单位（默认沿用上级目标，可单独设定）/ Split into the units below (parent targets by default, overrides per unit)',
        params: sheetParams,
        body: targetBodies.split,
        response: { 200: { type: 'object', properties: { items: openList } } },
      },
    },
    async (request) => {
      const p = request.params as { unit: string; year: number };
      const body = request.body as { reason: string; overrides?: Record<string, never> };
      return {
        items: await splitTargetSheet(commandContext(context, request), {
          ...body,
          unit: p.unit,
          year: p.year,
        }),
      };
    },
  );

  app.get(
    '/api/targets/progress',
    {
      config: { access: { ...read, unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary:
          '某日的目标进度、状态、落后单位和排名 / Progress on a date: values, expected, status, alerts, ranking',
        querystring: { type: 'object', properties: { unit: unitCode, date }, required: ['unit', 'date'] },
        response: { 200: open },
      },
    },
    async (request) => {
      const q = request.query as { unit: string; date: string };
      return localiseProgress(await computeProgress(context.database, q), requestLang(request));
    },
  );

  app.get(
    '/api/targets/rankings',
    {
      config: { access: { ...read, unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '下级单位排名：总分及各项指标 / The units below ranked: overall and on each target',
        querystring: { type: 'object', properties: { unit: unitCode, date }, required: ['unit', 'date'] },
        response: { 200: open },
      },
    },
    async (request) => {
      const q = request.query as { unit: string; date: string };
      const lang = requestLang(request);
      const progress = await computeProgress(context.database, q);
      return {
        unit: progress.unit,
        window: localiseProgress(progress, lang).window,
        overall: progress.ranking,
        byTarget: progress.targets.map((target) => ({
          indicator: target.indicator,
          name: target.name[lang],
          unit: target.unit,
          units: target.children,
        })),
      };
    },
  );

  app.get(
    '/api/targets/assessment',
    {
      config: { access: { ...read, unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '年度考核：得分、名次和计分过程 / Year-end assessment: scores, ranks and the working',
        querystring: { type: 'object', properties: { unit: unitCode, year }, required: ['unit', 'year'] },
        response: { 200: open },
      },
    },
    async (request) => {
      const q = request.query as { unit: string; year: number };
      const lang = requestLang(request);
      const assessment = await assessUnits(context.database, q);
      const localise = (unit: (typeof assessment.units)[number]) => ({
        ...unit,
        lines: unit.lines.map((line) => ({ ...line, name: line.name[lang], names: line.name })),
      });
      return { ...assessment, self: localise(assessment.self), units: assessment.units.map(localise) };
    },
  );
}
