/**
 * Reading statisticians' own tables (CSV text, already read from a file) into the inputs of the
 * demography functions, with bilingual errors that name the line and column. Pure: text in.
 */
import { type Checked, type FieldIssue, fieldIssue } from '../../domain/errors.ts';
import { type AgeGroup, checkAgeGroups, formatAgeGroup, parseAgeGroup } from './age-groups.ts';
import type { FertilityGroup } from './fertility.ts';
import type { DeathsGroup, LifeTableSex } from './life-table.ts';

/** Splits CSV text into rows of fields: quotes, doubled quotes, CRLF, a BOM, comma or tab separated. */
export function parseCsv(input: string): string[][] {
  const source = input.replace(/^\uFEFF/, '');
  const firstLine = source.split(/\r?\n/, 1)[0] ?? '';
  const separator = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A column a table must (or may) have, with the header names people use for it. */
interface ColumnSpec {
  key: string;
  zh: string;
  en: string;
  names: string[];
  required: boolean;
}

const COLUMNS = {
  age: {
    key: 'age',
    zh: '年龄',
    en: 'age',
    names: ['age', 'agegroup', 'ages', 'x', '年龄', '年龄组', '年龄段'],
    required: true,
  },
  deaths: {
    key: 'deaths',
    zh: '死亡人数',
    en: 'deaths',
    names: ['deaths', 'death', 'ndx', '死亡', '死亡数', '死亡人数'],
    required: true,
  },
  population: {
    key: 'population',
    zh: '人口',
    en: 'population',
    names: [
      'population',
      'pop',
      'personyears',
      'exposure',
      'midyearpopulation',
      'nnx',
      '人口',
      '人口数',
      '年中人口',
      '平均人口',
      '人年数',
      '暴露人年',
    ],
    required: true,
  },
  sex: { key: 'sex', zh: '性别', en: 'sex', names: ['sex', 'gender', '性别'], required: false },
  ax: { key: 'ax', zh: 'nax', en: 'ax', names: ['ax', 'nax'], required: false },
  births: {
    key: 'births',
    zh: '出生数',
    en: 'births',
    names: ['births', 'birth', '出生', '出生数', '出生人数', '活产数'],
    required: true,
  },
  women: {
    key: 'women',
    zh: '妇女人数',
    en: 'women',
    names: [
      'women',
      'woman',
      'females',
      'averagewomen',
      'femalepopulation',
      '妇女',
      '妇女人数',
      '平均妇女人数',
      '育龄妇女',
      '育龄妇女人数',
    ],
    required: true,
  },
} satisfies Record<string, ColumnSpec>;

const normalise = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_\-()（）]/g, '');

/** The most issues reported for one file: past this the first ones say enough. */
const MAX_ISSUES = 50;

interface Table {
  /** Each data row with its 1-based line number in the file (the header is line 1). */
  rows: { line: number; cells: Record<string, string> }[];
  issues: FieldIssue[];
}

function readTable(csv: string, specs: ColumnSpec[]): Table {
  const all = parseCsv(csv);
  const headerIndex = all.findIndex((row) => row.some((cell) => cell.trim() !== ''));
  if (headerIndex < 0) {
    return { rows: [], issues: [fieldIssue('empty_file', 'file', '文件是空的', 'The file is empty')] };
  }
  const header = all[headerIndex]!.map(normalise);
  const positions: Record<string, number> = {};
  const issues: FieldIssue[] = [];
  for (const spec of specs) {
    const position = header.findIndex((h) => spec.names.includes(h));
    if (position >= 0) positions[spec.key] = position;
    else if (spec.required) {
      issues.push(
        fieldIssue(
          'missing_column',
          spec.key,
          `缺少“${spec.zh}”列（可用列名：${spec.names.join('、')}）；表头为：${all[headerIndex]!.join(', ')}`,
          `The "${spec.en}" column is missing (accepted names: ${spec.names.join(', ')}); the header is: ${all[headerIndex]!.join(', ')}`,
        ),
      );
    }
  }
  if (issues.length > 0) return { rows: [], issues };
  const rows: Table['rows'] = [];
  all.slice(headerIndex + 1).forEach((row, i) => {
    if (row.every((cell) => cell.trim() === '')) return;
    const cells: Record<string, string> = {};
    for (const [key, position] of Object.entries(positions)) cells[key] = (row[position] ?? '').trim();
    rows.push({ line: headerIndex + 2 + i, cells });
  });
  if (rows.length === 0) {
    issues.push(
      fieldIssue('no_rows', 'file', '文件只有表头，没有数据行', 'The file has a header but no data rows'),
    );
  }
  return { rows, issues };
}

