import type { Database } from '../db/database.ts';
import { runDedupe } from '../dedupe/run-dedupe.ts';
import { linkAllFeeds } from '../feeds/link-feed-batch.ts';
import { runValidation } from '../quality/validation.ts';
import { writeDemoTargetSheets } from '../targets/demo.ts';

/**
 * After the synthetic county is loaded, the demo does what an office would have done with it:
 * a target sheet for each year (county and townships), the department feeds linked with the
 * registry (review queue, unregistered-birth tasks, correction suggestions), the validation rules
 * run for the last year, and the duplicate finder run — so the dashboard, the work lists, the
 * completeness estimate and the report have something to show from the first start.
 */
export interface DemoWorkload {
  targetSheets: number;
  feedBatches: number;
  feedRecords: number;
  findings: number;
  mergeSuggestions: number;
  /** Pairs scored below the suggestion threshold, listed as possible duplicates to check. */
  possibleDuplicates: number;
}

export const DEMO_STEPS = ['targets', 'feeds', 'checks', 'dedupe'] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

export async function prepareDemoWorkload(
  database: Database,
  county: string,
  options: { from: number; to: number; onStep?: (step: DemoStep, index: number) => void },
): Promise<DemoWorkload> {
  const years = Array.from({ length: options.to - options.from + 1 }, (_, i) => options.from + i);
  options.onStep?.('targets', 0);
  const sheets = await writeDemoTargetSheets(database, county, years);
  options.onStep?.('feeds', 1);
  const links = await linkAllFeeds(database, county, { actor: 'demo' });
  options.onStep?.('checks', 2);
  const checks = await runValidation(database.db, {
    unit: county,
    period: String(options.to),
    write: true,
    actor: { id: 'demo' },
  });
  options.onStep?.('dedupe', 3);
  const dedupe = await runDedupe(database.db, { unit: county, actor: 'demo' });
  return {
    targetSheets: sheets.length,
    feedBatches: links.length,
    feedRecords: links.reduce((n, l) => n + l.records, 0),
    findings: checks.findings.length,
    mergeSuggestions: dedupe.suggestions,
    possibleDuplicates: dedupe.possible,
  };
}
