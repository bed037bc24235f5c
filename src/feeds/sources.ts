import { readFileSync } from 'node:fs';
import type { EventKind, FeedSource } from '../db/schema.ts';
import { AppError, type FieldIssue, fieldIssue } from '../domain/errors.ts';
import { shown, text } from '../domain/i18n.ts';

/**
 * The four department feeds renkou links: which renkou fields each carries, which persons
 * (roles) a record names, and the default column mapping (renkou field → the department's column
 * name), kept as data in default-mappings.json and overridable per batch.
 */

export const FEED_SOURCES: readonly FeedSource[] = [
  'birth_certificate',
  'marriage_registration',
  'hukou_registration',
  'death_certificate',
];

export const SOURCE_LABELS: Record<FeedSource, [string, string]> = {
  birth_certificate: ['出生医学证明', 'birth certificates'],
  marriage_registration: ['婚姻登记', 'marriage and divorce registrations'],
  hukou_registration: ['户籍登记', 'household registrations'],
  death_certificate: ['死亡医学证明', 'death certificates'],
};

/** A role is one person a record names: the child of a birth certificate, each spouse of a marriage. */
export type FeedRole = 'child' | 'husband' | 'wife' | 'person' | 'deceased';

export interface SourceDefinition {
  /** Every renkou field the source may map, with whether a mapping must name it. */
  fields: Record<string, { required: boolean; zh: string; en: string }>;
  /** The roles linked with the registry; the first is the principal (feed_record.person_id). */
  roles: readonly FeedRole[];
}

const f = (required: boolean, zh: string, en: string) => ({ required, zh, en });

export const SOURCES: Record<FeedSource, SourceDefinition> = {
  birth_certificate: {
    roles: ['child'],
    fields: {
      record_no: f(true, '证明编号', 'certificate number'),
      name: f(false, '新生儿姓名', 'child’s name'),
      sex: f(true, '性别', 'sex'),
      birth_date: f(true, '出生日期', 'date of birth'),
      mother_name: f(false, '母亲姓名', 'mother’s name'),
      mother_id_number: f(true, '母亲身份证件号码', 'mother’s ID number'),
      father_name: f(false, '父亲姓名', 'father’s name'),
      father_id_number: f(false, '父亲身份证件号码', 'father’s ID number'),
      address: f(true, '家庭住址', 'home address'),
      issuing_unit: f(false, '出生医院', 'hospital of birth'),
      issue_date: f(false, '签发日期', 'date issued'),
    },
  },
  marriage_registration: {
    roles: ['wife', 'husband'],
    fields: {
      record_no: f(true, '登记证字号', 'certificate number'),
      business: f(true, '业务类型', 'kind (marriage or divorce)'),
      event_date: f(true, '登记日期', 'date registered'),
      husband_name: f(true, '男方姓名', 'husband’s name'),
      husband_id_number: f(false, '男方身份证件号码', 'husband’s ID number'),
      husband_birth_date: f(false, '男方出生日期', 'husband’s date of birth'),
      wife_name: f(true, '女方姓名', 'wife’s name'),
      wife_id_number: f(false, '女方身份证件号码', 'wife’s ID number'),
      wife_birth_date: f(false, '女方出生日期', 'wife’s date of birth'),
      issuing_unit: f(false, '登记机关', 'registry office'),
    },
  },
  hukou_registration: {
    roles: ['person'],
    fields: {
      record_no: f(true, '业务流水号', 'case number'),
      business: f(true, '业务类别', 'kind of registration'),
      event_date: f(true, '办理日期', 'date done'),
      name: f(true, '姓名', 'name'),
      sex: f(false, '性别', 'sex'),
      birth_date: f(false, '出生日期', 'date of birth'),
      id_number: f(false, '公民身份号码', 'ID number'),
      household_no: f(false, '户号', 'household number'),
      address: f(false, '住址', 'address'),
      other_place: f(false, '迁出迁入地', 'moved from / to'),
      issuing_unit: f(false, '办理机关', 'police station'),
    },
  },
  death_certificate: {
    roles: ['deceased'],
    fields: {
      record_no: f(true, '死亡证明编号', 'certificate number'),
      name: f(true, '死者姓名', 'name of the deceased'),
      sex: f(false, '性别', 'sex'),
      ethnicity: f(false, '民族', 'ethnicity'),
      id_number: f(false, '身份证件号码', 'ID number'),
      birth_date: f(false, '出生日期', 'date of birth'),
      event_date: f(true, '死亡日期', 'date of death'),
      death_place: f(false, '死亡地点', 'place of death'),
      cause: f(false, '根本死因类别', 'underlying cause'),
      address: f(false, '常住地址', 'usual address'),
      issue_date: f(false, '填报日期', 'date filed'),
      issuing_unit: f(false, '填报单位', 'certifying unit'),
    },
  },
};

