import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCalendarDate } from '../domain/dates.ts';
import { type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { dayFromDate } from './calendar.ts';
import { loadSynthCounty } from './county.ts';
import { createCsvSink } from './csv-sink.ts';
import { writeFinalState } from './final-state.ts';
import { buildInitialPopulation } from './initial-population.ts';
import { type RatesOverride, resolveRates, type SynthRates } from './rates.ts';
import { Rng } from './rng.ts';
import { YearSimulator } from './simulate.ts';
import type { SynthSink } from './sink.ts';
import { SYNTH_TABLE_NAMES, SYNTH_TABLES, type SynthTable } from './tables.ts';
import { type SynthStats, World } from './world.ts';

/** The largest population one run generates (memory grows about 250 bytes per person). */
export const MAX_PERSONS = 5_000_000;

export interface SynthOptions {
  /** County code (6 digits) or exact name. */
  county: string;
  /** Population on 1 January of `from`. */
  persons: number;
  /** First and last simulated calendar year. */
  from: number;
  to: number;
  /** Same seed, same output, byte for byte. */
  seed: string | number;
  /** Extract date of the registry and the feeds (default: 31 December of `to`). */
  asOf?: string;
  /** Overrides of the default rates (see rates.ts). */
  rates?: RatesOverride;
  /** Called as work proceeds; `total` stays the same for a run. */
  onProgress?: (done: number, total: number) => void;
}

export interface SynthResult {
  county: { code: string; name: string; fullName: string; townships: number; villages: number };
  options: { persons: number; from: number; to: number; seed: string; asOf: string };
  population: { start: number; end: number; everLived: number };
  stats: SynthStats;
  rows: Record<SynthTable, number>;
}

interface CheckedOptions {
  county: string;
  persons: number;
  from: number;
  to: number;
  seed: string;
  asOf: string;
}

/** Validates options, with one bilingual issue per bad field. */
export function checkSynthOptions(options: SynthOptions): CheckedOptions {
  const issues: FieldIssue[] = [];
  const county = typeof options.county === 'string' ? options.county.trim() : '';
  if (county === '')
    issues.push(fieldIssue('required', 'county', '请指定县（--county）', 'A county is required (--county)'));
  const persons = options.persons;
  if (!Number.isInteger(persons) || persons < 1 || persons > MAX_PERSONS) {
    issues.push(
      fieldIssue(
        'out_of_range',
        'persons',
        `人数应为 1 到 ${MAX_PERSONS} 之间的整数：${String(persons)}`,
        `Persons must be a whole number from 1 to ${MAX_PERSONS}: ${String(persons)}`,
      ),
    );
  }
  const yearOk = (y: number) => Number.isInteger(y) && y >= 1990 && y <= 2100;
  if (!yearOk(options.from)) {
    issues.push(
      fieldIssue(
        'out_of_range',
        'from',
        `起始年份应在 1990–2100 之间：${String(options.from)}`,
        `The first year must be 1990–2100: ${String(options.from)}`,
      ),
    );
  }
  if (!yearOk(options.to)) {
    issues.push(
      fieldIssue(
        'out_of_range',
        'to',
        `结束年份应在 1990–2100 之间：${String(options.to)}`,
        `The last year must be 1990–2100: ${String(options.to)}`,
      ),
    );
  } else if (yearOk(options.from) && options.to < options.from) {
    issues.push(
      fieldIssue(
        'out_of_range',
        'to',
        `结束年份 ${options.to} 早于起始年份 ${options.from}`,
        `The last year ${options.to} is before the first year ${options.from}`,
      ),
    );
  } else if (yearOk(options.from) && options.to - options.from > 50) {
    issues.push(fieldIssue('out_of_range', 'to', '最多模拟 50 年', 'At most 50 years can be simulated'));
  }
  const seed = typeof options.seed === 'number' ? String(options.seed) : (options.seed ?? '');
  if (seed.trim() === '' || (typeof options.seed === 'number' && !Number.isFinite(options.seed))) {
    issues.push(fieldIssue('required', 'seed', '请指定随机种子（--seed）', 'A seed is required (--seed)'));
  }
  const asOf = options.asOf ?? `${options.to}-12-31`;
  if (!isCalendarDate(asOf)) {
    issues.push(
      fieldIssue(
        'invalid_date',
        'asOf',
        `截止日期不是有效日期（YYYY-MM-DD）：${asOf}`,
        `The extract date is not a valid date (YYYY-MM-DD): ${asOf}`,
      ),
    );
  } else if (yearOk(options.from) && asOf < `${options.from}-01-01`) {
    issues.push(
      fieldIssue(
        'out_of_range',
        'asOf',
        `截止日期 ${asOf} 早于模拟开始`,
        `The extract date ${asOf} is before the simulation starts`,
      ),
    );
  }
  if (issues.length > 0) throw invalidInput(issues);
  return { county, persons, from: options.from, to: options.to, seed, asOf };
}

/**
 * Generates a synthetic county: the initial population, `to − from + 1` years of events, the
 * registry as the county has it, the department feeds and the ground truth, as rows into `sink`
 * (which it closes at the end). Deterministic for a given seed and options.
 */
export async function generateCounty(options: SynthOptions, sink: SynthSink): Promise<SynthResult> {
  const checked = checkSynthOptions(options);
  const rates: SynthRates = resolveRates(options.rates);
  const county = await loadSynthCounty(checked.county, new Rng(checked.seed, 'villages'), rates.villages);
  const world = new World(
    {
      county,
      rates,
      persons: checked.persons,
      from: checked.from,
      to: checked.to,
      seed: checked.seed,
      asOfDay: dayFromDate(checked.asOf),
    },
    sink,
  );
  const years = checked.to - checked.from + 1;
  // Progress units: the initial population counts as 2 years, the final output as 2.
  const total = (years + 4) * 100;
  const progress = (done: number) => options.onProgress?.(Math.min(total, Math.round(done)), total);
  progress(0);
  await world.openTables();
  buildInitialPopulation(world);
  progress(200);
  await world.drain();
  const simulator = new YearSimulator(world);
  for (let year = checked.from; year <= checked.to; year++) {
    await simulator.runYear(year);
    await world.drain();
    progress(200 + (year - checked.from + 1) * 100);
  }
  await writeFinalState(world, (fraction) => progress((years + 2) * 100 + fraction * 200));
  await world.close();
  let present = 0;
  for (let p = 0; p < world.pop.count; p++) present += world.pop.present[p]!;
  return {
    county: {
      code: county.code,
      name: county.name,
      fullName: county.fullName,
      townships: county.townships.length,
      villages: county.villages.length,
    },
    options: {
      persons: checked.persons,
      from: checked.from,
      to: checked.to,
      seed: checked.seed,
      asOf: checked.asOf,
    },
    population: { start: checked.persons, end: present, everLived: world.pop.count },
    stats: { ...world.stats },
    rows: { ...world.rowCounts },
  };
}

/**
 * Generates a county into `dir` as CSV files (`registry/`, `feeds/`, `truth/`) and writes
 * `manifest.json` with the options, the rates used and the row counts. No timestamps: the same
 * seed gives byte-identical files.
 */
export async function writeCountyCsv(options: SynthOptions, dir: string): Promise<SynthResult> {
  checkSynthOptions(options);
  mkdirSync(dir, { recursive: true });
  const result = await generateCounty(options, createCsvSink(dir));
  const manifest = {
    generator: 'renkou synth',
    county: result.county,
    options: result.options,
    population: result.population,
    stats: result.stats,
    files: Object.fromEntries(
      SYNTH_TABLE_NAMES.map((table) => [
        `${table}.csv`,
        { rows: result.rows[table], columns: SYNTH_TABLES[table] },
      ]),
    ),
    rates: resolveRates(options.rates),
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return result;
}
