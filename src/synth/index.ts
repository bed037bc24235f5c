/**
 * The synthetic county generator: a seeded microsimulation of a real county's population with
 * its registry, department feeds and ground truth. See docs/synth.md.
 */
export { createCsvSink, formatCsvLine } from './csv-sink.ts';
export {
  checkSynthOptions,
  generateCounty,
  MAX_PERSONS,
  type SynthOptions,
  type SynthResult,
  writeCountyCsv,
} from './generate-county.ts';
export { DEFAULT_RATES, type RatesOverride, resolveRates, type SynthRates } from './rates.ts';
export { type Cell, createMemorySink, type MemorySink, type SynthSink, teeSinks } from './sink.ts';
export { FEED_NAMES, SYNTH_TABLE_NAMES, SYNTH_TABLES, type SynthTable } from './tables.ts';
