import pino from 'pino';

/** Paths that may carry personal data; pino replaces their values before anything is written. */
export const REDACT_PATHS = [
  'name',
  '*.name',
  'idNumber',
  '*.idNumber',
  'id_number',
  '*.id_number',
  'phone',
  '*.phone',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/** The process logger: JSON lines on stderr so stdout stays clean for CLI output. */
export function createLogger(level: string): pino.Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
}
