/**
 * The version of a programme a period is screened, applied for and paid under (pure: the web
 * app's menu uses it too). The version in force on the period's first day: a version that starts
 * within a period applies from the next one, so no month of a period is judged by rules that did
 * not hold yet — and screening, applications and payments of one period agree. A programme that
 * starts within the period has none in force on its first day: then its first version, whose
 * pro-rated amounts count months from its first day. undefined when the programme starts after
 * the period.
 */
export function versionForPeriod<T extends { effectiveFrom: string }>(
  versions: readonly T[],
  period: { start: string; end: string },
): T | undefined {
  let inForce: T | undefined;
  let startsWithin: T | undefined;
  for (const version of versions) {
    const from = version.effectiveFrom;
    if (from <= period.start) {
      if (!inForce || from > inForce.effectiveFrom) inForce = version;
    } else if (from <= period.end && (!startsWithin || from < startsWithin.effectiveFrom)) {
      startsWithin = version;
    }
  }
  return inForce ?? startsWithin;
}
