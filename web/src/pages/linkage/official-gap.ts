/**
 * A count set against the statistics bureau's birth figure, as a county statistician reads it
 * (pure, for the completeness page): "少 12（4.1%）" — 12 fewer than the bureau's figure, 4.1% of
 * it. `gap` is the server's: the official figure minus the count (positive: fewer than official).
 */
export function gapText(gap: number | null, official: number, lang: string): string {
  if (gap === null) return '—';
  const n = Math.round(gap);
  const en = lang === 'en';
  if (n === 0) return en ? 'same' : '持平';
  const locale = en ? 'en-US' : 'zh-CN';
  const count = Math.abs(n).toLocaleString(locale);
  const share =
    official > 0
      ? `${((Math.abs(gap) / official) * 100).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`
      : '';
  if (en) return `${count} ${n > 0 ? 'fewer' : 'more'}${share ? ` (${share})` : ''}`;
  return `${n > 0 ? '少' : '多'} ${count}${share ? `（${share}）` : ''}`;
}
