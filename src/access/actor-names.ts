import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { Lang } from '../domain/i18n.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/**
 * Who did something, as a person reads it. Histories, tasks, voided records and the like store an
 * actor string (src/access/principal.ts): `user:wang.li`, `token:3`, `cli:root`, `cli`, `system`,
 * `demo`, `anonymous`, or whatever a CLI `--user` gave. The answers that carry one also carry its
 * name beside it (`changedBy` → `changedByName`, `voided_by` → `voided_by_name`):
 *
 * - a user: the display name and the unit of the user's highest role, 张丽（东华镇）/ 张丽 (东华镇);
 * - an API token: its name, 接口令牌「卫健委系统」/ API token "卫健委系统";
 * - the command line, the system, the demo data, nobody signed in: a label in the asked language;
 * - anything else — a user since deleted, a free-text CLI `--user` — the raw string itself.
 *
 * One query per kind for all the actors of an answer (never one per row). Only the actors of
 * records the requester may already read are looked up, so no user is named who did not act on
 * something the requester may see.
 */
export type ActorNamer = (actor: string | null | undefined) => string | null;

const LABELS: Record<string, { 'zh-CN': string; en: string }> = {
  cli: { 'zh-CN': '命令行', en: 'Command line' },
  system: { 'zh-CN': '系统', en: 'System' },
  demo: { 'zh-CN': '演示数据', en: 'Demo data' },
  anonymous: { 'zh-CN': '未登录', en: 'Not signed in' },
};

/** Looks up every actor in `actors` at once and gives the function that names each. */
export async function actorNamer(
  db: Db,
  lang: Lang,
  actors: Iterable<string | null | undefined>,
): Promise<ActorNamer> {
  const usernames = new Set<string>();
  const tokenIds = new Set<number>();
  for (const actor of actors) {
    if (!actor) continue;
    if (actor.startsWith('user:') && actor.length > 5) usernames.add(actor.slice(5));
    else if (/^token:\d{1,9}$/.test(actor)) tokenIds.add(Number(actor.slice(6)));
  }

  const users = new Map<string, string>();
  if (usernames.size > 0) {
    const rows = await db
      .selectFrom('app_user as u')
      .leftJoin('user_role as r', 'r.user_id', 'u.id')
      .leftJoin('org_unit as o', 'o.code', 'r.unit_code')
      .select([
        'u.username',
        'u.display_name',
        'r.unit_code',
        'o.name as unit_name',
        'o.short_name as unit_short',
      ])
      .where('u.username', 'in', [...usernames])
      .execute();
    // The highest unit a user holds a role for (the shortest code; the first of equals) names where they work.
    const best = new Map<string, { name: string; code: string | null; unit: string | null }>();
    for (const row of rows) {
      const unit = row.unit_short || row.unit_name || null;
      const seen = best.get(row.username);
      const better =
        !seen ||
        (row.unit_code !== null &&
          (seen.code === null ||
            row.unit_code.length < seen.code.length ||
            (row.unit_code.length === seen.code.length && row.unit_code < seen.code)));
      if (better) best.set(row.username, { name: row.display_name, code: row.unit_code, unit });
    }
    for (const [username, b] of best) {
      const name = b.name.trim() || username;
      users.set(username, b.unit ? (lang === 'en' ? `${name} (${b.unit})` : `${name}（${b.unit}）`) : name);
    }
  }

  const tokens = new Map<number, string>();
  if (tokenIds.size > 0) {
    const rows = await db
      .selectFrom('api_token')
      .select(['id', 'name'])
      .where('id', 'in', [...tokenIds])
      .execute();
    for (const row of rows)
      tokens.set(row.id, lang === 'en' ? `API token "${row.name}"` : `接口令牌「${row.name}」`);
  }

  return (actor) => {
    if (actor === null || actor === undefined) return null;
    if (actor.startsWith('user:')) return users.get(actor.slice(5)) ?? actor;
    if (actor.startsWith('token:')) return tokens.get(Number(actor.slice(6))) ?? actor;
    const label = LABELS[actor];
    if (label) return label[lang];
    if (actor.startsWith('cli:') && actor.length > 4) {
      const who = actor.slice(4);
      return lang === 'en' ? `Command line (${who})` : `命令行（${who}）`;
    }
    return actor;
  };
}

/** A row as an answer sends it: beside each actor field `F` its name, `F + S` (null where `F` is). */
export type ActorNamed<T, K extends keyof T & string, S extends 'Name' | '_name'> = T & {
  [F in K as `${F}${S}`]: string | null;
};

/**
 * Rows with a name beside each of their actor fields: `field` → `field + suffix`
 * ('Name' for camelCase answers, '_name' for snake_case ones), one lookup for all the rows.
 */
export async function withActorNames<
  T extends object,
  K extends keyof T & string,
  S extends 'Name' | '_name',
>(db: Db, lang: Lang, rows: T[], fields: K[], suffix: S): Promise<Array<ActorNamed<T, K, S>>> {
  const actors: string[] = [];
  for (const row of rows)
    for (const f of fields) {
      const v = row[f];
      if (typeof v === 'string') actors.push(v);
    }
  const name = await actorNamer(db, lang, actors);
  return rows.map((row) => {
    const out = { ...row } as Record<string, unknown>;
    for (const f of fields) {
      const v = row[f];
      out[`${f}${suffix}`] = typeof v === 'string' ? name(v) : null;
    }
    return out as ActorNamed<T, K, S>;
  });
}
