import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { searchAudit } from '../src/access/audit-log.ts';
import type { RoleName } from '../src/access/roles.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { IndicatorEngine } from '../src/indicators/index.ts';
import { changeResidence, registerBirth, registerMarriage } from '../src/registry/index.ts';
import { buildApp } from '../src/server/app.ts';
import {
  importServicesCsv,
  listServices,
  recordService,
  type ServiceInput,
  voidService,
} from '../src/services/index.ts';
import { runRenkou } from './helpers/cli.ts';
import {
  createScratchStorage,
  createTestDatabase,
  type ScratchStorage,
  storageName,
  type TestDatabase,
} from './helpers/database.ts';
import { createTestUser, type Session, signIn, withSession } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';
import {
  csvOfServices,
  OTHER_TOWNSHIP,
  OTHER_TOWNSHIP_VILLAGE,
  outcomes,
  type ServiceRow,
  TOWNSHIP,
} from './helpers/service-files.ts';

/**
 * A mistaken service record is voided with a reason — over HTTP, on the command line — and then
 * counts nowhere: not in the list, not in any coverage indicator. Nothing is deleted; the void is
 * in the audit log; a record is voided by whoever may enter it for its person or sees it in their
 * unit's list, and by nobody else. A corrected row imported under the voided record's number is
 * written as its correction, while the voided row itself, imported again, stays unchanged.
 */
/** An error answer's code, field and its issues' field:code, and the message in both languages. */
function refusal(response: LightMyRequestResponse) {
  const error = response.json().error;
  return {
    status: response.statusCode,
    code: error.code as string,
    field: error.field as string | null,
    issues: (error.issues as { field: string; code: string }[]).map((i) => `${i.field}:${i.code}`),
    zh: error.messages['zh-CN'] as string,
    en: error.messages.en as string,
  };
}

