import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import {
  applyForBenefit,
  decideEntitlement,
  ensureDefaultProgrammes,
  recordDisability,
} from '../src/benefits/index.ts';
import type { Schema } from '../src/db/schema.ts';
import { AppError } from '../src/domain/errors.ts';
import { IndicatorEngine } from '../src/indicators/index.ts';
import { mergePersons, undoMerge } from '../src/registry/commands/merge-persons.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { importPersons } from '../src/registry/import/import-persons.ts';
import { registerBirth, registerMarriage, registerMoveIn } from '../src/registry/index.ts';
import { importServicesCsv, recordService, type ServiceInput, voidService } from '../src/services/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { csvOf, idFor, person } from './helpers/import-rows.ts';
import { personReferencingRows, rowsNaming } from './helpers/person-references.ts';
import { addAdult, contextFor, loadHuating, TODAY, VILLAGE } from './helpers/registry.ts';

/**
 * What hangs on a dropped record follows it into the kept one — health services, children, events,
 * entitlements, disability facts, a mother the import waits for — and undo puts back every row.
 * A registry small enough to count coverage by hand (all in 东华社区):
 *   梁秀英 twice: W (kept) and W2 (dropped), both 40 at the end of 2025; H her husband.
 *   W2 married H on 2025-02-01 and gave birth to C on 2025-03-01 (father H); C2 is a second
 *   record of C (moved in, no ID number, no parents).
 *   Services: W2 premarital check 2025-01-15, cervical screening 2025-04-01, a counselling record
 *   voided as entered by mistake, a postpartum visit for C2 on 2025-03-20; H a pre-pregnancy check
 *   with W2 on 2025-05-01; C2 newborn screening 2025-03-05.
 *   Benefits: the childcare subsidy applied for C2 with W2 as payee; W2 a disability certificate.
 */
