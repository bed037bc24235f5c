import type { Database } from '../db/database.ts';
import type { Text } from '../domain/i18n.ts';
import { parsePeriod } from '../domain/period.ts';
import { childSheets, evaluateSheets, getEffectiveSheet } from './progress.ts';
import {
  type Bound,
  rankBy,
  resolveSettings,
  type Score,
  type ScoringRule,
  type Status,
  scoreItems,
} from './rules.ts';
import { getSheetUnit } from './sheet-store.ts';

/** One target's line in the working of a year-end score. */
export interface AssessmentLine {
  indicator: string;
  name: Text;
  unit: string;
  target: Bound;
  value: number | null;
  shortfall: number | null;
  status: Status;
  weight: number;
  gate: boolean;
  attainment: number;
  points: number;
}

export interface UnitAssessment {
  unit: string;
  name: string;
  /** The unit whose sheet was used when the unit has none of its own. */
  inheritedFrom: string | null;
  sheetVersion: number;
  lines: AssessmentLine[];
  raw: number;
  total: number;
  max: number;
  cap: number | null;
  failedGates: string[];
  rank: number | null;
}

export interface Assessment {
  unit: { code: string; name: string };
  year: number;
  scoring: ScoringRule;
  /** The assessing unit's own result (not ranked). */
  self: UnitAssessment;
  /** The units directly below, ranked by total (1 = best; equal totals share a rank). */
  units: UnitAssessment[];
}

/**
 * The year-end assessment (考核) a unit makes of the units below it: each against its own sheet,
 * over the whole year, scored by the assessing unit's rule — points = weight × attainment, full
 * marks when met, falling linearly to zero at `zeroAtShortfall`; an unmet gate target caps the
 * total at `gateCapShare` of the maximum — and ranked. Every line of the working is returned.
 */
export async function assessUnits(
  database: Database,
  request: { unit: string; year: number },
): Promise<Assessment> {
  const unit = await getSheetUnit(database.db, request.unit, request.year);
  const effective = await getEffectiveSheet(database, unit, request.year);
  const { status, scoring } = resolveSettings(effective.sheet.settings);
  const children = await childSheets(database, unit.code, request.year, effective.sheet);
  const all = [{ unit, sheet: effective.sheet }, ...children];
  const figures = await evaluateSheets(database, all, parsePeriod(String(request.year)), 1, status);
  const results = all.map(({ unit: member, sheet }): UnitAssessment => {
    const byIndicator = figures.get(member.code)!;
    const figuresOf = sheet.items.map((item) => byIndicator.get(item.indicator)!);
    const score: Score = scoreItems(
      figuresOf.map((figure) => ({
        indicator: figure.item.indicator,
        weight: figure.item.weight,
        gate: figure.item.gate,
        shortfall: figure.shortfall,
      })),
      scoring,
    );
    return {
      unit: member.code,
      name: member.shortName,
      inheritedFrom: sheet.unit === member.code ? null : sheet.unit,
      sheetVersion: sheet.version,
      lines: figuresOf.map((figure, index) => ({
        indicator: figure.item.indicator,
        name: figure.indicator.name,
        unit: figure.indicator.unit,
        target: figure.target!,
        value: figure.value,
        shortfall: figure.shortfall,
        status: figure.status,
        weight: figure.item.weight,
        gate: figure.item.gate,
        attainment: score.lines[index]!.attainment,
        points: score.lines[index]!.points,
      })),
      raw: score.raw,
      total: score.total,
      max: score.max,
      cap: score.cap,
      failedGates: score.failedGates,
      rank: null,
    };
  });
  const [self, ...below] = results;
  const ranked = rankBy(below, (entry) => entry.total, 'higher').map(({ entry, rank }) => ({
    ...entry,
    rank,
  }));
  return {
    unit: { code: unit.code, name: unit.shortName },
    year: request.year,
    scoring,
    self: self!,
    units: ranked,
  };
}
