import { type Lang, type Text, text } from '../domain/i18n.ts';

/**
 * The person fields a field audit verifies with the household, as data: how each is printed on
 * the survey sheet and how a surveyor's answer is read back and compared. Pure, no I/O.
 */
export type AuditFieldId =
  | 'name'
  | 'sex'
  | 'birth_date'
  | 'id_number'
  | 'ethnicity'
  | 'marital_status'
  | 'residence';

export interface AuditField {
  id: AuditFieldId;
  label: Text;
  /** Allowed answers (code -> label), when the answer is one of a list. */
  choices?: Record<string, Text>;
  /** Turns what was written into the field's canonical form; undefined when it cannot be read. */
  normalise(value: string): string | undefined;
}

const SEX: Record<string, Text> = { male: text('男', 'male'), female: text('女', 'female') };
const MARITAL: Record<string, Text> = {
  single: text('未婚', 'single'),
  married: text('已婚', 'married'),
  divorced: text('离婚', 'divorced'),
  widowed: text('丧偶', 'widowed'),
};
/**
 * Where the person is, as the household says: the registry's residence types, plus the two
 * answers that mean the registry missed an event (moved out of the county, died).
 */
const RESIDENCE: Record<string, Text> = {
  registered: text('户籍在本地，本地居住', 'registered, living here'),
  outflow: text('户籍在本地，外出', 'registered, living elsewhere (outflow)'),
  inflow: text('户籍在外地，本地居住', 'hukou elsewhere, living here (inflow)'),
  resident: text('本地居住，户口待落', 'living here, hukou not settled'),
  moved_out: text('已迁出本县', 'moved out of the county'),
  dead: text('已死亡', 'dead'),
};

function fromChoices(choices: Record<string, Text>, extra: Record<string, string> = {}) {
  const index = new Map<string, string>();
  for (const [code, label] of Object.entries(choices)) {
    index.set(code.toLowerCase(), code);
    index.set(label['zh-CN'], code);
    index.set(label.en.toLowerCase(), code);
  }
  for (const [word, code] of Object.entries(extra)) index.set(word, code);
  return (value: string) => index.get(value.trim().toLowerCase()) ?? index.get(value.trim());
}

function normaliseDate(value: string): string | undefined {
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(value.trim());
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

export const AUDIT_FIELDS: readonly AuditField[] = [
  { id: 'name', label: text('姓名', 'Name'), normalise: (v) => v.replace(/\s+/g, '') || undefined },
  {
    id: 'sex',
    label: text('性别', 'Sex'),
    choices: SEX,
    normalise: fromChoices(SEX, { 男性: 'male', 女性: 'female', m: 'male', f: 'female' }),
  },
  { id: 'birth_date', label: text('出生日期', 'Birth date'), normalise: normaliseDate },
  {
    id: 'id_number',
    label: text('公民身份号码', 'Resident ID number'),
    normalise: (v) => {
      const id = v.replace(/\s+/g, '').toUpperCase();
      return /^[0-9]{17}[0-9X]$/.test(id) ? id : undefined;
    },
  },
  {
    id: 'ethnicity',
    label: text('民族', 'Ethnicity'),
    normalise: (v) => {
      const word = v.trim();
      if (!word) return undefined;
      return word.endsWith('族') ? word : `${word}族`;
    },
  },
  {
    id: 'marital_status',
    label: text('婚姻状况', 'Marital status'),
    choices: MARITAL,
    normalise: fromChoices(MARITAL, { 初婚: 'married', 再婚: 'married', 有配偶: 'married' }),
  },
  {
    id: 'residence',
    label: text('居住状况', 'Residence'),
    choices: RESIDENCE,
    normalise: fromChoices(RESIDENCE, {
      本地居住: 'registered',
      外出: 'outflow',
      流入: 'inflow',
      户口待落: 'resident',
      迁出: 'moved_out',
      死亡: 'dead',
    }),
  },
];

export const AUDIT_FIELD_IDS: readonly AuditFieldId[] = AUDIT_FIELDS.map((field) => field.id);

const BY_ID = new Map(AUDIT_FIELDS.map((field) => [field.id, field]));

export function getAuditField(id: AuditFieldId): AuditField {
  return BY_ID.get(id)!;
}

/** The answer a surveyor writes to confirm the printed value without copying it. */
export const SAME_MARKS = new Set(['✓', '√', '同', '一致', '相同', 'same', 'ok', '=']);

export type FieldVerdict =
  /** The surveyor left it blank: not checked. */
  { checked: false } | { checked: true; correct: boolean; surveyed: string | null; problem?: 'unreadable' };

/**
 * Compares what the household said with what the registry printed. A blank answer is not
 * checked; a tick confirms the printed value; a registry blank with an answer is wrong (the
 * registry does not say what is true); an answer that cannot be read counts as a discrepancy to
 * look at, not as correct.
 */
export function compareField(field: AuditFieldId, registry: string | null, answer: string): FieldVerdict {
  const written = answer.trim();
  if (written === '') return { checked: false };
  if (SAME_MARKS.has(written.toLowerCase()))
    return { checked: true, correct: registry !== null, surveyed: registry };
  const surveyed = getAuditField(field).normalise(written);
  if (surveyed === undefined)
    return { checked: true, correct: false, surveyed: written, problem: 'unreadable' };
  return { checked: true, correct: registry !== null && surveyed === registry, surveyed };
}

/** A field's value as printed for people: the label of a coded answer in the language asked. */
export function displayValue(field: AuditFieldId, value: string | null, lang: Lang): string {
  if (value === null) return '';
  const choices = getAuditField(field).choices;
  return choices?.[value]?.[lang] ?? value;
}
