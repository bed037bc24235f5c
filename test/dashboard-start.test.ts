import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildCube, type Cube } from '../src/indicators/cube.ts';
import { findLatestDataYears } from '../src/indicators/data-years.ts';
import { indicatorEngineFor } from '../src/indicators/index.ts';
import { initCounty } from '../src/org/init-county.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth } from '../src/registry/index.ts';
import { buildApp } from '../src/server/app.ts';
import { startServer } from '../src/server/start.ts';
import {
  createScratchStorage,
  createTestDatabase,
  type ScratchStorage,
  storageName,
  type TestDatabase,
} from './helpers/database.ts';
import { createTestUser, signIn, withSession } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating } from './helpers/registry.ts';

/** 华亭市 with two mothers arriving in 2020 and a birth in 2024 and one in 2025: data end in 2025. */
async function seedHuating(ctx: CommandContext) {
  await loadHuating(ctx.db);
  const arrive = { moveDate: '2020-01-01' };
  const first = await addAdult(ctx, { name: '李秀英', sex: 'female', birthDate: '1995-03-08', ...arrive });
  const second = await addAdult(ctx, { name: '张丽', sex: 'female', birthDate: '1990-02-01', ...arrive });
  await registerBirth(ctx, {
    child: { name: '王一', sex: 'male', birthDate: '2024-05-01' },
    motherId: first.id,
  });
  await registerBirth(ctx, {
    child: { name: '张一', sex: 'female', birthDate: '2025-03-01' },
    motherId: second.id,
  });
}

