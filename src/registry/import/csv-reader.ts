import { TextDecoder } from 'node:util';
import type { TableRow } from './table-row.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * The encoding of a CSV file from its first bytes: a byte-order mark when there is one, else
 * UTF-8 when the bytes are valid UTF-8, else GB18030 — what Excel on a zh-CN Windows writes for
 * "CSV (逗号分隔)".
 */
export function detectEncoding(head: Uint8Array): { encoding: string; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  try {
    // stream: true, so a character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'gb18030', bomLength: 0 };
  }
}

/**
 * A cell's value as a string of its own. Cells are cut from the piece of text they were read in
 * (a megabyte), and in V8 a cut of 13 characters or more points into that piece and keeps it
 * alive: a value kept for the whole file — an ID number, a household number, a key in a map of
 * what the file has had — would keep every piece, the whole decoded file (measured: 282 MB of
 * heap for a million ID numbers kept as cut, 116 MB as copies). Copying a short value is cheap.
 */
export function ownCopy(value: string): string {
  // Joined to one character and cut off again: the join makes a new flat string, and the cut
  // points into that, not into the piece.
  return ` ${value}`.slice(1);
}

/**
 * An incremental RFC 4180 parser: quoted fields with "" escapes and line breaks inside, CRLF, LF
 * or CR line ends. Text is pushed in pieces; a record cut by the end of a piece waits for the
 * next, so memory holds one piece and one partial record, never the file. Lenient where files in
 * the wild are sloppy: text after a closing quote is kept, an unclosed quote runs to the end.
 */
export class CsvParser {
  #carry = '';
  #delimiter: number;

  constructor(delimiter = ',') {
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Parses a piece of text, appending complete records to `out`. `final` marks the last piece. */
  push(piece: string, final: boolean, out: string[][]): void {
    // Joined, not added: carry + piece would be a rope, which every charCodeAt and slice below
    // reaches through an extra step.
    const text = this.#carry === '' ? piece : [this.#carry, piece].join('');
    this.#carry = '';
    const n = text.length;
    const delim = this.#delimiter;
    let pos = 0;
    while (pos < n) {
      const recordStart = pos;
      const fields: string[] = [];
      for (;;) {
        let value: string;
        if (pos < n && text.charCodeAt(pos) === QUOTE) {
          value = '';
          let segment = pos + 1;
          let search = segment;
          for (;;) {
            const close = text.indexOf('"', search);
            if (close === -1 || (close + 1 >= n && !final)) {
              if (!final) {
                this.#carry = text.slice(recordStart);
                return;
              }
              value += text.slice(segment, close === -1 ? n : close);
              pos = n;
              break;
            }
            if (text.charCodeAt(close + 1) === QUOTE) {
              value += text.slice(segment, close + 1);
              search = close + 2;
              segment = search;
              continue;
            }
            value += text.slice(segment, close);
            pos = close + 1;
            break;
          }
          let end = pos;
          while (end < n) {
            const c = text.charCodeAt(end);
            if (c === delim || c === LF || c === CR) break;
            end++;
          }
          if (end > pos) value += text.slice(pos, end);
          pos = end;
        } else {
          let end = pos;
          while (end < n) {
            const c = text.charCodeAt(end);
            if (c === delim || c === LF || c === CR) break;
            end++;
          }
          value = text.slice(pos, end);
          pos = end;
        }
        fields.push(value);
        if (pos >= n) {
          if (!final) {
            this.#carry = text.slice(recordStart);
            return;
          }
          out.push(fields);
          return;
        }
        const c = text.charCodeAt(pos);
        if (c === delim) {
          pos++;
          continue;
        }
        if (c === CR) {
          // A CR at the end of a piece may be half of a CRLF.
          if (pos + 1 >= n && !final) {
            this.#carry = text.slice(recordStart);
            return;
          }
          pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
        } else {
          pos++;
        }
        out.push(fields);
        break;
      }
    }
  }
}

/** True when a record carries no data: an empty line, or only empty cells (",,,," from Excel). */
export function isBlankRecord(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

/**
 * Reads CSV (or tab-separated) text from a byte stream as batches of rows, one batch per piece
 * read. Row numbers count the header as row 1, as a spreadsheet shows them.
 */
export async function* readCsvRows(input: AsyncIterable<Uint8Array>): AsyncGenerator<TableRow[]> {
  let decoder: TextDecoder | undefined;
  let parser: CsvParser | undefined;
  let head = new Uint8Array(0);
  let rowNo = 0;
  const records: string[][] = [];

  const emit = (): TableRow[] => {
    const rows: TableRow[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) rows[i] = { rowNo: ++rowNo, cells: records[i]! };
    records.length = 0;
    return rows;
  };
  const start = (bytes: Uint8Array, final: boolean) => {
    const { encoding, bomLength } = detectEncoding(bytes);
    decoder = new TextDecoder(encoding, { ignoreBOM: true });
    const text = decoder.decode(bytes.subarray(bomLength), { stream: !final });
    const firstLine = text.slice(0, Math.max(0, text.search(/[\r\n]/)) || text.length);
    parser = new CsvParser(firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',');
    parser.push(text, final, records);
  };

  for await (const chunk of input) {
    if (!decoder) {
      // Decide the encoding on a sample big enough to hold non-ASCII names.
      const merged = new Uint8Array(head.length + chunk.length);
      merged.set(head);
      merged.set(chunk, head.length);
      head = merged;
      if (head.length < 65_536) continue;
      start(head, false);
    } else {
      parser!.push(decoder.decode(chunk, { stream: true }), false, records);
    }
    if (records.length > 0) yield emit();
  }
  if (!decoder) start(head, true);
  else parser!.push(decoder.decode(), true, records);
  if (records.length > 0) yield emit();
}