describe(`voiding a service record over HTTP (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let ctx: ReturnType<typeof contextFor> & { countyCode: string };
  const sessions = new Map<string, Session>();
  const usernames = new Map<string, string>();
  const persons = {} as Record<'east' | 'west' | 'movedIn', number>;

  const entry = (personId: number, input: Partial<ServiceInput> = {}) =>
    recordService(ctx, {
      kind: 'counselling',
      personId,
      serviceDate: '2025-03-01',
      provider: '东华镇卫生院',
      outcomeCode: 'given',
      consent: true,
      ...input,
    }).then((r) => Number(r.id));
  const voidOver = (who: string, id: number | string, payload: unknown, lang = 'zh-CN') =>
    app.inject(
      withSession(sessions.get(who)!, {
        method: 'POST',
        url: `/api/services/${id}/void`,
        headers: { 'accept-language': lang },
        payload: payload as Record<string, unknown>,
      }),
    );
  const listed = async (who: string, query: string) => {
    const response = await app.inject(withSession(sessions.get(who)!, { url: `/api/services?${query}` }));
    assert.equal(response.statusCode, 200, response.body);
    return response.json().items as Record<string, unknown>[];
  };
  const record = (id: number) =>
    test.database.db
      .selectFrom('service_record')
      .select(['voided', 'void_reason', 'voided_by', 'voided_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    persons.east = (await addAdult(ctx, { name: '王东', sex: 'female', birthDate: '1980-03-04' })).id;
    persons.west = (
      await addAdult(ctx, {
        name: '李西',
        sex: 'female',
        birthDate: '1982-05-06',
        orgCode: OTHER_TOWNSHIP_VILLAGE,
      })
    ).id;
    // Lived in another township on the service date; lives in 东华镇 now.
    persons.movedIn = (
      await addAdult(ctx, {
        name: '赵迁',
        sex: 'female',
        birthDate: '1984-07-08',
        orgCode: OTHER_TOWNSHIP_VILLAGE,
      })
    ).id;
    await changeResidence(ctx, { personId: persons.movedIn, date: '2025-06-01', orgCode: OTHER_VILLAGE });

    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    const user = async (name: string, role: RoleName, unit: string) => {
      const username = await createTestUser(test.database, [{ role, unit }]);
      usernames.set(name, username);
      sessions.set(name, await signIn(app, username));
    };
    await user('county', 'health_provider', '620881');
    await user('township', 'health_provider', TOWNSHIP);
    await user('otherTownship', 'health_provider', OTHER_TOWNSHIP);
    await user('statistician', 'statistician', '620881');
  });
  after(async () => {
    await app?.close();
    await test.cleanup();
  });

  it('voids a record with its reason, who and when; the void is in the audit log and the record leaves the list for the voided list', async () => {
    const id = await entry(persons.east);
    assert.ok((await listed('township', `unit=${TOWNSHIP}`)).some((r) => r.id === id));

    const response = await voidOver('township', id, { reason: '  录错了人  ' });
    assert.equal(response.statusCode, 200, response.body);
    const answer = response.json();
    assert.equal(answer.id, id);
    assert.equal(answer.voided, true);
    assert.equal(answer.void_reason, '录错了人');
    assert.equal(answer.voided_by, `user:${usernames.get('township')}`);
    assert.match(answer.voided_at, /^\d{4}-\d\d-\d\dT/);
    const stored = await record(id);
    assert.deepEqual(
      [stored.voided, stored.void_reason, stored.voided_by],
      [true, '录错了人', answer.voided_by],
    );

    const audit = await searchAudit(test.database.db, { action: 'services.void' });
    const entryOf = audit.find((a) => a.resource === `POST /api/services/${id}/void`);
    assert.ok(entryOf, 'the void is in the audit log');
    assert.equal(entryOf.actor, `user:${usernames.get('township')}`);
    assert.equal(entryOf.outcome, 'ok');
    assert.equal(entryOf.unit_code, VILLAGE);

    assert.ok(!(await listed('township', `unit=${TOWNSHIP}`)).some((r) => r.id === id));
    assert.ok(!(await listed('county', 'unit=620881')).some((r) => r.id === id));
    const voided = await listed('township', `unit=${TOWNSHIP}&voided=true`);
    const shown = voided.find((r) => r.id === id);
    assert.ok(shown, 'the voided list shows it');
    assert.deepEqual(
      [shown.voided, shown.void_reason, shown.voided_by],
      [true, '录错了人', `user:${usernames.get('township')}`],
    );
    assert.ok(voided.every((r) => r.voided === true));
  });

  it('refuses an empty or missing reason at the reason field in zh-CN and en, and leaves the record as it was', async () => {
    const id = await entry(persons.east, { serviceDate: '2025-03-02' });
    for (const payload of [{ reason: '' }, { reason: '   ' }]) {
      for (const lang of ['zh-CN', 'en']) {
        const response = await voidOver('township', id, payload, lang);
        const r = refusal(response);
        assert.deepEqual(
          [r.status, r.code, r.field, r.issues],
          [400, 'invalid_input', 'reason', ['reason:required']],
        );
        assert.equal(r.zh, '请填写作废原因');
        assert.equal(r.en, 'Give the reason for voiding');
        assert.equal(response.json().error.message, lang === 'en' ? r.en : r.zh);
      }
    }
    const missing = refusal(await voidOver('township', id, {}));
    assert.deepEqual([missing.status, missing.code, missing.field], [400, 'invalid_input', 'reason']);
    const tooLong = refusal(await voidOver('township', id, { reason: '错'.repeat(501) }));
    assert.deepEqual([tooLong.status, tooLong.field, tooLong.issues], [400, 'reason', ['reason:too_long']]);
    const control = refusal(await voidOver('township', id, { reason: '错\u0007误' }));
    assert.deepEqual(
      [control.status, control.field, control.issues],
      [400, 'reason', ['reason:invalid_characters']],
    );
    assert.deepEqual(await record(id), {
      voided: false,
      void_reason: null,
      voided_by: null,
      voided_at: null,
    });
  });

  it('answers a record that is not there with a 404 on id, and a malformed id with a 400 on id', async () => {
    const absent = refusal(await voidOver('county', 999_999, { reason: '录入错误' }, 'en'));
    assert.deepEqual([absent.status, absent.code, absent.field], [404, 'not_found', 'id']);
    assert.equal(absent.zh, '没有服务记录 999999');
    assert.equal(absent.en, 'No service record 999999');
    for (const bad of ['abc', '0', '1.5', '99999999999999999999']) {
      const malformed = refusal(await voidOver('county', bad, { reason: '录入错误' }));
      assert.deepEqual(
        [malformed.status, malformed.code, malformed.field],
        [400, 'invalid_input', 'id'],
        bad,
      );
    }
  });

  it('refuses a record voided already with a 409 naming when and why, and keeps the first void', async () => {
    const id = await entry(persons.east, { serviceDate: '2025-03-03' });
    assert.equal((await voidOver('county', id, { reason: '日期有误' })).statusCode, 200);
    const again = refusal(await voidOver('township', id, { reason: '并无此次服务' }));
    assert.deepEqual(
      [again.status, again.code, again.field, again.issues],
      [409, 'conflict', 'id', ['id:already_voided']],
    );
    assert.match(
      again.zh,
      new RegExp(`^服务记录 ${id} 已于 \\d{4}-\\d\\d-\\d\\d 作废（原因：日期有误），不能再次作废$`),
    );
    assert.match(
      again.en,
      new RegExp(`^Service record ${id} was voided already on \\d{4}-\\d\\d-\\d\\d \\(reason: 日期有误\\)$`),
    );
    const stored = await record(id);
    assert.equal(stored.void_reason, '日期有误');
    assert.equal(stored.voided_by, `user:${usernames.get('county')}`);
  });

  it('refuses a township health centre another township’s record, and a user without services.write any record, before anything is said of it', async () => {
    const west = await entry(persons.west, { serviceDate: '2025-03-04' });
    const refused = refusal(await voidOver('township', west, { reason: '录错了人' }));
    assert.deepEqual([refused.status, refused.code], [403, 'forbidden']);
    // Even an empty reason: the unit is judged first, so the input is not looked at.
    assert.equal((await voidOver('township', west, { reason: '' })).statusCode, 403);
    const statistician = refusal(await voidOver('statistician', west, { reason: '录错了人' }));
    assert.deepEqual([statistician.status, statistician.code], [403, 'forbidden']);
    assert.equal((await record(west)).voided, false);
    const denied = await searchAudit(test.database.db, { action: 'authz.denied' });
    assert.ok(
      denied.some(
        (a) =>
          a.resource === `POST /api/services/${west}/void` && a.actor === `user:${usernames.get('township')}`,
      ),
    );
    // Its own township's centre may.
    assert.equal((await voidOver('otherTownship', west, { reason: '录错了人' })).statusCode, 200);
  });

  it('lets the township where the person lives now void a record that counts in the township they lived in, and that township too', async () => {
    // Counts in the other township's village (where she lived on the service date).
    const first = await entry(persons.movedIn, { serviceDate: '2025-03-05' });
    const second = await entry(persons.movedIn, { serviceDate: '2025-03-06' });
    assert.ok((await listed('otherTownship', `unit=${OTHER_TOWNSHIP}`)).some((r) => r.id === first));
    assert.equal((await voidOver('township', first, { reason: '录入错误' })).statusCode, 200);
    assert.equal((await voidOver('otherTownship', second, { reason: '录入错误' })).statusCode, 200);
  });
});

describe(`a voided service record counts nowhere (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: ReturnType<typeof contextFor> & { countyCode: string };
  let engine: IndicatorEngine;
  const ids: number[] = [];
  const numerators = async () => {
    const out: Record<string, number> = {};
    for (const indicator of [
      'premarital_check_rate',
      'prepregnancy_check_coverage',
      'postpartum_visit_rate',
      'newborn_screening_rate',
      'women_screening_coverage_35_64',
    ])
      out[indicator] = (await engine.evaluate({ indicator, unit: '620881', period: '2025' })).values[0]!
        .numerator as number;
    return out;
  };

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    engine = new IndicatorEngine(test.database.db);
    const wife = await addAdult(ctx, { name: '孙妻', sex: 'female', birthDate: '1980-02-01' });
    const husband = await addAdult(ctx, { name: '孙夫', sex: 'male', birthDate: '1979-02-01' });
    await registerMarriage(ctx, { personId: wife.id, partnerId: husband.id, marriageDate: '2025-02-01' });
    const child = (
      await registerBirth(ctx, {
        child: { name: '孙子', sex: 'male', birthDate: '2025-05-01' },
        motherId: wife.id,
      })
    ).person;
    const service = (input: Partial<ServiceInput> & Pick<ServiceInput, 'kind' | 'serviceDate'>) =>
      recordService(ctx, {
        personId: wife.id,
        provider: '华亭市妇幼保健院',
        outcomeCode: 'normal',
        consent: true,
        ...input,
      }).then((r) => ids.push(Number(r.id)));
    await service({ kind: 'premarital_check', serviceDate: '2025-01-15' });
    await service({ kind: 'prepregnancy_check', relatedPersonId: husband.id, serviceDate: '2025-03-01' });
    await service({ kind: 'postpartum_visit', relatedPersonId: child.id, serviceDate: '2025-05-10' });
    await service({ kind: 'newborn_screening', personId: child.id, serviceDate: '2025-05-03' });
    await service({ kind: 'cervical_screening', serviceDate: '2025-06-01' });
  });
  after(() => test.cleanup());

  it('drops out of every coverage indicator and of the list once voided, and the figures are fresh at once', async () => {
    assert.deepEqual(await numerators(), {
      premarital_check_rate: 1,
      prepregnancy_check_coverage: 1,
      postpartum_visit_rate: 1,
      newborn_screening_rate: 1,
      women_screening_coverage_35_64: 1,
    });
    assert.equal((await listServices(test.database.db, { countyCode: '620881' })).length, 5);
    for (const id of ids) await voidService(ctx, id, '测试：作废后不再计数');
    assert.deepEqual(await numerators(), {
      premarital_check_rate: 0,
      prepregnancy_check_coverage: 0,
      postpartum_visit_rate: 0,
      newborn_screening_rate: 0,
      women_screening_coverage_35_64: 0,
    });
    assert.deepEqual(await listServices(test.database.db, { countyCode: '620881' }), []);
    assert.deepEqual(
      (await listServices(test.database.db, { countyCode: '620881', voided: true })).map((r) => r.id).sort(),
      [...ids].sort(),
    );
  });
});