describe(`the latest year with data, where the dashboard opens (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await seedHuating(contextFor(test.database.db));
    // A second county with no records at all.
    await initCounty(test.database.db, '330825');
  });
  after(() => test.cleanup());

  it('is the year of the last vital event, never after today, and absent for a county without events', async () => {
    assert.deepEqual(
      [...(await findLatestDataYears(test.database.db, '2026-06-30'))],
      [['620881', 2025]],
      'events end in 2025 while today is in 2026',
    );
    assert.deepEqual([...(await findLatestDataYears(test.database.db, '2024-12-31'))], [['620881', 2024]]);
    assert.deepEqual([...(await findLatestDataYears(test.database.db, '2019-12-31'))], []);
  });

  it('GET /api/org-units gives each loaded county its latest year with data (null when it has none)', async () => {
    assert.deepEqual(await orgUnitYears(test.database, '2026-06-30'), [
      ['330825', null],
      ['620881', 2025],
    ]);
  });

  it('moves to this year only from 1 February, once this year has a record', async () => {
    // Events end in 2025; one birth is recorded on 3 January 2026.
    const ctx = { ...contextFor(test.database.db), today: '2026-01-03' };
    const mother = await addAdult(ctx, {
      name: '赵芳',
      sex: 'female',
      birthDate: '1996-01-01',
      moveDate: '2020-01-01',
    });
    await registerBirth(ctx, {
      child: { name: '赵一', sex: 'female', birthDate: '2026-01-03' },
      motherId: mother.id,
    });
    const yearOn = async (today: string) =>
      (await findLatestDataYears(test.database.db, today)).get('620881');
    assert.equal(await yearOn('2026-01-03'), 2025, 'the day of the first record of the year');
    assert.equal(await yearOn('2026-01-31'), 2025, 'January is not yet a complete month behind');
    assert.equal(await yearOn('2026-02-01'), 2026, 'from 1 February, with data');
    assert.equal(await yearOn('2026-12-31'), 2026);
    assert.equal(await yearOn('2027-01-15'), 2026, 'next January: still the year just ended');
    // The route answers by the app's today, and the engine's cache does not carry one day's
    // answer over to another.
    assert.deepEqual(await orgUnitYears(test.database, '2026-01-31'), [
      ['330825', null],
      ['620881', 2025],
    ]);
    assert.deepEqual(await orgUnitYears(test.database, '2026-02-01'), [
      ['330825', null],
      ['620881', 2026],
    ]);
  });

  it('in January opens on the latest earlier year with data, however far back', async () => {
    // 龙游县: a move-in in June 2023, nothing in 2024, a birth on 10 January 2025.
    const village = await test.database.db
      .selectFrom('org_unit')
      .select('code')
      .where('county_code', '=', '330825')
      .where('level', '=', 'village')
      .orderBy('code')
      .executeTakeFirstOrThrow();
    const ctx = { ...contextFor(test.database.db), today: '2025-01-10' };
    const mother = await addAdult(ctx, {
      name: '钱敏',
      sex: 'female',
      birthDate: '1994-07-01',
      orgCode: village.code,
      moveDate: '2023-06-01',
    });
    await registerBirth(ctx, {
      child: { name: '钱一', sex: 'male', birthDate: '2025-01-10' },
      motherId: mother.id,
    });
    const yearOn = async (today: string) =>
      (await findLatestDataYears(test.database.db, today)).get('330825');
    assert.equal(await yearOn('2025-01-20'), 2023, 'not the nearly empty 2025, nor 2024 without data');
    assert.equal(await yearOn('2025-02-01'), 2025);
  });
});

/** `latestDataYear` of each county in GET /api/org-units, asked of an app whose today is `today`. */
async function orgUnitYears(database: Database, today: string): Promise<[string, number | null][]> {
  const app = await buildApp({ config: loadConfig({}), database, version: 'test', today: () => today });
  try {
    const session = await signIn(
      app,
      await createTestUser(database, [{ role: 'county_admin', unit: '620881' }]),
    );
    const response = await app.inject(withSession(session, { url: '/api/org-units' }));
    assert.equal(response.statusCode, 200, response.body);
    const items = response.json().items as { code: string; latestDataYear: number | null }[];
    return items.map((county) => [county.code, county.latestDataYear]);
  } finally {
    await app.close();
  }
}

/** A pino logger writing its JSON lines into an array, to read what the server logged. */
function memoryLogger(): { logger: pino.Logger; lines: { msg: string; cubes?: string[] }[] } {
  const lines: { msg: string; cubes?: string[] }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe(`warming the indicator cubes at start (${storageName})`, () => {
  let storage: ScratchStorage;
  const env = (warm: string) =>
    loadConfig({
      ...storage.env,
      HOST: '127.0.0.1',
      PORT: '0',
      RENKOU_DEMO_PERSONS: '0',
      RENKOU_WARM_CUBES: warm,
    });

  before(async () => {
    storage = await createScratchStorage();
    const config = env('0');
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrateToLatest(database);
      await seedHuating(contextFor(database.db));
    } finally {
      await database.close();
    }
  });
  after(() => storage.cleanup());

  it('builds the latest year with data and the year before without any request, and the dashboard uses them', async () => {
    const { logger, lines } = memoryLogger();
    const server = await startServer(env('1'), logger);
    try {
      await server.cubesWarmed;
      assert.equal(server.cubes.state, 'ready', server.cubes.error);
      assert.deepEqual(server.cubes.built, ['620881|2025', '620881|2024']);
      const engine = indicatorEngineFor(server.database);
      assert.deepEqual(engine.listCachedCubes(), ['620881|2024', '620881|2025']);
      const logged = lines.find((line) => line.msg === 'indicator cubes warmed');
      assert.deepEqual(logged?.cubes, ['620881|2025', '620881|2024']);

      const health = (await server.app.inject({ url: '/api/health' })).json();
      assert.deepEqual(health.cubes, { state: 'ready', built: 2 });

      // The dashboard's first request answers from the warmed cube: the cache still holds the
      // very cube built at start (a rebuild would have put a new one there).
      const warmed = await engine.cubeFor('620881', 2025);
      const session = await signIn(
        server.app,
        await createTestUser(server.database, [{ role: 'county_admin', unit: '620881' }]),
      );
      const response = await server.app.inject(
        withSession(session, {
          url: '/api/indicators/values?unit=620881&period=2025&indicators=births,deaths&children=true',
        }),
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().indicators.births.values[0].value, 1);
      assert.equal(await engine.cubeFor('620881', 2025), warmed);
    } finally {
      await server.stop();
    }
  });

  it('builds the same cube in the background (one query at a time, without parallel workers) as for a request', async () => {
    const config = env('0');
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const counted = (cube: Cube) => ({ ...cube, builtInMs: 0, timings: {} });
      const forRequest = counted(await buildCube(database.db, '620881', 2025));
      assert.ok(forRequest.population.size > 0 && forRequest.events.size > 0, 'a cube with counts in it');
      for (const background of ['postgres', 'pglite'] as const) {
        // On PGlite the queries go one by one; on PostgreSQL in a transaction without workers.
        const built = await buildCube(database.db, '620881', 2025, [], { background });
        assert.deepEqual(counted(built), forRequest, background);
      }
      // Inside a caller's transaction too (one query at a time; the caller's settings stand).
      const inTransaction = await database.db
        .transaction()
        .execute((trx) => buildCube(trx, '620881', 2025, [], { background: database.kind }));
      assert.deepEqual(counted(inTransaction), forRequest);
    } finally {
      await database.close();
    }
  });

  it('builds nothing when RENKOU_WARM_CUBES=0', async () => {
    const server = await startServer(env('0'), memoryLogger().logger);
    try {
      await server.cubesWarmed;
      assert.equal(server.cubes.state, 'off');
      assert.deepEqual(indicatorEngineFor(server.database).listCachedCubes(), []);
      assert.equal((await server.app.inject({ url: '/api/health' })).json().cubes, undefined);
    } finally {
      await server.stop();
    }
  });

  it('keeps serving when warming fails, and says so in the log and in /api/health', async () => {
    // A real failure: the change counter every cube is checked against is gone.
    const config = env('1');
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await sql`ALTER TABLE data_version RENAME TO data_version_gone`.execute(database.db);
    await database.close();

    const { logger, lines } = memoryLogger();
    const server = await startServer(config, logger);
    try {
      await server.cubesWarmed;
      assert.equal(server.cubes.state, 'failed');
      assert.match(server.cubes.error ?? '', /data_version/);
      assert.ok(lines.some((line) => line.msg === 'warming the indicator cubes failed'));
      const health = await server.app.inject({ url: '/api/health' });
      assert.equal(health.statusCode, 200);
      assert.equal(health.json().status, 'ok');
      assert.equal(health.json().cubes.state, 'failed');
      const live = await fetch(`${server.url}/api/health`);
      assert.equal(live.status, 200, 'still listening');
    } finally {
      await server.stop();
    }
  });
});
