import type { ResidenceType } from '../db/schema.ts';
import { AppError, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { shown, text } from '../domain/i18n.ts';
import type { Tx } from './context.ts';

/** Checks that a code names a village/community loaded in the registry, and returns its county. */
export async function checkVillage(
  db: Tx,
  code: unknown,
  field: string,
): Promise<FieldIssue | { county: string }> {
  if (typeof code !== 'string' || !/^\d{12}$/.test(code)) {
    return fieldIssue(
      'invalid_village',
      field,
      `请填写 12 位村（居）代码：${shown(code ?? '')}`,
      `A 12-digit village/community code is required: ${shown(code ?? '', 'en')}`,
    );
  }
  const unit = await db
    .selectFrom('org_unit')
    .select(['code', 'county_code'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!unit) {
    return fieldIssue(
      'unknown_village',
      field,
      `没有代码为 ${code} 的村（居）`,
      `No village/community with code ${code}`,
    );
  }
  return { county: unit.county_code! };
}

/**
 * Checks that a household id names a household of the county (the person's household is a
 * foreign key: an id that is not there would fail at the insert).
 */
export async function checkHousehold(
  db: Tx,
  countyCode: string,
  id: unknown,
  field: string,
): Promise<FieldIssue | undefined> {
  if (id === undefined || id === null) return undefined;
  const row =
    typeof id === 'number' && Number.isSafeInteger(id) && id > 0
      ? await db
          .selectFrom('household')
          .select('id')
          .where('county_code', '=', countyCode)
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
  if (row) return undefined;
  return fieldIssue(
    'unknown_household',
    field,
    `本县没有编号为 ${shown(id)} 的户`,
    `No household ${shown(id, 'en')} in this county`,
  );
}

/** Opens a residence spell from `from`; the person's denormalised current unit follows. */
export async function openSpell(
  db: Tx,
  spell: {
    countyCode: string;
    personId: number;
    orgCode: string;
    residenceType: ResidenceType;
    from: string;
    householdId?: number | null;
  },
) {
  await db
    .insertInto('residence_spell')
    .values({
      county_code: spell.countyCode,
      person_id: spell.personId,
      org_code: spell.orgCode,
      residence_type: spell.residenceType,
      valid_from: spell.from,
      valid_to: null,
      household_id: spell.householdId ?? null,
    })
    .execute();
}

/** Closes the person's open spell at `to` (exclusive). A spell that would be empty is an error. */
export async function closeOpenSpell(
  db: Tx,
  countyCode: string,
  personId: number,
  to: string,
  field: string,
) {
  const open = await db
    .selectFrom('residence_spell')
    .select(['id', 'valid_from', 'org_code', 'residence_type'])
    .where('county_code', '=', countyCode)
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .where('voided', '=', false)
    .executeTakeFirst();
  if (!open) return undefined;
  if (to <= open.valid_from) {
    throw new AppError(
      'invalid_input',
      text(
        `日期 ${to} 不晚于当前居住记录的开始日期 ${open.valid_from}`,
        `Date ${to} is not after the start of the current residence (${open.valid_from})`,
      ),
      {
        field,
        issues: [
          fieldIssue(
            'date_before_residence',
            field,
            `日期须晚于 ${open.valid_from}`,
            `Date must be after ${open.valid_from}`,
          ),
        ],
      },
    );
  }
  await db
    .updateTable('residence_spell')
    .set({ valid_to: to })
    .where('county_code', '=', countyCode)
    .where('id', '=', open.id)
    .execute();
  return open;
}
