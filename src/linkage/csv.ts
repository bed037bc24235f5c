import type { Dataset } from './dataset.ts';

/**
 * A streaming CSV reader and writer (RFC 4180): quoted fields with doubled quotes and line breaks
 * inside, a UTF-8 byte-order mark, CRLF or LF line ends. Pure: it is handed text chunks and hands
 * back rows, so the caller decides where the bytes come from. Linkage reads a million-row registry
 * through it: fields are sliced from the chunk, never built up character by character.
 */

/** Where a row came from: its 1-based line in the file (the header is line 1). */
export type CsvRowHandler = (fields: string[], line: number) => void;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Parses CSV text handed over in chunks of any size. */
export class CsvParser {
  private readonly onRow: CsvRowHandler;
  private buffer = '';
  private started = false;
  private line = 1;

  constructor(onRow: CsvRowHandler) {
    this.onRow = onRow;
  }

  /** Feeds the next chunk of text. */
  push(chunk: string): void {
    if (!this.started) {
      if (chunk.length === 0) return;
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer = this.buffer.length === 0 ? chunk : this.buffer + chunk;
    const consumed = this.parse(false);
    this.buffer = this.buffer.slice(consumed);
  }

  /** Ends the input: the last row needs no line break. */
  end(): void {
    this.parse(true);
    this.buffer = '';
  }

  /** Parses whole rows from the buffer; returns how many characters were used. */
  private parse(final: boolean): number {
    const text = this.buffer;
    const length = text.length;
    let position = 0;
    while (position < length) {
      const rowStart = position;
      const fields: string[] = [];
      let lines = 1;
      let complete = false;
      while (true) {
        if (position < length && text.charCodeAt(position) === QUOTE) {
          // Quoted field: runs to the next quote not doubled.
          let value = '';
          let cursor = position + 1;
          let closed = false;
          while (cursor < length) {
            const next = text.indexOf('"', cursor);
            if (next < 0) break;
            value += text.slice(cursor, next);
            if (next + 1 < length && text.charCodeAt(next + 1) === QUOTE) {
              value += '"';
              cursor = next + 2;
              continue;
            }
            if (next + 1 >= length && !final) break; // a doubled quote may start the next chunk
            cursor = next + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final) return rowStart;
            value += text.slice(cursor);
            cursor = length;
          }
          for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) lines++;
          // Anything between the closing quote and the separator is kept, as spreadsheets do.
          let end = cursor;
          while (end < length) {
            const code = text.charCodeAt(end);
            if (code === COMMA || code === LF || code === CR) break;
            end++;
          }
          if (end >= length && !final) return rowStart;
          fields.push(end > cursor ? value + text.slice(cursor, end) : value);
          position = end;
        } else {
          let end = position;
          while (end < length) {
            const code = text.charCodeAt(end);
            if (code === COMMA || code === LF || code === CR) break;
            end++;
          }
          if (end >= length && !final) return rowStart;
          fields.push(text.slice(position, end));
          position = end;
        }
        if (position >= length) {
          complete = true;
          break;
        }
        const code = text.charCodeAt(position);
        if (code === COMMA) {
          position++;
          if (position >= length) {
            if (!final) return rowStart;
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        if (code === CR) {
          if (position + 1 >= length && !final) return rowStart;
          position += position + 1 < length && text.charCodeAt(position + 1) === LF ? 2 : 1;
        } else {
          position++;
        }
        complete = true;
        break;
      }
      if (!complete) return rowStart;
      // A blank line is no row.
      if (!(fields.length === 1 && fields[0] === '')) this.onRow(fields, this.line);
      this.line += lines;
    }
    return position;
  }
}

/** Parses a whole CSV text into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const parser = new CsvParser((fields) => rows.push(fields));
  parser.push(text);
  parser.end();
  return rows;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One field as CSV: quoted when it holds a comma, quote or line break, or starts or ends with a space. */
export function formatCsvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row as a CSV line with CRLF, as RFC 4180 and spreadsheets expect. */
export function formatCsvRow(values: readonly (string | number | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvField(values[i]);
  }
  return `${line}\r\n`;
}

/** A dataset as CSV text in chunks of about `chunkRows` rows, header first (with a BOM for spreadsheets). */
export function* datasetCsvChunks(dataset: Dataset, chunkRows = 10_000): Generator<string> {
  const names = [...dataset.columns.keys()];
  const columns = names.map((name) => dataset.columns.get(name)!);
  let chunk = '\ufeff' + formatCsvRow(names);
  const row: (string | null)[] = new Array(names.length);
  for (let i = 0; i < dataset.ids.length; i++) {
    for (let c = 0; c < columns.length; c++) row[c] = columns[c]![i] ?? null;
    chunk += formatCsvRow(row);
    if ((i + 1) % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
