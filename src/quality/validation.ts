import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { addDays } from '../domain/dates.ts';
import { AppError } from '../domain/errors.ts';
import { type Text, text } from '../domain/i18n.ts';
import { checkOrgCode, normaliseOrgCode } from '../domain/org-code.ts';
import { monthsOf, parsePeriod } from '../domain/period.ts';
import type { DataCheckTaskDetails } from '../feeds/work-tasks.ts';
import { estimateSexRatioAtBirth } from '../indicators/intervals.ts';
import type { Actor } from '../registry/context.ts';
import { EVENT_IS_RESIDENT_SQL } from '../registry/queries/event-residence.ts';

/**
 * Validation rules: figures and records that are possible but unlikely enough to check — the
 * findings a township looks at before a figure goes into a report. The thresholds are data
 * (VALIDATION_SETTINGS); each finding names its rule, its unit, the figures behind it and, when
 * written, becomes a `data_check` work task keyed so that running the check again adds nothing.
 */

export const VALIDATION_SETTINGS = {
  birthsTrend: {
    /** Months before the month checked that make its trend. */
    historyMonths: 12,
    /** How many standard deviations from the trend's mean is a finding. */
    sigmas: 3,
  },
  noDeaths: {
    /** A unit with no death in 12 months is a finding when the chance of that is below this. */
    maxProbability: 0.05,
  },
  sexRatioAtBirth: {
    /** Births in the 12 months needed before the ratio is judged. */
    minBirths: 100,
    /** The biologically usual range; a finding when the whole 95% interval lies outside it. */
    plausible: [103, 107] as const,
  },
  oldestAge: 110,
  /** Youngest plausible age of a mother at a birth. */
  minMotherAge: 12,
} as const;

export type ValidationRuleId =
  | 'births_off_trend'
  | 'no_deaths_in_year'
  | 'sex_ratio_at_birth_implausible'
  | 'alive_over_110'
  | 'born_before_mother_could'
  | 'born_after_mother_died';

export const VALIDATION_RULES: readonly { id: ValidationRuleId; name: Text }[] = [
  {
    id: 'births_off_trend',
    name: text(
      '本月出生数偏离近期趋势 3 个标准差以上',
      'Births this month more than 3 SD from the recent trend',
    ),
  },
  {
    id: 'no_deaths_in_year',
    name: text(
      '按人口规模应有死亡而一年无死亡登记',
      'No death registered in a year where the population makes that unlikely',
    ),
  },
  {
    id: 'sex_ratio_at_birth_implausible',
    name: text('出生人口性别比超出合理范围', 'Sex ratio at birth outside the plausible range'),
  },
  { id: 'alive_over_110', name: text('110 岁以上仍登记为存活', 'Registered alive at over 110') },
  {
    id: 'born_before_mother_could',
    name: text('子女出生时母亲不足 12 岁或尚未出生', 'Child born before the mother was 12 (or born)'),
  },
  {
    id: 'born_after_mother_died',
    name: text('子女出生日期晚于母亲死亡日期', 'Child born after the mother’s death'),
  },
];

export interface Finding {
  rule: ValidationRuleId;
  orgCode: string;
  personId: number | null;
  /** The month or period the finding is about; null for a record-level finding. */
  period: string | null;
  sourceRef: string;
  message: Text;
  figures: Record<string, number | string | null>;
}

export interface ValidationRun {
  unit: string;
  period: string;
  findings: Finding[];
  /** Tasks created by this run (findings already on a list are not created again). */
  tasksCreated: number;
}

