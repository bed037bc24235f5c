/**
 * The arithmetic of targets, pure: how far a value falls short of its target, the status that
 * follows, the points a year-end assessment gives, and ranks. The thresholds are data (defaults
 * here, overridable per sheet in its settings).
 */

export type Direction = 'at_least' | 'at_most' | 'within';

/** A target as a bound (at_least / at_most: `target`) or a range (within: `low`–`high`). */
export interface Bound {
  direction: Direction;
  target?: number | null;
  low?: number | null;
  high?: number | null;
}

export type Status = 'on_track' | 'at_risk' | 'off_track' | 'no_data';

export interface StatusThresholds {
  /** A relative shortfall up to this is "at risk"; beyond it, "off track". 0 shortfall is on track. */
  atRiskShortfall: number;
}

export interface ScoringRule {
  /** Relative shortfall at which a target's points reach zero (linear from full marks when met). */
  zeroAtShortfall: number;
  /** When a gate target is not met, the total is capped at this share of the maximum. */
  gateCapShare: number;
}

export interface SheetSettings {
  status?: Partial<StatusThresholds>;
  scoring?: Partial<ScoringRule>;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = { atRiskShortfall: 0.05 };
export const DEFAULT_SCORING_RULE: ScoringRule = { zeroAtShortfall: 0.2, gateCapShare: 0.6 };

/** Settings with every default filled in. */
export function resolveSettings(settings: SheetSettings | undefined): {
  status: StatusThresholds;
  scoring: ScoringRule;
} {
  return {
    status: { ...DEFAULT_STATUS_THRESHOLDS, ...settings?.status },
    scoring: { ...DEFAULT_SCORING_RULE, ...settings?.scoring },
  };
}

/**
 * How far `value` falls short of the bound, relative to it: 0 when met, (E − v) / E below an
 * at-least target E, (v − E) / E above an at-most one, the distance to the nearer end over that
 * end outside a range. null when there is no value.
 */
export function shortfallOf(bound: Bound, value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const relative = (gap: number, base: number) => (gap <= 0 ? 0 : base === 0 ? 1 : gap / Math.abs(base));
  switch (bound.direction) {
    case 'at_least':
      return relative(bound.target! - value, bound.target!);
    case 'at_most':
      return relative(value - bound.target!, bound.target!);
    case 'within':
      if (value < bound.low!) return relative(bound.low! - value, bound.low!);
      return relative(value - bound.high!, bound.high!);
  }
}

/** on_track when met, at_risk within the threshold, off_track beyond it, no_data without a value. */
export function statusOf(shortfall: number | null, thresholds: StatusThresholds): Status {
  if (shortfall === null) return 'no_data';
  if (shortfall <= 0) return 'on_track';
  return shortfall <= thresholds.atRiskShortfall + 1e-12 ? 'at_risk' : 'off_track';
}

/** Share of a target's points earned: 1 when met, falling linearly to 0 at `zeroAtShortfall`. */
export function attainmentOf(shortfall: number | null, rule: ScoringRule): number {
  if (shortfall === null) return 0;
  return Math.max(0, 1 - shortfall / rule.zeroAtShortfall);
}

export interface ScoredItem {
  indicator: string;
  weight: number;
  gate: boolean;
  shortfall: number | null;
}

export interface ScoreLine {
  indicator: string;
  weight: number;
  gate: boolean;
  shortfall: number | null;
  attainment: number;
  points: number;
  met: boolean;
}

export interface Score {
  lines: ScoreLine[];
  /** Points before any gate cap. */
  raw: number;
  total: number;
  max: number;
  /** Gate targets not met, which capped the total. */
  failedGates: string[];
  cap: number | null;
}

/** Scores a sheet's items: points = weight × attainment; an unmet gate caps the total. */
export function scoreItems(items: readonly ScoredItem[], rule: ScoringRule): Score {
  const lines = items.map((item) => {
    const attainment = attainmentOf(item.shortfall, rule);
    return {
      ...item,
      attainment: roundTo(attainment, 4),
      points: roundTo(item.weight * attainment, 2),
      met: item.shortfall === 0,
    };
  });
  const max = roundTo(
    items.reduce((sum, item) => sum + item.weight, 0),
    2,
  );
  const raw = roundTo(
    lines.reduce((sum, line) => sum + line.points, 0),
    2,
  );
  const failedGates = lines.filter((line) => line.gate && !line.met).map((line) => line.indicator);
  const cap = failedGates.length > 0 ? roundTo(max * rule.gateCapShare, 2) : null;
  return { lines, raw, total: cap === null ? raw : Math.min(raw, cap), max, failedGates, cap };
}

/** Competition ranks (1, 2, 2, 4) by a key, best first; entries without a key come last, unranked. */
export function rankBy<T>(
  entries: readonly T[],
  key: (entry: T) => number | null,
  better: 'higher' | 'lower',
): { entry: T; rank: number | null }[] {
  const sign = better === 'higher' ? -1 : 1;
  const keyed = entries.map((entry) => ({ entry, key: key(entry) }));
  const ranked = keyed.filter((item) => item.key !== null).sort((a, b) => sign * (a.key! - b.key!));
  const out: { entry: T; rank: number | null }[] = [];
  ranked.forEach((item, index) => {
    const previous = out[index - 1];
    const tied = previous && ranked[index - 1]!.key === item.key;
    out.push({ entry: item.entry, rank: tied ? previous.rank : index + 1 });
  });
  for (const item of keyed) if (item.key === null) out.push({ entry: item.entry, rank: null });
  return out;
}

export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
