/**
 * Department feeds linked to the registry: ingestion with column mappings kept as data, link runs
 * with the linkage engine, the review queue, and the work tasks they give rise to. See docs/feeds.md.
 */
export { chooseCounty, type IngestFeedReport, ingestFeedFile, resolvePendingBatches } from './ingest-feed.ts';
export { FEED_LINK_CONFIGS } from './link-configs.ts';
export {
  type FeedLinkProgress,
  type FeedLinkReport,
  feedLinkSettings,
  linkAllFeeds,
  linkFeedBatch,
  prepareFeedLink,
} from './link-feed-batch.ts';
export { decidePair, listReview, type ReviewFilter } from './review.ts';
export { settleRecords } from './settle-records.ts';
export { defaultMapping, FEED_SOURCES, parseFeedSource, SOURCE_LABELS, SOURCES } from './sources.ts';
export { closeTask, listTasks, TASK_KINDS } from './work-tasks.ts';
