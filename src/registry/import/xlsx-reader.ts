import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { TableRow } from './table-row.ts';

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A cell as text: dates as YYYY-MM-DD, formulas by their result, rich text joined. */
export function cellText(value: unknown): { text: string; numeric: boolean } {
  if (value === null || value === undefined) return { text: '', numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  if (typeof value === 'number') {
    return { text: Number.isInteger(value) ? value.toFixed(0) : String(value), numeric: true };
  }
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE', numeric: false };
  if (value instanceof Date) {
    // exceljs gives the cell's serial date at UTC midnight: read it back in UTC.
    if (Number.isNaN(value.getTime())) return { text: '', numeric: false };
    return {
      text: `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`,
      numeric: false,
    };
  }
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text: string }[];
      result?: unknown;
      formula?: string;
      sharedFormula?: string;
      text?: unknown;
      error?: string;
    };
    if (Array.isArray(v.richText))
      return { text: v.richText.map((part) => part.text).join(''), numeric: false };
    if ('result' in v || v.formula !== undefined || v.sharedFormula !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error !== undefined) return { text: v.error, numeric: false };
  }
  return { text: String(value), numeric: false };
}

/** What exceljs' streaming reader knows of the workbook once it has read xl/workbook.xml. */
interface WorkbookModel {
  model?: { sheets?: { name: string; state?: string }[] };
}

/**
 * Reads the first worksheet of an .xlsx file — the first visible tab, as Excel or WPS shows it —
 * as batches of rows with exceljs' streaming reader: rows are parsed as the zip is inflated, never
 * the whole workbook in memory. The sheets' parts need not be stored in tab order (a file re-zipped
 * by another tool may put 填写说明 first), so a sheet is taken by its name in the workbook's list,
 * and by position only when the workbook part comes too late to tell. `onRow` is called for every
 * row parsed (of any sheet): progress for the stall watchdog in import-file.ts.
 */
export async function* readXlsxRows(
  input: Readable,
  batchSize = 2_000,
  onRow?: () => void,
): AsyncGenerator<TableRow[]> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  } as Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>);
  let taken = false;
  for await (const worksheet of workbook) {
    const sheets = (workbook as unknown as WorkbookModel).model?.sheets;
    const firstTab = sheets?.find((sheet) => sheet.state !== 'hidden' && sheet.state !== 'veryHidden');
    const name = (worksheet as unknown as { name?: string }).name;
    const isData = !taken && (firstTab === undefined || name === firstTab.name);
    if (!isData) {
      // Other sheets (the template's 填写说明) are not data; drain them so the zip reads on.
      for await (const _row of worksheet) onRow?.();
      continue;
    }
    taken = true;
    let batch: TableRow[] = [];
    for await (const row of worksheet) {
      onRow?.();
      const values = row.values as unknown[];
      const cells: string[] = [];
      let numeric: number[] | undefined;
      // row.values is 1-based (index 0 is empty) and sparse.
      for (let c = 1; c < values.length; c++) {
        const { text, numeric: isNumber } = cellText(values[c]);
        cells.push(text);
        if (isNumber) {
          numeric ??= [];
          numeric.push(c - 1);
        }
      }
      batch.push(numeric ? { rowNo: row.number, cells, numeric } : { rowNo: row.number, cells });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}
