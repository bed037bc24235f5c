import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/** The first administrator is made at the command line, with the password from standard input. */
describe(`renkou users / access-log (${storageName})`, () => {
  let storage: ScratchStorage;
  before(async () => {
    storage = await createScratchStorage();
    const init = await runRenkou(['init', '--county', '620881'], storage.env);
    assert.equal(init.code, 0, init.stderr);
  });
  after(() => storage.cleanup());

  it('creates the first administrator with a password read from standard input, never from argv', async () => {
    const created = await runRenkou(
      ['users', 'create', '--username', 'county.admin', '--name', '赵主任', '--role', 'county_admin@620881'],
      storage.env,
      60_000,
      'Strong-password-2025\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /已建立用户 county\.admin/);
    const list = await runRenkou(['users', 'list', '--json'], storage.env);
    const users = JSON.parse(list.stdout);
    assert.deepEqual(users[0].roles, [{ role: 'county_admin', unit: '620881' }]);
  });

  it('refuses a weak password and an unknown role with field-level messages', async () => {
    const weak = await runRenkou(
      ['users', 'create', '--username', 'weak.one', '--name', 'x', '--role', 'village_worker@620881100001'],
      storage.env,
      60_000,
      '123456\n',
    );
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /密码至少需要 10 个字符/);
    const role = await runRenkou(
      ['users', 'create', '--username', 'bad.role', '--name', 'x', '--role', 'mayor@620881', '--lang', 'en'],
      storage.env,
      60_000,
      'Strong-password-2025\n',
    );
    assert.notEqual(role.code, 0);
    assert.match(role.stderr, /Write a role as role@unit/);
  });

  it('records what the command line did in an intact audit log', async () => {
    const verify = await runRenkou(['access-log', 'verify', '--lang', 'en'], storage.env);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /intact: [1-9]\d* entries/);
    const search = await runRenkou(
      ['access-log', 'search', '--action', 'user.create', '--json'],
      storage.env,
    );
    const entries = JSON.parse(search.stdout);
    assert.equal(entries.length, 1);
    assert.match(entries[0].actor, /^cli:/);
  });
});
