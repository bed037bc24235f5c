import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { type Lang, type Text, text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import type { OrgUnit } from '../org/org-units.ts';
import { formatAlert } from './format.ts';
import {
  type Bound,
  rankBy,
  resolveSettings,
  type Score,
  type ScoringRule,
  type Status,
  type StatusThresholds,
  scoreItems,
  shortfallOf,
  statusOf,
} from './rules.ts';
import type { TargetItem } from './sheet.ts';
import {
  type EffectiveSheet,
  findCurrentSheets,
  findEffectiveSheet,
  getSheetUnit,
  type TargetSheet,
} from './sheet-store.ts';
import { getTargetIndicator, type TargetIndicator } from './target-indicators.ts';
import { type ProgressWindow, progressWindow } from './window.ts';

/** A unit's figure against its own target. */
export interface UnitFigure {
  unit: string;
  name: string;
  value: number | null;
  /** The unit's own bound for the year (null when its sheet has no such target). */
  target: Bound | null;
  /** The bound expected by now: pro-rated for counts, the target itself for rates. */
  expected: Bound | null;
  shortfall: number | null;
  status: Status;
}

export interface TargetProgress {
  indicator: string;
  name: Text;
  unit: string;
  accumulates: boolean;
  item: TargetItem;
  value: number | null;
  expected: Bound;
  shortfall: number | null;
  status: Status;
  /** The units directly below, best first on the figure (rank null: no data). */
  children: (UnitFigure & { rank: number | null })[];
}

export interface Alert {
  indicator: string;
  text: Text;
  units: { unit: string; name: string; value: number | null; shortfall: number }[];
}

export interface UnitStanding {
  unit: string;
  name: string;
  rank: number | null;
  score: Score;
  counts: Record<Status, number>;
}

export interface Progress {
  unit: { code: string; name: string; level: string };
  window: ProgressWindow;
  sheet: { version: number; inheritedFrom: string | null; createdAt: string; createdBy: string };
  thresholds: StatusThresholds;
  scoring: ScoringRule;
  targets: TargetProgress[];
  alerts: Alert[];
  /** The units directly below ranked by the assessment score their progress would earn so far. */
  ranking: UnitStanding[];
}

/**
 * Progress as the routes send it (GET /api/targets/progress): names, the period's label and alerts
 * in the asked language, both languages kept under `names` / `texts`.
 */
export function localiseProgress(progress: Progress, lang: Lang) {
  return {
    ...progress,
    window: {
      ...progress.window,
      period: progress.window.period && {
        ...progress.window.period,
        label: progress.window.period.label[lang],
      },
    },
    targets: progress.targets.map((target) => ({ ...target, name: target.name[lang], names: target.name })),
    alerts: progress.alerts.map((alert) => ({ ...alert, text: alert.text[lang], texts: alert.text })),
  };
}

export type ProgressView = ReturnType<typeof localiseProgress>;

/** The bound expected by the window's end: counts pro-rated, rates and levels as they are. */
export function expectedBound(item: TargetItem, accumulates: boolean, share: number): Bound {
  const scale = (value: number | null) => (value === null ? null : accumulates ? value * share : value);
  return {
    direction: item.direction,
    target: scale(item.target),
    low: scale(item.low),
    high: scale(item.high),
  };
}

interface UnitSheet {
  unit: OrgUnit | { code: string; shortName: string };
  sheet: TargetSheet;
}

/**
 * Evaluates every target of every unit's sheet over a period: each value against the unit's own
 * bound, scaled by `share` for counts (1 for the whole year).
 */
export async function evaluateSheets(
  database: Database,
  units: readonly UnitSheet[],
  period: Period | null,
  share: number,
  thresholds: StatusThresholds,
): Promise<Map<string, Map<string, UnitFigure & { item: TargetItem; indicator: TargetIndicator }>>> {
  const indicators = new Map<string, TargetIndicator>();
  for (const { sheet } of units)
    for (const item of sheet.items) indicators.set(item.indicator, getTargetIndicator(item.indicator));
  const values = new Map<string, Map<string, number | null>>();
  const county = units[0]?.unit.code.slice(0, 6) ?? '';
  for (const [id, indicator] of indicators) {
    const wanted = units
      .filter(({ sheet }) => sheet.items.some((item) => item.indicator === id))
      .map(({ unit }) => unit.code);
    values.set(
      id,
      period ? await indicator.evaluate(database, { county, units: wanted, period }) : new Map(),
    );
  }
  const out = new Map<string, Map<string, UnitFigure & { item: TargetItem; indicator: TargetIndicator }>>();
  for (const { unit, sheet } of units) {
    const figures = new Map<string, UnitFigure & { item: TargetItem; indicator: TargetIndicator }>();
    for (const item of sheet.items) {
      const indicator = indicators.get(item.indicator)!;
      const value = values.get(item.indicator)?.get(unit.code) ?? null;
      const expected = expectedBound(item, indicator.accumulates, share);
      const shortfall = shortfallOf(expected, value);
      figures.set(item.indicator, {
        unit: unit.code,
        name: unit.shortName,
        value,
        target: { direction: item.direction, target: item.target, low: item.low, high: item.high },
        expected,
        shortfall,
        status: statusOf(shortfall, thresholds),
        item,
        indicator,
      });
    }
    out.set(unit.code, figures);
  }
  return out;
}

/** The units directly below a unit, in code order. */
export async function listChildUnits(database: Database, unit: string) {
  const rows = await database.db
    .selectFrom('org_unit')
    .select(['code', 'short_name'])
    .where('parent_code', '=', unit)
    .orderBy('code')
    .execute();
  return rows.map((row) => ({ code: row.code, shortName: row.short_name }));
}

/** Each child's sheet: its own, or the parent's effective one it inherits. */
export async function childSheets(database: Database, unit: string, year: number, fallback: TargetSheet) {
  const children = await listChildUnits(database, unit);
  const own = await findCurrentSheets(
    database.db,
    children.map((child) => child.code),
    year,
  );
  return children.map((child) => ({ unit: child, sheet: own.get(child.code) ?? fallback }));
}

/** The sheet a unit is held to; throws not_found when neither it nor any unit above has one. */
export async function getEffectiveSheet(
  database: Database,
  unit: OrgUnit,
  year: number,
): Promise<EffectiveSheet> {
  const effective = await findEffectiveSheet(database.db, unit.code, year);
  if (!effective) {
    throw new AppError(
      'not_found',
      text(
        `${unit.shortName}（${unit.code}）及其上级都没有 ${year} 年的目标表`,
        `Neither ${unit.code} nor any unit above it has a target sheet for ${year}`,
      ),
      { field: 'unit' },
    );
  }
  return effective;
}

function betterOf(direction: Bound['direction']): 'higher' | 'lower' {
  return direction === 'at_least' ? 'higher' : 'lower';
}

/**
 * Progress of a unit's sheet on a date: each target's year-to-date value, the value expected by
 * now, its status, the units below ranked on it, alerts naming the units short of their own
 * targets, and the units below ranked by the score their progress would earn.
 */
export async function computeProgress(
  database: Database,
  request: { unit: string; date: string },
): Promise<Progress> {
  const window = progressWindow(request.date);
  const unit = await getSheetUnit(database.db, request.unit, window.year);
  const effective = await getEffectiveSheet(database, unit, window.year);
  const { status: thresholds, scoring } = resolveSettings(effective.sheet.settings);
  const children = await childSheets(database, unit.code, window.year, effective.sheet);
  const figures = await evaluateSheets(
    database,
    [{ unit, sheet: effective.sheet }, ...children],
    window.period,
    window.elapsedShare,
    thresholds,
  );
  const own = figures.get(unit.code)!;
  const targets: TargetProgress[] = [];
  const alerts: Alert[] = [];
  for (const item of effective.sheet.items) {
    const figure = own.get(item.indicator)!;
    const childFigures = children.map(({ unit: child }) => {
      const found = figures.get(child.code)?.get(item.indicator);
      return (
        found ?? {
          unit: child.code,
          name: child.shortName,
          value: null,
          target: null,
          expected: null,
          shortfall: null,
          status: 'no_data' as const,
        }
      );
    });
    const ranked = rankBy(
      childFigures,
      (entry) => (item.direction === 'within' ? entry.shortfall : entry.value),
      item.direction === 'within' ? 'lower' : betterOf(item.direction),
    ).map(({ entry, rank }) => ({ ...pickFigure(entry), rank }));
    targets.push({
      indicator: item.indicator,
      name: figure.indicator.name,
      unit: figure.indicator.unit,
      accumulates: figure.indicator.accumulates,
      item,
      value: figure.value,
      expected: figure.expected!,
      shortfall: figure.shortfall,
      status: figure.status,
      children: ranked,
    });
    const lagging = childFigures
      .filter((entry) => entry.shortfall !== null && entry.shortfall > 0)
      .sort((a, b) => b.shortfall! - a.shortfall! || a.unit.localeCompare(b.unit));
    if (lagging.length > 0) {
      alerts.push({
        indicator: item.indicator,
        text: formatAlert(figure.indicator.name, item.direction, figure.indicator.unit, lagging),
        units: lagging.map((entry) => ({
          unit: entry.unit,
          name: entry.name,
          value: entry.value,
          shortfall: entry.shortfall!,
        })),
      });
    }
  }
  const standings = children.map(({ unit: child, sheet }) => {
    const byIndicator = figures.get(child.code)!;
    const lines = sheet.items.map((item) => byIndicator.get(item.indicator)!);
    const counts: Record<Status, number> = { on_track: 0, at_risk: 0, off_track: 0, no_data: 0 };
    for (const line of lines) counts[line.status] += 1;
    return {
      unit: child.code,
      name: child.shortName,
      counts,
      score: scoreItems(
        lines.map((line) => ({
          indicator: line.item.indicator,
          weight: line.item.weight,
          gate: line.item.gate,
          shortfall: line.shortfall,
        })),
        scoring,
      ),
    };
  });
  const ranking = rankBy(standings, (entry) => (window.period ? entry.score.total : null), 'higher').map(
    ({ entry, rank }) => ({
      ...entry,
      rank,
    }),
  );
  return {
    unit: { code: unit.code, name: unit.shortName, level: unit.level },
    window,
    sheet: {
      version: effective.sheet.version,
      inheritedFrom: effective.inheritedFrom,
      createdAt: effective.sheet.createdAt,
      createdBy: effective.sheet.createdBy,
    },
    thresholds,
    scoring,
    targets,
    alerts,
    ranking,
  };
}

function pickFigure(entry: UnitFigure): UnitFigure {
  return {
    unit: entry.unit,
    name: entry.name,
    value: entry.value,
    target: entry.target,
    expected: entry.expected,
    shortfall: entry.shortfall,
    status: entry.status,
  };
}
