import type { HukouType } from '../../db/schema.ts';
import { AppError, type FieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkOneOf, checkRequiredText } from '../../domain/person-rules.ts';
import type { CommandContext } from '../context.ts';
import { checkVillage } from '../residence.ts';
import { throwIfIssues } from './shared.ts';

export interface CreateHouseholdInput {
  householdNo: string;
  orgCode: string;
  address?: string | null;
  hukouType?: HukouType | null;
}

/** Registers a household in a village; the household number is unique within the county. */
export async function createHousehold(context: CommandContext, input: CreateHouseholdInput) {
  const issues: (FieldIssue | undefined)[] = [
    checkRequiredText(input.householdNo, 'householdNo', { zh: '户号', en: 'Household number' }, 40),
  ];
  if (input.hukouType != null) {
    issues.push(
      checkOneOf(input.hukouType, ['rural', 'urban'] as const, 'hukouType', {
        zh: '户口性质',
        en: 'Hukou type',
      }),
    );
  }
  throwIfIssues(issues);
  return context.db.transaction().execute(async (trx) => {
    const village = await checkVillage(trx, input.orgCode, 'orgCode');
    if ('code' in village) throwIfIssues([village]);
    const countyCode = (village as { county: string }).county;
    const existing = await trx
      .selectFrom('household')
      .select('id')
      .where('county_code', '=', countyCode)
      .where('household_no', '=', input.householdNo.trim())
      .executeTakeFirst();
    if (existing) {
      throw new AppError(
        'duplicate',
        text(`户号 ${input.householdNo} 已存在`, `Household ${input.householdNo} already exists`),
        {
          field: 'householdNo',
          details: { existingHouseholdId: existing.id },
        },
      );
    }
    return trx
      .insertInto('household')
      .values({
        county_code: countyCode,
        household_no: input.householdNo.trim(),
        org_code: input.orgCode,
        address: input.address ?? null,
        hukou_type: input.hukouType ?? null,
        created_by: context.actor.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
