import { type Checked, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { shown } from '../domain/i18n.ts';
import {
  BLOCKING_TRANSFORMS,
  type BlockingKeySpec,
  type BlockingRuleSpec,
  type BlockingTransform,
} from './blocking.ts';
import {
  COMPARISON_TYPES,
  type ComparisonSpec,
  type ComparisonType,
  LEVEL_ALIASES,
  LEVEL_KINDS,
  type LevelKind,
  type LevelSpec,
  levelCode,
} from './comparisons.ts';
import { DEFAULT_NULL_VALUES } from './value-tables.ts';

/**
 * A linkage configuration: which columns are compared how, which blocking rules make the
 * candidate pairs, and where the thresholds sit. Written as JSON by people, so every mistake is
 * reported at its field, in both languages, all at once.
 */

/** The JSON a person writes (see docs/linkage.md). */
export interface LinkConfig {
  id?: string | { left: string; right: string };
  columns?: Record<string, string | { left: string; right: string }>;
  nullValues?: string[];
  comparisons: {
    name?: string;
    type: string;
    column: string;
    levels?: string[];
    tf?: boolean;
    tfMinimumU?: number;
    /** m fixed by level code, e.g. { "else": 0.001 }. */
    m?: Record<string, number>;
  }[];
  /** Rules: { name, on: "column:transform" | [...] }, or just the "on" part. */
  blocking: ({ name?: string; on: string | string[] } | string | string[])[];
  thresholds?: { autoLink?: number; review?: number };
  oneToOne?: boolean;
  training?: {
    randomPairs?: number;
    seed?: number;
    maxIterations?: number;
    tolerance?: number;
    maxBlockPairs?: number;
    maxCandidatePairs?: number;
    priorMatchProbability?: number;
  };
}

/** Where a logical column is found in each file. */
export interface ColumnSource {
  left: string;
  right: string;
}

/** A checked configuration, ready for linkRecords. */
export interface LinkSettings {
  id: ColumnSource;
  /** Logical columns that are named differently in the two files. */
  columns: Map<string, ColumnSource>;
  nullValues: string[];
  comparisons: ComparisonSpec[];
  blocking: BlockingRuleSpec[];
  thresholds: { autoLink: number; review: number };
  /** Linking two files: each record links to at most one on the other side, best weight first. */
  oneToOne: boolean;
  training: {
    randomPairs: number;
    seed: number;
    maxIterations: number;
    tolerance: number;
    maxBlockPairs: number;
    maxCandidatePairs: number;
    /** A fixed λ instead of estimating it. */
    priorMatchProbability: number | undefined;
  };
}

export const DEFAULT_TRAINING: LinkSettings['training'] = {
  randomPairs: 1_000_000,
  seed: 42,
  maxIterations: 100,
  tolerance: 1e-6,
  maxBlockPairs: 2_000_000,
  maxCandidatePairs: 150_000_000,
  priorMatchProbability: undefined,
};

export const DEFAULT_THRESHOLDS = { autoLink: 0.95, review: 0.5 } as const;

/** At most this many rules: a pair's rules are kept as bits of one integer. */
const MAX_RULES = 30;
/** Level patterns are coded as one integer below 2^31. */
const MAX_PATTERNS = 2 ** 31 - 1;

/** The columns of the files being linked, for checking the columns a configuration names. */
export interface FileColumns {
  left: readonly string[];
  /** Absent when deduplicating one file. */
  right?: readonly string[];
  leftName?: string;
  rightName?: string;
}

const TOP_KEYS = [
  'id',
  'columns',
  'nullValues',
  'comparisons',
  'blocking',
  'thresholds',
  'oneToOne',
  'training',
];
const COMPARISON_KEYS = ['name', 'type', 'column', 'levels', 'tf', 'tfMinimumU', 'm'];
const TRAINING_KEYS = Object.keys(DEFAULT_TRAINING);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(values: readonly string[], max = 12): string {
  return values.length > max ? `${values.slice(0, max).join(', ')} …` : values.join(', ');
}

/** Parses and checks a configuration against the files' columns. */
export function parseLinkConfig(input: unknown, files: FileColumns): Checked<LinkSettings> {
  const issues: FieldIssue[] = [];
  const issue = (code: string, field: string, zh: string, en: string) =>
    issues.push(fieldIssue(code, field, zh, en));

  if (!isObject(input)) {
    issue('config_not_object', '(config)', '配置应为 JSON 对象', 'the configuration must be a JSON object');
    return { ok: false, issues };
  }
  const unknownKeys = (object: Json, allowed: readonly string[], path: string) => {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) {
        issue(
          'config_unknown_key',
          path === '' ? key : `${path}.${key}`,
          `未知的配置项（可用：${allowed.join(', ')}）`,
          `unknown setting (known: ${allowed.join(', ')})`,
        );
      }
    }
  };
  unknownKeys(input, TOP_KEYS, '');

  const leftName = files.leftName ?? 'left';
  const rightName = files.rightName ?? 'right';
  const dedupe = files.right === undefined;

  // Column sources.
  const columns = new Map<string, ColumnSource>();
  const readSource = (value: unknown, field: string): ColumnSource | undefined => {
    if (typeof value === 'string' && value !== '') return { left: value, right: value };
    if (isObject(value) && typeof value.left === 'string' && typeof value.right === 'string') {
      return { left: value.left, right: value.right };
    }
    issue(
      'config_column_source',
      field,
      '应为列名，或 {"left": 列名, "right": 列名}',
      'must be a column name or {"left": column, "right": column}',
    );
    return undefined;
  };
  if (input.columns !== undefined) {
    if (!isObject(input.columns)) {
      issue(
        'config_type',
        'columns',
        '应为对象：逻辑列名 → 文件中的列名',
        'must be an object: logical column → file column',
      );
    } else {
      for (const [name, value] of Object.entries(input.columns)) {
        const source = readSource(value, `columns.${name}`);
        if (source) columns.set(name, source);
      }
    }
  }
  const resolve = (logical: string): ColumnSource =>
    columns.get(logical) ?? { left: logical, right: logical };
  const checkColumn = (logical: string, field: string) => {
    const source = resolve(logical);
    if (!files.left.includes(source.left)) {
      issue(
        'config_unknown_column',
        field,
        `文件 ${leftName} 中没有列“${source.left}”（现有列：${list(files.left)}）`,
        `${leftName} has no column "${source.left}" (columns: ${list(files.left)})`,
      );
    }
    if (files.right && !files.right.includes(source.right)) {
      issue(
        'config_unknown_column',
        field,
        `文件 ${rightName} 中没有列“${source.right}”（现有列：${list(files.right)}）`,
        `${rightName} has no column "${source.right}" (columns: ${list(files.right)})`,
      );
    }
  };

  let id: ColumnSource = { left: 'id', right: 'id' };
  if (input.id !== undefined) id = readSource(input.id, 'id') ?? id;
  if (!files.left.includes(id.left) || (files.right && !files.right.includes(id.right))) {
    const missing = !files.left.includes(id.left) ? `${leftName}: ${id.left}` : `${rightName}: ${id.right}`;
    issue(
      'config_unknown_column',
      'id',
      `找不到记录编号列（${missing}）；用 "id" 指明哪一列是编号`,
      `the record id column is missing (${missing}); name it with "id"`,
    );
  }

  let nullValues = [...DEFAULT_NULL_VALUES];
  if (input.nullValues !== undefined) {
    if (Array.isArray(input.nullValues) && input.nullValues.every((v) => typeof v === 'string')) {
      nullValues = input.nullValues as string[];
    } else {
      issue('config_type', 'nullValues', '应为字符串数组', 'must be an array of strings');
    }
  }

  // Comparisons.
  const comparisons: ComparisonSpec[] = [];
  if (!Array.isArray(input.comparisons) || input.comparisons.length === 0) {
    issue('config_missing', 'comparisons', '至少需要一个比较', 'at least one comparison is needed');
  } else {
    const names = new Set<string>();
    for (const [index, raw] of input.comparisons.entries()) {
      const path = `comparisons.${index}`;
      if (!isObject(raw)) {
        issue('config_type', path, '应为对象', 'must be an object');
        continue;
      }
      unknownKeys(raw, COMPARISON_KEYS, path);
      const type = raw.type;
      if (typeof type !== 'string' || !(type in COMPARISON_TYPES)) {
        const known = Object.keys(COMPARISON_TYPES).join(', ');
        issue(
          'config_unknown_comparison_type',
          `${path}.type`,
          `未知的比较类型“${shown(type)}”（可用：${known}）`,
          `unknown comparison type "${shown(type, 'en')}" (known: ${known})`,
        );
        continue;
      }
      const typeInfo = COMPARISON_TYPES[type as ComparisonType];
      if (typeof raw.column !== 'string' || raw.column === '') {
        issue('config_missing', `${path}.column`, '缺少要比较的列', 'the column to compare is missing');
        continue;
      }
      checkColumn(raw.column, `${path}.column`);
      const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : raw.column;
      if (names.has(name)) {
        issue(
          'config_duplicate_name',
          `${path}.name`,
          `比较名称“${name}”重复`,
          `the comparison name "${name}" is used twice`,
        );
      }
      names.add(name);
      const levelTexts = raw.levels ?? typeInfo.levels;
      const levels: LevelSpec[] = [];
      if (!Array.isArray(levelTexts) || levelTexts.length === 0) {
        issue('config_type', `${path}.levels`, '应为非空的级别列表', 'must be a non-empty list of levels');
      } else {
        for (const [l, levelText] of levelTexts.entries()) {
          const level = parseLevel(levelText, typeInfo.valueKind, `${path}.levels.${l}`, issue);
          if (level) levels.push(level);
        }
      }
      if (raw.tf !== undefined && typeof raw.tf !== 'boolean') {
        issue('config_type', `${path}.tf`, '应为 true 或 false', 'must be true or false');
      }
      const tfMinimumU = raw.tfMinimumU ?? 0;
      if (typeof tfMinimumU !== 'number' || !(tfMinimumU >= 0 && tfMinimumU < 1)) {
        issue('config_range', `${path}.tfMinimumU`, '应为 0 到 1 之间的数', 'must be a number from 0 to 1');
      }
      const fixedM: Record<string, number> = {};
      if (raw.m !== undefined) {
        const codes = [...levels.map(levelCode), 'else'];
        if (!isObject(raw.m)) {
          issue(
            'config_type',
            `${path}.m`,
            '应为对象：级别 → m，如 {"else": 0.001}',
            'must be an object: level → m, e.g. {"else": 0.001}',
          );
        } else {
          let total = 0;
          for (const [code, value] of Object.entries(raw.m)) {
            if (!codes.includes(code)) {
              issue(
                'config_unknown_level',
                `${path}.m.${code}`,
                `此比较没有级别“${code}”（有：${codes.join(', ')}）`,
                `this comparison has no level "${code}" (it has: ${codes.join(', ')})`,
              );
            } else if (typeof value !== 'number' || !(value > 0 && value < 1)) {
              issue(
                'config_range',
                `${path}.m.${code}`,
                '应为 0 到 1 之间（不含）的概率',
                'must be a probability strictly between 0 and 1',
              );
            } else {
              fixedM[code] = value;
              total += value;
            }
          }
          if (total >= 1) {
            issue(
              'config_range',
              `${path}.m`,
              '固定的 m 之和应小于 1',
              'the fixed m must add up to less than 1',
            );
          }
        }
      }
      comparisons.push({
        name,
        type: type as ComparisonType,
        column: raw.column,
        valueKind: typeInfo.valueKind,
        levels,
        tf: typeof raw.tf === 'boolean' ? raw.tf : typeInfo.tf,
        tfMinimumU: typeof tfMinimumU === 'number' ? tfMinimumU : 0,
        fixedM,
      });
    }
    const patterns = comparisons.reduce((product, c) => product * (c.levels.length + 2), 1);
    if (patterns > MAX_PATTERNS) {
      issue(
        'config_too_many_levels',
        'comparisons',
        `比较级别组合过多（${patterns}）；请减少比较或级别`,
        `too many combinations of comparison levels (${patterns}); use fewer comparisons or levels`,
      );
    }
  }

  // Blocking rules.
  const blocking: BlockingRuleSpec[] = [];
  if (!Array.isArray(input.blocking) || input.blocking.length === 0) {
    issue(
      'config_missing',
      'blocking',
      '至少需要一条分块规则（否则要比较所有记录对）',
      'at least one blocking rule is needed (else every pair would be compared)',
    );
  } else if (input.blocking.length > MAX_RULES) {
    issue('config_range', 'blocking', `分块规则最多 ${MAX_RULES} 条`, `at most ${MAX_RULES} blocking rules`);
  } else {
    for (const [index, raw] of input.blocking.entries()) {
      const path = `blocking.${index}`;
      const rule: Json = isObject(raw) ? raw : { on: raw };
      if (isObject(raw)) unknownKeys(raw, ['name', 'on'], path);
      const on = typeof rule.on === 'string' ? [rule.on] : rule.on;
      if (!Array.isArray(on) || on.length === 0 || !on.every((part) => typeof part === 'string')) {
        issue(
          'config_type',
          `${path}.on`,
          '应为“列:变换”字符串或其数组，如 ["name:surname-pinyin", "birth_date:year"]',
          'must be "column:transform" or a list of them, e.g. ["name:surname-pinyin", "birth_date:year"]',
        );
        continue;
      }
      const keys: BlockingKeySpec[] = [];
      for (const [p, part] of (on as string[]).entries()) {
        const key = parseBlockingKey(part, `${path}.on.${p}`, issue);
        if (!key) continue;
        checkColumn(key.column, `${path}.on.${p}`);
        keys.push(key);
      }
      const name =
        typeof rule.name === 'string' && rule.name !== '' ? rule.name : (on as string[]).join(' + ');
      blocking.push({ name, keys });
    }
  }

  // Thresholds.
  const thresholds: LinkSettings['thresholds'] = { ...DEFAULT_THRESHOLDS };
  if (input.thresholds !== undefined) {
    if (!isObject(input.thresholds)) {
      issue('config_type', 'thresholds', '应为对象', 'must be an object');
    } else {
      unknownKeys(input.thresholds, ['autoLink', 'review'], 'thresholds');
      for (const key of ['autoLink', 'review'] as const) {
        const value = input.thresholds[key];
        if (value === undefined) continue;
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          issue(
            'config_range',
            `thresholds.${key}`,
            '应为 0 到 1 之间的匹配概率',
            'must be a match probability from 0 to 1',
          );
        } else {
          thresholds[key] = value;
        }
      }
      if (thresholds.review > thresholds.autoLink) {
        issue(
          'config_threshold_order',
          'thresholds.review',
          `待审核阈值（${thresholds.review}）不能高于自动链接阈值（${thresholds.autoLink}）`,
          `the review threshold (${thresholds.review}) cannot be above the auto-link threshold (${thresholds.autoLink})`,
        );
      }
    }
  }

  let oneToOne = !dedupe;
  if (input.oneToOne !== undefined) {
    if (typeof input.oneToOne !== 'boolean') {
      issue('config_type', 'oneToOne', '应为 true 或 false', 'must be true or false');
    } else if (input.oneToOne && dedupe) {
      issue(
        'config_one_to_one',
        'oneToOne',
        '一对一只用于链接两个文件，不用于查重',
        'one-to-one applies to linking two files, not to deduplication',
      );
    } else {
      oneToOne = input.oneToOne;
    }
  }

  const training = { ...DEFAULT_TRAINING };
  if (input.training !== undefined) {
    if (!isObject(input.training)) {
      issue('config_type', 'training', '应为对象', 'must be an object');
    } else {
      unknownKeys(input.training, TRAINING_KEYS, 'training');
      const positiveInteger = ['randomPairs', 'maxIterations', 'maxBlockPairs', 'maxCandidatePairs'] as const;
      for (const key of positiveInteger) {
        const value = input.training[key];
        if (value === undefined) continue;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
          issue('config_range', `training.${key}`, '应为正整数', 'must be a positive whole number');
        } else {
          training[key] = value;
        }
      }
      const seed = input.training.seed;
      if (seed !== undefined) {
        if (typeof seed !== 'number' || !Number.isInteger(seed)) {
          issue('config_range', 'training.seed', '应为整数', 'must be a whole number');
        } else {
          training.seed = seed;
        }
      }
      const tolerance = input.training.tolerance;
      if (tolerance !== undefined) {
        if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < 1)) {
          issue(
            'config_range',
            'training.tolerance',
            '应为 0 到 1 之间的数',
            'must be a number between 0 and 1',
          );
        } else {
          training.tolerance = tolerance;
        }
      }
      const prior = input.training.priorMatchProbability;
      if (prior !== undefined) {
        if (typeof prior !== 'number' || !(prior > 0 && prior < 1)) {
          issue(
            'config_range',
            'training.priorMatchProbability',
            '应为 0 到 1 之间（不含）的概率',
            'must be a probability strictly between 0 and 1',
          );
        } else {
          training.priorMatchProbability = prior;
        }
      }
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: { id, columns, nullValues, comparisons, blocking, thresholds, oneToOne, training },
  };
}