function readNumber(value: string, line: number, spec: ColumnSpec, issues: FieldIssue[]): number {
  const cleaned = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(value) ? value.replace(/,/g, '') : value;
  const number = cleaned === '' ? Number.NaN : Number(cleaned);
  if (!Number.isFinite(number)) {
    issues.push(
      fieldIssue(
        value === '' ? 'missing_value' : 'not_a_number',
        `line ${line}.${spec.key}`,
        value === ''
          ? `第 ${line} 行：缺少“${spec.zh}”`
          : `第 ${line} 行：“${spec.zh}”应为数字，实为“${value}”`,
        value === ''
          ? `Line ${line}: the ${spec.en} value is missing`
          : `Line ${line}: ${spec.en} must be a number, not "${value}"`,
      ),
    );
  } else if (number < 0) {
    issues.push(
      fieldIssue(
        'negative_value',
        `line ${line}.${spec.key}`,
        `第 ${line} 行：“${spec.zh}”不能为负数：${value}`,
        `Line ${line}: ${spec.en} cannot be negative: ${value}`,
      ),
    );
  }
  return number;
}

function readAge(value: string, line: number, issues: FieldIssue[]): AgeGroup | undefined {
  const group = parseAgeGroup(value);
  if (!group) {
    issues.push(
      fieldIssue(
        'invalid_age',
        `line ${line}.age`,
        `第 ${line} 行：无法识别年龄组“${value}”（应写作 0、1-4、5-9 … 85+ 或单岁）`,
        `Line ${line}: cannot read the age group "${value}" (write 0, 1-4, 5-9 … 85+, or single years)`,
      ),
    );
  }
  return group;
}

/** Sorts groups by age and checks them, naming file lines in the messages. */
function checkSorted<T extends AgeGroup & { line: number }>(
  groups: T[],
  options: { firstAge?: number; requireOpen?: boolean; forbidOpen?: boolean },
): { sorted: T[]; issues: FieldIssue[] } {
  const sorted = [...groups].sort(
    (a, b) =>
      a.start - b.start || (a.width ?? Number.POSITIVE_INFINITY) - (b.width ?? Number.POSITIVE_INFINITY),
  );
  const issues = checkAgeGroups(sorted, {
    ...options,
    where: (i) => ({
      field: `line ${sorted[i]!.line}.age`,
      zh: `第 ${sorted[i]!.line} 行`,
      en: `Line ${sorted[i]!.line}`,
    }),
  });
  return { sorted, issues };
}

/** Reads a sex value: male / m / 男 / 1, female / f / 女 / 2, total / both / 合计. */
export function parseSex(value: string): LifeTableSex | undefined {
  const v = value.trim().toLowerCase();
  if (['male', 'males', 'm', '男', '男性', '1'].includes(v)) return 'male';
  if (['female', 'females', 'f', '女', '女性', '2'].includes(v)) return 'female';
  if (['total', 'both', 'all', 't', '合计', '总计', '全部', '男女合计'].includes(v)) return 'total';
  return undefined;
}

/** One life-table input per sex found in the file (one `total` table when there is no sex column). */
export interface LifeTableCsv {
  sex: LifeTableSex;
  groups: DeathsGroup[];
}

