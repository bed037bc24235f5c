import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32, deflateSync } from 'node:zlib';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import * as echarts from 'echarts';

/**
 * Charts for reports: an echarts option rendered server-side to SVG (no browser, no canvas), and
 * that SVG to PNG with resvg (WASM) for .docx, which cannot embed SVG portably. resvg needs a
 * font with Chinese glyphs: the Debian packages fonts-noto-cjk or fonts-wqy-zenhei provide one;
 * RENKOU_CJK_FONT names another file.
 */

const FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc',
];

const FONT_FAMILY = 'Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif';

let fontBuffer: Uint8Array | null | undefined;
let wasmReady: Promise<void> | undefined;

/** The CJK font file charts are drawn with, or null when the machine has none. */
export function findCjkFont(): string | null {
  const configured = process.env.RENKOU_CJK_FONT;
  if (configured && existsSync(configured)) return configured;
  return FONT_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

function loadFont(): Uint8Array | null {
  if (fontBuffer === undefined) {
    const path = findCjkFont();
    fontBuffer = path ? new Uint8Array(readFileSync(path)) : null;
  }
  return fontBuffer;
}

function ensureWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  })();
  return wasmReady;
}

/**
 * Starts loading the chart renderer (WASM compile, font file) without waiting: called when a
 * .docx is asked for, so the one-time start-up overlaps the database work of gathering figures.
 */
export function prepareChartRenderer(): void {
  if (!loadFont()) return;
  ensureWasm().catch(() => {
    wasmReady = undefined; // svgsToPngs will try again and report the error
  });
}

const PALETTE = ['#c23531', '#2f4554', '#61a0a8', '#d48265', '#91c7ae', '#749f83', '#ca8622'];

/** Adds what the pure option cannot carry (functions) and the report's look. */
function finishOption(id: string, option: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    animation: false,
    color: PALETTE,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY, fontSize: 13 },
    ...option,
  };
  if (id === 'pyramid') {
    // Males are drawn to the left as negative bars; the axis shows sizes.
    out.xAxis = { ...(option.xAxis as object), axisLabel: { formatter: (v: number) => String(Math.abs(v)) } };
  }
  return out;
}

/** An echarts option as an SVG string (server-side rendering). */
export function renderChartSvg(
  id: string,
  option: Record<string, unknown>,
  width = 640,
  height = 340,
): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(finishOption(id, option));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** An SVG as PNG at `width` pixels, drawn with the CJK font; null when no CJK font is installed. */
export async function svgToPng(svg: string, width: number): Promise<Uint8Array | null> {
  const sizes = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  const w = Number(sizes?.[1] ?? width);
  const h = Number(sizes?.[2] ?? width / 2);
  const pngs = await svgsToPngs([{ svg, width: w, height: h }], width / w);
  return pngs?.[0] ?? null;
}

/** A chart's SVG (from renderChartSvg) and the size it was laid out at, in CSS pixels. */
export interface ChartSvg {
  svg: string;
  width: number;
  height: number;
}

/**
 * Many SVGs as PNGs at `scale` × their size, drawn in one resvg pass: resvg parses the CJK font
 * (a 19 MB collection) for every Resvg instance, so the charts are stacked into one SVG, drawn
 * once, and the pixel rows cut apart and encoded as PNG by node's zlib. Null when no CJK font is
 * installed.
 */
export async function svgsToPngs(charts: readonly ChartSvg[], scale: number): Promise<Uint8Array[] | null> {
  const font = loadFont();
  if (!font) return null;
  if (charts.length === 0) return [];
  await ensureWasm();
  const width = Math.max(...charts.map((chart) => chart.width));
  const offsets: number[] = [];
  let height = 0;
  const parts = charts.map((chart, index) => {
    offsets.push(height);
    const y = height;
    height += chart.height;
    // A translated group, not a nested <svg>: resvg draws a nested viewport (a clip) on its own
    // full-size layer, which made the stack slower than separate images.
    return `<g transform="translate(0 ${y})">${innerSvg(chart.svg, `c${index}-`)}</g>`;
  });
  const stacked = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
  const resvg = new Resvg(stacked, {
    fitTo: { mode: 'width', value: Math.round(width * scale) },
    background: '#ffffff',
    font: { fontBuffers: [font], defaultFontFamily: 'Noto Sans CJK SC', sansSerifFamily: 'Noto Sans CJK SC' },
  });
  try {
    const image = resvg.render();
    try {
      const pixels = image.pixels;
      const rowBytes = image.width * 4;
      return charts.map((chart, index) => {
        const top = Math.round(offsets[index]! * scale);
        const bottom = Math.min(image.height, Math.round((offsets[index]! + chart.height) * scale));
        const chartWidth = Math.min(image.width, Math.round(chart.width * scale));
        return encodePng(pixels, rowBytes, top, bottom, chartWidth);
      });
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** The content of an <svg> element with its ids prefixed, so stacked charts cannot clash. */
function innerSvg(svg: string, prefix: string): string {
  const open = svg.indexOf('>', svg.indexOf('<svg'));
  const close = svg.lastIndexOf('</svg>');
  return svg
    .slice(open + 1, close)
    .replace(/\bid="/g, `id="${prefix}`)
    .replace(/url\(#/g, `url(#${prefix}`)
    .replace(/href="#/g, `href="#${prefix}`);
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Rows [top, bottom) and the first `width` pixels of an RGBA image as an 8-bit RGBA PNG. */
function encodePng(
  pixels: Uint8Array,
  rowBytes: number,
  top: number,
  bottom: number,
  width: number,
): Uint8Array {
  const outRow = width * 4;
  const raw = Buffer.alloc((outRow + 1) * (bottom - top));
  for (let y = top; y < bottom; y++) {
    const at = (y - top) * (outRow + 1);
    raw[at] = 0; // filter: none
    raw.set(pixels.subarray(y * rowBytes, y * rowBytes + outRow), at + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(bottom - top, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
