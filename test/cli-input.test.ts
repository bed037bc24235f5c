import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * Ids, counts, years, files and JSON typed on the command line: a bad one is an error naming the
 * option or field, in the chosen language, exit 1 — not an "unexpected error" with a stack trace
 * from the database's cast (NaN, 1e20, 2147483648), JSON.parse or the file system. Found by a
 * sweep of every command's options with bad values.
 */
describe(`renkou ids, numbers, files and JSON input (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-cli-input-'));
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  });

  /** Runs renkou and expects exit 1 with this error line and no stack trace. */
  async function refused(args: string[], message: RegExp) {
    const result = await runRenkou(args, storage.env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /意外错误|Unexpected error|\n\s+at /);
    assert.match(result.stderr, message);
  }

  it('an id or a count that is not a whole number in range is refused at its option', async () => {
    await refused(['person', 'show', 'abc'], /^错误: id 应为正整数：abc$/m);
    await refused(
      ['--lang', 'en', 'person', 'history', '1e20'],
      /^Error: id must be a positive whole number: 1e20$/m,
    );
    await refused(['person', 'search', '王', '--limit', '1.5'], /^错误: --limit 应为正整数：1\.5$/m);
    await refused(['access-log', 'search', '--limit', '-1'], /^错误: --limit 应为正整数：-1$/m);
    await refused(['tasks', 'list', '--offset', '-1'], /^错误: offset 应为不小于 0 的整数：-1$/m);
    await refused(
      ['feeds', 'decide', '99999999999999999999', 'accepted'],
      /^错误: pair 应为正整数：99999999999999999999$/m,
    );
    // A quarantine row is a 32-bit integer in the database.
    await refused(
      ['import', 'discard', '1', '2147483648', '--reason', 'x'],
      /^错误: row 应为 1 到 2147483647 之间的整数：2147483648$/m,
    );
    await refused(
      ['--lang', 'en', 'targets', 'show', '--unit', '620881', '--year', '2147483648'],
      /^Error: --year must be a whole number from 2000 to 2100: 2147483648$/m,
    );
    await refused(
      ['benefits', 'review', '--programme', 'childcare-subsidy', '--ids', '1,x'],
      /--ids 应为正整数：x/,
    );
  });

  it('a figure the rules bound and a choice the command does not have are refused at their field', async () => {
    await refused(
      ['completeness', 'set-official', '--unit', '620881', '--year', '2025', '--births', '2147483648'],
      /^错误: 出生数不能超过 1000000：2147483648$/m,
    );
    await refused(
      [
        'tokens',
        'create',
        '--name',
        '医院',
        '--scope',
        'feeds.ingest',
        '--unit',
        '620881',
        '--expires',
        '0000-01-01',
      ],
      /^错误: 到期时间应为日期时间（如 2026-12-31T23:59:59\+08:00）：0000-01-01$/m,
    );
    await refused(
      ['--lang', 'en', 'population', '--unit', '620881', '--date', '2025-06-30', '--basis', 'everyone'],
      /^Error: The basis must be one of resident \/ registered \/ inflow \/ outflow: everyone$/m,
    );
  });

  it('JSON input is refused at its field for a NUL, a number past 2^53, a person id that is text, or not being an object', async () => {
    await refused(
      ['register', 'death', '--data', '{"personId":1,"deathDate":"2025-05-01","cause":"病\\u0000"}'],
      /^错误: 字段 cause 含有空字符（U\+0000），请删去后重试$/m,
    );
    await refused(
      [
        '--lang',
        'en',
        'register',
        'correct',
        '--data',
        '{"personId":1e20,"expectedVersion":1,"changes":{},"reason":"x"}',
      ],
      /^Error: Field personId is out of range \(at most 9007199254740991 either way\)$/m,
    );
    await refused(
      ['register', 'void', '--data', '{"personId":"7","expectedVersion":1,"reason":"x"}'],
      /^错误: 人员编号应为正整数："7"$/m,
    );
    await refused(['register', 'move-in', '--data', 'null'], /^错误: JSON 输入应为一个对象（\{…\}）$/m);
    await refused(
      [
        'targets',
        'set',
        '--unit',
        '620881',
        '--year',
        '2025',
        '--reason',
        'x',
        '--data',
        '{"items":[{"target":1e400}]}',
      ],
      /^错误: 字段 items\.0\.target 的数值超出范围/m,
    );
    const definition = join(dir, 'programme.json');
    writeFileSync(definition, '{"amountFen": ');
    await refused(
      [
        'benefits',
        'programme-set',
        '--programme',
        'childcare-subsidy',
        '--from',
        '2026-01-01',
        '--file',
        definition,
      ],
      /^错误: 输入不是有效的 JSON$/m,
    );
  });

  it('a file to read that is not there, or a file to write in a folder that is not there, is refused at its option', async () => {
    const missing = join(dir, 'missing.csv');
    await refused(['import', 'persons', missing], /^错误: <file>：找不到文件或无法读取：.*missing\.csv$/m);
    await refused(
      ['--lang', 'en', 'services', 'import', '--file', missing],
      /^Error: --file: no such file, or it cannot be read: .*missing\.csv$/m,
    );
    await refused(
      ['export', 'persons', '--unit', '620881', '--out', join(dir, 'no-such-folder', 'p.csv')],
      /^错误: --out：无法写入 .*p\.csv（文件夹不存在或没有写权限）$/m,
    );
    await refused(['backup', '--out', dir], /^错误: --out 应为文件，不是文件夹：/m);
  });
});
