import { parentPort, workerData } from 'node:worker_threads';
import { createCsvSink } from './csv-sink.ts';
import { CsvRowOut, type RowBatch, RowReplayer } from './row-out.ts';
import { SYNTH_TABLE_NAMES, SYNTH_TABLES, type SynthTable } from './tables.ts';

/**
 * A second thread that turns recorded rows into CSV files: it owns some tables' files (the ground
 * truth) while the generating thread writes the others. Batches are replayed in the order they
 * arrive, so the files are the same as a one-thread run's; each batch is acknowledged once its
 * bytes are handed to the file streams, which is the generator's backpressure.
 */

interface Setup {
  dir: string;
  tables: SynthTable[];
  codes: { villageCodes: string[]; areaCodes: string[] };
}

const setup = workerData as Setup;
const owned = new Set(setup.tables);
const sink = createCsvSink(setup.dir, (table) => owned.has(table));
for (const table of setup.tables) sink.open(table, SYNTH_TABLES[table]);
const counts = Object.fromEntries(SYNTH_TABLE_NAMES.map((t) => [t, 0])) as Record<SynthTable, number>;
const replayer = new RowReplayer(new CsvRowOut(sink.encoders, setup.codes, counts));
const port = parentPort!;

port.on('message', async (message: RowBatch | { type: 'close' }) => {
  try {
    if ('type' in message) {
      await sink.close();
      port.postMessage({ type: 'closed', counts });
      return;
    }
    replayer.replay(message);
    await sink.drain();
    port.postMessage({ type: 'ack' });
  } catch (error) {
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
