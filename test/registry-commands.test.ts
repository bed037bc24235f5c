import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../src/domain/errors.ts';
import { composeResidentId } from '../src/domain/resident-id.ts';
import type { CommandContext } from '../src/registry/context.ts';
import {
  changeResidence,
  correctPerson,
  getPersonAsOf,
  getPersonDetail,
  getPersonHistory,
  populationOn,
  registerBirth,
  registerDeath,
  registerDivorce,
  registerMarriage,
  registerMoveIn,
  registerMoveOut,
  totalOf,
  voidEvent,
  voidPerson,
} from '../src/registry/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import {
  addAdult,
  contextFor,
  loadHuating,
  makeIdNumber,
  OTHER_VILLAGE,
  TODAY,
  VILLAGE,
} from './helpers/registry.ts';

/** Asserts that `promise` fails with an AppError carrying an issue with this code at this field. */
async function rejectsWith(promise: Promise<unknown>, code: string, field: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${error}`);
    const found = [{ code: error.code, field: error.field }, ...error.issues].some(
      (issue) => issue.code === code && issue.field === field,
    );
    assert.ok(
      found,
      `expected ${code} at ${field}, got ${JSON.stringify(error.issues)} / ${error.code}@${error.field}`,
    );
    assert.ok(error.text['zh-CN'].length > 0 && error.text.en.length > 0, 'message in both languages');
    return true;
  });
}

describe(`registry commands (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;
  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = contextFor(test.database.db);
  });
  after(() => test.cleanup());

  describe('birth', () => {
    it('registers a child linked to the mother, with residence, event, birth order and a first history version', async () => {
      const mother = await addAdult(ctx, { name: '李秀英', sex: 'female', birthDate: '1995-03-08' });
      const father = await addAdult(ctx, { name: '王建国', sex: 'male', birthDate: '1993-07-01' });
      const first = await registerBirth(ctx, {
        child: {
          name: '王小明',
          sex: 'male',
          birthDate: '2025-05-20',
          idNumber: composeResidentId('620881', '2025-05-20', 11),
        },
        motherId: mother.id,
        fatherId: father.id,
        reportDate: '2025-06-01',
      });
      assert.equal(first.person.mother_id, mother.id);
      assert.equal(first.person.father_id, father.id);
      assert.equal(first.person.birth_order, 1);
      assert.equal(first.person.current_org_code, VILLAGE);
      const second = await registerBirth(ctx, {
        child: { name: '王小红', sex: 'female', birthDate: '2025-12-01' },
        motherId: mother.id,
      });
      assert.equal(second.person.birth_order, 2);
      assert.equal(second.person.id_number, null);
      const detail = await getPersonDetail(test.database.db, first.person.id);
      assert.deepEqual(
        detail.residence.map((s) => [s.org_code, s.residence_type, s.valid_from, s.valid_to]),
        [[VILLAGE, 'registered', '2025-05-20', null]],
      );
      assert.deepEqual(
        detail.events.map((e) => [e.kind, e.event_date, e.report_date]),
        [['birth', '2025-05-20', '2025-06-01']],
      );
      assert.deepEqual(detail.relatives.map((r) => r.relation).sort(), ['father', 'mother']);
      const history = await getPersonHistory(test.database.db, first.person.id);
      assert.equal(history.length, 1);
      assert.equal(history[0]!.kind, 'birth');
      assert.equal(history[0]!.changedBy, 'tester');
      assert.equal(history[0]!.changes.name?.new, '王小明');
    });

    it('gives a child in its mother’s village her residence type unless told otherwise', async () => {
      const away = await addAdult(ctx, { name: '刘芳', sex: 'female', birthDate: '1994-04-01' });
      await registerMoveOut(ctx, { personId: away.id, moveDate: '2024-06-01', kind: 'outflow' });
      const spellOf = async (personId: number) =>
        (await getPersonDetail(test.database.db, personId)).residence.map((s) => [
          s.org_code,
          s.residence_type,
        ]);
      // Living with her mother elsewhere: outflow, like her (hukou here, living elsewhere).
      const withHer = await registerBirth(ctx, {
        child: { name: '刘小花', sex: 'female', birthDate: '2025-01-10' },
        motherId: away.id,
      });
      assert.deepEqual(await spellOf(withHer.person.id), [[VILLAGE, 'outflow']]);
      assert.equal(withHer.person.current_residence_type, 'outflow');
      // Brought up at home by the grandparents: the worker says so.
      const atHome = await registerBirth(ctx, {
        child: { name: '刘小草', sex: 'female', birthDate: '2025-11-20' },
        motherId: away.id,
        residenceType: 'registered',
      });
      assert.deepEqual(await spellOf(atHome.person.id), [[VILLAGE, 'registered']]);
      // In another village than the mother's: not with her, registered there.
      const elsewhere = await addAdult(ctx, { name: '刘梅', sex: 'female', birthDate: '1993-02-01' });
      await registerMoveOut(ctx, { personId: elsewhere.id, moveDate: '2024-06-01', kind: 'outflow' });
      const apart = await registerBirth(ctx, {
        child: { name: '刘小树', sex: 'male', birthDate: '2025-03-03' },
        motherId: elsewhere.id,
        orgCode: OTHER_VILLAGE,
      });
      assert.deepEqual(await spellOf(apart.person.id), [[OTHER_VILLAGE, 'registered']]);
    });

    it('refuses an ID number with a wrong check character', async () => {
      const mother = await addAdult(ctx, { name: '张丽', sex: 'female', birthDate: '1990-01-01' });
      const good = composeResidentId('620881', '2025-01-10', 21);
      const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '赵一', sex: 'male', birthDate: '2025-01-10', idNumber: bad },
          motherId: mother.id,
        }),
        'resident_id_check_char',
        'child.idNumber',
      );
    });

    it('refuses an ID number whose birth date or sex disagree with the child', async () => {
      const mother = await addAdult(ctx, { name: '孙梅', sex: 'female', birthDate: '1990-02-02' });
      const id = composeResidentId('620881', '2025-01-10', 21); // odd sequence: male
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '赵二', sex: 'male', birthDate: '2025-01-11', idNumber: id },
          motherId: mother.id,
        }),
        'id_birth_date_mismatch',
        'child.birthDate',
      );
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '赵三', sex: 'female', birthDate: '2025-01-10', idNumber: id },
          motherId: mother.id,
        }),
        'id_sex_mismatch',
        'child.sex',
      );
    });

    it('refuses a birth date in the future, a bad date, and a missing name', async () => {
      const mother = await addAdult(ctx, { name: '周芳', sex: 'female', birthDate: '1991-02-02' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '周一', sex: 'male', birthDate: '2026-01-05' },
          motherId: mother.id,
        }),
        'date_in_future',
        'child.birthDate',
      );
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '周一', sex: 'male', birthDate: '2025-02-30' },
          motherId: mother.id,
        }),
        'invalid_date',
        'child.birthDate',
      );
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: ' ', sex: 'male', birthDate: '2025-02-03' },
          motherId: mother.id,
        }),
        'required',
        'child.name',
      );
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '周一', sex: 'unknown' as 'male', birthDate: '2025-02-03' },
          motherId: mother.id,
        }),
        'invalid_value',
        'child.sex',
      );
    });

    it('refuses an implausible mother: a man, too young, too old, unknown', async () => {
      const man = await addAdult(ctx, { name: '吴刚', sex: 'male', birthDate: '1990-01-01' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '吴一', sex: 'male', birthDate: '2025-01-01' },
          motherId: man.id,
        }),
        'mother_not_female',
        'motherId',
      );
      const girl = await addAdult(ctx, { name: '郑小妹', sex: 'female', birthDate: '2014-01-01' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '郑一', sex: 'male', birthDate: '2025-01-01' },
          motherId: girl.id,
        }),
        'mother_age_implausible',
        'motherId',
      );
      const old = await addAdult(ctx, { name: '冯老太', sex: 'female', birthDate: '1960-01-01' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '冯一', sex: 'male', birthDate: '2025-01-01' },
          motherId: old.id,
        }),
        'mother_age_implausible',
        'motherId',
      );
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '冯二', sex: 'male', birthDate: '2025-01-01' },
          motherId: 99_999_999,
        }),
        'not_found',
        'motherId',
      );
    });

    it('refuses a report date before the birth', async () => {
      const mother = await addAdult(ctx, { name: '陈静', sex: 'female', birthDate: '1992-02-02' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '陈一', sex: 'male', birthDate: '2025-03-01' },
          motherId: mother.id,
          reportDate: '2025-02-01',
        }),
        'report_before_event',
        'reportDate',
      );
    });

    it('refuses a duplicate ID number and points at the existing person', async () => {
      const mother = await addAdult(ctx, { name: '褚红', sex: 'female', birthDate: '1992-02-02' });
      const id = composeResidentId('620881', '2025-04-04', 31);
      const first = await registerBirth(ctx, {
        child: { name: '褚一', sex: 'male', birthDate: '2025-04-04', idNumber: id },
        motherId: mother.id,
      });
      await assert.rejects(
        registerBirth(ctx, {
          child: { name: '褚二', sex: 'male', birthDate: '2025-04-04', idNumber: id.toLowerCase() },
          motherId: mother.id,
        }),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'duplicate' &&
          error.field === 'child.idNumber' &&
          error.details?.existingPersonId === first.person.id,
      );
    });

    it('refuses an unknown village', async () => {
      const mother = await addAdult(ctx, { name: '卫兰', sex: 'female', birthDate: '1992-02-02' });
      await rejectsWith(
        registerBirth(ctx, {
          child: { name: '卫一', sex: 'male', birthDate: '2025-04-04' },
          motherId: mother.id,
          orgCode: '620881100999',
        }),
        'unknown_village',
        'orgCode',
      );
    });

    it('refuses a residence type or household the registry does not have at its field, writing nothing', async () => {
      // Both used to reach the database: a check constraint and a foreign key, answered with a 500.
      const mother = await addAdult(ctx, { name: '卫敏', sex: 'female', birthDate: '1993-03-03' });
      const birth = (extra: object) =>
        registerBirth(ctx, {
          child: { name: '卫二', sex: 'female', birthDate: '2025-04-04' },
          motherId: mother.id,
          ...extra,
        });
      await rejectsWith(birth({ residenceType: 'abroad' }), 'invalid_value', 'residenceType');
      await rejectsWith(birth({ residenceType: '' }), 'invalid_value', 'residenceType');
      for (const householdId of [0, -1, 2147483648, 9_999_999])
        await rejectsWith(birth({ householdId }), 'unknown_household', 'householdId');
      const children = await test.database.db
        .selectFrom('person')
        .select('id')
        .where('mother_id', '=', mother.id)
        .execute();
      assert.deepEqual(children, []);
    });
  });

  describe('death', () => {
    it('ends residence and marriage; the spouse becomes widowed; no event may follow', async () => {
      const husband = await addAdult(ctx, { name: '蒋大山', sex: 'male', birthDate: '1950-01-01' });
      const wife = await addAdult(ctx, { name: '沈桂花', sex: 'female', birthDate: '1952-01-01' });
      await registerMarriage(ctx, { personId: husband.id, partnerId: wife.id, marriageDate: '1975-05-01' });
      const death = await registerDeath(ctx, {
        personId: husband.id,
        deathDate: '2025-03-03',
        reportDate: '2025-03-10',
      });
      assert.equal(death.person.status, 'dead');
      const detail = await getPersonDetail(test.database.db, husband.id);
      assert.equal(detail.residence.at(-1)?.valid_to, '2025-03-03');
      assert.equal(detail.unions[0]?.end_reason, 'death');
      const widow = await getPersonDetail(test.database.db, wife.id);
      assert.equal(widow.person.maritalStatus, 'widowed');
      await rejectsWith(
        registerDeath(ctx, { personId: husband.id, deathDate: '2025-04-01' }),
        'person_dead',
        'personId',
      );
      await rejectsWith(
        registerMoveOut(ctx, { personId: husband.id, moveDate: '2025-04-01', kind: 'out_of_county' }),
        'person_dead',
        'personId',
      );
      await rejectsWith(
        registerMarriage(ctx, {
          personId: husband.id,
          partner: { name: '某某' },
          marriageDate: '2025-04-01',
        }),
        'person_dead',
        'personId',
      );
    });

    it('refuses a death before birth or in the future', async () => {
      const p = await addAdult(ctx, { name: '韩梅梅', sex: 'female', birthDate: '1980-01-01' });
      await rejectsWith(
        registerDeath(ctx, { personId: p.id, deathDate: '1979-01-01' }),
        'date_before_birth',
        'deathDate',
      );
      await rejectsWith(
        registerDeath(ctx, { personId: p.id, deathDate: '2026-02-01' }),
        'date_in_future',
        'deathDate',
      );
    });

    it('refuses a death dated before an event already on record', async () => {
      const p = await addAdult(ctx, {
        name: '杨柳',
        sex: 'female',
        birthDate: '1980-01-01',
        moveDate: '2020-01-01',
      });
      await rejectsWith(
        registerDeath(ctx, { personId: p.id, deathDate: '2019-06-01' }),
        'events_after_death',
        'deathDate',
      );
    });
  });

  describe('marriage and divorce', () => {
    it('nobody is married twice at once; after a divorce they may marry again', async () => {
      const a = await addAdult(ctx, { name: '朱伟', sex: 'male', birthDate: '1990-01-01' });
      const b = await addAdult(ctx, { name: '秦娟', sex: 'female', birthDate: '1992-01-01' });
      const c = await addAdult(ctx, { name: '尤佳', sex: 'female', birthDate: '1993-01-01' });
      await registerMarriage(ctx, { personId: a.id, partnerId: b.id, marriageDate: '2018-01-01' });
      await rejectsWith(
        registerMarriage(ctx, { personId: a.id, partnerId: c.id, marriageDate: '2019-01-01' }),
        'already_married',
        'personId',
      );
      await rejectsWith(
        registerMarriage(ctx, { personId: c.id, partnerId: b.id, marriageDate: '2019-01-01' }),
        'already_married',
        'partnerId',
      );
      await registerDivorce(ctx, { personId: a.id, divorceDate: '2020-01-01' });
      assert.equal((await getPersonDetail(test.database.db, b.id)).person.maritalStatus, 'divorced');
      await registerMarriage(ctx, { personId: a.id, partnerId: c.id, marriageDate: '2021-01-01' });
      assert.equal((await getPersonDetail(test.database.db, a.id)).person.maritalStatus, 'married');
    });

    it('refuses a marriage below the legal age and a divorce with no marriage', async () => {
      const young = await addAdult(ctx, { name: '许强', sex: 'male', birthDate: '2004-01-01' });
      await rejectsWith(
        registerMarriage(ctx, { personId: young.id, partner: { name: '何丽' }, marriageDate: '2025-01-01' }),
        'below_marriage_age',
        'personId',
      );
      await rejectsWith(
        registerDivorce(ctx, { personId: young.id, divorceDate: '2025-01-01' }),
        'not_married',
        'personId',
      );
      await rejectsWith(
        registerMarriage(ctx, { personId: young.id, partnerId: young.id, marriageDate: '2025-01-01' }),
        'same_person',
        'partnerId',
      );
    });
  });

  describe('moves', () => {
    it('a move out leaves the population; coming back reuses the record', async () => {
      const p = await addAdult(ctx, {
        name: '吕布',
        sex: 'male',
        birthDate: '1985-01-01',
        moveDate: '2015-01-01',
      });
      await registerMoveOut(ctx, {
        personId: p.id,
        moveDate: '2024-01-01',
        kind: 'out_of_county',
        toPlace: '兰州市',
      });
      const back = await registerMoveIn(ctx, {
        person: { name: '吕布', sex: 'male', birthDate: '1985-01-01', idNumber: p.id_number },
        orgCode: OTHER_VILLAGE,
        residenceType: 'registered',
        moveDate: '2025-01-01',
      });
      assert.equal(back.returned, true);
      assert.equal(back.person.id, p.id);
      const detail = await getPersonDetail(test.database.db, p.id);
      assert.deepEqual(
        detail.residence.map((s) => [s.org_code, s.valid_from, s.valid_to]),
        [
          [VILLAGE, '2015-01-01', '2024-01-01'],
          [OTHER_VILLAGE, '2025-01-01', null],
        ],
      );
    });

    it('outflow keeps the hukou here with a new outflow spell; a move within the county changes village', async () => {
      const p = await addAdult(ctx, { name: '马超', sex: 'male', birthDate: '1988-01-01' });
      await registerMoveOut(ctx, { personId: p.id, moveDate: '2023-01-01', kind: 'outflow' });
      const afterOut = await getPersonDetail(test.database.db, p.id);
      assert.equal(afterOut.person.status, 'active');
      assert.equal(afterOut.person.residenceType, 'outflow');
      await changeResidence(ctx, {
        personId: p.id,
        date: '2024-06-01',
        orgCode: OTHER_VILLAGE,
        residenceType: 'registered',
      });
      const detail = await getPersonDetail(test.database.db, p.id);
      assert.deepEqual(
        detail.residence.map((s) => [s.org_code, s.residence_type, s.valid_to]),
        [
          [VILLAGE, 'registered', '2023-01-01'],
          [VILLAGE, 'outflow', '2024-06-01'],
          [OTHER_VILLAGE, 'registered', null],
        ],
      );
      await rejectsWith(
        changeResidence(ctx, { personId: p.id, date: '2024-05-01', orgCode: VILLAGE }),
        'date_before_residence',
        'date',
      );
    });

    it('refuses an arrival with an invalid ID or type', async () => {
      await rejectsWith(
        registerMoveIn(ctx, {
          person: { name: '黄忠', sex: 'male', birthDate: '1970-01-01', idNumber: '62088119700101001' },
          orgCode: VILLAGE,
          residenceType: 'inflow',
          moveDate: '2025-01-01',
        }),
        'resident_id_length',
        'person.idNumber',
      );
      await rejectsWith(
        registerMoveIn(ctx, {
          person: { name: '黄忠', sex: 'male', birthDate: '1970-01-01' },
          orgCode: VILLAGE,
          residenceType: 'outflow',
          moveDate: '2025-01-01',
        }),
        'invalid_value',
        'residenceType',
      );
    });

    it('refuses an arrival whose hukou type, marital status or household the registry does not have', async () => {
      const arrival = (person: object, extra: object = {}) =>
        registerMoveIn(ctx, {
          person: { name: '黄盖', sex: 'male', birthDate: '1971-01-01', ...person },
          orgCode: VILLAGE,
          residenceType: 'inflow',
          moveDate: '2025-01-01',
          ...extra,
        });
      await rejectsWith(arrival({ hukouType: '农业' }), 'invalid_value', 'person.hukouType');
      await rejectsWith(arrival({ maritalStatus: '已婚' }), 'invalid_value', 'person.maritalStatus');
      await rejectsWith(arrival({}, { householdId: 424242 }), 'unknown_household', 'householdId');
      const arrived = await arrival({ hukouType: 'urban', maritalStatus: 'married' });
      assert.equal(arrived.person.hukou_type, 'urban');
    });

    it('refuses a move within the county to a residence type the registry does not have', async () => {
      const p = await addAdult(ctx, { name: '孙权', sex: 'male', birthDate: '1982-02-02' });
      await rejectsWith(
        changeResidence(ctx, {
          personId: p.id,
          date: '2025-05-01',
          orgCode: OTHER_VILLAGE,
          residenceType: 'elsewhere' as never,
        }),
        'invalid_value',
        'residenceType',
      );
    });

    it('a version no record can have (past the 32-bit column) is a conflict, not a failed cast', async () => {
      const p = await addAdult(ctx, { name: '鲁肃', sex: 'male', birthDate: '1972-02-02' });
      for (const expectedVersion of [2147483648, 0, -1]) {
        await assert.rejects(
          registerMoveOut(ctx, { personId: p.id, moveDate: '2025-05-01', kind: 'outflow', expectedVersion }),
          (error: AppError) => error.code === 'conflict' && error.field === 'version',
        );
      }
      const [current] = await test.database.db
        .selectFrom('person')
        .select(['version', 'status'])
        .where('id', '=', p.id)
        .execute();
      assert.deepEqual(current, { version: p.version, status: 'active' });
    });
  });

  describe('corrections, history and voiding', () => {
    it('a correction needs a reason, keeps old and new values, and "as known on" shows the old record', async () => {
      const p = await addAdult(ctx, { name: '刘晓丽', sex: 'female', birthDate: '1990-05-05' });
      await rejectsWith(
        correctPerson(ctx, {
          personId: p.id,
          expectedVersion: p.version,
          changes: { name: '刘小丽' },
          reason: '',
        }),
        'required',
        'reason',
      );
      const corrected = await correctPerson(
        { ...ctx, actor: { id: 'clerk-2' } },
        { personId: p.id, expectedVersion: p.version, changes: { name: '刘小丽' }, reason: '户口簿为“小”' },
      );
      assert.equal(corrected.person.name, '刘小丽');
      assert.equal(corrected.person.name_pinyin, 'liu xiao li');
      const history = await getPersonHistory(test.database.db, p.id);
      const last = history.at(-1)!;
      assert.equal(last.kind, 'correction');
      assert.equal(last.changedBy, 'clerk-2');
      assert.equal(last.reason, '户口簿为“小”');
      assert.deepEqual(last.changes.name, { old: '刘晓丽', new: '刘小丽' });
      const yesterday = await getPersonAsOf(test.database.db, p.id, '2000-01-01').catch((e: AppError) => e);
      assert.ok(yesterday instanceof AppError && yesterday.code === 'not_found');
      const now = await getPersonAsOf(test.database.db, p.id, '2100-01-01');
      assert.equal(now.record.name, '刘小丽');
      // The first version's snapshot still has the old name.
      const v1 = await test.database.db
        .selectFrom('person_version')
        .select('snapshot')
        .where('person_id', '=', p.id)
        .where('version', '=', 1)
        .executeTakeFirstOrThrow();
      assert.equal(v1.snapshot?.name, '刘晓丽');
    });

    it('refuses a correction that makes the ID number disagree with the record', async () => {
      const p = await addAdult(ctx, { name: '林峰', sex: 'male', birthDate: '1989-09-09' });
      await rejectsWith(
        correctPerson(ctx, {
          personId: p.id,
          expectedVersion: p.version,
          changes: { sex: 'female' },
          reason: '录错',
        }),
        'id_sex_mismatch',
        'sex',
      );
      await rejectsWith(
        correctPerson(ctx, {
          personId: p.id,
          expectedVersion: p.version,
          changes: { status: 'dead' } as never,
          reason: 'x',
        }),
        'not_correctable',
        'changes.status',
      );
    });

    it('of two concurrent editors of one person the second gets a conflict, never a lost update', async () => {
      const p = await addAdult(ctx, { name: '高远', sex: 'male', birthDate: '1987-07-07' });
      const results = await Promise.allSettled([
        correctPerson(
          { ...ctx, actor: { id: 'a' } },
          { personId: p.id, expectedVersion: p.version, changes: { phone: '13800000001' }, reason: 'a' },
        ),
        correctPerson(
          { ...ctx, actor: { id: 'b' } },
          { personId: p.id, expectedVersion: p.version, changes: { ethnicity: '回族' }, reason: 'b' },
        ),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(ok.length, 1);
      assert.equal(failed.length, 1);
      assert.equal((failed[0]!.reason as AppError).code, 'conflict');
      const history = await getPersonHistory(test.database.db, p.id);
      assert.equal(history.length, 2, 'one create, one correction');
    });

    it('voiding keeps the record with its reason, removes it from the population, and freezes it', async () => {
      const p = await addAdult(ctx, {
        name: '錯誤',
        sex: 'male',
        birthDate: '1980-01-01',
        orgCode: '620881100203',
      });
      const before = totalOf(await populationOn(test.database.db, { unit: '620881100203', date: TODAY }));
      const voided = await voidPerson(ctx, {
        personId: p.id,
        expectedVersion: p.version,
        reason: '重复录入',
      });
      assert.equal(voided.person.status, 'voided');
      assert.equal(voided.person.void_reason, '重复录入');
      const afterVoid = totalOf(await populationOn(test.database.db, { unit: '620881100203', date: TODAY }));
      assert.equal(afterVoid, before - 1);
      await assert.rejects(
        correctPerson(ctx, {
          personId: p.id,
          expectedVersion: voided.person.version,
          changes: { phone: '1' },
          reason: 'x',
        }),
        { code: 'conflict' },
      );
      const stillThere = await getPersonDetail(test.database.db, p.id);
      assert.equal(stillThere.person.status, 'voided');
      assert.ok(stillThere.events.every((e) => e.voided));
    });

    it('voids a single event with a reason', async () => {
      const p = await addAdult(ctx, { name: '欧阳修', sex: 'male', birthDate: '1970-01-01' });
      const detail = await getPersonDetail(test.database.db, p.id);
      const eventId = detail.events[0]!.id;
      await rejectsWith(voidEvent(ctx, { eventId, reason: '' }), 'required', 'reason');
      await voidEvent(ctx, { eventId, reason: '录错' });
      await assert.rejects(voidEvent(ctx, { eventId, reason: '又一次' }), { code: 'not_found' });
    });
  });

  describe('population on a date', () => {
    it('counts by sex and age from residence spells, for any subtree', async () => {
      const unit = '620881100204';
      const w = await addAdult(ctx, {
        name: '邓雪',
        sex: 'female',
        birthDate: '1990-06-15',
        orgCode: unit,
        moveDate: '2010-01-01',
      });
      await addAdult(ctx, {
        name: '邓山',
        sex: 'male',
        birthDate: '1960-06-15',
        orgCode: unit,
        moveDate: '2010-01-01',
      });
      const baby = await registerBirth(ctx, {
        child: { name: '邓宝', sex: 'male', birthDate: '2025-02-01' },
        motherId: w.id,
      });
      const rows = await populationOn(test.database.db, { unit, date: '2025-06-30' });
      assert.deepEqual(
        rows.map((r) => [r.sex, r.age, r.count]),
        [
          ['female', 35, 1],
          ['male', 0, 1],
          ['male', 65, 1],
        ],
      );
      assert.equal(
        totalOf(await populationOn(test.database.db, { unit, date: '2025-01-31' })),
        2,
        'before the birth',
      );
      await registerDeath(ctx, { personId: baby.person.id, deathDate: '2025-07-01' });
      assert.equal(
        totalOf(await populationOn(test.database.db, { unit, date: '2025-06-30' })),
        3,
        'alive on 30 June',
      );
      assert.equal(
        totalOf(await populationOn(test.database.db, { unit, date: '2025-07-01' })),
        2,
        'not at the end of the day of death',
      );
      const township = totalOf(
        await populationOn(test.database.db, { unit: '620881100', date: '2025-06-30' }),
      );
      assert.ok(township >= 3);
      assert.equal(makeIdNumber('2000-01-01', 'male').length, 18);
    });
  });
});
