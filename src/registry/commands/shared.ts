import { sql } from 'kysely';
import type { HukouType, MaritalStatus, ResidenceType, Sex } from '../../db/schema.ts';
import { AppError, type FieldIssue, invalidInput } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { nameKeys } from '../../domain/pinyin.ts';
import type { Tx } from '../context.ts';

/** Throws the collected field issues as one invalid_input error, if there are any. */
export function throwIfIssues(issues: (FieldIssue | undefined)[]) {
  const real = issues.filter((issue): issue is FieldIssue => issue !== undefined);
  if (real.length > 0) throw invalidInput(real);
}

/** The pinyin columns stored beside a name. */
export function pinyinColumns(name: string): { name_pinyin: string; name_initials: string } {
  const keys = nameKeys(name);
  return { name_pinyin: keys.pinyin, name_initials: keys.initials };
}

/** Refuses an ID number that a live record in the county already has, pointing at that record. */
export async function assertIdNumberFree(
  db: Tx,
  countyCode: string,
  idNumber: string | null,
  field: string,
  exceptPersonId?: number,
) {
  if (!idNumber) return;
  let query = db
    .selectFrom('person')
    .select(['id', 'name'])
    .where('county_code', '=', countyCode)
    .where('id_number', '=', idNumber)
    .where('status', 'not in', ['voided', 'merged']);
  if (exceptPersonId !== undefined) query = query.where('id', '<>', exceptPersonId);
  const existing = await query.executeTakeFirst();
  if (existing) {
    throw new AppError(
      'duplicate',
      text(
        `身份证号 ${idNumber} 已登记在人员 ${existing.id}（${existing.name}）名下`,
        `ID number ${idNumber} is already registered to person ${existing.id}`,
      ),
      {
        field,
        issues: [
          {
            code: 'duplicate_id_number',
            field,
            message: text(
              `身份证号已登记：人员 ${existing.id}`,
              `ID number already registered: person ${existing.id}`,
            ),
          },
        ],
        details: { existingPersonId: existing.id },
      },
    );
  }
}

/** A person who is not alive in the registry cannot take part in a new event. */
export function deadIssue(field: string, deathDate: string): FieldIssue {
  return {
    code: 'person_dead',
    field,
    message: text(`此人已于 ${deathDate} 死亡`, `This person died on ${deathDate}`),
  };
}

/** Live births to this mother so far, for the child's birth order. */
export async function countChildren(db: Tx, countyCode: string, motherId: number): Promise<number> {
  const row = await db
    .selectFrom('person')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('county_code', '=', countyCode)
    .where('mother_id', '=', motherId)
    .where('status', 'not in', ['voided', 'merged'])
    .executeTakeFirstOrThrow();
  return row.n;
}

export const SEXES: readonly Sex[] = ['male', 'female'];
export const SEX_LABEL = { zh: '性别', en: 'Sex' };
/** The values the person table's check constraints allow: anything else is refused at its field first. */
export const RESIDENCE_TYPES: readonly ResidenceType[] = ['registered', 'resident', 'inflow', 'outflow'];
export const RESIDENCE_TYPE_LABEL = { zh: '人口类型', en: 'Residence type' };
export const HUKOU_TYPES: readonly HukouType[] = ['rural', 'urban'];
export const HUKOU_TYPE_LABEL = { zh: '户口性质', en: 'Hukou type' };
export const MARITAL_STATUSES: readonly MaritalStatus[] = ['single', 'married', 'divorced', 'widowed'];
export const MARITAL_STATUS_LABEL = { zh: '婚姻状况', en: 'Marital status' };
