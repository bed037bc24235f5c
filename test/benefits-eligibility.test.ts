import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  applyForBenefit,
  decideMany,
  enrolFromScreen,
  recordDisability,
  screenEligible,
} from '../src/benefits/index.ts';
import { AppError } from '../src/domain/errors.ts';
import type { CommandContext } from '../src/registry/context.ts';
import { registerDeath } from '../src/registry/index.ts';
import { rowsOf, seedBenefitsCounty } from './helpers/benefits-county.ts';
import { createTestDatabase, storageName, type TestDatabase } from './helpers/database.ts';
import { contextFor } from './helpers/registry.ts';

/**
 * The eligibility screen of every shipped programme other than the childcare subsidy (that one is
 * in benefits-synthetic.test.ts) against the synthetic county's ground truth. The expected set is
 * computed here, in plain code, from the truth files and the programme's policy as docs/benefits.md
 * states it — not from the rules' SQL. A family the registry describes wrongly (a child never
 * registered or not linked to the parent, a death not yet reported, a wrong birth date, a move the
 * registry does not know) cannot be judged right by any screen: such families are counted and
 * reported, and must stay a minority; for every other family the screen must agree exactly.
 */

const COUNTY = '620881';
const RESIDENT = new Set(['registered', 'outflow']);

interface ChildFacts {
  id: number;
  sex: string;
  birth: string;
  death: string;
  disabledAtEnd: boolean;
}

/** What the policy reads about a person, for one window. */
interface Facts {
  sex: string;
  birth: string;
  death: string;
  hukou: string;
  residenceOnRef: string;
  children: ChildFacts[];
}

interface Window {
  start: string;
  end: string;
}

function ageAt(birth: string, on: string): number {
  return Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (on.slice(5) < birth.slice(5) ? 1 : 0);
}

const dayBefore = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const refDay = (birth: string, w: Window) => (birth > w.start ? birth : w.start);

/** Alive on the reference day and registered here (hukou here, living here or away). */
function present(f: Facts, w: Window): boolean {
  if (f.birth > w.end) return false;
  if (f.death && f.death < refDay(f.birth, w)) return false;
  return RESIDENT.has(f.residenceOnRef);
}

const diedBy = (c: ChildFacts, end: string) => c.death !== '' && c.death <= end;

/** The policies of docs/benefits.md, in plain code. */
const POLICIES: Record<
  string,
  { period: string; window: Window; eligible: (f: Facts, w: Window) => boolean }
> = {
  'rural-reward-assistance': {
    period: '2025',
    window: { start: '2025-01-01', end: '2025-12-31' },
    eligible: (f, w) =>
      present(f, w) &&
      f.hukou === 'rural' &&
      ageAt(f.birth, w.end) >= 60 &&
      (f.children.length === 1 || (f.children.length === 2 && f.children.every((c) => c.sex === 'female'))),
  },
  'special-assistance-death': {
    period: '2025-12',
    window: { start: '2025-12-01', end: '2025-12-31' },
    eligible: (f, w) =>
      present(f, w) &&
      ageAt(f.birth, w.end) >= 49 &&
      f.children.length === 1 &&
      diedBy(f.children[0]!, w.end),
  },
  'special-assistance-disability': {
    period: '2025-12',
    window: { start: '2025-12-01', end: '2025-12-31' },
    eligible: (f, w) =>
      present(f, w) &&
      ageAt(f.birth, w.end) >= 49 &&
      f.children.length === 1 &&
      !diedBy(f.children[0]!, w.end) &&
      f.children[0]!.disabledAtEnd,
  },
  'retirement-reward': {
    period: '2025',
    window: { start: '2025-01-01', end: '2025-12-31' },
    eligible: (f, w) => {
      const age = f.sex === 'female' ? 50 : 60;
      return (
        present(f, w) &&
        f.children.length === 1 &&
        ageAt(f.birth, w.end) >= age &&
        ageAt(f.birth, dayBefore('2016-01-01')) < age
      );
    },
  },
  'condolence-payment': {
    period: '2025',
    window: { start: '2025-01-01', end: '2025-12-31' },
    eligible: (f, w) =>
      present(f, w) &&
      ageAt(f.birth, w.end) >= 49 &&
      f.children.length === 1 &&
      (diedBy(f.children[0]!, w.end) || f.children[0]!.disabledAtEnd),
  },
};

