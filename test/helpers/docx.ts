import JSZip from 'jszip';

/**
 * A .docx read back as text: its paragraphs outside tables, its tables (rows of cell texts), every
 * table row in document order, all of it joined, the raw document and style XML, and the media
 * parts (the charts).
 */
export async function readDocx(bytes: Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')!.async('string');
  const styles = await zip.file('word/styles.xml')!.async('string');
  const textOf = (fragment: string) =>
    [...fragment.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
      .map((m) => m[1]!)
      .join('')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"');
  const tables = [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((table) =>
    [...table[0].matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((row) =>
      [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => textOf(c[0])),
    ),
  );
  const body = xml.replace(/<w:tbl>[\s\S]*?<\/w:tbl>/g, '');
  const paragraphs = [...body.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) => textOf(p[0]));
  return {
    xml,
    styles,
    paragraphs,
    tables,
    rows: tables.flat(1),
    all: [...paragraphs, ...tables.flat(2)].join('\n'),
    media: Object.keys(zip.files).filter((f) => f.startsWith('word/media/')),
  };
}
