import { ageOn, isCalendarDate } from './dates.ts';
import { type FieldIssue, fieldIssue } from './errors.ts';
import { shown } from './i18n.ts';

/** Ages within which a birth to a mother or father is plausible; outside them the entry is almost surely wrong. */
export const MOTHER_AGE = { min: 13, max: 55 } as const;
export const FATHER_AGE = { min: 15, max: 80 } as const;
/** Legal minimum marriage age (Civil Code art. 1047). */
export const MARRIAGE_AGE = { male: 22, female: 20 } as const;

/** A calendar date, present and well formed. */
export function checkDate(
  value: unknown,
  field: string,
  label: { zh: string; en: string },
): FieldIssue | undefined {
  if (typeof value !== 'string' || value === '') {
    return fieldIssue('required', field, `请填写${label.zh}`, `${label.en} is required`);
  }
  if (!isCalendarDate(value)) {
    return fieldIssue(
      'invalid_date',
      field,
      `${label.zh}不是有效日期（应为 YYYY-MM-DD）：${value}`,
      `${label.en} is not a valid date (YYYY-MM-DD): ${value}`,
    );
  }
  return undefined;
}

export interface EventDateContext {
  today: string;
  birthDate?: string | undefined;
  deathDate?: string | null | undefined;
}

/** An event date: a real date, not in the future, not before the person's birth, not after their death. */
export function checkEventDate(
  value: unknown,
  field: string,
  context: EventDateContext,
  label = { zh: '事件日期', en: 'Event date' },
): FieldIssue[] {
  const shape = checkDate(value, field, label);
  if (shape) return [shape];
  const date = value as string;
  if (date > context.today) {
    return [
      fieldIssue(
        'date_in_future',
        field,
        `${label.zh}不能晚于今天：${date}`,
        `${label.en} cannot be in the future: ${date}`,
      ),
    ];
  }
  if (context.birthDate && date < context.birthDate) {
    return [
      fieldIssue(
        'date_before_birth',
        field,
        `${label.zh} ${date} 早于出生日期 ${context.birthDate}`,
        `${label.en} ${date} is before the birth date ${context.birthDate}`,
      ),
    ];
  }
  if (context.deathDate && date > context.deathDate) {
    return [
      fieldIssue(
        'event_after_death',
        field,
        `此人已于 ${context.deathDate} 死亡，不能登记之后的事件`,
        `This person died on ${context.deathDate}; no event can follow`,
      ),
    ];
  }
  return [];
}

/** A report date: a real date, not before the event, not in the future. Defaults to today when absent. */
export function checkReportDate(
  value: unknown,
  eventDate: string,
  today: string,
  field = 'reportDate',
): FieldIssue[] {
  if (value === undefined || value === null || value === '') return [];
  const shape = checkDate(value, field, { zh: '报告日期', en: 'Report date' });
  if (shape) return [shape];
  const date = value as string;
  if (date > today) {
    return [
      fieldIssue(
        'date_in_future',
        field,
        `报告日期不能晚于今天：${date}`,
        `Report date cannot be in the future: ${date}`,
      ),
    ];
  }
  if (date < eventDate) {
    return [
      fieldIssue(
        'report_before_event',
        field,
        `报告日期 ${date} 早于事件日期 ${eventDate}`,
        `Report date ${date} is before the event date ${eventDate}`,
      ),
    ];
  }
  return [];
}

/** The parent's age at a child's birth is within what is biologically plausible. */
export function checkParentAge(
  parentBirthDate: string,
  childBirthDate: string,
  role: 'mother' | 'father',
  field: string,
): FieldIssue | undefined {
  const age = ageOn(parentBirthDate, childBirthDate);
  const range = role === 'mother' ? MOTHER_AGE : FATHER_AGE;
  if (age >= range.min && age <= range.max) return undefined;
  const zhRole = role === 'mother' ? '母亲' : '父亲';
  return fieldIssue(
    `${role}_age_implausible`,
    field,
    `${zhRole}生育时 ${age} 岁，不在合理范围（${range.min}–${range.max} 岁）内，请核实`,
    `The ${role} would be ${age} at the birth, outside the plausible ${range.min}–${range.max}; please check`,
  );
}

/** Both spouses have reached the legal marriage age on the marriage date. */
export function checkMarriageAge(
  birthDate: string,
  sex: 'male' | 'female',
  marriageDate: string,
  field: string,
): FieldIssue | undefined {
  const age = ageOn(birthDate, marriageDate);
  const min = MARRIAGE_AGE[sex];
  if (age >= min) return undefined;
  return fieldIssue(
    'below_marriage_age',
    field,
    `结婚时 ${age} 岁，未到法定婚龄（${sex === 'male' ? '男' : '女'} ${min} 岁）`,
    `Age ${age} at marriage is below the legal age (${sex} ${min})`,
  );
}

/** A required non-empty text field. */
export function checkRequiredText(
  value: unknown,
  field: string,
  label: { zh: string; en: string },
  max = 200,
) {
  if (typeof value !== 'string' || value.trim() === '') {
    return fieldIssue('required', field, `请填写${label.zh}`, `${label.en} is required`);
  }
  if (value.length > max) {
    return fieldIssue(
      'too_long',
      field,
      `${label.zh}过长（最多 ${max} 字）`,
      `${label.en} is too long (max ${max})`,
    );
  }
  return undefined;
}

/** A Chinese personal name: 1–20 Han characters, with · for ethnic-minority names, or Latin letters for foreigners. */
export function checkPersonName(value: unknown, field = 'name'): FieldIssue | undefined {
  const required = checkRequiredText(value, field, { zh: '姓名', en: 'Name' }, 40);
  if (required) return required;
  const name = (value as string).trim();
  if (!/^[\p{Script=Han}·•]{1,20}$/u.test(name) && !/^[A-Za-z][A-Za-z .'-]{0,39}$/.test(name)) {
    return fieldIssue(
      'invalid_name',
      field,
      `姓名只能是汉字（少数民族姓名可用“·”）或拉丁字母：${name}`,
      `A name is Han characters (with · for minority names) or Latin letters: ${name}`,
    );
  }
  return undefined;
}

/** One of the allowed values. */
export function checkOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  label: { zh: string; en: string },
): FieldIssue | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return undefined;
  return fieldIssue(
    'invalid_value',
    field,
    `${label.zh}应为 ${allowed.join(' / ')} 之一：${shown(value)}`,
    `${label.en} must be one of ${allowed.join(' / ')}: ${shown(value, 'en')}`,
  );
}
