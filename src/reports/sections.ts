import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import { findIndicator, indicatorEngineFor } from '../indicators/index.ts';
import { QUALITY_RATE_IDS } from '../quality/index.ts';
import { computeProgress, findEffectiveSheet, getTargetIndicator } from '../targets/index.ts';
import type { Bound } from '../targets/rules.ts';
import { type Figure, type FigureSet, figureFromIndicator, figureKey } from './figures.ts';
import type {
  NextYearTargetsInput,
  QualityFinding,
  QualityInput,
  ReportUnit,
  TargetsInput,
  TargetValue,
  UnitTarget,
} from './model.ts';

/**
 * The seams to the targets module (src/targets/) and the data-quality module (src/quality/):
 * the report asks these three functions for its "targets" and "problems" inputs and nothing
 * else. Where there is no target sheet they answer `none`, and the report says 无目标 — it never
 * invents a target or a rate.
 */

export interface TargetsRequest {
  unit: ReportUnit;
  children: ReportUnit[];
  period: Period;
  /** The report's figures by unit code, so a target is held against the very figure printed. */
  figures: Map<string, FigureSet>;
}

function targetValueOf(bound: Bound): TargetValue | null {
  if (bound.direction === 'within') {
    return bound.low === null || bound.low === undefined || bound.high === null || bound.high === undefined
      ? null
      : { direction: 'within', value: [bound.low, bound.high] };
  }
  return bound.target === null || bound.target === undefined
    ? null
    : { direction: bound.direction, value: bound.target };
}

/**
 * The sub-units' targets with their figures, from the targets module's progress at the period's
 * last day (year to date; counts against the pro-rated bound, rates against the target).
 */
export async function loadTargetsInput(database: Database, request: TargetsRequest): Promise<TargetsInput> {
  const year = Number(request.period.start.slice(0, 4));
  let progress: Awaited<ReturnType<typeof computeProgress>>;
  try {
    progress = await computeProgress(database, { unit: request.unit.code, date: request.period.end });
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return { status: 'none', year };
    throw error;
  }
  const dataVersion = await indicatorEngineFor(database).dataVersion(request.unit.code);
  const targets: UnitTarget[] = [];
  const through = progress.window.period?.id ?? String(year);
  for (const target of progress.targets) {
    for (const child of target.children) {
      const bound = child.expected && targetValueOf(child.expected);
      const unit = request.children.find((c) => c.code === child.unit);
      if (!bound || !unit) continue;
      const printed =
        through === request.period.id ? request.figures.get(child.unit)?.[target.indicator] : undefined;
      const actual: Figure = printed ?? {
        key: figureKey(`target:${target.indicator}`, child.unit, through),
        name: target.name,
        measure: (findIndicator(target.indicator)?.unit ?? target.unit) as Figure['measure'],
        value: child.value,
        numerator: null,
        denominator: null,
        interval: null,
        flags: [],
        trace: {
          source: 'target',
          indicator: target.indicator,
          unit: child.unit,
          period: through,
          group: {},
          dataVersion,
          query: `/api/targets/progress?unit=${request.unit.code}&date=${request.period.end}`,
        },
      };
      targets.push({ unit, indicator: target.indicator, name: target.name, target: bound, actual });
    }
  }
  return { status: 'available', year, targets };
}

/** Next year's targets of the report unit (四、下一步工作打算), from its effective sheet. */
export async function loadNextYearTargets(
  database: Database,
  request: { unit: ReportUnit; year: number },
): Promise<NextYearTargetsInput> {
  const effective = await findEffectiveSheet(database.db, request.unit.code, request.year);
  if (!effective || effective.sheet.items.length === 0) return { year: request.year, targets: null };
  const targets = [];
  for (const item of effective.sheet.items) {
    const bound = targetValueOf({
      direction: item.direction,
      target: item.target,
      low: item.low,
      high: item.high,
    });
    if (!bound) continue;
    const indicator = await getTargetIndicator(item.indicator);
    targets.push({
      indicator: item.indicator,
      name: indicator.name,
      target: bound,
      measure: indicator.unit as Figure['measure'],
    });
  }
  return { year: request.year, targets };
}

