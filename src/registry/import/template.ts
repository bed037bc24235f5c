import type { Writable } from 'node:stream';
import { createTableWriter, type SheetColumn, type TableFormat } from '../export/table-writer.ts';
import { PERSON_COLUMNS, type PersonColumn } from './person-columns.ts';

/** Columns a spreadsheet must keep as text: ID numbers and codes would lose digits as numbers. */
const TEXT_FIELDS = new Set([
  'householdNo',
  'villageCode',
  'idNumber',
  'phone',
  'motherIdNumber',
  'sourceKey',
]);

/** The template's (and the export's) columns as a sheet lays them out. */
export function personSheetColumns(): SheetColumn[] {
  return PERSON_COLUMNS.map((column) => ({
    header: column.zh,
    width:
      column.field === 'idNumber' || column.field === 'motherIdNumber'
        ? 22
        : Math.max(10, column.zh.length * 2 + 4),
    text: TEXT_FIELDS.has(column.field),
  }));
}

function allowedValues(column: PersonColumn): string {
  if (!column.values) return '';
  const shown = column.values.map((v) =>
    v.aliases.length > 0 ? `${v.zh}（${v.en}；也可写 ${v.aliases.join('、')}）` : `${v.zh}（${v.en}）`,
  );
  return shown.join('\n');
}

/** The notes sheet: every column, whether it is required, what goes in it, the allowed values. */
export function templateNotes(): string[][] {
  return [
    ['列名 Column', '必填 Required', '说明', 'Description', '可填的值 Allowed values'],
    ...PERSON_COLUMNS.map((column) => [
      `${column.zh}\n${column.en}`,
      column.required ? '必填 yes' : '可空 no',
      column.hint['zh-CN'],
      column.hint.en,
      allowedValues(column),
    ]),
    [
      '说明 Notes',
      '',
      '每行一人；第一行为表头（中文或英文列名均可，列的顺序不限）。同一文件重复导入不会重复建档；已在登记库中且信息相同的人计为“未变”。有问题的行进入隔离区，可更正后重新提交。',
      'One person per row; the first row is the header (zh-CN or English names, any order). Importing the same file again creates nothing; persons already in the registry with the same values count as unchanged. Rows with problems go to the quarantine, to be corrected and resubmitted.',
      '',
    ],
  ];
}

/** Writes the person import template: the header, one example row and (XLSX) a sheet explaining each column. */
export async function writePersonTemplate(out: Writable, format: TableFormat): Promise<void> {
  const writer = createTableWriter(out, format, {
    columns: personSheetColumns(),
    sheetName: '人员',
    notes: { name: '填写说明', rows: templateNotes() },
  });
  await writer.writeRow(PERSON_COLUMNS.map((column) => column.example));
  await writer.close();
}
