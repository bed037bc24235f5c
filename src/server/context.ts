import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { CubeWarming } from './warm-cubes.ts';

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
  /** Present when the server warms the indicator cubes in the background (start.ts). */
  cubes?: CubeWarming;
  /** The schema version start-up migrated to, for /api/health while the embedded database is busy. */
  schemaVersion?: number;
  /**
   * Today's date (YYYY-MM-DD) for routes whose answer depends on it; China's date when absent.
   * Tests set it so they do not depend on the calendar.
   */
  today?: () => string;
}
