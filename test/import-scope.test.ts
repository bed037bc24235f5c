import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { composeResidentId } from '../src/domain/resident-id.ts';
import { PERSON_COLUMNS } from '../src/registry/import/person-columns.ts';
import { buildApp } from '../src/server/app.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { createTestUser, type Session, signIn, withSession } from './helpers/http.ts';
import { loadHuating, OTHER_VILLAGE, VILLAGE } from './helpers/registry.ts';

/**
 * Imports by users whose right covers only part of the county: each row is checked against the
 * import's unit — rows of villages outside it go to the quarantine (`outside_units`), the rest
 * land. The batch is the unit's: its user reads it and works its quarantine, and a row outside
 * their units stays quarantined until someone whose units cover it resubmits it.
 */
const TOWNSHIP = '620881100'; // 东华镇: VILLAGE and OTHER_VILLAGE
const OTHER_TOWNSHIP_VILLAGE = '620881101201';

const header = PERSON_COLUMNS.map((c) => c.zh).join(',');
let sequence = 300;
function row(name: string, village: string, household: string, head = false) {
  sequence += 1;
  const birthDate = '1980-04-05';
  const cells: Record<string, string> = {
    户号: household,
    '村（居）代码': village,
    姓名: name,
    性别: sequence % 2 ? '男' : '女',
    出生日期: birthDate,
    公民身份号码: composeResidentId('620881', birthDate, sequence),
    人口类型: '户籍',
    居住起始日期: birthDate,
    ...(head ? { 与户主关系: '户主' } : {}),
  };
  return PERSON_COLUMNS.map((c) => cells[c.zh] ?? '').join(',');
}
const csvOf = (rows: string[]) => `\uFEFF${header}\r\n${rows.join('\r\n')}\r\n`;

interface QuarantineItem {
  rowNo: number;
  raw: Record<string, string>;
  issues: { code: string; field: string; message: { 'zh-CN': string; en: string } }[];
}