describe(`a corrected row imported under a voided record's number (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: ReturnType<typeof contextFor> & { countyCode: string };
  const women: { id: number; idNumber: string }[] = [];
  let app: FastifyInstance;
  let session: Session;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    for (const [i, name] of ['钱一', '钱二', '钱三'].entries()) {
      const person = await addAdult(ctx, { name, sex: 'female', birthDate: `198${i}-03-0${i + 1}` });
      women.push({ id: person.id, idNumber: person.id_number! });
    }
    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    session = await signIn(
      app,
      await createTestUser(test.database, [{ role: 'health_provider', unit: '620881' }]),
    );
  });
  after(async () => {
    await app?.close();
    await test.cleanup();
  });

  const screening = (key: string | undefined, over: ServiceRow = {}): ServiceRow => ({
    kind: 'cervical_screening',
    id_number: women[0]!.idNumber,
    service_date: '2025-01-10',
    provider: '东华镇卫生院',
    outcome_code: 'normal',
    consent: '是',
    ...(key ? { import_key: key } : {}),
    ...over,
  });
  const importRows = (rows: ServiceRow[], source = 'his') =>
    importServicesCsv(ctx, csvOfServices(rows), source);
  const live = async (source = 'his') =>
    (
      await test.database.db
        .selectFrom('service_record')
        .select(['id', 'import_key', 'outcome_code', 'person_id'])
        .where('source', '=', source)
        .where('voided', '=', false)
        .orderBy('id')
        .execute()
    ).map((r) => `${r.import_key} ${r.outcome_code} ${r.person_id}`);

  it('refuses a corrected row while the record stands, and writes it as the correction once the record is voided; the voided row itself stays unchanged', async () => {
    const first = await importRows([screening('c-1')]);
    assert.deepEqual(outcomes(first), [[2, 'ok', '']]);
    const original = first.rows[0]!.id!;

    // The provider's corrected export: the same record number, the outcome put right.
    const corrected = screening('c-1', { outcome_code: 'retest' });
    const refused = await importRows([corrected]);
    assert.deepEqual(outcomes(refused), [[2, 'rejected', 'importKey:import_key_changed']]);
    // The message names the stored record and the way to correct it.
    assert.match(
      refused.rows[0]!.issues[0]!.message['zh-CN'],
      new RegExp(`服务记录 ${original}）有误，先将其作废`),
    );
    assert.match(refused.rows[0]!.issues[0]!.message.en, new RegExp(`renkou services void ${original}`));

    await voidService(ctx, original, '结果代码录错');
    // The old export again: the voided record, never brought back.
    const old = await importRows([screening('c-1')]);
    assert.deepEqual(outcomes(old), [[2, 'unchanged', '']]);
    assert.match(old.rows[0]!.note!['zh-CN'], new RegExp(`服务记录 ${original}）已作废`));
    assert.match(old.rows[0]!.note!.en, new RegExp(`service record ${original}, which was voided`));
    assert.deepEqual(await live(), []);

    const correction = await importRows([corrected]);
    assert.deepEqual(outcomes(correction), [[2, 'ok', '']]);
    assert.equal(correction.rows[0]!.replaces, original);
    assert.equal(
      correction.rows[0]!.note!['zh-CN'],
      `此记录编号下的服务记录 ${original} 已作废，本行作为其更正写入`,
    );
    assert.deepEqual(await live(), [`c-1 retest ${women[0]!.id}`]);

    // Both exports again, in one file: nothing is written, and no voided record comes back.
    const both = await importRows([screening('c-1'), corrected]);
    assert.deepEqual(outcomes(both), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
    ]);
    assert.match(both.rows[0]!.note!.en, /voided/);
    assert.equal(both.rows[1]!.note, undefined);
    assert.equal(both.rows[1]!.replaces, undefined);
    assert.deepEqual(await live(), [`c-1 retest ${women[0]!.id}`]);
  });

  it('takes a row for the right person under the number of a record voided as the wrong person’s, which was import_key_reused before', async () => {
    const wrong = await importRows([screening('c-2', { service_date: '2025-02-02' })]);
    const right = screening('c-2', { id_number: women[1]!.idNumber, service_date: '2025-02-02' });
    assert.deepEqual(outcomes(await importRows([right])), [[2, 'rejected', 'importKey:import_key_reused']]);
    await voidService(ctx, wrong.rows[0]!.id!, '录错了人');
    const fixed = await importRows([right]);
    assert.deepEqual(outcomes(fixed), [[2, 'ok', '']]);
    assert.equal(fixed.rows[0]!.replaces, wrong.rows[0]!.id);
    // A second correction, with yet other content, is held to the correction as before.
    const third = await importRows([{ ...right, outcome_code: 'retest' }]);
    assert.deepEqual(outcomes(third), [[2, 'rejected', 'importKey:import_key_changed']]);
  });

  it('keeps a voided row without a record number out when its file comes again', async () => {
    const row = screening(undefined, { id_number: women[2]!.idNumber, service_date: '2025-03-03' });
    const first = await importRows([row], 'nokey');
    assert.deepEqual(outcomes(first), [[2, 'ok', '']]);
    await voidService(ctx, first.rows[0]!.id!, '并无此次服务');
    const again = await importRows([{ ...row, service_date: '2025/3/3' }], 'nokey');
    assert.deepEqual(outcomes(again), [[2, 'unchanged', '']]);
    assert.match(again.rows[0]!.note!['zh-CN'], /已作废/);
    assert.deepEqual(await live('nokey'), []);
  });

  it('says in the uploaded file’s report which voided record a row replaced', async () => {
    const first = await importRows([screening('c-9', { service_date: '2025-04-04' })], 'upload');
    await voidService(ctx, first.rows[0]!.id!, '结果代码录错');
    const response = await app.inject(
      withSession(session, {
        method: 'POST',
        url: '/api/services/import?unit=620881&source=upload',
        headers: { 'content-type': 'text/csv', 'accept-language': 'en' },
        payload: csvOfServices([
          screening('c-9', { service_date: '2025-04-04' }),
          screening('c-9', { service_date: '2025-04-04', outcome_code: 'retest' }),
        ]),
      }),
    );
    assert.equal(response.statusCode, 200, response.body);
    const rows = response.json().rows as { status: string; replaces?: number; note?: { en: string } }[];
    assert.deepEqual(
      rows.map((r) => [r.status, r.replaces]),
      [
        ['unchanged', undefined],
        ['ok', first.rows[0]!.id],
      ],
    );
    assert.match(rows[0]!.note!.en, /was voided/);
    assert.match(rows[1]!.note!.en, /written as its correction/);
  });
});

describe(`renkou services void (${storageName})`, () => {
  let storage: ScratchStorage;
  const ids: number[] = [];

  /** Opens the command's storage in this process (it is closed again before the command runs). */
  async function withStorage<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) {
    const database = await openDatabase({
      databaseUrl: storage.env.DATABASE_URL || undefined,
      dataDir: storage.env.RENKOU_DATA_DIR,
    });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  }

  before(async () => {
    storage = await createScratchStorage();
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
    await withStorage(async (database) => {
      const ctx = { ...contextFor(database.db), countyCode: '620881' };
      const woman = await addAdult(ctx, { name: '周命', sex: 'female', birthDate: '1981-01-01' });
      for (const serviceDate of ['2025-04-01', '2025-04-02'])
        ids.push(
          Number(
            (
              await recordService(ctx, {
                kind: 'counselling',
                personId: woman.id,
                serviceDate,
                provider: '东华镇卫生院',
                outcomeCode: 'given',
                consent: true,
              })
            ).id,
          ),
        );
    });
  });
  after(() => storage.cleanup());

  it('voids a record with the reason and the operator, writes the audit entry, and refuses a second void', async () => {
    const [id] = ids;
    const done = await runRenkou(
      ['services', 'void', String(id), '--reason', '录错了人', '--user', 'doctor.sun'],
      storage.env,
    );
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, new RegExp(`^已作废服务记录 ${id}（2025-04-01），原因：录错了人$`, 'm'));
    const again = await runRenkou(
      ['--lang', 'en', 'services', 'void', String(id), '--reason', '重复'],
      storage.env,
    );
    assert.equal(again.code, 1);
    assert.match(
      again.stderr,
      new RegExp(
        `^Error: Service record ${id} was voided already on \\d{4}-\\d\\d-\\d\\d \\(reason: 录错了人\\)$`,
        'm',
      ),
    );
    await withStorage(async (database) => {
      const stored = await database.db
        .selectFrom('service_record')
        .select(['voided', 'void_reason', 'voided_by'])
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
      assert.deepEqual(stored, { voided: true, void_reason: '录错了人', voided_by: 'doctor.sun' });
      const audit = await searchAudit(database.db, { action: 'services.void' });
      assert.equal(audit.length, 1, 'one entry: the refused second void wrote none');
      assert.equal(audit[0]!.resource, `service:620881:${id}`);
      assert.match(audit[0]!.actor, /^cli:/);
      assert.deepEqual(audit[0]!.details, { user: 'doctor.sun', reason: '录错了人' });
      assert.deepEqual(
        (await listServices(database.db, { countyCode: '620881' })).map((r) => r.id),
        [ids[1]],
      );
    });
  });

  it('refuses a bad id, a record that is not there and an empty reason at their field, in zh-CN and en, writing nothing', async () => {
    const refused = async (args: string[], message: RegExp) => {
      const result = await runRenkou(args, storage.env);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /意外错误|Unexpected error|\n\s+at /);
      assert.match(result.stderr, message);
    };
    await refused(['services', 'void', 'abc', '--reason', 'x'], /^错误: id 应为正整数：abc$/m);
    await refused(['services', 'void', '999999', '--reason', 'x'], /^错误: 没有服务记录 999999$/m);
    await refused(
      ['--lang', 'en', 'services', 'void', '999999', '--reason', 'x'],
      /^Error: No service record 999999$/m,
    );
    await refused(['services', 'void', String(ids[1]), '--reason', ' '], /^错误: 请填写作废原因$/m);
    await refused(
      ['--lang', 'en', 'services', 'void', String(ids[1]), '--reason', ''],
      /^Error: Give the reason for voiding$/m,
    );
    // A missing option is commander's usage error, as for every command (exit 2, with the help).
    const missing = await runRenkou(['services', 'void', String(ids[1])], storage.env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^错误：缺少必需的选项 '--reason <text>'$/m);
    await withStorage(async (database) => {
      const stored = await database.db
        .selectFrom('service_record')
        .select('voided')
        .where('id', '=', ids[1]!)
        .executeTakeFirstOrThrow();
      assert.equal(stored.voided, false);
    });
  });
});
