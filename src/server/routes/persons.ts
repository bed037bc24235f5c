import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withActorNames } from '../../access/actor-names.ts';
import type { CommandContext } from '../../registry/context.ts';
import {
  changeResidence,
  correctPerson,
  createHousehold,
  getPersonAsOf,
  getPersonDetail,
  getPersonHistory,
  populationOn,
  registerBirth,
  registerDeath,
  registerDivorce,
  registerMarriage,
  registerMoveIn,
  registerMoveOut,
  searchPersons,
  totalOf,
  voidEvent,
  voidPerson,
} from '../../registry/index.ts';
import { toPersonView } from '../../registry/queries/get-person.ts';
import { actorOf, bodyPersonUnit, eventUnit, personUnit, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { requestLang } from '../errors.ts';
import { dateSchema } from '../schemas.ts';

export const idParam = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
/** A command's date: the domain checks it, with a message that names the event. */
const date = { type: 'string', description: 'YYYY-MM-DD' } as const;
const nullableDate = { type: ['string', 'null'], description: 'YYYY-MM-DD' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableId = { type: ['integer', 'null'] } as const;
/** Who a new record is: a newborn's and an arriving person's fields alike. */
const identity = {
  name: { type: 'string' },
  sex: { type: 'string' },
  birthDate: date,
  idNumber: nullableString,
  ethnicity: nullableString,
} as const;

/**
 * The vital-event commands' bodies, by command: the routes' schemas, and what the CLI's
 * `renkou register … --data` is checked against (src/cli/commands/person.ts), so both refuse the same
 * input with the same field-level message.
 */
export const registryBodies = {
  household: {
    type: 'object',
    properties: {
      householdNo: { type: 'string' },
      orgCode: { type: 'string' },
      address: nullableString,
      hukouType: nullableString,
    },
    required: ['householdNo', 'orgCode'],
  },
  birth: {
    type: 'object',
    properties: {
      child: {
        type: 'object',
        properties: identity,
        required: ['name', 'sex', 'birthDate'],
      },
      motherId: { type: 'integer' },
      fatherId: nullableId,
      householdId: nullableId,
      orgCode: nullableString,
      residenceType: { type: 'string' },
      reportDate: nullableDate,
      place: nullableString,
      hospital: nullableString,
    },
    required: ['child', 'motherId'],
  },
  death: {
    type: 'object',
    properties: {
      personId: { type: 'integer' },
      deathDate: date,
      reportDate: nullableDate,
      cause: nullableString,
      expectedVersion: { type: 'integer' },
    },
    required: ['personId', 'deathDate'],
  },
  marriage: {
    type: 'object',
    properties: {
      personId: { type: 'integer' },
      partnerId: nullableId,
      partner: {
        type: ['object', 'null'],
        properties: { name: { type: 'string' }, idNumber: nullableString },
        required: ['name'],
      },
      marriageDate: date,
      reportDate: nullableDate,
    },
    required: ['personId', 'marriageDate'],
  },
  divorce: {
    type: 'object',
    properties: { personId: { type: 'integer' }, divorceDate: date, reportDate: nullableDate },
    required: ['personId', 'divorceDate'],
  },
  moveIn: {
    type: 'object',
    properties: {
      person: {
        type: 'object',
        properties: {
          ...identity,
          hukouType: nullableString,
          maritalStatus: nullableString,
          phone: nullableString,
        },
        required: ['name', 'sex', 'birthDate'],
      },
      orgCode: { type: 'string' },
      residenceType: { type: 'string' },
      moveDate: date,
      householdId: nullableId,
      relationToHead: nullableString,
      fromPlace: nullableString,
      reportDate: nullableDate,
    },
    required: ['person', 'orgCode', 'residenceType', 'moveDate'],
  },
  moveOut: {
    type: 'object',
    properties: {
      personId: { type: 'integer' },
      moveDate: date,
      kind: { type: 'string', enum: ['out_of_county', 'outflow'] },
      toPlace: nullableString,
      reportDate: nullableDate,
      expectedVersion: { type: 'integer' },
    },
    required: ['personId', 'moveDate', 'kind'],
  },
  moveWithin: {
    type: 'object',
    properties: {
      personId: { type: 'integer' },
      date,
      orgCode: { type: 'string' },
      residenceType: { type: 'string' },
      reportDate: nullableDate,
      expectedVersion: { type: 'integer' },
    },
    required: ['personId', 'date', 'orgCode'],
  },
  correction: {
    type: 'object',
    properties: {
      expectedVersion: { type: 'integer' },
      changes: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      reason: { type: 'string' },
    },
    required: ['expectedVersion', 'changes', 'reason'],
  },
  voidPerson: {
    type: 'object',
    properties: { expectedVersion: { type: 'integer' }, reason: { type: 'string' } },
    required: ['expectedVersion', 'reason'],
  },
} as const;

/** The signed-in user (src/server/access.ts) is who the history records. */
function commandContext(app: AppContext, request: FastifyRequest): CommandContext {
  return { db: app.database.db, actor: { id: actorOf(request) } };
}

/** Registry routes: person pages, history, the vital-event commands, population. */
export function registerPersonRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['registry'];

  app.get(
    '/api/persons',
    {
      config: { access: { right: 'registry.read', unit: unitFrom('query', 'unit'), audit: 'person.search' } },
      schema: {
        tags,
        summary:
          '查找人员：身份证号、汉字姓名、拼音或首字母 / Search by ID number, Han name, pinyin or initials',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 60 },
            unit: { type: 'string', pattern: '^[0-9]{2,12}$' },
            sex: { type: 'string', enum: ['male', 'female'] },
            birthFrom: dateSchema,
            birthTo: dateSchema,
            residenceType: { type: 'string', enum: ['registered', 'resident', 'inflow', 'outflow'] },
            includeInactive: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            offset: { type: 'integer', minimum: 0, maximum: 10000 },
          },
          required: ['q'],
        },
      },
    },
    (request) => searchPersons(context.database.db, request.query as { q: string }),
  );

  app.get(
    '/api/persons/:id',
    {
      config: { access: { right: 'registry.read', unit: personUnit('id'), audit: 'person.read' } },
      schema: {
        tags,
        summary: '人员详情 / Person with household, relatives, residence and events',
        params: idParam,
      },
    },
    (request) => getPersonDetail(context.database.db, (request.params as { id: number }).id),
  );

  app.get(
    '/api/persons/:id/history',
    {
      config: { access: { right: 'registry.read', unit: personUnit('id'), audit: 'person.read' } },
      schema: { tags, summary: '修改历史 / Change history', params: idParam },
    },
    async (request) => {
      const db = context.database.db;
      const items = await getPersonHistory(db, (request.params as { id: number }).id);
      return { items: await withActorNames(db, requestLang(request), items, ['changedBy'], 'Name') };
    },
  );

  app.get(
    '/api/persons/:id/as-of',
    {
      config: { access: { right: 'registry.read', unit: personUnit('id'), audit: 'person.read' } },
      schema: {
        tags,
        summary: '某日登记库所知的记录 / The record as known on a date',
        params: idParam,
        querystring: { type: 'object', properties: { date: dateSchema }, required: ['date'] },
      },
    },
    (request) =>
      getPersonAsOf(
        context.database.db,
        (request.params as { id: number }).id,
        (request.query as { date: string }).date,
      ),
  );

  app.post(
    '/api/households',
    {
      config: {
        access: { right: 'registry.write', unit: unitFrom('body', 'orgCode'), audit: 'household.write' },
      },
      schema: {
        tags,
        summary: '登记户 / Register a household',
        body: registryBodies.household,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createHousehold(commandContext(context, request), request.body as never)),
  );

  app.post(
    '/api/births',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('motherId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '出生登记 / Register a birth',
        body: registryBodies.birth,
      },
    },
    async (request, reply) => {
      const result = await registerBirth(commandContext(context, request), request.body as never);
      return reply.status(201).send({ person: toPersonView(result.person), eventId: result.eventId });
    },
  );

  app.post(
    '/api/deaths',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('personId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '死亡登记 / Register a death',
        body: registryBodies.death,
      },
    },
    async (request, reply) => {
      const result = await registerDeath(commandContext(context, request), request.body as never);
      return reply.status(201).send({ person: toPersonView(result.person), eventId: result.eventId });
    },
  );

  app.post(
    '/api/marriages',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('personId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '结婚登记 / Register a marriage',
        body: registryBodies.marriage,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registerMarriage(commandContext(context, request), request.body as never)),
  );

  app.post(
    '/api/divorces',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('personId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '离婚登记 / Register a divorce',
        body: registryBodies.divorce,
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registerDivorce(commandContext(context, request), request.body as never)),
  );

  app.post(
    '/api/moves/in',
    {
      config: {
        access: { right: 'registry.write', unit: unitFrom('body', 'orgCode'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '迁入登记 / Register a move into the county',
        body: registryBodies.moveIn,
      },
    },
    async (request, reply) => {
      const result = await registerMoveIn(commandContext(context, request), request.body as never);
      return reply
        .status(201)
        .send({ person: toPersonView(result.person), eventId: result.eventId, returned: result.returned });
    },
  );

  app.post(
    '/api/moves/out',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('personId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '迁出登记 / Register a move out',
        body: registryBodies.moveOut,
      },
    },
    async (request, reply) => {
      const result = await registerMoveOut(commandContext(context, request), request.body as never);
      return reply.status(201).send({ person: toPersonView(result.person), eventId: result.eventId });
    },
  );

  app.post(
    '/api/moves/within',
    {
      config: {
        access: { right: 'registry.write', unit: bodyPersonUnit('personId'), audit: 'person.write' },
      },
      schema: {
        tags,
        summary: '县内迁移或人口类型变更 / Move within the county or change of residence type',
        body: registryBodies.moveWithin,
      },
    },
    async (request, reply) => {
      const result = await changeResidence(commandContext(context, request), request.body as never);
      return reply.status(201).send({ person: toPersonView(result.person), eventId: result.eventId });
    },
  );

  app.post(
    '/api/persons/:id/corrections',
    {
      config: { access: { right: 'registry.write', unit: personUnit('id'), audit: 'person.write' } },
      schema: {
        tags,
        summary: '更正字段 / Correct fields, with a reason',
        params: idParam,
        body: registryBodies.correction,
      },
    },
    async (request) => {
      const body = request.body as {
        expectedVersion: number;
        changes: Record<string, string | null>;
        reason: string;
      };
      const result = await correctPerson(commandContext(context, request), {
        personId: (request.params as { id: number }).id,
        ...body,
      });
      return { person: toPersonView(result.person) };
    },
  );

  app.post(
    '/api/persons/:id/void',
    {
      config: { access: { right: 'registry.write', unit: personUnit('id'), audit: 'person.write' } },
      schema: {
        tags,
        summary: '作废错误记录 / Void a mistaken record',
        params: idParam,
        body: registryBodies.voidPerson,
      },
    },
    async (request) => {
      const body = request.body as { expectedVersion: number; reason: string };
      const result = await voidPerson(commandContext(context, request), {
        personId: (request.params as { id: number }).id,
        ...body,
      });
      return { person: toPersonView(result.person) };
    },
  );

  app.post(
    '/api/events/:id/void',
    {
      config: { access: { right: 'registry.write', unit: eventUnit('id'), audit: 'person.write' } },
      schema: {
        tags,
        summary: '作废事件 / Void an event',
        params: idParam,
        body: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
      },
    },
    (request) =>
      voidEvent(commandContext(context, request), {
        eventId: (request.params as { id: number }).id,
        reason: (request.body as { reason: string }).reason,
      }),
  );

  app.get(
    '/api/population',
    {
      config: { access: { right: 'aggregates.read', unit: unitFrom('query', 'unit') } },
      schema: {
        tags,
        summary: '某日某单位人口（按性别、年龄）/ Population of a unit on a date by sex and age',
        querystring: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: '^[0-9]{2,12}$' },
            date: dateSchema,
            basis: { type: 'string', enum: ['resident', 'registered', 'inflow', 'outflow'] },
          },
          required: ['unit', 'date'],
        },
      },
    },
    async (request) => {
      const query = request.query as { unit: string; date: string; basis?: 'resident' };
      const rows = await populationOn(context.database.db, query);
      return {
        unit: query.unit,
        date: query.date,
        basis: query.basis ?? 'resident',
        total: totalOf(rows),
        rows,
      };
    },
  );
}
