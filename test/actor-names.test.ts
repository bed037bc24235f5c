import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiToken, createUser } from '../src/access/users.ts';
import { loadConfig } from '../src/config.ts';
import { correctPerson } from '../src/registry/index.ts';
import { buildApp } from '../src/server/app.ts';
import { recordService, voidService } from '../src/services/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { type Session, signIn, TEST_PASSWORD, withSession } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';

/**
 * The answers that say who did something — a person's change history, the work list, the voided
 * service records — name the doer beside the recorded actor: a user by display name and unit
 * (张丽（东华镇）), the command line, the system or an API token by a label in the asked language,
 * and a user since deleted (or never known) as the recorded actor itself.
 */
const TOWNSHIP = '620881100'; // 东华镇

describe(`who did it, by name (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let county: Session;
  let zhang: Session;
  let personId: number;
  let taskId: number;
  let tokenId: number;

  const get = async (url: string, lang = 'zh-CN') => {
    const response = await app.inject(withSession(county, { url, headers: { 'accept-language': lang } }));
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };

  before(async () => {
    test = await createTestDatabase();
    const db = test.database.db;
    await loadHuating(db);
    await createUser(
      db,
      {
        username: 'zhang.li',
        displayName: '张丽',
        password: TEST_PASSWORD,
        roles: [
          // Two roles: the higher unit names her (a village under 东华镇 would not).
          { role: 'township_staff', unit: TOWNSHIP },
          { role: 'health_provider', unit: `${TOWNSHIP}001` },
          { role: 'health_provider', unit: TOWNSHIP },
        ],
      },
      'test',
    );
    await createUser(
      db,
      {
        username: 'county.head',
        displayName: '县管理员',
        password: TEST_PASSWORD,
        roles: [
          { role: 'county_admin', unit: '620881' },
          { role: 'health_provider', unit: '620881' },
        ],
      },
      'test',
    );
    // A user who acts, then is deleted.
    await createUser(
      db,
      {
        username: 'gone.user',
        displayName: '离职人员',
        password: TEST_PASSWORD,
        roles: [{ role: 'statistician', unit: '620881' }],
      },
      'test',
    );
    tokenId = (
      await createApiToken(db, { name: '卫健委系统', scopes: ['feeds.ingest'], unit: '620881' }, 'test')
    ).id;

    // The person: entered by 张丽, corrected at the command line, by the deleted user, by the token.
    const person = await addAdult(contextFor(db, 'user:zhang.li'), {
      name: '王东',
      sex: 'female',
      birthDate: '1980-03-04',
    });
    personId = person.id;
    const correct = (actor: string, version: number, phone: string) =>
      correctPerson(contextFor(db, actor), {
        personId,
        expectedVersion: version,
        changes: { phone },
        reason: '电话变更',
      });
    await correct('cli:root', 1, '13800000001');
    await correct('user:gone.user', 2, '13800000002');
    await correct(`token:${tokenId}`, 3, '13800000003');
    await correct('system', 4, '13800000004');
    await db
      .deleteFrom('user_role')
      .where('user_id', 'in', db.selectFrom('app_user').select('id').where('username', '=', 'gone.user'))
      .execute();
    await db.deleteFrom('app_user').where('username', '=', 'gone.user').execute();

    // A task raised by the command line, closed by 张丽 over HTTP below.
    taskId = (
      await db
        .insertInto('work_task')
        .values({
          county_code: '620881',
          kind: 'correction',
          org_code: `${TOWNSHIP}001`,
          person_id: personId,
          source: 'validation',
          source_ref: 'names-test',
          details: JSON.stringify({}),
          created_by: 'cli',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

    // A service record entered at the command line, voided by 张丽 over HTTP below; one voided by an unknown user.
    const ctx = { ...contextFor(db, 'cli:root'), countyCode: '620881' };
    const service = (date: string) =>
      recordService(ctx, {
        kind: 'counselling',
        personId,
        serviceDate: date,
        provider: '东华镇卫生院',
        outcomeCode: 'given',
        consent: true,
      }).then((r) => Number(r.id));
    const byZhang = await service('2025-03-01');
    const byNobody = await service('2025-04-01');
    await voidService(contextFor(db, 'user:nobody.known'), byNobody, '录错');

    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    county = await signIn(app, 'county.head');
    zhang = await signIn(app, 'zhang.li');

    const closed = await app.inject(
      withSession(zhang, {
        method: 'POST',
        url: `/api/tasks/${taskId}`,
        payload: { status: 'done', note: '已核实' },
      }),
    );
    assert.equal(closed.statusCode, 200, closed.body);
    assert.equal(closed.json().resolvedBy, 'user:zhang.li');
    assert.equal(closed.json().resolvedByName, '张丽（东华镇）');

    const voided = await app.inject(
      withSession(zhang, {
        method: 'POST',
        url: `/api/services/${byZhang}/void`,
        payload: { reason: '重复录入' },
      }),
    );
    assert.equal(voided.statusCode, 200, voided.body);
    assert.equal(voided.json().voided_by_name, '张丽（东华镇）');
  });
  after(async () => {
    await app?.close();
    await test?.cleanup();
  });

  it('names every version of a person’s history: a user by name and unit, the CLI, the token, the system, a deleted user as recorded', async () => {
    const history = (await get(`/api/persons/${personId}/history`)).items as {
      version: number;
      changedBy: string;
      changedByName: string;
    }[];
    assert.deepEqual(
      history.map((v) => [v.version, v.changedBy, v.changedByName]),
      [
        [1, 'user:zhang.li', '张丽（东华镇）'],
        [2, 'cli:root', '命令行（root）'],
        [3, 'user:gone.user', 'user:gone.user'],
        [4, `token:${tokenId}`, '接口令牌「卫健委系统」'],
        [5, 'system', '系统'],
      ],
    );
  });

  it('speaks English when asked, the raw actor staying beside the name', async () => {
    const history = (await get(`/api/persons/${personId}/history`, 'en')).items as {
      changedBy: string;
      changedByName: string;
    }[];
    assert.deepEqual(
      history.map((v) => v.changedByName),
      ['张丽 (东华镇)', 'Command line (root)', 'user:gone.user', 'API token "卫健委系统"', 'System'],
    );
  });

  it('names who raised and who closed a task on the work list', async () => {
    const list = await get(`/api/tasks?unit=620881&status=all`);
    const task = (list.items as Record<string, unknown>[]).find((t) => t.id === taskId);
    assert.ok(task, 'the task is listed');
    assert.equal(task.createdBy, 'cli');
    assert.equal(task.createdByName, '命令行');
    assert.equal(task.resolvedBy, 'user:zhang.li');
    assert.equal(task.resolvedByName, '张丽（东华镇）');
    const open = await get(`/api/tasks?unit=620881&status=open`, 'en');
    for (const t of open.items as Record<string, unknown>[]) assert.equal(t.resolvedByName, null);
  });

  it('names who wrote a target sheet version, on the sheet and in its versions', async () => {
    const put = await app.inject(
      withSession(county, {
        method: 'PUT',
        url: '/api/targets/sheets/620881/2025',
        payload: {
          reason: '年初',
          items: [
            { indicator: 'timeliness_rate', direction: 'at_least', target: 90, weight: 60, gate: true },
          ],
        },
      }),
    );
    assert.equal(put.statusCode, 200, put.body);
    const sheet = await get('/api/targets/sheets/620881/2025');
    assert.deepEqual([sheet.createdBy, sheet.createdByName], ['user:county.head', '县管理员（华亭市）']);
    const versions = (await get('/api/targets/sheets/620881/2025/versions', 'en')).items as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      versions.map((v) => v.createdByName),
      ['县管理员 (华亭市)'],
    );
  });

  it('names who voided a service record and who entered it; an unknown user stays as recorded', async () => {
    const items = (await get(`/api/services?unit=620881&voided=true`)).items as Record<string, unknown>[];
    assert.deepEqual(
      items
        .map((r) => [r.service_date, r.voided_by, r.voided_by_name, r.entered_by_name])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['2025-03-01', 'user:zhang.li', '张丽（东华镇）', '命令行（root）'],
        ['2025-04-01', 'user:nobody.known', 'user:nobody.known', '命令行（root）'],
      ],
    );
  });
});