type IssueSink = (code: string, field: string, zh: string, en: string) => void;

/** Reads a level: 'exact', 'within-days:30', 'jaro-winkler:0.9', 'village'. */
function parseLevel(raw: unknown, valueKind: string, field: string, issue: IssueSink): LevelSpec | undefined {
  if (typeof raw !== 'string') {
    issue(
      'config_type',
      field,
      '级别应写成字符串，如 "exact" 或 "within-days:30"',
      'a level is a string such as "exact" or "within-days:30"',
    );
    return undefined;
  }
  const alias = LEVEL_ALIASES[raw];
  if (alias) return checkLevelKind(alias, valueKind, raw, field, issue);
  const [kindText, paramText, ...rest] = raw.split(':');
  const known = [...Object.keys(LEVEL_KINDS), ...Object.keys(LEVEL_ALIASES)].join(', ');
  if (kindText === undefined || !(kindText in LEVEL_KINDS) || rest.length > 0) {
    issue(
      'config_unknown_level',
      field,
      `未知的级别“${raw}”（可用：${known}）`,
      `unknown level "${raw}" (known: ${known})`,
    );
    return undefined;
  }
  const kind = kindText as LevelKind;
  const info = LEVEL_KINDS[kind];
  if (info.param === undefined) {
    if (paramText !== undefined) {
      issue('config_level_param', field, `级别“${kind}”不带参数`, `the level "${kind}" takes no parameter`);
      return undefined;
    }
    return checkLevelKind({ kind }, valueKind, raw, field, issue);
  }
  const param = Number(paramText);
  const valid =
    paramText !== undefined &&
    paramText !== '' &&
    Number.isFinite(param) &&
    (info.param === 'similarity'
      ? param > 0 && param <= 1
      : Number.isInteger(param) && param >= (info.param === 'days' ? 0 : 1));
  if (!valid) {
    const want =
      info.param === 'similarity'
        ? text2('0 到 1 之间的相似度', 'a similarity from 0 to 1')
        : info.param === 'days'
          ? text2('天数', 'a number of days')
          : info.param === 'length'
            ? text2('长度', 'a length')
            : text2('编辑次数', 'a number of edits');
    issue(
      'config_level_param',
      field,
      `级别“${kind}”需要参数：${want.zh}，如 "${kind}:${info.param === 'similarity' ? '0.9' : '2'}"`,
      `the level "${kind}" needs ${want.en}, e.g. "${kind}:${info.param === 'similarity' ? '0.9' : '2'}"`,
    );
    return undefined;
  }
  return checkLevelKind({ kind, param }, valueKind, raw, field, issue);
}

