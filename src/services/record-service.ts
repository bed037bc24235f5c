import { type Insertable, sql } from 'kysely';
import type { ServiceRecordTable } from '../db/tables/benefits.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { type CommandContext, type Tx, todayOf } from '../registry/context.ts';
import { findServiceKind } from './service-kinds.ts';
import {
  findServicePersons,
  type PersonFacts,
  personOf,
  type ServicePersons,
  unitOfPerson,
  villageOn,
} from './service-persons.ts';

export interface ServiceInput {
  kind: string;
  /** The person who received the service: a registry id, or their ID number. */
  personId?: number | null;
  idNumber?: string | null;
  /** The spouse (couple checks) or the newborn (postpartum visit): registry id or ID number. */
  relatedPersonId?: number | null;
  relatedIdNumber?: string | null;
  serviceDate: string;
  provider: string;
  outcomeCode: string;
  /** The person's consent to the service and its record; required. */
  consent: boolean | null | undefined;
  /** Contraceptive supplies only: units dispensed. */
  quantity?: number | null;
  source?: string;
  importKey?: string | null;
}

/** One record's quantity at most (a year's supply for a family is far less). */
const MAX_QUANTITY = 10_000;
const MAX_PROVIDER = 100;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const notInRegistry = (field: string) =>
  fieldIssue(
    'person_not_found',
    field,
    '登记库中没有此人（请先核对身份证号或办理人口登记）',
    'This person is not in the registry (check the ID number, or register the person first)',
  );

/**
 * A person found in the county who does not live in the unit the records are entered for: said
 * without where they live (the caller may not read that), and nothing else is said of them.
 */
const outsideUnit = (field: string, unit: string) =>
  fieldIssue(
    'outside_units',
    field,
    `此人现住地不在本次导入的单位（${unit}）内，不能在此记录其服务（请由其所在单位或县级导入）`,
    `This person does not live in ${unit}, the unit this import is for, so their services cannot be recorded here (their own unit or the county can import them)`,
  );

/** What a check finds: the row to insert, or every field issue (in zh-CN and en). */
export type CheckedService =
  | { ok: true; row: Insertable<ServiceRecordTable> }
  | { ok: false; issues: FieldIssue[] };

/**
 * Checks one service record against the registry and the rules of its kind; returns the row to
 * insert, or every field issue found (in zh-CN and en).
 */
export async function checkService(
  db: Tx,
  countyCode: string,
  input: ServiceInput,
  today: string,
): Promise<CheckedService> {
  const persons = await findServicePersons(db, countyCode, {
    ids: [input.personId, input.relatedPersonId].filter((id) => id != null),
    idNumbers: [input.idNumber, input.relatedIdNumber].filter((n) => !!n) as string[],
  });
  return checkServiceAgainst(persons, countyCode, input, today);
}

/**
 * The rules of a service record, held against persons already looked up (findServicePersons):
 * one record's, or a whole import chunk's at once. The one implementation of the rules, for
 * entry and import alike. With a `unit` (an import for a township or village), a person who does
 * not live in it (unitOfPerson: the unit a single entry's access check judges) is refused as
 * `outside_units`, and none of the rules that would tell something of them (sex, birth, death) is
 * held against them.
 */
