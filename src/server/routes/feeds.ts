import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { withActorNames } from '../../access/actor-names.ts';
import type { WorkTaskKind } from '../../db/schema.ts';
import type { FeedPairReview } from '../../db/tables/feeds.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { ingestFeedFile } from '../../feeds/ingest-feed.ts';
import { linkFeedBatch } from '../../feeds/link-feed-batch.ts';
import { decidePair, listReview, type ReviewFilter } from '../../feeds/review.ts';
import { FEED_SOURCES, parseFeedSource } from '../../feeds/sources.ts';
import { closeTask, listTasks, TASK_KINDS, type TaskStatus } from '../../feeds/work-tasks.ts';
import { actorOf, type UnitResolver, unitBy, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { acceptTableUploads, receiveUpload } from '../upload.ts';

/**
 * Department feeds (upload a batch, run the linkage, the review queue) and the units' work lists
 * (work_task, shared by every finder: listed and closed here).
 */

const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

const issueSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    field: { type: 'string' },
    message: { type: 'object', additionalProperties: true },
  },
} as const;

const linkReportSchema = {
  type: 'object',
  properties: {
    batchId: { type: 'integer' },
    runId: { type: 'integer' },
    source: { type: 'string' },
    records: { type: 'integer' },
    entries: { type: 'integer' },
    registryPersons: { type: 'integer' },
    blocking: {
      type: 'array',
      items: {
        type: 'object',
        properties: { rule: { type: 'string' }, pairs: { type: 'integer' }, newPairs: { type: 'integer' } },
      },
    },
    candidatePairs: { type: 'integer' },
    prior: { type: 'number' },
    thresholds: { type: 'object', properties: { autoLink: { type: 'number' }, review: { type: 'number' } } },
    pairs: { type: 'object', properties: { link: { type: 'integer' }, review: { type: 'integer' } } },
    status: {
      type: 'object',
      properties: {
        linked: { type: 'integer' },
        review: { type: 'integer' },
        unmatched: { type: 'integer' },
      },
    },
    decisionsKept: { type: 'integer' },
    decisionsCarried: { type: 'integer' },
    tasks: {
      type: 'object',
      properties: { created: { type: 'integer' }, updated: { type: 'integer' }, closed: { type: 'integer' } },
    },
    ms: { type: 'integer' },
  },
} as const;

const reviewItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    countyCode: { type: 'string' },
    batchId: { type: 'integer' },
    rowNo: { type: 'integer' },
    source: { type: 'string' },
    role: { type: 'string' },
    personId: { type: 'integer' },
    orgCode: { type: ['string', 'null'] },
    eventDate: { type: ['string', 'null'] },
    matchWeight: { type: 'number' },
    matchProbability: { type: 'number' },
    decision: { type: 'string' },
    review: { type: ['string', 'null'] },
    reviewedBy: { type: ['string', 'null'] },
    reviewedAt: { type: ['string', 'null'] },
    reviewNote: { type: ['string', 'null'] },
    explanation: { type: 'object', additionalProperties: true },
  },
} as const;

const taskSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    countyCode: { type: 'string' },
    kind: { type: 'string' },
    orgCode: { type: 'string' },
    personId: { type: ['integer', 'null'] },
    source: { type: 'string' },
    sourceRef: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
    status: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    resolvedAt: { type: ['string', 'null'] },
    resolvedBy: { type: ['string', 'null'] },
    createdByName: { type: ['string', 'null'] },
    resolvedByName: { type: ['string', 'null'] },
    resolutionNote: { type: ['string', 'null'] },
  },
} as const;

/** The county a feed batch belongs to. */
function batchUnit(param = 'id'): UnitResolver {
  return unitBy(`feed_batch(params.${param})`, async (request, database) => {
    const id = Number((request.params as Record<string, unknown>)[param]);
    const row = await database.db
      .selectFrom('feed_batch')
      .select('county_code')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', text(`没有批次 ${id}`, `No batch ${id}`), { field: param });
    return row.county_code;
  });
}

/** The unit of a pair's record (its village), or of the registry person when the record has no place. */
function pairUnit(param = 'id'): UnitResolver {
  return unitBy(`feed_pair(params.${param})`, async (request, database) => {
    const id = Number((request.params as Record<string, unknown>)[param]);
    const row = (
      await sql<{ unit: string }>`
        SELECT coalesce(r.org_code, q.current_org_code, p.county_code) AS unit
          FROM feed_pair p
          JOIN feed_record r ON r.batch_id = p.batch_id AND r.row_no = p.row_no
          JOIN person q ON q.county_code = p.county_code AND q.id = p.person_id
         WHERE p.id = ${id}`.execute(database.db)
    ).rows[0];
    if (!row) throw new AppError('not_found', text(`没有配对 ${id}`, `No pair ${id}`), { field: param });
    return row.unit;
  });
}

