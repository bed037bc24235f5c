import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCsvSink, formatCsvLine } from './csv-sink.ts';
import { parseCsv } from './read-csv.ts';

describe('CSV output', () => {
  it('quotes only what needs quoting and writes numbers and Chinese text as they are', () => {
    assert.equal(
      formatCsvLine([1, -42, 3.5, null, '', '王晓丽', 'a,b', 'say "hi"', 'two\nlines']),
      '1,-42,3.5,,,王晓丽,"a,b","say ""hi""","two\nlines"',
    );
    assert.equal(formatCsvLine([9007199254740991, 0]), '9007199254740991,0');
    assert.equal(formatCsvLine(['😀']), '😀');
  });

  it('round-trips through the parser, across chunk boundaries, with a header line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkou-csv-'));
    try {
      const sink = createCsvSink(dir);
      sink.open('truth/registry_links', ['person_key', 'person_id', 'duplicate', 'errors']);
      const rows: (string | number | null)[][] = [];
      const long = '长'.repeat(100_000);
      for (let i = 0; i < 30_000; i++)
        rows.push([i, i * 7, i % 2, i % 1000 === 0 ? `x,"${i}"` : i === 5 ? long : '张三']);
      for (const row of rows) sink.row('truth/registry_links', row);
      await sink.drain();
      await sink.close();
      const parsed = parseCsv(readFileSync(join(dir, 'truth/registry_links.csv'), 'utf8'));
      assert.deepEqual(parsed[0], ['person_key', 'person_id', 'duplicate', 'errors']);
      assert.equal(parsed.length, rows.length + 1);
      assert.deepEqual(
        parsed.slice(1),
        rows.map((r) => r.map((v) => String(v))),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV encoder and single-line formatter', () => {
  it('agree byte for byte', async () => {
    const { CsvEncoder } = await import('./csv-sink.ts');
    const rows: (string | number | null)[][] = [
      [1, null, '王晓丽', 'a,b', 'q"q', -3, 2.25, '', 'x\r\ny', 9007199254740991],
      ['😀', 0, '620881199103200290'],
    ];
    const chunks: Buffer[] = [];
    const encoder = new CsvEncoder((chunk) => chunks.push(Buffer.from(chunk)));
    for (const row of rows) encoder.writeRow(row);
    encoder.flush();
    assert.equal(Buffer.concat(chunks).toString('utf8'), rows.map((r) => `${formatCsvLine(r)}\n`).join(''));
  });
});
