import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import { type ChartSvg, renderChartSvg, svgsToPngs } from './charts.ts';
import type { Block, ReportDocument } from './model.ts';

/**
 * The work report as .docx in the layout of Chinese official documents (GB/T 9704): A4, margins
 * top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title in 小标宋 二号; body 仿宋 三号 at a fixed
 * 28.95 pt line (22 lines of 28 characters); first-level headings 黑体, second-level 楷体; page
 * numbers "— 1 —" in the footer. Word substitutes its own fonts where these are not installed.
 */

const MM = 1440 / 25.4; // twips per millimetre
const PAGE = { width: Math.round(210 * MM), height: Math.round(297 * MM) };
const MARGIN = {
  top: Math.round(37 * MM),
  bottom: Math.round(35 * MM),
  left: Math.round(28 * MM),
  right: Math.round(26 * MM),
};
const TEXT_WIDTH_PX = Math.round(((210 - 28 - 26) / 25.4) * 96); // 156 mm at 96 dpi

const FONTS = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  heading: '黑体',
  subheading: '楷体_GB2312',
  latin: 'Times New Roman',
  footer: '宋体',
};
const SIZE = { title: 44, body: 32, table: 24, caption: 24, footer: 28 }; // half-points: 二号, 三号, 小四, 小四, 四号
const LINE = 579; // twips: 28.95 pt

function font(eastAsia: string) {
  return { eastAsia, ascii: FONTS.latin, hAnsi: FONTS.latin, cs: FONTS.latin };
}

function run(text: string, options: { font?: string; size?: number; bold?: boolean } = {}) {
  return new TextRun({
    text,
    font: font(options.font ?? FONTS.body),
    size: options.size ?? SIZE.body,
    bold: options.bold,
  });
}

function bodyParagraph(text: string) {
  return new Paragraph({
    children: [run(text)],
    indent: { firstLine: 640 },
    spacing: { line: LINE, lineRule: LineRuleType.EXACT },
    alignment: AlignmentType.JUSTIFIED,
  });
}

function captionParagraph(text: string) {
  return new Paragraph({
    children: [run(text, { font: FONTS.heading, size: SIZE.caption })],
    alignment: AlignmentType.CENTER,
    spacing: { before: 120, after: 60 },
    keepNext: true,
  });
}

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

function tableOf(block: Extract<Block, { type: 'table' }>): Table {
  const columns = block.header.length;
  const first = columns > 5 ? 18 : 30;
  const rest = (100 - first) / (columns - 1);
  const cellOf = (
    text: string,
    opts: { header?: boolean; numeric?: boolean; column: number; bold?: boolean },
  ) =>
    new TableCell({
      width: { size: opts.column === 0 ? first : rest, type: WidthType.PERCENTAGE },
      verticalAlign: VerticalAlign.CENTER,
      shading: opts.header ? { type: ShadingType.CLEAR, fill: 'EDEDED', color: 'auto' } : undefined,
      margins: { left: 60, right: 60, top: 30, bottom: 30 },
      children: [
        new Paragraph({
          alignment: opts.header
            ? AlignmentType.CENTER
            : opts.numeric
              ? AlignmentType.RIGHT
              : AlignmentType.LEFT,
          children: [
            run(text, { size: SIZE.table, font: opts.header ? FONTS.heading : FONTS.body, bold: opts.bold }),
          ],
        }),
      ],
    });
  const rows = [
    new TableRow({
      tableHeader: true,
      children: block.header.map((text, column) => cellOf(text, { header: true, column })),
    }),
    ...block.rows.map(
      (row, index) =>
        new TableRow({
          cantSplit: true,
          children: row.map((c, column) =>
            cellOf(c.text, {
              numeric: c.numeric,
              column,
              bold: block.totalRow === true && index === block.rows.length - 1,
            }),
          ),
        }),
    ),
  ];
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: {
      top: thin,
      bottom: thin,
      left: thin,
      right: thin,
      insideHorizontal: thin,
      insideVertical: thin,
    },
    rows,
  });
}

