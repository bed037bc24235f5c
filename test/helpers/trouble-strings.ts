/**
 * Strings that have broken input handling somewhere (a NUL, a bidi override, dates no calendar
 * has, numbers past what a column or a double holds, injections, astral characters): the fuzz
 * tests' common stock. A test adds its own long string, of the length it can afford.
 */
export const TROUBLE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\u202e人口\u0000\r\n',
  '620881',
  '620881100001',
  '9999-99-99',
  '2025-02-30',
  '2025Q5',
  '2025H3',
  '2025-13',
  '../../etc/passwd',
  "'; drop table person; --",
  "' or 1=1 --",
  '%00',
  '1e309',
  '1e20',
  'NaN',
  '-1',
  '0',
  '1.5',
  'true',
  '𠀀𠀁𠀂',
  '中文',
  '0000',
  '0000-06-30',
  '0000-01-01T00:00:00Z',
  '9999-12-31',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
];
