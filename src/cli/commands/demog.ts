import { type Command, Option } from 'commander';
import { AppError, type Checked, invalidInput } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import {
  buildLifeTable,
  computeFertility,
  type FertilityResult,
  type LifeTable,
  type LifeTableSex,
  type ProjectionResult,
  parseSex,
  projectPopulation,
  readFertilityCsv,
  readLifeTableCsv,
  readProjectionJson,
  type Variant,
} from '../../indicators/demography/index.ts';
import { indicatorEngineFor } from '../../indicators/index.ts';
import type { Flag, Interval } from '../../indicators/intervals.ts';
import { projectFromRegistry } from '../../indicators/registry-projection.ts';
import { type CliRuntime, readInputFile } from '../runtime.ts';

type Format = 'text' | 'csv' | 'json';

function unwrap<T>(checked: Checked<T>): T {
  if (!checked.ok) throw invalidInput(checked.issues);
  return checked.value;
}

// Chinese characters take two columns in a terminal.
function displayWidth(value: string): number {
  let width = 0;
  for (const ch of value)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
        ? 2
        : 1;
  return width;
}

/** Right-aligns every column but the first. */
function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const pad = (cell: string, i: number) => {
    const space = ' '.repeat(widths[i]! - displayWidth(cell));
    return i === 0 ? cell + space : space + cell;
  };
  return [header, ...rows].map((row) => row.map(pad).join('  ').trimEnd());
}

function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells
    .map((cell) => {
      const value = cell === null || cell === undefined ? '' : String(cell);
      return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    })
    .join(',');
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
const whole = (value: number | null | undefined) =>
  value === null || value === undefined ? '-' : Math.round(value).toLocaleString('en-US');

function formatInterval(rt: CliRuntime, interval: Interval | null, digits: number): string {
  if (!interval) return '';
  const level = Math.round(interval.level * 100);
  const upper = interval.upper === null ? '∞' : fixed(interval.upper, digits);
  return rt.t(
    `（${level}% 置信区间 ${fixed(interval.lower, digits)}–${upper}）`,
    ` (${level}% interval ${fixed(interval.lower, digits)}–${upper})`,
  );
}

function printFlags(rt: CliRuntime, flags: Flag[]) {
  for (const flag of flags) rt.out(`${rt.t('注意', 'Note')}: ${flag.message[rt.lang]}`);
}

const sexName = (rt: CliRuntime, sex: LifeTableSex) =>
  sex === 'male'
    ? rt.t('男性', 'males')
    : sex === 'female'
      ? rt.t('女性', 'females')
      : rt.t('男女合计', 'both sexes');

const formatOption = (rt: CliRuntime) =>
  new Option('--format <format>', rt.t('输出格式：text、csv 或 json', 'output format: text, csv or json'))
    .choices(['text', 'csv', 'json'])
    .default('text');

function lifeTableHeader(rt: CliRuntime): string[] {
  return rt.lang === 'en'
    ? ['age', 'deaths', 'population', 'nmx', 'nax', 'nqx', 'lx', 'ndx', 'nLx', 'Tx', 'ex', 'se(ex)']
    : [
        '年龄',
        '死亡数',
        '人口',
        '死亡率nmx',
        'nax',
        '死亡概率nqx',
        '尚存lx',
        '死亡ndx',
        '生存人年nLx',
        '累计人年Tx',
        '预期寿命ex',
        'ex标准误',
      ];
}

