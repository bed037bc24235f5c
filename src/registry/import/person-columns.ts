import { AppError } from '../../domain/errors.ts';
import { type Text, text } from '../../domain/i18n.ts';
import {
  ETHNICITY_VALUES,
  HUKOU_VALUES,
  MARITAL_VALUES,
  RELATION_VALUES,
  RESIDENCE_VALUES,
  SEX_VALUES,
  type ValueChoice,
} from './value-aliases.ts';

/**
 * The columns of the person import template (and of the export, so an export re-imports as
 * unchanged). Headers are zh-CN; the English keys and a few common variants are accepted too.
 */
export type PersonField =
  | 'householdNo'
  | 'villageCode'
  | 'name'
  | 'sex'
  | 'birthDate'
  | 'idNumber'
  | 'ethnicity'
  | 'hukouType'
  | 'maritalStatus'
  | 'phone'
  | 'relationToHead'
  | 'residenceType'
  | 'residenceFrom'
  | 'motherIdNumber'
  | 'sourceKey';

export interface PersonColumn {
  field: PersonField;
  /** The template's header. */
  zh: string;
  /** The English key, also accepted as a header. */
  en: string;
  /** Other headers people use for the same column. */
  aliases: readonly string[];
  required: boolean;
  /** What goes in the column, for the template's second sheet. */
  hint: Text;
  /** Allowed values, when the column is a code list. */
  values?: readonly ValueChoice[];
  /** The template's example row. */
  example: string;
}

export const PERSON_COLUMNS: readonly PersonColumn[] = [
  {
    field: 'householdNo',
    zh: '户号',
    en: 'household_no',
    aliases: ['户编号', '户口簿编号', 'household number'],
    required: false,
    hint: text(
      '本县使用的户号；同一户的人填同一个户号，不存在的户会自动建立。不属于任何户的人（如单独登记的流入人员）可空',
      "The county's household number; members of one household share it, a new one is created. Empty for a person in no household (e.g. an inflow person registered alone)",
    ),
    example: '6208811000010001',
  },
  {
    field: 'villageCode',
    zh: '村（居）代码',
    en: 'village_code',
    aliases: [
      '村居代码',
      '村(居)代码',
      '村代码',
      '社区代码',
      '区划代码',
      '村（居）委会代码',
      'village code',
      'org_code',
    ],
    required: true,
    hint: text(
      '12 位统计用区划代码（村或社区），须已在本系统中加载',
      'The 12-digit statistical division code of the village or community, loaded in renkou',
    ),
    example: '620881100001',
  },
  {
    field: 'name',
    zh: '姓名',
    en: 'name',
    aliases: [],
    required: true,
    hint: text(
      '汉字姓名（少数民族姓名可用“·”），外国人可用拉丁字母',
      'Name in Han characters (· for minority names), or Latin letters for foreigners',
    ),
    example: '王小明',
  },
  {
    field: 'sex',
    zh: '性别',
    en: 'sex',
    aliases: ['gender'],
    required: true,
    hint: text('男 或 女', 'male or female'),
    values: SEX_VALUES,
    example: '男',
  },
  {
    field: 'birthDate',
    zh: '出生日期',
    en: 'birth_date',
    aliases: ['出生年月日', 'birthdate', 'date of birth'],
    required: true,
    hint: text(
      '日期，如 1985-03-12（也可写 1985/3/12、19850312、1985年3月12日）',
      'A date such as 1985-03-12 (1985/3/12, 19850312 and 1985年3月12日 also work)',
    ),
    example: '1985-03-12',
  },
  {
    field: 'idNumber',
    zh: '公民身份号码',
    en: 'id_number',
    aliases: ['身份证号', '身份证号码', '身份号码', '居民身份证号码', '证件号码', 'id number'],
    required: false,
    hint: text(
      '18 位身份号码（旧 15 位号码会转换）；须与出生日期、性别一致。尚未办理的新生儿可空。Excel 中请设为文本格式',
      'The 18-character ID number (old 15-digit numbers are converted); must agree with birth date and sex. May be empty for a newborn. Keep the column as text in Excel',
    ),
    example: '620881198503121239',
  },
  {
    field: 'ethnicity',
    zh: '民族',
    en: 'ethnicity',
    aliases: ['民族名称'],
    required: false,
    hint: text(
      '56 个民族之一，如 汉族、回族（也可写“汉”或代码 01）',
      'One of the 56 ethnic groups, e.g. 汉族',
    ),
    values: ETHNICITY_VALUES,
    example: '汉族',
  },
  {
    field: 'hukouType',
    zh: '户口性质',
    en: 'hukou_type',
    aliases: ['户口类型', '户籍性质', '户口类别', 'hukou'],
    required: false,
    hint: text('农业 或 非农业（也可写 农村 / 城镇）', 'rural or urban'),
    values: HUKOU_VALUES,
    example: '农业',
  },
  {
    field: 'maritalStatus',
    zh: '婚姻状况',
    en: 'marital_status',
    aliases: ['婚姻状态', 'marital status'],
    required: false,
    hint: text('未婚、已婚、离婚 或 丧偶', 'single, married, divorced or widowed'),
    values: MARITAL_VALUES,
    example: '已婚',
  },
  {
    field: 'phone',
    zh: '联系电话',
    en: 'phone',
    aliases: ['电话', '手机', '手机号码', '联系方式', 'telephone', 'mobile'],
    required: false,
    hint: text('11 位手机号或带区号的固定电话', 'An 11-digit mobile number or a landline with area code'),
    example: '13800000000',
  },
  {
    field: 'relationToHead',
    zh: '与户主关系',
    en: 'relation_to_head',
    aliases: ['与户主的关系', '家庭关系', 'relation'],
    required: false,
    hint: text('户主、配偶、子女、父母、孙子女 等', 'head, spouse, child, parent, grandchild …'),
    values: RELATION_VALUES,
    example: '户主',
  },
  {
    field: 'residenceType',
    zh: '人口类型',
    en: 'residence_type',
    aliases: ['居住类型', '人员类型', '人口类别', 'residence type'],
    required: true,
    hint: text(
      '户籍（户口在本地、人在本地）、流出（户口在本地、人在外地）、流入（户口在外地、人在本地）、常住（人在本地、户口未落）',
      'registered (hukou here, living here), outflow (hukou here, living elsewhere), inflow (hukou elsewhere, living here), resident (living here, hukou not settled)',
    ),
    values: RESIDENCE_VALUES,
    example: '户籍',
  },
  {
    field: 'residenceFrom',
    zh: '居住起始日期',
    en: 'residence_from',
    aliases: ['居住开始日期', '起始日期', '入住日期', 'valid_from', 'residence from'],
    required: true,
    hint: text(
      '此人以该人口类型在该村（居）的起始日期；不早于出生日期，不晚于今天',
      'Since when the person counts in this village as this type; not before birth, not in the future',
    ),
    example: '1985-03-12',
  },
  {
    field: 'motherIdNumber',
    zh: '母亲身份号码',
    en: 'mother_id_number',
    aliases: ['母亲身份证号', '母亲身份证号码', '母亲公民身份号码', 'mother id number'],
    required: false,
    hint: text(
      '可空。母亲在本县登记库（或本文件）中时，据此关联母子关系',
      'Optional. Links the person to their mother when she is in the county registry (or this file)',
    ),
    example: '',
  },
  {
    field: 'sourceKey',
    zh: '来源编号',
    en: 'source_key',
    aliases: ['原系统编号', '记录编号', 'source id'],
    required: false,
    hint: text(
      '可空。原系统中此人的编号；没有身份号码的人再次导入时据此识别',
      "Optional. The person's key in the source system; recognises a person without an ID number on re-import",
    ),
    example: '',
  },
];