export function checkServiceAgainst(
  persons: ServicePersons,
  countyCode: string,
  input: ServiceInput,
  today: string,
  unit?: string,
): CheckedService {
  const issues: FieldIssue[] = [];
  const info = findServiceKind(input.kind);
  if (!info) {
    issues.push(
      fieldIssue(
        'unknown_kind',
        'kind',
        `没有这种服务：${input.kind}`,
        `Unknown service kind: ${input.kind}`,
      ),
    );
  }
  if (input.consent !== true) {
    issues.push(
      fieldIssue(
        'consent_required',
        'consent',
        '没有本人知情同意，不能记录此服务',
        'The service cannot be recorded without the person’s informed consent',
      ),
    );
  }
  const date = input.serviceDate?.trim() ?? '';
  const dateOk = isCalendarDate(date);
  if (!dateOk) {
    issues.push(
      fieldIssue('invalid_date', 'serviceDate', '服务日期应为 YYYY-MM-DD', 'Service date must be YYYY-MM-DD'),
    );
  } else if (date > today) {
    issues.push(
      fieldIssue(
        'future_date',
        'serviceDate',
        '服务日期不能晚于今天',
        'The service date cannot be in the future',
      ),
    );
  }
  if (!input.provider?.trim()) {
    issues.push(
      fieldIssue('required', 'provider', '请填写服务机构', 'Give the provider (the institution that served)'),
    );
  } else if (CONTROL_CHARACTERS.test(input.provider)) {
    // A broken export (a NUL the database cannot store, a stray line break): never stored as is.
    issues.push(
      fieldIssue(
        'invalid_characters',
        'provider',
        '服务机构名称中有不可见的控制字符，请核对后重新填写',
        'The provider has invisible control characters in it; check it and enter it again',
      ),
    );
  } else if (input.provider.trim().length > MAX_PROVIDER) {
    issues.push(
      fieldIssue(
        'too_long',
        'provider',
        `服务机构名称过长（最多 ${MAX_PROVIDER} 字）`,
        `The provider's name is too long (max ${MAX_PROVIDER})`,
      ),
    );
  }
  if (info && !(input.outcomeCode in info.outcomes)) {
    issues.push(
      fieldIssue(
        'unknown_outcome',
        'outcomeCode',
        `结果代码应为：${Object.keys(info.outcomes).join('、')}`,
        `Outcome code must be one of: ${Object.keys(info.outcomes).join(', ')}`,
      ),
    );
  }
  if (info?.quantity) {
    if (!Number.isInteger(input.quantity) || (input.quantity ?? 0) < 1) {
      issues.push(
        fieldIssue(
          'required',
          'quantity',
          '请填写发放数量（正整数）',
          'Give the quantity dispensed (a whole number ≥ 1)',
        ),
      );
    } else if (input.quantity! > MAX_QUANTITY) {
      issues.push(
        fieldIssue(
          'too_large',
          'quantity',
          `发放数量过大（一次最多 ${MAX_QUANTITY}）`,
          `The quantity is too large (at most ${MAX_QUANTITY} at a time)`,
        ),
      );
    }
  } else if (input.quantity != null) {
    issues.push(
      fieldIssue(
        'not_allowed',
        'quantity',
        '只有避孕药具发放才填写数量',
        'Only contraceptive supplies have a quantity',
      ),
    );
  }

  const personField = input.personId != null ? 'personId' : 'idNumber';
  const found = personOf(persons, input.personId, input.idNumber);
  // Org codes nest by prefix (620881 ⊃ 620881100 ⊃ 620881100001), as the access check reads them.
  const outside = found !== undefined && unit !== undefined && !unitOfPerson(found).startsWith(unit);
  const person = outside ? undefined : found;
  if (outside) {
    issues.push(outsideUnit(personField, unit!));
  } else if (!person) {
    issues.push(
      input.personId == null && !input.idNumber
        ? fieldIssue('required', 'personId', '请指定服务对象', 'Name the person who received the service')
        : notInRegistry(personField),
    );
  } else if (dateOk) {
    if (date < person.birth_date) {
      issues.push(
        fieldIssue(
          'before_birth',
          'serviceDate',
          '服务日期早于此人出生',
          'The service date is before the person was born',
        ),
      );
    }
    if (person.death_date && date > person.death_date) {
      issues.push(
        fieldIssue(
          'after_death',
          'serviceDate',
          `此人已于 ${person.death_date} 死亡`,
          `The person died on ${person.death_date}`,
        ),
      );
    }
    if (info?.womenOnly && person.sex !== 'female') {
      issues.push(
        fieldIssue(
          'women_only',
          'kind',
          `${info.name['zh-CN']}只适用于女性`,
          `${info.name.en} is for women only`,
        ),
      );
    }
    if (info?.kind === 'newborn_screening' && date > addYear(person.birth_date)) {
      issues.push(
        fieldIssue(
          'not_newborn',
          'serviceDate',
          '新生儿筛查应在出生后一年内',
          'Newborn screening is within the first year of life',
        ),
      );
    }
  }

  let related: PersonFacts | undefined;
  const relatedGiven = input.relatedPersonId != null || !!input.relatedIdNumber;
  const relatedField = input.relatedPersonId != null ? 'relatedPersonId' : 'relatedIdNumber';
  if (relatedGiven) {
    related = personOf(persons, input.relatedPersonId, input.relatedIdNumber);
    if (!related) issues.push(notInRegistry(relatedField));
    else if (!info?.related) {
      issues.push(
        fieldIssue('not_allowed', relatedField, '此服务不关联其他人', 'This service has no related person'),
      );
    }
  } else if (info?.relatedRequired) {
    issues.push(
      fieldIssue(
        'required',
        'relatedPersonId',
        '请指定新生儿',
        'Name the newborn this postpartum visit was for',
      ),
    );
  }
  if (person && related && info?.related === 'newborn') {
    if (related.mother_id !== null && related.mother_id !== person.id) {
      issues.push(
        fieldIssue(
          'not_mother',
          relatedField,
          '登记库中此婴儿的母亲不是此人',
          'The registry names another mother for this child',
        ),
      );
    }
    if (dateOk && date < related.birth_date) {
      issues.push(
        fieldIssue(
          'before_birth',
          'serviceDate',
          `产后访视日期早于婴儿出生日期（${related.birth_date}）`,
          `The postpartum visit is dated before the birth (${related.birth_date})`,
        ),
      );
    }
  }
  if (person && related && info?.related === 'spouse' && related.id === person.id) {
    issues.push(
      fieldIssue('same_person', relatedField, '配偶不能是本人', 'The spouse cannot be the person themselves'),
    );
  }
  if (issues.length > 0 || !person || !info) return { ok: false, issues };
  return {
    ok: true,
    row: {
      county_code: countyCode,
      kind: info.kind,
      person_id: person.id,
      related_person_id: related?.id ?? null,
      service_date: date,
      provider: input.provider.trim(),
      outcome_code: input.outcomeCode,
      consent: true,
      quantity: info.quantity ? (input.quantity ?? null) : null,
      org_code: villageOn(person, date),
      source: input.source ?? 'entry',
      import_key: input.importKey ?? null,
      entered_by: '',
    },
  };
}

