import { type FieldIssue, fieldIssue, invalidInput } from './errors.ts';

const NUL = '\u0000';
const LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * What no type or schema check catches in input a person sends (a query string, a JSON body, the
 * CLI's --data): a NUL character (U+0000) in any string, which PostgreSQL text and jsonb cannot
 * hold, so the first query carrying it fails — a search filter as much as a name being stored; and
 * a number that is not finite or beyond ±(2^53 − 1), which no id, count or version is and no
 * bigint cast survives. Each is an issue at its field (`items.0.target`). (A file's text never
 * comes as a field: uploads are raw bodies, whose readers report a NUL on its row.) `schema`, the
 * JSON schema the input was checked against: a number out of range at a field whose schema has a
 * `minimum` or `maximum` is told that range (a year from 2000 to 2100), not ±(2^53 − 1).
 */
export function inputValueIssues(value: unknown, schema?: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  walk(value, '', issues, schemaNode(schema));
  return issues;
}

/** Throws the issues inputValueIssues finds, if any, as one invalid_input error. */
export function checkInputValues(value: unknown, schema?: unknown) {
  const issues = inputValueIssues(value, schema);
  if (issues.length > 0) throw invalidInput(issues);
}

/** The parts of a JSON schema the walk follows: where a field's own schema is, and its range. */
interface SchemaNode {
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  items?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  exclusiveMinimum?: unknown;
  exclusiveMaximum?: unknown;
}
const schemaNode = (schema: unknown): SchemaNode | undefined =>
  schema !== null && typeof schema === 'object' && !Array.isArray(schema)
    ? (schema as SchemaNode)
    : undefined;
const propertySchema = (schema: SchemaNode | undefined, key: string) =>
  schemaNode(
    schema?.properties && Object.hasOwn(schema.properties, key)
      ? schema.properties[key]
      : schema?.additionalProperties,
  );

/** A number past ±(2^53 − 1) or not finite: told the field's own range where its schema has one. */
export function rangeIssue(field: string, value: number, schema: unknown): FieldIssue {
  const node = schemaNode(schema);
  const bound = (inclusive: unknown, exclusive: unknown) =>
    typeof inclusive === 'number'
      ? { limit: inclusive, open: false }
      : typeof exclusive === 'number'
        ? { limit: exclusive, open: true }
        : undefined;
  const min = bound(node?.minimum, node?.exclusiveMinimum);
  const max = bound(node?.maximum, node?.exclusiveMaximum);
  const issue = (zh: string, en: string) =>
    fieldIssue(
      'out_of_range',
      field,
      `字段 ${field} 的数值超出范围（${zh}）`,
      `Field ${field} is out of range (${en})`,
    );
  if (min && max)
    return min.open || max.open
      ? issue(
          `应${min.open ? '大于' : '不小于'} ${min.limit}、${max.open ? '小于' : '不大于'} ${max.limit}`,
          `it must be ${min.open ? 'above' : 'at least'} ${min.limit} and ${max.open ? 'below' : 'at most'} ${max.limit}`,
        )
      : issue(`应在 ${min.limit} 到 ${max.limit} 之间`, `it must be from ${min.limit} to ${max.limit}`);
  if (max && value > 0)
    return issue(
      `${max.open ? '应小于' : '不能大于'} ${max.limit}`,
      `${max.open ? 'below' : 'at most'} ${max.limit}`,
    );
  if (min && value < 0)
    return issue(
      `${min.open ? '应大于' : '不能小于'} ${min.limit}`,
      `${min.open ? 'above' : 'at least'} ${min.limit}`,
    );
  return issue(`绝对值不能大于 ${LIMIT}`, `at most ${LIMIT} either way`);
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

function walk(value: unknown, path: string, issues: FieldIssue[], schema: SchemaNode | undefined) {
  if (issues.length >= 20) return;
  const field = path || 'body';
  if (typeof value === 'string') {
    if (value.includes(NUL)) issues.push(nulIssue(field));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > LIMIT) issues.push(rangeIssue(field, value, schema));
  } else if (Array.isArray(value)) {
    const items = schemaNode(schema?.items);
    value.forEach((item, i) => {
      walk(item, path ? `${path}.${i}` : String(i), issues, items);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      // A key is a field's name: shown with the NUL replaced, the way the audit log keeps it.
      if (key.includes(NUL)) issues.push(nulIssue(at.replaceAll(NUL, '\uFFFD')));
      else walk(item, at, issues, propertySchema(schema, key));
    }
  }
}
