/**
 * The age bands the indicator cube is kept in: 0, 1–4, 5–9, …, 95–99, 100+ (index 0..21).
 * Every catalogue age range (15–49, 65+, under 1, the ASFR groups) is a union of these bands.
 */
export const AGE_BAND_STARTS = [
  0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100,
];

/** The band index of an age in completed years. */
export function ageBand(age: number): number {
  if (age < 1) return 0;
  if (age < 5) return 1;
  return Math.min(21, Math.floor(age / 5) + 1);
}

/** SQL expression of the band index for an age expression (mirrors ageBand). */
export function ageBandSql(ageExpr: string): string {
  return `CASE WHEN ${ageExpr} < 1 THEN 0 WHEN ${ageExpr} < 5 THEN 1 ELSE least(21, floor(${ageExpr} / 5)::int + 1) END`;
}

/** Band indices covering ages [min, max] (max inclusive; undefined = no upper bound). */
export function bandsFor(min: number, max?: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < AGE_BAND_STARTS.length; i++) {
    const start = AGE_BAND_STARTS[i]!;
    const end = i + 1 < AGE_BAND_STARTS.length ? AGE_BAND_STARTS[i + 1]! - 1 : Number.POSITIVE_INFINITY;
    if (start >= min && (max === undefined || end <= max)) out.push(i);
  }
  return out;
}

/** Labels of the bands, for tables: '0', '1-4', '5-9', …, '100+'. */
export function bandLabel(index: number): string {
  const start = AGE_BAND_STARTS[index]!;
  if (index === AGE_BAND_STARTS.length - 1) return `${start}+`;
  const end = AGE_BAND_STARTS[index + 1]! - 1;
  return start === end ? String(start) : `${start}-${end}`;
}
