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
import type { Lang } from '../domain/i18n.ts';
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

/** The layout of one language: fonts (East Asian and Latin), sizes and the body's line. */
interface Layout {
  lang: Lang;
  /** East Asian fonts: for Chinese text, and in English for the unit names. */
  fonts: { title: string; body: string; heading: string; subheading: string; footer: string };
  latin: string;
  size: { title: number; body: number; table: number; header: number; caption: number; footer: number };
  /** The first column's share of a table's width (%), for tables of more than five columns. */
  firstColumn: number;
  /** The body's line spacing. */
  line: { line: number; lineRule: (typeof LineRuleType)[keyof typeof LineRuleType] };
  indent: number;
  after: number;
  /** How body paragraphs are aligned (see LAYOUTS). */
  align: (typeof AlignmentType)[keyof typeof AlignmentType];
  bold: { title: boolean; heading: boolean };
  italicSubheading: boolean;
  language?: { value: string; eastAsia: string };
}

const LAYOUTS: Record<Lang, Layout> = {
  'zh-CN': {
    lang: 'zh-CN',
    fonts: {
      title: '方正小标宋简体',
      body: '仿宋_GB2312',
      heading: '黑体',
      subheading: '楷体_GB2312',
      footer: '宋体',
    },
    latin: 'Times New Roman',
    size: { title: 44, body: 32, table: 24, header: 24, caption: 24, footer: 28 }, // half-points: 二号, 三号, 小四, 小四, 小四, 四号
    firstColumn: 18,
    line: { line: 579, lineRule: LineRuleType.EXACT }, // twips: 28.95 pt
    indent: 640,
    after: 0,
    // Left, not justified: Chinese justification widens the space between every character of a
    // line whose next word is a number that does not fit ("华 亭 市： 完 整 率  94.14%，" before
    // "（89.61%）"), which the report's many figures made common. Flush left leaves those lines a
    // few characters short instead; lines of Chinese alone still end flush (equal-width characters).
    align: AlignmentType.LEFT,
    bold: { title: false, heading: false },
    italicSubheading: false,
  },
  // An ordinary English document: Times New Roman 12 pt at 1.5 lines, bold headings; the East
  // Asian font (宋体) only draws the unit names.
  en: {
    lang: 'en',
    fonts: { title: '宋体', body: '宋体', heading: '宋体', subheading: '宋体', footer: '宋体' },
    latin: 'Times New Roman',
    size: { title: 32, body: 24, table: 20, header: 17, caption: 22, footer: 22 },
    firstColumn: 12, // unit names are three or four characters; the English headers need the room
    line: { line: 360, lineRule: LineRuleType.EXACT }, // 18 pt: 1.5 lines of Times 12 pt, whatever the East Asian font's height
    indent: 0,
    after: 120,
    align: AlignmentType.JUSTIFIED, // English justifies by widening the spaces between words only
    bold: { title: true, heading: true },
    italicSubheading: true,
    language: { value: 'en-US', eastAsia: 'zh-CN' },
  },
};

function font(layout: Layout, eastAsia: string) {
  return { eastAsia, ascii: layout.latin, hAnsi: layout.latin, cs: layout.latin };
}

function run(
  layout: Layout,
  text: string,
  options: { font?: string; size?: number; bold?: boolean; italics?: boolean } = {},
) {
  return new TextRun({
    text,
    font: font(layout, options.font ?? layout.fonts.body),
    size: options.size ?? layout.size.body,
    bold: options.bold,
    italics: options.italics || undefined,
    ...(layout.language ? { language: layout.language } : {}),
  });
}

function bodyParagraph(layout: Layout, text: string) {
  return new Paragraph({
    children: [run(layout, text)],
    indent: { firstLine: layout.indent },
    spacing: { ...layout.line, ...(layout.after ? { after: layout.after } : {}) },
    alignment: layout.align,
  });
}

