/** Numbers as the pages show them. */

export function formatValue(value: number | null | undefined, unit: string, lang: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const locale = lang === 'en' ? 'en-US' : 'zh-CN';
  switch (unit) {
    case 'count':
      return value.toLocaleString(locale, { maximumFractionDigits: 0 });
    case 'permille':
      return `${value.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}‰`;
    case 'percent':
      return `${value.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
    default:
      return value.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  }
}

/** Change against the previous period: relative for counts, in points for rates. */
export function formatChange(
  now: number | null | undefined,
  before: number | null | undefined,
  unit: string,
): { text: string; sign: number } | undefined {
  if (now == null || before == null) return undefined;
  const diff = now - before;
  const sign = Math.sign(diff);
  const arrow = sign > 0 ? '↑' : sign < 0 ? '↓' : '→';
  if (unit === 'count') {
    if (before === 0) return { text: `${arrow} ${diff > 0 ? '+' : ''}${diff}`, sign };
    return { text: `${arrow} ${((diff / before) * 100).toFixed(1)}%`, sign };
  }
  const suffix = unit === 'permille' ? '‰' : unit === 'percent' ? '%' : '';
  return { text: `${arrow} ${diff > 0 ? '+' : ''}${diff.toFixed(2)}${suffix}`, sign };
}

/** The first day of a period id (2025, 2025H2, 2025Q3, 2025-07). */
export function periodFirstDay(period: string): string {
  const year = period.slice(0, 4);
  const part = period.slice(4);
  let month = 1;
  if (part === 'H2') month = 7;
  else if (part.startsWith('Q')) month = Number(part.slice(1)) * 3 - 2;
  else if (part.startsWith('-')) month = Number(part.slice(1));
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

/** The last day of a period id (2025, 2025H1, 2025Q3, 2025-07). */
export function periodLastDay(period: string): string {
  const year = Number(period.slice(0, 4));
  const part = period.slice(4);
  let month = 12;
  if (part === 'H1') month = 6;
  else if (part.startsWith('Q')) month = Number(part.slice(1)) * 3;
  else if (part.startsWith('-')) month = Number(part.slice(1));
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** The last day of a period id, capped at today (population is counted at a day's end). */
export function periodEnd(period: string): string {
  const end = periodLastDay(period);
  const today = new Date().toISOString().slice(0, 10);
  return end.localeCompare(today) < 0 ? end : today;
}

/**
 * An interval as " (95% a – b)", or '' when there is none or a bound is unknown (the server sends
 * null bounds where there is no exposure; it showed "95% — – —").
 */
export function intervalText(
  interval: { lower: number | null; upper: number | null } | null | undefined,
  unit: string,
  lang: string,
): string {
  if (!interval || interval.lower === null || interval.upper === null) return '';
  return ` (95% ${formatValue(interval.lower, unit, lang)} – ${formatValue(interval.upper, unit, lang)})`;
}
