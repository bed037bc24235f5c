/** Tables of data-quality rates, validation findings and field audits (src/quality/); the SQL in ../migrations/ is the source of truth. */
export type QualityTables = Record<never, never>;
