import { readFileSync } from 'node:fs';

/** A CSV file read whole: its header and its rows as string arrays (empty fields are ''). */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** The index of a column; throws for an unknown one so a typo fails loudly. */
  column(name: string): number;
}

/** Parses RFC 4180 CSV text (quoted fields, doubled quotes, CRLF or LF line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads a CSV file with a header line. */
export function readCsvFile(path: string): CsvTable {
  const [header = [], ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const index = new Map(header.map((name, i) => [name, i]));
  return {
    header,
    rows,
    column(name) {
      const i = index.get(name);
      if (i === undefined) throw new Error(`${path} has no column ${name}`);
      return i;
    },
  };
}
