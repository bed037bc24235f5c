import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatCsvLine } from '../src/synth/csv-sink.ts';
import { generateCounty, writeCountyCsv } from '../src/synth/generate-county.ts';
import { readCsvFile } from '../src/synth/read-csv.ts';
import { createMemorySink } from '../src/synth/sink.ts';
import { SYNTH_TABLE_NAMES } from '../src/synth/tables.ts';

/** Same seed, same bytes; another seed, other people. */

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renkou-synth-det-'));
  dirs.push(dir);
  return dir;
}

/** sha256 of every file under dir, by relative path. */
function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

const options = { county: '620881', persons: 4000, from: 2016, to: 2025, seed: 'same seed' };

describe('synthetic county: determinism', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('writes byte-identical files for the same seed', async () => {
    const [a, b] = [scratch(), scratch()];
    await writeCountyCsv(options, a);
    await writeCountyCsv(options, b);
    const first = hashes(a);
    assert.equal(first.size, SYNTH_TABLE_NAMES.length + 1, 'every table and the manifest');
    assert.deepEqual(hashes(b), first);
  });

  it('makes other people from another seed', async () => {
    const [a, b] = [scratch(), scratch()];
    await writeCountyCsv(options, a);
    await writeCountyCsv({ ...options, seed: 'another seed' }, b);
    const read = (dir: string) => readCsvFile(join(dir, 'truth/persons.csv'));
    const [x, y] = [read(a), read(b)];
    const ids = new Set(x.rows.map((r) => r[x.column('id_number')]));
    const shared = y.rows.filter((r) => ids.has(r[y.column('id_number')])).length;
    assert.ok(shared < y.rows.length * 0.05, `${shared} of ${y.rows.length} ID numbers recur`);
    const names = x.rows.slice(0, 500).map((r) => r[x.column('name')]);
    const sameNames = y.rows.slice(0, 500).filter((r, i) => r[y.column('name')] === names[i]).length;
    assert.ok(sameNames < 50, `${sameNames} of the first 500 names are the same`);
    assert.notDeepEqual(hashes(a).get('registry/persons.csv'), hashes(b).get('registry/persons.csv'));
  });

  it('writes the same CSV through its fast path as any other sink receives', async () => {
    const dir = scratch();
    await writeCountyCsv(options, dir);
    const memory = createMemorySink();
    await generateCounty(options, memory);
    for (const table of SYNTH_TABLE_NAMES) {
      const { columns, rows } = memory.tables.get(table)!;
      const expected = [columns, ...rows].map((row) => `${formatCsvLine(row)}\n`).join('');
      assert.equal(readFileSync(join(dir, `${table}.csv`), 'utf8'), expected, table);
    }
  });
});
