import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/**
 * Every date option of the CLI takes a calendar day: a bad one is an error naming the option, in
 * the chosen language, exit 1 — not an "unexpected error" from the database's date cast.
 */
describe(`renkou date options (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
  });
  after(() => storage.cleanup());

  const commands: [flag: string, args: (date: string) => string[]][] = [
    ['--date', (d) => ['population', '--unit', '620881', '--date', d]],
    ['--date', (d) => ['targets', 'status', '--unit', '620881', '--date', d]],
    ['--date', (d) => ['report', '--unit', '620881', '--period', '2025', '--format', 'html', '--date', d]],
    ['--from', (d) => ['activity', 'list', '--unit', '620881', '--from', d]],
    ['--as-of', (d) => ['benefits', 'reverify', '--programme', 'childcare-subsidy', '--as-of', d]],
  ];

  for (const [flag, args] of commands) {
    it(`${args('x').slice(0, 2).join(' ')} ${flag}: 30 February is refused at the option`, async () => {
      const zh = await runRenkou(args('2025-02-30'), storage.env);
      assert.equal(zh.code, 1, zh.stderr);
      assert.match(zh.stderr, new RegExp(`错误: ${flag} 应为有效日期（YYYY-MM-DD）：2025-02-30`));
      assert.doesNotMatch(zh.stderr, /意外错误/);
      const en = await runRenkou(['--lang', 'en', ...args('0000-06-30')], storage.env);
      assert.equal(en.code, 1, en.stderr);
      assert.match(en.stderr, new RegExp(`Error: ${flag} must be a valid date \\(YYYY-MM-DD\\): 0000-06-30`));
    });
  }
});
