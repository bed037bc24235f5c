import type { Lang } from '../domain/i18n.ts';
import { renderChartSvg } from './charts.ts';
import { type Figure, formatFigure, NO_DATA } from './figures.ts';
import type { ReportDocument } from './model.ts';
import type { StatisticalTables } from './statistical-tables.ts';

/**
 * The HTML preview: the same document as the .docx, on an A4-like page, each figure a span whose
 * title is its trace (hover to see where it came from) and whose data-key is its key in the
 * report record. Charts are inline SVG.
 */

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function traceText(figure: Figure): string {
  const t = figure.trace;
  const parts = [`${t.indicator} · ${t.unit} · ${t.period}`, `data_version ${t.dataVersion}`, t.query];
  if (t.note) parts.push(t.note);
  if (figure.numerator !== null && figure.denominator !== null)
    parts.push(`${figure.numerator} / ${figure.denominator}`);
  return parts.join('\n');
}

function figureSpan(figure: Figure | undefined, lang: Lang, text?: string): string {
  if (!figure) return `<span class="nodata">${NO_DATA[lang]}</span>`;
  const shown = text ?? formatFigure(figure, lang);
  const cls = figure.value === null ? 'fig nodata' : 'fig';
  return `<span class="${cls}" data-key="${esc(figure.key)}" title="${esc(traceText(figure))}">${esc(shown)}</span>`;
}

const STYLE = `
body { background: #eee; margin: 0; font-family: FangSong, "仿宋", "Noto Serif CJK SC", serif; }
.page { background: #fff; width: 210mm; margin: 12px auto; padding: 37mm 26mm 35mm 28mm; box-sizing: border-box; font-size: 16pt; line-height: 28.95pt; }
h1 { font-family: "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center; font-weight: normal; line-height: 1.4; margin: 0 0 8pt; }
.subtitle { text-align: center; font-family: KaiTi, "楷体", serif; margin-bottom: 16pt; }
h2 { font-family: SimHei, "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
h3 { font-family: KaiTi, "楷体", serif; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.fig { border-bottom: 1px dotted #999; cursor: help; }
.nodata { color: #a33; }
figure { margin: 8pt 0; text-align: center; } figcaption, .caption { font-family: SimHei, "黑体", sans-serif; font-size: 12pt; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; line-height: 1.4; margin-bottom: 6pt; }
th, td { border: 1px solid #000; padding: 2pt 4pt; } th { background: #ededed; font-family: SimHei, "黑体", sans-serif; font-weight: normal; }
td.num { text-align: right; } tr.total td { font-weight: bold; }
.note { font-size: 11pt; text-indent: 0; line-height: 1.4; }
.signature { text-align: right; margin-top: 28pt; padding-right: 2em; }
`;

/** English pages: an ordinary Latin serif, the CJK fonts after it for unit names. */
const STYLE_EN = `
body, .subtitle, h3 { font-family: "Liberation Serif", "Times New Roman", "Noto Serif CJK SC", serif; }
h1, h2, figcaption, .caption, th { font-family: "Liberation Serif", "Times New Roman", "Noto Serif CJK SC", serif; font-weight: bold; }
.page { font-size: 12pt; line-height: 1.5; } h1 { font-size: 16pt; } h2, h3 { font-size: 13pt; margin-top: 8pt; }
p { text-indent: 0; margin-bottom: 6pt; } h2, h3 { text-indent: 0; } h3 { font-style: italic; font-weight: normal; }
`;

/** The work report as one HTML page (with the statistical tables' annual sheet after it, when given). */
export function renderHtml(document: ReportDocument, tables?: StatisticalTables): string {
  const lang = document.lang;
  const en = lang === 'en';
  const out: string[] = [];
  out.push(
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(document.title)}</title><style>${STYLE}${en ? STYLE_EN : ''}</style></head><body>`,
  );
  out.push(`<article class="page" data-version="${document.dataVersion}">`);
  out.push(`<h1>${esc(document.title)}</h1><div class="subtitle">${esc(document.subtitle)}</div>`);
  for (const block of document.blocks) {
    if (block.type === 'heading')
      out.push(block.level === 1 ? `<h2>${esc(block.text)}</h2>` : `<h3>${esc(block.text)}</h3>`);
    if (block.type === 'paragraph') {
      out.push(
        `<p>${block.parts.map((part) => (typeof part === 'string' ? esc(part) : figureSpan(part.figure, lang, part.text))).join('')}</p>`,
      );
    }
    if (block.type === 'table') {
      out.push(
        `<div class="caption">${esc(block.caption)}</div><table><thead><tr>${block.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>`,
      );
      block.rows.forEach((row, index) => {
        const total = block.totalRow && index === block.rows.length - 1;
        out.push(
          `<tr${total ? ' class="total"' : ''}>${row.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${c.figure ? figureSpan(c.figure, lang, c.text) : esc(c.text)}</td>`).join('')}</tr>`,
        );
      });
      out.push('</tbody></table>');
      if (block.note) out.push(`<p class="note">${en ? 'Note: ' : '注：'}${esc(block.note)}</p>`);
    }
    if (block.type === 'chart') {
      const height = block.id === 'pyramid' ? 370 : 300;
      out.push(
        `<figure>${renderChartSvg(block.id, block.option, 590, height)}<figcaption>${esc(block.caption)}</figcaption></figure>`,
      );
    }
  }
  out.push(
    `<div class="signature">${esc(document.signature.unit)}<br>${esc(document.signature.date)}</div></article>`,
  );
  if (tables) {
    const sheet = tables.sheets[0];
    if (sheet) {
      out.push(`<article class="page"><h2>${en ? 'Annex: ' : '附表　'}${esc(sheet.title)}</h2>`);
      for (const block of sheet.blocks) {
        out.push(
          `<div class="caption">${esc(block.period.label[lang])}</div><table><thead><tr><th>${en ? 'Unit' : '单位'}</th>`,
        );
        out.push(
          `${tables.columns.map((d) => `<th>${esc(d.name[lang])}</th>`).join('')}</tr></thead><tbody>`,
        );
        for (const row of block.rows) {
          out.push(
            `<tr><td>${esc(row.unit.name)}</td>${row.figures.map((f) => `<td class="num">${f ? figureSpan(f, lang) : '—'}</td>`).join('')}</tr>`,
          );
        }
        out.push(
          `<tr class="total"><td>${en ? 'Total' : '合计'}</td>${block.total.map((f) => `<td class="num">${f ? figureSpan(f, lang) : '—'}</td>`).join('')}</tr></tbody></table>`,
        );
      }
      out.push('</article>');
    }
  }
  out.push('</body></html>');
  return out.join('\n');
}
