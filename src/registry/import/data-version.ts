import type { RawSession } from '../../db/database.ts';

/**
 * A county's registry change counter (data_version, migration 0004) for writers of many
 * statements in one transaction: `defer` makes the counter's triggers stand aside until the end of
 * the transaction (migration 0022), and `bump` — the last statement before COMMIT — counts the
 * whole transaction as one change. Caches compare the counter, so a deferred transaction that
 * does not bump would leave them stale: the two go together.
 */
export const dataVersion = {
  defer(session: RawSession): Promise<unknown> {
    return session.query(`SELECT set_config('renkou.defer_data_version', 'on', true)`);
  },
  bump(session: RawSession, countyCode: string): Promise<unknown> {
    return session.query(
      `INSERT INTO data_version (county_code, version, changed_at) VALUES ($1::text, 1, now())
       ON CONFLICT (county_code) DO UPDATE SET version = data_version.version + 1, changed_at = now()`,
      [countyCode],
    );
  },
};