export const COLUMN_BY_FIELD = new Map(PERSON_COLUMNS.map((column) => [column.field, column]));

/**
 * What a person calls a field of an import row: the template's header (户号, 出生日期) in Chinese,
 * its English key (birth_date) in English; an issue about the whole row is 整行 / row. A field the
 * template does not have is left as it is.
 */
export function fieldLabel(field: string): Text {
  if (field === 'row') return text('整行', 'row');
  const column = COLUMN_BY_FIELD.get(field as PersonField);
  return column ? text(column.zh, column.en) : text(field, field);
}

/** The template's columns in order, each with what a person calls it (for forms that edit a row). */
export const COLUMN_LABELS: readonly { field: PersonField; label: Text }[] = PERSON_COLUMNS.map((column) => ({
  field: column.field,
  label: text(column.zh, column.en),
}));

/** Header text made comparable: full-width folded, spaces and case ignored, （ and ( the same. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .replace(/[\s_*＊]/g, '')
    .toLowerCase();
}

const HEADER_LOOKUP = new Map<string, PersonField>();
for (const column of PERSON_COLUMNS) {
  for (const header of [column.zh, column.en, column.field, ...column.aliases]) {
    HEADER_LOOKUP.set(normaliseHeader(header), column.field);
  }
}

/** Where each field is in a file's rows. */
export interface ColumnMap {
  /** Field -> index of its column. */
  index: Partial<Record<PersonField, number>>;
  /** Headers that named no known column (reported, their values ignored). */
  ignored: string[];
  /** Cells in the header row: a value beyond it has no column. */
  width: number;
}

/**
 * Reads a header row. A missing required column or a column given twice refuses the whole file:
 * every row would fail the same way, so it is one clear error instead of a million.
 */
export function mapHeader(header: readonly string[]): ColumnMap {
  const index: Partial<Record<PersonField, number>> = {};
  const ignored: string[] = [];
  const issues = [];
  for (let i = 0; i < header.length; i++) {
    const raw = (header[i] ?? '').trim();
    if (raw === '') continue;
    const field = HEADER_LOOKUP.get(normaliseHeader(raw));
    if (!field) {
      ignored.push(raw);
      continue;
    }
    if (index[field] !== undefined) {
      issues.push({
        code: 'duplicate_column',
        field,
        message: text(`列“${raw}”重复出现`, `Column "${raw}" appears twice`),
      });
      continue;
    }
    index[field] = i;
  }
  for (const column of PERSON_COLUMNS) {
    if (column.required && index[column.field] === undefined) {
      issues.push({
        code: 'missing_column',
        field: column.field,
        message: text(
          `缺少必需的列“${column.zh}”`,
          `The required column "${column.zh}" (${column.en}) is missing`,
        ),
      });
    }
  }
  if (issues.length > 0) {
    throw new AppError(
      'invalid_input',
      issues.length === 1
        ? issues[0]!.message
        : text(
            `文件的表头有 ${issues.length} 处问题：${issues.map((i) => i.message['zh-CN']).join('；')}`,
            `The header row has ${issues.length} problems: ${issues.map((i) => i.message.en).join('; ')}`,
          ),
      { field: 'header', issues },
    );
  }
  let width = header.length;
  while (width > 0 && (header[width - 1] ?? '').trim() === '') width--;
  return { index, ignored, width };
}
