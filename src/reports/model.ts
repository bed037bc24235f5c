import type { ActivityKind } from '../db/tables/reports.ts';
import type { Lang, Text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { Figure, FigureSet } from './figures.ts';

/**
 * What a work report is built from (all gathered before building, so the builder is pure) and the
 * document it becomes. Renderers (.docx, .html) only lay the document out.
 */

export interface ReportUnit {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county' | 'township' | 'village';
}

/** One sub-unit's row of the township table. */
export interface ChildFigures {
  unit: ReportUnit;
  figures: FigureSet;
}

export interface ActivityKindTotal {
  kind: ActivityKind;
  count: Figure;
  peopleServed: Figure;
  materials: Figure;
}

export interface ActivityLine {
  date: string;
  unitName: string;
  kind: ActivityKind;
  peopleServed: number | null;
  materials: number | null;
  description: string;
}

export interface ActivitiesInput {
  byKind: ActivityKindTotal[];
  /** The lines quoted in the report (the largest activities first, a few per kind). */
  highlights: ActivityLine[];
}

/** How a target is stated on a target sheet. */
export type TargetDirection = 'at_least' | 'at_most' | 'within';

export interface TargetValue {
  direction: TargetDirection;
  /** at_least / at_most: the bound; within: [low, high]. */
  value: number | readonly [number, number];
}

/** One unit's target for one indicator, with the unit's figure for the report period. */
export interface UnitTarget {
  unit: ReportUnit;
  indicator: string;
  name: Text;
  target: TargetValue;
  actual: Figure;
}

/**
 * The targets section's input. `none` when no target sheet exists for the year (the report then
 * says 无目标 — it never invents one). Provided by the targets module (src/targets/) once it
 * exists; see targets-input.ts.
 */
export type TargetsInput =
  | { status: 'none'; year: number; reason?: Text }
  | {
      status: 'available';
      year: number;
      /** The report unit's own sheet and its sub-units' sheets, each target with the figure. */
      targets: UnitTarget[];
    };

export interface NextYearTargetsInput {
  year: number;
  targets: { indicator: string; name: Text; target: TargetValue; measure: Figure['measure'] }[] | null;
}

export interface QualityFinding {
  unit: ReportUnit;
  /** What is wrong, one line (e.g. 及时率 91.2%，低于 95%). */
  text: Text;
  figure?: Figure;
}

/** Data-quality input: the four rates module's findings, or `none` when it has nothing yet. */
export type QualityInput =
  | { status: 'none'; reason?: Text }
  | { status: 'available'; findings: QualityFinding[] };

export interface UnregisteredBirthsInput {
  /** false when no birth-certificate feed was ever received: "none found" would then be a false claim. */
  feedsReceived: boolean;
  /** false while no received birth certificate has been through linkage: "none found" would be premature. */
  linked: boolean;
  total: Figure;
  byUnit: { unit: ReportUnit; count: Figure }[];
}

export interface ProblemsInput {
  quality: QualityInput;
  unregisteredBirths: UnregisteredBirthsInput;
  /** Event registration timeliness (catalogue indicator timeliness_rate) of the unit and its sub-units. */
  timeliness: { unit: Figure; children: { unit: ReportUnit; figure: Figure }[] };
}

export interface MonthlySeries {
  year: number;
  births: (Figure | undefined)[];
  deaths: (Figure | undefined)[];
}

export interface PyramidBand {
  label: string;
  male: Figure;
  female: Figure;
}

export interface WorkReportInput {
  unit: ReportUnit;
  period: Period;
  /** Previous period of the same type, and the same period a year earlier (null for a year: it is the previous period). */
  previousPeriod: Period;
  lastYearPeriod: Period | null;
  /** The date the report is dated (YYYY-MM-DD). */
  reportDate: string;
  dataVersion: number;
  figures: { current: FigureSet; previous: FigureSet; lastYear: FigureSet | null };
  children: ChildFigures[];
  monthly: MonthlySeries[];
  pyramid: PyramidBand[];
  activities: ActivitiesInput;
  targets: TargetsInput;
  nextYear: NextYearTargetsInput;
  problems: ProblemsInput;
  /** Free text for 四、下一步工作打算, one paragraph per entry. */
  plans: string[];
  /**
   * A year report's outlook for 四、下一步工作打算: the resident population projected five years on
   * from the year's end (GET /api/projection); absent for other periods, a year not yet over, or a
   * unit whose data cannot carry a projection.
   */
  projection?: ProjectionOutlook | null;
}

/** The projected resident population at the end of `toYear`, by variant. */
export interface ProjectionOutlook {
  /** The calendar years whose fertility, mortality and migration the projection carries forward. */
  fromYears: number[];
  toYear: number;
  medium: Figure;
  low: Figure;
  high: Figure;
}

/** A run of text in a paragraph: plain, or a figure printed from the model. */
export type Inline = string | { figure: Figure; text: string };

export interface TableCell {
  text: string;
  figure?: Figure;
  /** Numbers align right; the first column and totals are marked. */
  numeric?: boolean;
}

export type Block =
  | { type: 'heading'; level: 1 | 2; text: string }
  | { type: 'paragraph'; parts: Inline[] }
  | {
      type: 'table';
      caption: string;
      header: string[];
      rows: TableCell[][];
      totalRow?: boolean;
      note?: string;
    }
  | {
      type: 'chart';
      id: 'trend' | 'townships' | 'pyramid';
      caption: string;
      option: Record<string, unknown>;
    };

export interface ReportDocument {
  /** The language of its words (zh-CN by default; en on request). Its figures are the same in both. */
  lang: Lang;
  title: string;
  /** Unit and period line under the title. */
  subtitle: string;
  /** The issuing line at the end (unit, date). */
  signature: { unit: string; date: string };
  blocks: Block[];
  dataVersion: number;
  /** Every figure the document prints, by key. */
  figures: Record<string, Figure>;
}
