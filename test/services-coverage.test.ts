import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppError } from '../src/domain/errors.ts';
import { parsePeriod } from '../src/domain/period.ts';
import {
  findIndicator,
  IndicatorEngine,
  indicatorEngineFor,
  listNumeratorRecords,
} from '../src/indicators/index.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { changeResidence, registerBirth, registerMarriage, registerMoveOut } from '../src/registry/index.ts';
import { importServicesCsv, listServices, recordService, type ServiceInput } from '../src/services/index.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import {
  addAdult,
  contextFor,
  loadHuating,
  makeIdNumber,
  OTHER_VILLAGE,
  VILLAGE,
} from './helpers/registry.ts';

/**
 * A registry small enough to count coverage by hand. Village A (东华社区), village B (北河村).
 *   marriages 2025: W1 (A) + M1 on 02-01; W2 (B) + M2 on 09-01
 *     premarital check: W1 on 2025-01-15 (counts); M2 on 2023-01-01 (more than 365 days before: no)
 *                                                          -> 1 of 4 persons (W1 of W1, M1, W2, M2)
 *     pre-pregnancy check: W1 with M1 on 2025-05-01; M2 alone on 2025-10-01   -> 2 of 2
 *   births 2025: C1 to W3 (A) on 03-01, visited 03-20, screened 03-05; C2 to W4 (B) on 08-01,
 *     visited 09-15 (45 days: no), not screened                            -> 1 of 2, 1 of 2
 *   women 35–64 at 2025-12-31: W3 (1990), W5 (1970), W7 (1985) = 3; W5 screened twice (once
 *     counted), W6 (1955, aged 70) screened but outside the ages            -> 1 of 3
 */
const NAMES = '甲乙丙丁戊己庚辛壬癸';