function printLifeTables(rt: CliRuntime, tables: LifeTable[], format: Format) {
  if (format === 'json') {
    rt.out(JSON.stringify({ tables }, null, 2));
    return;
  }
  if (format === 'csv') {
    rt.out(csvLine([rt.t('性别', 'sex'), ...lifeTableHeader(rt)]));
    for (const table of tables) {
      for (const r of table.rows) {
        rt.out(
          csvLine([
            table.sex,
            r.age,
            r.deaths,
            r.population,
            r.mx,
            r.ax,
            r.qx,
            r.lx,
            r.dx,
            r.Lx,
            r.Tx,
            r.ex,
            r.exSe,
          ]),
        );
      }
    }
    return;
  }
  tables.forEach((table, index) => {
    if (index > 0) rt.out('');
    rt.out(rt.t(`寿命表（${sexName(rt, table.sex)}）`, `Life table (${sexName(rt, table.sex)})`));
    const rows = table.rows.map((r) => [
      r.age,
      whole(r.deaths),
      whole(r.population),
      fixed(r.mx, 6),
      fixed(r.ax, 3),
      fixed(r.qx, 6),
      whole(r.lx),
      whole(r.dx),
      whole(r.Lx),
      whole(r.Tx),
      fixed(r.ex, 2),
      fixed(r.exSe, 2),
    ]);
    for (const line of renderTable(lifeTableHeader(rt), rows)) rt.out(line);
    rt.out(
      rt.t(
        `出生时预期寿命 e0 = ${table.e0.toFixed(2)} 岁${formatInterval(rt, table.e0Interval, 2)}`,
        `Life expectancy at birth e0 = ${table.e0.toFixed(2)} years${formatInterval(rt, table.e0Interval, 2)}`,
      ),
    );
    printFlags(rt, table.flags);
  });
}

function printFertility(rt: CliRuntime, result: FertilityResult, format: Format) {
  if (format === 'json') {
    rt.out(JSON.stringify(result, null, 2));
    return;
  }
  if (format === 'csv') {
    rt.out(
      csvLine(
        rt.lang === 'en'
          ? ['indicator', 'age', 'births', 'women', 'value', 'lower', 'upper']
          : ['指标', '年龄组', '出生数', '妇女人数', '数值', '下限', '上限'],
      ),
    );
    for (const g of result.groups) {
      rt.out(csvLine(['ASFR', g.age, g.births, g.women, g.asfr, g.interval.lower, g.interval.upper]));
    }
    rt.out(
      csvLine([
        'TFR',
        '',
        result.totalBirths,
        '',
        result.tfr.value,
        result.tfr.interval.lower,
        result.tfr.interval.upper,
      ]),
    );
    rt.out(
      csvLine([
        'GFR',
        '15-49',
        result.totalBirths,
        result.women15to49,
        result.gfr.value,
        result.gfr.interval.lower,
        result.gfr.interval.upper,
      ]),
    );
    const mac = result.meanAgeAtChildbearing;
    rt.out(csvLine(['MAC', '', '', '', mac?.value, mac?.interval.lower, mac?.interval.upper]));
    return;
  }
  const header =
    rt.lang === 'en'
      ? ['age', 'births', 'women', 'ASFR ‰', '95% interval']
      : ['年龄组', '出生数', '妇女人数', '生育率‰', '95% 置信区间'];
  const rows = result.groups.map((g) => [
    g.age,
    whole(g.births),
    whole(g.women),
    fixed(g.asfr === null ? null : g.asfr * 1000, 2),
    g.interval.lower === null
      ? '-'
      : `${fixed(g.interval.lower * 1000, 2)}–${g.interval.upper === null ? '∞' : fixed(g.interval.upper * 1000, 2)}`,
  ]);
  for (const line of renderTable(header, rows)) rt.out(line);
  rt.out(
    rt.t(
      `总和生育率 TFR = ${result.tfr.value.toFixed(3)}${formatInterval(rt, result.tfr.interval, 3)}`,
      `Total fertility rate TFR = ${result.tfr.value.toFixed(3)}${formatInterval(rt, result.tfr.interval, 3)}`,
    ),
  );
  rt.out(
    rt.t(
      `一般生育率 GFR = ${fixed(result.gfr.value, 2)}‰${formatInterval(rt, result.gfr.interval, 2)}`,
      `General fertility rate GFR = ${fixed(result.gfr.value, 2)}‰${formatInterval(rt, result.gfr.interval, 2)}`,
    ),
  );
  const mac = result.meanAgeAtChildbearing;
  if (mac) {
    rt.out(
      rt.t(
        `平均生育年龄 = ${mac.value.toFixed(2)} 岁${formatInterval(rt, mac.interval, 2)}`,
        `Mean age at childbearing = ${mac.value.toFixed(2)} years${formatInterval(rt, mac.interval, 2)}`,
      ),
    );
  }
  printFlags(rt, [...result.flags, ...result.gfr.flags.filter((f) => f.code !== 'few_events')]);
  const unstable = result.groups
    .filter((g) => g.flags.some((f) => f.code === 'few_events'))
    .map((g) => g.age);
  if (unstable.length > 0) {
    rt.out(
      rt.t(
        `注意: 以下年龄组出生数少于 20，生育率不稳定：${unstable.join('、')}`,
        `Note: fewer than 20 births in ${unstable.join(', ')}: those rates are unstable`,
      ),
    );
  }
}

