import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withActorNames } from '../../access/actor-names.ts';
import type { ActivityKind } from '../../db/tables/reports.ts';
import { AppError } from '../../domain/errors.ts';
import { parseLang, text } from '../../domain/i18n.ts';
import {
  ACTIVITY_KINDS,
  addActivity,
  computeReportContent,
  diffReportRun,
  generateReport,
  listActivities,
  listReportRuns,
  parseReportLang,
  type ReportFormat,
} from '../../reports/index.ts';
import { actorOf as principalActor, unitBy, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { dateSchema as date } from '../schemas.ts';

const unit = { type: 'string', pattern: '^[0-9]{2,12}$' } as const;

/** The signed-in user is who the records name. */
function actorOf(request: FastifyRequest): string {
  return principalActor(request);
}

/** The unit a recorded report was generated for. */
const reportRunUnit = unitBy('report run (params.id)', async (request, database) => {
  const id = Number((request.params as { id?: string }).id);
  const row = await database.db
    .selectFrom('report_run')
    .select('unit_code')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not_found', text(`没有这份报告记录：${id}`, `No such report record: ${id}`), {
      field: 'id',
    });
  return row.unit_code;
});

/** Routes for work reports, statistical tables, report records and the activity log. */
export function registerReportRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['reports'];

  app.get(
    '/api/reports',
    {
      config: {
        access: { right: 'reports.generate', unit: unitFrom('query', 'unit'), audit: 'report.generate' },
      },
      schema: {
        tags,
        summary:
          '生成报告：docx（工作汇报）、xlsx（统计报表）、html（预览）或 json（预览数据）/ Generate a report file, or its preview data',
        querystring: {
          type: 'object',
          properties: {
            unit,
            period: { type: 'string', description: '2025, 2025H1, 2025Q3 or 2025-07' },
            format: { type: 'string', enum: ['docx', 'xlsx', 'html', 'json'], default: 'docx' },
            date: { ...date, description: 'date the report is signed (today by default)' },
            lang: {
              type: 'string',
              description:
                '报告的语言：zh-CN（默认）或 en；不给时按 Accept-Language / the report’s language: zh-CN (default) or en; Accept-Language when absent',
            },
          },
          required: ['unit', 'period'],
        },
      },
    },
    async (request, reply) => {
      const q = request.query as {
        unit: string;
        period: string;
        format: ReportFormat | 'json';
        date?: string;
        lang?: string;
      };
      // ?lang= must name a language (field-level 400 otherwise); without it, Accept-Language decides.
      const lang =
        q.lang !== undefined
          ? parseReportLang(q.lang)
          : parseReportLang(parseLang(request.headers['accept-language']));
      if (q.format === 'json') {
        // The preview: the document model and the tables, every figure with its trace. Not recorded.
        const content = await computeReportContent(context.database, {
          unit: q.unit,
          period: q.period,
          reportDate: q.date,
          lang,
          kind: 'both',
        });
        return { document: content.document, tables: content.tables, dataVersion: content.dataVersion };
      }
      const result = await generateReport(context.database, {
        unit: q.unit,
        period: q.period,
        format: q.format,
        reportDate: q.date,
        lang,
        actor: actorOf(request),
      });
      return reply
        .header('content-type', result.contentType)
        .header(
          'content-disposition',
          `${q.format === 'html' ? 'inline' : 'attachment'}; filename="report-${result.runId}.${q.format}"; filename*=UTF-8''${encodeURIComponent(result.fileName)}`,
        )
        .header('content-language', result.lang)
        .header('x-renkou-report-run', String(result.runId))
        .header('x-renkou-data-version', String(result.dataVersion))
        .header('x-renkou-sha256', result.sha256)
        .send(result.bytes);
    },
  );

  app.get(
    '/api/reports/runs',
    {
      config: { access: { right: 'reports.generate', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '已生成的报告记录 / Generated report records',
        querystring: {
          type: 'object',
          properties: {
            unit,
            period: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (request) => {
      const items = await listReportRuns(context.database, request.query as { unit?: string });
      return {
        items: await withActorNames(context.database.db, requestLang(request), items, ['createdBy'], 'Name'),
      };
    },
  );

  app.get(
    '/api/reports/runs/:id/diff',
    {
      config: { access: { right: 'reports.generate', unit: reportRunUnit } },
      schema: {
        tags,
        summary: '按今天的数据重算报告的数字并列出变化 / Recompute a report’s figures and list what changed',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      },
    },
    (request) => diffReportRun(context.database, (request.params as { id: number }).id),
  );

  const activityBody = {
    type: 'object',
    properties: {
      unit,
      date,
      kind: { type: 'string', enum: ACTIVITY_KINDS },
      peopleServed: { type: ['integer', 'null'], minimum: 0 },
      materials: { type: ['integer', 'null'], minimum: 0 },
      description: { type: 'string', minLength: 1, maxLength: 500 },
    },
    required: ['unit', 'date', 'kind', 'description'],
    additionalProperties: false,
  } as const;

  app.post(
    '/api/activities',
    {
      config: {
        access: { right: 'reports.generate', unit: unitFrom('body', 'unit'), audit: 'activity.write' },
      },
      schema: {
        tags,
        summary: '登记一次服务活动（汇报“主要工作”的来源）/ Record a service activity',
        body: activityBody,
      },
    },
    async (request, reply) => {
      const saved = await addActivity(
        { db: context.database.db, actor: { id: actorOf(request) } },
        request.body as Parameters<typeof addActivity>[1],
      );
      return reply.code(201).send(saved);
    },
  );

  app.get(
    '/api/activities',
    {
      config: { access: { right: 'reports.generate', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '某单位（含下级）的活动 / Activities of a unit and its sub-units',
        querystring: {
          type: 'object',
          properties: {
            unit,
            from: date,
            to: date,
            kind: { type: 'string', enum: ACTIVITY_KINDS },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            offset: { type: 'integer', minimum: 0 },
          },
          required: ['unit'],
        },
      },
    },
    async (request) => ({
      items: await listActivities(
        context.database.db,
        request.query as { unit: string; kind?: ActivityKind },
      ),
    }),
  );
}
