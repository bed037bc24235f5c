import { parentPort, workerData } from 'node:worker_threads';
import { createCsvSink } from './csv-sink.ts';
import { generateCounty, type SynthOptions } from './generate-county.ts';
import type { SynthTable } from './tables.ts';

/**
 * The second thread of a two-thread CSV run: it simulates the same county from the same seed
 * (so it holds the same people and events) and writes only its share of the tables.
 */
interface Job {
  options: Omit<SynthOptions, 'onProgress'>;
  dir: string;
  tables: SynthTable[];
}

const job = workerData as Job;
const tables = new Set(job.tables);
try {
  const result = await generateCounty(
    job.options,
    createCsvSink(job.dir, (table) => tables.has(table)),
  );
  parentPort!.postMessage({ ok: true, result });
} catch (error) {
  parentPort!.postMessage({
    ok: false,
    error: error instanceof Error ? { message: error.message, stack: error.stack } : String(error),
  });
}