describe(`imports by users who cover part of the county (${storageName})`, () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  let county: Session;
  let township: Session;
  let village: Session;
  let villageWorker: Session;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    app = await buildApp({ config: loadConfig({}), database: test.database, version: 'test' });
    await app.ready();
    const user = async (role: 'county_admin' | 'township_staff' | 'village_worker', unit: string) =>
      signIn(app, await createTestUser(test.database, [{ role, unit }]));
    county = await user('county_admin', '620881');
    township = await user('township_staff', TOWNSHIP);
    // The import right held for one village only.
    village = await user('township_staff', VILLAGE);
    villageWorker = await user('village_worker', VILLAGE);
  });
  after(async () => {
    await app?.close();
    await test?.cleanup();
  });

  const upload = (session: Session, csv: string, query = '') =>
    app.inject(
      withSession(session, {
        method: 'POST',
        url: `/api/imports?filename=scope.csv${query}`,
        headers: { 'content-type': 'text/csv' },
        payload: csv,
      }),
    );
  const get = (session: Session, url: string) => app.inject(withSession(session, { method: 'GET', url }));
  const personsNamed = async (names: string[]) =>
    (
      await test.database.db
        .selectFrom('person')
        .select(['name', 'current_org_code'])
        .where('name', 'in', names)
        .orderBy('name')
        .execute()
    ).map((p) => `${p.name}@${p.current_org_code}`);

  it('imports a township user’s rows of their township and quarantines the other township’s, with the reason', async () => {
    const csv = csvOf([
      row('周东甲', VILLAGE, 'SC-1', true),
      row('周东乙', VILLAGE, 'SC-1'),
      row('周北丙', OTHER_VILLAGE, 'SC-2', true),
      row('周外丁', OTHER_TOWNSHIP_VILLAGE, 'SC-3', true),
      row('周外戊', OTHER_TOWNSHIP_VILLAGE, 'SC-3'),
    ]);
    // No unit named: the township user's own.
    const response = await upload(township, csv);
    assert.equal(response.statusCode, 201, response.body);
    const report = response.json();
    assert.equal(report.unitCode, TOWNSHIP);
    assert.equal(report.countyCode, '620881');
    assert.deepEqual(report.rows, { total: 5, ok: 3, unchanged: 0, quarantined: 2, blank: 0 });
    assert.deepEqual(report.issues, [
      {
        code: 'outside_units',
        field: 'villageCode',
        label: { 'zh-CN': '村（居）代码', en: 'village_code' },
        count: 2,
        // The first such row's message, for a person to read instead of the code.
        example: {
          'zh-CN': '村（居）620881101201 不在您的管辖范围（620881100）内',
          en: 'Village 620881101201 is outside your units (620881100)',
        },
      },
    ]);
    assert.deepEqual(await personsNamed(['周东甲', '周东乙', '周北丙', '周外丁', '周外戊']), [
      `周东乙@${VILLAGE}`,
      `周东甲@${VILLAGE}`,
      `周北丙@${OTHER_VILLAGE}`,
    ]);

    // The batch is the township's: its user reads it and its quarantine.
    const read = await get(township, `/api/imports/${report.batchId}`);
    assert.equal(read.statusCode, 200, read.body);
    const quarantine = await get(township, `/api/imports/${report.batchId}/quarantine`);
    assert.equal(quarantine.statusCode, 200, quarantine.body);
    const items = quarantine.json().items as QuarantineItem[];
    assert.deepEqual(
      items.map((i) => [i.rowNo, i.raw.name, i.issues.map((x) => [x.code, x.field])]),
      [
        [5, '周外丁', [['outside_units', 'villageCode']]],
        [6, '周外戊', [['outside_units', 'villageCode']]],
      ],
    );
    const message = items[0]!.issues[0]!.message;
    assert.match(message['zh-CN'], /不在您的管辖范围/);
    assert.match(message['zh-CN'], new RegExp(OTHER_TOWNSHIP_VILLAGE));
    assert.match(message.en, /outside your units/);

    // The list shows the township its own imports.
    const list = await get(township, '/api/imports');
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list.json().items.map((b: { batchId: number; unitCode: string }) => [b.batchId, b.unitCode]),
      [[report.batchId, TOWNSHIP]],
    );

    // Resubmitting a row outside their units changes nothing for the township user…
    const refused = await app.inject(
      withSession(township, {
        method: 'POST',
        url: `/api/imports/${report.batchId}/quarantine/5/resubmit`,
        payload: { values: {} },
      }),
    );
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(
      refused.json().error.issues.map((i: { code: string }) => i.code),
      ['outside_units'],
    );
    assert.deepEqual(await personsNamed(['周外丁']), []);
    // …and a county user, whose units cover it, imports it from the same quarantine.
    const resubmitted = await app.inject(
      withSession(county, {
        method: 'POST',
        url: `/api/imports/${report.batchId}/quarantine/5/resubmit`,
        payload: { values: {} },
      }),
    );
    assert.equal(resubmitted.statusCode, 200, resubmitted.body);
    assert.equal(resubmitted.json().outcome, 'ok');
    assert.deepEqual(await personsNamed(['周外丁']), [`周外丁@${OTHER_TOWNSHIP_VILLAGE}`]);

    // The same file again for the township: already imported, nothing written.
    const twice = await upload(township, csv);
    assert.equal(twice.statusCode, 200, twice.body);
    assert.equal(twice.json().batchId, report.batchId);
    assert.equal(twice.json().alreadyImported, true);

    // The same file for the county: a batch of its own. The township's rows and the row the county
    // resubmitted are found unchanged; the last row of the other township is imported now.
    const forCounty = await upload(county, csv, '&county=620881');
    assert.equal(forCounty.statusCode, 201, forCounty.body);
    const countyReport = forCounty.json();
    assert.notEqual(countyReport.batchId, report.batchId);
    assert.equal(countyReport.unitCode, '620881');
    assert.deepEqual(countyReport.rows, { total: 5, ok: 1, unchanged: 4, quarantined: 0, blank: 0 });
    assert.deepEqual(await personsNamed(['周外丁', '周外戊']), [
      `周外丁@${OTHER_TOWNSHIP_VILLAGE}`,
      `周外戊@${OTHER_TOWNSHIP_VILLAGE}`,
    ]);
    // The county's batch is not the township's to read.
    assert.equal((await get(township, `/api/imports/${countyReport.batchId}`)).statusCode, 403);

    // And now for a village of the township: the township's import covered it, a clear conflict.
    const below = await upload(village, csv, `&unit=${VILLAGE}`);
    assert.equal(below.statusCode, 409, below.body);
    assert.equal(below.json().error.field, 'file');
    assert.match(below.json().error.messages['zh-CN'], new RegExp(`此文件已为 ${TOWNSHIP} 导入`));
    assert.match(below.json().error.messages.en, new RegExp(`which covers ${VILLAGE}`));
    assert.equal(below.json().error.details.batchId, report.batchId);
  });

  it('imports the rows of a user’s one village and quarantines the neighbouring village’s', async () => {
    const response = await upload(
      village,
      csvOf([
        row('吴村甲', VILLAGE, 'SV-1', true),
        row('吴邻乙', OTHER_VILLAGE, 'SV-2', true),
        row('吴外丙', OTHER_TOWNSHIP_VILLAGE, 'SV-3', true),
      ]),
    );
    assert.equal(response.statusCode, 201, response.body);
    const report = response.json();
    assert.equal(report.unitCode, VILLAGE);
    assert.deepEqual(report.rows, { total: 3, ok: 1, unchanged: 0, quarantined: 2, blank: 0 });
    assert.deepEqual(await personsNamed(['吴村甲', '吴邻乙', '吴外丙']), [`吴村甲@${VILLAGE}`]);
    const items = (await get(village, `/api/imports/${report.batchId}/quarantine`)).json()
      .items as QuarantineItem[];
    assert.deepEqual(
      items.map((i) => [i.raw.name, i.issues.map((x) => x.code)]),
      [
        ['吴邻乙', ['outside_units']],
        ['吴外丙', ['outside_units']],
      ],
    );
    // The township sees the village's import among its own; the township's is not the village's to read.
    const listed = (await get(township, '/api/imports')).json().items as {
      batchId: number;
      unitCode: string;
    }[];
    assert.deepEqual(
      listed.map((b) => b.unitCode),
      [VILLAGE, TOWNSHIP],
    );
    assert.equal((await get(village, `/api/imports/${listed[1]!.batchId}`)).statusCode, 403);
    assert.deepEqual(
      (await get(village, '/api/imports')).json().items.map((b: { batchId: number }) => b.batchId),
      [report.batchId],
    );
  });

  it('refuses an import for a unit outside the user’s, and a village worker (who holds no import right) whatever the unit', async () => {
    const csv = csvOf([row('郑某', VILLAGE, 'SR-1', true)]);
    const outside = await upload(township, csv, `&unit=${OTHER_TOWNSHIP_VILLAGE}`);
    assert.equal(outside.statusCode, 403, outside.body);
    const countyWide = await upload(township, csv, '&county=620881');
    assert.equal(countyWide.statusCode, 403, countyWide.body);
    for (const query of ['', `&unit=${VILLAGE}`]) {
      const worker = await upload(villageWorker, csv, query);
      assert.equal(worker.statusCode, 403, worker.body);
    }
    assert.deepEqual(await personsNamed(['郑某']), []);
  });

  it('lets a county user import for one township, quarantining the rest', async () => {
    const response = await upload(
      county,
      csvOf([row('钱东一', VILLAGE, 'SK-1', true), row('钱外二', OTHER_TOWNSHIP_VILLAGE, 'SK-2', true)]),
      `&unit=${TOWNSHIP}`,
    );
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().unitCode, TOWNSHIP);
    assert.deepEqual(response.json().rows, { total: 2, ok: 1, unchanged: 0, quarantined: 1, blank: 0 });
  });
});
