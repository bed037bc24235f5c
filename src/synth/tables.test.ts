import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SYNTH_TABLES } from './tables.ts';

describe('output tables', () => {
  it('are documented in docs/synth.md with their exact headers', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'synth.md'), 'utf8');
    for (const [table, columns] of Object.entries(SYNTH_TABLES)) {
      assert.ok(docs.includes(columns.join(',')), `docs/synth.md shows the header of ${table}.csv`);
      assert.ok(new Set(columns).size === columns.length, `${table} has no repeated column`);
    }
  });
});
