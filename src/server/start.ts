import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { Config } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { initCounty } from '../org/init-county.ts';
import { readVersion } from '../version.ts';
import { buildApp } from './app.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

/** Opens storage, migrates, sets up the demo county on an empty database, and listens. */
export async function startServer(config: Config, logger: pino.Logger): Promise<RunningServer> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const migrations = await migrateToLatest(database);
    const applied = migrations.filter((m) => m.status === 'applied');
    if (applied.length > 0) logger.info({ applied: applied.map((m) => m.version) }, 'migrations applied');
    await ensureDemoCounty(database, config, logger);
  } catch (error) {
    await database.close();
    throw error;
  }

  const app = await buildApp({ config, database, version: readVersion() }, { logger });
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
  let stopping: Promise<void> | undefined;
  return {
    app,
    database,
    url,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await database.close();
      })();
      return stopping;
    },
  };
}

/** On the first start of an empty database, loads the default county so there is something to see. */
async function ensureDemoCounty(database: Database, config: Config, logger: pino.Logger) {
  const any = await database.db
    .selectFrom('org_unit')
    .select('code')
    .where('level', '=', 'county')
    .limit(1)
    .execute();
  if (any.length > 0) return;
  const result = await initCounty(database.db, config.defaultCounty);
  logger.info(
    { county: result.county.code, townships: result.townships, villages: result.villages },
    'default county loaded on first start',
  );
}
