/** Tables of target sheets, progress and assessment (src/targets/); the SQL in ../migrations/ is the source of truth. */
export type TargetTables = Record<never, never>;
