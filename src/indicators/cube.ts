import { sql } from 'kysely';
import type { StorageKind } from '../db/database.ts';
import type { EventKind, ResidenceType } from '../db/schema.ts';
import type { Tx } from '../registry/context.ts';
import { EVENT_IS_RESIDENT_SQL } from '../registry/queries/event-residence.ts';
import { ageBand, ageBandSql } from './age-bands.ts';
import { countServices, SERVICE_CELL_SIZE, serviceIndex } from './service-counts.ts';

/**
 * The indicator cube: the registry counted once per (unit, date) and (unit, month) for one
 * root unit and one year, at every level of the tree below it, so every catalogue indicator for
 * every unit and period of that year is arithmetic on small dense arrays.
 *
 * population[unit|date]: sex(2) × residence type(4) × age band(22) persons at the end of date
 * events[unit|month]:    kind(7) × sex(2) × age band(22) × order(4) events in the month
 *                        (age band: the mother's age for births, age at the event otherwise;
 *                        order: birth order 1, 2, 3+ for births, 0 otherwise)
 * residentEvents[unit|month]: the births and deaths among them of the resident population
 *                        (registry/queries/event-residence.ts), laid out as events' first two kinds
 * reports[unit|month]:   kind(7) × timely(2) events entered (report date) in the month
 * services[unit|month]:  count(6) × sex(2) family health-service coverage counts (service-counts.ts)
 */
export const SEXES = ['male', 'female'] as const;
export const RESIDENCE_TYPES: readonly ResidenceType[] = ['registered', 'resident', 'inflow', 'outflow'];
export const EVENT_KINDS: readonly EventKind[] = [
  'birth',
  'death',
  'marriage',
  'divorce',
  'move_in',
  'move_out',
  'residence_change',
];
export const BANDS = 22;
export const ORDERS = 4;
export const POP_SIZE = 2 * 4 * BANDS;
export const EVENT_SIZE = EVENT_KINDS.length * 2 * BANDS * ORDERS;
/** Kinds kept on the resident basis too: births and deaths, the first two of EVENT_KINDS. */
export const RESIDENT_EVENT_KINDS = ['birth', 'death'] as const satisfies readonly EventKind[];
export const RESIDENT_EVENT_SIZE = RESIDENT_EVENT_KINDS.length * 2 * BANDS * ORDERS;
export const REPORT_SIZE = EVENT_KINDS.length * 2;

export function popIndex(sex: number, type: number, band: number): number {
  return (sex * 4 + type) * BANDS + band;
}
export function eventIndex(kind: number, sex: number, band: number, order: number): number {
  return ((kind * 2 + sex) * BANDS + band) * ORDERS + order;
}

export interface Cube {
  root: string;
  year: number;
  /** Month-end dates: 31 Dec of the year before, then the last day of each month. */
  dates: string[];
  population: Map<string, Int32Array>;
  events: Map<string, Int32Array>;
  /** Births and deaths of the resident population: eventIndex of kinds 0 (birth) and 1 (death). */
  residentEvents: Map<string, Int32Array>;
  reports: Map<string, Int32Array>;
  /** services[unit|month]: the service-coverage counts of service-counts.ts, each by sex (serviceIndex). */
  services: Map<string, Int32Array>;
  /** Units in the cube (root and every unit below it that has data or exists in org_unit). */
  units: Set<string>;
  builtInMs: number;
  /** Milliseconds per query, for benchmarks. */
  timings: Record<string, number>;
}

/** The codes a village code rolls up into, from `root` down to the village itself. */
function rollupCodes(code: string, root: string): string[] {
  const out: string[] = [];
  for (const length of [2, 4, 6, 9, 12]) {
    if (length < root.length || length > code.length) continue;
    out.push(code.slice(0, length));
  }
  return out;
}

function cellFor(map: Map<string, Int32Array>, key: string, size: number): Int32Array {
  let cell = map.get(key);
  if (!cell) {
    cell = new Int32Array(size);
    map.set(key, cell);
  }
  return cell;
}

function add(map: Map<string, Int32Array>, key: string, size: number, index: number, n: number) {
  let cell = map.get(key);
  if (!cell) {
    cell = new Int32Array(size);
    map.set(key, cell);
  }
  cell[index]! += n;
}

export function monthEndDates(year: number): string[] {
  const dates = [`${year - 1}-12-31`];
  for (let month = 1; month <= 12; month++) {
    const next = month === 12 ? new Date(Date.UTC(year + 1, 0, 1)) : new Date(Date.UTC(year, month, 1));
    dates.push(new Date(next.getTime() - 86_400_000).toISOString().slice(0, 10));
  }
  return dates;
}

/** Completed years between two dates, without age()'s interval arithmetic (much cheaper per row). */
function ageAt(dateExpr: string, birthExpr: string): string {
  return `(extract(year FROM ${dateExpr})::int - extract(year FROM ${birthExpr})::int - (to_char(${dateExpr}, 'MMDD') < to_char(${birthExpr}, 'MMDD'))::int)`;
}

