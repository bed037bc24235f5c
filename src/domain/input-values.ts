import { type FieldIssue, fieldIssue, invalidInput } from './errors.ts';

const NUL = '\u0000';
const LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * What no type or schema check catches in input a person sends (a query string, a JSON body, the
 * CLI's --data): a NUL character (U+0000) in any string, which PostgreSQL text and jsonb cannot
 * hold, so the first query carrying it fails — a search filter as much as a name being stored; and
 * a number that is not finite or beyond ±(2^53 − 1), which no id, count or version is and no
 * bigint cast survives. Each is an issue at its field (`items.0.target`). (A file's text never
 * comes as a field: uploads are raw bodies, whose readers report a NUL on its row.)
 */
export function inputValueIssues(value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  walk(value, '', issues);
  return issues;
}

/** Throws the issues inputValueIssues finds, if any, as one invalid_input error. */
export function checkInputValues(value: unknown) {
  const issues = inputValueIssues(value);
  if (issues.length > 0) throw invalidInput(issues);
}

const nulIssue = (field: string) =>
  fieldIssue(
    'nul_character',
    field,
    `字段 ${field} 含有空字符（U+0000），请删去后重试`,
    `Field ${field} contains a NUL character (U+0000); remove it and try again`,
  );

/**
 * An object as JSON.parse or a query-string parser makes it (the latter's may have a prototype of
 * its own with none above it) — not a stream, a Buffer or a Date.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null || Object.getPrototypeOf(prototype) === null;
}

function walk(value: unknown, path: string, issues: FieldIssue[]) {
  if (issues.length >= 20) return;
  const field = path || 'body';
  if (typeof value === 'string') {
    if (value.includes(NUL)) issues.push(nulIssue(field));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > LIMIT)
      issues.push(
        fieldIssue(
          'out_of_range',
          field,
          `字段 ${field} 的数值超出范围（绝对值不能大于 ${LIMIT}）`,
          `Field ${field} is out of range (at most ${LIMIT} either way)`,
        ),
      );
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, path ? `${path}.${i}` : String(i), issues);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      // A key is a field's name: shown with the NUL replaced, the way the audit log keeps it.
      if (key.includes(NUL)) issues.push(nulIssue(at.replaceAll(NUL, '\uFFFD')));
      else walk(item, at, issues);
    }
  }
}
