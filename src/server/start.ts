import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { Config } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEMO_STEPS, prepareDemoWorkload } from '../demo/prepare-demo.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { initCounty } from '../org/init-county.ts';
import { generateCountyIntoDatabase } from '../synth/load-registry.ts';
import { readVersion } from '../version.ts';
import { buildApp } from './app.ts';
import type { DemoStatus } from './context.ts';
import { type CubeWarming, warmIndicatorCubes } from './warm-cubes.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  /** The demo county being generated in the background, if this is a first start. */
  demo: DemoStatus;
  /** Settles when the background demo generation has finished (at once if there is none). */
  demoDone: Promise<void>;
  /** The background warming of the indicator cubes (config.warmCubes), after the demo county. */
  cubes: CubeWarming;
  /** Settles when the warming has finished or failed (at once when it is off); never rejects. */
  cubesWarmed: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Progress of the first-start demo generation, for a progress bar. */
  onDemoProgress?: (status: DemoStatus) => void;
}

/**
 * Opens storage, migrates, sets up the demo county on an empty database, and listens; then, in
 * the background, generates the demo county (first start) and warms the indicator cubes.
 */
export async function startServer(
  config: Config,
  logger: pino.Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let demoNeeded = false;
  let schemaVersion = 0;
  try {
    const migrations = await migrateToLatest(database);
    schemaVersion = Math.max(0, ...migrations.map((m) => m.version));
    const applied = migrations.filter((m) => m.status === 'applied');
    if (applied.length > 0) logger.info({ applied: applied.map((m) => m.version) }, 'migrations applied');
    demoNeeded = await ensureDemoCounty(database, config, logger);
  } catch (error) {
    await database.close();
    throw error;
  }

  const demo: DemoStatus = { state: demoNeeded ? 'generating' : 'none', done: 0, total: 1 };
  const cubes: CubeWarming = { state: config.warmCubes ? 'waiting' : 'off', built: [] };
  const app = await buildApp(
    { config, database, version: readVersion(), demo, cubes, schemaVersion },
    { logger },
  );
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await database.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError(
        'port_in_use',
        text(
          `端口 ${config.port} 已被占用。请停止占用它的程序，或用 PORT 环境变量换一个端口（例如 PORT=3001 npm start）。`,
          `Port ${config.port} is already in use. Stop the program using it, or choose another port with PORT (e.g. PORT=3001 npm start).`,
        ),
        { field: 'PORT' },
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  // The server answers at once; the demo county fills in behind it (health shows the progress).
  const demoDone = demoNeeded
    ? generateDemo(database, config, logger, demo, options.onDemoProgress)
    : Promise.resolve();
  // Then the cubes a first dashboard visit needs, so it does not wait for them (never before the
  // demo county is in: its data would change under them).
  let stopped = false;
  const cubesWarmed = config.warmCubes
    ? demoDone.then(() => (stopped ? undefined : warmIndicatorCubes(database, logger, cubes, () => stopped)))
    : Promise.resolve();
  let stopping: Promise<void> | undefined;
  return {
    app,
    database,
    url,
    demo,
    demoDone,
    cubes,
    cubesWarmed,
    stop() {
      stopped = true;
      stopping ??= (async () => {
        await app.close();
        await demoDone;
        await cubesWarmed;
        await database.close();
      })();
      return stopping;
    },
  };
}

/**
 * On the first start of an empty database, loads the default county so there is something to
 * see; says whether the synthetic demo population still has to be generated.
 */
async function ensureDemoCounty(database: Database, config: Config, logger: pino.Logger): Promise<boolean> {
  const any = await database.db
    .selectFrom('org_unit')
    .select('code')
    .where('level', '=', 'county')
    .limit(1)
    .execute();
  if (any.length > 0) return false;
  const result = await initCounty(database.db, config.defaultCounty);
  logger.info(
    { county: result.county.code, townships: result.townships, villages: result.villages },
    'default county loaded on first start',
  );
  return config.demoPersons > 0;
}

/** Generates the demo county (RENKOU_DEMO_PERSONS persons, 2016–2025) into the database once. */
async function generateDemo(
  database: Database,
  config: Config,
  logger: pino.Logger,
  demo: DemoStatus,
  onProgress: StartOptions['onDemoProgress'],
): Promise<void> {
  try {
    await generateCountyIntoDatabase(database, {
      county: config.defaultCounty,
      persons: config.demoPersons,
      from: 2016,
      to: 2025,
      seed: config.demoSeed,
      actor: 'demo',
      onProgress: (phase, done, total) => {
        demo.state = phase === 'generate' ? 'generating' : 'loading';
        demo.done = done;
        demo.total = total;
        onProgress?.(demo);
      },
    });
    // Target sheets, linked feeds, validation findings, duplicate suggestions: an office's first weeks.
    const workload = await prepareDemoWorkload(database, config.defaultCounty, {
      from: 2016,
      to: 2025,
      onStep: (_step, index) => {
        demo.state = 'preparing';
        demo.done = index;
        demo.total = DEMO_STEPS.length;
        onProgress?.(demo);
      },
    });
    logger.info(workload, 'demo workload prepared');
    demo.state = 'ready';
    onProgress?.(demo);
    logger.info({ persons: config.demoPersons }, 'demo county generated');
  } catch (error) {
    demo.state = 'failed';
    demo.error = (error as Error).message;
    onProgress?.(demo);
    logger.error({ err: error }, 'demo county generation failed');
  }
}