/**
 * SQL: the age an event is counted at, for `e` (vital_event), `p` (its person) and `mo` (for a
 * birth, the child's mother, left-joined): the mother's age for a birth — from her record, else
 * from the mother's ID number the birth carries, else unknown (the child's own age, 0: in no
 * fertility group) — and the person's age otherwise. The drill-down lists use it too.
 */
export const EVENT_AGE_SQL = `CASE WHEN e.kind = 'birth' THEN ${ageAt('e.event_date', "coalesce(mo.birth_date, CASE WHEN e.details->>'motherIdNumber' ~ '^[0-9]{17}' THEN to_date(substr(e.details->>'motherIdNumber', 7, 8), 'YYYYMMDD') END, p.birth_date)")} ELSE ${ageAt('e.event_date', 'p.birth_date')} END`;

/** Milliseconds of expansion between two looks at the event loop. */
const YIELD_AFTER_MS = 15;

/** Builds the cube for a root unit and a year with a handful of aggregate queries. */
export async function buildCube(
  db: Tx,
  root: string,
  year: number,
  extraDates: string[] = [],
  options: {
    /**
     * Background work (the start-up warming) on this storage: the queries one after another — on
     * PostgreSQL in a transaction without parallel workers, so they take at most one core from the
     * requests served meanwhile; on PGlite (one connection, no workers) each on its own, so
     * requests get in between them. Otherwise they run side by side, each with the workers the
     * database gives it — the quickest cube.
     */
    background?: StorageKind;
  } = {},
): Promise<Cube> {
  const started = performance.now();
  const dates = [...new Set([...monthEndDates(year), ...extraDates])].sort();
  const prefix = `${root}%`;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const typeCase = sql.raw(
    `CASE s.residence_type ${RESIDENCE_TYPES.map((t, i) => `WHEN '${t}' THEN ${i}`).join(' ')} END`,
  );
  const kindCase = sql.raw(`CASE e.kind ${EVENT_KINDS.map((k, i) => `WHEN '${k}' THEN ${i}`).join(' ')} END`);

  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, query: Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await query;
    timings[label] = Math.round(performance.now() - t);
    return result;
  };
  // One row per village with its spells packed into a text of integers: PGlite turns result
  // rows into JS objects slowly, so hundreds of thousands of rows cost seconds while one long
  // string per village costs milliseconds. Each spell is
  // ((female·4 + type)·2^16 + birth)·2^32 + from·2^16 + to, dates as days since 1900-01-01
  // (to = 65535 when open); the spells × dates expansion then happens in JS on integers.
  const queryPopulation = (executor: Tx) =>
    timed(
      'population',
      sql<{ org_code: string; spells: string }>`
      SELECT s.org_code, string_agg((
               ((((p.sex = 'female')::int * 4 + ${typeCase})::bigint * 65536
                  + greatest(p.birth_date - DATE '1900-01-01', 0)) * 65536
                  + greatest(s.valid_from - DATE '1900-01-01', 0)) * 65536
                  + coalesce(least(s.valid_to - DATE '1900-01-01', 65535), 65535))::text, ',') AS spells
        FROM residence_spell s
        JOIN person p ON p.county_code = s.county_code AND p.id = s.person_id
       WHERE s.org_code LIKE ${prefix} AND NOT s.voided AND p.status NOT IN ('voided', 'merged')
         AND s.valid_from <= ${dates.at(-1)}::date AND (s.valid_to IS NULL OR s.valid_to > ${dates[0]}::date)
       GROUP BY 1`.execute(executor),
    );
  const queryEvents = (executor: Tx) =>
    timed(
      'events',
      sql<{
        org_code: string;
        m: number;
        k: number;
        sex: string;
        band: number;
        o: number;
        r: boolean;
        n: number;
      }>`
      SELECT e.org_code, extract(month FROM e.event_date)::int AS m, ${kindCase} AS k, p.sex,
             ${sql.raw(ageBandSql(EVENT_AGE_SQL))} AS band,
             CASE WHEN e.kind = 'birth' THEN least(coalesce(p.birth_order, 1), 3) ELSE 0 END AS o,
             CASE WHEN e.kind IN ('birth', 'death') THEN ${sql.raw(EVENT_IS_RESIDENT_SQL)} ELSE false END AS r,
             count(*)::int AS n
        FROM vital_event e
        JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
        LEFT JOIN person mo ON e.kind = 'birth' AND mo.county_code = p.county_code AND mo.id = p.mother_id
       WHERE e.org_code LIKE ${prefix} AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.event_date BETWEEN ${from}::date AND ${to}::date
       GROUP BY 1, 2, 3, 4, 5, 6, 7`.execute(executor),
    );
  const queryReports = (executor: Tx) =>
    timed(
      'reports',
      sql<{ org_code: string; m: number; k: number; timely: boolean; n: number }>`
      -- Events as reported, for timeliness: not the births a person import recorded (source
      -- 'import', see registry/import/write-chunk.ts), which nobody reported.
      SELECT e.org_code, extract(month FROM e.report_date)::int AS m, ${kindCase} AS k,
             (e.report_date - e.event_date <= 30) AS timely, count(*)::int AS n
        FROM vital_event e
       WHERE e.org_code LIKE ${prefix} AND NOT e.voided AND e.source <> 'import'
         AND e.report_date BETWEEN ${from}::date AND ${to}::date
       GROUP BY 1, 2, 3, 4`.execute(executor),
    );
  const queryUnits = (executor: Tx) =>
    timed(
      'units',
      sql<{ code: string }>`SELECT code FROM org_unit WHERE code LIKE ${prefix}`.execute(executor),
    );
  // In the background: one query at a time, on PostgreSQL in a transaction of its own without
  // parallel workers (in a caller's transaction, one at a time only: its settings are the caller's).
  const oneByOne = async (executor: Tx) =>
    [
      await queryPopulation(executor),
      await queryEvents(executor),
      await queryReports(executor),
      await queryUnits(executor),
    ] as const;
  const [population, events, reports, units] = !options.background
    ? await Promise.all([queryPopulation(db), queryEvents(db), queryReports(db), queryUnits(db)])
    : db.isTransaction || options.background === 'pglite'
      ? await oneByOne(db)
      : await db.transaction().execute(async (trx) => {
          await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
          return oneByOne(trx);
        });

  const cube: Cube = {
    root,
    year,
    dates,
    population: new Map(),
    events: new Map(),
    residentEvents: new Map(),
    reports: new Map(),
    services: new Map(),
    units: new Set(units.rows.map((row) => row.code)),
    builtInMs: 0,
    timings,
  };
  const EPOCH = Date.UTC(1900, 0, 1);
  const dayNumber = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - EPOCH) / 86_400_000);
  const dateParts = dates.map((date) => {
    const y = Number(date.slice(0, 4));
    return { y, md: Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10)), day: dayNumber(date) };
  });
  // Birth day number -> year and month-day, cached: there are far fewer birth dates than spells.
  const births = new Map<number, { y: number; md: number }>();
  const birthOf = (day: number) => {
    let birth = births.get(day);
    if (!birth) {
      const d = new Date(EPOCH + day * 86_400_000);
      birth = { y: d.getUTCFullYear(), md: (d.getUTCMonth() + 1) * 100 + d.getUTCDate() };
      births.set(day, birth);
    }
    return birth;
  };
  // The expansion is a second or more of JS for a million persons: it lets the event loop in
  // between villages, so a cube built in the background (warm-cubes.ts) or for one request does
  // not hold every other request back that long.
  let sliceStarted = performance.now();
  for (const row of population.rows) {
    if (performance.now() - sliceStarted > YIELD_AFTER_MS) {
      // In the background, rest twice as long as it worked: at most a third of the thread for the
      // cube, the rest for the requests that come in meanwhile.
      if (options.background) await new Promise((resume) => setTimeout(resume, 2 * YIELD_AFTER_MS));
      else await new Promise(setImmediate);
      sliceStarted = performance.now();
    }
    const codes = rollupCodes(row.org_code, root);
    const cells = codes.map((code) =>
      dates.map((date) => cellFor(cube.population, `${code}|${date}`, POP_SIZE)),
    );
    for (const packed of row.spells.split(',')) {
      let v = Number(packed);
      const to = v % 65536;
      v = (v - to) / 65536;
      const from = v % 65536;
      v = (v - from) / 65536;
      const birthDay = v % 65536;
      const kind = (v - birthDay) / 65536;
      const sex = kind >> 2;
      const type = kind & 3;
      const birth = birthOf(birthDay);
      for (let i = 0; i < dates.length; i++) {
        const d = dateParts[i]!;
        if (from > d.day || to <= d.day) continue;
        const age = d.y - birth.y - (birth.md > d.md ? 1 : 0);
        if (age < 0) continue;
        const index = popIndex(sex, type, ageBand(age));
        for (const perDate of cells) perDate[i]![index]! += 1;
      }
    }
  }
  for (const row of events.rows) {
    const index = eventIndex(row.k, row.sex === 'male' ? 0 : 1, row.band, row.o);
    for (const code of rollupCodes(row.org_code, root)) {
      add(cube.events, `${code}|${row.m}`, EVENT_SIZE, index, row.n);
      if (row.r) add(cube.residentEvents, `${code}|${row.m}`, RESIDENT_EVENT_SIZE, index, row.n);
    }
  }
  for (const row of reports.rows) {
    const index = row.k * 2 + (row.timely ? 1 : 0);
    for (const code of rollupCodes(row.org_code, root))
      add(cube.reports, `${code}|${row.m}`, REPORT_SIZE, index, row.n);
  }
  // Family health-service coverage (issue 11): a small aggregate, after the registry queries.
  for (const row of await timed('services', countServices(db, root, year))) {
    for (const code of rollupCodes(row.org_code, root))
      add(cube.services, `${code}|${row.m}`, SERVICE_CELL_SIZE, serviceIndex(row.k, row.s), row.n);
  }
  cube.builtInMs = performance.now() - started;
  return cube;
}
