import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_PROGRAMMES,
  type EntitlementListRow,
  type ProgrammeVersion,
  setProgrammeVersion,
} from '../src/benefits/index.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerBirth, registerMoveIn } from '../src/registry/index.ts';
import { programmeChoices } from '../web/src/pages/benefits/programme-versions.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { signedInApp, type TestClient } from './helpers/http.ts';
import { addAdult, contextFor, loadHuating, VILLAGE } from './helpers/registry.ts';

interface ErrorBody {
  error: {
    code: string;
    field: string | null;
    message: string;
    messages: { 'zh-CN': string; en: string };
    issues: { code: string; field: string; message: string; messages: { 'zh-CN': string; en: string } }[];
    details?: Record<string, unknown>;
  };
}

/** The benefits HTTP API: bad input is a field-level 4xx in both languages, answers have their declared shape. */
describe(`benefits HTTP API: request and response schemas (${storageName})`, () => {
  let test: TestDatabase;
  let app: TestClient;
  let ctx: CommandContext;
  let child: number;
  let mother: number;

  before(async () => {
    test = await createTestDatabase();
    await loadHuating(test.database.db);
    app = await signedInApp(test.database);
    ctx = contextFor(test.database.db);
    const m = await addAdult(ctx, { name: '李秀英', sex: 'female', birthDate: '1995-03-02' });
    mother = m.id;
    const born = await registerBirth(ctx, {
      child: { name: '李小雨', sex: 'female', birthDate: '2025-02-10' },
      motherId: mother,
    });
    child = born.person.id;
  });
  after(async () => {
    await app.close();
    await test.cleanup();
  });

  /** A 4xx naming the field, with a message in each language (and the asked one on top). */
  function assertFieldError(
    response: { statusCode: number; json(): unknown; body: string },
    status: number,
    field: string,
  ) {
    assert.equal(response.statusCode, status, response.body);
    const { error } = response.json() as ErrorBody;
    const named = error.issues.length > 0 ? error.issues.find((i) => i.field === field) : error;
    assert.ok(named, `an issue for ${field}: ${response.body}`);
    assert.equal(error.field, field);
    assert.match(named.messages['zh-CN'], /[\u4e00-\u9fff]/, 'a Chinese message');
    assert.match(named.messages.en, /[A-Za-z]/);
    assert.ok(!/[\u4e00-\u9fff]/.test(named.messages.en), 'the English message is English');
    return error;
  }

  it('refuses malformed screen, application and batch requests with field-level errors in zh-CN and en', async () => {
    assertFieldError(
      await app.inject({
        url: '/api/benefits/screen?programme=childcare-subsidy&period=2025-H2&unit=620881',
      }),
      400,
      'period',
    );
    assertFieldError(
      await app.inject({ url: '/api/benefits/screen?period=2025H2&unit=620881' }),
      400,
      'programme',
    );
    const english = await app.inject({
      url: '/api/benefits/screen?programme=Childcare&period=2025H2&unit=620881',
      headers: { 'accept-language': 'en' },
    });
    const error = assertFieldError(english, 400, 'programme');
    assert.ok(!/[\u4e00-\u9fff]/.test(error.message), `asked for English: ${error.message}`);

    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/applications',
        payload: { programmeId: 'childcare-subsidy', personId: 'the baby' },
      }),
      400,
      'personId',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/applications',
        payload: { programmeId: 'childcare-subsidy', personId: child, amountFen: 1 },
      }),
      400,
      'amountFen',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/applications',
        payload: { programmeId: 'childcare-subsidy', personId: child, bankAccount: 'DROP TABLE' },
      }),
      400,
      'bankAccount',
    );
    // A mother is not under 3: the domain's refusal, named by rule.
    const notEligible = assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/applications',
        payload: { programmeId: 'childcare-subsidy', personId: mother, period: '2025H2' },
      }),
      400,
      'personId',
    );
    assert.ok(notEligible.issues.some((i) => i.code === 'not_eligible' && /under 3/.test(i.messages.en)));
    const written = await test.database.db.selectFrom('entitlement').select('id').execute();
    assert.deepEqual(written, [], 'nothing half-written');

    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/batches',
        payload: { programmeId: 'childcare-subsidy', period: '2025-07' },
      }),
      400,
      'period',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/batches',
        payload: { programmeId: 'no-such-programme', period: '2025H2' },
      }),
      404,
      'programme',
    );
    assertFieldError(
      await app.inject({ method: 'POST', url: '/api/benefits/batches', payload: { period: '2025H2' } }),
      400,
      'programmeId',
    );
  });

  it('refuses malformed re-verification, disability, reversal and decision requests', async () => {
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/reverify',
        payload: { programmeId: 'childcare-subsidy', asOf: '31/12/2025' },
      }),
      400,
      'asOf',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/disability',
        payload: { personId: child, validFrom: '2025-01-01', grade: 7 },
      }),
      400,
      'grade',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/disability',
        payload: { personId: child, validFrom: '2025-02-30' },
      }),
      400,
      'validFrom',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/payments/abc/reverse',
        payload: { reason: 'x' },
      }),
      400,
      'id',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/benefits/payments/999/reverse',
        payload: { reason: '错账' },
      }),
      404,
      'id',
    );
    assertFieldError(await app.inject({ url: '/api/benefits/batches/999/bank-file' }), 404, 'id');
    assertFieldError(
      await app.inject({ method: 'POST', url: '/api/benefits/entitlements/999/approve', payload: {} }),
      404,
      'id',
    );
    assertFieldError(
      await app.inject({ url: '/api/benefits/spending?unit=620881&period=last-year' }),
      400,
      'period',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: '/api/services',
        payload: {
          kind: 'counselling',
          personId: mother,
          serviceDate: 'yesterday',
          provider: '卫生院',
          outcomeCode: 'given',
          consent: true,
        },
      }),
      400,
      'serviceDate',
    );
  });

  it('answers screen, application, decision, batch and bank file in their declared shapes', async () => {
    const screen = await app.inject({
      url: '/api/benefits/screen?programme=childcare-subsidy&period=2025H2&unit=620881',
    });
    assert.equal(screen.statusCode, 200, screen.body);
    const body = screen.json();
    assert.deepEqual(Object.keys(body).sort(), ['byTownship', 'candidates', 'heldAsDuplicates', 'period']);
    const listed = body.candidates.find((c: { personId: number }) => c.personId === child);
    assert.equal(listed.months, 6);
    assert.deepEqual(listed.needsReview, []);
    assert.deepEqual(listed.duplicateRecordIds, []);

    const applied = await app.inject({
      method: 'POST',
      url: '/api/benefits/applications',
      payload: {
        programmeId: 'childcare-subsidy',
        personId: child,
        period: '2025H2',
        bankAccount: '6222 0210 0000 1234',
      },
    });
    assert.equal(applied.statusCode, 201, applied.body);
    const id = applied.json().id;
    assert.deepEqual(Object.keys(applied.json()).sort(), [
      'id',
      'person_id',
      'programme_id',
      'start_date',
      'status',
    ]);
    for (const action of ['review', 'approve']) {
      const decided = await app.inject({
        method: 'POST',
        url: `/api/benefits/entitlements/${id}/${action}`,
        payload: {},
      });
      assert.equal(decided.statusCode, 200, decided.body);
    }
    const list = await app.inject({
      url: '/api/benefits/entitlements?programme=childcare-subsidy&unit=620881',
    });
    assert.equal(list.statusCode, 200, list.body);
    const row: EntitlementListRow = list.json().items[0];
    assert.equal(row.status, 'approved');
    // The list names the person the entitlement is about (the page showed "#id": no name was sent).
    assert.equal(row.person_id, child);
    assert.equal(row.person_name, '李小雨');
    assert.equal(row.payee_name, '李秀英');
    assert.equal(row.start_date, '2025-02-10');
    assert.match(row.applied_at, /^\d{4}-\d{2}-\d{2}T/);

    const batch = await app.inject({
      method: 'POST',
      url: '/api/benefits/batches',
      payload: { programmeId: 'childcare-subsidy', period: '2025H2' },
    });
    assert.equal(batch.statusCode, 200, batch.body);
    assert.deepEqual(batch.json(), {
      programmeId: 'childcare-subsidy',
      period: '2025H2',
      batchId: batch.json().batchId,
      lineCount: 1,
      totalFen: 180_000,
      alreadyPaid: 0,
      held: [],
    });
    const bank = await app.inject({ url: `/api/benefits/batches/${batch.json().batchId}/bank-file` });
    assert.equal(bank.statusCode, 200, bank.body);
    assert.match(bank.headers['content-type'] as string, /text\/csv/);
    assert.match(bank.body, /^\uFEFF序号,收款人姓名/);
    assert.match(bank.body, /合计,1 笔,,,1800\.00,/);

    const line = await test.database.db.selectFrom('payment_line').select('id').executeTakeFirstOrThrow();
    assertFieldError(
      await app.inject({ method: 'POST', url: `/api/benefits/payments/${line.id}/reverse`, payload: {} }),
      400,
      'reason',
    );
    assertFieldError(
      await app.inject({
        method: 'POST',
        url: `/api/benefits/payments/${line.id}/reverse`,
        payload: { reason: '' },
      }),
      400,
      'reason',
    );

    const spending = await app.inject({ url: '/api/benefits/spending?unit=620881&period=2025' });
    assert.equal(spending.statusCode, 200, spending.body);
    assert.equal(spending.json().totalFen, 180_000);
    assert.equal(spending.json().rows, undefined, 'figures only');
  });

  it('lists every version of a programme, so the page offers the one in force on the period and says when a newer one starts', async () => {
    const childcare = DEFAULT_PROGRAMMES.find((p) => p.programmeId === 'childcare-subsidy')!;
    await setProgrammeVersion(test.database.db, 'test', {
      programmeId: 'childcare-subsidy',
      effectiveFrom: '2026-07-01',
      definition: { ...childcare.definition, amountFen: 400_000 },
    });
    await setProgrammeVersion(test.database.db, 'test', {
      programmeId: 'newborn-gift',
      effectiveFrom: '2027-01-01',
      definition: { ...childcare.definition, name: { 'zh-CN': '新生儿礼包', en: 'Newborn gift' } },
    });
    const answer = await app.inject({ url: '/api/benefits/programmes' });
    assert.equal(answer.statusCode, 200, answer.body);
    const { items } = answer.json() as { items: ProgrammeVersion[] };

    const in2025 = programmeChoices(items, { start: '2025-01-01', end: '2025-12-31' });
    const care2025 = in2025.find((c) => c.programmeId === 'childcare-subsidy')!;
    assert.equal(care2025.version.effectiveFrom, '2025-01-01', 'not the newest version, which starts later');
    assert.equal(care2025.version.definition.amountFen, childcare.definition.amountFen);
    assert.equal(care2025.next?.effectiveFrom, '2026-07-01');
    assert.equal(
      in2025.filter((c) => c.programmeId === 'childcare-subsidy').length,
      1,
      'each programme once',
    );
    const gift = in2025.find((c) => c.programmeId === 'newborn-gift')!;
    assert.equal(gift.inForce, false);
    assert.equal(gift.version.effectiveFrom, '2027-01-01');

    const care2026H2 = programmeChoices(items, { start: '2026-07-01', end: '2026-12-31' }).find(
      (c) => c.programmeId === 'childcare-subsidy',
    )!;
    assert.equal(care2026H2.version.effectiveFrom, '2026-07-01');
    assert.equal(care2026H2.version.definition.amountFen, 400_000);
    assert.equal(care2026H2.next, undefined);
    // A version starting within a period applies from the next one: the whole of 2026 is judged
    // by the version of its first day, as the screening and the payments of 2026 are.
    const care2026 = programmeChoices(items, { start: '2026-01-01', end: '2026-12-31' }).find(
      (c) => c.programmeId === 'childcare-subsidy',
    )!;
    assert.equal(care2026.version.effectiveFrom, '2025-01-01');
    assert.equal(care2026.next?.effectiveFrom, '2026-07-01');

    // The screening of a period before a programme starts is refused at the programme, as the page warns.
    const early = await app.inject({
      url: '/api/benefits/screen?programme=newborn-gift&period=2025&unit=620881',
    });
    assertFieldError(early, 404, 'programme');
  });

  it('screens, enrols and pays a programme that starts within a period for the months since it started, under one version', async () => {
    const childcare = DEFAULT_PROGRAMMES.find((p) => p.programmeId === 'childcare-subsidy')!;
    await setProgrammeVersion(test.database.db, 'test', {
      programmeId: 'county-nursery-pilot',
      effectiveFrom: '2025-09-01',
      definition: {
        ...childcare.definition,
        name: { 'zh-CN': '县托育试点补贴', en: 'County nursery pilot' },
      },
    });
    const screen = await app.inject({
      url: '/api/benefits/screen?programme=county-nursery-pilot&period=2025H2&unit=620881',
    });
    assert.equal(screen.statusCode, 200, screen.body);
    const listed = screen.json().candidates.find((c: { personId: number }) => c.personId === child);
    assert.equal(listed.months, 4, 'September to December');
    const applied = await app.inject({
      method: 'POST',
      url: '/api/benefits/applications',
      payload: { programmeId: 'county-nursery-pilot', personId: child, period: '2025H2' },
    });
    assert.equal(applied.statusCode, 201, applied.body);
    for (const action of ['review', 'approve']) {
      const decided = await app.inject({
        method: 'POST',
        url: `/api/benefits/entitlements/${applied.json().id}/${action}`,
        payload: {},
      });
      assert.equal(decided.statusCode, 200, decided.body);
    }
    // The batch used to look the version up on the period's first day and refuse: not in force.
    const batch = await app.inject({
      method: 'POST',
      url: '/api/benefits/batches',
      payload: { programmeId: 'county-nursery-pilot', period: '2025H2' },
    });
    assert.equal(batch.statusCode, 200, batch.body);
    assert.equal(batch.json().lineCount, 1);
    assert.equal(batch.json().totalFen, (childcare.definition.amountFen! * 4) / 6);
  });
  it('refuses to review or approve an application about a merged or voided record (409 on personId, naming the kept record), lets it be rejected, and lists the record as it is', async () => {
    const post = (url: string, payload: Record<string, unknown> = {}, lang = 'zh-CN') =>
      app.inject({ method: 'POST', url, payload, headers: { 'accept-language': lang } });
    const apply = async (personId: number) => {
      const applied = await post('/api/benefits/applications', {
        programmeId: 'childcare-subsidy',
        personId,
        period: '2025H2',
      });
      assert.equal(applied.statusCode, 201, applied.body);
      return applied.json().id as number;
    };
    const versionOf = async (id: number) =>
      (
        await test.database.db
          .selectFrom('person')
          .select('version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).version;
    const listed = async (id: number) => {
      const list = await app.inject({
        url: '/api/benefits/entitlements?programme=childcare-subsidy&unit=620881&limit=1000',
      });
      assert.equal(list.statusCode, 200, list.body);
      return (list.json().items as EntitlementListRow[]).find((row) => row.id === id)!;
    };
    const statusOf = async (id: number) =>
      (
        await test.database.db
          .selectFrom('entitlement')
          .select(['status', 'version'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    const born = (name: string) =>
      registerBirth(ctx, { child: { name, sex: 'male', birthDate: '2025-04-01' }, motherId: mother });

    // A child's record voided as a mistake after its application was made.
    const mistaken = (await born('李小错')).person.id;
    const voidedEntitlement = await apply(mistaken);
    const voided = await post(`/api/persons/${mistaken}/void`, {
      expectedVersion: await versionOf(mistaken),
      reason: '重复录入',
    });
    assert.equal(voided.statusCode, 200, voided.body);
    const refusedReview = assertFieldError(
      await post(`/api/benefits/entitlements/${voidedEntitlement}/review`),
      409,
      'personId',
    );
    assert.equal(refusedReview.code, 'conflict');
    assert.equal(refusedReview.issues[0]!.code, 'person_voided');
    assert.match(refusedReview.messages['zh-CN'], new RegExp(`人员记录 ${mistaken} 已作废，不能审核`));
    assert.match(refusedReview.messages.en, /was voided: it cannot be reviewed; reject it/);
    assert.equal(await statusOf(voidedEntitlement), 'applied', 'nothing written');
    const voidedRow = await listed(voidedEntitlement);
    assert.deepEqual(
      [voidedRow.status, voidedRow.person_status, voidedRow.person_merged_into_id],
      ['applied', 'voided', null],
    );

    // Two records of one child, each with its application; the second reviewed, then merged.
    const kept = (await born('李小川')).person.id;
    const second = (
      await registerMoveIn(ctx, {
        person: { name: '李小川', sex: 'male', birthDate: '2025-04-01' },
        orgCode: VILLAGE,
        residenceType: 'registered',
        moveDate: '2025-04-01',
      })
    ).person.id;
    const keptEntitlement = await apply(kept);
    const secondEntitlement = await apply(second);
    assert.equal((await post(`/api/benefits/entitlements/${secondEntitlement}/review`)).statusCode, 200);
    const merged = await post(`/api/persons/${kept}/merge`, {
      dropId: second,
      keepVersion: await versionOf(kept),
      dropVersion: await versionOf(second),
      reason: '同一儿童重复登记',
    });
    assert.equal(merged.statusCode, 201, merged.body);
    // The merge closed the second record's application: it waits for nobody's approval.
    const closed = await listed(secondEntitlement);
    assert.deepEqual(
      [
        closed.status,
        closed.person_id,
        closed.person_status,
        closed.person_merged_into_id,
        closed.decision_note,
      ],
      ['rejected', second, 'merged', kept, `记录已合并到人员 ${kept} / record merged into person ${kept}`],
    );
    const goesOn = await listed(keptEntitlement);
    assert.deepEqual([goesOn.status, goesOn.person_status], ['applied', 'active']);
    assert.equal(
      (
        await app.inject({
          url: '/api/benefits/entitlements?programme=childcare-subsidy&status=reviewed&unit=620881',
        })
      )
        .json()
        .items.some((row: EntitlementListRow) => row.id === secondEntitlement),
      false,
      'not in the list of those waiting for approval',
    );
    // A database merged before the merge closed applications has such an application still waiting.
    await test.database.db
      .updateTable('entitlement')
      .set({ status: 'reviewed', decided_by: null, decided_at: null, decision_note: null })
      .where('id', '=', secondEntitlement)
      .execute();
    for (const lang of ['zh-CN', 'en']) {
      const refused = assertFieldError(
        await post(`/api/benefits/entitlements/${secondEntitlement}/approve`, {}, lang),
        409,
        'personId',
      );
      assert.equal(refused.issues[0]!.code, 'person_merged');
      assert.equal(refused.details?.mergedIntoId, kept);
      assert.match(
        refused.message,
        lang === 'en'
          ? new RegExp(`merged into person ${kept} \\(the same person\\): it cannot be approved`)
          : new RegExp(`已合并到人员 ${kept}（同一人），不能批准`),
      );
    }
    assert.equal(await statusOf(secondEntitlement), 'reviewed', 'nothing written');

    // Rejecting clears both.
    for (const id of [voidedEntitlement, secondEntitlement]) {
      const rejected = await post(`/api/benefits/entitlements/${id}/reject`, { note: '记录已作废或合并' });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.deepEqual(rejected.json(), { id, status: 'rejected' });
    }
  });
});
