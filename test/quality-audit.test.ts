import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { drawAudit, registrySnapshotSql } from '../src/quality/audit-draw.ts';
import { AUDIT_FIELD_IDS, type AuditFieldId, compareField } from '../src/quality/audit-fields.ts';
import { getAudit, listAuditHouseholds } from '../src/quality/audit-queries.ts';
import { importAuditResults } from '../src/quality/audit-results.ts';
import { loadAuditSheetData, writeAuditSheet } from '../src/quality/audit-sheet.ts';
import { generateCountyIntoDatabase } from '../src/synth/load-registry.ts';
import { readCsvFile } from '../src/synth/read-csv.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';

/**
 * Field audits on a small synthetic county whose registry errors are known: the sample follows
 * from its seed, and a survey that writes down the truth gives an accuracy estimate whose 95%
 * interval covers the registry's true accuracy over every person in the frame.
 */
describe(`field audits on a synthetic county (${storageName})`, () => {
  let test: TestDatabase;
  let out: string;
  const actor = { id: 'auditor' };
  /** Registry person id -> what the household would truly say (or 'not_member' for a duplicate record). */
  const truthAnswers = new Map<number, Record<AuditFieldId, string> | 'not_member'>();

  before(async () => {
    test = await createTestDatabase();
    out = mkdtempSync(join(tmpdir(), 'renkou-quality-'));
    await generateCountyIntoDatabase(test.database, {
      county: '620881',
      persons: 4000,
      from: 2023,
      to: 2025,
      seed: 11,
      out,
    });
    const truth = readCsvFile(join(out, 'truth', 'persons.csv'));
    const col = (name: string) => truth.column(name);
    const byTruthId = new Map(truth.rows.map((row) => [row[col('person_id')]!, row]));
    const links = readCsvFile(join(out, 'truth', 'registry_links.csv'));
    const registryIds = new Map(
      (
        await sql<{
          id: number;
          key: string;
        }>`SELECT id, import_key AS key FROM person WHERE source = 'synth'`.execute(test.database.db)
      ).rows.map((r) => [r.key, r.id]),
    );
    for (const link of links.rows) {
      const [personKey, truthId, duplicate] = [link[0]!, link[1]!, link[2]!];
      const id = registryIds.get(personKey);
      if (id === undefined) continue;
      if (duplicate === '1' || duplicate === 'true') {
        truthAnswers.set(id, 'not_member');
        continue;
      }
      const row = byTruthId.get(truthId)!;
      const exit = row[col('exit_reason')];
      truthAnswers.set(id, {
        name: row[col('name')]!,
        sex: row[col('sex')]!,
        birth_date: row[col('birth_date')]!,
        id_number: row[col('id_number')]!,
        ethnicity: row[col('ethnicity')]!,
        marital_status: row[col('marital_status')]!,
        residence:
          exit === 'death' ? 'dead' : exit === 'move_out' ? 'moved_out' : row[col('residence_type')]!,
      });
    }
  });
  after(async () => {
    await test.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('draws the same households from the same seed and other households from another', async () => {
    const db = test.database.db;
    const first = await drawAudit(db, { unit: '620881', year: 2025, households: 60, seed: 'same', actor });
    const again = await drawAudit(db, { unit: '620881', year: 2025, households: 60, seed: 'same', actor });
    const other = await drawAudit(db, { unit: '620881', year: 2025, households: 60, seed: 'other', actor });
    const ids = async (id: number) => (await listAuditHouseholds(db, id)).map((h) => h.householdId).sort();
    assert.deepEqual(await ids(first.id), await ids(again.id));
    assert.notDeepEqual(await ids(first.id), await ids(other.id));
    assert.equal(first.frameDigest, again.frameDigest);
    assert.equal((await ids(first.id)).length, 60);
    // Every township is a stratum with a share of the sample in proportion to its households.
    assert.ok(first.strata.length >= 10, `strata: ${first.strata.length}`);
    for (const stratum of first.strata) {
      const quota = (stratum.frame * 60) / first.frameHouseholds;
      assert.ok(
        Math.abs(stratum.sample - quota) <= 1,
        `${stratum.code}: ${stratum.sample} for quota ${quota}`,
      );
    }
    const summary = await getAudit(db, first.id);
    assert.equal(summary.seed, 'same');
    assert.equal(summary.sampledHouseholds, 60);
  });

  it('estimates the accuracy with a 95% interval that covers the true accuracy of the whole registry', async () => {
    const db = test.database.db;
    const audit = await drawAudit(db, { unit: '620881', year: 2025, households: 250, seed: 'cover', actor });
    const sheet = await writeAuditSheet(await loadAuditSheetData(db, audit.id), 'zh-CN');

    // The surveyors write down the truth.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(sheet as never);
    const ws = workbook.worksheets.find((w) => w.getRow(1).getCell(1).value === 'key')!;
    const keys: string[] = [];
    ws.getRow(1).eachCell((cell, c) => {
      keys[c] = String(cell.value);
    });
    const personIds = new Map(
      (
        await db
          .selectFrom('field_audit_person')
          .select(['id', 'person_id'])
          .where('audit_id', '=', audit.id)
          .execute()
      ).map((r) => [String(r.id), r.person_id!]),
    );
    ws.eachRow((row, n) => {
      if (n <= 2) return;
      const key = String(row.getCell(1).value);
      if (key.startsWith('+')) return;
      const answers = truthAnswers.get(personIds.get(key)!);
      assert.ok(answers, `truth for sheet row ${key}`);
      if (answers === 'not_member') {
        row.getCell(keys.indexOf('not_member')).value = '是';
        return;
      }
      row.getCell(keys.indexOf('survey_date')).value = '2025-11-20';
      for (const field of AUDIT_FIELD_IDS)
        row.getCell(keys.indexOf(`surveyed:${field}`)).value = answers[field];
    });
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());
    const report = await importAuditResults(db, { auditId: audit.id, file: filled, actor });
    assert.equal(report.issues.length, 0, JSON.stringify(report.issues.slice(0, 3)));
    assert.equal(report.householdsSurveyed, audit.sampledHouseholds);

    // The true accuracy: every person of the frame, the same fields, the same comparison.
    const frame = (
      await sql<{ id: number; registry: Record<string, string | null> }>`
        SELECT p.id, ${sql.raw(registrySnapshotSql('p'))} AS registry
          FROM person p JOIN household h ON h.county_code = p.county_code AND h.id = p.household_id
         WHERE p.county_code = '620881' AND p.status = 'active' AND h.status = 'active'`.execute(db)
    ).rows;
    assert.equal(frame.length, audit.framePersons);
    let checked = 0;
    let correct = 0;
    for (const person of frame) {
      const answers = truthAnswers.get(person.id)!;
      if (answers === 'not_member') {
        checked += AUDIT_FIELD_IDS.length;
        continue;
      }
      for (const field of AUDIT_FIELD_IDS) {
        const verdict = compareField(field, person.registry[field] ?? null, answers[field]);
        if (!verdict.checked) continue;
        checked += 1;
        if (verdict.correct) correct += 1;
      }
    }
    const truePercent = (correct / checked) * 100;
    const { fields } = report.estimate;
    assert.ok(fields.interval, 'an interval');
    assert.ok(truePercent < 100, 'the synthetic registry has errors to find');
    assert.ok(
      fields.interval.lower! <= truePercent && truePercent <= fields.interval.upper!,
      `true accuracy ${truePercent.toFixed(2)}% outside ${fields.value}% [${fields.interval.lower}, ${fields.interval.upper}]`,
    );
    assert.ok(fields.interval.upper! - fields.interval.lower! < 5, 'the interval is informative');

    // Every discrepancy is a correction task on its village's list, once.
    const tasks = await db
      .selectFrom('work_task')
      .select(['org_code', 'person_id', 'details'])
      .where('kind', '=', 'audit_discrepancy')
      .where('source_ref', 'like', `audit:${audit.id}:%`)
      .execute();
    assert.equal(tasks.length, report.discrepancies);
    assert.ok(tasks.length > 0);
    assert.ok(tasks.every((t) => t.org_code.length === 12));
    const again = await importAuditResults(db, { auditId: audit.id, file: filled, actor });
    assert.equal(again.estimate.fields.value, fields.value);
    const count = await db
      .selectFrom('work_task')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('source_ref', 'like', `audit:${audit.id}:%`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), tasks.length);

    // The catalogue's accuracy_rate reads the same surveys (by survey month).
    const engine = new IndicatorEngine(db);
    const value = (await engine.evaluate({ indicator: 'accuracy_rate', unit: '620881', period: '2025-11' }))
      .values[0]!;
    assert.equal(value.numerator, fields.numerator);
    assert.equal(value.denominator, fields.denominator);
    assert.ok(
      value.interval && value.interval.lower! <= value.value! && value.value! <= value.interval.upper!,
    );
  });

  it('refuses a sheet of another audit', async () => {
    const db = test.database.db;
    const a = await drawAudit(db, { unit: '620881100', year: 2025, households: 5, seed: 'x', actor });
    const b = await drawAudit(db, { unit: '620881100', year: 2025, households: 5, seed: 'y', actor });
    const sheet = await writeAuditSheet(await loadAuditSheetData(db, a.id), 'en');
    await assert.rejects(importAuditResults(db, { auditId: b.id, file: sheet, actor }), /audit/);
  });
});
