import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * A .docx rendered to PDF and page PNGs with LibreOffice (Debian: libreoffice-writer-nogui) and
 * pdftoppm (poppler-utils), to look at a report the way it prints. The fonts of official documents
 * (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体) are rarely installed on Linux: a fontconfig file
 * maps them to Noto Serif/Sans CJK (fonts-noto-cjk) for this rendering only, and Times New Roman to
 * Liberation Serif (fonts-liberation, same widths) or else to Noto Serif CJK's Latin letters, which
 * are nearer Times' widths than DejaVu Serif, fontconfig's default. Dev and test tool:
 * returns the PNG paths.
 */
export function renderPages(docxPath: string, outDir: string, dpi = 60): string[] {
  const home = mkdtempSync(join(tmpdir(), 'renkou-soffice-'));
  try {
    const fontsConf = join(home, 'fonts.conf');
    const alias = (family: string, to: string) =>
      `<alias binding="same"><family>${family}</family><prefer><family>${to}</family></prefer></alias>`;
    writeFileSync(
      fontsConf,
      `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>
${alias('仿宋_GB2312', 'Noto Serif CJK SC')}${alias('仿宋', 'Noto Serif CJK SC')}${alias('楷体_GB2312', 'Noto Serif CJK SC')}
${alias('方正小标宋简体', 'Noto Serif CJK SC')}${alias('宋体', 'Noto Serif CJK SC')}${alias('黑体', 'Noto Sans CJK SC')}
<alias binding="same"><family>Times New Roman</family><prefer><family>Liberation Serif</family><family>Noto Serif CJK SC</family></prefer></alias></fontconfig>`,
    );
    const env = { ...process.env, HOME: home, FONTCONFIG_FILE: fontsConf };
    const convert = spawnSync(
      'soffice',
      [
        `-env:UserInstallation=file://${home}/profile`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        outDir,
        docxPath,
      ],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    if (convert.status !== 0) throw new Error(`soffice failed: ${convert.stderr}`);
    const pdf = join(outDir, basename(docxPath).replace(/\.docx$/, '.pdf'));
    const prefix = join(outDir, 'page');
    const pages = spawnSync('pdftoppm', ['-r', String(dpi), '-png', pdf, prefix], { encoding: 'utf8' });
    if (pages.status !== 0) throw new Error(`pdftoppm failed: ${pages.stderr}`);
    return readdirSync(outDir)
      .filter((f) => f.startsWith('page') && f.endsWith('.png'))
      .sort()
      .map((f) => join(outDir, f));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
