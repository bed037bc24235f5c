import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvParser, datasetCsvChunks, formatCsvRow, parseCsv } from './csv.ts';

describe('CSV', () => {
  it('reads quotes, doubled quotes, line breaks in fields, a BOM and CRLF', () => {
    const text = '\ufeffid,name,note\r\n1,王晓明,"说 ""你好"""\r\n2,"李,丽","两\r\n行"\r\n3,,\r\n';
    assert.deepEqual(parseCsv(text), [
      ['id', 'name', 'note'],
      ['1', '王晓明', '说 "你好"'],
      ['2', '李,丽', '两\r\n行'],
      ['3', '', ''],
    ]);
  });

  it('reads a last row without a line break, and skips blank lines', () => {
    assert.deepEqual(parseCsv('a,b\n\n1,2'), [
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('gives the same rows however the text is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.string({ unit: fc.constantFrom('a', '王', ',', '"', '\n', '\r', ' ') }), {
            minLength: 1,
            maxLength: 4,
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 40 }),
        (rows, cuts) => {
          const text = rows.map(formatCsvRow).join('');
          const whole = parseCsv(text);
          const pieces: string[][] = [];
          const parser = new CsvParser((fields) => pieces.push(fields));
          let at = 0;
          for (let c = 0; at < text.length; c++) {
            const size = cuts[c % cuts.length]!;
            parser.push(text.slice(at, at + size));
            at += size;
          }
          parser.end();
          assert.deepEqual(pieces, whole);
          // A row of one empty field is a blank line, and blank lines are no rows.
          assert.deepEqual(
            whole,
            rows.filter((row) => !(row.length === 1 && row[0] === '')),
          );
        },
      ),
    );
  });

  it('numbers rows by the line they start on', () => {
    const lines: number[] = [];
    const parser = new CsvParser((_, line) => lines.push(line));
    parser.push('a\n"x\ny"\nz\n');
    parser.end();
    assert.deepEqual(lines, [1, 2, 4]);
  });

  it('writes a dataset with its header and a BOM', () => {
    const text = [
      ...datasetCsvChunks({
        ids: ['1', '2'],
        columns: new Map([
          ['id', ['1', '2']],
          ['name', ['王,明', null]],
        ]),
      }),
    ].join('');
    assert.equal(text, '\ufeffid,name\r\n1,"王,明"\r\n2,\r\n');
  });
});
