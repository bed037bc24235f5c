import { compactDateBytes, compactDateOf, dateBytes, dateOf } from './calendar.ts';
import type { SynthCounty } from './county.ts';
import type { CsvEncoder } from './csv-sink.ts';
import { NO_DAY, NONE } from './population.ts';
import type { Cell, SynthSink } from './sink.ts';
import { SYNTH_TABLE_NAMES, SYNTH_TABLES, type SynthTable } from './tables.ts';

/**
 * How the generator writes a row: cell by cell, in column order, saying what each cell is (a
 * number, a day, a village…). Two implementations: one fills a reusable array and hands it to any
 * SynthSink; the other, for CSV files, writes bytes straight into the file's encoder, copying
 * dates and codes from pre-encoded tables — most of a row never becomes a JavaScript string.
 * Both produce the same text (a test compares them byte for byte).
 */
export interface RowOut {
  begin(table: SynthTable): void;
  /** A number. */
  int(n: number): void;
  /** A person or household reference: index + 1, or empty for NONE. */
  ref(index: number): void;
  /** A registry key or count: empty when 0. */
  key(n: number): void;
  empty(): void;
  text(s: string): void;
  /** Text or empty. */
  optText(s: string | null | undefined): void;
  /** A day number as YYYY-MM-DD, or empty for NO_DAY. */
  date(day: number): void;
  /** A village's 12-digit code, or empty for NONE. */
  village(v: number): void;
  /** The 6-digit code of an ID area (index into SynthCounty.areaCodes). */
  area(a: number): void;
  /** A word of a vocabulary by index; the empty word is an empty cell. */
  word(vocab: Vocab, index: number): void;
  /** A resident ID number from its parts: ID area, birth day, sequence and check character code. */
  id(area: number, day: number, sequence: number, check: number): void;
  end(): void;
}

/** Fills a reusable array per table and passes it to the sink. */
export class ValuesRowOut implements RowOut {
  private readonly rows: Record<SynthTable, Cell[]>;
  private row: Cell[] = [];
  private table: SynthTable = 'truth/persons';
  private i = 0;
  private readonly sink: SynthSink;
  private readonly county: SynthCounty;
  private readonly counts: Record<SynthTable, number>;

  constructor(sink: SynthSink, county: SynthCounty, counts: Record<SynthTable, number>) {
    this.sink = sink;
    this.county = county;
    this.counts = counts;
    this.rows = Object.fromEntries(
      SYNTH_TABLE_NAMES.map((t) => [t, new Array<Cell>(SYNTH_TABLES[t].length).fill(null)]),
    ) as Record<SynthTable, Cell[]>;
  }

  begin(table: SynthTable) {
    this.table = table;
    this.row = this.rows[table];
    this.i = 0;
  }
  int(n: number) {
    this.row[this.i++] = n;
  }
  ref(index: number) {
    this.row[this.i++] = index === NONE ? null : index + 1;
  }
  key(n: number) {
    this.row[this.i++] = n === 0 ? null : n;
  }
  empty() {
    this.row[this.i++] = null;
  }
  text(s: string) {
    this.row[this.i++] = s;
  }
  optText(s: string | null | undefined) {
    this.row[this.i++] = s ?? null;
  }
  date(day: number) {
    this.row[this.i++] = day === NO_DAY ? null : dateOf(day);
  }
  village(v: number) {
    this.row[this.i++] = v === NONE ? null : this.county.villages[v]!.code;
  }
  area(a: number) {
    this.row[this.i++] = this.county.areaCodes[a]!;
  }
  word(vocab: Vocab, index: number) {
    this.row[this.i++] = vocab.words[index] || null;
  }
  id(area: number, day: number, sequence: number, check: number) {
    this.row[this.i++] =
      this.county.areaCodes[area]! +
      compactDateOf(day) +
      String(sequence).padStart(3, '0') +
      String.fromCharCode(check);
  }
  end() {
    if (this.i !== this.row.length)
      throw new Error(`${this.table}: ${this.i} cells for ${this.row.length} columns`);
    this.counts[this.table]++;
    this.sink.row(this.table, this.row);
  }
}

/** Strings encoded once as UTF-8 bytes, by index. */
export class ByteTable {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;

