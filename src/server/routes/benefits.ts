import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withActorNames } from '../../access/actor-names.ts';
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
  type ScreenSummary,
  screenEligible,
  spendingSummary,
} from '../../benefits/index.ts';
import { AppError, fieldIssue, invalidInput } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import type { CommandContext } from '../../registry/context.ts';
import {
  importServicesFile,
  listServices,
  recordService,
  type ServiceInput,
  voidService,
} from '../../services/index.ts';
import {
  actorOf,
  bodyPersonUnit,
  importTarget,
  serviceRecordUnit,
  type UnitResolver,
  unitBy,
  unitFrom,
} from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { dateSchema } from '../schemas.ts';
import { acceptTableUploads, receiveUpload } from '../upload.ts';
import { itemsResponse } from './list-response.ts';

/**
 * Largest service file taken over HTTP: some 500,000 rows, whose per-row report is answered whole;
 * a larger export goes through the CLI (renkou services import), which reads any size.
 */
const MAX_SERVICE_UPLOAD_BYTES = 64 * 1024 * 1024;

const idParam = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
const unitCode = { type: 'string', pattern: '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$' } as const;
const county = { type: 'string', pattern: '^[0-9]{6}$' } as const;
/** A unit at any level from the province down (an import's unit, as the person import takes it). */
const anyUnit = {
  type: 'string',
  pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$',
} as const;
const programme = { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 64 } as const;
const period = {
  type: 'string',
  pattern: '^[0-9]{4}(H[12]|Q[1-4]|-[0-9]{2})?$',
  description: '2025H2, 2025Q3, 2025, 2025-07',
} as const;
const date = dateSchema;
const nullableDate = { ...dateSchema, type: ['string', 'null'] } as const;
const personId = { type: 'integer', minimum: 1 } as const;

// --- response shapes (what each route answers; fields not listed here are not sent) ---
const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const bilingual = {
  type: 'object',
  properties: { 'zh-CN': str, en: str },
  required: ['zh-CN', 'en'],
} as const;
const entitlementRow = {
  type: 'object',
  properties: {
    id: int,
    county_code: str,
    programme_id: str,
    person_id: int,
    payee_person_id: nullableInt,
    person_name: str,
    person_status: str,
    person_merged_into_id: nullableInt,
    payee_name: str,
    payee_id_number: nullableStr,
    bank_account: nullableStr,
    org_code: str,
    status: str,
    start_date: str,
    end_date: nullableStr,
    stop_reason: nullableStr,
    applied_by: str,
    applied_at: str,
    reviewed_by: nullableStr,
    reviewed_at: nullableStr,
    decided_by: nullableStr,
    decided_at: nullableStr,
    decision_note: nullableStr,
    version: int,
  },
} as const;
const serviceRow = {
  type: 'object',
  properties: {
    id: int,
    kind: str,
    person_id: int,
    person_name: str,
    related_person_id: nullableInt,
    service_date: str,
    provider: str,
    outcome_code: str,
    consent: { type: 'boolean' },
    quantity: nullableInt,
    org_code: str,
    source: str,
    entered_by: str,
    entered_by_name: nullableStr,
    entered_at: str,
    voided: { type: 'boolean' },
    void_reason: nullableStr,
    voided_by: nullableStr,
    voided_by_name: nullableStr,
    voided_at: nullableStr,
  },
} as const;
const issueSchema = {
  type: 'object',
  properties: { code: str, field: str, message: bilingual },
} as const;
const candidateSchema = {
  type: 'object',
  properties: {
    personId: int,
    name: str,
    idNumber: nullableStr,
    sex: str,
    birthDate: str,
    orgCode: nullableStr,
    townshipCode: nullableStr,
    motherId: nullableInt,
    fatherId: nullableInt,
    householdId: nullableInt,
    months: nullableInt,
    previousStatus: nullableStr,
    needsReview: {
      type: 'array',
      items: { type: 'object', properties: { code: str, message: bilingual } },
    },
    duplicateRecordIds: { type: 'array', items: int },
  },
} as const;
const heldLine = {
  type: 'object',
  properties: {
    entitlementId: int,
    personId: int,
    reason: str,
    sameAsEntitlementId: int,
    message: bilingual,
  },
} as const;

/**
 * The unit of the person a body field names — after checking the field is a person id, so a
 * malformed or missing id is a 400 naming the field (the access check runs before the schema).
 */
