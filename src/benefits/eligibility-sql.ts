import { type RawBuilder, sql } from 'kysely';
import { type Text, text } from '../domain/i18n.ts';
import type { ProgrammeDefinition, Rule } from './programme.ts';

/**
 * Programme rules compiled to SQL over the registry: one boolean expression per rule about the
 * person `p` for a window [start, end] (a payment period, or one day for re-verification). The
 * reference day for "alive" and "living here" is the window's start, or the birth date when the
 * person was born inside the window. Kept in one place so the screen, applications,
 * re-verification and payments all judge eligibility by the same words.
 */
export interface Window {
  start: string;
  end: string;
}

const S = (w: Window) => sql`${w.start}::date`;
const E = (w: Window) => sql`${w.end}::date`;
const refDay = (w: Window) => sql`greatest(${S(w)}, p.birth_date)`;

function ageAt(date: RawBuilder<unknown>, birth: RawBuilder<unknown>) {
  return sql`(extract(year FROM ${date})::int - extract(year FROM ${birth})::int - (to_char(${date}, 'MMDD') < to_char(${birth}, 'MMDD'))::int)`;
}

/**
 * The person's registry children born by the end of the window (not voided or merged): counted
 * by mother and by father separately, so each count uses its index (nobody is both parents).
 */
function children(w: Window, extra: RawBuilder<unknown> = sql`true`) {
  const by = (column: string) => sql`(SELECT count(*) FROM person c
               WHERE c.county_code = p.county_code AND ${sql.ref(`c.${column}`)} = p.id
                 AND c.status NOT IN ('voided', 'merged') AND c.birth_date <= ${E(w)} AND ${extra})`;
  return sql`(${by('mother_id')} + ${by('father_id')})`;
}

/** The person's hukou type: their own, else their household's. */
export const hukouSql = sql`coalesce(p.hukou_type, (SELECT h.hukou_type FROM household h WHERE h.county_code = p.county_code AND h.id = p.household_id))`;

/** Alive on the reference day and a live record. */
export function aliveSql(w: Window): RawBuilder<boolean> {
  return sql<boolean>`(p.status NOT IN ('voided', 'merged') AND (p.death_date IS NULL OR p.death_date >= ${refDay(w)}) AND p.birth_date <= ${E(w)})`;
}

/**
 * How a rule reads a missing hukou type: by default a hukou rule is not met (an application, a
 * re-verification); the screen passes it (`hukouUnknown: 'pass'`) so the person is listed for
 * review with the reason 户籍性质缺失 instead of silently dropped.
 */
export interface RuleOptions {
  hukouUnknown?: 'fail' | 'pass';
}

export function ruleSql(rule: Rule, w: Window, options: RuleOptions = {}): RawBuilder<boolean> {
  switch (rule.rule) {
    case 'ageUnderMonths':
      return sql<boolean>`((date_trunc('month', p.birth_date) + make_interval(months => ${rule.months}::int))::date > ${S(w)} AND p.birth_date <= ${E(w)})`;
    case 'ageAtLeast':
      return sql<boolean>`(${ageAt(E(w), sql`p.birth_date`)} >= CASE WHEN p.sex = 'female' THEN ${rule.female ?? rule.years}::int ELSE ${rule.years}::int END)`;
    case 'reachesAge': {
      const years = sql`CASE WHEN p.sex = 'female' THEN ${rule.female ?? rule.years}::int ELSE ${rule.years}::int END`;
      return sql<boolean>`(${ageAt(E(w), sql`p.birth_date`)} >= ${years} AND ${ageAt(sql`(${rule.from}::date - 1)`, sql`p.birth_date`)} < ${years})`;
    }
    case 'hukou':
      return options.hukouUnknown === 'pass'
        ? sql<boolean>`(coalesce(${hukouSql} = ${rule.type}, true))`
        : sql<boolean>`(coalesce(${hukouSql} = ${rule.type}, false))`;
    case 'residence':
      return sql<boolean>`EXISTS (SELECT 1 FROM residence_spell s
        WHERE s.county_code = p.county_code AND s.person_id = p.id AND NOT s.voided
          AND s.residence_type IN (${sql.join(rule.types)})
          AND s.valid_from <= ${refDay(w)} AND (s.valid_to IS NULL OR s.valid_to > ${refDay(w)}))`;
    case 'children':
      return sql<boolean>`(${children(w)} BETWEEN ${rule.min ?? 0}::int AND ${rule.max ?? 99}::int)`;
    case 'onlyDaughters':
      return sql<boolean>`(${children(w)} > 0 AND ${children(w, sql`c.sex = 'male'`)} = 0)`;
    case 'onlyChildDied':
      return sql<boolean>`(${children(w)} = 1 AND ${children(w, sql`c.death_date <= ${E(w)}`)} = 1)`;
    case 'onlyChildDisabled':
      return sql<boolean>`(${children(w)} = 1 AND ${children(
        w,
        sql`(c.death_date IS NULL OR c.death_date > ${E(w)}) AND EXISTS (
          SELECT 1 FROM person_fact f WHERE f.county_code = c.county_code AND f.person_id = c.id
             AND f.kind = 'disability' AND NOT f.voided AND f.valid_from <= ${E(w)}
             AND (f.valid_to IS NULL OR f.valid_to > ${E(w)}))`,
      )} = 1)`;
    case 'anyOf':
      return sql<boolean>`(${sql.join(
        rule.rules.map((r) => ruleSql(r, w, options)),
        sql` OR `,
      )})`;
    case 'allOf':
      return sql<boolean>`(${sql.join(
        rule.rules.map((r) => ruleSql(r, w, options)),
        sql` AND `,
      )})`;
  }
}

