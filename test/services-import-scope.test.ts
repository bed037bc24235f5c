import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { RoleName } from '../src/access/roles.ts';
import { loadConfig } from '../src/config.ts';
import { changeResidence } from '../src/registry/index.ts';
import { buildApp } from '../src/server/app.ts';
import { importServicesCsv, type ServiceImportReport } from '../src/services/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { createTestUser, type Session, signIn, withSession } from './helpers/http.ts';
import {
  addAdult,
  contextFor,
  loadHuating,
  makeIdNumber,
  OTHER_VILLAGE,
  VILLAGE,
} from './helpers/registry.ts';
import {
  csvOfServices,
  OTHER_TOWNSHIP,
  OTHER_TOWNSHIP_VILLAGE,
  outcomes,
  type ServiceRow,
  TOWNSHIP,
} from './helpers/service-files.ts';

/**
 * Service records imported by a township health centre (卫生院): the import is for a unit — the
 * caller's own, or one named by ?unit= that they hold services.write for, as the person import
 * does it — and a row whose person does not live in that unit (by where they live now: the unit
 * a single entry's access check judges) is rejected on its ID number as `outside_units`, never
 * written, while the rows of the unit's residents are written. A county user imports everything.
 */
describe(`service-record import for a township or village (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  const sessions = new Map<string, Session>();
  /** ID numbers of the persons the file names. */
  const id = {} as Record<
    'east' | 'north' | 'west' | 'westMan' | 'movedAway' | 'movedIn' | 'unknown',
    string
  >;

  /** The file a township health centre exports: its residents and, by mistake, others of the county. */
  const rows = (): ServiceRow[] => [
    // 2: lives in VILLAGE (东华镇)
    {
      kind: 'cervical_screening',
      id_number: id.east,
      service_date: '2025-03-01',
      provider: '东华镇卫生院',
      outcome_code: 'normal',
      consent: '是',
    },
    // 3: lives in OTHER_VILLAGE (东华镇)
    {
      kind: 'counselling',
      id_number: id.north,
      service_date: '2025-03-02',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '是',
    },
    // 4: lives in another township
    {
      kind: 'breast_screening',
      id_number: id.west,
      service_date: '2025-03-03',
      provider: '东华镇卫生院',
      outcome_code: 'normal',
      consent: '是',
    },
    // 5: a man of another township given a women's service: only that he is outside is said
    {
      kind: 'cervical_screening',
      id_number: id.westMan,
      service_date: '2025-03-04',
      provider: '东华镇卫生院',
      outcome_code: 'normal',
      consent: '是',
    },
    // 6: lived in 东华镇 on the service date, has since moved to another township
    {
      kind: 'counselling',
      id_number: id.movedAway,
      service_date: '2025-03-05',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '是',
    },
    // 7: lived in another township on the service date, lives in 东华镇 now
    {
      kind: 'counselling',
      id_number: id.movedIn,
      service_date: '2025-03-06',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '是',
    },
    // 8: another township's resident, without consent: the row's own problem is said too
    {
      kind: 'counselling',
      id_number: id.west,
      service_date: '2025-03-07',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '否',
    },
    // 9: not in the registry at all
    {
      kind: 'counselling',
      id_number: id.unknown,
      service_date: '2025-03-08',
      provider: '东华镇卫生院',
      outcome_code: 'given',
      consent: '是',
    },
  ];

  const upload = (who: string, query = '', csv = csvOfServices(rows())) =>
    app.inject(
      withSession(sessions.get(who)!, {
        method: 'POST',
        url: `/api/services/import${query}`,
        headers: { 'content-type': 'text/csv' },
        payload: csv,
      }),
    );
  /** The stored records of a source as "ID number@village", sorted. */
  const stored = async (source = 'import') =>
    (
      await test.database.db
        .selectFrom('service_record as s')
        .innerJoin('person as p', 'p.id', 's.person_id')
        .select(['p.id_number', 's.org_code'])
        .where('s.source', '=', source)
        .execute()
    )
      .map((r) => `${r.id_number}@${r.org_code}`)
      .sort();

  before(async () => {
    test = await createTestDatabase();
    const db = test.database.db;
    await loadHuating(db);
    const ctx = contextFor(db);
    const adult = async (name: string, sex: 'female' | 'male', orgCode: string) =>
      addAdult(ctx, { name, sex, birthDate: '1985-05-05', orgCode });
    id.east = (await adult('周东', 'female', VILLAGE)).id_number!;
    id.north = (await adult('周北', 'female', OTHER_VILLAGE)).id_number!;
    id.west = (await adult('周西', 'female', OTHER_TOWNSHIP_VILLAGE)).id_number!;
    id.westMan = (await adult('吴西', 'male', OTHER_TOWNSHIP_VILLAGE)).id_number!;
    const away = await adult('周迁出', 'female', VILLAGE);
    await changeResidence(ctx, { personId: away.id, date: '2025-06-01', orgCode: OTHER_TOWNSHIP_VILLAGE });
    id.movedAway = away.id_number!;
    const into = await adult('周迁入', 'female', OTHER_TOWNSHIP_VILLAGE);
    await changeResidence(ctx, { personId: into.id, date: '2025-06-01', orgCode: VILLAGE });
    id.movedIn = into.id_number!;
    id.unknown = makeIdNumber('1985-05-05', 'female');

    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    const user = async (name: string, role: RoleName, unit: string) =>
      sessions.set(name, await signIn(app, await createTestUser(test.database, [{ role, unit }])));
    await user('county', 'health_provider', '620881');
    await user('township', 'health_provider', TOWNSHIP);
    await user('otherTownship', 'health_provider', OTHER_TOWNSHIP);
    await user('village', 'health_provider', VILLAGE);
    await user('townshipStaff', 'township_staff', TOWNSHIP);
    await user('countyAdmin', 'county_admin', '620881');
  });
  after(async () => {
    await app?.close();
    await test?.cleanup();
  });

  it('writes a township user’s rows for its residents and rejects the others’ on the ID number with outside_units, saying nothing else of them', async () => {
    // No unit named: the township health centre's own.
    const response = await upload('township');
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.equal(report.unitCode, TOWNSHIP);
    assert.deepEqual(outcomes(report), [
      [2, 'ok', ''],
      [3, 'ok', ''],
      [4, 'rejected', 'idNumber:outside_units'],
      // Not women_only: that would tell the caller the sex of a person they may not see.
      [5, 'rejected', 'idNumber:outside_units'],
      // Where the person lives now decides, as for one record entered at a time.
      [6, 'rejected', 'idNumber:outside_units'],
      [7, 'ok', ''],
      [8, 'rejected', 'consent:consent_required idNumber:outside_units'],
      [9, 'rejected', 'idNumber:person_not_found'],
    ]);
    assert.deepEqual([report.ok, report.unchanged, report.rejected], [3, 0, 5]);
    const issue = report.rows[2]!.issues[0]!;
    assert.equal(
      issue.message['zh-CN'],
      '此人现住地不在本次导入的单位（620881100）内，不能在此记录其服务（请由其所在单位或县级导入）',
    );
    assert.equal(
      issue.message.en,
      'This person does not live in 620881100, the unit this import is for, so their services cannot be recorded here (their own unit or the county can import them)',
    );
    // The report names the column of the file the problem is in.
    assert.deepEqual(report.columns.find((c) => c.field === issue.field)?.label, {
      'zh-CN': '身份证号',
      en: 'id_number',
    });
    // Where an outside person lives is not said.
    for (const row of report.rows)
      for (const i of row.issues) assert.doesNotMatch(JSON.stringify(i.message), /620881101/);
    // Each record counts in the village the person lived in on the service date.
    assert.deepEqual(
      await stored(),
      [
        `${id.east}@${VILLAGE}`,
        `${id.north}@${OTHER_VILLAGE}`,
        `${id.movedIn}@${OTHER_TOWNSHIP_VILLAGE}`,
      ].sort(),
    );
  });

  it('writes nothing new when the township imports the file again: its rows unchanged, the others rejected as before', async () => {
    const response = await upload('township');
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.deepEqual(
      outcomes(report).map(([rowNo, status]) => `${rowNo}:${status}`),
      [
        '2:unchanged',
        '3:unchanged',
        '4:rejected',
        '5:rejected',
        '6:rejected',
        '7:unchanged',
        '8:rejected',
        '9:rejected',
      ],
    );
    assert.equal((await stored()).length, 3);
  });

  it('imports every row of the county for a county user, the rows the township could not import among them', async () => {
    // As before: no unit named is the county user's own, the county.
    const response = await upload('county');
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json() as ServiceImportReport;
    assert.equal(report.unitCode, '620881');
    assert.deepEqual(outcomes(report), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
      [4, 'ok', ''],
      [5, 'rejected', 'kind:women_only'],
      [6, 'ok', ''],
      [7, 'unchanged', ''],
      [8, 'rejected', 'consent:consent_required'],
      [9, 'rejected', 'idNumber:person_not_found'],
    ]);
    assert.deepEqual(
      await stored(),
      [
        `${id.east}@${VILLAGE}`,
        `${id.north}@${OTHER_VILLAGE}`,
        `${id.west}@${OTHER_TOWNSHIP_VILLAGE}`,
        `${id.movedAway}@${VILLAGE}`,
        `${id.movedIn}@${OTHER_TOWNSHIP_VILLAGE}`,
      ].sort(),
    );
    // ?county= as before is the county too.
    const again = await upload('county', '?county=620881');
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((again.json() as ServiceImportReport).ok, 0);
  });

  it('imports for a village the township user names with ?unit=, and a village user for their own village', async () => {
    const township = await upload('township', `?unit=${VILLAGE}&source=village-list`);
    assert.equal(township.statusCode, 200, township.body);
    const report = township.json() as ServiceImportReport;
    assert.equal(report.unitCode, VILLAGE);
    assert.deepEqual(
      outcomes(report)
        .filter(([, status]) => status === 'ok')
        .map(([rowNo]) => rowNo),
      [2, 7],
    );
    // The other village of the same township is outside this import.
    assert.deepEqual(outcomes(report)[1], [3, 'rejected', 'idNumber:outside_units']);
    assert.match(report.rows[1]!.issues[0]!.message['zh-CN'], /620881100001/);
    assert.deepEqual(
      await stored('village-list'),
      [`${id.east}@${VILLAGE}`, `${id.movedIn}@${OTHER_TOWNSHIP_VILLAGE}`].sort(),
    );

    const village = await upload('village', '?source=village-own');
    assert.equal(village.statusCode, 200, village.body);
    assert.equal((village.json() as ServiceImportReport).unitCode, VILLAGE);
    assert.equal((village.json() as ServiceImportReport).ok, 2);
  });

  it('refuses a township user the county, another township or a village outside theirs, and a user without services.write, writing nothing', async () => {
    const before = await stored('refused');
    for (const [who, query] of [
      ['township', '?unit=620881'],
      ['township', '?county=620881'],
      ['township', `?unit=${OTHER_TOWNSHIP}`],
      ['township', `?unit=${OTHER_TOWNSHIP_VILLAGE}`],
      ['village', `?unit=${OTHER_VILLAGE}`],
      // Registry and benefits work, but no health-service records.
      ['townshipStaff', ''],
      ['countyAdmin', '?unit=620881'],
    ] as const) {
      const response = await upload(who, `${query}${query ? '&' : '?'}source=refused`);
      assert.equal(response.statusCode, 403, `${who} ${query}: ${response.body}`);
      assert.equal(response.json().error.code, 'forbidden');
    }
    assert.deepEqual(await stored('refused'), before);
    assert.deepEqual(before, []);
  });

  it('refuses a unit that is not in the county named, or not loaded, with a field-level error on unit', async () => {
    const elsewhere = await upload('county', `?unit=${TOWNSHIP}&county=620882&source=refused`);
    assert.equal(elsewhere.statusCode, 400, elsewhere.body);
    assert.equal(elsewhere.json().error.field, 'unit');
    const unknown = await app.inject(
      withSession(sessions.get('county')!, {
        method: 'POST',
        url: '/api/services/import?unit=620881999&source=refused',
        headers: { 'content-type': 'text/csv', 'accept-language': 'en' },
        payload: csvOfServices(rows()),
      }),
    );
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json().error.code, 'unknown_org_unit');
    assert.equal(unknown.json().error.field, 'unit');
    assert.match(unknown.json().error.message, /No unit with code 620881999/);
    assert.deepEqual(await stored('refused'), []);
  });

  it('rejects a second township centre’s records whose numbers the first centre used, on the record number and saying only a date, instead of calling them unchanged', async () => {
    // Both centres number their records 1, 2 … and import under the default source.
    const numbered = (rows: ServiceRow[]) =>
      csvOfServices(rows.map((r, i) => ({ ...r, import_key: `${i + 1}` })));
    const visit = (idNumber: string, kind: string, date: string, provider: string): ServiceRow => ({
      kind,
      id_number: idNumber,
      service_date: date,
      provider,
      outcome_code: kind === 'counselling' ? 'given' : 'normal',
      consent: '是',
    });
    const eastFile = numbered([
      visit(id.east, 'cervical_screening', '2025-04-01', '东华镇卫生院'),
      visit(id.north, 'counselling', '2025-04-02', '东华镇卫生院'),
    ]);
    const westFile = numbered([
      visit(id.west, 'breast_screening', '2025-04-03', '西华镇卫生院'),
      visit(id.westMan, 'counselling', '2025-04-04', '西华镇卫生院'),
    ]);
    const before = (await stored()).length;
    const east = await upload('township', '', eastFile);
    assert.equal(east.statusCode, 200, east.body);
    assert.deepEqual(outcomes(east.json()), [
      [2, 'ok', ''],
      [3, 'ok', ''],
    ]);

    const west = await upload('otherTownship', '', westFile);
    assert.equal(west.statusCode, 200, west.body);
    const report = west.json() as ServiceImportReport;
    assert.equal(report.unitCode, OTHER_TOWNSHIP);
    assert.deepEqual(outcomes(report), [
      [2, 'rejected', 'importKey:import_key_reused'],
      [3, 'rejected', 'importKey:import_key_reused'],
    ]);
    assert.deepEqual([report.ok, report.unchanged, report.rejected], [0, 0, 2]);
    assert.match(report.rows[0]!.issues[0]!.message['zh-CN'], /已用于另一条服务记录（服务日期 2025-04-01）/);
    assert.match(report.rows[1]!.issues[0]!.message.en, /another service record \(service date 2025-04-02\)/);
    // Nothing of whose record it is: not the person, their village or township, nor the service.
    for (const row of report.rows)
      for (const language of ['zh-CN', 'en'] as const)
        for (const told of [
          id.east,
          id.north,
          '周东',
          '周北',
          TOWNSHIP,
          '东华',
          'cervical',
          '宫颈',
          'counselling',
          '咨询',
        ])
          assert.ok(!row.issues[0]!.message[language].includes(told), `${language} message tells ${told}`);
    assert.equal((await stored()).length, before + 2, 'nothing of the second centre written');

    // Each centre's own file again is unchanged; the county, importing the first centre's file
    // under the same source, recognises its records too.
    assert.deepEqual(outcomes((await upload('township', '', eastFile)).json()), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
    ]);
    assert.deepEqual(outcomes((await upload('county', '', eastFile)).json()), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
    ]);
    // The second centre, as the message says, imports under a source of its own; again, unchanged.
    const own = await upload('otherTownship', `?source=wsy-${OTHER_TOWNSHIP}`, westFile);
    assert.deepEqual(outcomes(own.json()), [
      [2, 'ok', ''],
      [3, 'ok', ''],
    ]);
    assert.deepEqual(
      await stored(`wsy-${OTHER_TOWNSHIP}`),
      [`${id.west}@${OTHER_TOWNSHIP_VILLAGE}`, `${id.westMan}@${OTHER_TOWNSHIP_VILLAGE}`].sort(),
    );
    const again = await upload('otherTownship', `?source=wsy-${OTHER_TOWNSHIP}`, westFile);
    assert.deepEqual(outcomes(again.json()), [
      [2, 'unchanged', ''],
      [3, 'unchanged', ''],
    ]);
  });

  it('keeps a township import’s committed chunks whole after a failure; importing again writes only the rest, never another township’s rows', async () => {
    const ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    const csv = csvOfServices(rows());
    const options = { unit: TOWNSHIP, chunkSize: 3 };
    await assert.rejects(
      importServicesCsv(ctx, csv, 'chunks', {
        ...options,
        beforeCommit: ({ chunkNo }) => {
          if (chunkNo === 2) throw new Error('crash in chunk 2');
        },
      }),
      /crash in chunk 2/,
    );
    // Chunk 1 (rows 2–4): the two residents' rows; chunk 2 (rows 5–7) rolled back whole.
    assert.deepEqual(
      await stored('chunks'),
      [`${id.east}@${VILLAGE}`, `${id.north}@${OTHER_VILLAGE}`].sort(),
    );
    const report = await importServicesCsv(ctx, csv, 'chunks', options);
    assert.deepEqual(
      outcomes(report).map(([rowNo, status]) => `${rowNo}:${status}`),
      [
        '2:unchanged',
        '3:unchanged',
        '4:rejected',
        '5:rejected',
        '6:rejected',
        '7:ok',
        '8:rejected',
        '9:rejected',
      ],
    );
    assert.equal((await stored('chunks')).length, 3);
  });
});
