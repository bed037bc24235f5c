import type pino from 'pino';
import type { Database } from '../db/database.ts';
import { todayInChina } from '../domain/dates.ts';
import { indicatorEngineFor } from '../indicators/index.ts';

/** The start-up warming of the indicator cubes, as /api/health reports it. */
export interface CubeWarming {
  state: 'off' | 'waiting' | 'warming' | 'ready' | 'failed';
  /** The cubes built so far, as 'county|year'. */
  built: string[];
  error?: string;
}

/**
 * Builds, for every loaded county, the cubes a first dashboard visit needs: the county's latest
 * year with data (the period the dashboard opens on) and the year before (its comparison). They
 * land in the engine's cache, where the dashboard's requests find them. Never throws: a failure is
 * logged and reported in `status`, and the server keeps serving (the cube is then built on the
 * first request, as without warming). `stopping()` is asked between cubes, so a shutdown does not
 * wait for the rest.
 */
export async function warmIndicatorCubes(
  database: Database,
  logger: pino.Logger,
  status: CubeWarming,
  stopping: () => boolean = () => false,
): Promise<void> {
  const started = performance.now();
  status.state = 'warming';
  try {
    const engine = indicatorEngineFor(database);
    const today = todayInChina();
    const counties = await database.db
      .selectFrom('org_unit')
      .select('code')
      .where('level', '=', 'county')
      .orderBy('code')
      .execute();
    const years = await engine.latestDataYears(today);
    for (const { code } of counties) {
      const latest = years.get(code) ?? Number(today.slice(0, 4));
      for (const year of [latest, latest - 1]) {
        if (stopping()) break;
        await engine.warmCube(code, year);
        status.built.push(`${code}|${year}`);
      }
    }
    status.state = 'ready';
    logger.info(
      { cubes: status.built, ms: Math.round(performance.now() - started) },
      'indicator cubes warmed',
    );
  } catch (error) {
    status.state = 'failed';
    status.error = (error as Error).message;
    // Not fatal: the dashboard's first request builds what is missing.
    logger.warn({ err: error, cubes: status.built }, 'warming the indicator cubes failed');
  }
}