function captionParagraph(layout: Layout, text: string) {
  return new Paragraph({
    children: [
      run(layout, text, {
        font: layout.fonts.heading,
        size: layout.size.caption,
        bold: layout.bold.heading || undefined,
      }),
    ],
    alignment: AlignmentType.CENTER,
    spacing: { before: 120, after: 60 },
    keepNext: true,
  });
}

const thin = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

function tableOf(layout: Layout, block: Extract<Block, { type: 'table' }>): Table {
  const columns = block.header.length;
  const first = columns > 5 ? layout.firstColumn : 30;
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
            run(layout, text, {
              size: opts.header ? layout.size.header : layout.size.table,
              font: opts.header ? layout.fonts.heading : layout.fonts.body,
              bold: opts.header ? layout.bold.heading || undefined : opts.bold,
            }),
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
  const layout = LAYOUTS[document.lang];
  const { fonts, size } = layout;
  const en = document.lang === 'en';
  const children: (Paragraph | Table)[] = [];
  children.push(
    new Paragraph({
      children: [
        run(layout, document.title, {
          font: fonts.title,
          size: size.title,
          bold: layout.bold.title || undefined,
        }),
      ],
      alignment: AlignmentType.CENTER,
      spacing: en ? { after: 120 } : { line: 700, lineRule: LineRuleType.EXACT, after: 120 },
    }),
    new Paragraph({
      children: [run(layout, document.subtitle, { font: fonts.subheading })],
      alignment: AlignmentType.CENTER,
      spacing: { ...layout.line, after: 240 },
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
            children: [
              run(layout, block.text, {
                font: block.level === 1 ? fonts.heading : fonts.subheading,
                bold: (block.level === 1 && layout.bold.heading) || undefined,
                italics: block.level === 2 && layout.italicSubheading,
              }),
            ],
            indent: { firstLine: layout.indent },
            spacing: en ? { ...layout.line, before: 120, after: 60 } : layout.line,
            keepNext: true,
          }),
        );
        break;
      case 'paragraph':
        children.push(
          bodyParagraph(
            layout,
            block.parts.map((part) => (typeof part === 'string' ? part : part.text)).join(''),
          ),
        );
        break;
      case 'table':
        children.push(captionParagraph(layout, block.caption), tableOf(layout, block));
        if (block.note) {
          children.push(
            new Paragraph({
              children: [run(layout, `${en ? 'Note: ' : '注：'}${block.note}`, { size: size.table })],
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
          children.push(
            bodyParagraph(
              layout,
              en
                ? '(No CJK font is installed on this machine: the chart could not be drawn.)'
                : '（本机未安装中文字体，图表未能生成。）',
            ),
          );
        }
        children.push(captionParagraph(layout, block.caption));
        break;
      }
    }
  }
  children.push(
    new Paragraph({ children: [], spacing: layout.line }),
    new Paragraph({
      children: [run(layout, document.signature.unit)],
      alignment: AlignmentType.RIGHT,
      indent: { right: 640 },
      spacing: layout.line,
    }),
    new Paragraph({
      children: [run(layout, document.signature.date)],
      alignment: AlignmentType.RIGHT,
      indent: { right: 640 },
      spacing: layout.line,
    }),
  );
  const doc = new Document({
    creator: 'renkou',
    title: document.title,
    description: `data_version ${document.dataVersion}`,
    styles: {
      default: {
        document: {
          run: {
            font: font(layout, fonts.body),
            size: size.body,
            ...(layout.language ? { language: layout.language } : {}),
          },
        },
      },
    },
    sections: [
      {
        properties: { page: { size: PAGE, margin: { ...MARGIN, header: 851, footer: 992 } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ text: '— ', font: font(layout, fonts.footer), size: size.footer }),
                  new TextRun({
                    children: [PageNumber.CURRENT],
                    font: font(layout, fonts.footer),
                    size: size.footer,
                  }),
                  new TextRun({ text: ' —', font: font(layout, fonts.footer), size: size.footer }),
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
