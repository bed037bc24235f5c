import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { readCsvRows } from './csv-reader.ts';
import type { TableRow } from './table-row.ts';
import { readXlsxRows } from './xlsx-reader.ts';

export type FileFormat = 'csv' | 'xlsx';

/** The file's format from its first bytes: a zip is .xlsx, an OLE2 file is the old .xls, anything else CSV. */
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
    return 'csv';
  } finally {
    await handle.close();
  }
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

export function openTable(path: string, format: FileFormat): OpenedTable {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  if (format === 'xlsx' && !hasZipEnd(path)) return { batches: damagedXlsx(), bytesRead: () => 0 };
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  source.on('error', (error) => counter.destroy(error));
  const stream = source.pipe(counter);
  return {
    batches: format === 'xlsx' ? damagedAsInvalid(readXlsxRows(stream)) : readCsvRows(stream),
    bytesRead: () => bytes,
  };
}

/**
 * Whether a zip file ends with its end-of-central-directory record (within the last 64 KiB + 22
 * bytes). A cut-off .xlsx lacks it, and exceljs' streaming reader can wait forever on such a file
 * instead of failing: found by test/fuzz-import.test.ts.
 */
function hasZipEnd(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 65_557);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    for (let i = length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}

const DAMAGED_XLSX = () =>
  new AppError(
    'invalid_input',
    text(
      'XLSX 文件已损坏或不完整，请在 Excel 中重新保存后再导入',
      'The XLSX file is damaged or incomplete; save it again in Excel and import that',
    ),
    { field: 'file' },
  );

// biome-ignore lint/correctness/useYield: refuses the file on the first read, like a damaged one.
async function* damagedXlsx(): AsyncGenerator<TableRow[]> {
  throw DAMAGED_XLSX();
}

/**
 * A cut or damaged .xlsx makes the zip reader throw its own errors (FILE_ENDED, invalid
 * signature …): those are the file's fault, a 400 with a message, not a 500.
 */
async function* damagedAsInvalid(rows: AsyncGenerator<TableRow[]>): AsyncGenerator<TableRow[]> {
  try {
    yield* rows;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'invalid_input',
      text(
        'XLSX 文件已损坏或不完整，请在 Excel 中重新保存后再导入',
        'The XLSX file is damaged or incomplete; save it again in Excel and import that',
      ),
      { field: 'file', cause: error },
    );
  }
}
