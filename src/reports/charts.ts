import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  const font = loadFont();
  if (!font) return null;
  await ensureWasm();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: '#ffffff',
    font: { fontBuffers: [font], defaultFontFamily: 'Noto Sans CJK SC', sansSerifFamily: 'Noto Sans CJK SC' },
  });
  try {
    return resvg.render().asPng();
  } finally {
    resvg.free();
  }
}
