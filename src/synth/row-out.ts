import { compactDateBytes, compactDateOf, dateBytes, dateOf } from './calendar.ts';
import type { SynthCounty } from './county.ts';
import { CSV_CHUNK, type CsvEncoder } from './csv-sink.ts';
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

/** Byte strings (codes, words, dates) encoded once, by index, for copying into CSV chunks. */
export class ByteTable {
  /** Byte length of each entry. */
  readonly lengths: Int32Array;
  /** Where each entry starts in `packed`, in 32-bit words. */
  readonly starts: Int32Array;
  /** The entries' bytes, each padded to a whole number of little-endian 32-bit words. */
  readonly packed: Uint32Array;

  constructor(entries: readonly Uint8Array[]) {
    this.lengths = new Int32Array(entries.length);
    this.starts = new Int32Array(entries.length);
    let words = 0;
    entries.forEach((bytes, i) => {
      this.lengths[i] = bytes.length;
      this.starts[i] = words;
      words += (bytes.length + 3) >> 2;
    });
    const padded = new Uint8Array(words * 4);
    for (let i = 0; i < entries.length; i++) padded.set(entries[i]!, this.starts[i]! * 4);
    const view = new DataView(padded.buffer);
    this.packed = new Uint32Array(words);
    for (let w = 0; w < words; w++) this.packed[w] = view.getUint32(w * 4, true);
  }

