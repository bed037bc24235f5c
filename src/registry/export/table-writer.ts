import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';

/** A sheet being written row by row to a stream: CSV or XLSX, the same calls. */
export interface TableWriter {
  writeRow(cells: readonly string[]): Promise<void>;
  /** Finishes the file (and the stream). */
  close(): Promise<void>;
}

export interface SheetColumn {
  header: string;
  /** Character width in a spreadsheet. */
  width?: number;
  /** Format the column as text, so Excel keeps ID numbers and codes as typed. */
  text?: boolean;
}

export interface TableOptions {
  columns: readonly SheetColumn[];
  /** XLSX only: the data sheet's name. */
  sheetName?: string;
  /** XLSX only: a second sheet of notes, written after the data (rows of cells, the first a header). */
  notes?: { name: string; rows: readonly (readonly string[])[] };
}

export type TableFormat = 'csv' | 'xlsx';

/** The most rows an .xlsx sheet holds (Excel's limit), header included. */
export const XLSX_MAX_ROWS = 1_048_576;

const NEEDS_QUOTES = /[",\r\n]/;

export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] ?? '';
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) || cell !== cell.trim() ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\r\n`;
}

/**
 * CSV in UTF-8 with a byte-order mark and CRLF line ends: what Excel on Windows opens as Chinese
 * text without asking, and what every other tool reads too.
 */
function createCsvWriter(out: Writable, options: TableOptions): TableWriter {
  let buffer = `\uFEFF${csvLine(options.columns.map((c) => c.header))}`;
  const flush = async () => {
    if (buffer === '') return;
    const ok = out.write(buffer);
    buffer = '';
    if (!ok) await once(out, 'drain');
  };
  return {
    async writeRow(cells) {
      buffer += csvLine(cells);
      if (buffer.length > 256 * 1024) await flush();
    },
    async close() {
      await flush();
      out.end();
      await once(out, 'finish');
    },
  };
}

/** XLSX through exceljs' streaming writer: rows go to the stream as they are added. */
function createXlsxWriter(out: Writable, options: TableOptions): TableWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = options.columns.map((column, i) => ({
    header: column.header,
    key: String(i),
    width: column.width ?? Math.max(10, column.header.length * 2 + 2),
    ...(column.text ? { style: { numFmt: '@' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  let rows = 1;
  return {
    async writeRow(cells) {
      rows += 1;
      if (rows > XLSX_MAX_ROWS) {
        throw new AppError(
          'invalid_input',
          text(
            `超过 Excel 一个工作表的行数上限（${XLSX_MAX_ROWS} 行），请改用 CSV 格式`,
            `More rows than an Excel sheet holds (${XLSX_MAX_ROWS}); use CSV instead`,
          ),
          { field: 'format' },
        );
      }
      sheet.addRow([...cells]).commit();
    },
    async close() {
      sheet.commit();
      if (options.notes) {
        const notes = workbook.addWorksheet(options.notes.name);
        const width = Math.max(...options.notes.rows.map((r) => r.length));
        notes.columns = Array.from({ length: width }, (_, i) => ({
          key: String(i),
          width: i === 0 ? 16 : 48,
        }));
        options.notes.rows.forEach((row, i) => {
          const added = notes.addRow([...row]);
          if (i === 0) added.font = { bold: true };
          added.alignment = { wrapText: true, vertical: 'top' };
          added.commit();
        });
        notes.commit();
      }
      await workbook.commit();
    },
  };
}

/** Opens a CSV or XLSX writer on a stream. */
export function createTableWriter(out: Writable, format: TableFormat, options: TableOptions): TableWriter {
  return format === 'xlsx' ? createXlsxWriter(out, options) : createCsvWriter(out, options);
}
