import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withActorNames } from '../../access/actor-names.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { indicatorEngineFor } from '../../indicators/index.ts';
import {
  type AuditView,
  computeQualityRates,
  countMissingFields,
  drawAudit,
  getAudit,
  importAuditResults,
  listAuditHouseholds,
  listAudits,
  loadAuditSheetData,
  type QualityRatesView,
  REQUIRED_PERSON_FIELDS,
  runValidation,
  VALIDATION_RULES,
  writeAuditSheet,
} from '../../quality/index.ts';
import { actorOf as principalActor, unitBy, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const unitPattern = '^[0-9]{6,12}$';
const unitPeriod = {
  type: 'object',
  properties: {
    unit: { type: 'string', pattern: unitPattern },
    period: { type: 'string', description: '2025, 2025H1, 2025Q3, 2025-07' },
    lang: { type: 'string' },
  },
  required: ['unit', 'period'],
} as const;
const auditParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
const interval = {
  type: ['object', 'null'],
  properties: {
    lower: { type: ['number', 'null'] },
    upper: { type: ['number', 'null'] },
    level: { type: 'number' },
    method: { type: 'string' },
  },
} as const;
const share = {
  type: 'object',
  properties: {
    value: { type: ['number', 'null'] },
    interval,
    designEffect: { type: ['number', 'null'] },
    numerator: { type: 'number' },
    denominator: { type: 'number' },
  },
} as const;

/** The signed-in user is who the audit records as acting. */
function actorOf(request: FastifyRequest) {
  return { id: principalActor(request) };
}

/** The unit a field audit was drawn for. */
const auditUnit = unitBy('field audit (params.id)', async (request, database) => {
  const id = Number((request.params as { id?: string }).id);
  const row = await database.db
    .selectFrom('field_audit')
    .select('unit_code')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not_found', text(`没有这次抽查：${id}`, `No such field audit: ${id}`), {
      field: 'id',
    });
  return row.unit_code;
});