  /** A table of texts (codes, words) that must never need CSV quoting. */
  static ofStrings(strings: readonly string[]): ByteTable {
    for (const s of strings) if (/[",\r\n]/.test(s)) throw new Error(`"${s}" would need quoting`);
    return new ByteTable(strings.map((s) => Buffer.from(s, 'utf8')));
  }

  /** A table of fixed-width entries cut from one byte array. */
  static ofFixed(bytes: Uint8Array, width: number): ByteTable {
    return new ByteTable(
      Array.from({ length: bytes.length / width }, (_, i) => bytes.subarray(i * width, (i + 1) * width)),
    );
  }
}

const COMMA = 44;
const NEWLINE = 10;

/** Bytes free at the start of every cell: more than a number, a date or an ID number needs. */
const CELL_ROOM = 64;

/**
 * Writes rows straight into CSV encoders (tables without one are counted and skipped). Each cell
 * writes into the encoder's current chunk at its offset; text cells, of unknown length, go
 * through the encoder, which makes room for itself.
 */
export class CsvRowOut implements RowOut {
  private encoder: CsvEncoder | undefined;
  private table: SynthTable = 'truth/persons';
  private cells = 0;
  private readonly villages: ByteTable;
  private readonly areas: ByteTable;
  /** Dates as 'YYYY-MM-DD' and as 'YYYYMMDD', by day − calendarBase. */
  private readonly dates: ByteTable;
  private readonly compactDates: ByteTable;
  private readonly calendarBase: number;
  private readonly dayCount: number;
  /** The combined word table of all vocabularies. */
  private words: ByteTable = combinedWordTable();
  private readonly encoders: ReadonlyMap<SynthTable, CsvEncoder>;
  private readonly counts: Record<SynthTable, number>;

  constructor(
    encoders: ReadonlyMap<SynthTable, CsvEncoder>,
    codes: { villageCodes: readonly string[]; areaCodes: readonly string[] },
    counts: Record<SynthTable, number>,
  ) {
    this.encoders = encoders;
    this.counts = counts;
    this.villages = ByteTable.ofStrings(codes.villageCodes);
    this.areas = ByteTable.ofStrings(codes.areaCodes);
    const dates = dateBytes();
    this.calendarBase = dates.base;
    this.dates = ByteTable.ofFixed(dates.bytes, 10);
    this.compactDates = ByteTable.ofFixed(compactDateBytes().bytes, 8);
    this.dayCount = this.dates.lengths.length;
  }

  begin(table: SynthTable) {
    this.table = table;
    this.cells = 0;
    const encoder = this.encoders.get(table);
    this.encoder = encoder;
  }

  /**
   * The encoder with the separator written, or undefined for a table not written here. Every
   * cell starts with at least CELL_ROOM bytes free, enough for any cell but text and long words,
   * which check for themselves.
   */
  private next(): CsvEncoder | undefined {
    const encoder = this.encoder;
    if (encoder !== undefined) {
      if (encoder.offset > CSV_CHUNK - CELL_ROOM) encoder.flush();
      if (this.cells > 0) encoder.buffer[encoder.offset++] = COMMA;
    }
    this.cells++;
    return encoder;
  }

  /** Copies entry `i` of a table, four bytes per store (the padding is overwritten by what follows). */
  private copy(encoder: CsvEncoder, table: ByteTable, i: number) {
    const length = table.lengths[i]!;
    let at = encoder.offset;
    const words = (length + 3) >> 2;
    if (at + words * 4 > CSV_CHUNK) {
      encoder.flush();
      at = 0;
    }
    const view = encoder.view;
    const packed = table.packed;
    const start = table.starts[i]!;
    for (let w = 0; w < words; w++) view.setUint32(at + w * 4, packed[start + w]!, true);
    encoder.offset = at + length;
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
    const i = day - this.calendarBase;
    if (i < 0 || i >= this.dayCount) throw new RangeError(`day ${day} is outside the calendar`);
    this.copy(encoder, this.dates, i);
  }
  village(v: number) {
    const encoder = this.next();
    if (encoder !== undefined && v !== NONE) {
      this.copy(encoder, this.villages, v);
    }
  }
  area(a: number) {
    const encoder = this.next();
    if (encoder !== undefined) this.copy(encoder, this.areas, a);
  }
  word(vocab: Vocab, index: number) {
    const encoder = this.next();
    if (encoder === undefined || index >= vocab.size) return;
    // A vocabulary made after this table was built: take the table that has it.
    if (vocab.base < 0 || vocab.base + vocab.size > this.words.lengths.length)
      this.words = combinedWordTable();
    this.copy(encoder, this.words, vocab.base + index);
  }
  id(area: number, day: number, sequence: number, check: number) {
    const encoder = this.next();
    if (encoder === undefined) return;
    this.copy(encoder, this.areas, area);
    const i = day - this.calendarBase;
    if (i < 0 || i >= this.compactDates.lengths.length)
      throw new RangeError(`day ${day} is outside the calendar`);
    this.copy(encoder, this.compactDates, i);
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

const allVocabs: Vocab[] = [];
let combinedWords: ByteTable | undefined;
let combinedCount = 0;

/**
 * Every vocabulary's words in one table (a small, hot block of memory), each vocabulary at its
 * `base`. Rebuilt only when vocabularies were added since; earlier ones keep their bases.
 */
function combinedWordTable(): ByteTable {
  if (combinedWords === undefined || combinedCount !== allVocabs.length) {
    const words: string[] = [];
    for (const vocab of allVocabs) {
      vocab.base = words.length;
      words.push(...vocab.words);
    }
    combinedWords = ByteTable.ofStrings(words);
    combinedCount = allVocabs.length;
  }
  return combinedWords;
}

/** A fixed list of words (statuses, kinds, place names) written by index: pre-encoded once for CSV. */
export class Vocab {
  readonly words: readonly string[];
  readonly size: number;
  /** Where the words start in the combined word table (−1 until it includes them). */
  base = -1;

  constructor(words: readonly string[]) {
    for (const w of words) if (/[",\r\n]/.test(w)) throw new Error(`"${w}" would need quoting`);
    this.words = words;
    this.size = words.length;
    allVocabs.push(this);
  }

  /** The index of a word; throws for one not in the list. */
  indexOf(word: string): number {
    const i = this.words.indexOf(word);
    if (i < 0) throw new Error(`"${word}" is not one of ${this.words.join(', ')}`);
    return i;
  }
}
