import ExcelJS from 'exceljs';
import type { Lang } from '../domain/i18n.ts';
import { decimalsOf, type Figure, NO_DATA } from './figures.ts';
import type { StatisticalTables } from './statistical-tables.ts';

/**
 * Statistical tables as .xlsx: one sheet per period type (年报, 季报, 月报), a block of rows per
 * period ending in a 合计 row, frozen headers, number formats per measure, and a 说明 sheet with
 * each column's definition, how its total is made, and the data version. Totals are values, not
 * formulas: exceljs drops a formula's cached result when it is 0, and a reader that does not
 * recalculate would then see an empty total.
 */

const MEASURE_LABEL: Record<Lang, Record<string, string>> = {
  'zh-CN': { permille: '‰', percent: '%', ratio: '', count: '', years: '岁', children_per_woman: '' },
  en: { permille: '‰', percent: '%', ratio: '', count: '', years: 'years', children_per_woman: '' },
};

/** The workbook's words in either language (the figures are the same). */
const WORDS = {
  'zh-CN': {
    title: (unit: string, period: string) => `${unit}${period}人口统计报表`,
    legend: (version: number) =>
      `数据版本 ${version}；合计：人数相加，比率由合计的分子、分母重新计算；无数据处不填数字`,
    header: ['时期', '单位代码', '单位'],
    total: '合计',
    titleFont: '黑体',
    notes: '说明',
    notesHeader: ['指标', '代码', '单位', '定义', '合计的算法'],
    pooled: '不可相加：取本级合并计算的数',
    ratio: '各单位分子之和 ÷ 分母之和',
    sum: '各单位相加',
    dataVersion: '数据版本',
    source: '每个数的来源',
    sourceText:
      '/api/indicators/{代码}?unit={单位代码}&period={时期}（下钻：…/records；服务覆盖率与数据质量指标没有逐条名单）',
  },
  en: {
    title: (unit: string, period: string) => `${unit}: population statistics, ${period}`,
    legend: (version: number) =>
      `Data version ${version}; totals: counts are added up, rates are recomputed from the summed numerators and denominators; cells without data hold no number`,
    header: ['Period', 'Unit code', 'Unit'],
    total: 'Total',
    titleFont: 'Arial',
    notes: 'Notes',
    notesHeader: ['Indicator', 'Code', 'Measure', 'Definition', 'How the total is made'],
    pooled: 'Not additive: the unit’s own figure, computed from its pooled data',
    ratio: 'Sum of the units’ numerators ÷ sum of their denominators',
    sum: 'Sum of the units',
    dataVersion: 'Data version',
    source: 'Where each figure comes from',
    sourceText:
      '/api/indicators/{code}?unit={unit code}&period={period} (drill-down: …/records; none for service coverage and data-quality rates)',
  },
} as const;

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

/** The workbook as bytes, in the tables' language. Empty cells are written as 无数据 (no data), never as 0. */
export async function renderXlsx(tables: StatisticalTables): Promise<Buffer> {
  const lang = tables.lang;
  const words = WORDS[lang];
  const noData = NO_DATA[lang];
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'renkou';
  workbook.title = words.title(tables.unit.name, tables.period.label[lang]);
  const columnCount = 3 + tables.columns.length;
  for (const sheet of tables.sheets) {
    const ws = workbook.addWorksheet(sheet.name, {
      views: [{ state: 'frozen', xSplit: 3, ySplit: 3 }],
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    ws.mergeCells(1, 1, 1, columnCount);
    ws.getCell(1, 1).value = sheet.title;
    ws.getCell(1, 1).font = { name: words.titleFont, size: 14, bold: true };
    ws.getCell(1, 1).alignment = { horizontal: 'center' };
    ws.mergeCells(2, 1, 2, columnCount);
    ws.getCell(2, 1).value = words.legend(tables.dataVersion);
    ws.getCell(2, 1).font = { size: 9, color: { argb: 'FF666666' } };
    const header = ws.getRow(3);
    header.values = [
      ...words.header,
      ...tables.columns.map(
        (d) => `${d.name[lang]}${MEASURE_LABEL[lang][d.unit] ? `(${MEASURE_LABEL[lang][d.unit]})` : ''}`,
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
        r.getCell(1).value = block.period.label[lang];
        r.getCell(2).value = row.unit.code;
        r.getCell(3).value = row.unit.name;
        row.figures.forEach((figure, i) => {
          r.getCell(4 + i).value = figure ? (figure.value ?? noData) : '—';
        });
      }
      const r = ws.getRow(rowNo++);
      r.getCell(1).value = block.period.label[lang];
      r.getCell(2).value = tables.unit.code;
      r.getCell(3).value = words.total;
      block.total.forEach((figure, i) => {
        const cell = r.getCell(4 + i);
        if (!figure) cell.value = '—';
        else if (figure.value === null) cell.value = noData;
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
  const notes = workbook.addWorksheet(words.notes);
  const [name, id, unit, description, total] = words.notesHeader;
  notes.columns = [
    { header: name, key: 'name', width: 22 },
    { header: id, key: 'id', width: 28 },
    { header: unit, key: 'unit', width: 8 },
    { header: description, key: 'description', width: 80 },
    { header: total, key: 'total', width: 40 },
  ];
  notes.views = [{ state: 'frozen', ySplit: 1 }];
  notes.getRow(1).font = { bold: true };
  for (const d of tables.columns) {
    notes.addRow({
      name: d.name[lang],
      id: d.id,
      unit: MEASURE_LABEL[lang][d.unit] ?? '',
      description: d.description[lang],
      total:
        d.method === 'tfr' || d.method === 'lifeExpectancy'
          ? words.pooled
          : d.denominator
            ? words.ratio
            : words.sum,
    });
  }
  notes.addRow({});
  notes.addRow({ name: words.dataVersion, id: String(tables.dataVersion) });
  notes.addRow({ name: words.source, description: words.sourceText });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
