import ExcelJS from 'exceljs';
import { decimalsOf, type Figure } from './figures.ts';
import type { StatisticalTables } from './statistical-tables.ts';

/**
 * Statistical tables as .xlsx: one sheet per period type (年报, 季报, 月报), a block of rows per
 * period ending in a 合计 row, frozen headers, number formats per measure, and a 说明 sheet with
 * each column's definition, how its total is made, and the data version. Totals are values, not
 * formulas: exceljs drops a formula's cached result when it is 0, and a reader that does not
 * recalculate would then see an empty total.
 */

const MEASURE_LABEL: Record<string, string> = {
  permille: '‰',
  percent: '%',
  ratio: '',
  count: '',
  years: '岁',
  children_per_woman: '',
};

function numberFormat(measure: Figure['measure']): string {
  const digits = decimalsOf(measure);
  return digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
const BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  bottom: { style: 'thin' },
  left: { style: 'thin' },
  right: { style: 'thin' },
};

/** The workbook as bytes. Empty cells are written as 无数据, never as 0. */
export async function renderXlsx(tables: StatisticalTables): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'renkou';
  workbook.title = `${tables.unit.name}${tables.period.label['zh-CN']}人口统计报表`;
  const columnCount = 3 + tables.columns.length;
  for (const sheet of tables.sheets) {
    const ws = workbook.addWorksheet(sheet.name, {
      views: [{ state: 'frozen', xSplit: 3, ySplit: 3 }],
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    ws.mergeCells(1, 1, 1, columnCount);
    ws.getCell(1, 1).value = sheet.title;
    ws.getCell(1, 1).font = { name: '黑体', size: 14, bold: true };
    ws.getCell(1, 1).alignment = { horizontal: 'center' };
    ws.mergeCells(2, 1, 2, columnCount);
    ws.getCell(2, 1).value =
      `数据版本 ${tables.dataVersion}；合计：人数相加，比率由合计的分子、分母重新计算；无数据处不填数字`;
    ws.getCell(2, 1).font = { size: 9, color: { argb: 'FF666666' } };
    const header = ws.getRow(3);
    header.values = [
      '时期',
      '单位代码',
      '单位',
      ...tables.columns.map(
        (d) => `${d.name['zh-CN']}${MEASURE_LABEL[d.unit] ? `(${MEASURE_LABEL[d.unit]})` : ''}`,
      ),
    ];
    header.height = 42;
    header.eachCell((c) => {
      c.font = { bold: true };
      c.fill = HEADER_FILL;
      c.border = BORDER;
      c.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    });
    ws.getColumn(1).width = 14;
    ws.getColumn(2).width = 12;
    ws.getColumn(3).width = 14;
    tables.columns.forEach((d, i) => {
      const column = ws.getColumn(4 + i);
      column.width = 11;
      column.numFmt = numberFormat(d.unit);
    });
    let rowNo = 4;
    for (const block of sheet.blocks) {
      const first = rowNo;
      for (const row of block.rows) {
        const r = ws.getRow(rowNo++);
        r.getCell(1).value = block.period.label['zh-CN'];
        r.getCell(2).value = row.unit.code;
        r.getCell(3).value = row.unit.name;
        row.figures.forEach((figure, i) => {
          r.getCell(4 + i).value = figure ? (figure.value ?? '无数据') : '—';
        });
      }
      const r = ws.getRow(rowNo++);
      r.getCell(1).value = block.period.label['zh-CN'];
      r.getCell(2).value = tables.unit.code;
      r.getCell(3).value = '合计';
      block.total.forEach((figure, i) => {
        const cell = r.getCell(4 + i);
        if (!figure) cell.value = '—';
        else if (figure.value === null) cell.value = '无数据';
        else cell.value = figure.value;
      });
      r.font = { bold: true };
      r.eachCell((c) => {
        c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF7F3E8' } };
      });
      for (let row = first; row < rowNo; row++) {
        ws.getRow(row).eachCell({ includeEmpty: true }, (c) => {
          c.border = BORDER;
        });
      }
    }
  }
  const notes = workbook.addWorksheet('说明');
  notes.columns = [
    { header: '指标', key: 'name', width: 22 },
    { header: '代码', key: 'id', width: 28 },
    { header: '单位', key: 'unit', width: 8 },
    { header: '定义', key: 'description', width: 80 },
    { header: '合计的算法', key: 'total', width: 40 },
  ];
  notes.views = [{ state: 'frozen', ySplit: 1 }];
  notes.getRow(1).font = { bold: true };
  for (const d of tables.columns) {
    notes.addRow({
      name: d.name['zh-CN'],
      id: d.id,
      unit: MEASURE_LABEL[d.unit] ?? '',
      description: d.description['zh-CN'],
      total:
        d.method === 'tfr' || d.method === 'lifeExpectancy'
          ? '不可相加：取本级合并计算的数'
          : d.denominator
            ? '各单位分子之和 ÷ 分母之和'
            : '各单位相加',
    });
  }
  notes.addRow({});
  notes.addRow({ name: '数据版本', id: String(tables.dataVersion) });
  notes.addRow({
    name: '每个数的来源',
    description: '/api/indicators/{代码}?unit={单位代码}&period={时期}（下钻：…/records）',
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