function projectionSummaryHeader(rt: CliRuntime): string[] {
  return rt.lang === 'en'
    ? [
        'year',
        'total',
        'male',
        'female',
        'births',
        'deaths',
        'net migr.',
        'TFR',
        'e0 m',
        'e0 f',
        '0-14 %',
        '60+ %',
        '65+ %',
        'old-age dep.',
      ]
    : [
        '年份',
        '总人口',
        '男',
        '女',
        '出生',
        '死亡',
        '净迁移',
        '总和生育率',
        'e0男',
        'e0女',
        '0-14岁%',
        '60岁+%',
        '65岁+%',
        '老年抚养比',
      ];
}

function printProjections(rt: CliRuntime, results: ProjectionResult[], format: Format, byAge: boolean) {
  if (format === 'json') {
    rt.out(JSON.stringify(results.length === 1 ? results[0] : { variants: results }, null, 2));
    return;
  }
  if (format === 'csv') {
    if (byAge) {
      rt.out(
        csvLine(
          rt.lang === 'en'
            ? ['variant', 'year', 'sex', 'age', 'population']
            : ['方案', '年份', '性别', '年龄组', '人口'],
        ),
      );
      for (const result of results) {
        for (const year of result.years) {
          for (const sex of ['male', 'female'] as const) {
            result.ages.forEach((age, i) => {
              rt.out(csvLine([result.variant, year.year, sex, age, year[sex][i]]));
            });
          }
        }
      }
      return;
    }
    rt.out(csvLine([rt.t('方案', 'variant'), ...projectionSummaryHeader(rt)]));
    for (const result of results) {
      for (const y of result.years) {
        rt.out(
          csvLine([
            result.variant,
            y.year,
            y.total,
            y.totalMale,
            y.totalFemale,
            y.births,
            y.deaths,
            y.netMigration,
            y.tfr,
            y.e0?.male,
            y.e0?.female,
            y.ageStructure?.shares.age0to14,
            y.ageStructure?.shares.age60plus,
            y.ageStructure?.shares.age65plus,
            y.ageStructure?.oldAgeDependencyRatio,
          ]),
        );
      }
    }
    return;
  }
  const variantName: Record<Variant, string> = {
    low: rt.t('低方案', 'low variant'),
    medium: rt.t('中方案', 'medium variant'),
    high: rt.t('高方案', 'high variant'),
  };
  results.forEach((result, index) => {
    if (index > 0) rt.out('');
    // An observed ratio (107.71567…) to one decimal, as the sources table prints it.
    const srb = Number(result.sexRatioAtBirth.toFixed(1));
    rt.out(
      rt.t(
        `人口预测（${variantName[result.variant]}，${result.step} 年一步，出生性别比 ${srb}）`,
        `Population projection (${variantName[result.variant]}, ${result.step}-year steps, sex ratio at birth ${srb})`,
      ),
    );
    rt.out(
      rt.t(
        `基年生育率与死亡率：总和生育率 ${result.base.tfr.toFixed(2)}，预期寿命 男 ${result.base.e0.male.toFixed(1)} 女 ${result.base.e0.female.toFixed(1)} 岁`,
        `Base rates: TFR ${result.base.tfr.toFixed(2)}, life expectancy males ${result.base.e0.male.toFixed(1)}, females ${result.base.e0.female.toFixed(1)}`,
      ),
    );
    const rows = result.years.map((y) => [
      String(y.year),
      whole(y.total),
      whole(y.totalMale),
      whole(y.totalFemale),
      whole(y.births),
      whole(y.deaths),
      whole(y.netMigration),
      fixed(y.tfr, 2),
      fixed(y.e0?.male, 1),
      fixed(y.e0?.female, 1),
      fixed(y.ageStructure?.shares.age0to14, 1),
      fixed(y.ageStructure?.shares.age60plus, 1),
      fixed(y.ageStructure?.shares.age65plus, 1),
      fixed(y.ageStructure?.oldAgeDependencyRatio, 1),
    ]);
    for (const line of renderTable(projectionSummaryHeader(rt), rows)) rt.out(line);
    if (byAge) {
      for (const sex of ['male', 'female'] as const) {
        rt.out('');
        rt.out(
          sex === 'male'
            ? rt.t('男性人口（按年龄）', 'Males by age')
            : rt.t('女性人口（按年龄）', 'Females by age'),
        );
        const header = [rt.t('年龄组', 'age'), ...result.years.map((y) => String(y.year))];
        const ageRows = result.ages.map((age, i) => [age, ...result.years.map((y) => whole(y[sex][i]))]);
        for (const line of renderTable(header, ageRows)) rt.out(line);
      }
    }
    printFlags(rt, result.flags);
  });
}