describe(`family health services and coverage (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext & { countyCode: string };
  let engine: IndicatorEngine;
  const people: Record<string, { id: number; id_number: string | null }> = {};
  const value = async (indicator: string, period = '2025', unit = '620881') =>
    (await engine.evaluate({ indicator, unit, period })).values[0]!;
  const service = (input: Partial<ServiceInput> & Pick<ServiceInput, 'kind' | 'serviceDate'>) =>
    recordService(ctx, { provider: '华亭市妇幼保健院', outcomeCode: 'normal', consent: true, ...input });

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    engine = new IndicatorEngine(test.database.db);
    const add = async (key: string, sex: 'male' | 'female', birthDate: string, b = false) => {
      people[key] = await addAdult(ctx, {
        name: `测试${NAMES[Object.keys(people).length]}`,
        sex,
        birthDate,
        moveDate: '2020-01-01',
        ...(b ? { orgCode: OTHER_VILLAGE } : {}),
      });
    };
    await add('W1', 'female', '1996-04-01');
    await add('M1', 'male', '1995-04-01');
    await add('W2', 'female', '1997-04-01', true);
    await add('M2', 'male', '1994-04-01', true);
    await add('W3', 'female', '1990-02-01');
    await add('W4', 'female', '1992-02-01', true);
    await add('W5', 'female', '1970-06-01');
    await add('W6', 'female', '1955-06-01', true);
    await add('W7', 'female', '1985-06-01', true);
    await registerMarriage(ctx, {
      personId: people.W1!.id,
      partnerId: people.M1!.id,
      marriageDate: '2025-02-01',
    });
    await registerMarriage(ctx, {
      personId: people.W2!.id,
      partnerId: people.M2!.id,
      marriageDate: '2025-09-01',
    });
    people.C1 = (
      await registerBirth(ctx, {
        child: { name: '测试子', sex: 'male', birthDate: '2025-03-01' },
        motherId: people.W3!.id,
      })
    ).person;
    people.C2 = (
      await registerBirth(ctx, {
        child: { name: '测试女', sex: 'female', birthDate: '2025-08-01' },
        motherId: people.W4!.id,
      })
    ).person;

    await service({ kind: 'premarital_check', personId: people.W1!.id, serviceDate: '2025-01-15' });
    await service({ kind: 'premarital_check', personId: people.M2!.id, serviceDate: '2023-01-01' });
    await service({
      kind: 'prepregnancy_check',
      personId: people.W1!.id,
      relatedPersonId: people.M1!.id,
      serviceDate: '2025-05-01',
    });
    await service({ kind: 'prepregnancy_check', personId: people.M2!.id, serviceDate: '2025-10-01' });
    await service({
      kind: 'postpartum_visit',
      personId: people.W3!.id,
      relatedPersonId: people.C1!.id,
      serviceDate: '2025-03-20',
    });
    await service({ kind: 'newborn_screening', personId: people.C1!.id, serviceDate: '2025-03-05' });
    await service({
      kind: 'postpartum_visit',
      personId: people.W4!.id,
      relatedPersonId: people.C2!.id,
      serviceDate: '2025-09-15',
    });
    await service({ kind: 'cervical_screening', personId: people.W5!.id, serviceDate: '2025-04-01' });
    await service({
      kind: 'breast_screening',
      personId: people.W5!.id,
      serviceDate: '2025-10-01',
      outcomeCode: 'retest',
    });
    await service({ kind: 'cervical_screening', personId: people.W6!.id, serviceDate: '2025-04-01' });
    await service({
      kind: 'contraceptive_supplies',
      personId: people.W1!.id,
      serviceDate: '2025-06-01',
      outcomeCode: 'dispensed',
      quantity: 3,
    });
  });
  after(() => test.cleanup());

  it('premarital check rate is persons checked over persons marrying', async () => {
    const v = await value('premarital_check_rate');
    // Per person (was 1 of 2 marriages, 50 %, counted by couples).
    assert.deepEqual([v.numerator, v.denominator, v.value], [1, 4, 25]);
  });

  it('pre-pregnancy check coverage counts couples married in the period with a check of either spouse', async () => {
    const v = await value('prepregnancy_check_coverage');
    assert.deepEqual([v.numerator, v.denominator, v.value], [2, 2, 100]);
  });

  it('postpartum visit rate counts only visits within 28 days of the birth', async () => {
    const v = await value('postpartum_visit_rate');
    assert.deepEqual([v.numerator, v.denominator, v.value], [1, 2, 50]);
    const h1 = await value('postpartum_visit_rate', '2025H1');
    assert.deepEqual([h1.numerator, h1.denominator], [1, 1]);
  });

  it('newborn screening rate is screened births over births', async () => {
    const v = await value('newborn_screening_rate');
    assert.deepEqual([v.numerator, v.denominator, v.value], [1, 2, 50]);
  });

  it('screening coverage counts each woman 35–64 once over resident women 35–64', async () => {
    const v = await value('women_screening_coverage_35_64');
    assert.deepEqual([v.numerator, v.denominator], [1, 3]);
    assert.equal(v.value, 33.33);
  });

  it('coverage rolls up from villages: each village has its own figures', async () => {
    const result = await engine.evaluate({
      indicator: 'premarital_check_rate',
      unit: '620881100',
      period: '2025',
      by: 'children',
    });
    const byVillage = Object.fromEntries(
      result.values.filter((v) => v.denominator).map((v) => [v.unit_code, [v.numerator, v.denominator]]),
    );
    // Both spouses of each marriage, where it counts (was 1 of 1 and 0 of 1 marriages).
    assert.deepEqual(byVillage, { '620881100001': [1, 2], [OTHER_VILLAGE]: [0, 2] });
  });

  it('a new service record shows in the figures at once', async () => {
    await service({ kind: 'newborn_screening', personId: people.C2!.id, serviceDate: '2025-08-03' });
    const v = await value('newborn_screening_rate');
    assert.deepEqual([v.numerator, v.denominator], [2, 2]);
  });

  it('coverage indicators have no person-level drill-down', async () => {
    await assert.rejects(
      listNumeratorRecords(
        test.database.db,
        findIndicator('postpartum_visit_rate')!,
        '620881',
        parsePeriod('2025'),
      ),
      (error: AppError) => error.code === 'forbidden',
    );
  });

  it('refuses a postpartum visit dated before the birth, in both languages', async () => {
    await assert.rejects(
      service({
        kind: 'postpartum_visit',
        personId: people.W4!.id,
        relatedPersonId: people.C2!.id,
        serviceDate: '2025-07-20',
      }),
      (error: AppError) => {
        const issue = error.issues.find((i) => i.code === 'before_birth');
        assert.ok(issue);
        assert.equal(issue.field, 'serviceDate');
        assert.match(issue.message['zh-CN'], /早于婴儿出生/);
        assert.match(issue.message.en, /before the birth/);
        return true;
      },
    );
  });

  it('refuses a record without consent, a person not in the registry, and a screening a man cannot have', async () => {
    await assert.rejects(
      service({
        kind: 'counselling',
        personId: people.W1!.id,
        serviceDate: '2025-05-01',
        outcomeCode: 'given',
        consent: false,
      }),
      (error: AppError) => error.issues.some((i) => i.code === 'consent_required' && i.field === 'consent'),
    );
    await assert.rejects(
      service({
        kind: 'counselling',
        idNumber: makeIdNumber('1980-01-01', 'female'),
        serviceDate: '2025-05-01',
        outcomeCode: 'given',
      }),
      (error: AppError) => error.issues.some((i) => i.code === 'person_not_found' && i.field === 'idNumber'),
    );
    await assert.rejects(
      service({ kind: 'breast_screening', personId: people.M1!.id, serviceDate: '2025-05-01' }),
      (error: AppError) => error.issues.some((i) => i.code === 'women_only'),
    );
    await assert.rejects(
      service({
        kind: 'contraceptive_supplies',
        personId: people.W1!.id,
        serviceDate: '2025-05-01',
        outcomeCode: 'dispensed',
      }),
      (error: AppError) => error.issues.some((i) => i.field === 'quantity'),
    );
    // What the database cannot store is refused by the rules first (it used to be a 500): a
    // quantity beyond any one record's, a provider with a NUL from a broken export.
    await assert.rejects(
      service({
        kind: 'contraceptive_supplies',
        personId: people.W1!.id,
        serviceDate: '2025-05-01',
        outcomeCode: 'dispensed',
        quantity: 3_000_000_000,
      }),
      (error: AppError) => error.issues.some((i) => i.code === 'too_large' && i.field === 'quantity'),
    );
    await assert.rejects(
      service({
        kind: 'counselling',
        personId: people.W1!.id,
        serviceDate: '2025-05-01',
        outcomeCode: 'given',
        provider: '东华镇卫生院\u0000',
      }),
      (error: AppError) =>
        error.issues.some((i) => i.code === 'invalid_characters' && i.field === 'provider'),
    );
  });

  it('imports a provider CSV with a report per row, writing only the good rows, once', async () => {
    const before = (await listServices(test.database.db, { countyCode: '620881', kind: 'counselling' }))
      .length;
    const csv = [
      'kind,id_number,related_id_number,service_date,provider,outcome_code,consent,quantity,import_key',
      `counselling,${people.W1!.id_number},,2025-06-01,乡镇卫生院,given,是,,r1`,
      `counselling,${people.W2!.id_number},,2025-06-02,乡镇卫生院,given,否,,r2`,
      `postpartum_visit,${people.W4!.id_number},${people.C2!.id_number ?? ''},2025-07-01,乡镇卫生院,normal,1,,r3`,
      `counselling,${makeIdNumber('1981-01-01', 'male')},,2025-06-03,乡镇卫生院,given,1,,r4`,
    ].join('\n');
    const report = await importServicesCsv(ctx, csv);
    assert.deepEqual(
      report.rows.map((r) => [
        r.rowNo,
        r.status,
        r.issues
          .map((i) => i.code)
          .sort()
          .join(' '),
      ]),
      [
        [2, 'ok', ''],
        [3, 'rejected', 'consent_required'],
        [4, 'rejected', people.C2!.id_number ? 'before_birth' : 'required'],
        [5, 'rejected', 'person_not_found'],
      ],
    );
    const again = await importServicesCsv(ctx, csv);
    assert.equal(again.unchanged, 1);
    assert.equal(again.ok, 0);
    const afterCount = (await listServices(test.database.db, { countyCode: '620881', kind: 'counselling' }))
      .length;
    assert.equal(afterCount, before + 1);
  });

  it('the database refuses a record without consent even if code skipped the check', async () => {
    await assert.rejects(
      test.database.db
        .insertInto('service_record')
        .values({
          county_code: '620881',
          kind: 'counselling',
          person_id: people.W1!.id,
          service_date: '2025-01-01',
          provider: 'x',
          outcome_code: 'given',
          consent: false,
          org_code: '620881',
          source: 'entry',
          entered_by: 'test',
        } as never)
        .execute(),
    );
  });
});

/**
 * Coverage of services to births and to women is on the basis of its denominator, the resident
 * population (docs/services.md, "Coverage indicators"). One village, 东华社区 (everyone there from
 * 2020-01-01 unless said):
 *
 *   赵敏 ♀ 1996  has 赵一 on 2025-03-01; visited 03-10, the baby screened 03-03   resident birth, visited
 *   钱芳 ♀ 1995  outflow from 2024-06-01; has 钱二 on 2025-04-01 (outflow like her);
 *                visited 04-10 and the baby screened 04-02, both recorded         outflow birth
 *   孙丽 ♀ 1997  has 孙三 on 2025-05-01; no visit, no screening                  resident birth
 *     -> postpartum visits and newborn screening 1 of 2 (every recorded birth: 2 of 3)
 *
 *   李梅 ♀ 1975  screened 2025-04-01                                  50 at the year end: 1 of the denominator
 *   周红 ♀ 1975  outflow from 2024-01-01; screened 2025-02-01         in no denominator
 *   吴英 ♀ 1960-06-15  screened 2025-03-01 at 64                      65 at the year end: neither
 *   郑云 ♀ 1990-07-01  screened 2025-02-01 at 34                      35 at the year end: counted
 *   王霞 ♀ 1980  screened 2025-03-01, moves to 北河村 on 2025-06-01   counted in 北河村
 *   冯兰 ♀ 1985  not screened                                         in the denominator only
 *     -> screening coverage 3 of 4 (李梅, 郑云, 王霞 of 李梅, 郑云, 王霞, 冯兰); 东华社区 2 of 3,
 *        北河村 1 of 1 (counted by who was screened where, as before: 4 of 4, 东华社区 4 of 3)
 */
describe(`coverage counts services to the resident population its denominator counts (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext & { countyCode: string };
  const ids: Record<string, number> = {};
  const value = async (indicator: string, unit = '620881') =>
    (await indicatorEngineFor(test.database).evaluate({ indicator, unit, period: '2025' })).values[0]!;
  const listed = async (indicator: string) =>
    (
      await listNumeratorRecords(test.database.db, findIndicator(indicator)!, '620881', parsePeriod('2025'))
    ).items.map((record) => record.name);
  const service = (input: Partial<ServiceInput> & Pick<ServiceInput, 'kind' | 'serviceDate'>) =>
    recordService(ctx, { provider: '东华镇卫生院', outcomeCode: 'normal', consent: true, ...input });

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    const woman = async (name: string, birthDate: string) => {
      ids[name] = (await addAdult(ctx, { name, sex: 'female', birthDate, moveDate: '2020-01-01' })).id;
    };
    for (const [name, birthDate] of [
      ['赵敏', '1996-01-10'],
      ['钱芳', '1995-02-10'],
      ['孙丽', '1997-03-10'],
      ['李梅', '1975-05-01'],
      ['周红', '1975-06-01'],
      ['吴英', '1960-06-15'],
      ['郑云', '1990-07-01'],
      ['王霞', '1980-01-01'],
      ['冯兰', '1985-01-01'],
    ] as const)
      await woman(name, birthDate);
    await registerMoveOut(ctx, { personId: ids.钱芳!, moveDate: '2024-06-01', kind: 'outflow' });
    await registerMoveOut(ctx, { personId: ids.周红!, moveDate: '2024-01-01', kind: 'outflow' });
    for (const [mother, child, sex, birthDate] of [
      ['赵敏', '赵一', 'male', '2025-03-01'],
      ['钱芳', '钱二', 'female', '2025-04-01'],
      ['孙丽', '孙三', 'male', '2025-05-01'],
    ] as const) {
      ids[child] = (
        await registerBirth(ctx, { child: { name: child, sex, birthDate }, motherId: ids[mother]! })
      ).person.id;
    }
    for (const [mother, child, visit, screening] of [
      ['赵敏', '赵一', '2025-03-10', '2025-03-03'],
      ['钱芳', '钱二', '2025-04-10', '2025-04-02'],
    ] as const) {
      await service({
        kind: 'postpartum_visit',
        personId: ids[mother]!,
        relatedPersonId: ids[child]!,
        serviceDate: visit,
      });
      await service({ kind: 'newborn_screening', personId: ids[child]!, serviceDate: screening });
    }
    for (const [name, date] of [
      ['李梅', '2025-04-01'],
      ['周红', '2025-02-01'],
      ['吴英', '2025-03-01'],
      ['郑云', '2025-02-01'],
    ] as const)
      await service({ kind: 'cervical_screening', personId: ids[name]!, serviceDate: date });
    await service({ kind: 'breast_screening', personId: ids.王霞!, serviceDate: '2025-03-01' });
    await changeResidence(ctx, { personId: ids.王霞!, date: '2025-06-01', orgCode: OTHER_VILLAGE });
  });
  after(() => test.cleanup());

  it('keeps the outflow birth out of the numerator and the denominator of the postpartum visit rate', async () => {
    const v = await value('postpartum_visit_rate');
    // Not 2 of 3 (every recorded birth) nor 2 of 2 (the outflow mother's visit over resident births).
    assert.deepEqual([v.numerator, v.denominator, v.value], [1, 2, 50]);
  });

  it('keeps the outflow birth out of the newborn screening rate', async () => {
    const v = await value('newborn_screening_rate');
    assert.deepEqual([v.numerator, v.denominator, v.value], [1, 2, 50]);
  });

  it('divides by the live births figure, whose drill-down lists those births', async () => {
    const births = await value('births');
    assert.equal(births.value, 2);
    assert.equal((await value('births_recorded')).value, 3);
    for (const indicator of ['postpartum_visit_rate', 'newborn_screening_rate'])
      assert.equal((await value(indicator)).denominator, births.value, indicator);
    assert.deepEqual(await listed('births'), ['赵一', '孙三']);
    // Who was visited is health data: the coverage figure itself has no list.
    await assert.rejects(
      listNumeratorRecords(
        test.database.db,
        findIndicator('postpartum_visit_rate')!,
        '620881',
        parsePeriod('2025'),
      ),
      (error: AppError) => error.code === 'forbidden',
    );
  });

  it('counts the screened women among the resident women 35–64 at the year end, where they live then', async () => {
    const v = await value('women_screening_coverage_35_64');
    assert.deepEqual([v.numerator, v.denominator, v.value], [3, 4, 75]);
    const result = await indicatorEngineFor(test.database).evaluate({
      indicator: 'women_screening_coverage_35_64',
      unit: '620881100',
      period: '2025',
      by: 'children',
    });
    const byVillage = Object.fromEntries(
      result.values.filter((x) => x.denominator).map((x) => [x.unit_code, [x.numerator, x.denominator]]),
    );
    assert.deepEqual(byVillage, { [VILLAGE]: [2, 3], [OTHER_VILLAGE]: [1, 1] });
  });

  it('lists the persons 0–14 and 65+ behind the total dependency ratio', async () => {
    const ratio = await value('total_dependency_ratio');
    // 0–14: 赵一, 孙三 (钱二 lives elsewhere); 65+: 吴英. Over 15–64: 赵敏, 孙丽, 李梅, 郑云, 王霞, 冯兰.
    assert.deepEqual([ratio.numerator, ratio.denominator], [3, 6]);
    const names = await listed('total_dependency_ratio');
    assert.deepEqual([...names].sort(), ['吴英', '孙三', '赵一'].sort());
    assert.equal(names.length, ratio.numerator);
  });
});

