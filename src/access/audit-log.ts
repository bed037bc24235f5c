import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * The audit log: who read or changed which personal data, when, from where. Entries are chained:
 * each one's hash covers the previous hash, its sequence number and its canonical text, so
 * editing, removing or reordering an entry breaks every hash after it (`verifyAuditChain`). The
 * table refuses UPDATE, DELETE and TRUNCATE (trigger, migration 0014); the chain is what catches
 * someone who disables the trigger.
 */
export interface AuditEntry {
  actor: string;
  /** e.g. person.read, person.write, export, login, login.failed, authz.denied */
  action: string;
  /** What was touched: person:620881:123, route:GET /api/persons, user:wang.li */
  resource: string;
  unit?: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** The text an entry's hash covers (besides the previous hash and the sequence number). */
export function canonicalEntry(at: string, entry: AuditEntry): string {
  return stableJson([
    at,
    entry.actor,
    entry.action,
    entry.resource,
    entry.unit ?? null,
    entry.outcome,
    entry.ip ?? null,
    entry.details ?? {},
  ]);
}

function chainHash(prevHash: string, seq: number, canonical: string): string {
  return createHash('sha256').update(`${prevHash}|${seq}|${canonical}`, 'utf8').digest('hex');
}

/** A NUL cannot be stored in text or jsonb: what a request sent with %00 is kept as U+FFFD. */
function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\ufffd') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [storable(k), storable(v)]),
    ) as T;
  return value;
}

/** Appends one entry; the head row's lock makes concurrent appends take turns. Returns its sequence number. */
export async function appendAudit(
  db: Kysely<Schema>,
  original: AuditEntry,
  now = new Date(),
): Promise<number> {
  const entry = storable(original);
  const at = now.toISOString();
  const canonical = canonicalEntry(at, entry);
  const result = await sql<{ seq: number }>`
    WITH head AS (SELECT seq, hash FROM audit_head WHERE only_row FOR UPDATE),
    ins AS (
      INSERT INTO audit_log (seq, at, actor, action, resource, unit_code, outcome, ip, details, prev_hash, hash)
      SELECT head.seq + 1, ${at}::timestamptz, ${entry.actor}, ${entry.action}, ${entry.resource},
             ${entry.unit ?? null}, ${entry.outcome}, ${entry.ip ?? null}, ${stableJson(entry.details ?? {})}::jsonb,
             head.hash,
             encode(sha256(convert_to(head.hash || '|' || (head.seq + 1)::text || '|' || ${canonical}, 'UTF8')), 'hex')
      FROM head
      RETURNING seq, hash
    )
    UPDATE audit_head SET seq = ins.seq, hash = ins.hash FROM ins RETURNING ins.seq AS seq`.execute(db);
  return Number(result.rows[0]!.seq);
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The first entry whose hash does not follow, when broken. */
  brokenAt?: number;
  reason?: 'hash' | 'gap' | 'head';
}

/** Recomputes every hash up to the head, in order, a page at a time; the head must match the last entry. */
export async function verifyAuditChain(db: Kysely<Schema>, pageSize = 5000): Promise<ChainCheck> {
  // The head first: entries appended while the check runs are past it and left for the next check
  // (an entry and the head move in one statement, so every entry up to the head is there).
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
  const last = Number(head.seq);
  let prevHash = '0'.repeat(64);
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .where('seq', '<=', last)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, entries, brokenAt: expectedSeq, reason: 'gap' };
      const at = new Date(row.at).toISOString();
      const canonical = canonicalEntry(at, {
        actor: row.actor,
        action: row.action,
        resource: row.resource,
        unit: row.unit_code,
        outcome: row.outcome,
        ip: row.ip,
        details: row.details as Record<string, unknown>,
      });
      if (row.prev_hash !== prevHash || chainHash(prevHash, seq, canonical) !== row.hash)
        return { ok: false, entries, brokenAt: seq, reason: 'hash' };
      prevHash = row.hash;
      expectedSeq = seq + 1;
      entries += 1;
    }
    if (rows.length < pageSize) break;
  }
  if (last !== expectedSeq - 1 || head.hash !== prevHash)
    return { ok: false, entries, brokenAt: last, reason: 'head' };
  return { ok: true, entries };
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Prefix of the resource, e.g. person:620881:123 */
  resource?: string;
  from?: string;
  to?: string;
  limit?: number;
  beforeSeq?: number;
}

/** Newest first, for administrators and auditors. */
export async function searchAudit(db: Kysely<Schema>, query: AuditQuery) {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(Math.min(query.limit ?? 100, 1000));
  if (query.actor) q = q.where('actor', '=', query.actor);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.resource) q = q.where('resource', 'like', `${query.resource.replace(/[%_\\]/g, '\\$&')}%`);
  if (query.from) q = q.where('at', '>=', query.from);
  if (query.to) q = q.where('at', '<', query.to);
  if (query.beforeSeq) q = q.where('seq', '<', query.beforeSeq);
  const rows = await q.execute();
  return rows.map((row) => ({ ...row, seq: Number(row.seq), at: new Date(row.at).toISOString() }));
}