  constructor(strings: readonly string[]) {
    const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
    // A plain Uint8Array (not a Buffer) keeps the copy loops monomorphic.
    this.bytes = new Uint8Array(Buffer.concat(encoded));
    this.starts = new Int32Array(strings.length);
    this.lengths = new Int32Array(strings.length);
    let at = 0;
    encoded.forEach((b, i) => {
      if (/[",\r\n]/.test(strings[i]!)) throw new Error(`code "${strings[i]}" would need quoting`);
      this.starts[i] = at;
      this.lengths[i] = b.length;
      at += b.length;
    });
  }
}

const COMMA = 44;
const NEWLINE = 10;

/** Room every row gets in its chunk before it starts: more than any row's non-text cells need. */
const ROW_RESERVE = 4096;

/**
 * Writes rows straight into CSV encoders (tables without one are counted and skipped). Each cell
 * writes into the encoder's current chunk at its offset; `begin` reserves room for the row, and
 * text cells, the only ones of unknown length, go through the encoder, which checks for itself.
 */
export class CsvRowOut implements RowOut {
  private encoder: CsvEncoder | undefined;
  private table: SynthTable = 'truth/persons';
  private cells = 0;
  private readonly villages: ByteTable;
  private readonly areas: ByteTable;
  private readonly dates = dateBytes();
  private readonly compactDates = compactDateBytes();
  private readonly encoders: ReadonlyMap<SynthTable, CsvEncoder>;
  private readonly counts: Record<SynthTable, number>;

  constructor(
    encoders: ReadonlyMap<SynthTable, CsvEncoder>,
    codes: { villageCodes: readonly string[]; areaCodes: readonly string[] },
    counts: Record<SynthTable, number>,
  ) {
    this.encoders = encoders;
    this.counts = counts;
    this.villages = new ByteTable(codes.villageCodes);
    this.areas = new ByteTable(codes.areaCodes);
  }

  begin(table: SynthTable) {
    this.table = table;
    this.cells = 0;
    const encoder = this.encoders.get(table);
    this.encoder = encoder;
    encoder?.reserve(ROW_RESERVE);
  }

  /** The encoder with the separator written, or undefined for a table not written here. */
  private next(): CsvEncoder | undefined {
    const encoder = this.encoder;
    if (encoder !== undefined && this.cells > 0) encoder.buffer[encoder.offset++] = COMMA;
    this.cells++;
    return encoder;
  }

  private copy(encoder: CsvEncoder, source: Uint8Array, start: number, length: number) {
    const buffer = encoder.buffer;
    let at = encoder.offset;
    for (let i = start, end = start + length; i < end; i++) buffer[at++] = source[i]!;
    encoder.offset = at;
  }

  private number(encoder: CsvEncoder, n: number) {
    if (n < 0 || n > 2147483647 || n !== Math.floor(n)) {
      encoder.writeNumber(n);
      return;
    }
    const buffer = encoder.buffer;
    let at = encoder.offset;
    if (n < 10) {
      buffer[at] = 48 + n;
      encoder.offset = at + 1;
      return;
    }
    const start = at;
    while (n > 0) {
      const q = (n / 10) | 0;
      buffer[at++] = 48 + n - q * 10;
      n = q;
    }
    for (let a = start, b = at - 1; a < b; a++, b--) {
      const t = buffer[a]!;
      buffer[a] = buffer[b]!;
      buffer[b] = t;
    }
    encoder.offset = at;
  }

  int(n: number) {
    const encoder = this.next();
    if (encoder !== undefined) this.number(encoder, n);
  }
  ref(index: number) {
    const encoder = this.next();
    if (encoder !== undefined && index !== NONE) this.number(encoder, index + 1);
  }
  key(n: number) {
    const encoder = this.next();
    if (encoder !== undefined && n !== 0) this.number(encoder, n);
  }
  empty() {
    this.next();
  }
  text(s: string) {
    this.next()?.writeText(s);
  }
  optText(s: string | null | undefined) {
    const encoder = this.next();
    if (encoder !== undefined && s) encoder.writeText(s);
  }
  date(day: number) {
    const encoder = this.next();
    if (encoder === undefined || day === NO_DAY) return;
    const at = (day - this.dates.base) * 10;
    if (at < 0 || at >= this.dates.bytes.length) throw new RangeError(`day ${day} is outside the calendar`);
    this.copy(encoder, this.dates.bytes, at, 10);
  }
  village(v: number) {
    const encoder = this.next();
    if (encoder !== undefined && v !== NONE) {
      this.copy(encoder, this.villages.bytes, this.villages.starts[v]!, this.villages.lengths[v]!);
    }
  }
  area(a: number) {
    const encoder = this.next();
    if (encoder !== undefined)
      this.copy(encoder, this.areas.bytes, this.areas.starts[a]!, this.areas.lengths[a]!);
  }
  word(vocab: Vocab, index: number) {
    const encoder = this.next();
    const table = vocab.table;
    if (encoder !== undefined && index < table.lengths.length) {
      this.copy(encoder, table.bytes, table.starts[index]!, table.lengths[index]!);
    }
  }
  id(area: number, day: number, sequence: number, check: number) {
    const encoder = this.next();
    if (encoder === undefined) return;
    this.copy(encoder, this.areas.bytes, this.areas.starts[area]!, this.areas.lengths[area]!);
    const at = (day - this.compactDates.base) * 8;
    if (at < 0 || at >= this.compactDates.bytes.length)
      throw new RangeError(`day ${day} is outside the calendar`);
    this.copy(encoder, this.compactDates.bytes, at, 8);
    const buffer = encoder.buffer;
    let o = encoder.offset;
    buffer[o++] = 48 + ((sequence / 100) | 0);
    buffer[o++] = 48 + (((sequence / 10) | 0) % 10);
    buffer[o++] = 48 + (sequence % 10);
    buffer[o++] = check;
    encoder.offset = o;
  }
  end() {
    const columns = SYNTH_TABLES[this.table].length;
    if (this.cells !== columns) throw new Error(`${this.table}: ${this.cells} cells for ${columns} columns`);
    this.counts[this.table]++;
    const encoder = this.encoder;
    if (encoder !== undefined) encoder.byte(NEWLINE);
  }
}

/** A fixed list of words (statuses, kinds, place names) written by index: pre-encoded once for CSV. */
export class Vocab {
  readonly words: readonly string[];
  readonly table: ByteTable;

  constructor(words: readonly string[]) {
    this.words = words;
    this.table = new ByteTable(words);
  }

  /** The index of a word; throws for one not in the list. */
  indexOf(word: string): number {
    const i = this.words.indexOf(word);
    if (i < 0) throw new Error(`"${word}" is not one of ${this.words.join(', ')}`);
    return i;
  }
}
