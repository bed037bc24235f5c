/**
 * Reading a projection described in JSON (the `renkou demog project --input` file) into a
 * ProjectionInput, with age groups written as labels ("0", "1-4", "85+") and bilingual errors.
 */
import { type Checked, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { formatAgeGroup, parseAgeGroup, uniformAgeGroups } from './age-groups.ts';
import type { RateGroup } from './life-table.ts';
import type { FertilityRate, PathPoint, ProjectionInput, Variant } from './projection.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numbers(value: unknown, field: string, issues: FieldIssue[], allowNegative = false): number[] {
  if (!Array.isArray(value)) {
    issues.push(
      fieldIssue('required', field, `缺少 ${field}（数值列表）`, `${field} (a list of numbers) is missing`),
    );
    return [];
  }
  return value.map((item, i) => {
    if (typeof item !== 'number' || !Number.isFinite(item) || (!allowNegative && item < 0)) {
      issues.push(
        fieldIssue(
          'invalid_number',
          `${field}.${i}`,
          `${field}.${i} 应为${allowNegative ? '' : '非负'}数：${JSON.stringify(item)}`,
          `${field}.${i} must be a${allowNegative ? '' : ' non-negative'} number: ${JSON.stringify(item)}`,
        ),
      );
      return 0;
    }
    return item;
  });
}

function ages(value: unknown, field: string, issues: FieldIssue[]) {
  if (!Array.isArray(value)) {
    issues.push(
      fieldIssue(
        'required',
        field,
        `缺少 ${field}（年龄组列表，如 "0"、"1-4"、"85+"）`,
        `${field} (age labels such as "0", "1-4", "85+") is missing`,
      ),
    );
    return [];
  }
  return value.map((label, i) => {
    const group =
      typeof label === 'string' || typeof label === 'number' ? parseAgeGroup(String(label)) : undefined;
    if (!group) {
      issues.push(
        fieldIssue(
          'invalid_age',
          `${field}.${i}`,
          `${field}.${i}：无法识别年龄组 ${JSON.stringify(label)}`,
          `${field}.${i}: cannot read the age group ${JSON.stringify(label)}`,
        ),
      );
      return { start: 0, width: 1 };
    }
    return group;
  });
}

function sameLength(a: unknown[], b: unknown[], field: string, issues: FieldIssue[]) {
  if (a.length !== b.length) {
    issues.push(
      fieldIssue(
        'wrong_length',
        field,
        `${field} 的个数（${b.length}）与年龄组个数（${a.length}）不符`,
        `${field} has ${b.length} values for ${a.length} age groups`,
      ),
    );
  }
}

function path(value: unknown, field: string, issues: FieldIssue[]): PathPoint[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return [{ year: 0, value }];
  if (!Array.isArray(value)) {
    issues.push(
      fieldIssue(
        'invalid_path',
        field,
        `${field} 应为数值或 {year, value} 列表`,
        `${field} must be a number or a list of {year, value}`,
      ),
    );
    return undefined;
  }
  return value.map((point, i) => {
    if (!isObject(point) || typeof point.year !== 'number' || typeof point.value !== 'number') {
      issues.push(
        fieldIssue(
          'invalid_path',
          `${field}.${i}`,
          `${field}.${i} 应为 {year, value}`,
          `${field}.${i} must be {year, value}`,
        ),
      );
      return { year: 0, value: 0 };
    }
    return { year: point.year, value: point.value };
  });
}

function mortality(value: unknown, field: string, issues: FieldIssue[]): RateGroup[] {
  if (!isObject(value)) {
    issues.push(
      fieldIssue(
        'required',
        field,
        `缺少 ${field}：{ "ages": [...], "mx": [...] } 或 { "ages": [...], "deaths": [...], "population": [...] }`,
        `${field} is missing: { "ages": [...], "mx": [...] } or { "ages": [...], "deaths": [...], "population": [...] }`,
      ),
    );
    return [];
  }
  const groups = ages(value.ages, `${field}.ages`, issues);
  let mx: number[];
  if (value.mx !== undefined) {
    mx = numbers(value.mx, `${field}.mx`, issues);
    sameLength(groups, mx, `${field}.mx`, issues);
  } else {
    const deaths = numbers(value.deaths, `${field}.deaths`, issues);
    const population = numbers(value.population, `${field}.population`, issues);
    sameLength(groups, deaths, `${field}.deaths`, issues);
    sameLength(groups, population, `${field}.population`, issues);
    mx = deaths.map((d, i) => {
      const n = population[i] ?? 0;
      if (n === 0 && d > 0) {
        issues.push(
          fieldIssue(
            'deaths_without_population',
            `${field}.population.${i}`,
            `${field}：${formatAgeGroup(groups[i]!)} 岁组有死亡但人口为 0`,
            `${field}: age group ${formatAgeGroup(groups[i]!)} has deaths but no population`,
          ),
        );
      }
      return n > 0 ? d / n : 0;
    });
  }
  return groups.map((g, i) => ({ ...g, mx: mx[i] ?? 0 }));
}

