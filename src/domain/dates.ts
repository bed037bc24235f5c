/**
 * Calendar dates as 'YYYY-MM-DD' strings: no time, no time zone. Arithmetic goes through UTC
 * midnight so daylight saving and the host's zone never shift a day.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in YYYY-MM-DD form (2023-02-29 is not one). */
/**
 * A date and time as ISO 8601 writes it — 2026-12-31, 2026-12-31T23:59, 2026-12-31T23:59:59.5+08:00
 * or …Z — on a calendar day of the years 1000-2999 (what a database timestamp takes).
 */
export function isDateTime(value: string): boolean {
  const match =
    /^([12]\d{3}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      value,
    );
  if (!match || !isCalendarDate(match[1]!)) return false;
  const [hours, minutes, seconds] = [match[2], match[3], match[4]].map((part) => Number(part ?? 0));
  return hours! <= 23 && minutes! <= 59 && seconds! <= 59;
}

export function isCalendarDate(value: string): boolean {
  const match = DATE_RE.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A calendar date the registry can hold: years 1000-2999. A database date has no year 0, and no
 * figure renkou keeps is older or further ahead; periods, query-string dates and CLI date options
 * all take this range.
 */
export function isRegistryDate(value: string): boolean {
  return isCalendarDate(value) && /^[12]/.test(value);
}

function toUtc(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The date n days later (n may be negative). */
export function addDays(date: string, n: number): string {
  return fromUtc(toUtc(date) + n * 86_400_000);
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtc(b) - toUtc(a)) / 86_400_000);
}

/** Completed years of age on a date (the birthday counts on the day; 29 Feb birthdays on 1 Mar). */
export function ageOn(birthDate: string, date: string): number {
  let age = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (date.slice(5) < birthDate.slice(5)) age -= 1;
  return age;
}

/** Today's date in China (UTC+8), the calendar users live by. */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
