import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';

/** What every route handler may use; built once at start-up. */
export interface AppContext {
  config: Config;
  database: Database;
  version: string;
}