function rollup(code: string, unit: string): string[] {
  const out: string[] = [];
  for (const length of [6, 9, 12])
    if (length >= unit.length && length <= code.length) out.push(code.slice(0, length));
  return out;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Births of each month against the unit's previous months (every unit from `unit` down to villages). */
async function birthsOffTrend(db: Kysely<Schema>, unit: string, months: string[]): Promise<Finding[]> {
  const { historyMonths, sigmas } = VALIDATION_SETTINGS.birthsTrend;
  const first = parsePeriod(months[0]!);
  let start = first;
  for (let i = 0; i < historyMonths; i++) start = parsePeriod(addDays(start.start, -1).slice(0, 7));
  const last = parsePeriod(months.at(-1)!);
  const rows = (
    await sql<{ org_code: string; month: string; n: number }>`
      SELECT org_code, to_char(event_date, 'YYYY-MM') AS month, count(*)::int AS n
        FROM vital_event
       WHERE kind = 'birth' AND NOT voided AND org_code LIKE ${`${unit}%`}
         AND event_date BETWEEN ${start.start}::date AND ${last.end}::date
       GROUP BY 1, 2`.execute(db)
  ).rows;
  const counts = new Map<string, number>();
  const units = new Set<string>([unit]);
  for (const row of rows) {
    for (const code of rollup(row.org_code, unit)) {
      units.add(code);
      counts.set(`${code}|${row.month}`, (counts.get(`${code}|${row.month}`) ?? 0) + row.n);
    }
  }
  // Units with no births in the whole window are left out: a trend of zeros says nothing.
  const findings: Finding[] = [];
  for (const month of months) {
    const history: string[] = [];
    let p = parsePeriod(month);
    for (let i = 0; i < historyMonths; i++) {
      p = parsePeriod(addDays(p.start, -1).slice(0, 7));
      history.push(p.id);
    }
    for (const code of units) {
      const values = history.map((m) => counts.get(`${code}|${m}`) ?? 0);
      const births = counts.get(`${code}|${month}`) ?? 0;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sampleSd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      // At least the Poisson spread √mean: a quiet village's one birth is not 3 SD from a trend of zeros.
      const sd = Math.max(sampleSd, Math.sqrt(mean));
      if (sd === 0) continue;
      const z = (births - mean) / sd;
      if (Math.abs(z) <= sigmas) continue;
      findings.push({
        rule: 'births_off_trend',
        orgCode: code,
        personId: null,
        period: month,
        sourceRef: `validation:births_off_trend:${code}:${month}`,
        message: text(
          `${month} 出生 ${births} 人，前 ${historyMonths} 个月平均 ${round(mean, 1)} 人（标准差 ${round(sd, 1)}），偏离 ${round(z, 1)} 个标准差`,
          `${births} births in ${month} against a mean of ${round(mean, 1)} (SD ${round(sd, 1)}) over the previous ${historyMonths} months: ${round(z, 1)} SD`,
        ),
        figures: { births, mean: round(mean, 3), sd: round(sd, 3), z: round(z, 2) },
      });
    }
  }
  return findings;
}

/** Villages with no death in the 12 months to the period's end, when their size makes that unlikely. */
async function noDeathsInYear(db: Kysely<Schema>, unit: string, end: string): Promise<Finding[]> {
  const start = addDays(`${Number(end.slice(0, 4)) - 1}${end.slice(4)}`, 1);
  const county = unit.slice(0, 6);
  const rows = (
    await sql<{ org_code: string; population: number; deaths: number; resident_deaths: number }>`
      WITH pop AS (
        SELECT s.org_code, count(*)::int AS population
          FROM residence_spell s
         WHERE s.org_code LIKE ${`${county}%`} AND NOT s.voided
           AND s.residence_type IN ('registered', 'inflow', 'resident')
           AND s.valid_from <= ${end}::date AND (s.valid_to IS NULL OR s.valid_to > ${end}::date)
         GROUP BY 1),
      -- Every death the village registered (it did register deaths), and those of its residents
      -- (registry/queries/event-residence.ts): the county's death rate, over its residents.
      dead AS (
        SELECT e.org_code, count(*)::int AS deaths,
               count(*) FILTER (WHERE ${sql.raw(EVENT_IS_RESIDENT_SQL)})::int AS resident_deaths
          FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
         WHERE e.kind = 'death' AND NOT e.voided AND e.org_code LIKE ${`${county}%`}
           AND e.event_date BETWEEN ${start}::date AND ${end}::date
         GROUP BY 1)
      SELECT pop.org_code, pop.population, coalesce(dead.deaths, 0)::int AS deaths,
             coalesce(dead.resident_deaths, 0)::int AS resident_deaths
        FROM pop LEFT JOIN dead USING (org_code)`.execute(db)
  ).rows;
  // The county's own death rate over the same 12 months is the expectation for each village.
  const population = rows.reduce((a, r) => a + r.population, 0);
  const deaths = rows.reduce((a, r) => a + r.resident_deaths, 0);
  if (population === 0 || deaths === 0) return [];
  const rate = deaths / population;
  const findings: Finding[] = [];
  for (const row of rows) {
    if (row.deaths > 0 || row.org_code.length !== 12 || !row.org_code.startsWith(unit)) continue;
    const expected = row.population * rate;
    const probability = Math.exp(-expected);
    if (probability >= VALIDATION_SETTINGS.noDeaths.maxProbability) continue;
    const p = probability < 0.0001 ? probability.toExponential(1) : String(round(probability, 4));
    findings.push({
      rule: 'no_deaths_in_year',
      orgCode: row.org_code,
      personId: null,
      period: end.slice(0, 7),
      sourceRef: `validation:no_deaths_in_year:${row.org_code}:${end.slice(0, 7)}`,
      message: text(
        `${start} 至 ${end} 无死亡登记；按常住人口 ${row.population} 人和全县死亡率 ${round(rate * 1000, 2)}‰，预计 ${round(expected, 1)} 人，全年无死亡的概率为 ${p}（泊松）`,
        `No death registered from ${start} to ${end}; with ${row.population} residents at the county's death rate of ${round(rate * 1000, 2)}‰, ${round(expected, 1)} were expected, and no death at all has a probability of ${p} (Poisson)`,
      ),
      figures: { population: row.population, expected: round(expected, 2), probability },
    });
  }
  return findings;
}

/** Units (the unit and its townships) whose sex ratio at birth over 12 months is implausible beyond chance. */
async function sexRatioAtBirth(db: Kysely<Schema>, unit: string, end: string): Promise<Finding[]> {
  const start = addDays(`${Number(end.slice(0, 4)) - 1}${end.slice(4)}`, 1);
  const rows = (
    await sql<{ org_code: string; males: number; females: number }>`
      SELECT e.org_code, count(*) FILTER (WHERE p.sex = 'male')::int AS males,
             count(*) FILTER (WHERE p.sex = 'female')::int AS females
        FROM vital_event e JOIN person p ON p.county_code = e.county_code AND p.id = e.person_id
       WHERE e.kind = 'birth' AND NOT e.voided AND p.status NOT IN ('voided', 'merged')
         AND e.org_code LIKE ${`${unit}%`} AND e.event_date BETWEEN ${start}::date AND ${end}::date
       GROUP BY 1`.execute(db)
  ).rows;
  const totals = new Map<string, { males: number; females: number }>();
  for (const row of rows) {
    for (const code of rollup(row.org_code, unit)) {
      if (code.length === 12 && code !== unit) continue;
      const t = totals.get(code) ?? { males: 0, females: 0 };
      t.males += row.males;
      t.females += row.females;
      totals.set(code, t);
    }
  }
  const { minBirths, plausible } = VALIDATION_SETTINGS.sexRatioAtBirth;
  const findings: Finding[] = [];
  for (const [code, t] of totals) {
    if (t.males + t.females < minBirths) continue;
    const estimate = estimateSexRatioAtBirth(t.males, t.females);
    const lower = estimate.interval.lower;
    const upper = estimate.interval.upper;
    const tooHigh = lower !== null && lower > plausible[1];
    const tooLow = upper !== null && upper < plausible[0];
    if (!tooHigh && !tooLow) continue;
    findings.push({
      rule: 'sex_ratio_at_birth_implausible',
      orgCode: code,
      personId: null,
      period: end.slice(0, 7),
      sourceRef: `validation:sex_ratio_at_birth_implausible:${code}:${end.slice(0, 7)}`,
      message: text(
        `${start} 至 ${end} 出生 ${t.males + t.females} 人，性别比 ${round(estimate.value ?? 0, 1)}（95% 区间 ${round(lower ?? 0, 1)}–${upper === null ? '∞' : round(upper, 1)}），整体在 ${plausible[0]}–${plausible[1]} 之外：请核查出生登记是否漏报${tooHigh ? '女婴' : '男婴'}`,
        `${t.males + t.females} births from ${start} to ${end}, sex ratio ${round(estimate.value ?? 0, 1)} (95% interval ${round(lower ?? 0, 1)}–${upper === null ? '∞' : round(upper, 1)}), wholly outside ${plausible[0]}–${plausible[1]}: check whether ${tooHigh ? 'girls' : 'boys'} are missing from birth registration`,
      ),
      figures: {
        males: t.males,
        females: t.females,
        ratio: estimate.value === null ? null : round(estimate.value, 2),
      },
    });
  }
  return findings;
}

/** Record-level checks of the persons living under the unit. */
async function recordChecks(db: Kysely<Schema>, unit: string, end: string): Promise<Finding[]> {
  const { oldestAge, minMotherAge } = VALIDATION_SETTINGS;
  const prefix = `${unit}%`;
  const [old, early, late] = await Promise.all([
    sql<{ id: number; org: string; birth_date: string }>`
      SELECT p.id, p.current_org_code AS org, p.birth_date FROM person p
       WHERE p.current_org_code LIKE ${prefix} AND p.status = 'active'
         AND p.birth_date <= (${end}::date - ${`${oldestAge} years`}::interval)::date
       ORDER BY p.id`.execute(db),
    sql<{ id: number; org: string; birth_date: string; mother_birth: string }>`
      SELECT c.id, c.current_org_code AS org, c.birth_date, m.birth_date AS mother_birth
        FROM person c JOIN person m ON m.county_code = c.county_code AND m.id = c.mother_id
       WHERE c.current_org_code LIKE ${prefix} AND c.status NOT IN ('voided', 'merged')
         AND m.birth_date > (c.birth_date - ${`${minMotherAge} years`}::interval)::date
       ORDER BY c.id`.execute(db),
    sql<{ id: number; org: string; birth_date: string; mother_death: string }>`
      SELECT c.id, c.current_org_code AS org, c.birth_date, m.death_date AS mother_death
        FROM person c JOIN person m ON m.county_code = c.county_code AND m.id = c.mother_id
       WHERE c.current_org_code LIKE ${prefix} AND c.status NOT IN ('voided', 'merged')
         AND m.death_date < c.birth_date
       ORDER BY c.id`.execute(db),
  ]);
  const findings: Finding[] = [];
  for (const row of old.rows) {
    findings.push({
      rule: 'alive_over_110',
      orgCode: row.org,
      personId: row.id,
      period: null,
      sourceRef: `validation:alive_over_110:person:${row.id}`,
      message: text(
        `出生于 ${row.birth_date}，${end} 已满 ${oldestAge} 岁仍登记为存活：请核实是否漏报死亡或出生日期有误`,
        `Born ${row.birth_date}, over ${oldestAge} on ${end} and still registered alive: check for an unreported death or a wrong birth date`,
      ),
      figures: { birthDate: row.birth_date },
    });
  }
  for (const row of early.rows) {
    findings.push({
      rule: 'born_before_mother_could',
      orgCode: row.org,
      personId: row.id,
      period: null,
      sourceRef: `validation:born_before_mother_could:person:${row.id}`,
      message: text(
        `出生于 ${row.birth_date}，母亲出生于 ${row.mother_birth}（当时不足 ${minMotherAge} 岁）：请核实母亲或出生日期`,
        `Born ${row.birth_date} to a mother born ${row.mother_birth} (under ${minMotherAge} then): check the mother link or the dates`,
      ),
      figures: { birthDate: row.birth_date, motherBirthDate: row.mother_birth },
    });
  }
  for (const row of late.rows) {
    findings.push({
      rule: 'born_after_mother_died',
      orgCode: row.org,
      personId: row.id,
      period: null,
      sourceRef: `validation:born_after_mother_died:person:${row.id}`,
      message: text(
        `出生于 ${row.birth_date}，母亲死亡于 ${row.mother_death}：请核实母亲、出生或死亡日期`,
        `Born ${row.birth_date}, after the mother's death on ${row.mother_death}: check the mother link or the dates`,
      ),
      figures: { birthDate: row.birth_date, motherDeathDate: row.mother_death },
    });
  }
  return findings;
}

/**
 * Runs every validation rule for a unit (county, township or village) and period; with `write`,
 * each finding becomes a `data_check` task (once: a finding already on a list is left as it is).
 */
export async function runValidation(
  db: Kysely<Schema>,
  request: { unit: string; period: string; write?: boolean; actor?: Actor },
): Promise<ValidationRun> {
  const shape = checkOrgCode(request.unit, 'unit');
  if (shape) throw new AppError('invalid_input', shape.message, { field: 'unit', issues: [shape] });
  const unit = normaliseOrgCode(request.unit);
  if (unit.length < 6) {
    throw new AppError('invalid_input', text('请指定县、乡镇或村', 'Give a county, township or village'), {
      field: 'unit',
    });
  }
  const period = parsePeriod(request.period);
  if (period.type === 'day') {
    throw new AppError(
      'invalid_input',
      text('请指定月、季、半年或年', 'Give a month, quarter, half or year'),
      {
        field: 'period',
      },
    );
  }
  const months = monthsOf(period).map((m) => m.id);
  const findings = [
    ...(await birthsOffTrend(db, unit, months)),
    ...(await noDeathsInYear(db, unit, period.end)),
    ...(await sexRatioAtBirth(db, unit, period.end)),
    ...(await recordChecks(db, unit, period.end)),
  ];
  let tasksCreated = 0;
  if (request.write && findings.length > 0) {
    const actor = request.actor?.id ?? 'validation';
    await db.transaction().execute(async (trx) => {
      for (const finding of findings) {
        const created = await sql<{ id: number }>`
          INSERT INTO work_task (county_code, kind, org_code, person_id, source, source_ref, details, created_by)
          VALUES (${finding.orgCode.slice(0, 6)}, 'data_check', ${finding.orgCode}, ${finding.personId}, 'validation',
                  ${finding.sourceRef}, ${JSON.stringify({ rule: finding.rule, period: finding.period, message: finding.message, figures: finding.figures } satisfies DataCheckTaskDetails)}::jsonb,
                  ${actor})
          ON CONFLICT (county_code, kind, source_ref) DO NOTHING
          RETURNING id`.execute(trx);
        tasksCreated += created.rows.length;
      }
    });
  }
  return { unit, period: period.id, findings, tasksCreated };
}