/** renkou field → the department's column name. */
export type FeedMapping = Record<string, string>;

const DEFAULTS = JSON.parse(
  readFileSync(new URL('./default-mappings.json', import.meta.url), 'utf8'),
) as Record<FeedSource, FeedMapping>;

/** The standard mapping of a source: the columns the departments' systems export. */
export function defaultMapping(source: FeedSource): FeedMapping {
  return { ...DEFAULTS[source] };
}

/** Reads a source name, or says which ones there are. */
export function parseFeedSource(value: unknown, field = 'source'): FeedSource {
  if (typeof value === 'string' && (FEED_SOURCES as readonly string[]).includes(value)) {
    return value as FeedSource;
  }
  throw new AppError(
    'invalid_input',
    text(
      `来源应为 ${FEED_SOURCES.join('、')} 之一：${shown(value)}`,
      `The source must be one of ${FEED_SOURCES.join(', ')}: ${shown(value, 'en')}`,
    ),
    { field },
  );
}

/**
 * The mapping a batch uses: the source's default with the override's fields replacing it, checked
 * against the file's columns. Every problem is one field issue: a field the source does not know,
 * a column the file lacks, a required field left unmapped.
 */
export function resolveMapping(
  source: FeedSource,
  columns: readonly string[],
  override?: unknown,
): { ok: true; mapping: FeedMapping } | { ok: false; issues: FieldIssue[] } {
  const definition = SOURCES[source];
  const issues: FieldIssue[] = [];
  const mapping = defaultMapping(source);
  if (override !== undefined && override !== null) {
    if (typeof override !== 'object' || Array.isArray(override)) {
      return {
        ok: false,
        issues: [
          fieldIssue(
            'mapping_not_object',
            'mapping',
            '字段映射应为 JSON 对象：{ 字段: 列名 }',
            'The mapping must be a JSON object: { field: column name }',
          ),
        ],
      };
    }
    for (const [field, column] of Object.entries(override as Record<string, unknown>)) {
      if (!(field in definition.fields)) {
        issues.push(
          fieldIssue(
            'mapping_unknown_field',
            `mapping.${field}`,
            `${SOURCE_LABELS[source][0]}没有字段“${field}”（可用：${Object.keys(definition.fields).join('、')}）`,
            `${SOURCE_LABELS[source][1]} have no field "${field}" (known: ${Object.keys(definition.fields).join(', ')})`,
          ),
        );
        continue;
      }
      if (column === null || column === '') {
        delete mapping[field];
        continue;
      }
      if (typeof column !== 'string') {
        issues.push(
          fieldIssue('mapping_not_text', `mapping.${field}`, '列名应为文本', 'the column name must be text'),
        );
        continue;
      }
      mapping[field] = column;
    }
  }
  const present = new Set(columns);
  for (const [field, spec] of Object.entries(definition.fields)) {
    const column = mapping[field];
    if (column === undefined) {
      if (spec.required) {
        issues.push(
          fieldIssue(
            'mapping_required',
            `mapping.${field}`,
            `必须为“${spec.zh}”（${field}）指定一列`,
            `a column must be given for ${spec.en} (${field})`,
          ),
        );
      }
      continue;
    }
    if (!present.has(column)) {
      if (spec.required || (override as Record<string, unknown> | undefined)?.[field] !== undefined) {
        issues.push(
          fieldIssue(
            'mapping_column_missing',
            `mapping.${field}`,
            `文件中没有列“${column}”（${spec.zh}）；文件的列：${columns.join('、')}`,
            `the file has no column "${column}" (${spec.en}); its columns: ${columns.join(', ')}`,
          ),
        );
      } else {
        // An optional field of the standard mapping the department left out: not mapped.
        delete mapping[field];
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, mapping };
}

/** What a record reports, by source and the business column. */
export function eventKindOf(source: FeedSource, business: string | null): EventKind | null {
  switch (source) {
    case 'birth_certificate':
      return 'birth';
    case 'death_certificate':
      return 'death';
    case 'marriage_registration':
      if (business === null) return null;
      if (business.includes('离婚')) return 'divorce';
      if (business.includes('结婚') || business.includes('复婚')) return 'marriage';
      return null;
    case 'hukou_registration':
      if (business === null) return null;
      if (business.includes('出生')) return 'birth';
      if (business.includes('死亡')) return 'death';
      if (business.includes('县内') || business.includes('户内') || business.includes('住址变更')) {
        return 'residence_change';
      }
      if (business.includes('迁入')) return 'move_in';
      if (business.includes('迁出')) return 'move_out';
      return null;
  }
}
