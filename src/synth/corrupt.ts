import type { Rng } from './rng.ts';

/**
 * The mistakes department records make in ID numbers and dates. Pure functions of their input and
 * the random stream, so the error models are testable one by one.
 */

/** Swaps two adjacent, different digits among the first 17 (the check character stays as it was). */
export function transposeIdDigits(id: string, rng: Rng): string {
  const chars = id.split('');
  for (let tries = 0; tries < 20; tries++) {
    const at = rng.int(16);
    if (chars[at] !== chars[at + 1]) {
      const tmp = chars[at]!;
      chars[at] = chars[at + 1]!;
      chars[at + 1] = tmp;
      return chars.join('');
    }
  }
  return id;
}

/** Replaces one of the first 17 digits by another digit. */
export function changeIdDigit(id: string, rng: Rng): string {
  const at = rng.int(17);
  const old = id.charCodeAt(at) - 48;
  const digit = (old + 1 + rng.int(9)) % 10;
  return id.slice(0, at) + String(digit) + id.slice(at + 1);
}

/** 'YYYY-MM-DD' with day and month swapped, or undefined when the swap would not be a date change (day > 12 or day = month). */
export function swapDayMonth(date: string): string | undefined {
  const month = date.slice(5, 7);
  const day = date.slice(8, 10);
  if (day === month || Number(day) > 12) return undefined;
  return `${date.slice(0, 4)}-${day}-${month}`;
}