describe(`a merge carries what hangs on the dropped record (${storageName})`, () => {
  let test: TestDatabase;
  let db: Kysely<Schema>;
  let ctx: CommandContext & { countyCode: string };
  let engine: IndicatorEngine;
  let dir: string;
  const p: Record<string, { id: number }> = {};

  const versionOf = async (id: number) =>
    (await db.selectFrom('person').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;
  const merge = async (keepId: number, dropId: number) =>
    mergePersons(ctx, {
      keepId,
      dropId,
      keepVersion: await versionOf(keepId),
      dropVersion: await versionOf(dropId),
      reason: '同一人重复登记',
    });
  /** numerator / denominator of a coverage indicator for the county in 2025. */
  const coverage = async (indicator: string) => {
    const v = (await engine.evaluate({ indicator, unit: '620881', period: '2025' })).values[0]!;
    return `${v.numerator}/${v.denominator}`;
  };
  const coverages = async () => ({
    premarital: await coverage('premarital_check_rate'),
    prepregnancy: await coverage('prepregnancy_check_coverage'),
    postpartum: await coverage('postpartum_visit_rate'),
    newborn: await coverage('newborn_screening_rate'),
    screening: await coverage('women_screening_coverage_35_64'),
  });
  const service = (input: Partial<ServiceInput> & Pick<ServiceInput, 'kind' | 'serviceDate'>) =>
    recordService(ctx, { provider: '华亭市妇幼保健院', outcomeCode: 'normal', consent: true, ...input });
  const servicesOf = (personId: number) =>
    db
      .selectFrom('service_record')
      .select(['kind', 'person_id', 'related_person_id', 'voided'])
      .where((eb) => eb.or([eb('person_id', '=', personId), eb('related_person_id', '=', personId)]))
      .orderBy('id')
      .execute();

  before(async () => {
    test = await createTestDatabase();
    db = test.database.db;
    await loadHuating(db);
    await ensureDefaultProgrammes(db);
    ctx = { ...contextFor(db), countyCode: '620881' };
    engine = new IndicatorEngine(db);
    dir = mkdtempSync(join(tmpdir(), 'renkou-merge-references-'));
    p.W = await addAdult(ctx, { name: '梁秀英', sex: 'female', birthDate: '1985-06-01' });
    p.W2 = await addAdult(ctx, { name: '梁秀英', sex: 'female', birthDate: '1985-06-01' });
    p.H = await addAdult(ctx, { name: '罗志强', sex: 'male', birthDate: '1984-03-01' });
    await registerMarriage(ctx, { personId: p.W2.id, partnerId: p.H.id, marriageDate: '2025-02-01' });
    p.C = (
      await registerBirth(ctx, {
        child: { name: '罗小雨', sex: 'female', birthDate: '2025-03-01' },
        motherId: p.W2.id,
        fatherId: p.H.id,
      })
    ).person;
    p.C2 = (
      await registerMoveIn(ctx, {
        person: { name: '罗小雨', sex: 'female', birthDate: '2025-03-01' },
        orgCode: VILLAGE,
        residenceType: 'registered',
        moveDate: '2025-03-01',
      })
    ).person;
    await service({ kind: 'premarital_check', personId: p.W2.id, serviceDate: '2025-01-15' });
    await service({
      kind: 'prepregnancy_check',
      personId: p.H.id,
      relatedPersonId: p.W2.id,
      serviceDate: '2025-05-01',
    });
    await service({ kind: 'cervical_screening', personId: p.W2.id, serviceDate: '2025-04-01' });
    const mistaken = await service({
      kind: 'counselling',
      personId: p.W2.id,
      serviceDate: '2025-06-01',
      outcomeCode: 'given',
    });
    await voidService(ctx, mistaken.id, '录错了人');
    await service({
      kind: 'postpartum_visit',
      personId: p.W2.id,
      relatedPersonId: p.C2.id,
      serviceDate: '2025-03-20',
    });
    await service({ kind: 'newborn_screening', personId: p.C2.id, serviceDate: '2025-03-05' });
    await applyForBenefit(ctx, {
      programmeId: 'childcare-subsidy',
      personId: p.C2.id,
      payeePersonId: p.W2.id,
      period: '2025H2',
    });
    await recordDisability(ctx, { personId: p.W2.id, grade: 3, validFrom: '2024-01-01' });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await test.cleanup();
  });

  it('merging the mother’s second record moves her services, child, events, payee and facts, the coverage still counts her, and undo restores every row', async () => {
    const { W, W2, H, C } = p as Record<string, { id: number }>;
    const beforeRows = await personReferencingRows(db);
    const beforeCoverage = await coverages();
    // Her two records are two resident women of 35–64 until the merge; the screening is W2's.
    // The premarital check rate counts persons registering a marriage: she was checked, H was not.
    assert.deepEqual(beforeCoverage, {
      premarital: '1/2',
      prepregnancy: '1/1',
      postpartum: '0/1',
      newborn: '0/1',
      screening: '1/2',
    });

    const merged = await merge(W!.id, W2!.id);
    assert.deepEqual(
      await rowsNaming(db, W2!.id),
      { 'person_merge.dropped_person_id': 1, 'person_version.person_id': await versionOf(W2!.id) },
      'nothing but the merged record’s history names it',
    );
    assert.deepEqual(
      (await servicesOf(W!.id)).map((s) => [s.kind, s.person_id, s.related_person_id, s.voided]),
      [
        ['premarital_check', W!.id, null, false],
        ['prepregnancy_check', H!.id, W!.id, false],
        ['cervical_screening', W!.id, null, false],
        ['counselling', W!.id, null, true],
        ['postpartum_visit', W!.id, p.C2!.id, false],
      ],
      'her services, the couple’s check naming her as the spouse, and the voided record',
    );
    const child = await db
      .selectFrom('person')
      .select(['mother_id', 'father_id'])
      .where('id', '=', C!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(child, { mother_id: W!.id, father_id: H!.id }, 'the child names the kept record');
    const birth = await db
      .selectFrom('vital_event')
      .select(['other_person_id', 'details'])
      .where('person_id', '=', C!.id)
      .where('kind', '=', 'birth')
      .executeTakeFirstOrThrow();
    assert.equal(birth.other_person_id, W!.id, 'the birth names the kept record as the mother');
    assert.equal(Number((birth.details as Record<string, unknown>).motherId), W!.id);
    const entitlement = await db
      .selectFrom('entitlement')
      .select(['person_id', 'payee_person_id', 'payee_name'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(entitlement, { person_id: p.C2!.id, payee_person_id: W!.id, payee_name: '梁秀英' });
    assert.deepEqual(
      await coverages(),
      { ...beforeCoverage, screening: '1/1' },
      'the marriage (moved to the kept record) still finds her premarital check, and her screening counts',
    );

    await undoMerge(ctx, { mergeId: merged.mergeId, reason: '不是同一人' });
    assert.deepEqual(await personReferencingRows(db), beforeRows, 'undo leaves every row as it was');
    assert.deepEqual(await coverages(), beforeCoverage);
  });

  it('merging the child’s second record moves its screening, the visit for it and its entitlement, and undo restores every row', async () => {
    const { C, C2, W2 } = p as Record<string, { id: number }>;
    const beforeRows = await personReferencingRows(db);
    const beforeCoverage = await coverages();

    const merged = await merge(C!.id, C2!.id);
    assert.deepEqual(await rowsNaming(db, C2!.id), {
      'person_merge.dropped_person_id': 1,
      'person_version.person_id': await versionOf(C2!.id),
    });
    assert.deepEqual(
      (await servicesOf(C!.id)).map((s) => [s.kind, s.person_id, s.related_person_id]),
      [
        ['postpartum_visit', W2!.id, C!.id],
        ['newborn_screening', C!.id, null],
      ],
    );
    assert.deepEqual(
      await db.selectFrom('entitlement').select(['person_id', 'payee_person_id', 'status']).execute(),
      [{ person_id: C!.id, payee_person_id: W2!.id, status: 'applied' }],
      'the application goes on for the kept record',
    );
    assert.deepEqual(
      await coverages(),
      { ...beforeCoverage, postpartum: '1/1', newborn: '1/1' },
      'the birth (the kept record’s) finds its visit and its screening',
    );

    await undoMerge(ctx, { mergeId: merged.mergeId, reason: '不是同一人' });
    assert.deepEqual(await personReferencingRows(db), beforeRows);
    assert.deepEqual(await coverages(), beforeCoverage);
  });

  it('a live entitlement stays on the merged record when the kept record has one in the programme, an application there is closed as merged, the others move, and undo opens it again', async () => {
    const born = '2025-01-10';
    const kid = async () =>
      (
        await registerMoveIn(ctx, {
          person: { name: '罗小川', sex: 'male', birthDate: born },
          orgCode: VILLAGE,
          residenceType: 'registered',
          moveDate: born,
        })
      ).person.id;
    const kept = await kid();
    const dropped = await kid();
    const apply = (personId: number) =>
      applyForBenefit(ctx, { programmeId: 'childcare-subsidy', personId, period: '2025H2' });
    const rejected = await apply(dropped);
    await decideEntitlement(ctx, { id: rejected.id, action: 'reject', note: '材料不全' });
    const keptLive = await apply(kept);
    // Applied, and reviewed by the township, before the two records were known to be one child.
    const droppedLive = await apply(dropped);
    await decideEntitlement(ctx, { id: droppedLive.id, action: 'review' });
    const beforeRows = await personReferencingRows(db);

    const merged = await merge(kept, dropped);
    const owners = await db
      .selectFrom('entitlement')
      .select(['id', 'person_id', 'status', 'reviewed_by', 'decided_by', 'decision_note'])
      .where('id', 'in', [rejected.id, keptLive.id, droppedLive.id])
      .orderBy('id')
      .execute();
    assert.deepEqual(owners, [
      {
        id: rejected.id,
        person_id: kept,
        status: 'rejected',
        reviewed_by: null,
        decided_by: 'tester',
        decision_note: '材料不全',
      },
      {
        id: keptLive.id,
        person_id: kept,
        status: 'applied',
        reviewed_by: null,
        decided_by: null,
        decision_note: null,
      },
      // It could never be approved nor paid: not left waiting in the county's approval list.
      {
        id: droppedLive.id,
        person_id: dropped,
        status: 'rejected',
        reviewed_by: 'tester',
        decided_by: 'tester',
        decision_note: `记录已合并到人员 ${kept} / record merged into person ${kept}`,
      },
    ]);
    assert.deepEqual(await rowsNaming(db, dropped), {
      'entitlement.person_id': 1,
      'person_merge.dropped_person_id': 1,
      'person_version.person_id': await versionOf(dropped),
    });
    await undoMerge(ctx, { mergeId: merged.mergeId, reason: '撤销' });
    assert.deepEqual(await personReferencingRows(db), beforeRows);
  });

  it('a mother the import waits for becomes the kept record’s mother when she arrives; undo before that gives the wait back', async () => {
    // Thirty at the end of 2025: outside the screening denominator the last test counts.
    const mother = person({ householdNo: 'M-9', name: '谭丽', sex: '女', birthDate: '1995-02-02' });
    const child = person({
      householdNo: 'M-8',
      name: '谭小北',
      sex: '男',
      birthDate: '2016-05-05',
      maritalStatus: '未婚',
      relationToHead: '户主',
      residenceFrom: '2016-05-05',
      motherIdNumber: mother.idNumber!,
    });
    const importFile = async (name: string, rows: ReturnType<typeof person>[]) => {
      const path = join(dir, name);
      writeFileSync(path, csvOf(rows));
      return importPersons({ database: test.database, actor: { id: 'tester' }, today: TODAY }, { path });
    };
    assert.equal((await importFile('child.csv', [child])).rows.ok, 1);
    const imported = await db
      .selectFrom('person')
      .select('id')
      .where('id_number', '=', child.idNumber!)
      .executeTakeFirstOrThrow();
    const second = (
      await registerMoveIn(ctx, {
        person: { name: '谭小北', sex: 'male', birthDate: '2016-05-05', idNumber: idFor('2016-05-05', '男') },
        orgCode: VILLAGE,
        residenceType: 'registered',
        moveDate: '2016-05-05',
      })
    ).person;
    const waiting = () =>
      db.selectFrom('import_pending_link').select(['person_id', 'mother_id_number']).execute();
    assert.deepEqual(await waiting(), [{ person_id: imported.id, mother_id_number: mother.idNumber }]);
    const beforeRows = await personReferencingRows(db);

    const first = await merge(second.id, imported.id);
    assert.deepEqual(await waiting(), [{ person_id: second.id, mother_id_number: mother.idNumber }]);
    await undoMerge(ctx, { mergeId: first.mergeId, reason: '撤销' });
    assert.deepEqual(await personReferencingRows(db), beforeRows);

    await merge(second.id, imported.id);
    assert.equal((await importFile('mother.csv', [mother])).rows.ok, 1);
    const kept = await db
      .selectFrom('person')
      .select('mother_id')
      .where('id', '=', second.id)
      .executeTakeFirstOrThrow();
    const arrived = await db
      .selectFrom('person')
      .select('id')
      .where('id_number', '=', mother.idNumber!)
      .executeTakeFirstOrThrow();
    assert.equal(kept.mother_id, arrived.id);
    assert.deepEqual(await waiting(), []);
  });

  it('refuses to merge two records registered as spouses, and writes nothing', async () => {
    const a = await addAdult(ctx, { name: '付春燕', sex: 'female', birthDate: '1992-07-07' });
    const b = await addAdult(ctx, { name: '付春燕', sex: 'male', birthDate: '1992-07-07' });
    await registerMarriage(ctx, { personId: a.id, partnerId: b.id, marriageDate: '2020-01-01' });
    const beforeRows = await personReferencingRows(db);
    await assert.rejects(merge(a.id, b.id), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'conflict');
      assert.equal(error.field, 'dropId');
      assert.match(error.text['zh-CN'], /配偶/);
      assert.match(error.text.en, /spouses/);
      return true;
    });
    assert.deepEqual(await personReferencingRows(db), beforeRows);
  });
  it('after both merges every coverage figure counts the person once; undoing the later merge gives back the rows as the first left them', async () => {
    const { W, W2, C, C2 } = p as Record<string, { id: number }>;
    await merge(W!.id, W2!.id);
    const afterFirst = await personReferencingRows(db);
    const second = await merge(C!.id, C2!.id);
    assert.deepEqual(await coverages(), {
      premarital: '1/2',
      prepregnancy: '1/1',
      postpartum: '1/1',
      newborn: '1/1',
      screening: '1/1',
    });
    assert.deepEqual(
      await db
        .selectFrom('entitlement')
        .select(['person_id', 'payee_person_id'])
        .where('programme_id', '=', 'childcare-subsidy')
        .where('person_id', 'in', [C!.id, C2!.id])
        .execute(),
      [{ person_id: C!.id, payee_person_id: W!.id }],
    );
    await undoMerge(ctx, { mergeId: second.mergeId, reason: '撤销' });
    assert.deepEqual(await personReferencingRows(db), afterFirst);
  });
  it('a provider’s file imported again after the merge is recognised, record by record, on the kept record', async () => {
    // The first record has the ID number; the second, kept, has none and takes it in the merge.
    const first = await addAdult(ctx, { name: '邓佩玲', sex: 'female', birthDate: '1978-08-08' });
    const idNumber = (
      await db.selectFrom('person').select('id_number').where('id', '=', first.id).executeTakeFirstOrThrow()
    ).id_number!;
    const second = (
      await registerMoveIn(ctx, {
        person: { name: '邓佩玲', sex: 'female', birthDate: '1978-08-08' },
        orgCode: VILLAGE,
        residenceType: 'registered',
        moveDate: '2015-01-01',
      })
    ).person;
    const csv = [
      'kind,id_number,related_id_number,service_date,provider,outcome_code,consent,quantity,import_key',
      `cervical_screening,${idNumber},,2025-04-02,华亭市妇幼保健院,normal,是,,FY-0001`,
      `breast_screening,${idNumber},,2025-04-02,华亭市妇幼保健院,normal,是,,`,
      '',
    ].join('\n');
    const imported = await importServicesCsv(ctx, csv, 'fybjy');
    assert.deepEqual([imported.ok, imported.unchanged, imported.rejected], [2, 0, 0]);

    await merge(second.id, first.id);
    const again = await importServicesCsv(ctx, csv, 'fybjy');
    assert.deepEqual(
      again.rows.map((r) => r.status),
      ['unchanged', 'unchanged'],
      'the same records again, not a record number used for another service',
    );
    assert.deepEqual(
      (await servicesOf(second.id)).map((r) => [r.kind, r.person_id]),
      [
        ['cervical_screening', second.id],
        ['breast_screening', second.id],
      ],
    );
  });
});
