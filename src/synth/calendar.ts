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

function build() {
  strings = new Array<string>(SIZE);
  years = new Int16Array(SIZE);
  monthDays = new Int16Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const iso = new Date((BASE + i) * MS_PER_DAY).toISOString();
    strings[i] = iso.slice(0, 10);
    years[i] = Number(iso.slice(0, 4));
    monthDays[i] = Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));
  }
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
