import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runRenkou } from './helpers/cli.ts';
import { createScratchStorage, type ScratchStorage, storageName } from './helpers/database.ts';

/** A backup restores exactly what was there, audit chain included, and never overwrites data unasked. */
describe(`renkou backup / restore (${storageName})`, () => {
  let storage: ScratchStorage;
  let dir: string;
  const password = 'Backup-test-pass-1\n';
  before(async () => {
    storage = await createScratchStorage();
    dir = mkdtempSync(join(tmpdir(), 'renkou-backup-'));
    assert.equal((await runRenkou(['init', '--county', '620881'], storage.env)).code, 0);
    const created = await runRenkou(
      ['users', 'create', '--username', 'first.admin', '--name', '甲', '--role', 'county_admin@620881'],
      storage.env,
      60_000,
      password,
    );
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await storage.cleanup();
  });

  it('restores the state of the backup, refusing to overwrite without --force', async () => {
    const file = join(dir, 'renkou.backup');
    const backup = await runRenkou(['backup', '--out', file], storage.env);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /已备份到/);
    const later = await runRenkou(
      [
        'users',
        'create',
        '--username',
        'later.user',
        '--name',
        '乙',
        '--role',
        'village_worker@620881100001',
      ],
      storage.env,
      60_000,
      password,
    );
    assert.equal(later.code, 0, later.stderr);

    const refused = await runRenkou(['restore', '--from', file, '--lang', 'en'], storage.env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /add --force/);
    const users = JSON.parse((await runRenkou(['users', 'list', '--json'], storage.env)).stdout);
    assert.equal(users.length, 2, 'a refused restore changes nothing');

    const restored = await runRenkou(['restore', '--from', file, '--force'], storage.env);
    assert.equal(restored.code, 0, restored.stderr);
    const after = JSON.parse((await runRenkou(['users', 'list', '--json'], storage.env)).stdout);
    assert.deepEqual(
      after.map((u: { username: string }) => u.username),
      ['first.admin'],
    );
    const verify = await runRenkou(['access-log', 'verify', '--lang', 'en'], storage.env);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /intact/);
  });

  it('refuses a file that is not a backup, or a backup of the other storage mode', async () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'hello');
    const notBackup = await runRenkou(['restore', '--from', junk, '--lang', 'en'], storage.env);
    assert.notEqual(notBackup.code, 0);
    assert.match(notBackup.stderr, /is not a renkou backup/);
    const other = join(dir, 'other.backup');
    writeFileSync(other, storageName === 'postgres' ? Buffer.from([0x1f, 0x8b, 8, 0, 0]) : 'PGDMP rest');
    const wrongKind = await runRenkou(['restore', '--from', other, '--lang', 'en'], storage.env);
    assert.notEqual(wrongKind.code, 0);
    assert.match(wrongKind.stderr, /use export and import/);
  });
});
