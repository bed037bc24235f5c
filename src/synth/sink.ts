import type { SynthTable } from './tables.ts';

/** A cell: text, a number, or null for empty. */
export type Cell = string | number | null;

/**
 * Where generated rows go. The generator calls `open` once per table (columns in order), then
 * `row` for every row, and awaits `drain` every few thousand persons so a slow consumer (a file
 * system, a database COPY) holds it back instead of filling memory. `close` ends the run.
 *
 * The `values` array passed to `row` is reused by the generator after the call returns: a sink
 * that keeps rows must copy them.
 */
export interface SynthSink {
  open(table: SynthTable, columns: readonly string[]): void | Promise<void>;
  row(table: SynthTable, values: readonly Cell[]): void;
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Keeps every row in memory, copied: for tests and small runs. */
export interface MemorySink extends SynthSink {
  tables: Map<SynthTable, { columns: readonly string[]; rows: Cell[][] }>;
}

export function createMemorySink(): MemorySink {
  const tables = new Map<SynthTable, { columns: readonly string[]; rows: Cell[][] }>();
  return {
    tables,
    open(table, columns) {
      tables.set(table, { columns: [...columns], rows: [] });
    },
    row(table, values) {
      tables.get(table)!.rows.push(values.slice());
    },
    async drain() {},
    async close() {},
  };
}

/** Passes every call to each of several sinks (e.g. CSV files and a database). */
export function teeSinks(...sinks: SynthSink[]): SynthSink {
  return {
    async open(table, columns) {
      for (const sink of sinks) await sink.open(table, columns);
    },
    row(table, values) {
      for (const sink of sinks) sink.row(table, values);
    },
    async drain() {
      await Promise.all(sinks.map((sink) => sink.drain()));
    },
    async close() {
      for (const sink of sinks) await sink.close();
    },
  };
}