/** The unit whose list a task is on. */
function taskUnit(param = 'id'): UnitResolver {
  return unitBy(`work_task(params.${param})`, async (request, database) => {
    const id = Number((request.params as Record<string, unknown>)[param]);
    const row = await database.db
      .selectFrom('work_task')
      .select('org_code')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', text(`没有待办 ${id}`, `No task ${id}`), { field: param });
    return row.org_code;
  });
}

export function registerFeedRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['feeds'];

  app.register(async (scope) => {
    // The file arrives as the raw body (JSON files too) and goes to a temporary file: hashed as sent.
    scope.removeContentTypeParser('application/json');
    acceptTableUploads(scope, ['application/json']);

    scope.post(
      '/api/feeds/batches',
      {
        config: { access: { right: 'feeds.ingest', unit: unitFrom('query', 'county') } },
        schema: {
          tags,
          summary:
            '接收部门文件（请求体为 CSV、XLSX 或 JSON 文件本身）/ Receive a department file: the body is the CSV, XLSX or JSON file',
          querystring: {
            type: 'object',
            properties: {
              source: { type: 'string', enum: [...FEED_SOURCES] },
              filename: { type: 'string', minLength: 1, maxLength: 255 },
              county: { type: 'string', pattern: '^[0-9]{6}$' },
              mapping: {
                type: 'string',
                description: 'JSON: { field: column name }, over the standard mapping',
              },
            },
            required: ['source', 'filename'],
          },
          response: {
            201: {
              type: 'object',
              properties: {
                batchId: { type: 'integer' },
                countyCode: { type: 'string' },
                source: { type: 'string' },
                fileName: { type: 'string' },
                format: { type: 'string' },
                columns: { type: 'array', items: { type: 'string' } },
                mapping: { type: 'object', additionalProperties: { type: 'string' } },
                rows: { type: 'integer' },
                blankRows: { type: 'integer' },
                rowsWithIssues: { type: 'integer' },
                issueCounts: { type: 'object', additionalProperties: { type: 'integer' } },
                rowIssues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { rowNo: { type: 'integer' }, issues: { type: 'array', items: issueSchema } },
                  },
                },
                placed: {
                  type: 'object',
                  properties: {
                    village: { type: 'integer' },
                    township: { type: 'integer' },
                    none: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const query = request.query as {
          source: string;
          filename: string;
          county?: string;
          mapping?: string;
        };
        let mapping: unknown;
        if (query.mapping) {
          try {
            mapping = JSON.parse(query.mapping);
          } catch {
            throw new AppError(
              'invalid_input',
              text('mapping 不是有效的 JSON', 'mapping is not valid JSON'),
              { field: 'mapping' },
            );
          }
        }
        const report = await receiveUpload(request, MAX_UPLOAD_BYTES, (path) =>
          ingestFeedFile(context.database, {
            source: parseFeedSource(query.source),
            path,
            fileName: query.filename,
            mapping,
            county: query.county,
            actor: actorOf(request),
          }),
        );
        return reply.status(201).send(report);
      },
    );
  });

  app.get(
    '/api/feeds/batches',
    {
      config: { access: { right: 'feeds.review', unit: unitFrom('query', 'county') } },
      schema: {
        tags,
        summary: '接收的批次 / Batches received',
        querystring: { type: 'object', properties: { county: { type: 'string', pattern: '^[0-9]{6}$' } } },
      },
    },
    async (request) => {
      const county = (request.query as { county?: string }).county;
      const rows = (
        await sql<Record<string, unknown>>`
          SELECT b.id, b.county_code AS "countyCode", b.source, b.file_name AS "fileName", b.row_count AS "rowCount",
                 b.status, b.received_at AS "receivedAt", b.received_by AS "receivedBy", b.last_run_id AS "lastRunId",
                 (SELECT jsonb_object_agg(s, n) FROM (SELECT link_status AS s, count(*)::int AS n FROM feed_record r
                   WHERE r.batch_id = b.id GROUP BY 1) x) AS "linkStatus"
            FROM feed_batch b
           WHERE ${county ? sql`b.county_code = ${county}` : sql`true`}
           ORDER BY b.id`.execute(context.database.db)
      ).rows;
      return { items: rows };
    },
  );

  app.post(
    '/api/feeds/batches/:id/link',
    {
      config: { access: { right: 'feeds.review', unit: batchUnit('id') } },
      schema: {
        tags,
        summary:
          '把批次与人口登记链接（可重复运行，人工决定保留）/ Link a batch with the registry (safe to re-run; review decisions are kept)',
        params: idParams,
        response: { 200: linkReportSchema },
      },
    },
    (request) =>
      linkFeedBatch(context.database, (request.params as { id: number }).id, { actor: actorOf(request) }),
  );

  app.get(
    '/api/feeds/review',
    {
      config: {
        access: { right: 'feeds.review', unit: unitFrom('query', 'unit'), audit: 'feeds.review.list' },
      },
      schema: {
        tags,
        summary:
          '审核队列（按单位分页，含两边记录和每个字段的权重）/ The review queue per unit, paged, with both records and each field’s weight',
        querystring: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: '^[0-9]{6,12}$' },
            status: { type: 'string', enum: ['open', 'unsure', 'decided', 'all'] },
            batch: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 200 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, items: { type: 'array', items: reviewItemSchema } },
          },
        },
      },
    },
    (request) => {
      const q = request.query as {
        unit?: string;
        status?: ReviewFilter;
        batch?: number;
        limit?: number;
        offset?: number;
      };
      return listReview(context.database, {
        unit: q.unit,
        status: q.status,
        batchId: q.batch,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.post(
    '/api/feeds/review/:id',
    {
      config: { access: { right: 'feeds.review', unit: pairUnit('id'), audit: 'feeds.review.decide' } },
      schema: {
        tags,
        summary: '对配对作出决定：接受、拒绝或不确定 / Decide on a pair: accept, reject or unsure',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            decision: { type: 'string', enum: ['accepted', 'rejected', 'unsure'] },
            note: { type: 'string', maxLength: 1000 },
          },
          required: ['decision'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              pairId: { type: 'integer' },
              decision: { type: 'string' },
              batchId: { type: 'integer' },
              rowNo: { type: 'integer' },
              recordStatus: { type: 'string' },
              settle: { type: 'object', additionalProperties: true },
              alsoDecided: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { batchId: { type: 'integer' }, rowNo: { type: 'integer' } },
                },
              },
            },
          },
        },
      },
    },
    (request) => {
      const body = request.body as { decision: FeedPairReview; note?: string };
      return decidePair(context.database, {
        pairId: (request.params as { id: number }).id,
        decision: body.decision,
        note: body.note,
        actor: actorOf(request),
      });
    },
  );

  app.get(
    '/api/tasks',
    {
      config: { access: { right: 'registry.write', unit: unitFrom('query', 'unit'), audit: 'tasks.list' } },
      schema: {
        tags: ['tasks'],
        summary: '单位的待办（含下级单位）/ A unit’s work list (and its units’)',
        querystring: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: '^[0-9]{6,12}$' },
            kind: { type: 'string', enum: [...TASK_KINDS] },
            status: { type: 'string', enum: ['open', 'done', 'dismissed', 'all'] },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              counts: { type: 'object', additionalProperties: { type: 'integer' } },
              items: { type: 'array', items: taskSchema },
            },
          },
        },
      },
    },
    async (request) => {
      const q = request.query as {
        unit?: string;
        kind?: WorkTaskKind;
        status?: TaskStatus | 'all';
        limit?: number;
        offset?: number;
      };
      const list = await listTasks(context.database, q);
      const items = await withActorNames(
        context.database.db,
        requestLang(request),
        list.items,
        ['createdBy', 'resolvedBy'],
        'Name',
      );
      return { ...list, items };
    },
  );

  app.post(
    '/api/tasks/:id',
    {
      config: { access: { right: 'registry.write', unit: taskUnit('id') } },
      schema: {
        tags: ['tasks'],
        summary: '把待办标为已办或不予处理，并写明原因 / Mark a task done or dismissed, with a note',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['done', 'dismissed'] },
            note: { type: 'string', maxLength: 1000 },
          },
          required: ['status'],
          additionalProperties: false,
        },
        response: { 200: taskSchema },
      },
    },
    async (request) => {
      const body = request.body as { status: 'done' | 'dismissed'; note?: string };
      const task = await closeTask(context.database, {
        id: (request.params as { id: number }).id,
        status: body.status,
        note: body.note,
        actor: actorOf(request),
      });
      const [named] = await withActorNames(
        context.database.db,
        requestLang(request),
        [task],
        ['createdBy', 'resolvedBy'],
        'Name',
      );
      return named;
    },
  );
}
