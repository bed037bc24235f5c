import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../src/db/schema.ts';
import { IndicatorEngine } from '../src/indicators/engine.ts';
import { allocateSample } from '../src/quality/audit-draw.ts';
import { estimateAccuracy } from '../src/quality/audit-estimate.ts';
import { compareField } from '../src/quality/audit-fields.ts';
import { computeQualityRates, countMissingFields } from '../src/quality/rates.ts';
import { runValidation } from '../src/quality/validation.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { loadHuating } from './helpers/registry.ts';

let idSequence = 0;

/** Inserts persons straight into the registry (setup only): n persons of one village, with a spell. */
async function addPersons(
  db: Kysely<Schema>,
  village: string,
  n: number,
  values: {
    birthDate?: string;
    sex?: 'male' | 'female' | 'alternate';
    status?: 'active' | 'dead';
    deathDate?: string;
    motherId?: number;
    complete?: boolean;
    from?: string;
  } = {},
): Promise<number[]> {
  const birth = values.birthDate ?? '1980-05-05';
  idSequence += 10_000;
  const sequence = idSequence;
  const household = values.complete
    ? (
        await sql<{ id: number }>`
          INSERT INTO household (county_code, household_no, org_code, created_by)
          VALUES ('620881', ${`T${sequence}`}, ${village}, 'test') RETURNING id`.execute(db)
      ).rows[0]!.id
    : null;
  const rows = await sql<{ id: number }>`
    INSERT INTO person (county_code, name, name_pinyin, name_initials, sex, birth_date, source, created_by,
                        updated_by, current_org_code, current_residence_type, status, death_date, mother_id,
                        id_number, ethnicity, hukou_type, marital_status, relation_to_head, household_id)
    SELECT '620881', '测试' || g, 'ce shi', 'cs',
           CASE ${values.sex ?? 'alternate'} WHEN 'alternate' THEN (CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END)
                ELSE ${values.sex ?? 'male'} END,
           ${birth}::date, 'test', 'test', 'test', ${village}, 'registered', ${values.status ?? 'active'},
           ${values.deathDate ?? null}::date, ${values.motherId ?? null}::bigint,
           CASE WHEN ${values.complete ?? false} THEN '62' || lpad((${sequence}::int + g)::text, 15, '0') || '1' END,
           CASE WHEN ${values.complete ?? false} THEN '汉族' END,
           CASE WHEN ${values.complete ?? false} THEN 'rural' END,
           CASE WHEN ${values.complete ?? false} THEN 'married' END,
           CASE WHEN ${values.complete ?? false} THEN 'head' END, ${household}::bigint
      FROM generate_series(1, ${n}::int) g
    RETURNING id`.execute(db);
  const ids = rows.rows.map((r) => Number(r.id));
  await sql`
    INSERT INTO residence_spell (county_code, person_id, org_code, residence_type, valid_from)
    SELECT '620881', unnest(${`{${ids.join(',')}}`}::bigint[]), ${village}, 'registered', ${values.from ?? '2000-01-01'}::date`.execute(
    db,
  );
  return ids;
}

async function addEvents(
  db: Kysely<Schema>,
  kind: 'birth' | 'death',
  personIds: number[],
  date: string,
  village: string,
) {
  for (const id of personIds) {
    await sql`
      INSERT INTO vital_event (county_code, kind, person_id, event_date, report_date, org_code, source, entered_by)
      VALUES ('620881', ${kind}, ${id}, ${date}::date, ${date}::date, ${village}, 'test', 'test')`.execute(
      db,
    );
  }
}

