import type { Kysely } from 'kysely';
import type { Schema, Sex } from '../../src/db/schema.ts';
import { composeResidentId } from '../../src/domain/resident-id.ts';
import { initCounty } from '../../src/org/init-county.ts';
import type { CommandContext } from '../../src/registry/context.ts';
import { registerMoveIn } from '../../src/registry/index.ts';

/** A fixed "today" so date rules never depend on the calendar the tests run on. */
export const TODAY = '2025-12-31';
/** Two real villages of 华亭市 (东华镇: 东华社区, 北河村). */
export const VILLAGE = '620881100001';
export const OTHER_VILLAGE = '620881100202';

let sequence = 100;

/** A valid ID number for a person born in 华亭市 on `birthDate` with `sex`. */
export function makeIdNumber(birthDate: string, sex: Sex): string {
  sequence += 1;
  const seq = sex === 'male' ? sequence * 2 + 1 : sequence * 2;
  return composeResidentId('620881', birthDate, seq % 1000 || 2);
}

export async function loadHuating(db: Kysely<Schema>) {
  await initCounty(db, '620881');
}

export function contextFor(db: Kysely<Schema>, user = 'tester'): CommandContext {
  return { db, actor: { id: user }, today: TODAY };
}

/** Adds an adult to the registry (as a registered resident who moved in), returning the person. */
export async function addAdult(
  context: CommandContext,
  values: { name: string; sex: Sex; birthDate: string; orgCode?: string; moveDate?: string },
) {
  const result = await registerMoveIn(context, {
    person: {
      name: values.name,
      sex: values.sex,
      birthDate: values.birthDate,
      idNumber: makeIdNumber(values.birthDate, values.sex),
      maritalStatus: 'single',
    },
    orgCode: values.orgCode ?? VILLAGE,
    residenceType: 'registered',
    moveDate: values.moveDate ?? '2015-01-01',
  });
  return result.person;
}
