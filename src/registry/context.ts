import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { todayInChina } from '../domain/dates.ts';

/** Who is acting: the user id the audit trail and history record. */
export interface Actor {
  id: string;
}

/** What every registry command needs: the database (or a transaction), the actor, and "today". */
export interface CommandContext {
  db: Kysely<Schema>;
  actor: Actor;
  /** The date rules treat as today; injectable so tests are not calendar-dependent. */
  today?: string;
}

export type Tx = Transaction<Schema> | Kysely<Schema>;

export function todayOf(context: CommandContext): string {
  return context.today ?? todayInChina();
}
