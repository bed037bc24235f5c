import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { AppError } from '../src/domain/errors.ts';
import { CsvParser, detectEncoding, ownCopy, readCsvRows } from '../src/registry/import/csv-reader.ts';
import { mapHeader, PERSON_COLUMNS } from '../src/registry/import/person-columns.ts';
import type { TableRow } from '../src/registry/import/table-row.ts';
import { normaliseDate } from '../src/registry/import/validate-row.ts';

async function* pieces(...chunks: (string | Uint8Array)[]) {
  for (const chunk of chunks) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

async function readAll(...chunks: (string | Uint8Array)[]): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const batch of readCsvRows(pieces(...chunks))) rows.push(...batch);
  return rows;
}

function serialise(records: string[][], eol: string): string {
  return records
    .map((r) =>
      r
        .map((cell) => (/[",\r\n]/.test(cell) || cell === '' ? `"${cell.replaceAll('"', '""')}"` : cell))
        .join(','),
    )
    .join(eol);
}

describe('CSV reading', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, CRLF and a BOM', async () => {
    const rows = await readAll('\uFEFF姓名,备注\r\n"王,小明","他说""好""\r\n第二行"\r\n李丽,\r\n');
    assert.deepEqual(
      rows.map((r) => [r.rowNo, r.cells]),
      [
        [1, ['姓名', '备注']],
        [2, ['王,小明', '他说"好"\r\n第二行']],
        [3, ['李丽', '']],
      ],
    );
  });

  it('gives the same records however the text is cut into pieces', () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', '王', ',', '"', '\n', '\r', ' ', '1') }),
      fc.constant(''),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('\r\n', '\n'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (records, eol, cuts) => {
          // Every record starts with a plain cell, so none is blank and the count is exact.
          const data = records.map((r, i) => [`r${i}`, ...r]);
          const text = serialise(data, eol) + eol;
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const parser = new CsvParser();
          const out: string[][] = [];
          let start = 0;
          for (const point of points) {
            parser.push(text.slice(start, point), false, out);
            start = point;
          }
          parser.push(text.slice(start), true, out);
          assert.deepEqual(out, data);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a large file cut into pieces in the middle of characters', async () => {
    const line = '户号,王小明,"他说""好""，\n换行",620881198503121239\r\n';
    const text = `h1,h2,h3,h4\r\n${line.repeat(2_000)}`;
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 7_777) chunks.push(bytes.subarray(at, at + 7_777));
    const rows = await readAll(...chunks);
    assert.equal(rows.length, 2_001);
    assert.deepEqual(rows[2_000]!.cells, ['户号', '王小明', '他说"好"，\n换行', '620881198503121239']);
    assert.equal(rows[2_000]!.rowNo, 2_001);
  });

  it('reads GB18030 (Excel on a zh-CN Windows) and UTF-8, and tab-separated text', async () => {
    // 姓名,性别 / 王,男 in GBK.
    const gbk = new Uint8Array([
      0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xd0, 0xd4, 0xb1, 0xf0, 0x0d, 0x0a, 0xcd, 0xf5, 0x2c, 0xc4, 0xd0,
    ]);
    assert.equal(detectEncoding(gbk).encoding, 'gb18030');
    assert.deepEqual(
      (await readAll(gbk)).map((r) => r.cells),
      [
        ['姓名', '性别'],
        ['王', '男'],
      ],
    );
    assert.equal(detectEncoding(new TextEncoder().encode('姓名')).encoding, 'utf-8');
    assert.deepEqual(
      (await readAll('姓名\t性别\n王,小\t男\n')).map((r) => r.cells),
      [
        ['姓名', '性别'],
        ['王,小', '男'],
      ],
    );
  });

  it('keeps counting rows over blank lines, so row numbers match the spreadsheet', async () => {
    const rows = await readAll('a,b\n1,2\n\n,,\n3,4');
    assert.deepEqual(
      rows.map((r) => [r.rowNo, r.cells]),
      [
        [1, ['a', 'b']],
        [2, ['1', '2']],
        [3, ['']],
        [4, ['', '', '']],
        [5, ['3', '4']],
      ],
    );
  });

  it('a parser fed one character at a time agrees with one fed everything', () => {
    const text = 'x,"a""b",c\r\n"multi\nline",,z\rlast,"q"\n';
    const whole: string[][] = [];
    new CsvParser().push(text, true, whole);
    const bits: string[][] = [];
    const parser = new CsvParser();
    for (const char of text) parser.push(char, false, bits);
    parser.push('', true, bits);
    assert.deepEqual(bits, whole);
    assert.deepEqual(whole, [
      ['x', 'a"b', 'c'],
      ['multi\nline', '', 'z'],
      ['last', 'q'],
    ]);
  });
});

describe('cells kept for the whole file', () => {
  it('are copies that do not keep the megabyte of text they were read from alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    /** Heap growth, in MB, from keeping one ID number cut from each of 60 one-megabyte pieces. */
    const kept = (keep: (cell: string) => string) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const cells: string[] = [];
      for (let i = 0; i < 60; i++) {
        const piece = `${String(i).padStart(6, '0')}${'9'.repeat(2 ** 20)}`;
        cells.push(keep(piece.slice(0, 18)));
      }
      gc();
      const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
      assert.equal(cells.length, 60);
      return grown;
    };
    assert.ok(kept((cell) => cell) > 40, 'a cut keeps its piece: the measurement can tell');
    assert.ok(kept(ownCopy) < 5, 'a copy keeps only itself');
    assert.equal(ownCopy('62088119150210040X'), '62088119150210040X');
  });
});

describe('template columns', () => {
  it('reads zh-CN headers, English keys and common variants in any order', () => {
    const zh = mapHeader(PERSON_COLUMNS.map((c) => c.zh));
    const en = mapHeader([...PERSON_COLUMNS].reverse().map((c) => c.en.toUpperCase()));
    assert.equal(zh.index.idNumber, 5);
    assert.equal(en.index.idNumber, PERSON_COLUMNS.length - 6);
    const variants = mapHeader([
      '身份证号',
      '姓名',
      '性别',
      '出生日期',
      '村居代码',
      '人口类型',
      '居住起始日期',
      '备注',
    ]);
    assert.equal(variants.index.idNumber, 0);
    assert.equal(variants.index.villageCode, 4);
    assert.deepEqual(variants.ignored, ['备注']);
  });

  it('refuses a header missing required columns or naming one twice', () => {
    assert.throws(
      () => mapHeader(['姓名', '姓名', '性别']),
      (error: unknown) =>
        error instanceof AppError &&
        error.issues.some((i) => i.code === 'duplicate_column' && i.field === 'name') &&
        error.issues.some((i) => i.code === 'missing_column' && i.field === 'birthDate'),
    );
  });

  it('reads the date forms people type', () => {
    assert.equal(normaliseDate('1985-3-2'), '1985-03-02');
    assert.equal(normaliseDate('1985/03/12'), '1985-03-12');
    assert.equal(normaliseDate('19850312'), '1985-03-12');
    assert.equal(normaliseDate('1985年3月12日'), '1985-03-12');
    assert.equal(normaliseDate('1985-03-12 00:00:00'), '1985-03-12');
    assert.equal(normaliseDate('3/12/1985'), '3/12/1985');
  });
});
