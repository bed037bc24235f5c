import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { getBirthCompleteness, setOfficialBirths } from '../src/completeness/birth-counts.ts';
import type { Schema } from '../src/db/schema.ts';
import type { AppError } from '../src/domain/errors.ts';
import { changeResidence, registerBirth, voidPerson } from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { addAdult, contextFor, loadHuating, VILLAGE } from './helpers/registry.ts';

/** A village of another township (安口镇) than VILLAGE (东华镇). */
const VILLAGE_B = '620881101001';
const TOWNSHIP_A = VILLAGE.slice(0, 9);
const TOWNSHIP_B = VILLAGE_B.slice(0, 9);

describe(`birth completeness from the database (${storageName})`, () => {
  let test: TestDatabase;
  let db: Kysely<Schema>;

  before(async () => {
    test = await createTestDatabase();
    db = test.database.db;
    await loadHuating(db);
    const ctx = contextFor(db);
    const births: number[] = [];
    for (let i = 0; i < 6; i++) {
      const mother = await addAdult(ctx, {
        name: `张丽${'一二三四五六'[i]}`,
        sex: 'female',
        birthDate: '1995-05-10',
      });
      if (i === 5) {
        // Working elsewhere when her child is born: the hospital list cannot see this birth.
        await changeResidence(ctx, {
          personId: mother.id,
          date: '2023-06-01',
          orgCode: VILLAGE,
          residenceType: 'outflow',
        });
      }
      const child = await registerBirth(ctx, {
        child: { name: `李小${'甲乙丙丁戊己'[i]}`, sex: 'male', birthDate: `2024-03-0${i + 1}` },
        motherId: mother.id,
      });
      births.push(child.person.id);
    }
    const motherB = await addAdult(ctx, {
      name: '王芳',
      sex: 'female',
      birthDate: '1994-01-02',
      orgCode: VILLAGE_B,
    });
    await registerBirth(ctx, {
      child: { name: '赵小明', sex: 'female', birthDate: '2024-07-01' },
      motherId: motherB.id,
    });
    // A mistaken record: voided, so its birth counts nowhere.
    const motherC = await addAdult(ctx, { name: '刘梅', sex: 'female', birthDate: '1993-01-02' });
    const mistaken = await registerBirth(ctx, {
      child: { name: '刘错', sex: 'male', birthDate: '2024-05-05' },
      motherId: motherC.id,
    });
    await voidPerson(ctx, {
      personId: mistaken.person.id,
      expectedVersion: mistaken.person.version,
      reason: '录入错误',
    });

    const batch = async (source: 'birth_certificate' | 'hukou_registration') =>
      (
        await db
          .insertInto('feed_batch')
          .values({ county_code: '620881', source, columns: '[]', received_by: 'tester' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const certificates = await batch('birth_certificate');
    const hukou = await batch('hukou_registration');
    let row = 0;
    const record = (
      batchId: number,
      values: { date: string; org: string | null; person?: number; linked?: boolean },
    ) => ({
      batch_id: batchId,
      row_no: ++row,
      county_code: '620881',
      raw: '{}',
      event_kind: 'birth' as const,
      event_date: values.date,
      org_code: values.org,
      person_id: values.person ?? null,
      link_status: values.linked ? ('linked' as const) : ('unmatched' as const),
    });
    await db
      .insertInto('feed_record')
      .values([
        // Four of the five births of mothers living in 东华镇, linked; one placed by its address
        // in another township, where the registry has it counts.
        record(certificates, { date: '2024-03-01', org: VILLAGE, person: births[0]!, linked: true }),
        record(certificates, { date: '2024-03-02', org: VILLAGE, person: births[1]!, linked: true }),
        record(certificates, { date: '2024-03-03', org: VILLAGE, person: births[2]!, linked: true }),
        record(certificates, { date: '2024-03-04', org: VILLAGE_B, person: births[3]!, linked: true }),
        // A certificate the registry has no birth for.
        record(certificates, { date: '2024-08-08', org: VILLAGE }),
        // One whose address placed nowhere, one of another year, one from public security.
        record(certificates, { date: '2024-09-09', org: null }),
        record(certificates, { date: '2023-12-31', org: VILLAGE }),
        record(hukou, { date: '2024-03-05', org: VILLAGE, person: births[4]!, linked: true }),
      ])
      .execute();
  });
  after(() => test.cleanup());

  it('counts the registry, the certificates and the linked births per township and year', async () => {
    const report = await getBirthCompleteness(db, { unit: '620881', year: 2024, today: '2025-12-31' });
    assert.equal(report.rows.length, 11, 'one row per township of 华亭市');
    const a = report.rows.find((r) => r.unit === TOWNSHIP_A)!;
    assert.deepEqual(
      { n1: a.here.n1, n2: a.here.n2, m: a.here.m, away: a.awayRegistered },
      { n1: 5, n2: 5, m: 4, away: 1 },
    );
    assert.equal(a.registered, 6);
    assert.equal(a.here.estimate, (6 * 6) / 5 - 1);
    assert.equal(a.estimate, (6 * 6) / 5 - 1 + 1);
    assert.ok(a.notes.some((n) => n.code === 'away_not_estimated'));
    assert.ok(a.notes.some((n) => n.code === 'small_overlap'));
    const b = report.rows.find((r) => r.unit === TOWNSHIP_B)!;
    assert.deepEqual({ n1: b.here.n1, n2: b.here.n2, m: b.here.m }, { n1: 1, n2: 0, m: 0 });
    assert.equal(b.estimate, null, 'no hospital births: no estimate');
    assert.equal(report.unplacedCertificates, 1);
    assert.equal(report.total.registered, 7);
    assert.equal(report.total.hospital, 5);
    assert.deepEqual(
      report.notes.map((n) => n.code),
      ['unplaced_certificates'],
    );
    const early = await getBirthCompleteness(db, { unit: TOWNSHIP_A, year: 2024, today: '2025-01-15' });
    assert.deepEqual(
      early.rows.map((r) => r.unit),
      [TOWNSHIP_A],
    );
    assert.ok(
      early.notes.some((n) => n.code === 'recent_period'),
      'too soon after the year to trust',
    );
  });

  it('shows the gap to the statistics bureau’s figure once entered, and replaces it when entered again', async () => {
    await setOfficialBirths(db, {
      unit: TOWNSHIP_A,
      year: 2024,
      births: 9,
      source: '统计年鉴',
      actor: 'tester',
    });
    await setOfficialBirths(db, {
      unit: TOWNSHIP_A,
      year: 2024,
      births: 8,
      source: '统计公报',
      actor: 'tester',
    });
    const report = await getBirthCompleteness(db, { unit: '620881', year: 2024, today: '2025-12-31' });
    const a = report.rows.find((r) => r.unit === TOWNSHIP_A)!;
    assert.equal(a.official!.births, 8);
    assert.equal(a.official!.gapToRegistered, 8 - 6);
    assert.equal(a.official!.gapToHospital, 8 - a.hospital);
    assert.ok(Math.abs(a.official!.gapToEstimate! - (8 - a.estimate!)) < 1e-9);
    await assert.rejects(
      setOfficialBirths(db, { unit: TOWNSHIP_A, year: 2024, births: -1, actor: 'tester' }),
      /births|出生数/i,
    );
    // More than any county's year — and, from 2^31, more than the column holds (this was a 500).
    for (const births of [1_000_001, 2_147_483_648])
      await assert.rejects(
        setOfficialBirths(db, { unit: TOWNSHIP_A, year: 2024, births, actor: 'tester' }),
        (error: AppError) =>
          error.field === 'births' &&
          error.issues[0]?.code === 'too_large' &&
          error.text['zh-CN'] === `出生数不能超过 1000000：${births}` &&
          error.text.en === `Births cannot be more than 1000000: ${births}`,
      );
    const kept = await getBirthCompleteness(db, { unit: '620881', year: 2024, today: '2025-12-31' });
    assert.equal(kept.rows.find((r) => r.unit === TOWNSHIP_A)!.official!.births, 8);
  });
});