describe(`the four data-quality rates and the validation rules (${storageName})`, () => {
  let test: TestDatabase;
  let db: Kysely<Schema>;
  /** Villages of three different townships, and a second village of the first township. */
  let villages: string[];
  before(async () => {
    test = await createTestDatabase();
    db = test.database.db;
    await loadHuating(db);
    const rows = await sql<{ code: string }>`
      SELECT DISTINCT ON (left(code, 9)) code FROM org_unit
       WHERE code LIKE '620881%' AND length(code) = 12 ORDER BY left(code, 9), code`.execute(db);
    const first = rows.rows[0]!.code;
    const sibling = await sql<{ code: string }>`
      SELECT code FROM org_unit WHERE code LIKE ${`${first.slice(0, 9)}%`} AND length(code) = 12 AND code <> ${first}
       ORDER BY code LIMIT 1`.execute(db);
    villages = [first, sibling.rows[0]!.code, rows.rows[1]!.code, rows.rows[2]!.code, rows.rows[3]!.code];
  });
  after(() => test.cleanup());

  it('counts the entry rate from department records by unit and event month (linked ÷ linked + unmatched)', async () => {
    const batch = await sql<{ id: number }>`
      INSERT INTO feed_batch (county_code, source, columns, received_by)
      VALUES ('620881', 'birth_certificate', '[]'::jsonb, 'test') RETURNING id`.execute(db);
    const batchId = batch.rows[0]!.id;
    const records: [string | null, string, string][] = [
      [villages[0]!, '2025-03-04', 'linked'],
      [villages[0]!, '2025-03-14', 'linked'],
      [villages[0]!, '2025-03-24', 'linked'],
      [villages[0]!, '2025-03-25', 'unmatched'],
      [villages[0]!, '2025-03-26', 'pending'],
      [villages[0]!, '2025-04-02', 'review'],
      [villages[2]!, '2025-03-09', 'unmatched'],
      [null, '2025-03-10', 'linked'],
    ];
    for (const [i, [org, date, status]] of records.entries()) {
      await sql`
        INSERT INTO feed_record (batch_id, row_no, county_code, raw, link_status, event_kind, event_date, org_code)
        VALUES (${batchId}, ${i + 1}, '620881', '{}'::jsonb, ${status}, 'birth', ${date}::date, ${org})`.execute(
        db,
      );
    }
    const engine = new IndicatorEngine(db);
    const value = async (unit: string, period: string) =>
      (await engine.evaluate({ indicator: 'entry_rate', unit, period })).values[0]!;
    const village = await value(villages[0]!, '2025-03');
    assert.deepEqual([village.numerator, village.denominator, village.value], [3, 4, 75]);
    assert.equal((await value(villages[0]!.slice(0, 9), '2025Q1')).value, 75);
    // The county adds the other township's unmatched record and the one without a place: 4 / 6.
    const county = await value('620881', '2025');
    assert.deepEqual([county.numerator, county.denominator], [4, 6]);
    assert.equal((await value(villages[0]!, '2025-04')).value, null, 'review is not yet settled');
  });

  it('counts completeness over the person records living in the unit at the end of the period', async () => {
    await addPersons(db, villages[1]!, 3, { complete: true, birthDate: '1980-05-05' });
    const [incomplete] = await addPersons(db, villages[1]!, 1, { complete: false });
    // A baby of 30 days needs no ID number yet, nor a marital status; everything else it does.
    const [baby] = await addPersons(db, villages[1]!, 1, {
      complete: true,
      birthDate: '2025-12-01',
      from: '2025-12-01',
    });
    await sql`UPDATE person SET id_number = NULL, marital_status = NULL WHERE id = ${baby!}`.execute(db);
    const engine = new IndicatorEngine(db);
    const december = (
      await engine.evaluate({ indicator: 'completeness_rate', unit: villages[1]!, period: '2025-12' })
    ).values[0]!;
    assert.deepEqual([december.numerator, december.denominator, december.value], [4, 5, 80]);
    const november = (
      await engine.evaluate({ indicator: 'completeness_rate', unit: villages[1]!, period: '2025-11' })
    ).values[0]!;
    assert.deepEqual([november.numerator, november.denominator], [3, 4], 'the baby was not born yet');
    const missing = await countMissingFields(db, villages[1]!, '2025-12');
    assert.equal(missing.records, 5);
    assert.equal(missing.missing.find((m) => m.field === 'ethnicity')!.missing, 1);
    assert.equal(missing.missing.find((m) => m.field === 'id_number')!.missing, 1);
    assert.ok(incomplete);
    // The four rates together, from the catalogue.
    const rates = await computeQualityRates(engine, { unit: villages[1]!, period: '2025-12' });
    assert.equal(rates.units[0]!.rates.completeness_rate.value, 80);
    assert.equal(rates.units[0]!.rates.accuracy_rate.value, null, 'no audit surveyed yet');
    assert.ok('timeliness_rate' in rates.units[0]!.rates);
  });

  it('flags births more than 3 SD from the trend, and not a small rise', async () => {
    const [a, b] = [villages[3]!, villages[4]!];
    for (let m = 1; m <= 12; m++) {
      const month = `2024-${String(m).padStart(2, '0')}-10`;
      await addEvents(db, 'birth', await addPersons(db, a, 1, { birthDate: month }), month, a);
      await addEvents(db, 'birth', await addPersons(db, b, 1, { birthDate: month }), month, b);
    }
    await addEvents(db, 'birth', await addPersons(db, a, 6, { birthDate: '2025-01-10' }), '2025-01-10', a);
    await addEvents(db, 'birth', await addPersons(db, b, 2, { birthDate: '2025-01-10' }), '2025-01-10', b);
    const run = await runValidation(db, { unit: '620881', period: '2025-01' });
    const trend = run.findings.filter((f) => f.rule === 'births_off_trend');
    assert.ok(
      trend.some((f) => f.orgCode === a && f.figures.births === 6),
      JSON.stringify(trend),
    );
    assert.ok(!trend.some((f) => f.orgCode === b));
  });

  it('flags a village with no death in a year when its size makes that improbable (Poisson), not a small one', async () => {
    const [big, small, other] = [villages[0]!, villages[2]!, villages[3]!];
    await addPersons(db, big, 400, { complete: true });
    await addPersons(db, small, 10, { complete: true });
    const dead = await addPersons(db, other, 200, { complete: true });
    await addEvents(db, 'death', dead.slice(0, 12), '2025-06-01', other);
    const run = await runValidation(db, { unit: '620881', period: '2025-12' });
    const findings = run.findings.filter((f) => f.rule === 'no_deaths_in_year');
    const bigFinding = findings.find((f) => f.orgCode === big);
    assert.ok(bigFinding, JSON.stringify(findings));
    assert.ok((bigFinding.figures.probability as number) < 0.05);
    assert.ok(!findings.some((f) => f.orgCode === small));

    // Deaths of outflow migrants (hukou here, living elsewhere) are in no resident figure: the
    // county's death rate, over its residents, and so every village's expectation stay as they were.
    const away = await addPersons(db, other, 50, { complete: true });
    await sql`UPDATE residence_spell SET residence_type = 'outflow'
               WHERE person_id = ANY (${`{${away.join(',')}}`}::bigint[])`.execute(db);
    await addEvents(db, 'death', away.slice(0, 30), '2025-06-01', other);
    const again = await runValidation(db, { unit: '620881', period: '2025-12' });
    const bigAgain = again.findings.find((f) => f.rule === 'no_deaths_in_year' && f.orgCode === big);
    assert.equal(bigAgain?.figures.expected, bigFinding.figures.expected);
  });

  it('flags a sex ratio at birth implausible beyond chance, not a usual one', async () => {
    const [skewed, usual] = [villages[2]!.slice(0, 9), villages[3]!.slice(0, 9)];
    await addEvents(
      db,
      'birth',
      await addPersons(db, villages[2]!, 90, { sex: 'male', birthDate: '2023-05-01' }),
      '2023-05-01',
      villages[2]!,
    );
    await addEvents(
      db,
      'birth',
      await addPersons(db, villages[2]!, 30, { sex: 'female', birthDate: '2023-05-01' }),
      '2023-05-01',
      villages[2]!,
    );
    await addEvents(
      db,
      'birth',
      await addPersons(db, villages[3]!, 120, { birthDate: '2023-05-01' }),
      '2023-05-01',
      villages[3]!,
    );
    const run = await runValidation(db, { unit: '620881', period: '2023-12' });
    const findings = run.findings.filter((f) => f.rule === 'sex_ratio_at_birth_implausible');
    assert.ok(
      findings.some((f) => f.orgCode === skewed),
      JSON.stringify(findings),
    );
    assert.ok(!findings.some((f) => f.orgCode === usual));
  });

  it('flags persons alive over 110 and children born before their mother could or after she died', async () => {
    const [old] = await addPersons(db, villages[1]!, 1, { birthDate: '1910-02-02' });
    const [notSoOld] = await addPersons(db, villages[1]!, 1, { birthDate: '1920-02-02' });
    const [youngMother] = await addPersons(db, villages[1]!, 1, { birthDate: '1995-01-01', sex: 'female' });
    const [mother] = await addPersons(db, villages[1]!, 1, { birthDate: '1970-01-01', sex: 'female' });
    const [deadMother] = await addPersons(db, villages[1]!, 1, {
      birthDate: '1975-01-01',
      sex: 'female',
      status: 'dead',
      deathDate: '2010-03-03',
    });
    const [early] = await addPersons(db, villages[1]!, 1, { birthDate: '2000-01-01', motherId: youngMother });
    const [fine] = await addPersons(db, villages[1]!, 1, { birthDate: '2000-01-01', motherId: mother });
    const [late] = await addPersons(db, villages[1]!, 1, { birthDate: '2012-01-01', motherId: deadMother });
    const run = await runValidation(db, {
      unit: villages[1]!,
      period: '2025-12',
      write: true,
      actor: { id: 't' },
    });
    const about = (rule: string) => run.findings.filter((f) => f.rule === rule).map((f) => f.personId);
    assert.deepEqual(about('alive_over_110'), [old]);
    assert.ok(!about('alive_over_110').includes(notSoOld!));
    assert.deepEqual(about('born_before_mother_could'), [early]);
    assert.ok(!about('born_before_mother_could').includes(fine!));
    assert.deepEqual(about('born_after_mother_died'), [late]);
    // Written once as data_check tasks; running again adds none.
    assert.equal(run.tasksCreated, run.findings.length);
    const again = await runValidation(db, { unit: villages[1]!, period: '2025-12', write: true });
    assert.equal(again.tasksCreated, 0);
    const tasks = await db.selectFrom('work_task').selectAll().where('kind', '=', 'data_check').execute();
    assert.equal(tasks.length, run.findings.length);
    assert.ok(tasks.every((t) => t.source === 'validation' && t.status === 'open'));
  });
});

