/** Tables of registry deduplication and merges, the completeness estimate (src/dedupe/, src/completeness/); the SQL in ../migrations/ is the source of truth. */
export type DedupeTables = Record<never, never>;
