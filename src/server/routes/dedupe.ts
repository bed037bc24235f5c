import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runDedupe } from '../../dedupe/run-dedupe.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { mergePersons, undoMerge } from '../../registry/commands/merge-persons.ts';
import { actorOf, personUnit, unitBy, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

/** The smallest unit holding both codes (village, township or county), for a right that must cover both records. */
function commonUnit(a: string, b: string): string {
  for (const length of [12, 9, 6]) {
    if (a.slice(0, length) === b.slice(0, length)) return a.slice(0, length);
  }
  return a.slice(0, 6);
}

/** Routes for registry duplicates: a finder run writing merge suggestions, a merge, its undo. */
export function registerDedupeRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['dedupe'];
  const db = context.database.db;

  app.post(
    '/api/dedupe/runs',
    {
      config: { access: { right: 'feeds.review', unit: unitFrom('body', 'unit'), audit: 'dedupe.run' } },
      schema: {
        tags,
        summary:
          '查找重复人员，写入合并待办（疑似重复与可能重复） / Find duplicates and write merge tasks (suspected and possible)',
        body: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: '^[0-9]{6}([0-9]{3})?([0-9]{3})?$' },
            minProbability: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          },
          required: ['unit'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: {
              runId: { type: 'integer' },
              countyCode: { type: 'string' },
              unit: { type: 'string' },
              persons: { type: 'integer' },
              candidatePairs: { type: 'integer' },
              blocking: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    rule: { type: 'string' },
                    pairs: { type: 'integer' },
                    newPairs: { type: 'integer' },
                  },
                },
              },
              suggestFrom: { type: 'number' },
              possibleFrom: { type: 'number' },
              suggestions: { type: 'integer' },
              tasksCreated: { type: 'integer' },
              tasksExisting: { type: 'integer' },
              possible: { type: 'integer' },
              possibleTasksCreated: { type: 'integer' },
              possibleTasksExisting: { type: 'integer' },
              tasksUpdated: { type: 'integer' },
              prior: { type: 'number' },
              ms: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { unit: string; minProbability?: number };
      const report = await runDedupe(db, {
        unit: body.unit,
        actor: actorOf(request),
        ...(body.minProbability === undefined ? {} : { minProbability: body.minProbability }),
      });
      return reply.code(201).send(report);
    },
  );

  const mergeResult = {
    type: 'object',
    properties: {
      mergeId: { type: 'integer' },
      changedRows: { type: 'integer' },
      kept: { type: 'object', additionalProperties: true },
      dropped: { type: 'object', additionalProperties: true },
    },
  } as const;

  app.post(
    '/api/persons/:id/merge',
    {
      config: {
        access: {
          right: 'registry.write',
          unit: unitBy('persons(params.id, body.dropId)', async (request, database) => {
            const keep = await personUnit('id').resolve(request, database);
            const dropId = (request.body as { dropId?: unknown } | undefined)?.dropId;
            const drop = await personUnit('dropId').resolve(
              { params: { dropId } } as unknown as FastifyRequest,
              database,
            );
            return keep && drop ? commonUnit(keep, drop) : keep;
          }),
          audit: 'person.merge',
        },
      },
      schema: {
        tags,
        summary:
          '把重复记录合并到此人（保留历史，可撤销） / Merge a duplicate record into this person (history kept, can be undone)',
        params: idParams,
        body: {
          type: 'object',
          properties: {
            dropId: { type: 'integer', minimum: 1 },
            keepVersion: { type: 'integer', minimum: 1 },
            dropVersion: { type: 'integer', minimum: 1 },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
            workTaskId: { type: ['integer', 'null'] },
          },
          required: ['dropId', 'keepVersion', 'dropVersion', 'reason'],
          additionalProperties: false,
        },
        response: { 201: mergeResult },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        dropId: number;
        keepVersion: number;
        dropVersion: number;
        reason: string;
        workTaskId?: number | null;
      };
      const result = await mergePersons(
        { db, actor: { id: actorOf(request) } },
        { keepId: (request.params as { id: number }).id, ...body },
      );
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/api/merges/:id/undo',
    {
      config: {
        access: {
          right: 'registry.write',
          unit: unitBy('merge(params.id)', async (request, database) => {
            const id = Number((request.params as { id?: unknown }).id);
            const merge = await database.db
              .selectFrom('person_merge as m')
              .innerJoin('person as k', (join) => join.onRef('k.id', '=', 'm.kept_person_id'))
              .innerJoin('person as d', (join) => join.onRef('d.id', '=', 'm.dropped_person_id'))
              .select(['m.county_code', 'k.current_org_code as kept', 'd.current_org_code as dropped'])
              .where('m.id', '=', id)
              .executeTakeFirst();
            if (!merge) {
              throw new AppError('not_found', text(`找不到合并记录 ${id}`, `No merge ${id}`), {
                field: 'id',
              });
            }
            return commonUnit(merge.kept ?? merge.county_code, merge.dropped ?? merge.county_code);
          }),
          audit: 'person.merge_undo',
        },
      },
      schema: {
        tags,
        summary: '撤销合并，恢复合并前的状态 / Undo a merge, restoring the state before it',
        params: idParams,
        body: {
          type: 'object',
          properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
          required: ['reason'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { mergeId: { type: 'integer' }, restoredRows: { type: 'integer' } },
          },
        },
      },
    },
    (request) =>
      undoMerge(
        { db, actor: { id: actorOf(request) } },
        {
          mergeId: (request.params as { id: number }).id,
          reason: (request.body as { reason: string }).reason,
        },
      ),
  );
}
