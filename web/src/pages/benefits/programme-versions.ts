import type { ProgrammeVersion } from '../../types.ts';

/** One programme as the benefits page's menu offers it on a date. */
export interface ProgrammeChoice {
  programmeId: string;
  /** The version in force on the date; when none is yet, the first one (and `inForce` is false). */
  version: ProgrammeVersion;
  inForce: boolean;
  /** The next version, when one starts after the date (a new amount, changed rules). */
  next?: ProgrammeVersion;
}

/**
 * Each programme once, with the version in force on a date (pure, for the benefits page's menu):
 * GET /api/benefits/programmes lists every version, and the newest may start in the future, so
 * the newest is not the one to describe. Dates are YYYY-MM-DD, compared as text.
 */
export function programmeChoices(versions: readonly ProgrammeVersion[], date: string): ProgrammeChoice[] {
  const byProgramme = new Map<string, ProgrammeVersion[]>();
  for (const version of versions) {
    const list = byProgramme.get(version.programmeId) ?? [];
    list.push(version);
    byProgramme.set(version.programmeId, list);
  }
  const choices: ProgrammeChoice[] = [];
  for (const [programmeId, list] of byProgramme) {
    const oldestFirst = [...list].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    const started = oldestFirst.filter((v) => v.effectiveFrom <= date);
    const version = started.at(-1) ?? oldestFirst[0];
    if (!version) continue;
    const next = oldestFirst.find((v) => v.effectiveFrom > date && v !== version);
    choices.push({ programmeId, version, inForce: started.length > 0, ...(next ? { next } : {}) });
  }
  return choices.sort((a, b) => a.programmeId.localeCompare(b.programmeId));
}
