import type { ResidenceType } from '../db/schema.ts';
import { isCalendarDate } from '../domain/dates.ts';
import { AppError, type FieldIssue, fieldIssue, invalidInput } from '../domain/errors.ts';
import { shown, type Text, text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { Tx } from '../registry/context.ts';
import { versionForPeriod } from './version-for-period.ts';

/**
 * Support programmes as data (利益导向): who is eligible (rules over the registry's persons and
 * family links), how much, how often. A programme has versions by effective date; amounts are
 * configuration, the defaults below are only what a new database starts with. Eligibility is
 * defined by age, hukou, residence and family composition — never by "compliance" of births.
 */
export type Schedule = 'monthly' | 'semiannual' | 'annual' | 'one_time';

export type Rule =
  /** Under `months` months of age in at least one month of the period (paid per month, pro-rated). */
  | { rule: 'ageUnderMonths'; months: number }
  /** At least `years` old at the end of the period (`female`: a different age for women). */
  | { rule: 'ageAtLeast'; years: number; female?: number }
  /**
   * Reached `years` (`female`: for women) on or after `from` and by the end of the period: a
   * reward paid at an age, to those who reached it once the programme existed.
   */
  | { rule: 'reachesAge'; years: number; female?: number; from: string }
  | { rule: 'hukou'; type: 'rural' | 'urban' }
  /** Living in the county on the reference day with one of these residence types. */
  | { rule: 'residence'; types: ResidenceType[] }
  /** Children in the registry (mother_id/father_id), living or not: between min and max. */
  | { rule: 'children'; min?: number; max?: number }
  /** Every child in the registry is a daughter (and there is at least one). */
  | { rule: 'onlyDaughters' }
  /** Exactly one child in the registry, and that child has died. */
  | { rule: 'onlyChildDied' }
  /** Exactly one child in the registry, living, with a recorded disability (person_fact). */
  | { rule: 'onlyChildDisabled' }
  | { rule: 'anyOf'; rules: Rule[] }
  | { rule: 'allOf'; rules: Rule[] };

export interface ProgrammeDefinition {
  name: Text;
  description: Text;
  /** Whom the entitlement is about: the child (paid to a parent) or the person themselves. */
  subject: 'child' | 'person';
  rules: Rule[];
  schedule: Schedule;
  /** Amount per schedule period in fen; or by the beneficiary's hukou type. */
  amountFen?: number;
  amountFenByHukou?: { urban: number; rural: number };
  /** Pay amountFen × eligible months / months in the period (the childcare subsidy). */
  proRateByMonths?: boolean;
}

export interface ProgrammeVersion {
  programmeId: string;
  effectiveFrom: string;
  definition: ProgrammeDefinition;
}

const HUKOU_RESIDENT: ResidenceType[] = ['registered', 'outflow'];

/** What a new database starts with (amounts from DESIGN.md; change them with a new version). */
export const DEFAULT_PROGRAMMES: readonly ProgrammeVersion[] = [
  {
    programmeId: 'childcare-subsidy',
    effectiveFrom: '2025-01-01',
    definition: {
      name: text('育儿补贴', 'Childcare subsidy'),
      description: text(
        '3 周岁以下婴幼儿每人每年 3600 元，按月计算（出生当月起至满 3 周岁前一月），每半年发放',
        '3,600 yuan a year per child under 3, counted by month (from the month of birth to the month before the third birthday), paid every half year',
      ),
      subject: 'child',
      rules: [
        { rule: 'ageUnderMonths', months: 36 },
        { rule: 'residence', types: ['registered', 'outflow', 'resident', 'inflow'] },
      ],
      schedule: 'semiannual',
      amountFen: 180_000,
      proRateByMonths: true,
    },
  },
  {
    programmeId: 'rural-reward-assistance',
    effectiveFrom: '2024-01-01',
    definition: {
      name: text('农村部分计划生育家庭奖励扶助', 'Rural family reward and assistance'),
      description: text(
        '农村户籍、年满 60 周岁、只有一个子女或两个女儿的父母，每人每年发放',
        'Parents with rural hukou aged 60 and over whose family is one child or two daughters, paid yearly per person',
      ),
      subject: 'person',
      rules: [
        { rule: 'residence', types: HUKOU_RESIDENT },
        { rule: 'hukou', type: 'rural' },
        { rule: 'ageAtLeast', years: 60 },
        {
          rule: 'anyOf',
          rules: [
            { rule: 'children', min: 1, max: 1 },
            { rule: 'allOf', rules: [{ rule: 'children', min: 2, max: 2 }, { rule: 'onlyDaughters' }] },
          ],
        },
      ],
      schedule: 'annual',
      amountFen: 96_000,
    },
  },
  {
    programmeId: 'special-assistance-death',
    effectiveFrom: '2014-01-01',
    definition: {
      name: text('计划生育特别扶助（独生子女死亡）', 'Special assistance: the only child died'),
      description: text(
        '独生子女死亡、本人年满 49 周岁的父母，按月发放（城镇 340 元、农村 170 元）',
        'Parents aged 49 and over whose only child died, paid monthly (340 yuan urban, 170 yuan rural)',
      ),
      subject: 'person',
      rules: [
        { rule: 'residence', types: HUKOU_RESIDENT },
        { rule: 'ageAtLeast', years: 49 },
        { rule: 'onlyChildDied' },
      ],
      schedule: 'monthly',
      amountFenByHukou: { urban: 34_000, rural: 17_000 },
    },
  },
  {
    programmeId: 'special-assistance-disability',
    effectiveFrom: '2014-01-01',
    definition: {
      name: text('计划生育特别扶助（独生子女伤残）', 'Special assistance: the only child is disabled'),
      description: text(
        '独生子女有残疾记录、本人年满 49 周岁的父母，按月发放（城镇 270 元、农村 150 元）',
        'Parents aged 49 and over whose only child has a recorded disability, paid monthly (270 yuan urban, 150 yuan rural)',
      ),
      subject: 'person',
      rules: [
        { rule: 'residence', types: HUKOU_RESIDENT },
        { rule: 'ageAtLeast', years: 49 },
        { rule: 'onlyChildDisabled' },
      ],
      schedule: 'monthly',
      amountFenByHukou: { urban: 27_000, rural: 15_000 },
    },
  },
  {
    programmeId: 'retirement-reward',
    effectiveFrom: '2016-01-01',
    definition: {
      name: text('独生子女父母退休一次性奖励', 'One-time retirement reward for parents of one child'),
      description: text(
        '只有一个子女的父母在 2016 年起到达退休年龄（男 60、女 50 周岁）时一次性发放',
        'Paid once to parents of one child who reach retirement age (60 men, 50 women) from 2016 on',
      ),
      subject: 'person',
      rules: [
        { rule: 'residence', types: HUKOU_RESIDENT },
        { rule: 'reachesAge', years: 60, female: 50, from: '2016-01-01' },
        { rule: 'children', min: 1, max: 1 },
      ],
      schedule: 'one_time',
      amountFen: 300_000,
    },
  },
  {
    programmeId: 'condolence-payment',
    effectiveFrom: '2020-01-01',
    definition: {
      name: text(
        '特殊家庭慰问金（县定）',
        'Condolence payment for bereaved or disabled-child families (county)',
      ),
      description: text(
        '县里确定：独生子女死亡或伤残、年满 49 周岁的父母，每年春节慰问一次',
        'County-defined: parents aged 49 and over whose only child died or is disabled, once a year at Spring Festival',
      ),
      subject: 'person',
      rules: [
        { rule: 'residence', types: HUKOU_RESIDENT },
        { rule: 'ageAtLeast', years: 49 },
        { rule: 'anyOf', rules: [{ rule: 'onlyChildDied' }, { rule: 'onlyChildDisabled' }] },
      ],
      schedule: 'annual',
      amountFen: 100_000,
    },
  },
];

/** Writes the default programmes into a database that has none of them yet (idempotent). */
export async function ensureDefaultProgrammes(db: Tx) {
  const known = await db.selectFrom('programme_version').select('programme_id').distinct().execute();
  const have = new Set(known.map((row) => row.programme_id));
  const missing = DEFAULT_PROGRAMMES.filter((p) => !have.has(p.programmeId));
  if (missing.length === 0) return;
  await db
    .insertInto('programme_version')
    .values(
      missing.map((p) => ({
        programme_id: p.programmeId,
        effective_from: p.effectiveFrom,
        definition: JSON.stringify(p.definition),
        created_by: 'system',
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The version of a programme in force on a date. */
export async function getProgrammeVersion(
  db: Tx,
  programmeId: string,
  date: string,
): Promise<ProgrammeVersion> {
  return getProgrammeForPeriod(db, programmeId, { start: date, end: date });
}

/**
 * The version a period is screened, applied for and paid under: see versionForPeriod. Refused,
 * naming the programmes there are, when the programme does not exist or starts after the period.
 */
export async function getProgrammeForPeriod(
  db: Tx,
  programmeId: string,
  period: { start: string; end: string },
): Promise<ProgrammeVersion> {
  await ensureDefaultProgrammes(db);
  const rows = await db
    .selectFrom('programme_version')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .execute();
  const row = versionForPeriod(
    rows.map((r) => ({ ...r, effectiveFrom: r.effective_from })),
    period,
  );
  if (!row) {
    const ids = await listProgrammeIds(db);
    const when = period.start === period.end ? period.start : `${period.start}–${period.end}`;
    throw new AppError(
      'not_found',
      rows.length > 0
        ? text(
            `项目 ${programmeId} 在 ${when} 尚未生效`,
            `Programme ${programmeId} is not in force on ${when}`,
          )
        : text(
            `没有项目 ${programmeId}（可用：${ids.join('、')}）`,
            `No programme ${programmeId} (known: ${ids.join(', ')})`,
          ),
      { field: 'programme' },
    );
  }
  return {
    programmeId: row.programme_id,
    effectiveFrom: row.effective_from,
    definition: row.definition as unknown as ProgrammeDefinition,
  };
}

export async function listProgrammeIds(db: Tx): Promise<string[]> {
  const rows = await db.selectFrom('programme_version').select('programme_id').distinct().execute();
  return rows.map((row) => row.programme_id).sort();
}

/** Every programme with its versions, newest first. */
export async function listProgrammes(db: Tx) {
  await ensureDefaultProgrammes(db);
  const rows = await db
    .selectFrom('programme_version')
    .selectAll()
    .orderBy('programme_id')
    .orderBy('effective_from', 'desc')
    .execute();
  return rows.map((row) => ({
    programmeId: row.programme_id,
    effectiveFrom: row.effective_from,
    definition: row.definition as unknown as ProgrammeDefinition,
  }));
}

function checkRules(rules: unknown, field: string, issues: FieldIssue[]) {
  if (!Array.isArray(rules)) {
    issues.push(fieldIssue('invalid', field, '规则应为列表', 'Rules must be a list'));
    return;
  }
  const known = [
    'ageUnderMonths',
    'ageAtLeast',
    'reachesAge',
    'hukou',
    'residence',
    'children',
    'onlyDaughters',
    'onlyChildDied',
    'onlyChildDisabled',
    'anyOf',
    'allOf',
  ];
  rules.forEach((rule, i) => {
    const kind = (rule as { rule?: unknown } | null)?.rule;
    if (typeof kind !== 'string' || !known.includes(kind)) {
      issues.push(
        kind === undefined
          ? fieldIssue(
              'unknown_rule',
              `${field}.${i}.rule`,
              `缺少规则名 rule（可用：${known.join('、')}）`,
              `The rule's name (rule) is missing (known: ${known.join(', ')})`,
            )
          : fieldIssue(
              'unknown_rule',
              `${field}.${i}.rule`,
              `未知规则：${shown(kind)}（可用：${known.join('、')}）`,
              `Unknown rule: ${shown(kind, 'en')} (known: ${known.join(', ')})`,
            ),
      );
    } else if (kind === 'reachesAge' && !isCalendarDate((rule as { from?: string }).from ?? '')) {
      issues.push(
        fieldIssue(
          'invalid_date',
          `${field}.${i}.from`,
          '起算日期应为 YYYY-MM-DD',
          'The date the age counts from must be YYYY-MM-DD',
        ),
      );
    } else if (kind === 'anyOf' || kind === 'allOf') {
      checkRules((rule as { rules: unknown }).rules, `${field}.${i}.rules`, issues);
    }
  });
}

/**
 * Adds a version of a programme from a date on (a new amount, changed rules). Past versions are
 * never edited: periods before the date keep being paid by the version in force then.
 */
export async function setProgrammeVersion(
  db: Tx,
  actor: string,
  input: { programmeId: string; effectiveFrom: string; definition: ProgrammeDefinition },
) {
  const issues: FieldIssue[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(input.programmeId)) {
    issues.push(
      fieldIssue(
        'invalid',
        'programmeId',
        '项目代码只能用小写字母、数字和连字符',
        'Programme ids use a-z, 0-9 and -',
      ),
    );
  }
  if (!isCalendarDate(input.effectiveFrom)) {
    issues.push(
      fieldIssue(
        'invalid_date',
        'effectiveFrom',
        '生效日期应为 YYYY-MM-DD',
        'Effective date must be YYYY-MM-DD',
      ),
    );
  }
  const d = input.definition;
  if (!['monthly', 'semiannual', 'annual', 'one_time'].includes(d?.schedule)) {
    issues.push(
      fieldIssue(
        'invalid',
        'definition.schedule',
        '发放周期应为 monthly、semiannual、annual 或 one_time',
        'Schedule must be monthly, semiannual, annual or one_time',
      ),
    );
  }
  const amounts = [d?.amountFen, d?.amountFenByHukou?.urban, d?.amountFenByHukou?.rural].filter(
    (a) => a !== undefined,
  );
  if (amounts.length === 0 || amounts.some((a) => !Number.isInteger(a) || (a as number) <= 0)) {
    issues.push(
      fieldIssue(
        'invalid_amount',
        'definition.amountFen',
        '金额应为正整数（分）',
        'Amounts are positive whole numbers of fen',
      ),
    );
  }
  if (!['child', 'person'].includes(d?.subject)) {
    issues.push(
      fieldIssue(
        'invalid',
        'definition.subject',
        '对象应为 child 或 person',
        'Subject must be child or person',
      ),
    );
  }
  checkRules(d?.rules, 'definition.rules', issues);
  if (issues.length > 0) throw invalidInput(issues);
  await ensureDefaultProgrammes(db);
  await db
    .insertInto('programme_version')
    .values({
      programme_id: input.programmeId,
      effective_from: input.effectiveFrom,
      definition: JSON.stringify(d),
      created_by: actor,
    })
    .onConflict((oc) => oc.columns(['programme_id', 'effective_from']).doNothing())
    .execute();
}

/** Whether any rule (at any depth) reads the hukou type. */
function rulesReadHukou(rules: readonly Rule[]): boolean {
  return rules.some(
    (r) => r.rule === 'hukou' || ((r.rule === 'anyOf' || r.rule === 'allOf') && rulesReadHukou(r.rules)),
  );
}

/**
 * Whether a programme cannot judge or pay a person without their hukou type: a hukou rule, or an
 * amount by hukou. A person whose hukou type is missing is then listed for review (户籍性质缺失),
 * never given an amount by guess.
 */
export function needsHukou(definition: ProgrammeDefinition): boolean {
  return definition.amountFenByHukou !== undefined || rulesReadHukou(definition.rules);
}

/** The kind of period a schedule pays for, and a check that the given period is one. */
export function checkPeriodForSchedule(schedule: Schedule, period: Period) {
  const expected = { monthly: 'month', semiannual: 'half', annual: 'year', one_time: undefined }[schedule];
  if (expected && period.type !== expected) {
    const example = { month: '2025-07', half: '2025H2', year: '2025' }[expected];
    throw new AppError(
      'invalid_input',
      text(
        `此项目按${{ monthly: '月', semiannual: '半年', annual: '年', one_time: '' }[schedule]}发放，时期应如 ${example}`,
        `This programme pays ${{ monthly: 'monthly', semiannual: 'every half year', annual: 'yearly', one_time: 'once' }[schedule]}; the period should look like ${example}`,
      ),
      { field: 'period' },
    );
  }
  if (schedule === 'one_time' && period.type === 'day') {
    throw new AppError('invalid_input', text('时期不能是某一天', 'The period cannot be a single day'), {
      field: 'period',
    });
  }
}

/** The period id a payment line records: the period, or 'once' for one-time programmes. */
export function ledgerPeriod(schedule: Schedule, period: Period): string {
  return schedule === 'one_time' ? 'once' : period.id;
}
