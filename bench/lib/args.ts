import { parseArgs } from 'node:util';

/** Reads --name value options for a bench script, with defaults. */
export function readBenchArgs<T extends Record<string, string>>(defaults: T): T {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(defaults).map((key) => [key, { type: 'string' as const }])),
    allowPositionals: false,
  });
  return { ...defaults, ...(values as Partial<T>) };
}

/** The machine a figure was measured on, for docs/benchmarks.md. */
export async function describeMachine(): Promise<string> {
  const { cpus, totalmem } = await import('node:os');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
