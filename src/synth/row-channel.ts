import { Worker } from 'node:worker_threads';
import type { RowBatch } from './row-out.ts';
import type { SynthTable } from './tables.ts';

/** Where recorded rows go: another thread that writes them. */
export interface RowChannel {
  post(batch: RowBatch): void;
  /** Resolves when few enough batches are waiting (backpressure). */
  drain(): Promise<void>;
  /** Waits for every batch to be written and the files closed. */
  close(): Promise<void>;
  /** Stops the thread at once (after a failure elsewhere). */
  abort(): Promise<void>;
}

/** Batches allowed in flight before `drain` waits: about 8 MB of recorded rows. */
const MAX_IN_FLIGHT = 4;

/** Starts a worker that writes `tables` as CSV files into `dir` from recorded rows. */
export function startCsvRowWorker(
  dir: string,
  tables: SynthTable[],
  codes: { villageCodes: string[]; areaCodes: string[] },
): RowChannel {
  const worker = new Worker(new URL('./row-worker.ts', import.meta.url), {
    workerData: { dir, tables, codes },
  });
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let closed: (() => void) | undefined;
  let closeFailed: ((error: Error) => void) | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    wake?.();
    closeFailed?.(error);
  };
  worker.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'ack') {
      inFlight--;
      wake?.();
    } else if (message.type === 'closed') {
      closed?.();
    } else if (message.type === 'error') {
      fail(new Error(`CSV writer thread: ${message.message}`));
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (code !== 0) fail(new Error(`CSV writer thread exited with code ${code}`));
  });
  return {
    post(batch) {
      if (failure) throw failure;
      inFlight++;
      worker.postMessage(batch, [batch.ops.buffer as ArrayBuffer]);
    },
    async drain() {
      while (inFlight > MAX_IN_FLIGHT && !failure) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure) throw failure;
    },
    async close() {
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => {
        closed = resolve;
        closeFailed = reject;
        worker.postMessage({ type: 'close' });
      });
      await worker.terminate();
    },
    async abort() {
      await worker.terminate();
    },
  };
}
