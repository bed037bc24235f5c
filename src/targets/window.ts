import { addDays, isCalendarDate } from '../domain/dates.ts';
import { AppError, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { type Period, parsePeriod } from '../domain/period.ts';

/**
 * The stretch of a year that progress on a date is measured over. The registry counts events by
 * month (like the monthly reports, 月报), so progress on a date covers the year's complete months
 * up to it: 30 June covers January–June; 15 June covers January–May (June is not over, and on a
 * past date the rest of June is already in the registry). Before the first month ends there is
 * nothing to measure yet.
 */
export interface ProgressWindow {
  asOf: string;
  year: number;
  /** The last day counted, or null before the end of January. */
  through: string | null;
  period: Period | null;
  /** Days counted / days in the year: how far along the pro-rated path a count should be. */
  elapsedShare: number;
}

function daysInYear(year: number): number {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365;
}

/** The year-to-date window for a date. */
export function progressWindow(date: string, field = 'date'): ProgressWindow {
  if (!isCalendarDate(date))
    throw invalidInput([
      fieldIssue(
        'invalid_date',
        field,
        `日期格式不对：${date}（应为 YYYY-MM-DD）`,
        `Not a date: ${date} (use YYYY-MM-DD)`,
      ),
    ]);
  const year = Number(date.slice(0, 4));
  const isMonthEnd = addDays(date, 1).slice(8, 10) === '01';
  const month = Number(date.slice(5, 7)) - (isMonthEnd ? 0 : 1);
  if (month === 0) return { asOf: date, year, through: null, period: null, elapsedShare: 0 };
  const through =
    month === 12 ? `${year}-12-31` : addDays(`${year}-${String(month + 1).padStart(2, '0')}-01`, -1);
  const days = Math.round((Date.parse(through) - Date.parse(`${year}-01-01`)) / 86_400_000) + 1;
  return {
    asOf: date,
    year,
    through,
    period: yearToDate(year, month),
    elapsedShare: days / daysInYear(year),
  };
}

/** January to `month` of a year as a period (the whole year, H1 and Q1 keep their own ids). */
export function yearToDate(year: number, month: number): Period {
  if (month === 12) return parsePeriod(String(year));
  if (month === 6) return parsePeriod(`${year}H1`);
  if (month === 3) return parsePeriod(`${year}Q1`);
  if (month < 1 || month > 12)
    throw new AppError('invalid_input', text('月份应为 1–12', 'The month must be 1–12'), { field: 'month' });
  const end = parsePeriod(`${year}-${String(month).padStart(2, '0')}`).end;
  const days = Math.round((Date.parse(end) - Date.parse(`${year}-01-01`)) / 86_400_000) + 1;
  // Not one of the catalogue's period kinds: the engine sums its months and annualises by `days`.
  return {
    id: `${year}-01~${String(month).padStart(2, '0')}`,
    type: 'month',
    start: `${year}-01-01`,
    end,
    days,
    label: text(
      `${year}年1–${month}月`,
      `${year} Jan–${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][month - 1]}`,
    ),
  };
}