function text2(zh: string, en: string) {
  return { zh, en };
}

function checkLevelKind(
  level: LevelSpec,
  valueKind: string,
  raw: string,
  field: string,
  issue: IssueSink,
): LevelSpec | undefined {
  const kinds = LEVEL_KINDS[level.kind].valueKinds;
  if (kinds && !kinds.includes(valueKind as never)) {
    const types = Object.entries(COMPARISON_TYPES)
      .filter(([, info]) => kinds.includes(info.valueKind))
      .map(([type]) => type)
      .join(', ');
    issue(
      'config_level_kind',
      field,
      `级别“${raw}”不适用于此比较类型（适用于：${types}）`,
      `the level "${raw}" does not apply to this comparison type (it applies to: ${types})`,
    );
    return undefined;
  }
  return level;
}

/** Reads a blocking key part: 'column' or 'column:transform' or 'column:prefix:9'. */
function parseBlockingKey(raw: string, field: string, issue: IssueSink): BlockingKeySpec | undefined {
  const [column, transformText = 'exact', paramText, ...rest] = raw.split(':');
  const known = Object.keys(BLOCKING_TRANSFORMS).join(', ');
  if (column === undefined || column === '' || !(transformText in BLOCKING_TRANSFORMS) || rest.length > 0) {
    issue(
      'config_unknown_transform',
      field,
      `无法识别“${raw}”：应为“列”或“列:变换”，变换可用 ${known}`,
      `cannot read "${raw}": write "column" or "column:transform", transforms: ${known}`,
    );
    return undefined;
  }
  const transform = transformText as BlockingTransform;
  if (BLOCKING_TRANSFORMS[transform].param === 'length') {
    const param = Number(paramText);
    if (!Number.isInteger(param) || param < 1) {
      issue(
        'config_level_param',
        field,
        `变换“${transform}”需要长度，如 "${column}:${transform}:6"`,
        `the transform "${transform}" needs a length, e.g. "${column}:${transform}:6"`,
      );
      return undefined;
    }
    return { column, transform, param };
  }
  if (paramText !== undefined) {
    issue(
      'config_level_param',
      field,
      `变换“${transform}”不带参数`,
      `the transform "${transform}" takes no parameter`,
    );
    return undefined;
  }
  return { column, transform };
}

/** Where a logical column is found in each file. */
export function resolveColumn(settings: LinkSettings, logical: string): ColumnSource {
  return settings.columns.get(logical) ?? { left: logical, right: logical };
}
