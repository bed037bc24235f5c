/** Tables of family services, programmes, entitlements and payments (src/benefits/); the SQL in ../migrations/ is the source of truth. */
export type BenefitTables = Record<never, never>;