/** The document as .docx bytes. Charts become PNG images (omitted, with a note, when no CJK font is installed). */
export async function renderDocx(document: ReportDocument): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [];
  children.push(
    new Paragraph({
      children: [run(document.title, { font: FONTS.title, size: SIZE.title })],
      alignment: AlignmentType.CENTER,
      spacing: { line: 700, lineRule: LineRuleType.EXACT, after: 120 },
    }),
    new Paragraph({
      children: [run(document.subtitle, { font: FONTS.subheading })],
      alignment: AlignmentType.CENTER,
      spacing: { line: LINE, lineRule: LineRuleType.EXACT, after: 240 },
    }),
  );
  // Every chart drawn in one resvg pass (charts.ts): the CJK font is parsed once per document.
  const chartSvgs: ChartSvg[] = [];
  const chartIndex = new Map<object, number>();
  for (const block of document.blocks) {
    if (block.type !== 'chart') continue;
    const width = TEXT_WIDTH_PX;
    const height = block.id === 'pyramid' ? Math.round(width * 0.62) : Math.round(width * 0.5);
    chartIndex.set(block, chartSvgs.length);
    chartSvgs.push({ svg: renderChartSvg(block.id, block.option, width, height), width, height });
  }
  const pngs = await svgsToPngs(chartSvgs, 2);
  for (const block of document.blocks) {
    switch (block.type) {
      case 'heading':
        children.push(
          new Paragraph({
            children: [run(block.text, { font: block.level === 1 ? FONTS.heading : FONTS.subheading })],
            indent: { firstLine: 640 },
            spacing: { line: LINE, lineRule: LineRuleType.EXACT },
            keepNext: true,
          }),
        );
        break;
      case 'paragraph':
        children.push(
          bodyParagraph(block.parts.map((part) => (typeof part === 'string' ? part : part.text)).join('')),
        );
        break;
      case 'table':
        children.push(captionParagraph(block.caption), tableOf(block));
        if (block.note) {
          children.push(
            new Paragraph({
              children: [run(`注：${block.note}`, { size: SIZE.table })],
              spacing: { before: 60, after: 120 },
            }),
          );
        } else children.push(new Paragraph({ children: [], spacing: { after: 120 } }));
        break;
      case 'chart': {
        const { width, height } = chartSvgs[chartIndex.get(block)!]!;
        const png = pngs?.[chartIndex.get(block)!];
        if (png) {
          children.push(
            new Paragraph({
              alignment: AlignmentType.CENTER,
              keepNext: true,
              children: [new ImageRun({ type: 'png', data: png, transformation: { width, height } })],
            }),
          );
        } else {
          children.push(bodyParagraph('（本机未安装中文字体，图表未能生成。）'));
        }
        children.push(captionParagraph(block.caption));
        break;
      }
    }
  }
  children.push(
    new Paragraph({ children: [], spacing: { line: LINE, lineRule: LineRuleType.EXACT } }),
    new Paragraph({
      children: [run(document.signature.unit)],
      alignment: AlignmentType.RIGHT,
      indent: { right: 640 },
      spacing: { line: LINE, lineRule: LineRuleType.EXACT },
    }),
    new Paragraph({
      children: [run(document.signature.date)],
      alignment: AlignmentType.RIGHT,
      indent: { right: 640 },
      spacing: { line: LINE, lineRule: LineRuleType.EXACT },
    }),
  );
  const doc = new Document({
    creator: 'renkou',
    title: document.title,
    description: `data_version ${document.dataVersion}`,
    styles: { default: { document: { run: { font: font(FONTS.body), size: SIZE.body } } } },
    sections: [
      {
        properties: { page: { size: PAGE, margin: { ...MARGIN, header: 851, footer: 992 } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ text: '— ', font: font(FONTS.footer), size: SIZE.footer }),
                  new TextRun({
                    children: [PageNumber.CURRENT],
                    font: font(FONTS.footer),
                    size: SIZE.footer,
                  }),
                  new TextRun({ text: ' —', font: font(FONTS.footer), size: SIZE.footer }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