/** Reads the parsed JSON of a projection file into a ProjectionInput, or the list of what is wrong with it. */
export function readProjectionJson(value: unknown): Checked<ProjectionInput> {
  const issues: FieldIssue[] = [];
  if (!isObject(value)) {
    return {
      ok: false,
      issues: [
        fieldIssue('invalid_input', 'input', '输入应为一个 JSON 对象', 'The input must be a JSON object'),
      ],
    };
  }
  const baseYear = value.baseYear;
  if (typeof baseYear !== 'number' || !Number.isInteger(baseYear)) {
    issues.push(
      fieldIssue(
        'required',
        'baseYear',
        '缺少基年 baseYear（整数年份）',
        'baseYear (a whole year) is missing',
      ),
    );
  }
  const step = value.step ?? 5;
  if (step !== 5 && step !== 1) {
    issues.push(fieldIssue('invalid_step', 'step', 'step 只能是 5 或 1', 'step must be 5 or 1'));
  }
  const population = isObject(value.population) ? value.population : {};
  const male = numbers(population.male, 'population.male', issues);
  const female = numbers(population.female, 'population.female', issues);
  sameLength(male, female, 'population.female', issues);
  if (population.ages !== undefined && (step === 5 || step === 1) && male.length > 1) {
    const expected = uniformAgeGroups(step, (male.length - 1) * step).map(formatAgeGroup);
    const given = ages(population.ages, 'population.ages', issues).map(formatAgeGroup);
    if (given.join() !== expected.join()) {
      issues.push(
        fieldIssue(
          'population_ages',
          'population.ages',
          `基年人口的年龄组应为 ${expected.join(', ')}`,
          `The base population's age groups must be ${expected.join(', ')}`,
        ),
      );
    }
  }
  const deaths = isObject(value.mortality) ? value.mortality : {};
  const mortalityMale = mortality(deaths.male, 'mortality.male', issues);
  const mortalityFemale = mortality(deaths.female, 'mortality.female', issues);

  let fertility: FertilityRate[] = [];
  if (!isObject(value.fertility)) {
    issues.push(
      fieldIssue(
        'required',
        'fertility',
        '缺少 fertility：{ "ages": ["15-19", …, "45-49"], "asfr": [...] }',
        'fertility is missing: { "ages": ["15-19", …, "45-49"], "asfr": [...] }',
      ),
    );
  } else {
    const groups = ages(value.fertility.ages, 'fertility.ages', issues);
    const asfr = numbers(value.fertility.asfr, 'fertility.asfr', issues);
    sameLength(groups, asfr, 'fertility.asfr', issues);
    fertility = groups.flatMap((g, i) => {
      if (g.width === null) {
        issues.push(
          fieldIssue(
            'open_age_group',
            `fertility.ages.${i}`,
            '生育年龄组不能是开口组',
            'A fertility age group cannot be open',
          ),
        );
        return [];
      }
      return [{ start: g.start, width: g.width, asfr: asfr[i] ?? 0 }];
    });
  }

  let netMigration: ProjectionInput['netMigration'];
  if (value.netMigration !== undefined) {
    const migration = isObject(value.netMigration) ? value.netMigration : {};
    netMigration = {
      male: numbers(migration.male, 'netMigration.male', issues, true),
      female: numbers(migration.female, 'netMigration.female', issues, true),
    };
  }
  const assumptions = isObject(value.assumptions) ? value.assumptions : {};
  const e0 = isObject(assumptions.e0) ? assumptions.e0 : {};
  const tfrPath = path(assumptions.tfr, 'assumptions.tfr', issues);
  const e0Male = path(e0.male, 'assumptions.e0.male', issues);
  const e0Female = path(e0.female, 'assumptions.e0.female', issues);
  const migrationScale = path(assumptions.netMigrationScale, 'assumptions.netMigrationScale', issues);
  for (const key of ['sexRatioAtBirth', 'years', 'variantTfrDelta'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'number') {
      issues.push(fieldIssue('invalid_number', key, `${key} 应为数字`, `${key} must be a number`));
    }
  }
  const variant = value.variant;
  if (variant !== undefined && variant !== 'low' && variant !== 'medium' && variant !== 'high') {
    issues.push(
      fieldIssue(
        'invalid_variant',
        'variant',
        'variant 应为 low、medium 或 high',
        'variant must be low, medium or high',
      ),
    );
  }
  if (issues.length > 0) return { ok: false, issues };

  return {
    ok: true,
    value: {
      baseYear: baseYear as number,
      step: step as 5 | 1,
      population: { male, female },
      mortality: { male: mortalityMale, female: mortalityFemale },
      fertility,
      ...(value.sexRatioAtBirth !== undefined ? { sexRatioAtBirth: value.sexRatioAtBirth as number } : {}),
      ...(netMigration ? { netMigration } : {}),
      assumptions: {
        ...(tfrPath ? { tfr: tfrPath } : {}),
        e0: { ...(e0Male ? { male: e0Male } : {}), ...(e0Female ? { female: e0Female } : {}) },
        ...(migrationScale ? { netMigrationScale: migrationScale } : {}),
      },
      ...(value.years !== undefined ? { years: value.years as number } : {}),
      ...(variant !== undefined ? { variant: variant as Variant } : {}),
      ...(value.variantTfrDelta !== undefined ? { variantTfrDelta: value.variantTfrDelta as number } : {}),
    },
  };
}