function groupBy<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

function spellOn<T extends { from: string; to: string }>(
  spells: T[] | undefined,
  day: string,
): T | undefined {
  return spells?.find((s) => s.from <= day && (s.to === '' || s.to > day));
}

/** A disability certificate the test records, in the registry and in the truth alike. */
interface Disability {
  from: string;
  to: string;
}
const disabledAt = (d: Disability[] | undefined, end: string) =>
  (d ?? []).some((x) => x.from <= end && (x.to === '' || x.to > end));

describe(`eligibility screens of the support programmes against the synthetic county's truth (${storageName})`, () => {
  let test: TestDatabase;
  let ctx: CommandContext;
  let dir: string;
  /** registry person id -> truth person id, and the truth person's own (non-duplicate) record. */
  const truthOf = new Map<number, number>();
  const recordOf = new Map<number, number>();
  let truthFacts: (id: number, w: Window) => Facts;
  let registryFacts: (recordId: number, w: Window) => Promise<Facts>;
  const injected = {
    onlyChildDied: [] as number[],
    onlyChildDisabled: [] as number[],
    decoys: [] as number[],
  };

  before(async () => {
    test = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'renkou-eligibility-'));
    await seedBenefitsCounty(test, dir);
    const db = test.database.db;
    ctx = contextFor(db, 'township-worker');

    // --- the truth ---
    const persons = rowsOf(dir, 'truth/persons');
    const byId = new Map(persons.map((p) => [Number(p.person_id), p]));
    const spells = groupBy(
      rowsOf(dir, 'truth/residence_spells').map((s) => ({
        person: Number(s.person_id),
        type: s.residence_type!,
        from: s.valid_from!,
        to: s.valid_to!,
      })),
      (s) => s.person,
    );
    const childrenOf = new Map<number, number[]>();
    for (const p of persons) {
      for (const parent of [p.mother_id, p.father_id]) {
        if (parent)
          childrenOf.set(Number(parent), [...(childrenOf.get(Number(parent)) ?? []), Number(p.person_id)]);
      }
    }
    const deathOf = new Map<number, string>(persons.map((p) => [Number(p.person_id), p.death_date!]));
    const disabilityOf = new Map<number, Disability[]>();
    truthFacts = (id, w) => {
      const p = byId.get(id)!;
      return {
        sex: p.sex!,
        birth: p.birth_date!,
        death: deathOf.get(id)!,
        hukou: p.hukou_type!,
        residenceOnRef: spellOn(spells.get(id), refDay(p.birth_date!, w))?.type ?? '',
        children: (childrenOf.get(id) ?? [])
          .map((c) => byId.get(c)!)
          .filter((c) => c.birth_date! <= w.end)
          .map((c) => ({
            id: Number(c.person_id),
            sex: c.sex!,
            birth: c.birth_date!,
            death: deathOf.get(Number(c.person_id))!,
            disabledAtEnd: disabledAt(disabilityOf.get(Number(c.person_id)), w.end),
          }))
          .sort((a, b) => a.id - b.id),
      };
    };

    const links = new Map(rowsOf(dir, 'truth/registry_links').map((r) => [r.person_key!, r]));
    const records = await db
      .selectFrom('person')
      .select(['id', 'import_key', 'mother_id'])
      .where('county_code', '=', COUNTY)
      .execute();
    for (const r of records) {
      const link = links.get(r.import_key!)!;
      truthOf.set(r.id, Number(link.person_id));
      if (link.duplicate === '0') recordOf.set(Number(link.person_id), r.id);
    }

    // --- events the test adds to both: only children who die, only children with a disability ---
    // Candidates: a truth child whose mother has no other child, both on the registry and linked.
    const onlyChildren = persons
      .filter((c) => {
        const mother = Number(c.mother_id);
        if (!mother || c.death_date || !recordOf.has(Number(c.person_id)) || !recordOf.has(mother))
          return false;
        const motherRow = byId.get(mother)!;
        const record = records.find((r) => r.id === recordOf.get(Number(c.person_id)));
        return (
          childrenOf.get(mother)!.length === 1 &&
          !motherRow.death_date &&
          ageAt(motherRow.birth_date!, '2025-12-31') >= 49 &&
          record?.mother_id === recordOf.get(mother)
        );
      })
      .map((c) => Number(c.person_id));
    const withSiblings = persons
      .filter((c) => {
        const mother = Number(c.mother_id);
        return (
          mother &&
          !c.death_date &&
          recordOf.has(Number(c.person_id)) &&
          (childrenOf.get(mother) ?? []).length === 2 &&
          ageAt(byId.get(mother)!.birth_date!, '2025-12-31') >= 49
        );
      })
      .map((c) => Number(c.person_id));
    assert.ok(onlyChildren.length >= 10, `only children to work with: ${onlyChildren.length}`);
    assert.ok(withSiblings.length >= 3, `children with a sibling to work with: ${withSiblings.length}`);
    const die = async (truthId: number, date: string) => {
      await registerDeath(ctx, { personId: recordOf.get(truthId)!, deathDate: date });
      deathOf.set(truthId, date);
    };
    const disable = async (truthId: number, from: string, to = '') => {
      await recordDisability(ctx, { personId: recordOf.get(truthId)!, validFrom: from, validTo: to || null });
      disabilityOf.set(truthId, [...(disabilityOf.get(truthId) ?? []), { from, to }]);
    };
    for (const [i, child] of onlyChildren.slice(0, 4).entries()) {
      await die(child, `2025-0${i + 2}-1${i}`);
      injected.onlyChildDied.push(child);
    }
    for (const child of onlyChildren.slice(4, 8)) {
      await disable(child, '2024-05-01');
      injected.onlyChildDisabled.push(child);
    }
    // Decoys the rules must not take: a certificate that ended, one that starts after the period,
    // a child with a sibling who died, one with a sibling who is disabled.
    await disable(onlyChildren[8]!, '2023-01-01', '2025-06-30');
    await disable(onlyChildren[9]!, '2026-02-01');
    await die(withSiblings[0]!, '2025-04-02');
    await disable(withSiblings[1]!, '2024-01-01');
    injected.decoys.push(onlyChildren[8]!, onlyChildren[9]!, withSiblings[0]!, withSiblings[1]!);

    // --- the registry, read plainly (not through the rules' SQL) ---
    const registryPersons = new Map(
      (
        await db
          .selectFrom('person')
          .leftJoin('household', (j) =>
            j
              .onRef('household.county_code', '=', 'person.county_code')
              .onRef('household.id', '=', 'person.household_id'),
          )
          .select([
            'person.id',
            'person.sex',
            'person.birth_date',
            'person.death_date',
            'person.status',
            'person.mother_id',
            'person.father_id',
            'person.hukou_type',
            'household.hukou_type as household_hukou',
          ])
          .where('person.county_code', '=', COUNTY)
          .execute()
      ).map((p) => [p.id, p]),
    );
    const registrySpells = groupBy(
      (
        await db
          .selectFrom('residence_spell')
          .select(['person_id', 'residence_type', 'valid_from', 'valid_to'])
          .where('county_code', '=', COUNTY)
          .where('voided', '=', false)
          .execute()
      ).map((s) => ({
        person: s.person_id,
        type: s.residence_type,
        from: s.valid_from,
        to: s.valid_to ?? '',
      })),
      (s) => s.person,
    );
    const registryDisability = groupBy(
      (
        await db
          .selectFrom('person_fact')
          .select(['person_id', 'valid_from', 'valid_to'])
          .where('kind', '=', 'disability')
          .where('voided', '=', false)
          .execute()
      ).map((f) => ({ person: f.person_id, from: f.valid_from, to: f.valid_to ?? '' })),
      (f) => f.person,
    );
    const live = [...registryPersons.values()].filter((p) => p.status !== 'voided' && p.status !== 'merged');
    const registryChildren = new Map<number, number[]>();
    for (const c of live) {
      for (const parent of [c.mother_id, c.father_id]) {
        if (parent) registryChildren.set(parent, [...(registryChildren.get(parent) ?? []), c.id]);
      }
    }
    registryFacts = async (recordId, w) => {
      const p = registryPersons.get(recordId)!;
      return {
        sex: p.sex,
        birth: p.birth_date,
        death: p.death_date ?? '',
        hukou: p.hukou_type ?? p.household_hukou ?? '',
        residenceOnRef: spellOn(registrySpells.get(recordId), refDay(p.birth_date, w))?.type ?? '',
        children: (registryChildren.get(recordId) ?? [])
          .map((c) => registryPersons.get(c)!)
          .filter((c) => c.birth_date <= w.end)
          .map((c) => ({
            id: truthOf.get(c.id)!,
            sex: c.sex,
            birth: c.birth_date,
            death: c.death_date ?? '',
            disabledAtEnd: disabledAt(registryDisability.get(c.id), w.end),
          }))
          .sort((a, b) => a.id - b.id),
      };
    };
  });
  after(async () => {
    await test.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Screens a programme and compares it with the truth; returns the comparison for the asserts. */
  async function compare(programmeId: string) {
    const policy = POLICIES[programmeId]!;
    const w = policy.window;
    const screen = await screenEligible(test.database.db, {
      countyCode: COUNTY,
      programmeId,
      period: policy.period,
    });
    const found = new Set(screen.candidates.map((c) => truthOf.get(c.personId)!));
    const expected = new Set<number>();
    const describedWrongly = new Set<number>();
    for (const [truthId, recordId] of recordOf) {
      const truth = truthFacts(truthId, w);
      if (policy.eligible(truth, w)) expected.add(truthId);
      const registry = await registryFacts(recordId, w);
      if (JSON.stringify(truth) !== JSON.stringify(registry)) describedWrongly.add(truthId);
    }
    const missed = [...expected].filter((id) => !found.has(id) && !describedWrongly.has(id));
    const ineligible = [...found].filter((id) => !expected.has(id) && !describedWrongly.has(id));
    const unjudgeable = [...new Set([...expected, ...found])].filter((id) => describedWrongly.has(id));
    const agreed = [...expected].filter((id) => found.has(id) && !describedWrongly.has(id));
    console.log(
      `${programmeId} ${policy.period}: truly eligible ${expected.size}, screened ${found.size} ` +
        `(${screen.candidates.length} records), agreed ${agreed.length}, missed ${missed.length}, ` +
        `ineligible ${ineligible.length}; the registry describes ${unjudgeable.length} of these families wrongly ` +
        `(a child unregistered or unlinked, an event unreported, a wrong date)`,
    );
    return { screen, expected, found, missed, ineligible, unjudgeable, agreed };
  }

  for (const programmeId of ['rural-reward-assistance', 'retirement-reward']) {
    it(`the ${programmeId} screen finds every eligible parent the registry describes, and no ineligible one`, async () => {
      const r = await compare(programmeId);
      assert.ok(r.agreed.length >= 20, `a real test needs eligible parents (${r.agreed.length})`);
      assert.deepEqual(r.missed, [], 'no eligible parent missed');
      assert.deepEqual(r.ineligible, [], 'no ineligible person listed');
      assert.ok(
        r.unjudgeable.length * 5 <= r.expected.size,
        `families the registry describes wrongly stay few (${r.unjudgeable.length} of ${r.expected.size})`,
      );
      assert.equal(r.screen.candidates.length, r.found.size, 'each person listed once');
    });
  }

  it('the special-assistance screens find the parents whose only child died or is disabled, and none else', async () => {
    const parentsOf = (children: number[]) =>
      new Set(
        [...recordOf.keys()].filter((id) =>
          truthFacts(id, POLICIES['special-assistance-death']!.window).children.some((c) =>
            children.includes(c.id),
          ),
        ),
      );
    const died = await compare('special-assistance-death');
    const disabled = await compare('special-assistance-disability');
    const condolence = await compare('condolence-payment');
    for (const r of [died, disabled, condolence]) {
      assert.deepEqual(r.missed, []);
      assert.deepEqual(r.ineligible, []);
      assert.ok(r.unjudgeable.length * 5 <= Math.max(r.expected.size, 5));
    }
    // The families the test made: each listed; the decoys' parents in none of the lists.
    const bereaved = parentsOf(injected.onlyChildDied);
    const carers = parentsOf(injected.onlyChildDisabled);
    const decoyParents = parentsOf(injected.decoys);
    assert.ok(bereaved.size >= 4 && carers.size >= 4, `${bereaved.size} bereaved, ${carers.size} carers`);
    assert.ok([...bereaved].filter((id) => died.found.has(id)).length >= 4, 'bereaved parents are found');
    assert.ok([...carers].filter((id) => disabled.found.has(id)).length >= 4, 'carers are found');
    for (const id of decoyParents) {
      assert.ok(
        !died.found.has(id) && !disabled.found.has(id) && !condolence.found.has(id),
        `decoy parent ${id}`,
      );
    }
    assert.ok(
      [...bereaved, ...carers].filter((id) => condolence.found.has(id)).length >= 8,
      'the condolence payment reaches both kinds of family',
    );
  });

  it('enrolling each screen and approving it approves no ineligible person; an ineligible application is refused', async () => {
    for (const [programmeId, policy] of Object.entries(POLICIES)) {
      const enrolled = await enrolFromScreen(ctx, { countyCode: COUNTY, programmeId, period: policy.period });
      assert.equal(enrolled.failed, 0, programmeId);
      await decideMany(ctx, { countyCode: COUNTY, programmeId, action: 'review' });
      await decideMany(ctx, { countyCode: COUNTY, programmeId, action: 'approve' });
      const approved = await test.database.db
        .selectFrom('entitlement')
        .select('person_id')
        .where('programme_id', '=', programmeId)
        .where('status', '=', 'approved')
        .execute();
      assert.equal(approved.length, enrolled.applied);
      for (const { person_id } of approved) {
        const truthId = truthOf.get(person_id)!;
        const truth = truthFacts(truthId, policy.window);
        const registry = await registryFacts(person_id, policy.window);
        if (JSON.stringify(truth) === JSON.stringify(registry)) {
          assert.ok(
            policy.eligible(truth, policy.window),
            `${programmeId}: approved person ${person_id} is eligible`,
          );
        }
      }
    }
    // A parent of two whose child died is not an only-child family.
    const decoyParent = [...recordOf.keys()].find((id) =>
      truthFacts(id, POLICIES['special-assistance-death']!.window).children.some(
        (c) => c.id === injected.decoys[2],
      ),
    )!;
    await assert.rejects(
      applyForBenefit(ctx, {
        programmeId: 'special-assistance-death',
        personId: recordOf.get(decoyParent)!,
        period: '2025-12',
      }),
      (error: unknown) =>
        error instanceof AppError &&
        error.issues.some(
          (i) => i.code === 'not_eligible' && i.message.en === 'Not eligible: the only child died',
        ),
    );
  });
});