/**
 * The premarital check rate counts persons, as the maternal and child health statistics do
 * (婚前医学检查人数 ÷ 结婚登记人数, docs/services.md): each spouse the registry has is one person,
 * counted where the marriage counts. Marriages of 2025 in 东华社区 (registered by the first-named):
 *
 *   周杰 ♂ + 吴娜 ♀   03-01  both checked (02-01, 2024-12-01)                       2 of 2
 *   郑强 ♂ + 王芳 ♀   05-01  only the bride (04-20, naming him as her spouse)       1 of 2
 *   冯刚 ♂ + 陈静 ♀   06-01  neither                                                 0 of 2
 *   褚明 ♂ + 卫丽 ♀   07-01  褚明 on 2024-06-01 (over 365 days before), 卫丽 on 07-15
 *                           (after the wedding): neither counts; 卫丽 lives in 北河村,
 *                           the marriage counts in 东华社区 with both                0 of 2
 *   蒋伟 ♂ + a woman from elsewhere (name and ID number only)  08-01, 蒋伟 checked 07-01  1 of 1
 *     -> 4 of 9 persons (44.44 %); men 2 of 5, women 2 of 4. By couples it was 3 of 5 (60 %).
 */
describe(`the premarital check rate counts persons, by sex (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext & { countyCode: string };
  const ids: Record<string, number> = {};
  const evaluate = async (by?: 'sex' | 'children', unit = '620881') =>
    (
      await indicatorEngineFor(test.database).evaluate({
        indicator: 'premarital_check_rate',
        unit,
        period: '2025',
        ...(by ? { by } : {}),
      })
    ).values;
  const check = (name: string, serviceDate: string, spouse?: string) =>
    recordService(ctx, {
      kind: 'premarital_check',
      personId: ids[name]!,
      ...(spouse ? { relatedPersonId: ids[spouse]! } : {}),
      serviceDate,
      provider: '华亭市妇幼保健院',
      outcomeCode: 'normal',
      consent: true,
    });

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    ctx = { ...contextFor(test.database.db), countyCode: '620881' };
    for (const [name, sex, birthDate, orgCode] of [
      ['周杰', 'male', '1994-01-01', VILLAGE],
      ['吴娜', 'female', '1996-01-01', VILLAGE],
      ['郑强', 'male', '1993-01-01', VILLAGE],
      ['王芳', 'female', '1997-01-01', VILLAGE],
      ['冯刚', 'male', '1992-01-01', VILLAGE],
      ['陈静', 'female', '1995-01-01', VILLAGE],
      ['褚明', 'male', '1991-01-01', VILLAGE],
      ['卫丽', 'female', '1994-06-01', OTHER_VILLAGE],
      ['蒋伟', 'male', '1990-01-01', VILLAGE],
    ] as const) {
      ids[name] = (await addAdult(ctx, { name, sex, birthDate, orgCode, moveDate: '2020-01-01' })).id;
    }
    for (const [person, partner, marriageDate] of [
      ['周杰', '吴娜', '2025-03-01'],
      ['郑强', '王芳', '2025-05-01'],
      ['冯刚', '陈静', '2025-06-01'],
      ['褚明', '卫丽', '2025-07-01'],
    ] as const)
      await registerMarriage(ctx, { personId: ids[person]!, partnerId: ids[partner]!, marriageDate });
    await registerMarriage(ctx, {
      personId: ids.蒋伟!,
      partner: { name: '外地新娘', idNumber: makeIdNumber('1995-05-05', 'female') },
      marriageDate: '2025-08-01',
    });
    await check('周杰', '2025-02-01');
    await check('吴娜', '2024-12-01');
    await check('王芳', '2025-04-20', '郑强');
    await check('褚明', '2024-06-01');
    await check('卫丽', '2025-07-15');
    await check('蒋伟', '2025-07-01');
  });
  after(() => test.cleanup());

  it('counts each checked spouse over every spouse the registry has, not couples', async () => {
    const [total] = await evaluate();
    // By couples (either spouse checked) it was 3 of 5 marriages, 60 %.
    assert.deepEqual([total!.numerator, total!.denominator, total!.value], [4, 9, 44.44]);
    const marriages = (
      await indicatorEngineFor(test.database).evaluate({
        indicator: 'marriages',
        unit: '620881',
        period: '2025',
      })
    ).values[0]!;
    // Five marriages, nine persons: the woman from elsewhere is in neither count.
    assert.equal(marriages.value, 5);
  });

  it('gives the male and female rates, which add up to the total', async () => {
    const bySex = Object.fromEntries(
      (await evaluate('sex')).map((v) => [v.group.sex, [v.numerator, v.denominator, v.value]]),
    );
    assert.deepEqual(bySex, { male: [2, 5, 40], female: [2, 4, 50] });
    const [total] = await evaluate();
    assert.deepEqual([total!.numerator, total!.denominator], [2 + 2, 5 + 4]);
    const catalogue = findIndicator('premarital_check_rate')!;
    assert.deepEqual(catalogue.disaggregations, ['sex']);
  });

  it('counts both spouses where the marriage counts, never more checked than marrying', async () => {
    const byVillage = Object.fromEntries(
      (await evaluate('children', '620881100'))
        .filter((v) => v.denominator)
        .map((v) => [v.unit_code, [v.numerator, v.denominator]]),
    );
    // 卫丽 of 北河村 counts with her husband in 东华社区, where the marriage was registered.
    assert.deepEqual(byVillage, { [VILLAGE]: [4, 9] });
    for (const by of ['sex', 'children'] as const)
      for (const v of await evaluate(by)) assert.ok(v.numerator! <= v.denominator!, JSON.stringify(v));
  });

  it('leaves the pre-pregnancy check coverage by couples', async () => {
    const v = (
      await indicatorEngineFor(test.database).evaluate({
        indicator: 'prepregnancy_check_coverage',
        unit: '620881',
        period: '2025',
      })
    ).values[0]!;
    assert.deepEqual([v.numerator, v.denominator], [0, 5]);
  });
});
