/**
 * bench/synth: the synthetic county generator end to end to CSV — initial population, ten years
 * of events, registry, feeds and ground truth written to a temporary directory — with persons per
 * second and the peak memory (RSS high-water mark) of the process.
 *
 *   npx node bench/synth.ts [--persons 1000000] [--county 620881] [--keep true]
 *
 * Target (issue 3): at least 50,000 persons/s for 1,000,000 persons over 10 years, under 2 GiB.
 * Wall-clock and CPU time are both printed: on a shared machine the CPU time says what the
 * generator costs, the wall-clock time what it got. The main thread's CPU time is the critical
 * path (other threads only collect garbage and write files).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCountyCsv } from '../src/synth/generate-county.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';

const args = readBenchArgs({
  persons: '1000000',
  county: '620881',
  from: '2016',
  to: '2025',
  seed: 'bench',
  keep: '',
});
const persons = Number(args.persons);
const dir = mkdtempSync(join(tmpdir(), 'renkou-bench-synth-'));

function bytesUnder(path: string): number {
  let total = 0;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    const stat = statSync(child);
    total += stat.isDirectory() ? bytesUnder(child) : stat.size;
  }
  return total;
}

process.stdout.write(
  `bench/synth: ${persons} persons, ${args.from}–${args.to}, county ${args.county} → ${dir}\n`,
);
process.stdout.write(`machine: ${await describeMachine()}\n`);
const cpuStart = process.cpuUsage();
const threadStart = process.threadCpuUsage();
const started = performance.now();
const result = await writeCountyCsv(
  {
    county: args.county,
    persons,
    from: Number(args.from),
    to: Number(args.to),
    seed: args.seed,
  },
  dir,
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
const thread = process.threadCpuUsage(threadStart);
const peak = process.resourceUsage().maxRSS * 1024;
const rows = Object.values(result.rows).reduce((a, b) => a + b, 0);
const bytes = bytesUnder(dir);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
process.stdout.write(
  [
    `county            ${result.county.fullName} (${result.county.code}), ${result.county.villages} villages`,
    `persons           ${persons} on 1 January ${args.from} → ${result.population.end} at the end; ${result.population.everLived} ever lived`,
    `events            ${result.stats.births} births, ${result.stats.deaths} deaths, ${result.stats.marriages} marriages, ${result.stats.moveIns + result.stats.moveOuts} moves in/out`,
    `output            ${rows} rows in ${Object.keys(result.rows).length} CSV files, ${mib(bytes)}`,
    `wall time         ${seconds.toFixed(1)} s`,
    `persons/s         ${Math.round(persons / seconds)}`,
    `CPU time          ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s all threads (user ${(cpu.user / 1e6).toFixed(1)}, system ${(cpu.system / 1e6).toFixed(1)}); main thread ${((thread.user + thread.system) / 1e6).toFixed(1)} s`,
    `CPU-bound rate    ${Math.round(persons / ((thread.user + thread.system) / 1e6))} persons/s (persons / main-thread CPU: the rate with a core to itself)`,
    `peak memory       ${mib(peak)} RSS high-water mark`,
    '',
  ].join('\n'),
);
if (args.keep !== 'true') rmSync(dir, { recursive: true, force: true });
