import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createHousehold,
  registerBirth,
  registerMarriage,
  registerMoveIn,
  registerMoveOut,
} from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp } from './helpers/http.ts';
import {
  addAdult,
  contextFor,
  loadHuating,
  makeIdNumber,
  OTHER_VILLAGE,
  VILLAGE,
} from './helpers/registry.ts';

/**
 * The routes the web app's pages need: the whole org tree in one answer, a household with its
 * members, their relations and residence history, and the dashboard's monthly trend in the batch
 * indicator request.
 */
describe(`web support routes (${storageName})`, () => {
  let test: TestDatabase;
  let household: number;
  const ids: Record<string, number> = {};

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    const ctx = contextFor(test.database.db);
    household = (
      await createHousehold(ctx, { householdNo: 'HT-0001', orgCode: VILLAGE, address: '东华社区幸福路 8 号' })
    ).id;
    const moveIn = async (name: string, sex: 'male' | 'female', birthDate: string, relationToHead: string) =>
      (
        await registerMoveIn(ctx, {
          person: { name, sex, birthDate, idNumber: makeIdNumber(birthDate, sex), maritalStatus: 'single' },
          orgCode: VILLAGE,
          residenceType: 'registered',
          moveDate: '2020-01-01',
          householdId: household,
          relationToHead,
        })
      ).person.id;
    ids.wife = await moveIn('李秀英', 'female', '1995-03-08', 'head');
    ids.husband = await moveIn('王建国', 'male', '1993-05-05', 'spouse');
    ids.lodger = await moveIn('赵四', 'male', '1970-01-01', 'other');
    await registerMarriage(ctx, { personId: ids.wife, partnerId: ids.husband, marriageDate: '2021-05-01' });
    ids.child = (
      await registerBirth(ctx, {
        child: { name: '王一', sex: 'male', birthDate: '2025-03-01' },
        motherId: ids.wife,
        fatherId: ids.husband,
        householdId: household,
        reportDate: '2025-03-10',
      })
    ).person.id;
    await registerMoveOut(ctx, {
      personId: ids.lodger,
      moveDate: '2024-06-30',
      kind: 'out_of_county',
      toPlace: '兰州市',
    });
    // Someone of another household, to be left out.
    await addAdult(ctx, { name: '张丽', sex: 'female', birthDate: '1990-02-01', orgCode: OTHER_VILLAGE });
  });
  after(() => test.cleanup());

  it('answers a household with its members, their relations, address and residence history', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.app.inject({
        url: `/api/households/${household}`,
        headers: { cookie: client.session.cookie },
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.household.householdNo, 'HT-0001');
      assert.equal(body.household.address, '东华社区幸福路 8 号');
      assert.equal(body.household.orgCode, VILLAGE);
      const members = body.members as { id: number; name: string; relationToHead: string; status: string }[];
      assert.deepEqual(
        members.map((m) => [m.name, m.relationToHead, m.status]),
        [
          ['李秀英', 'head', 'active'],
          ['王建国', 'spouse', 'active'],
          ['王一', 'child', 'active'],
          ['赵四', 'other', 'moved_out'],
        ],
        'the head first, the living before those who left',
      );
      const relations = new Set(
        (body.relations as { personId: number; relativeId: number; relation: string }[]).map(
          (r) => `${r.personId} ${r.relation} ${r.relativeId}`,
        ),
      );
      assert.ok(relations.has(`${ids.child} mother ${ids.wife}`));
      assert.ok(relations.has(`${ids.child} father ${ids.husband}`));
      assert.ok(
        relations.has(`${ids.wife} spouse ${ids.husband}`) ||
          relations.has(`${ids.husband} spouse ${ids.wife}`),
      );
      assert.equal(
        [...relations].filter((r) => r.includes('spouse') && r.includes(String(ids.lodger))).length,
        0,
      );
      const spells = body.residence as { personId: number; validFrom: string; validTo: string | null }[];
      assert.deepEqual(
        spells.filter((s) => s.personId === ids.lodger).map((s) => [s.validFrom, s.validTo]),
        [['2020-01-01', '2024-06-30']],
        "the lodger's spell in the household ends when he moved out",
      );
      assert.ok(spells.some((s) => s.personId === ids.child && s.validFrom === '2025-03-01'));
      assert.ok(
        spells.every((s, i) => i === 0 || spells[i - 1]!.validFrom <= s.validFrom),
        'oldest first',
      );
    } finally {
      await client.app.close();
    }
  });

  it('refuses an unknown household with 404 and a malformed id with 400, naming the field', async () => {
    const client = await signedInApp(test.database);
    try {
      const missing = await client.app.inject({
        url: '/api/households/999999',
        headers: { cookie: client.session.cookie, 'accept-language': 'zh-CN' },
      });
      assert.equal(missing.statusCode, 404, missing.body);
      assert.equal(missing.json().error.field, 'id');
      assert.match(missing.json().error.message, /没有这个户/);
      const malformed = await client.app.inject({
        url: '/api/households/abc',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(malformed.statusCode, 400, malformed.body);
    } finally {
      await client.app.close();
    }
  });

  it('keeps a household of another township from a village-level user', async () => {
    const client = await signedInApp(test.database, [{ role: 'village_worker', unit: OTHER_VILLAGE }]);
    try {
      const response = await client.app.inject({
        url: `/api/households/${household}`,
        headers: { cookie: client.session.cookie },
      });
      assert.equal(response.statusCode, 403, response.body);
    } finally {
      await client.app.close();
    }
  });

  it('answers the whole org tree of the loaded county in one request', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.app.inject({
        url: '/api/org-tree',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(response.statusCode, 200, response.body);
      const items = response.json().items as { code: string; level: string; parentCode: string | null }[];
      assert.equal(items.filter((u) => u.level === 'county').length, 1);
      assert.equal(items.filter((u) => u.level === 'township').length, 11, '华亭市 has 11 townships');
      const family = await client.app.inject({
        url: '/api/org-units/620881100',
        headers: { cookie: client.session.cookie },
      });
      const villages = (family.json().children as { code: string }[]).map((c) => c.code).sort();
      assert.deepEqual(
        items
          .filter((u) => u.parentCode === '620881100')
          .map((u) => u.code)
          .sort(),
        villages,
        "a township's villages as /api/org-units/:code lists them",
      );
    } finally {
      await client.app.close();
    }
  });

  it('adds each month of the period to the batch indicator request on request', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.app.inject({
        url: '/api/indicators/values?unit=620881&period=2025Q1&indicators=births&months=births,deaths',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(response.statusCode, 200, response.body);
      const months = response.json().months as {
        period: string;
        values: Record<string, { value: number | null }>;
      }[];
      assert.deepEqual(
        months.map((m) => [m.period, m.values.births?.value, m.values.deaths?.value]),
        [
          ['2025-01', 0, 0],
          ['2025-02', 0, 0],
          ['2025-03', 1, 0],
        ],
      );
      const plain = await client.app.inject({
        url: '/api/indicators/values?unit=620881&period=2025&indicators=births',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(plain.json().months, undefined, 'no months unless asked');
      const unknown = await client.app.inject({
        url: '/api/indicators/values?unit=620881&period=2025&indicators=births&months=births,no_such',
        headers: { cookie: client.session.cookie },
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.field, 'months');
    } finally {
      await client.app.close();
    }
  });

  it('gives the indicator page no records link where the records are not listed, and the reason', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.inject(
        '/api/indicators/values?unit=620881&period=2025Q1&indicators=births,newborn_screening_rate&months=births,newborn_screening_rate',
      );
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as {
        indicators: Record<string, { values: { records: string | null }[] }>;
        months: { values: Record<string, { records: string | null }> }[];
      };
      assert.equal(body.indicators.newborn_screening_rate!.values[0]!.records, null);
      assert.equal(
        body.indicators.births!.values[0]!.records,
        '/api/indicators/births/records?unit=620881&period=2025Q1',
      );
      assert.deepEqual(
        body.months.map((m) => [m.values.births!.records !== null, m.values.newborn_screening_rate!.records]),
        [
          [true, null],
          [true, null],
          [true, null],
        ],
      );
      // What the page shows instead of a list (IndicatorPage asks for records only given a link).
      const catalogue = (await client.inject('/api/indicators')).json().items as {
        id: string;
        recordsUnavailable: { code: string; message: string } | null;
      }[];
      assert.deepEqual(catalogue.find((i) => i.id === 'newborn_screening_rate')!.recordsUnavailable, {
        code: 'forbidden',
        message: '服务覆盖率只提供统计数字，不提供逐人名单（个人服务记录仅限卫生服务人员查看）',
      });
    } finally {
      await client.close();
    }
  });

  it('says which GET routes exist, for the app to show its menus', async () => {
    const client = await signedInApp(test.database);
    try {
      const response = await client.app.inject({
        url: '/api/routes?paths=/api/tasks,/api/no-such-thing,/api/households/:id,/sign-in',
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().exists, {
        '/api/tasks': true,
        '/api/no-such-thing': false,
        '/api/households/:id': true,
        '/sign-in': false,
      });
    } finally {
      await client.app.close();
    }
  });
});
