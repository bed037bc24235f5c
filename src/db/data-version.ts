import { type Kysely, sql, type Transaction } from 'kysely';
import type { RawSession } from './database.ts';
import type { Schema } from './schema.ts';

const DEFER = `SELECT set_config('renkou.defer_data_version', 'on', true)`;

/**
 * A county's registry change counter (data_version, migration 0004) for writers of many
 * statements in one transaction (an import chunk, a feed batch's link run): `defer` makes the counter's triggers stand aside until the end of
 * the transaction (migration 0022), and `bump` — the last statement before COMMIT — counts the
 * whole transaction as one change. Caches compare the counter, so a deferred transaction that
 * does not bump would leave them stale: the two go together.
 */
export const dataVersion = {
  defer(session: RawSession): Promise<unknown> {
    return session.query(DEFER);
  },
  bump(session: RawSession, countyCode: string): Promise<unknown> {
    return session.query(
      `INSERT INTO data_version (county_code, version, changed_at) VALUES ($1::text, 1, now())
       ON CONFLICT (county_code) DO UPDATE SET version = data_version.version + 1, changed_at = now()`,
      [countyCode],
    );
  },
  /** `defer` in a Kysely transaction. */
  deferIn(trx: Transaction<Schema>): Promise<unknown> {
    return sql.raw(DEFER).execute(trx);
  },
  /** `bump` in a Kysely transaction (or on a connection). */
  bumpIn(db: Kysely<Schema>, countyCode: string): Promise<unknown> {
    return db
      .insertInto('data_version')
      .values({ county_code: countyCode, version: 1, changed_at: sql`now()` })
      .onConflict((oc) =>
        oc
          .column('county_code')
          .doUpdateSet({ version: sql`data_version.version + 1`, changed_at: sql`now()` }),
      )
      .execute();
  },
};
