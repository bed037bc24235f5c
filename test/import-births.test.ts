import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppError } from '../src/domain/errors.ts';
import { parsePeriod } from '../src/domain/period.ts';
import { listNumeratorRecords } from '../src/indicators/drill-down.ts';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { findIndicator, indicatorEngineFor } from '../src/indicators/index.ts';
import { projectionInputFromRegistry } from '../src/indicators/registry-projection.ts';
import { initCounty } from '../src/org/init-county.ts';
import { type ImportMode, importPersons } from '../src/registry/import/import-persons.ts';
import { listQuarantine, resubmitQuarantinedRow } from '../src/registry/import/quarantine.ts';
import { getPersonHistory } from '../src/registry/index.ts';
import { findRecordsBegin } from '../src/registry/queries/records-begin.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { csvOf, person, type Row } from './helpers/import-rows.ts';
import { OTHER_VILLAGE, TODAY, VILLAGE } from './helpers/registry.ts';

/**
 * A person whose residence in a village began on their birth date was born there: the import
 * records the birth (docs/import.md, "Births"), so an imported county has births for the
 * dashboard, the fertility rates and the completeness check. Both ways of writing a file.
 */

const mother = person({
  householdNo: 'A-1',
  name: '李秀英',
  sex: '女',
  birthDate: '1990-03-08',
  relationToHead: '户主',
  residenceFrom: '2015-01-01',
});
/** Born into the mother's household; listed before her, so linked to her only at the end. */
const daughter = person({
  householdNo: 'A-1',
  name: '王小红',
  sex: '女',
  birthDate: '2025-06-01',
  idNumber: '',
  maritalStatus: '未婚',
  relationToHead: '子女',
  residenceFrom: '2025-06-01',
  phone: '',
  motherIdNumber: mother.idNumber!,
});
const son = person({
  ...daughter,
  name: '王小明',
  sex: '男',
  birthDate: '2025-03-01',
  residenceFrom: '2025-03-01',
  idNumber: undefined,
});
/** A newborn of an inflow family in another village, mother not in the file. */
const newborn = person({
  householdNo: 'B-1',
  villageCode: OTHER_VILLAGE,
  name: '孙小花',
  sex: '女',
  birthDate: '2025-10-01',
  idNumber: '',
  maritalStatus: '未婚',
  relationToHead: '户主',
  residenceType: '流入',
  residenceFrom: '2025-10-01',
  phone: '',
});
/** Born 2010, moved here 2012: not born in the county as far as the file says. */
const movedIn = person({
  householdNo: 'C-1',
  name: '赵一',
  birthDate: '2010-02-02',
  maritalStatus: '未婚',
  residenceFrom: '2012-01-01',
  phone: '',
});
/** A newborn whose row is wrong (sex): quarantined, and born only when resubmitted. */
const badNewborn = person({
  householdNo: 'A-1',
  name: '王小三',
  sex: '未知',
  birthDate: '2025-11-11',
  idNumber: '',
  maritalStatus: '未婚',
  relationToHead: '子女',
  residenceFrom: '2025-11-11',
  phone: '',
  motherIdNumber: mother.idNumber!,
});

const ROWS: Row[] = [daughter, movedIn, newborn, mother, son, badNewborn];

