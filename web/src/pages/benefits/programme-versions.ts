// The server's own rule (a pure module without imports), so the menu describes the version the
// screening, applications and payments of the period use.
import { versionForPeriod } from '../../../../src/benefits/version-for-period.ts';
import type { ProgrammeVersion } from '../../types.ts';

/** One programme as the benefits page's menu offers it for a period. */
export interface ProgrammeChoice {
  programmeId: string;
  /** The version the period is judged by (versionForPeriod); when none, the first one (and `inForce` is false). */
  version: ProgrammeVersion;
  inForce: boolean;
  /** The next version, when one starts after the period's first day (a new amount, changed rules). */
  next?: ProgrammeVersion;
}

/**
 * Each programme once, with the version a period is judged by (pure, for the benefits page's
 * menu): GET /api/benefits/programmes lists every version, and the newest may start later, so the
 * newest is not the one to describe. Dates are YYYY-MM-DD, compared as text.
 */
export function programmeChoices(
  versions: readonly ProgrammeVersion[],
  period: { start: string; end: string },
): ProgrammeChoice[] {
  const byProgramme = new Map<string, ProgrammeVersion[]>();
  for (const version of versions) {
    const list = byProgramme.get(version.programmeId) ?? [];
    list.push(version);
    byProgramme.set(version.programmeId, list);
  }
  const choices: ProgrammeChoice[] = [];
  for (const [programmeId, list] of byProgramme) {
    const oldestFirst = [...list].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    const judged = versionForPeriod(oldestFirst, period);
    const version = judged ?? oldestFirst[0];
    if (!version) continue;
    const next = oldestFirst.find(
      (v) => v.effectiveFrom > version.effectiveFrom && v.effectiveFrom > period.start,
    );
    choices.push({ programmeId, version, inForce: judged !== undefined, ...(next ? { next } : {}) });
  }
  return choices.sort((a, b) => a.programmeId.localeCompare(b.programmeId));
}