/**
 * Data-quality findings: the entry, completeness and accuracy rates (catalogue indicators from the
 * quality module) of the unit and its sub-units, the lowest sub-units named; and the open
 * validation findings (work_task kind data_check) per sub-unit.
 */
export async function loadQualityInput(
  database: Database,
  request: { unit: ReportUnit; children: ReportUnit[]; period: Period },
): Promise<QualityInput> {
  const engine = indicatorEngineFor(database);
  const units = [request.unit, ...request.children];
  const result = await engine.evaluateAll({
    root: request.unit.code,
    year: Number(request.period.start.slice(0, 4)),
    periods: [request.period.id],
    indicators: [...QUALITY_RATE_IDS],
    units: units.map((u) => u.code),
  });
  const findings: QualityFinding[] = [];
  let anyRate = false;
  // Timeliness has its own paragraph in the report (from the catalogue), so it is not repeated here.
  for (const id of QUALITY_RATE_IDS.filter((rate) => rate !== 'timeliness_rate')) {
    const definition = findIndicator(id)!;
    const figures = result.values
      .filter((v) => v.indicator === id)
      .map((v) => ({
        unit: units.find((u) => u.code === v.unit_code)!,
        figure: figureFromIndicator(definition, v, result.dataVersion),
      }));
    const own = figures.find((f) => f.unit.code === request.unit.code);
    if (!own || own.figure.value === null) continue;
    anyRate = true;
    const lowest = figures
      .filter(
        (f) =>
          f.unit.code !== request.unit.code && f.figure.value !== null && f.figure.value < own.figure.value!,
      )
      .sort((a, b) => a.figure.value! - b.figure.value!)
      .slice(0, 3);
    const name = definition.name['zh-CN'];
    const show = (f: Figure) => `${f.value!.toFixed(2)}%`;
    findings.push({
      unit: request.unit,
      figure: own.figure,
      text: text(
        `${name} ${show(own.figure)}${lowest.length > 0 ? `，较低的是${lowest.map((l) => `${l.unit.name}（${show(l.figure)}）`).join('、')}` : ''}。`,
        `${definition.name.en} ${show(own.figure)}${lowest.length > 0 ? `; lowest: ${lowest.map((l) => `${l.unit.name} (${show(l.figure)})`).join(', ')}` : ''}.`,
      ),
    });
  }
  const checks = await sql<{ code: string; n: number }>`
    SELECT substr(org_code, 1, ${request.children[0]?.code.length ?? request.unit.code.length}) AS code, count(*)::int AS n
      FROM work_task
     WHERE kind = 'data_check' AND status = 'open' AND org_code LIKE ${`${request.unit.code}%`}
     GROUP BY 1 ORDER BY 2 DESC, 1`.execute(database.db);
  if (checks.rows.length > 0) {
    const total = checks.rows.reduce((sum, row) => sum + Number(row.n), 0);
    const named = checks.rows
      .map((row) => ({ unit: units.find((u) => u.code === row.code), n: Number(row.n) }))
      .filter((row) => row.unit)
      .slice(0, 5);
    findings.push({
      unit: request.unit,
      text: text(
        `数据校验发现待核查的问题 ${total} 条${named.length > 0 ? `，较多的是${named.map((r) => `${r.unit!.name}（${r.n} 条）`).join('、')}` : ''}。`,
        `${total} validation findings await checking${named.length > 0 ? `; most in ${named.map((r) => `${r.unit!.name} (${r.n})`).join(', ')}` : ''}.`,
      ),
    });
  }
  if (!anyRate && findings.length === 0) return { status: 'none' };
  return { status: 'available', findings };
}
