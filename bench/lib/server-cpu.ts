import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux build in use). */
const TICKS = 100;

interface ProcTimes {
  ppid: number;
  /** utime + stime. */
  own: number;
  /** cutime + cstime: children waited for. */
  children: number;
}

function readProc(pid: number): ProcTimes | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return { ppid: field(4), own: field(14) + field(15), children: field(16) + field(17) };
}

type Snapshot = Map<number, number>;

/**
 * Measures the CPU time a PostgreSQL server on this machine spends: the postmaster and every
 * process it started (backends, parallel workers, the checkpointer, the WAL writer, autovacuum).
 * Processes that end in between are counted through the postmaster's children's times. null when
 * the server is not a process this one can read (another machine, or no /proc).
 */
export async function serverCpuMeter(url: string): Promise<{ seconds(): number } | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let postmaster: number | undefined;
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // Read while the connection is open: its backend ends with it.
    postmaster = readProc(backend)?.ppid;
  } finally {
    await client.end();
  }
  if (postmaster === undefined || readProc(postmaster) === null) return null;

  const snapshot = (): { own: Snapshot; reaped: number } => {
    const own: Snapshot = new Map();
    const master = readProc(postmaster);
    if (master === null) throw new Error('the PostgreSQL server stopped during the measurement');
    own.set(postmaster, master.own);
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === postmaster) continue;
      const proc = readProc(pid);
      if (proc?.ppid === postmaster) own.set(pid, proc.own);
    }
    return { own, reaped: master.children };
  };

  const before = snapshot();
  return {
    seconds() {
      const after = snapshot();
      let ticks = after.reaped - before.reaped;
      for (const [pid, time] of after.own) ticks += time - (before.own.get(pid) ?? 0);
      // A process that ended in between: its whole life is in the reaped time, its part before
      // the start is not ours.
      for (const [pid, time] of before.own) if (!after.own.has(pid)) ticks -= time;
      return ticks / TICKS;
    },
  };
}
