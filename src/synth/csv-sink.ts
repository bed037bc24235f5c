import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Cell, SynthSink } from './sink.ts';
import type { SynthTable } from './tables.ts';

/**
 * CSV output for millions of rows. Rows are encoded straight into UTF-8 byte chunks (no line
 * strings, no ropes to flatten, nothing for the garbage collector), and each full chunk goes to
 * its file's stream. `drain()` waits for any stream over its high-water mark: that is how the
 * generator feels a slow disk.
 */

/** Bytes per chunk handed to a file stream. */
export const CSV_CHUNK = 1 << 18;
const CHUNK = CSV_CHUNK;
const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const RETURN = 13;

/** Encodes CSV rows (RFC 4180: quotes only where needed; null and '' both empty) into byte chunks. */
export class CsvEncoder {
  /** The chunk being filled and the next free byte in it (row writers fill it directly). */
  buffer: Buffer = Buffer.allocUnsafe(CHUNK);
  offset = 0;
  /** The same chunk for 32-bit stores: pre-encoded words are copied four bytes at a time. */
  view: DataView = new DataView(this.buffer.buffer, this.buffer.byteOffset, CHUNK);
  private readonly flushChunk: (chunk: Buffer) => void;

  constructor(flushChunk: (chunk: Buffer) => void) {
    this.flushChunk = flushChunk;
  }

  /** Bytes waiting in the current chunk. */
  get pending(): number {
    return this.offset;
  }

  /** Appends one row and its line end. */
  writeRow(values: readonly Cell[]) {
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(COMMA);
      const value = values[i];
      if (value === null || value === undefined) continue;
      if (typeof value === 'number') this.writeNumber(value);
      else this.writeText(value);
    }
    this.byte(NEWLINE);
  }

  /** Hands the bytes gathered so far to the flush callback. */
  flush() {
    if (this.offset === 0) return;
    this.flushChunk(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.allocUnsafe(CHUNK);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, CHUNK);
    this.offset = 0;
  }

  /** Makes sure `bytes` more fit in the current chunk, flushing it if they do not. */
  reserve(bytes: number) {
    if (this.offset + bytes > CHUNK) this.flush();
  }

  /** One byte (a separator or line end). */
  byte(b: number) {
    if (this.offset >= CHUNK) this.flush();
    this.buffer[this.offset++] = b;
  }

  /** Copies `length` bytes of pre-encoded text (a date, a code) that needs no quoting. */
  copy(source: Uint8Array, start: number, length: number) {
    if (this.offset + length > CHUNK) this.flush();
    const buffer = this.buffer;
    let offset = this.offset;
    for (let i = start, end = start + length; i < end; i++) buffer[offset++] = source[i]!;
    this.offset = offset;
  }

  /** A number: integers digit by digit, anything else as JavaScript prints it. */
  writeNumber(n: number) {
    if (!Number.isSafeInteger(n)) {
      this.writeText(String(n));
      return;
    }
    if (this.offset + 24 > CHUNK) this.flush();
    const buffer = this.buffer;
    let offset = this.offset;
    if (n < 0) {
      buffer[offset++] = 45;
      n = -n;
    }
    const start = offset;
    do {
      const q = n < 2147483648 ? (n / 10) | 0 : Math.floor(n / 10);
      buffer[offset++] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
    for (let a = start, b = offset - 1; a < b; a++, b--) {
      const t = buffer[a]!;
      buffer[a] = buffer[b]!;
      buffer[b] = t;
    }
    this.offset = offset;
  }

  /**
   * Text goes through Buffer's native UTF-8 writer (one call per cell beats a charCodeAt loop on
   * the mixed string shapes V8 hands us), then the written bytes are scanned for the characters
   * that need quoting — rare, so the cell is rewritten quoted only then.
   */
  writeText(text: string) {
    // At most 3 bytes per UTF-16 unit.
    if (this.offset + text.length * 3 > CHUNK) {
      this.flush();
      if (text.length * 3 > CHUNK) {
        this.writeLong(text);
        return;
      }
    }
    const buffer = this.buffer;
    const start = this.offset;
    const end = start + buffer.write(text, start);
    for (let i = start; i < end; i++) {
      const b = buffer[i]!;
      if (b === COMMA || b === QUOTE || b === NEWLINE || b === RETURN) {
        this.offset = start;
        this.writeQuoted(text);
        return;
      }
    }
    this.offset = end;
  }

  private writeQuoted(text: string) {
    this.writeLong(`"${text.replaceAll('"', '""')}"`);
  }

  /** Slow path for long or quoted text: Buffer's own encoder, across chunks if need be. */
  private writeLong(text: string) {
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) {
      if (this.offset >= CHUNK) this.flush();
      const n = Math.min(bytes.length - at, CHUNK - this.offset);
      bytes.copy(this.buffer, this.offset, at, at + n);
      this.offset += n;
      at += n;
    }
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Formats one CSV line without its line end, the same way the encoder does (RFC 4180: quotes
 * only where needed; null and '' both empty). For single rows; bulk output goes through CsvEncoder.
 */
export function formatCsvLine(values: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    const value = values[i];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') line += String(value);
    else line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return line;
}

interface CsvFile {
  stream: WriteStream;
  encoder: CsvEncoder;
  error: Error | undefined;
}

export interface CsvSink extends SynthSink {
  /** Paths of the files opened, by table. */
  readonly paths: ReadonlyMap<SynthTable, string>;
  /** The encoder of each opened table: the generator writes cells into them directly. */
  readonly encoders: ReadonlyMap<SynthTable, CsvEncoder>;
}

/** True for a sink made by createCsvSink. */
export function isCsvSink(sink: SynthSink): sink is CsvSink {
  return (sink as Partial<CsvSink>).encoders instanceof Map;
}

/** Writes each table to `dir/<table>.csv`: UTF-8 without BOM, '\n' line ends, a header line. */
export function createCsvSink(dir: string, filter: (table: SynthTable) => boolean = () => true): CsvSink {
  const files = new Map<SynthTable, CsvFile>();
  const paths = new Map<SynthTable, string>();
  const encoders = new Map<SynthTable, CsvEncoder>();
  return {
    paths,
    encoders,
    open(table, columns) {
      if (!filter(table)) return;
      const path = join(dir, `${table}.csv`);
      mkdirSync(dirname(path), { recursive: true });
      const stream = createWriteStream(path, { highWaterMark: 4 * CHUNK });
      const file: CsvFile = {
        stream,
        encoder: new CsvEncoder((chunk) => stream.write(chunk)),
        error: undefined,
      };
      stream.on('error', (error) => {
        file.error = error;
      });
      file.encoder.writeRow(columns);
      files.set(table, file);
      paths.set(table, path);
      encoders.set(table, file.encoder);
    },
    row(table, values) {
      files.get(table)?.encoder.writeRow(values);
    },
    async drain() {
      for (const file of files.values()) {
        if (file.error) throw file.error;
        if (file.stream.writableNeedDrain) await once(file.stream, 'drain');
      }
    },
    async close() {
      const finished: Promise<void>[] = [];
      for (const file of files.values()) {
        file.encoder.flush();
        finished.push(
          new Promise<void>((resolve, reject) => {
            file.stream.once('error', reject);
            file.stream.end(() => resolve());
          }),
        );
      }
      await Promise.all(finished);
      for (const file of files.values()) if (file.error) throw file.error;
    },
  };
}