function addYear(date: string): string {
  return `${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;
}

/** Records one service a person received; refuses it with field-level issues. */
export async function recordService(context: CommandContext & { countyCode: string }, input: ServiceInput) {
  const checked = await checkService(context.db, context.countyCode, input, todayOf(context));
  if (!checked.ok) throw invalidInput(checked.issues);
  const row = await context.db
    .insertInto('service_record')
    .values({ ...checked.row, entered_by: context.actor.id })
    .returning(['id', 'kind', 'person_id', 'service_date', 'org_code'])
    .executeTakeFirstOrThrow();
  return row;
}

/** The longest reason a void keeps (the registry's voids take as much). */
const MAX_VOID_REASON = 500;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A voided service record, as voidService answers it. */
export interface VoidedService {
  id: number;
  kind: string;
  person_id: number;
  service_date: string;
  org_code: string;
  voided: boolean;
  void_reason: string | null;
  voided_by: string | null;
  voided_at: string | null;
}

/** The reason of a void: required, at most MAX_VOID_REASON characters, no control characters. */
function checkVoidReason(reason: unknown): FieldIssue | undefined {
  if (typeof reason !== 'string' || reason.trim() === '') {
    return fieldIssue('required', 'reason', '请填写作废原因', 'Give the reason for voiding');
  }
  if (reason.trim().length > MAX_VOID_REASON) {
    return fieldIssue(
      'too_long',
      'reason',
      `作废原因过长（最多 ${MAX_VOID_REASON} 字）`,
      `The reason is too long (max ${MAX_VOID_REASON})`,
    );
  }
  if (CONTROL_BUT_LINE_BREAKS.test(reason)) {
    return fieldIssue(
      'invalid_characters',
      'reason',
      '作废原因中有不可见的控制字符，请删去后重试',
      'The reason has invisible control characters in it; remove them and try again',
    );
  }
  return undefined;
}

/**
 * Voids a mistaken service record (a wrong person, a wrong date, a service that never happened),
 * keeping it with the reason, who voided it and when: nothing is hard-deleted, and a voided
 * record counts nowhere (the list, the coverage indicators). Its import key stays with it, so the
 * row it was imported from is still recognised; a corrected row under the same record number is
 * written as its correction (import-services.ts). One UPDATE of a live record, so two voids of the
 * same record cannot both succeed: the second is `conflict` (already voided) — which is why a void
 * needs no version to compare (a live record has no other change to lose). Refuses an empty
 * reason (`reason`), a record that is not there (`not_found`, `id`) and one voided already
 * (`conflict`, `id`, issue `already_voided`).
 */
export async function voidService(
  context: CommandContext,
  id: number,
  reason: string,
): Promise<VoidedService> {
  const issue = checkVoidReason(reason);
  if (issue) throw invalidInput([issue]);
  const voided = await context.db
    .updateTable('service_record')
    .set({
      voided: true,
      void_reason: reason.trim(),
      voided_by: context.actor.id,
      voided_at: sql<string>`now()`,
    })
    .where('id', '=', id)
    .where('voided', '=', false)
    .returning([
      'id',
      'kind',
      'person_id',
      'service_date',
      'org_code',
      'voided',
      'void_reason',
      'voided_by',
      'voided_at',
    ])
    .executeTakeFirst();
  if (voided) return voided;
  const before = await context.db
    .selectFrom('service_record')
    .select(['voided', 'voided_at', 'void_reason'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!before) {
    throw new AppError('not_found', text(`没有服务记录 ${id}`, `No service record ${id}`), { field: 'id' });
  }
  const when = before.voided_at ? before.voided_at.slice(0, 10) : undefined;
  const already = fieldIssue(
    'already_voided',
    'id',
    `服务记录 ${id} 已${when ? `于 ${when} ` : ''}作废（原因：${before.void_reason ?? '—'}），不能再次作废`,
    `Service record ${id} was voided already${when ? ` on ${when}` : ''} (reason: ${before.void_reason ?? '—'})`,
  );
  throw new AppError('conflict', already.message, { field: 'id', issues: [already] });
}
