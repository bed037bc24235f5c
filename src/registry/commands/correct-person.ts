import { AppError, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { checkDate, checkOneOf, checkPersonName, checkRequiredText } from '../../domain/person-rules.ts';
import { type CommandContext, todayOf } from '../context.ts';
import { checkPersonIdNumber } from '../id-number.ts';
import { assertEditable, getPersonRow, type PersonPatch, updatePerson } from '../person-store.ts';
import {
  assertIdNumberFree,
  HUKOU_TYPE_LABEL,
  HUKOU_TYPES,
  MARITAL_STATUS_LABEL,
  MARITAL_STATUSES,
  pinyinColumns,
  SEX_LABEL,
  SEXES,
  throwIfIssues,
} from './shared.ts';

/** The fields a correction may change, with the column each maps to. Status, death and residence change only through events. */
export const CORRECTABLE_FIELDS = {
  name: 'name',
  sex: 'sex',
  birthDate: 'birth_date',
  idNumber: 'id_number',
  ethnicity: 'ethnicity',
  hukouType: 'hukou_type',
  maritalStatus: 'marital_status',
  phone: 'phone',
  relationToHead: 'relation_to_head',
} as const;
export type CorrectableField = keyof typeof CORRECTABLE_FIELDS;

export interface CorrectPersonInput {
  personId: number;
  /** The version the user saw: a correction never overwrites an edit it has not seen. */
  expectedVersion: number;
  changes: Partial<Record<CorrectableField, string | null>>;
  reason: string;
}

/** Corrects one or more fields of a person, with a reason; re-checks the ID number against the corrected record. */
export async function correctPerson(context: CommandContext, input: CorrectPersonInput) {
  const today = todayOf(context);
  const issues: (FieldIssue | undefined)[] = [
    checkRequiredText(input.reason, 'reason', { zh: '更正原因', en: 'Reason' }, 500),
  ];
  if (typeof input.expectedVersion !== 'number') {
    issues.push(
      fieldIssue('required', 'expectedVersion', '缺少记录版本号', 'The record version is required'),
    );
  }
  const entries = Object.entries(input.changes ?? {}) as [string, string | null][];
  if (entries.length === 0)
    issues.push(fieldIssue('required', 'changes', '没有要更正的字段', 'Nothing to correct'));
  for (const [field] of entries) {
    if (!(field in CORRECTABLE_FIELDS)) {
      issues.push(
        fieldIssue(
          'not_correctable',
          `changes.${field}`,
          `字段 ${field} 不能直接更正`,
          `Field ${field} cannot be corrected directly`,
        ),
      );
    }
  }
  throwIfIssues(issues);

  return context.db.transaction().execute(async (trx) => {
    const before = await getPersonRow(trx, input.personId, true);
    assertEditable(before);
    if (before.version !== input.expectedVersion) {
      throw new AppError(
        'conflict',
        text(
          `此人员记录已被他人修改（你看到的是第 ${input.expectedVersion} 版，现在是第 ${before.version} 版）。请刷新后重试。`,
          `This person was changed by someone else (you saw version ${input.expectedVersion}, it is now ${before.version}). Reload and try again.`,
        ),
        {
          field: 'expectedVersion',
          details: { expectedVersion: input.expectedVersion, currentVersion: before.version },
        },
      );
    }
    const patch: PersonPatch = {};
    const checks: (FieldIssue | undefined)[] = [];
    const c = input.changes;
    if (c.name !== undefined) {
      checks.push(checkPersonName(c.name, 'changes.name'));
      if (c.name) Object.assign(patch, { name: c.name.trim(), ...pinyinColumns(c.name.trim()) });
    }
    if (c.sex !== undefined) {
      checks.push(checkOneOf(c.sex, SEXES, 'changes.sex', SEX_LABEL));
      patch.sex = c.sex as 'male' | 'female';
    }
    if (c.birthDate !== undefined) {
      checks.push(checkDate(c.birthDate, 'changes.birthDate', { zh: '出生日期', en: 'Birth date' }));
      if (c.birthDate && c.birthDate > today) {
        checks.push(
          fieldIssue(
            'date_in_future',
            'changes.birthDate',
            '出生日期不能晚于今天',
            'Birth date cannot be in the future',
          ),
        );
      }
      patch.birth_date = c.birthDate ?? before.birth_date;
    }
    if (c.hukouType !== undefined && c.hukouType !== null) {
      checks.push(checkOneOf(c.hukouType, HUKOU_TYPES, 'changes.hukouType', HUKOU_TYPE_LABEL));
      patch.hukou_type = c.hukouType as 'rural' | 'urban';
    }
    if (c.maritalStatus !== undefined && c.maritalStatus !== null) {
      checks.push(
        checkOneOf(c.maritalStatus, MARITAL_STATUSES, 'changes.maritalStatus', MARITAL_STATUS_LABEL),
      );
      patch.marital_status = c.maritalStatus as 'single';
    }
    if (c.ethnicity !== undefined) patch.ethnicity = c.ethnicity;
    if (c.phone !== undefined) {
      if (c.phone && !/^[0-9+\- ]{5,20}$/.test(c.phone)) {
        checks.push(
          fieldIssue(
            'invalid_phone',
            'changes.phone',
            `电话号码格式不对：${c.phone}`,
            `Not a phone number: ${c.phone}`,
          ),
        );
      }
      patch.phone = c.phone;
    }
    if (c.relationToHead !== undefined) patch.relation_to_head = c.relationToHead;
    throwIfIssues(checks);
    // The ID number must agree with the record as it will be after the correction.
    const sex = patch.sex ?? before.sex;
    const birthDate = patch.birth_date ?? before.birth_date;
    const idValue = c.idNumber !== undefined ? c.idNumber : before.id_number;
    const id = checkPersonIdNumber(
      idValue,
      c.idNumber !== undefined ? 'changes.idNumber' : 'idNumber',
      { sex, birthDate },
      today,
    );
    throwIfIssues(id.issues);
    if (c.idNumber !== undefined) {
      await assertIdNumberFree(trx, before.county_code, id.idNumber, 'changes.idNumber', before.id);
      patch.id_number = id.idNumber;
    }
    const after = await updatePerson(trx, before, input.expectedVersion, patch, {
      actor: context.actor,
      kind: 'correction',
      reason: input.reason.trim(),
    });
    return { person: after };
  });
}