describe('field-audit arithmetic', () => {
  it('allocates the sample in proportion to the strata, at least one each, never more than a stratum has', () => {
    assert.deepEqual(allocateSample([100, 300, 600], 10), [1, 3, 6]);
    assert.deepEqual(allocateSample([1, 1000, 1000], 10), [1, 5, 4]);
    assert.deepEqual(allocateSample([2, 3], 50), [2, 3]);
    assert.equal(
      allocateSample([7, 13, 29, 51], 37).reduce((a, b) => a + b, 0),
      37,
    );
  });

  it('weights households by their stratum and widens the interval for clustering', () => {
    // Two strata of equal frames, one perfect and one with half the fields wrong: weighted 75%.
    const households = [
      ...Array.from({ length: 10 }, () => ({
        stratum: 'a',
        correct: 10,
        checked: 10,
        personsCorrect: 2,
        personsChecked: 2,
      })),
      ...Array.from({ length: 10 }, () => ({
        stratum: 'b',
        correct: 5,
        checked: 10,
        personsCorrect: 0,
        personsChecked: 2,
      })),
    ];
    const estimate = estimateAccuracy(households, [
      { code: 'a', frame: 100 },
      { code: 'b', frame: 100 },
    ]);
    assert.equal(estimate.fields.value, 75);
    assert.equal(estimate.persons.value, 50);
    // Unequal frames: stratum b stands for three times as many households.
    const weighted = estimateAccuracy(households, [
      { code: 'a', frame: 100 },
      { code: 'b', frame: 300 },
    ]);
    assert.equal(weighted.fields.value, 62.5);
    // Identical households within each stratum: no within-stratum variance, the interval is the design's.
    assert.ok(estimate.fields.interval!.lower! <= 75 && estimate.fields.interval!.upper! >= 75);
    const clustered = estimateAccuracy(
      [
        ...Array.from({ length: 10 }, () => ({
          stratum: 'a',
          correct: 10,
          checked: 10,
          personsCorrect: 2,
          personsChecked: 2,
        })),
        ...Array.from({ length: 10 }, () => ({
          stratum: 'a',
          correct: 5,
          checked: 10,
          personsCorrect: 0,
          personsChecked: 2,
        })),
      ],
      [{ code: 'a', frame: 10_000 }],
    );
    // Errors come by household: the design effect is well above 1.
    assert.ok(clustered.fields.designEffect! > 2, `deff ${clustered.fields.designEffect}`);
  });

  it('reads a surveyor’s answers: ticks, labels, blanks and unreadable ones', () => {
    assert.deepEqual(compareField('sex', 'male', '男'), { checked: true, correct: true, surveyed: 'male' });
    assert.deepEqual(compareField('sex', 'male', '✓'), { checked: true, correct: true, surveyed: 'male' });
    assert.deepEqual(compareField('sex', 'male', ''), { checked: false });
    assert.deepEqual(compareField('marital_status', 'single', '已婚'), {
      checked: true,
      correct: false,
      surveyed: 'married',
    });
    assert.deepEqual(compareField('birth_date', '1980-05-05', '1980年5月5日'), {
      checked: true,
      correct: true,
      surveyed: '1980-05-05',
    });
    assert.equal(
      (compareField('id_number', null, '620881198005050011') as { correct: boolean }).correct,
      false,
    );
    assert.deepEqual(compareField('residence', 'registered', '外星'), {
      checked: true,
      correct: false,
      surveyed: '外星',
      problem: 'unreadable',
    });
  });
});