describe(`births recorded by a person import (${storageName})`, () => {
  const tests: TestDatabase[] = [];
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'renkou-import-births-'));
  });
  after(async () => {
    for (const test of tests) await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The county's events, ids replaced by names. */
  const eventsOf = async (test: TestDatabase) => {
    const db = test.database.db;
    const persons = await db.selectFrom('person').select(['id', 'name']).execute();
    const nameOf = new Map(persons.map((p) => [p.id, p.name]));
    const events = await db.selectFrom('vital_event').selectAll().orderBy('event_date').execute();
    return events.map((e) => ({
      name: nameOf.get(e.person_id),
      kind: e.kind,
      org: e.org_code,
      date: e.event_date,
      reported: e.report_date,
      source: e.source,
      mother: e.other_person_id === null ? null : nameOf.get(e.other_person_id),
      details: e.details,
      key: e.import_key === null ? null : 'kept',
    }));
  };

  for (const mode of ['chunked', 'initial'] as ImportMode[]) {
    it(`${mode}: records the birth of each person who lived in the village from birth, with the mother once she is found, and none for one who moved there`, async () => {
      const test = await createTestDatabase();
      tests.push(test);
      await initCounty(test.database.db, '620881');
      const context = { database: test.database, actor: { id: 'importer' }, today: TODAY };
      const path = join(dir, `${mode}.csv`);
      writeFileSync(path, csvOf(ROWS));
      const report = await importPersons(context, { path, mode, chunkSize: 2 });
      assert.deepEqual(report.rows, { total: 6, ok: 5, unchanged: 0, quarantined: 1, blank: 0 });

      const db = test.database.db;
      const mum = await db
        .selectFrom('person')
        .select('id')
        .where('name', '=', '李秀英')
        .executeTakeFirstOrThrow();
      const birth = { kind: 'birth', reported: TODAY, source: 'import', key: 'kept' };
      // The mother's id and ID number in the details, as registering the birth writes them.
      const motherDetails = { motherId: mum.id, motherIdNumber: mother.idNumber };
      assert.deepEqual(await eventsOf(test), [
        {
          ...birth,
          name: '王小明',
          org: VILLAGE,
          date: '2025-03-01',
          mother: '李秀英',
          details: motherDetails,
        },
        {
          ...birth,
          name: '王小红',
          org: VILLAGE,
          date: '2025-06-01',
          mother: '李秀英',
          details: motherDetails,
        },
        { ...birth, name: '孙小花', org: OTHER_VILLAGE, date: '2025-10-01', mother: null, details: {} },
      ]);

      // The figures read them: births by sex, and the births the completeness check compares.
      const engine = new IndicatorEngine(db, test.database.kind);
      const births = await engine.evaluate({
        indicator: 'births',
        unit: '620881',
        period: '2025',
        by: 'sex',
      });
      assert.deepEqual(
        births.values.map((v) => [v.group.sex, v.value]),
        [
          ['male', 1],
          ['female', 2],
        ],
      );
      // Their birth order: the import numbers a child among the mother's children (the file
      // brings none) — 王小红, listed before her mother, when the mother arrives; 孙小花's mother
      // is not in the registry, so hers counts as a first birth.
      const byOrder = await engine.evaluate({
        indicator: 'births',
        unit: '620881',
        period: '2025',
        by: 'birthOrder',
      });
      assert.deepEqual(
        byOrder.values.map((v) => [v.group.birthOrder, v.value]),
        [
          ['1', 2],
          ['2', 1],
          ['3', 0],
        ],
      );
      const orders = await db.selectFrom('person').select(['name', 'birth_order']).orderBy('name').execute();
      assert.deepEqual(Object.fromEntries(orders.map((p) => [p.name, p.birth_order])), {
        孙小花: null,
        李秀英: null,
        王小明: 1,
        王小红: 2,
        赵一: null,
      });
      // 王小红's number came with her mother: in the same history version, with its old value.
      const girl = await db
        .selectFrom('person')
        .select('id')
        .where('name', '=', '王小红')
        .executeTakeFirstOrThrow();
      const link = (await getPersonHistory(db, girl.id)).find((v) => v.kind === 'import_link')!;
      assert.deepEqual(link.changes.birth_order, { old: null, new: 2 });
      const second = await listNumeratorRecords(
        db,
        findIndicator('birth_order_2_share')!,
        '620881',
        parsePeriod('2025'),
      );
      assert.deepEqual(
        second.items.map((r) => r.name),
        ['王小红'],
      );
      // Nobody reported them: timeliness has no events, and reports do not treat 2025-03-01 as the
      // day the registry's records begin.
      const [timeliness] = (
        await engine.evaluate({ indicator: 'timeliness_rate', unit: '620881', period: '2025' })
      ).values;
      assert.equal(timeliness!.denominator, 0);
      assert.equal(await findRecordsBegin(db, '620881'), null);
      // Nor does the projection take rates from years of imported births alone (they have no
      // deaths): with nothing the registry recorded there is nothing to project from.
      await assert.rejects(
        projectionInputFromRegistry(db, indicatorEngineFor(test.database), {
          unit: '620881',
          today: '2026-06-01',
          step: 5,
          years: 10,
        }),
        (error: AppError) => error.field === 'baseYear' && /没有任何人口事件记录/.test(error.text['zh-CN']),
      );

      // The quarantined newborn, corrected: its birth is recorded as the import's would have been.
      const [quarantined] = (await listQuarantine(db, { batchId: report.batchId })).items;
      await resubmitQuarantinedRow(context, {
        batchId: report.batchId,
        rowNo: quarantined!.rowNo,
        values: { sex: '男' },
      });
      const after = await eventsOf(test);
      assert.deepEqual(after.at(-1), {
        ...birth,
        name: '王小三',
        org: VILLAGE,
        date: '2025-11-11',
        mother: '李秀英',
        details: motherDetails,
      });

      // The same file again, and the same rows in other bytes: no second birth.
      await importPersons(context, { path, mode: 'chunked' });
      writeFileSync(`${path}.lf`, csvOf(ROWS, { eol: '\n', bom: false }));
      const again = await importPersons(context, { path: `${path}.lf`, mode: 'chunked' });
      assert.equal(again.rows.unchanged, 5);
      assert.deepEqual(await eventsOf(test), after);
    });
  }
});
