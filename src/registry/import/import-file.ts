import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { isBlankRecord, readCsvRows } from './csv-reader.ts';
import type { TableRow } from './table-row.ts';
import { readXlsxRows } from './xlsx-reader.ts';
import { checkZip, findEndRecord, ZipDamage } from './zip-check.ts';

export type FileFormat = 'csv' | 'xlsx';

/**
 * The file's format from its first bytes: a zip is .xlsx, an OLE2 file is the old .xls, anything
 * else CSV — except a file that ends like a zip: an .xlsx whose first bytes were damaged, to be
 * refused as damaged rather than read as text.
 */
export async function detectFormat(path: string): Promise<FileFormat> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    if (bytesRead >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'xlsx';
    if (bytesRead >= 8 && head.readUInt32BE(0) === 0xd0cf11e0) {
      throw new AppError(
        'invalid_input',
        text(
          '这是旧版 Excel 97-2003（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入',
          'This is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV in Excel and import that',
        ),
        { field: 'file' },
      );
    }
    return (await endsLikeZip(handle)) ? 'xlsx' : 'csv';
  } finally {
    await handle.close();
  }
}

/** Whether the file ends with a zip's end-of-central-directory record and its comment, exactly. */
async function endsLikeZip(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  const length = Math.min(size, 65_557);
  const tail = Buffer.alloc(length);
  await handle.read(tail, 0, length, size - length);
  return findEndRecord(tail, true) !== -1;
}

/** SHA-256 of the file, streamed: what recognises the same file imported again. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file opened as batches of rows, with a count of the bytes read so far (for progress). */
export interface OpenedTable {
  batches: AsyncGenerator<TableRow[]>;
  bytesRead(): number;
}

/**
 * Reads a table's batches up to its header: the first row with anything in it (undefined when
 * there is none). Returns it with the rows after it in its batch; the rest stay in the iterator.
 */
export async function readHeader(
  iterator: AsyncIterator<TableRow[]>,
): Promise<{ header: TableRow | undefined; after: TableRow[] }> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { header: undefined, after: [] };
    const index = next.value.findIndex((row) => !isBlankRecord(row.cells));
    if (index !== -1) return { header: next.value[index], after: next.value.slice(index + 1) };
  }
}

export interface OpenTableOptions {
  /**
   * How long an .xlsx read may go without reading a byte or parsing a row once the whole file has
   * been read, before it is given up as stuck (30 s).
   */
  stallMs?: number;
  /** Tests of the stall watchdog only: stream the .xlsx without checking the zip first. */
  skipZipCheck?: boolean;
}

/** A stuck .xlsx read is stopped after this long without progress once the input is read. */
const XLSX_STALL_MS = 30_000;

export function openTable(path: string, format: FileFormat, options: OpenTableOptions = {}): OpenedTable {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  if (format === 'csv') {
    const source = createReadStream(path, { highWaterMark: 1 << 20 });
    source.on('error', (error) => counter.destroy(error));
    return { batches: readCsvRows(source.pipe(counter)), bytesRead: () => bytes };
  }
  const bytesRead = () => bytes;
  return { batches: readXlsxFile(path, counter, bytesRead, options), bytesRead };
}

/**
 * An .xlsx file's rows. exceljs' streaming reader trusts the zip: on a flipped byte it can read
 * wrong cells without noticing or wait forever for data that never comes (found by
 * test/fuzz-import.test.ts). So the whole zip is checked first (zip-check.ts: directory, local
 * headers, every entry's CRC-32), which refuses a damaged file before a row is read; and a
 * watchdog stops a read that makes no progress after the input is exhausted, as a backstop.
 */
async function* readXlsxFile(
  path: string,
  counter: Transform,
  bytesRead: () => number,
  options: OpenTableOptions,
): AsyncGenerator<TableRow[]> {
  if (!options.skipZipCheck) {
    try {
      await checkZip(path);
    } catch (error) {
      if (!(error instanceof ZipDamage)) throw error;
      throw damagedXlsx(error, { reason: error.message });
    }
  }
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  let inputDone = false;
  let rowsParsed = 0;
  source.on('error', (error) => counter.destroy(error));
  source.on('end', () => {
    inputDone = true;
  });
  const rows = readXlsxRows(source.pipe(counter), 2_000, () => {
    rowsParsed += 1;
  });
  try {
    yield* watchProgress(rows, {
      stallMs: options.stallMs ?? XLSX_STALL_MS,
      progress: () => bytesRead() + rowsParsed,
      inputDone: () => inputDone,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    // exceljs' own errors on a file the check let through (FILE_ENDED, invalid signature …) are
    // the file's fault: a 400 with a message, not a 500.
    throw damagedXlsx(error, { reason: (error as Error).message });
  } finally {
    source.destroy();
    counter.destroy();
  }
}

/** The stall watchdog's error: the read is stuck, which only a damaged file does. */
class Stalled extends Error {}

/**
 * Passes a reader's batches on, but gives up (throwing Stalled) when a wait for the next batch
 * sees no progress — progress() unchanged — for stallMs while inputDone() says nothing is left to
 * read. The stuck reader is left behind: its pending step is never awaited again.
 */
export async function* watchProgress<T>(
  inner: AsyncGenerator<T>,
  watch: { stallMs: number; progress(): number; inputDone(): boolean },
): AsyncGenerator<T> {
  let stuck = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_resolve, reject) => {
        let seen = watch.progress();
        let since = Date.now();
        timer = setInterval(
          () => {
            const now = watch.progress();
            if (now !== seen || !watch.inputDone()) {
              seen = now;
              since = Date.now();
            } else if (Date.now() - since >= watch.stallMs) {
              stuck = true;
              reject(new Stalled(`no progress for ${watch.stallMs} ms after the input ended`));
            }
          },
          Math.max(5, Math.min(1_000, watch.stallMs / 4)),
        );
      });
      const step = inner.next();
      // A stuck step that fails later (its stream destroyed) must not be an unhandled rejection.
      step.catch(() => undefined);
      let result: IteratorResult<T>;
      try {
        result = await Promise.race([step, stalled]);
      } finally {
        clearInterval(timer);
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // Returning a generator stuck in a step would wait for that step forever.
    if (!stuck) await inner.return(undefined);
  }
}

function damagedXlsx(cause: unknown, details?: Record<string, unknown>): AppError {
  return new AppError(
    'invalid_input',
    text(
      'XLSX 文件已损坏或不完整，请在 Excel 中重新保存后再导入',
      'The XLSX file is damaged or incomplete; save it again in Excel and import that',
    ),
    { field: 'file', cause, ...(details ? { details } : {}) },
  );
}