/** The four data-quality rates, validation findings (/api/quality) and field audits (/api/audits). */
export function registerQualityRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['quality'];
  const db = context.database.db;

  app.get(
    '/api/quality/rates',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '四率：入库率、完整率、准确率、及时率 / The four data-quality rates of a unit and period',
        querystring: {
          ...unitPeriod,
          properties: { ...unitPeriod.properties, by: { type: 'string', enum: ['none', 'children'] } },
        },
      },
    },
    async (request): Promise<QualityRatesView> => {
      const q = request.query as { unit: string; period: string; by?: 'none' | 'children' };
      const lang = requestLang(request);
      const result = await computeQualityRates(indicatorEngineFor(context.database), q);
      const missing = await countMissingFields(db, q.unit, q.period);
      return {
        period: result.period,
        names: Object.fromEntries(Object.entries(result.names).map(([id, name]) => [id, name[lang]])),
        units: result.units.map((u) => ({
          unit: u.unit,
          rates: Object.fromEntries(
            Object.entries(u.rates).map(([id, r]) => [
              id,
              { ...r, flags: r.flags.map((f) => ({ code: f.code, message: f.message[lang] })) },
            ]),
          ),
        })),
        missing: {
          date: missing.date,
          records: missing.records,
          fields: missing.missing.map((m) => ({ field: m.field, label: m.label[lang], missing: m.missing })),
        },
      };
    },
  );

  app.get(
    '/api/quality/required-fields',
    {
      config: { access: { right: 'aggregates.read' } },
      schema: { tags, summary: '完整率的必填项 / The required fields completeness counts' },
    },
    (request) => {
      const lang = requestLang(request);
      return {
        items: REQUIRED_PERSON_FIELDS.map((f) => ({
          field: f.field,
          label: f.label[lang],
          minAgeDays: f.minAgeDays ?? null,
          minAgeYears: f.minAgeYears ?? null,
        })),
      };
    },
  );

  const runChecks = async (request: FastifyRequest, write: boolean) => {
    const q = (write ? request.body : request.query) as { unit: string; period: string };
    const lang = requestLang(request);
    const run = await runValidation(db, { ...q, write, actor: actorOf(request) });
    return {
      unit: run.unit,
      period: run.period,
      tasksCreated: run.tasksCreated,
      rules: VALIDATION_RULES.map((r) => ({ id: r.id, name: r.name[lang] })),
      findings: run.findings.map((f) => ({ ...f, message: f.message[lang] })),
    };
  };
  app.get(
    '/api/quality/checks',
    {
      config: {
        access: { right: 'registry.read', unit: unitFrom('query', 'unit'), audit: 'quality.checks' },
      },
      schema: {
        tags,
        summary: '运行校验规则（只列出）/ Run the validation rules and list the findings',
        querystring: unitPeriod,
      },
    },
    (request) => runChecks(request, false),
  );
  app.post(
    '/api/quality/checks',
    {
      config: { access: { right: 'quality.audit', unit: unitFrom('body', 'unit'), audit: 'quality.checks' } },
      schema: {
        tags,
        summary: '运行校验规则并写入待办 / Run the validation rules and put the findings on the work lists',
        body: unitPeriod,
      },
    },
    (request) => runChecks(request, true),
  );

  app.get(
    '/api/audits',
    {
      config: { access: { right: 'quality.audit', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '抽查列表（含所有抽取记录）/ Field audits of a unit, every draw kept',
        querystring: {
          type: 'object',
          properties: { unit: { type: 'string', pattern: unitPattern } },
          required: ['unit'],
        },
      },
    },
    async (request) => {
      const items = await listAudits(db, (request.query as { unit: string }).unit);
      return { items: await withActorNames(db, requestLang(request), items, ['drawn_by'], '_name') };
    },
  );

  app.post(
    '/api/audits',
    {
      config: { access: { right: 'quality.audit', unit: unitFrom('body', 'unit'), audit: 'audit.draw' } },
      schema: {
        tags,
        summary: '抽取入户抽查样本 / Draw a field audit sample',
        body: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: unitPattern },
            year: { type: 'integer', minimum: 1950, maximum: 2200 },
            households: { type: 'integer', minimum: 1, maximum: 100000 },
            seed: { type: 'string', maxLength: 200 },
          },
          required: ['unit', 'year', 'households'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { unit: string; year: number; households: number; seed?: string };
      const drawn = await drawAudit(db, { ...body, actor: actorOf(request) });
      return reply.code(201).send(drawn);
    },
  );

  app.get(
    '/api/audits/:id',
    {
      config: { access: { right: 'quality.audit', unit: auditUnit } },
      schema: {
        tags,
        summary:
          '抽查：设计、进度与准确率（95% 区间）/ An audit: design, progress and accuracy with its 95% interval',
        params: auditParams,
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              id: { type: 'integer' },
              seed: { type: 'string' },
              estimate: {
                type: 'object',
                additionalProperties: true,
                properties: { fields: share, persons: share, households: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
    async (request): Promise<AuditView> => {
      const summary = await getAudit(db, (request.params as { id: number }).id);
      const lang = requestLang(request);
      return {
        ...summary,
        estimate: {
          ...summary.estimate,
          flags: summary.estimate.flags.map((f) => ({ code: f.code, message: f.message[lang] })),
        },
      };
    },
  );

  app.get(
    '/api/audits/:id/households',
    {
      config: { access: { right: 'quality.audit', unit: auditUnit, audit: 'person.list' } },
      schema: { tags, summary: '抽中的住户 / The households drawn', params: auditParams },
    },
    async (request) => ({ items: await listAuditHouseholds(db, (request.params as { id: number }).id) }),
  );

  app.get(
    '/api/audits/:id/sheet',
    {
      config: { access: { right: 'quality.audit', unit: auditUnit, audit: 'export' } },
      schema: { tags, summary: '入户核查表（XLSX）/ The survey sheets (XLSX)', params: auditParams },
    },
    async (request, reply) => {
      const id = (request.params as { id: number }).id;
      const buffer = await writeAuditSheet(await loadAuditSheetData(db, id), requestLang(request));
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', `attachment; filename="audit-${id}.xlsx"`)
        .send(buffer);
    },
  );

  app.register(async (scope) => {
    scope.addContentTypeParser(
      [XLSX, 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/api/audits/:id/results',
      {
        config: { access: { right: 'quality.audit', unit: auditUnit, audit: 'person.write' } },
        schema: {
          tags,
          summary:
            '回收填好的核查表（请求体为 XLSX 文件）/ Take back a filled survey sheet: the request body is the XLSX file',
          params: auditParams,
          querystring: {
            type: 'object',
            properties: { date: { type: 'string', format: 'date' }, lang: { type: 'string' } },
          },
        },
      },
      async (request) => {
        const body = request.body;
        if (!Buffer.isBuffer(body)) {
          throw new AppError(
            'invalid_input',
            text('请求体应为 XLSX 文件本身', 'The request body must be the XLSX file itself'),
            { field: 'body' },
          );
        }
        const lang = requestLang(request);
        const report = await importAuditResults(db, {
          auditId: (request.params as { id: number }).id,
          file: body,
          surveyedOn: (request.query as { date?: string }).date,
          actor: actorOf(request),
        });
        return {
          ...report,
          issues: report.issues.map((i) => ({ ...i, message: i.message[lang] })),
          estimate: {
            ...report.estimate,
            flags: report.estimate.flags.map((f) => ({ code: f.code, message: f.message[lang] })),
          },
        };
      },
    );
  });
}
