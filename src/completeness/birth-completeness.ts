import { type Text, text } from '../domain/i18n.ts';
import { type DualSystemCounts, type DualSystemEstimate, estimateDualSystem } from './dual-system.ts';

/**
 * Birth completeness of one unit and period from its 2×2 counts. Pure.
 *
 * Dual-system estimation needs the two lists to be independent, and the hospital list only sees
 * births in this county's hospitals. A mother working elsewhere (residence type outflow) gives
 * birth elsewhere: the hospital list cannot have her child, and the registry misses such births
 * far more often than others. Pooled, that dependence biases the estimate down. So the births
 * are split by the mother's residence at the birth as the registry has it:
 * - "here": every hospital birth, and the registry births of mothers living here — estimated by
 *   the dual-system estimate;
 * - "away": registry births of mothers working elsewhere — counted as registered, with no
 *   estimate of what the registry missed (no second list sees them). The total is therefore a
 *   lower bound for them, and says so.
 */

export interface BirthCells {
  /** Births of mothers living here: registry (n1), hospital (n2), both (m). */
  here: DualSystemCounts;
  /** Registry births of mothers recorded as working elsewhere at the birth (hospital births linked to them included as m). */
  away: DualSystemCounts;
}

export interface BirthCompleteness {
  registered: number;
  hospital: number;
  matched: number;
  /** The dual-system estimate of births to mothers living here. */
  here: DualSystemEstimate;
  /** Registered births to mothers working elsewhere (not estimated). */
  awayRegistered: number;
  /** here's estimate + awayRegistered, with here's interval shifted by awayRegistered. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /** registered / estimate, with the interval carried through. */
  registryCompleteness: { value: number; lower: number | null; upper: number | null } | null;
  /** hospital / here's estimate. */
  hospitalCompleteness: { value: number; lower: number | null; upper: number | null } | null;
  /**
   * The statistics bureau's figure, when entered, and the gaps to it: the official figure minus
   * the estimate, the registry's count and the hospitals' count (positive: fewer than official).
   */
  official: {
    births: number;
    gapToEstimate: number | null;
    gapToRegistered: number;
    gapToHospital: number;
  } | null;
  notes: { code: string; message: Text }[];
}

/** Completeness of one unit: the estimate by stratum, the totals, and the gap to an official figure. */
export function estimateBirthCompleteness(
  cells: BirthCells,
  officialBirths?: number | null,
): BirthCompleteness {
  const here = estimateDualSystem(cells.here);
  const awayRegistered = cells.away.n1;
  const registered = cells.here.n1 + cells.away.n1;
  const hospital = cells.here.n2 + cells.away.n2;
  const matched = cells.here.m + cells.away.m;
  const estimate = here.estimate === null ? null : here.estimate + awayRegistered;
  const lower = here.lower === null ? null : here.lower + awayRegistered;
  const upper = here.upper === null ? null : here.upper + awayRegistered;
  const notes: BirthCompleteness['notes'] = here.flags.map((f) => ({ code: f.code, message: f.message }));
  if (awayRegistered > 0) {
    notes.push({
      code: 'away_not_estimated',
      message: text(
        `${awayRegistered} 例出生的母亲在外地务工：医院出生证明覆盖不到，只计登记数，估计值对这部分是下限`,
        `${awayRegistered} births to mothers working elsewhere: the hospital list cannot see them, so they are counted as registered and the estimate is a lower bound for them`,
      ),
    });
  }
  const registryCompleteness =
    estimate === null || lower === null
      ? null
      : {
          value: registered / estimate,
          lower: upper === null ? null : registered / upper,
          upper: Math.min(1, registered / lower),
        };
  return {
    registered,
    hospital,
    matched,
    here,
    awayRegistered,
    estimate,
    lower,
    upper,
    registryCompleteness,
    hospitalCompleteness: here.secondCompleteness,
    official:
      officialBirths === undefined || officialBirths === null
        ? null
        : {
            births: officialBirths,
            gapToEstimate: estimate === null ? null : officialBirths - estimate,
            gapToRegistered: officialBirths - registered,
            gapToHospital: officialBirths - hospital,
          },
    notes,
  };
}