/** Reads a life-table CSV (columns age, deaths, population [, sex] [, ax]) into one input per sex. */
export function readLifeTableCsv(csv: string): Checked<LifeTableCsv[]> {
  const specs = [COLUMNS.age, COLUMNS.deaths, COLUMNS.population, COLUMNS.sex, COLUMNS.ax];
  const table = readTable(csv, specs);
  if (table.issues.length > 0) return { ok: false, issues: table.issues };
  const issues: FieldIssue[] = [];
  const bySex = new Map<LifeTableSex, (DeathsGroup & { line: number })[]>();
  for (const { line, cells } of table.rows) {
    const age = readAge(cells.age ?? '', line, issues);
    const deaths = readNumber(cells.deaths ?? '', line, COLUMNS.deaths, issues);
    const population = readNumber(cells.population ?? '', line, COLUMNS.population, issues);
    const ax =
      cells.ax === undefined || cells.ax === '' ? undefined : readNumber(cells.ax, line, COLUMNS.ax, issues);
    let sex: LifeTableSex = 'total';
    if (cells.sex !== undefined) {
      const parsed = parseSex(cells.sex);
      if (!parsed) {
        issues.push(
          fieldIssue(
            'invalid_sex',
            `line ${line}.sex`,
            `第 ${line} 行：无法识别性别“${cells.sex}”（男/女 或 male/female）`,
            `Line ${line}: cannot read the sex "${cells.sex}" (male/female or 男/女)`,
          ),
        );
      } else sex = parsed;
    }
    if (age) {
      const list = bySex.get(sex) ?? [];
      list.push({ ...age, deaths, population, ax, line });
      bySex.set(sex, list);
    }
  }
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
  const result: LifeTableCsv[] = [];
  for (const [sex, groups] of bySex) {
    const checked = checkSorted(groups, { firstAge: 0, requireOpen: true });
    if (bySex.size > 1) {
      for (const issue of checked.issues) {
        issue.message = {
          'zh-CN': `（${sex === 'male' ? '男' : sex === 'female' ? '女' : '合计'}）${issue.message['zh-CN']}`,
          en: `(${sex}) ${issue.message.en}`,
        };
      }
    }
    issues.push(...checked.issues);
    result.push({ sex, groups: checked.sorted.map(({ line: _line, ...group }) => group) });
  }
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
  const order: LifeTableSex[] = ['male', 'female', 'total'];
  result.sort((a, b) => order.indexOf(a.sex) - order.indexOf(b.sex));
  return { ok: true, value: result };
}

/** Reads a fertility CSV (columns age group, births, women) into the input of computeFertility. */
export function readFertilityCsv(csv: string): Checked<FertilityGroup[]> {
  const table = readTable(csv, [COLUMNS.age, COLUMNS.births, COLUMNS.women]);
  if (table.issues.length > 0) return { ok: false, issues: table.issues };
  const issues: FieldIssue[] = [];
  const groups: (FertilityGroup & { line: number })[] = [];
  for (const { line, cells } of table.rows) {
    const age = readAge(cells.age ?? '', line, issues);
    const births = readNumber(cells.births ?? '', line, COLUMNS.births, issues);
    const women = readNumber(cells.women ?? '', line, COLUMNS.women, issues);
    if (age && age.width === null) {
      issues.push(
        fieldIssue(
          'open_age_group',
          `line ${line}.age`,
          `第 ${line} 行：生育率需要闭合年龄组（如 45-49），不能是 ${formatAgeGroup(age)}`,
          `Line ${line}: fertility needs closed age groups (e.g. 45-49), not ${formatAgeGroup(age)}`,
        ),
      );
    } else if (age) groups.push({ start: age.start, width: age.width!, births, women, line });
  }
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
  const checked = checkSorted(groups, { forbidOpen: true });
  if (checked.issues.length > 0) return { ok: false, issues: checked.issues.slice(0, MAX_ISSUES) };
  return { ok: true, value: checked.sorted.map(({ line: _line, ...group }) => group) };
}
