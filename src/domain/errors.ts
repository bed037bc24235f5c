import { type Lang, type Text, text } from './i18n.ts';

/**
 * Stable error codes. Mapped to HTTP statuses only at the edge (server/errors.ts),
 * to exit codes only in the CLI.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'not_found'
  | 'conflict'
  | 'duplicate'
  | 'forbidden'
  | 'unauthenticated'
  | 'rate_limited'
  | 'unknown_org_unit'
  | 'invalid_org_code'
  | 'storage_locked'
  | 'storage_unavailable'
  | 'port_in_use'
  | 'internal';

/**
 * One problem with one field, in both languages. The field is a path spelt with dots, an array's
 * element by its index (`child.idNumber`, `items.0.target`): the spelling the schema layer gives
 * (src/server/schema-check.ts), so a client reads one form.
 */
export interface FieldIssue {
  code: string;
  field: string;
  message: Text;
}

/** The one error type of renkou: a stable code, an optional field path and a bilingual message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly text: Text;
  readonly issues: FieldIssue[];
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: Text,
    options: {
      field?: string;
      issues?: FieldIssue[];
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message.en, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.text = message;
    this.field = options.field;
    this.issues = options.issues ?? [];
    this.details = options.details;
  }

  /** The message in one language. */
  messageIn(lang: Lang): string {
    return this.text[lang];
  }
}

/** Wraps field issues as one invalid-input error. */
export function invalidInput(issues: FieldIssue[]): AppError {
  const first = issues[0];
  const summary =
    issues.length === 1 && first
      ? first.message
      : text(`输入有 ${issues.length} 处错误`, `The input has ${issues.length} errors`);
  return new AppError('invalid_input', summary, { field: first?.field, issues });
}

/** Makes one field issue. */
export function fieldIssue(code: string, field: string, zh: string, en: string): FieldIssue {
  return { code, field, message: text(zh, en) };
}

/** A result that is either a value or a list of field issues: how domain rules report. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };
