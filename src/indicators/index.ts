/** The indicator engine's public surface. */
import type { Database } from '../db/database.ts';
import { IndicatorEngine } from './engine.ts';

export { CATALOGUE, findIndicator, type IndicatorDefinition } from './catalogue.ts';
export {
  findRecordsRefusal,
  findRecordsRefusalFor,
  listNumeratorRecords,
  RECORDS_NOT_PERMITTED,
  type RecordsAccess,
  type RecordsRefusal,
  recordsPath,
} from './drill-down.ts';
export {
  type Breakdown,
  breakdownsOf,
  type EvaluateRequest,
  type EvaluateResult,
  IndicatorEngine,
  type IndicatorValue,
} from './engine.ts';

const engines = new WeakMap<Database, IndicatorEngine>();

/** The engine of a database (one per process and database, so its cube cache is shared). */
export function indicatorEngineFor(database: Database): IndicatorEngine {
  let engine = engines.get(database);
  if (!engine) {
    engine = new IndicatorEngine(database.db, database.kind);
    engines.set(database, engine);
  }
  return engine;
}
