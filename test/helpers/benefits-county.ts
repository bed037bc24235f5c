import { join } from 'node:path';
import { generateCountyIntoDatabase } from '../../src/synth/load-registry.ts';
import { readCsvFile } from '../../src/synth/read-csv.ts';
import type { TestDatabase } from './database.ts';

/**
 * The synthetic county the benefits tests screen and pay: 3,000 persons of 华亭市 over 2021–2025,
 * seed 'benefits' — so every benefits test file sees the same families. With `out`, the generator's
 * files (the ground truth among them) are written there too.
 */
export function seedBenefitsCounty(test: TestDatabase, out?: string) {
  return generateCountyIntoDatabase(test.database, {
    county: '620881',
    persons: 3000,
    from: 2021,
    to: 2025,
    seed: 'benefits',
    ...(out ? { out } : {}),
  });
}

/** A CSV the generator wrote (`truth/persons`, `registry/persons`, …) as one object per row. */
export function rowsOf(dir: string, table: string): Record<string, string>[] {
  const csv = readCsvFile(join(dir, `${table}.csv`));
  return csv.rows.map((row) => Object.fromEntries(csv.header.map((h, i) => [h, row[i] ?? ''])));
}