/** Every rule of a programme and being alive, as one condition. */
export function eligibleSql(
  definition: ProgrammeDefinition,
  w: Window,
  options: RuleOptions = {},
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join([aliveSql(w), ...definition.rules.map((r) => ruleSql(r, w, options))], sql` AND `)})`;
}

/** What a rule says, for the lists a person reads (why someone is, or no longer is, eligible). */
export function ruleLabel(rule: Rule): Text {
  switch (rule.rule) {
    case 'ageUnderMonths':
      return text(`未满 ${rule.months / 12} 周岁`, `under ${rule.months / 12}`);
    case 'ageAtLeast':
      return rule.female !== undefined && rule.female !== rule.years
        ? text(`年满 ${rule.years} 周岁（女 ${rule.female}）`, `aged ${rule.years}+ (women ${rule.female}+)`)
        : text(`年满 ${rule.years} 周岁`, `aged ${rule.years}+`);
    case 'reachesAge':
      return rule.female !== undefined && rule.female !== rule.years
        ? text(
            `${rule.from} 起年满 ${rule.years} 周岁（女 ${rule.female}）`,
            `reached ${rule.years} (women ${rule.female}) on or after ${rule.from}`,
          )
        : text(`${rule.from} 起年满 ${rule.years} 周岁`, `reached ${rule.years} on or after ${rule.from}`);
    case 'hukou':
      return rule.type === 'rural' ? text('农村户籍', 'rural hukou') : text('城镇户籍', 'urban hukou');
    case 'residence':
      return text('在本县居住或登记户籍', 'living here / hukou here');
    case 'children':
      return rule.min === rule.max
        ? text(`${rule.min} 个子女`, `${rule.min} ${rule.min === 1 ? 'child' : 'children'}`)
        : text(`子女 ${rule.min ?? 0}–${rule.max ?? '∞'} 个`, `${rule.min ?? 0}–${rule.max ?? '∞'} children`);
    case 'onlyDaughters':
      return text('子女均为女儿', 'daughters only');
    case 'onlyChildDied':
      return text('独生子女死亡', 'the only child died');
    case 'onlyChildDisabled':
      return text('独生子女伤残（有残疾记录）', 'the only child is disabled (recorded)');
    case 'anyOf':
      return joinLabels(rule.rules.map(ruleLabel), '或', ' or ');
    case 'allOf':
      return joinLabels(rule.rules.map(ruleLabel), '且', ' and ');
  }
}

function joinLabels(labels: Text[], zh: string, en: string): Text {
  return text(`（${labels.map((l) => l['zh-CN']).join(zh)}）`, `(${labels.map((l) => l.en).join(en)})`);
}

/**
 * Months of the window a person is paid for under a pro-rated programme: months from the birth
 * month while under the age limit, from the programme's start and the entitlement's start, and
 * up to the month of death or the end of eligibility.
 */
export function eligibleMonthsSql(
  definition: ProgrammeDefinition,
  w: Window,
  bounds: {
    programmeFrom: string;
    entitlementStart: RawBuilder<unknown>;
    entitlementEnd: RawBuilder<unknown>;
  },
): RawBuilder<number> {
  const age = definition.rules.find(
    (r): r is Extract<Rule, { rule: 'ageUnderMonths' }> => r.rule === 'ageUnderMonths',
  );
  return sql<number>`(SELECT count(*)::int FROM generate_series(
      date_trunc('month', ${S(w)}), date_trunc('month', ${E(w)}), interval '1 month') AS m(month)
     WHERE m.month >= date_trunc('month', p.birth_date)
       ${age ? sql`AND m.month < date_trunc('month', p.birth_date) + make_interval(months => ${age.months}::int)` : sql``}
       AND m.month >= date_trunc('month', ${bounds.programmeFrom}::date)
       AND m.month >= date_trunc('month', ${bounds.entitlementStart})
       AND (p.death_date IS NULL OR p.death_date >= m.month)
       AND (${bounds.entitlementEnd} IS NULL OR ${bounds.entitlementEnd} >= m.month))`;
}

/**
 * The amount in fen for the window before pro-rating; NULL for an amount by hukou when the
 * person's hukou type is missing (the batch holds the line for review, it never guesses).
 */
export function baseAmountSql(definition: ProgrammeDefinition): RawBuilder<number | null> {
  if (definition.amountFenByHukou) {
    return sql<number>`(CASE ${hukouSql} WHEN 'urban' THEN ${definition.amountFenByHukou.urban}::bigint WHEN 'rural' THEN ${definition.amountFenByHukou.rural}::bigint END)`;
  }
  return sql<number>`${definition.amountFen ?? 0}::bigint`;
}