function bodyPerson(key: string): UnitResolver {
  const lookup = bodyPersonUnit(key);
  return {
    ...lookup,
    resolve: (request, database) => {
      const value = (request.body as Record<string, unknown> | null | undefined)?.[key];
      const id = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
        throw invalidInput([
          value === undefined || value === null
            ? fieldIssue('required', key, `缺少 ${key}（人员编号）`, `${key} (a person id) is required`)
            : fieldIssue(
                'invalid',
                key,
                `${key} 应为人员编号（正整数）`,
                `${key} must be a person id (a positive whole number)`,
              ),
        ]);
      }
      return lookup.resolve(request, database);
    },
  };
}

/** A record that is not there: 404 naming the path parameter (before any unit is judged). */
function noRecord(what: { zh: string; en: string }, id: unknown): never {
  throw new AppError('not_found', text(`没有${what.zh} ${id}`, `No ${what.en} ${id}`), { field: 'id' });
}

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
      return row?.org_code ?? noRecord({ zh: '待遇', en: 'entitlement' }, id);
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
            voided: {
              type: 'boolean',
              description:
                'true：列出已作废的记录（原因、作废人、时间），而不是有效记录 / true: the voided records (reason, by whom, when) instead of the live ones',
            },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: serviceRow } } } },
      },
    },
    async (request) => {
      const q = request.query as { unit?: string } & Record<string, never>;
      const unit = q.unit ?? context.config.defaultCounty;
      const items = await listServices(db, { ...q, countyCode: unit.slice(0, 6), unit });
      return {
        items: await withActorNames(db, requestLang(request), items, ['entered_by', 'voided_by'], '_name'),
      };
    },
  );

  app.post(
    '/api/services',
    {
      config: {
        access: { right: 'services.write', unit: bodyPerson('personId'), audit: 'services.write' },
      },
      schema: {
        tags: ['services'],
        summary: '记录一次服务（须本人同意）/ Record a service (with consent)',
        body: {
          type: 'object',
          properties: {
            kind: { type: 'string', maxLength: 64 },
            personId,
            relatedPersonId: { type: ['integer', 'null'], minimum: 1 },
            serviceDate: date,
            provider: { type: 'string', minLength: 1, maxLength: 200 },
            outcomeCode: { type: 'string', minLength: 1, maxLength: 64 },
            consent: { type: 'boolean' },
            quantity: { type: ['integer', 'null'], minimum: 1 },
          },
          required: ['kind', 'personId', 'serviceDate', 'provider', 'outcomeCode', 'consent'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: { id: int, kind: str, person_id: int, service_date: str, org_code: str },
          },
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
    '/api/services/:id/void',
    {
      config: {
        // The record's village (where it is listed) or its person's unit now (where it is entered).
        access: {
          right: 'services.write',
          unit: serviceRecordUnit('services.write'),
          audit: 'services.void',
        },
      },
      schema: {
        tags: ['services'],
        summary: '作废错误的服务记录（须填原因）/ Void a mistaken service record, with a reason',
        description:
          '记录保留（原因、作废人、时间），不再计入列表和覆盖率指标；没有此记录 404（字段 id），已作废 409（already_voided），原因为空 400（字段 reason）。记录编号保留：同一行再次导入为 unchanged，同一记录编号而内容不同的行作为更正写入。 / ' +
          'The record stays (reason, by whom, when) and no longer counts in the list or the coverage indicators; no such record is a 404 (field id), one voided already a 409 (already_voided), an empty reason a 400 (field reason). The record keeps its import key: the same row imported again is unchanged, a row with the same record number and other content is written as its correction.',
        params: idParam,
        body: {
          type: 'object',
          properties: { reason: { type: 'string', description: '作废原因 / Why it is voided' } },
          required: ['reason'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              id: int,
              kind: str,
              person_id: int,
              service_date: str,
              org_code: str,
              voided: { type: 'boolean' },
              void_reason: nullableStr,
              voided_by: nullableStr,
              voided_by_name: nullableStr,
              voided_at: nullableStr,
            },
          },
        },
      },
    },
    async (request) => {
      const row = await voidService(
        commandContext(context, request),
        (request.params as { id: number }).id,
        (request.body as { reason: string }).reason,
      );
      const [named] = await withActorNames(db, requestLang(request), [row], ['voided_by'], '_name');
      return named;
    },
  );

  app.register(async (scope) => {
    // The provider's file arrives as the raw body, goes to a temporary file and is read from there
    // as a stream, as the CLI reads it (src/server/upload.ts, the person import's way).
    acceptTableUploads(scope);
    scope.post(
      '/api/services/import',
      {
        config: {
          // The person import's rule: ?unit= (or ?county=), one's own unit by default.
          access: { right: 'services.write', unit: importTarget(), audit: 'services.import' },
        },
        schema: {
          tags: ['services'],
          summary:
            '上传服务机构导出的 CSV/XLSX 导入服务记录（请求体为文件本身），逐行报告 / Import a provider’s CSV or XLSX export: the request body is the file; a report per row',
          description:
            '请求体为 CSV（UTF-8 或 GB18030，逗号或制表符分隔）或 XLSX 文件本身，Content-Type 为 text/csv、application/octet-stream 或 xlsx 的类型；上限 64 MB（更大的文件用命令行 renkou services import）。' +
            '列：kind,id_number,related_id_number,service_date,provider,outcome_code,consent,quantity,import_key（或中文表头）。' +
            '逐行报告：ok（新记录 id；若同一记录编号下的记录已作废，本行作为其更正写入，replaces 为被更正的记录 id）、unchanged（已导入过：同一记录编号下的同一条记录，或无记录编号时内容相同，或与已作废的记录相同——作废的记录不会因再次导入而恢复）、rejected（逐字段问题，中英文；记录编号已用于另一条服务记录为 import_key_reused，同一服务但内容不同为 import_key_changed，字段 importKey）；columns 给出各字段在模板中的列名（中文表头、英文表头）。同一文件再次上传不会新增记录。' +
            '导入所属单位为 ?unit=（县、乡镇或村居，默认为本人的单位）：现住地不在其内的人的行被拒收（outside_units，字段 idNumber），其余照常导入。' +
            '没有文件、空文件、损坏的 XLSX 或缺少必需列的文件整体拒收（400，字段级错误）。 / ' +
            'The body is the CSV (UTF-8 or GB18030, comma or tab) or XLSX file itself, sent as text/csv, application/octet-stream or the xlsx type; 64 MB at most (larger files: the CLI, renkou services import). ' +
            'Columns: kind,id_number,related_id_number,service_date,provider,outcome_code,consent,quantity,import_key (or the Chinese headers). ' +
            'A report per row: ok (the new record’s id; where the record under the same import_key was voided, the row is written as its correction and replaces names it), unchanged (imported before: the same record under the same import_key, or for a row without one the same content, or a voided record again — an import never brings back a voided record), rejected (field-level issues in zh-CN and en; a record number already used for another service record is import_key_reused, the same service with other details import_key_changed, field importKey); columns gives each field’s column as the template names it (the Chinese and the English header). Uploading the same file again writes nothing new. ' +
            'The import is for ?unit= (county, township or village; your own by default): a row for a person who does not live in it is rejected (outside_units, field idNumber), the others import as usual. ' +
            'No file, an empty file, a damaged XLSX or a header without the required columns is refused as a whole (400, field-level error).',
          querystring: {
            type: 'object',
            properties: {
              unit: {
                ...anyUnit,
                description:
                  '导入所属单位（县、乡镇或村居），默认为本人的单位；现住地不在其内的人的行被拒收（outside_units）/ The unit the import is for (county, township or village), your own by default; rows for persons who do not live in it are rejected (outside_units)',
              },
              county: {
                ...county,
                description:
                  '县（6 位代码）；默认为 unit 所在的县 / The county (6 digits); by default the county of unit',
              },
              source: {
                type: 'string',
                minLength: 1,
                maxLength: 64,
                description:
                  '来源名称（默认 import；记录编号在同一来源内唯一：每个服务机构用它自己的一个来源名称，见 docs/services.md）/ The source (import by default; record numbers are unique within a source: one source name per provider, see docs/services.md)',
              },
              chunkSize: { type: 'integer', minimum: 1, maximum: 100000 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                unitCode: str,
                ok: int,
                unchanged: int,
                rejected: int,
                columns: {
                  type: 'array',
                  items: { type: 'object', properties: { field: str, label: bilingual } },
                },
                rows: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      rowNo: int,
                      status: str,
                      id: int,
                      issues: { type: 'array', items: issueSchema },
                      replaces: int,
                      note: bilingual,
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const query = request.query as { county?: string; source?: string; chunkSize?: number };
        // The unit checked against the caller's rights: rows for persons living outside it are rejected.
        const unit = request.accessUnit;
        const countyCode =
          query.county ?? (unit && unit.length >= 6 ? unit.slice(0, 6) : context.config.defaultCounty);
        return receiveUpload(request, MAX_SERVICE_UPLOAD_BYTES, (path) =>
          importServicesFile(
            { ...commandContext(context, request), countyCode },
            {
              path,
              ...(unit ? { unit } : {}),
              ...(query.source ? { source: query.source } : {}),
              ...(query.chunkSize ? { chunkSize: query.chunkSize } : {}),
            },
          ),
        );
      },
    );
  });

  // --- benefits ---
  const tags = ['benefits'];
  app.get(
    '/api/benefits/programmes',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags,
        summary: '扶助项目及版本 / Support programmes and their versions',
        response: {
          200: itemsResponse({
            type: 'object',
            properties: {
              programmeId: str,
              effectiveFrom: str,
              // Programmes are data: the definition is sent as stored (see docs/benefits.md).
              definition: { type: 'object', additionalProperties: true },
            },
          }),
        },
      },
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
        response: {
          200: {
            type: 'object',
            properties: {
              period: str,
              byTownship: {
                type: 'array',
                items: { type: 'object', properties: { townshipCode: nullableStr, count: int } },
              },
              candidates: { type: 'array', items: candidateSchema },
              heldAsDuplicates: {
                type: 'array',
                items: { type: 'object', properties: { personId: int, sameAs: int, reason: str } },
              },
            },
          },
        },
      },
    },
    async (request): Promise<ScreenSummary> => {
      const q = request.query as { programme: string; period: string; unit?: string };
      const unit = q.unit ?? context.config.defaultCounty;
      const result = await screenEligible(db, {
        countyCode: unit.slice(0, 6),
        programmeId: q.programme,
        period: q.period,
        unit,
      });
      return {
        period: result.period.id,
        byTownship: result.byTownship,
        candidates: result.candidates,
        heldAsDuplicates: result.heldAsDuplicates,
      };
    },
  );

  app.post(
    '/api/benefits/applications',
    {
      config: {
        access: { right: 'benefits.manage', unit: bodyPerson('personId'), audit: 'benefits.apply' },
      },
      schema: {
        tags,
        summary: '登记申请 / Record an application',
        body: {
          type: 'object',
          properties: {
            programmeId: programme,
            personId,
            period,
            payeePersonId: { type: ['integer', 'null'], minimum: 1 },
            bankAccount: { type: ['string', 'null'], pattern: '^[0-9 -]{8,40}$' },
          },
          required: ['programmeId', 'personId'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: { id: int, programme_id: str, person_id: int, status: str, start_date: str },
          },
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
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: entitlementRow } } },
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
          body: {
            type: ['object', 'null'],
            properties: { note: { type: ['string', 'null'], maxLength: 2000 } },
            additionalProperties: false,
          },
          response: { 200: { type: 'object', properties: { id: int, status: str } } },
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
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              programmeId: str,
              asOf: str,
              checked: int,
              stillEligible: int,
              toStop: int,
              applied: { type: 'boolean' },
              label: bilingual,
              findings: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    entitlementId: int,
                    personId: int,
                    orgCode: str,
                    reason: str,
                    failed: { type: 'array', items: bilingual },
                    endDate: str,
                  },
                },
              },
            },
          },
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
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              programmeId: str,
              period: str,
              batchId: nullableInt,
              lineCount: int,
              totalFen: int,
              alreadyPaid: int,
              held: { type: 'array', items: heldLine },
            },
          },
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
            return row?.county_code ?? noRecord({ zh: '发放批次', en: 'payment batch' }, id);
          }),
          audit: 'benefits.bank_file',
        },
      },
      schema: {
        tags,
        summary: '银行文件（CSV）/ Bank file (CSV)',
        params: idParam,
        response: { 200: { type: 'string', description: 'text/csv; charset=utf-8, with BOM' } },
      },
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
            return row?.org_code ?? noRecord({ zh: '发放明细', en: 'payment line' }, id);
          }),
          audit: 'benefits.reverse',
        },
      },
      schema: {
        tags,
        summary: '冲正一笔发放 / Reverse a payment',
        params: idParam,
        body: {
          type: 'object',
          properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
          required: ['reason'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { id: int, batch_id: int, amount_fen: int } } },
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
        response: {
          200: {
            type: 'object',
            properties: {
              unit: str,
              period: str,
              totalFen: int,
              averagePopulation: { type: 'number' },
              perCapitaFen: nullableInt,
              byProgramme: {
                type: 'array',
                items: { type: 'object', properties: { programmeId: str, totalFen: int } },
              },
              byTownship: {
                type: 'array',
                items: { type: 'object', properties: { townshipCode: str, totalFen: int } },
              },
            },
          },
        },
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
        access: { right: 'benefits.manage', unit: bodyPerson('personId'), audit: 'benefits.disability' },
      },
      schema: {
        tags,
        summary: '登记残疾证 / Record a disability certificate',
        body: {
          type: 'object',
          properties: {
            personId,
            grade: { type: ['integer', 'null'], minimum: 1, maximum: 4 },
            certificateNo: { type: ['string', 'null'], maxLength: 64 },
            validFrom: date,
            validTo: nullableDate,
          },
          required: ['personId', 'validFrom'],
          additionalProperties: false,
        },
        response: { 201: { type: 'object', properties: { id: int, person_id: int, valid_from: str } } },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await recordDisability(commandContext(context, request), request.body as never)),
  );
}
