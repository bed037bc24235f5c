import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';

/** The synthetic demo county generated on the first start of an empty database. */
export interface DemoStatus {
  state: 'none' | 'generating' | 'loading' | 'preparing' | 'ready' | 'failed';
  done: number;
  total: number;
  error?: string;
}

/** What every route handler may use; built once at start-up. */
export interface AppContext {
  config: Config;
  database: Database;
  version: string;
  /** Present when the server prepares the demo county in the background. */
  demo?: DemoStatus;
}
