/**
 * Calendar dates as day numbers (days since 1970-01-01) for the simulation's hot loops, with
 * lookup tables for the date string, year and month-day of every day from 1880 to 2150, so no
 * Date object is made per person or per row.
 */

const FIRST_YEAR = 1880;
const LAST_YEAR = 2150;
const MS_PER_DAY = 86_400_000;

/** The day number of a calendar date. */
export function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** The day number of a 'YYYY-MM-DD' string. */
export function dayFromDate(date: string): number {
  return dayOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

const BASE = dayOf(FIRST_YEAR, 1, 1);
const SIZE = dayOf(LAST_YEAR + 1, 1, 1) - BASE;

let strings: string[] | undefined;
let years: Int16Array | undefined;
let monthDays: Int16Array | undefined;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Fills the tables by walking the calendar day by day (no Date objects: it runs once, fast). */
function build() {
  strings = new Array<string>(SIZE);
  years = new Int16Array(SIZE);
  monthDays = new Int16Array(SIZE);
  let i = 0;
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const prefix = `${y}-`;
    for (let m = 1; m <= 12; m++) {
      const days = m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!;
      const monthPrefix = `${prefix + TWO_DIGITS[m]!}-`;
      for (let d = 1; d <= days; d++, i++) {
        strings[i] = monthPrefix + TWO_DIGITS[d]!;
        years[i] = y;
        monthDays[i] = m * 100 + d;
      }
    }
  }
  if (i !== SIZE) throw new Error(`calendar: ${i} days built for ${SIZE}`);
}

function indexOf(day: number): number {
  const i = day - BASE;
  if (i < 0 || i >= SIZE) throw new RangeError(`day ${day} is outside ${FIRST_YEAR}–${LAST_YEAR}`);
  return i;
}

/** 'YYYY-MM-DD' of a day number. */
export function dateOf(day: number): string {
  if (!strings) build();
  return strings![indexOf(day)]!;
}

/** The calendar year of a day number. */
export function yearOf(day: number): number {
  if (!years) build();
  return years![indexOf(day)]!;
}

/** month × 100 + day of month (e.g. 1231) of a day number. */
export function monthDayOf(day: number): number {
  if (!monthDays) build();
  return monthDays![indexOf(day)]!;
}

/** Completed years of age on `day` for someone born on `birth` (the birthday counts on the day). */
export function ageOnDay(birth: number, day: number): number {
  if (!years) build();
  const b = indexOf(birth);
  const d = indexOf(day);
  return years![d]! - years![b]! - (monthDays![d]! < monthDays![b]! ? 1 : 0);
}

let compactStrings: string[] | undefined;

/** 'YYYYMMDD' of a day number, as the resident ID number writes it. */
export function compactDateOf(day: number): string {
  if (!compactStrings) {
    if (!strings) build();
    compactStrings = strings!.map((date) => date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10));
  }
  return compactStrings[indexOf(day)]!;
}

let dateByteTable: { bytes: Uint8Array; base: number } | undefined;
let compactByteTable: { bytes: Uint8Array; base: number } | undefined;

/** Every date as 8 ASCII digits 'YYYYMMDD' (as ID numbers write it), day (day − base) at 8 × (day − base). */
export function compactDateBytes(): { bytes: Uint8Array; base: number } {
  if (!compactByteTable) {
    const { bytes: dates } = dateBytes();
    const bytes = new Uint8Array(SIZE * 8);
    for (let i = 0; i < SIZE; i++) {
      const d = i * 10;
      const c = i * 8;
      bytes.set(dates.subarray(d, d + 4), c);
      bytes.set(dates.subarray(d + 5, d + 7), c + 4);
      bytes.set(dates.subarray(d + 8, d + 10), c + 6);
    }
    compactByteTable = { bytes, base: BASE };
  }
  return compactByteTable;
}

/** Every date as 10 ASCII bytes 'YYYY-MM-DD', day (day − base) at byte 10 × (day − base). */
export function dateBytes(): { bytes: Uint8Array; base: number } {
  if (!dateByteTable) {
    if (!strings) build();
    const bytes = new Uint8Array(SIZE * 10);
    for (let i = 0; i < SIZE; i++) bytes.set(Buffer.from(strings![i]!, 'latin1'), i * 10);
    dateByteTable = { bytes, base: BASE };
  }
  return dateByteTable;
}