/** A whole number from an option, or a field-level error naming the option. */
function wholeNumber(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    const option = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new AppError(
      'invalid_input',
      text(`${option} 应为整数：${value}`, `${option} takes a whole number: ${value}`),
      { field },
    );
  }
  return n;
}

/** The options of `renkou demog project`, from a file (--input) or from the registry (--unit). */
interface ProjectOptions {
  input?: string;
  unit?: string;
  baseYear?: string;
  step?: string;
  years?: string;
  variant?: Variant | 'all';
  byAge?: boolean;
  format: Format;
}

/** `renkou demog project --unit U`: the three variants from the registry, and where the inputs came from. */
async function projectUnit(rt: CliRuntime, options: ProjectOptions & { unit: string }) {
  const request = {
    unit: options.unit,
    ...(options.baseYear !== undefined ? { baseYear: wholeNumber(options.baseYear, 'baseYear') } : {}),
    ...(options.step !== undefined ? { step: wholeNumber(options.step, 'step') } : {}),
    ...(options.years !== undefined ? { years: wholeNumber(options.years, 'years') } : {}),
  };
  const { sources, variants } = await rt.withDatabase((database) =>
    projectFromRegistry(database.db, indicatorEngineFor(database), request),
  );
  const wanted = options.variant ?? 'all';
  const order: Variant[] = wanted === 'all' ? ['low', 'medium', 'high'] : [wanted];
  const results = order.map((variant) => variants[variant]);
  if (options.format === 'json') {
    const lang = rt.lang;
    rt.out(
      JSON.stringify(
        {
          sources: {
            ...sources,
            population: { ...sources.population, description: sources.population.description[lang] },
            rates: { ...sources.rates, description: sources.rates.description[lang] },
            migration: { ...sources.migration, description: sources.migration.description[lang] },
            sexRatioAtBirth: {
              ...sources.sexRatioAtBirth,
              description: sources.sexRatioAtBirth.description[lang],
            },
            flags: sources.flags.map((flag) => ({ code: flag.code, message: flag.message[lang] })),
          },
          variants: results,
        },
        null,
        2,
      ),
    );
    return;
  }
  if (options.format === 'csv') {
    printProjections(rt, results, 'csv', options.byAge ?? false);
    return;
  }
  rt.out(
    rt.t(
      `${sources.unit.name}（${sources.unit.code}）人口预测，基年 ${sources.baseYear}，输入取自登记库：`,
      `Population projection of ${sources.unit.name} (${sources.unit.code}), base year ${sources.baseYear}, inputs from the registry:`,
    ),
  );
  for (const [label, line] of [
    [rt.t('基年人口', 'Base population'), sources.population.description],
    [rt.t('生育率与死亡率', 'Fertility and mortality'), sources.rates.description],
    [rt.t('迁移', 'Migration'), sources.migration.description],
    [rt.t('出生性别比', 'Sex ratio at birth'), sources.sexRatioAtBirth.description],
  ] as const)
    rt.out(`  - ${label}${rt.t('：', ': ')}${line[rt.lang]}`);
  rt.out('');
  printProjections(rt, results, 'text', options.byAge ?? false);
  printFlags(rt, sources.flags);
}

