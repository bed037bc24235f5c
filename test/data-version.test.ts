import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dataVersion } from '../src/db/data-version.ts';
import type { RawSession } from '../src/db/database.ts';
import { initCounty } from '../src/org/init-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

const COUNTY = '620881';
const VILLAGE = '620881100001';

describe(`data_version, deferred to the end of a transaction (${storageName})`, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase();
    await initCounty(test.database.db, COUNTY);
  });
  after(() => test.cleanup());

  const versionOf = async (session: RawSession) =>
    Number(
      (
        await session.query<{ version: string | null }>(
          'SELECT (SELECT version FROM data_version WHERE county_code = $1::text) AS version',
          [COUNTY],
        )
      )[0]!.version ?? 0,
    );
  let next = 0;
  const addPerson = (session: RawSession) =>
    session.query(
      `INSERT INTO person (county_code, name, name_pinyin, name_initials, sex, birth_date, current_org_code,
                           current_residence_type, source, created_by, updated_by)
       VALUES ($1::text, $2::text, 'x', 'x', 'female', '1990-01-01', $3::text, 'registered', 'test', 't', 't')`,
      [COUNTY, `测试${++next}`, VILLAGE],
    );

  it('counts each registry statement as a change, unless the transaction defers; then its bump counts once', async () => {
    await test.database.withSession(async (session) => {
      const start = await versionOf(session);
      await session.exec('BEGIN');
      await addPerson(session);
      await addPerson(session);
      assert.equal(await versionOf(session), start + 2, 'each statement bumps');
      await session.exec('COMMIT');

      await session.exec('BEGIN');
      await dataVersion.defer(session);
      await addPerson(session);
      await addPerson(session);
      assert.equal(await versionOf(session), start + 2, 'deferred: the triggers stand aside');
      await dataVersion.bump(session, COUNTY);
      assert.equal(await versionOf(session), start + 3, 'one bump for the transaction');
      await session.exec('COMMIT');

      // Transaction-local: the next transaction bumps per statement again.
      await session.exec('BEGIN');
      await addPerson(session);
      await session.exec('COMMIT');
      assert.equal(await versionOf(session), start + 4);
    });
  });
});
