/** Tables of department feeds: mappings, link runs, links, review decisions (src/feeds/); the SQL in ../migrations/ is the source of truth. */
export type FeedTables = Record<never, never>;
