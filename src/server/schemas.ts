/**
 * JSON-schema pieces that several route files share.
 *
 * A date in a query string is a calendar day written YYYY-MM-DD. `format: 'date'` checks that the
 * day exists (2025-02-30 and 2025-13-01 are refused), so a bad date is a field-level invalid_input
 * with a message that says what a date looks like — never a database error on the cast. Command
 * bodies (a birth's or a death's date) keep their own checks in the domain, whose messages name
 * the event; this is for filters and "as of" dates.
 */
export const DATE_YEARS = '^[12][0-9]{3}-';
export const dateSchema = {
  type: 'string',
  format: 'date',
  // format: date takes 0000-06-30, which no database date can hold: years 1000-2999.
  pattern: DATE_YEARS,
  description: 'YYYY-MM-DD',
} as const;

/** A date and time (an expiry, a search bound): `format: date-time`, in the years 1000-2999 as above. */
export const DATE_TIME_YEARS = '^[12][0-9]{3}-[0-9]{2}-[0-9]{2}T';
export const dateTimeSchema = {
  type: 'string',
  format: 'date-time',
  pattern: DATE_TIME_YEARS,
  description: 'YYYY-MM-DDTHH:MM:SS+08:00',
} as const;
