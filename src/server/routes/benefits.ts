import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  applyForBenefit,
  decideEntitlement,
  exportBankCsv,
  listEntitlements,
  listProgrammes,
  recordDisability,
  reverifyEntitlements,
  reversePayment,
  runPaymentBatch,
  screenEligible,
  spendingSummary,
} from '../../benefits/index.ts';
import type { CommandContext } from '../../registry/context.ts';
import { importServicesCsv, listServices, recordService, type ServiceInput } from '../../services/index.ts';
import { actorOf, bodyPersonUnit, unitBy, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';

const idParam = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
const unitCode = { type: 'string', pattern: '^[0-9]{6,12}$' } as const;
const county = { type: 'string', pattern: '^[0-9]{6}$' } as const;
const programme = { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } as const;
const period = { type: 'string', description: '2025H2, 2025, 2025-07' } as const;
const date = { type: 'string', description: 'YYYY-MM-DD' } as const;

/** The signed-in user is who the records name. */
function commandContext(app: AppContext, request: FastifyRequest): CommandContext {
  return { db: app.database.db, actor: { id: actorOf(request) } };
}

/**
 * Family health services and family support. Person-level service records are sensitive health
 * data: only the services.* rights (health-service providers) reach them; nothing here or in the
 * indicator routes lists who received a service to anyone else (coverage figures only).
 */
export function registerBenefitRoutes(app: FastifyInstance, context: AppContext) {
  const db = context.database.db;
  const entitlementUnit = (param = 'id') =>
    unitBy(`entitlement(params.${param})`, async (request) => {
      const id = Number((request.params as Record<string, unknown>)[param]);
      const row = await db
        .selectFrom('entitlement')
        .select('org_code')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.org_code;
    });

  // --- services (health-service roles only) ---
  app.get(
    '/api/services',
    {
      config: { access: { right: 'services.read', unit: unitFrom('query', 'unit'), audit: 'services.read' } },
      schema: {
        tags: ['services'],
        summary: '服务记录（仅卫生服务人员）/ Service records (health-service roles only)',
        querystring: {
          type: 'object',
          properties: {
            unit: unitCode,
            personId: { type: 'integer', minimum: 1 },
            kind: { type: 'string' },
            from: date,
            to: date,
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as { unit?: string } & Record<string, never>;
      const unit = q.unit ?? context.config.defaultCounty;
      return { items: await listServices(db, { ...q, countyCode: unit.slice(0, 6), unit }) };
    },
  );

  app.post(
    '/api/services',
    {
      config: {
        access: { right: 'services.write', unit: bodyPersonUnit('personId'), audit: 'services.write' },
      },
      schema: {
        tags: ['services'],
        summary: '记录一次服务（须本人同意）/ Record a service (with consent)',
        body: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            personId: { type: 'integer', minimum: 1 },
            relatedPersonId: { type: ['integer', 'null'] },
            serviceDate: date,
            provider: { type: 'string' },
            outcomeCode: { type: 'string' },
            consent: { type: 'boolean' },
            quantity: { type: ['integer', 'null'] },
          },
          required: ['kind', 'personId', 'serviceDate', 'provider', 'outcomeCode', 'consent'],
        },
      },
    },
    async (request, reply) => {
      const ctx = commandContext(context, request);
      const body = request.body as ServiceInput & { personId: number };
      const person = await db
        .selectFrom('person')
        .select('county_code')
        .where('id', '=', body.personId)
        .executeTakeFirst();
      const row = await recordService(
        { ...ctx, countyCode: person?.county_code ?? context.config.defaultCounty },
        body,
      );
      return reply.status(201).send(row);
    },
  );

  app.post(
    '/api/services/import',
    {
      config: {
        access: { right: 'services.write', unit: unitFrom('body', 'county'), audit: 'services.import' },
      },
      schema: {
        tags: ['services'],
        summary: '导入服务机构的 CSV，逐行报告 / Import a provider CSV with a report per row',
        body: {
          type: 'object',
          properties: { county, csv: { type: 'string', maxLength: 20_000_000 }, source: { type: 'string' } },
          required: ['csv'],
        },
      },
    },
    async (request) => {
      const body = request.body as { county?: string; csv: string; source?: string };
      return importServicesCsv(
        { ...commandContext(context, request), countyCode: body.county ?? context.config.defaultCounty },
        body.csv,
        body.source,
      );
    },
  );

  // --- benefits ---
  const tags = ['benefits'];
  app.get(
    '/api/benefits/programmes',
    {
      config: { access: { right: 'signed-in' } },
      schema: { tags, summary: '扶助项目及版本 / Support programmes and their versions' },
    },
    async () => ({ items: await listProgrammes(db) }),
  );

  app.get(
    '/api/benefits/screen',
    {
      config: {
        access: { right: 'benefits.manage', unit: unitFrom('query', 'unit'), audit: 'benefits.screen' },
      },
      schema: {
        tags,
        summary: '筛查可能符合条件但未纳入的人员 / Likely eligible persons not enrolled',
        querystring: {
          type: 'object',
          properties: { programme, period, unit: unitCode },
          required: ['programme', 'period'],
        },
      },
    },
    async (request) => {
      const q = request.query as { programme: string; period: string; unit?: string };
      const unit = q.unit ?? context.config.defaultCounty;
      const result = await screenEligible(db, {
        countyCode: unit.slice(0, 6),
        programmeId: q.programme,
        period: q.period,
        unit,
      });
      return { period: result.period.id, byTownship: result.byTownship, candidates: result.candidates };
    },
  );

  app.post(
    '/api/benefits/applications',
    {
      config: {
        access: { right: 'benefits.manage', unit: bodyPersonUnit('personId'), audit: 'benefits.apply' },
      },
      schema: {
        tags,
        summary: '登记申请 / Record an application',
        body: {
          type: 'object',
          properties: {
            programmeId: programme,
            personId: { type: 'integer', minimum: 1 },
            period,
            payeePersonId: { type: ['integer', 'null'] },
            bankAccount: { type: ['string', 'null'] },
          },
          required: ['programmeId', 'personId'],
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await applyForBenefit(commandContext(context, request), request.body as never)),
  );

  app.get(
    '/api/benefits/entitlements',
    {
      config: {
        access: { right: 'benefits.manage', unit: unitFrom('query', 'unit'), audit: 'benefits.list' },
      },
      schema: {
        tags,
        summary: '待遇名单 / Entitlements',
        querystring: {
          type: 'object',
          properties: {
            programme,
            status: { type: 'string', enum: ['applied', 'reviewed', 'approved', 'rejected', 'stopped'] },
            unit: unitCode,
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as {
        programme?: string;
        status?: string;
        unit?: string;
        limit?: number;
        offset?: number;
      };
      const unit = q.unit ?? context.config.defaultCounty;
      return {
        items: await listEntitlements(db, {
          ...q,
          programmeId: q.programme,
          countyCode: unit.slice(0, 6),
          unit,
        }),
      };
    },
  );

  for (const action of ['review', 'approve', 'reject'] as const) {
    app.post(
      `/api/benefits/entitlements/:id/${action}`,
      {
        config: {
          access: {
            right: action === 'review' ? 'benefits.manage' : 'benefits.approve',
            unit: entitlementUnit(),
            audit: `benefits.${action}`,
          },
        },
        schema: {
          tags,
          summary: {
            review: '审核申请 / Review an application',
            approve: '批准 / Approve',
            reject: '驳回 / Reject',
          }[action],
          params: idParam,
          body: { type: ['object', 'null'], properties: { note: { type: ['string', 'null'] } } },
        },
      },
      async (request) =>
        decideEntitlement(commandContext(context, request), {
          id: (request.params as { id: number }).id,
          action,
          note: (request.body as { note?: string } | null)?.note ?? null,
        }),
    );
  }

  app.post(
    '/api/benefits/reverify',
    {
      config: {
        access: { right: 'benefits.manage', unit: unitFrom('body', 'county'), audit: 'benefits.reverify' },
      },
      schema: {
        tags,
        summary: '年度审验 / Annual re-verification',
        body: {
          type: 'object',
          properties: { county, programmeId: programme, asOf: date, apply: { type: 'boolean' } },
          required: ['programmeId'],
        },
      },
    },
    async (request) => {
      const body = request.body as { county?: string; programmeId: string; asOf?: string; apply?: boolean };
      return reverifyEntitlements(commandContext(context, request), {
        ...body,
        countyCode: body.county ?? context.config.defaultCounty,
      });
    },
  );

  app.post(
    '/api/benefits/batches',
    {
      config: {
        access: { right: 'benefits.approve', unit: unitFrom('body', 'county'), audit: 'benefits.batch' },
      },
      schema: {
        tags,
        summary: '生成发放批次 / Run a payment batch',
        body: {
          type: 'object',
          properties: { county, programmeId: programme, period },
          required: ['programmeId', 'period'],
        },
      },
    },
    async (request) => {
      const body = request.body as { county?: string; programmeId: string; period: string };
      return runPaymentBatch(commandContext(context, request), {
        ...body,
        countyCode: body.county ?? context.config.defaultCounty,
      });
    },
  );

  app.get(
    '/api/benefits/batches/:id/bank-file',
    {
      config: {
        access: {
          right: 'benefits.approve',
          unit: unitBy('batch(params.id)', async (request) => {
            const id = Number((request.params as { id: number }).id);
            const row = await db
              .selectFrom('payment_batch')
              .select('county_code')
              .where('id', '=', id)
              .executeTakeFirst();
            return row?.county_code;
          }),
          audit: 'benefits.bank_file',
        },
      },
      schema: { tags, summary: '银行文件（CSV）/ Bank file (CSV)', params: idParam },
    },
    async (request, reply) => {
      const bank = await exportBankCsv(db, (request.params as { id: number }).id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('x-renkou-total-fen', String(bank.totalFen))
        .header('x-renkou-line-count', String(bank.lineCount))
        .send(bank.csv);
    },
  );

  app.post(
    '/api/benefits/payments/:id/reverse',
    {
      config: {
        access: {
          right: 'benefits.approve',
          unit: unitBy('payment(params.id)', async (request) => {
            const id = Number((request.params as { id: number }).id);
            const row = await db
              .selectFrom('payment_line')
              .select('org_code')
              .where('id', '=', id)
              .executeTakeFirst();
            return row?.org_code;
          }),
          audit: 'benefits.reverse',
        },
      },
      schema: {
        tags,
        summary: '冲正一笔发放 / Reverse a payment',
        params: idParam,
        body: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
      },
    },
    async (request) =>
      reversePayment(commandContext(context, request), {
        lineId: (request.params as { id: number }).id,
        reason: (request.body as { reason: string }).reason,
      }),
  );

  app.get(
    '/api/benefits/spending',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '支出及人均投入 / Spending and per-capita spending',
        querystring: { type: 'object', properties: { unit: unitCode, period }, required: ['unit', 'period'] },
      },
    },
    async (request) => {
      const s = await spendingSummary(db, request.query as { unit: string; period: string });
      // Figures only: no per-person rows.
      return { ...s, rows: undefined };
    },
  );

  app.post(
    '/api/benefits/disability',
    {
      config: {
        access: { right: 'benefits.manage', unit: bodyPersonUnit('personId'), audit: 'benefits.disability' },
      },
      schema: {
        tags,
        summary: '登记残疾证 / Record a disability certificate',
        body: {
          type: 'object',
          properties: {
            personId: { type: 'integer', minimum: 1 },
            grade: { type: ['integer', 'null'] },
            certificateNo: { type: ['string', 'null'] },
            validFrom: date,
            validTo: { type: ['string', 'null'] },
          },
          required: ['personId', 'validFrom'],
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await recordDisability(commandContext(context, request), request.body as never)),
  );
}