/**
 * renkou demog lifetable | tfr | project: calculators over a statistician's own files (no database
 * needed), and `project --unit` from the registry.
 */
export function registerDemog(program: Command, rt: CliRuntime) {
  const demog = program
    .command('demog')
    .description(
      rt.t(
        '人口学计算器：寿命表、生育率、人口预测',
        'Demography calculators: life table, fertility, projection',
      ),
    );

  demog
    .command('lifetable')
    .description(
      rt.t(
        '由分年龄死亡数和人口（CSV：age, deaths, population [, sex]）编制时期寿命表',
        'Period life table from deaths and population by age (CSV: age, deaths, population [, sex])',
      ),
    )
    .requiredOption(
      '--input <file>',
      rt.t(
        'CSV 文件，年龄写作 0、1-4、5-9 … 85+ 或单岁',
        'CSV file; ages as 0, 1-4, 5-9 … 85+, or single years',
      ),
    )
    .option(
      '--sex <sex>',
      rt.t(
        'male 或 female：只算这一性别（无性别列时指定 a0 规则所用性别）',
        'male or female: only this sex (without a sex column: the sex for the a0 rule)',
      ),
    )
    .option('--radix <n>', rt.t('l0，默认 100000', 'l0, 100000 unless given'), '100000')
    .addOption(formatOption(rt))
    .action((options: { input: string; sex?: string; radix: string; format: Format }) => {
      const wanted = options.sex === undefined ? undefined : parseSex(options.sex);
      if (options.sex !== undefined && (wanted === undefined || wanted === 'total')) {
        throw new AppError(
          'invalid_input',
          text(`--sex 应为 male 或 female：${options.sex}`, `--sex takes male or female: ${options.sex}`),
          {
            field: 'sex',
          },
        );
      }
      const radix = Number(options.radix);
      if (!(radix > 0)) {
        throw new AppError(
          'invalid_input',
          text(`--radix 应为正数：${options.radix}`, `--radix takes a positive number: ${options.radix}`),
          {
            field: 'radix',
          },
        );
      }
      let inputs = unwrap(readLifeTableCsv(readInputFile(options.input, '--input')));
      if (wanted) {
        const hasSexColumn = inputs.some((i) => i.sex !== 'total');
        if (hasSexColumn) {
          inputs = inputs.filter((i) => i.sex === wanted);
          if (inputs.length === 0) {
            throw new AppError(
              'invalid_input',
              text(
                `文件中没有 ${wanted === 'male' ? '男性' : '女性'} 的行`,
                `The file has no rows for ${wanted}s`,
              ),
              { field: 'sex' },
            );
          }
        } else inputs = inputs.map((i) => ({ ...i, sex: wanted }));
      }
      const tables = inputs.map((input) => {
        const checked = buildLifeTable(input.groups, { sex: input.sex, radix });
        if (!checked.ok && inputs.length > 1) {
          throw invalidInput(
            checked.issues.map((issue) => ({ ...issue, field: `${input.sex}.${issue.field}` })),
          );
        }
        return unwrap(checked);
      });
      printLifeTables(rt, tables, options.format);
    });

  demog
    .command('tfr')
    .description(
      rt.t(
        '由分年龄组出生数和平均妇女人数（CSV：age, births, women）计算生育率、总和生育率',
        'Age-specific and total fertility from births and average women by age group (CSV: age, births, women)',
      ),
    )
    .requiredOption(
      '--input <file>',
      rt.t('CSV 文件，年龄组写作 15-19 … 45-49', 'CSV file; age groups as 15-19 … 45-49'),
    )
    .addOption(formatOption(rt))
    .action((options: { input: string; format: Format }) => {
      const groups = unwrap(readFertilityCsv(readInputFile(options.input, '--input')));
      printFertility(rt, unwrap(computeFertility(groups)), options.format);
    });

  demog
    .command('project')
    .description(
      rt.t(
        '队列要素法人口预测：按 JSON 文件（基年人口、死亡率、生育率、迁移与假设），或按登记库（--unit）',
        'Cohort-component population projection: from a JSON file (base population, mortality, fertility, migration, assumptions) or from the registry (--unit)',
      ),
    )
    .option(
      '--input <file>',
      rt.t('JSON 文件（格式见 docs/demography.md）', 'JSON file (format in docs/demography.md)'),
    )
    .option(
      '--unit <code>',
      rt.t(
        '按登记库预测此单位（与 --input 二选一）：基年人口、生育率、死亡率和迁移均取自登记库',
        'project this unit from the registry (instead of --input): base population, rates and migration from the registry',
      ),
    )
    .option(
      '--base-year <year>',
      rt.t(
        '与 --unit 同用：基年（默认为有数据的最近年份）',
        'with --unit: the base year (the latest with data)',
      ),
    )
    .option(
      '--step <n>',
      rt.t(
        '与 --unit 同用：1 为单岁逐年（默认），5 为五岁组',
        'with --unit: 1 for single years (default), 5 for five-year groups',
      ),
    )
    .option(
      '--years <n>',
      rt.t(
        '预测年数（--input 默认 25 或文件中的 years；--unit 默认 5）',
        "years ahead (--input: 25 or the file's years; --unit: 5)",
      ),
    )
    .addOption(
      new Option(
        '--variant <variant>',
        rt.t('方案：low、medium、high 或 all', 'variant: low, medium, high or all'),
      ).choices(['low', 'medium', 'high', 'all']),
    )
    .option('--by-age', rt.t('同时输出分年龄、性别的人口', 'also print the population by age and sex'))
    .addOption(formatOption(rt))
    .action(async (options: ProjectOptions) => {
      if (options.unit !== undefined && options.input !== undefined) {
        throw new AppError(
          'invalid_input',
          text(
            '--input（文件）与 --unit（登记库）只能选一个',
            'Give either --input (a file) or --unit (the registry), not both',
          ),
          { field: 'unit' },
        );
      }
      if (options.unit !== undefined) {
        await projectUnit(rt, { ...options, unit: options.unit });
        return;
      }
      if (options.input === undefined) {
        throw new AppError(
          'invalid_input',
          text(
            '请给出 --input（JSON 文件）或 --unit（按登记库预测的单位）',
            'Give --input (a JSON file) or --unit (a unit to project from the registry)',
          ),
          { field: 'input' },
        );
      }
      const path = options.input;
      let json: unknown;
      try {
        json = JSON.parse(readInputFile(path, '--input'));
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError(
          'invalid_input',
          text(
            `${path} 不是有效的 JSON：${(error as Error).message}`,
            `${path} is not valid JSON: ${(error as Error).message}`,
          ),
          { field: 'input' },
        );
      }
      const input = unwrap(readProjectionJson(json));
      if (options.years !== undefined) input.years = wholeNumber(options.years, 'years');
      const wanted = options.variant ?? input.variant ?? 'medium';
      const variants: Variant[] = wanted === 'all' ? ['low', 'medium', 'high'] : [wanted];
      const results = variants.map((variant) => unwrap(projectPopulation({ ...input, variant })));
      printProjections(rt, results, options.format, options.byAge ?? false);
    });
}
