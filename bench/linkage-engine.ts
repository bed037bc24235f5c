/**
 * bench/linkage-engine: the record-linkage engine end to end on files — read two CSVs, block,
 * train (u from random pairs, m by EM), score, decide, write the pairs — for a feed of --feed
 * records against a registry of --registry persons (default 100,000 × 1,000,000).
 *
 *   npx node bench/linkage-engine.ts [--registry 1000000] [--feed 100000] [--seed 1] [--dir /tmp/renkou-linkage-bench]
 *
 * The data come from the engine's own seeded generator (src/linkage/synthetic-records.ts):
 * surnames at their national frequencies, homophone swaps (晓/小), wrong characters, mistyped and
 * transposed ID digits, day–month swaps, dates a few days off, other villages, missing fields, and
 * twins and siblings of registry persons among the unmatched feed records; the `entity` column is
 * the truth. The files are generated once, by a separate process, so the figures measure linking
 * only. Target (issue 5): under 60 s and 4 GiB on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvDataset, writePairsCsv } from '../src/cli/commands/link.ts';
import { datasetCsvChunks } from '../src/linkage/csv.ts';
import { evaluateLinkage } from '../src/linkage/evaluate.ts';
import { parseLinkConfig } from '../src/linkage/link-config.ts';
import { linkRecords } from '../src/linkage/link-records.ts';
import { generateLinkageData, SYNTHETIC_CONFIG } from '../src/linkage/synthetic-records.ts';
import { describeMachine, readBenchArgs } from './lib/args.ts';

const args = readBenchArgs({
  registry: '1000000',
  feed: '100000',
  seed: '1',
  dir: '/tmp/renkou-linkage-bench',
  generate: '',
});
const registrySize = Number(args.registry);
const feedSize = Number(args.feed);
const seed = Number(args.seed);
const dir = join(args.dir, `r${registrySize}-f${feedSize}-s${seed}`);
const files = {
  registry: join(dir, 'registry.csv'),
  feed: join(dir, 'feed.csv'),
  config: join(dir, 'link.json'),
  pairs: join(dir, 'pairs.csv'),
};

async function writeChunks(path: string, chunks: Iterable<string>) {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  for (const chunk of chunks) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  renameSync(partial, path);
}

if (args.generate === 'only') {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const { registry, feed } = generateLinkageData({ seed, registry: registrySize, feed: feedSize });
  await writeChunks(files.registry, datasetCsvChunks(registry));
  await writeChunks(files.feed, datasetCsvChunks(feed));
  writeFileSync(files.config, `${JSON.stringify(SYNTHETIC_CONFIG, null, 2)}\n`);
  process.stderr.write(`generated ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(0);
}

if (!existsSync(files.registry) || !existsSync(files.feed) || !existsSync(files.config)) {
  process.stderr.write(
    `generating ${feedSize} feed records and ${registrySize} registry persons in ${dir} …\n`,
  );
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, import.meta.filename, ...process.argv.slice(2), '--generate', 'only'],
    {
      stdio: 'inherit',
    },
  );
  if (child.status !== 0) process.exit(child.status ?? 1);
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const started = performance.now();
const feed = await readCsvDataset(files.feed, 'id');
const registry = await readCsvDataset(files.registry, 'id');
const readMs = performance.now() - started;
const { readFileSync } = await import('node:fs');
const parsed = parseLinkConfig(JSON.parse(readFileSync(files.config, 'utf8')), {
  left: feed.header,
  right: registry.header,
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const linkStarted = performance.now();
const result = linkRecords(feed.dataset, registry.dataset, parsed.value);
const linkMs = performance.now() - linkStarted;
const writeStarted = performance.now();
const written = await writePairsCsv(files.pairs, result, feed.dataset, registry.dataset);
const writeMs = performance.now() - writeStarted;
const totalMs = performance.now() - started;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
const cpu = process.cpuUsage();

const quality = evaluateLinkage(
  result,
  feed.dataset.columns.get('entity')!,
  registry.dataset.columns.get('entity')!,
);
const candidates = result.candidates.count;
const pairsPerSecond = candidates / (result.timings.compare / 1000);
const lines = [
  `bench/linkage-engine — ${await describeMachine()}`,
  `records: feed ${feedSize.toLocaleString('en-US')} × registry ${registrySize.toLocaleString('en-US')} (seed ${seed})`,
  `candidate pairs: ${candidates.toLocaleString('en-US')} (${result.blocking.rules.map((r) => `${r.name} ${r.newPairs.toLocaleString('en-US')}`).join('; ')})`,
  `pairs compared per second: ${Math.round(pairsPerSecond).toLocaleString('en-US')}`,
  `time: total ${seconds(totalMs)} s = read ${seconds(readMs)} + link ${seconds(linkMs)} + write ${seconds(writeMs)} (${written.toLocaleString('en-US')} pairs)`,
  `  link phases (s): ${Object.entries(result.timings)
    .map(([phase, ms]) => `${phase} ${seconds(ms)}`)
    .join(', ')}`,
  `cpu: user ${seconds(cpu.user / 1000)} s, system ${seconds(cpu.system / 1000)} s`,
  `peak memory (maxRSS): ${Math.round(maxRssMiB).toLocaleString('en-US')} MiB`,
  `decisions: link ${result.decisions.link.toLocaleString('en-US')}, review ${result.decisions.review.toLocaleString('en-US')}, superseded ${result.decisions.superseded}`,
  `quality at auto-link ${parsed.value.thresholds.autoLink}: precision ${quality.precision.toFixed(4)}, recall ${quality.recall.toFixed(4)}, F1 ${quality.f1.toFixed(4)}; blocking recall ${quality.blockingRecall.toFixed(4)} (${quality.truePairsInBlocks} of ${quality.truePairs} true pairs)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
