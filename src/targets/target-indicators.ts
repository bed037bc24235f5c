import type { Database } from '../db/database.ts';
import { AppError } from '../domain/errors.ts';
import { type Lang, type Text, text } from '../domain/i18n.ts';
import type { Period } from '../domain/period.ts';
import { findIndicator, type IndicatorDefinition } from '../indicators/catalogue.ts';
import { evaluateOne } from '../indicators/engine.ts';
import { indicatorEngineFor } from '../indicators/index.ts';
import { type TargetScope, targetScopeOf } from './scope.ts';

/**
 * What a target needs to know about an indicator: its name and unit, whether it accumulates over
 * the year, and how to evaluate it for many units at once. Catalogue entries are looked up when
 * asked (never copied at start-up), so a rate added to the catalogue later is a possible target
 * at once; a figure computed outside the indicator engine (an audit's accuracy rate, say) can be
 * plugged in with `registerTargetIndicator`.
 */
export interface TargetIndicator {
  id: string;
  name: Text;
  /** The catalogue's unit: percent, permille, ratio, count, … */
  unit: string;
  /** Which way is better, if the catalogue says so. */
  direction?: 'higher' | 'lower';
  /**
   * Counts accumulate through the year (so a year target is pro-rated to the date); rates and
   * levels are compared with the target as they stand.
   */
  accumulates: boolean;
  scope: TargetScope;
  /** Values for units of one county over a period inside one year; null = no data. */
  evaluate(
    database: Database,
    request: { county: string; units: readonly string[]; period: Period },
  ): Promise<Map<string, number | null>>;
}

/** A target indicator as GET /api/targets/indicators sends it to a form: texts in the asked language. */
export interface TargetIndicatorChoice {
  id: string;
  name: string;
  unit: string;
  direction: 'higher' | 'lower' | null;
  accumulates: boolean;
  /** May be a target; when not, `basis` says why (birth_quota, population_control, plain_statistic). */
  allowed: boolean;
  basis: string;
  note: string;
}

export function targetIndicatorChoice(indicator: TargetIndicator, lang: Lang): TargetIndicatorChoice {
  return {
    id: indicator.id,
    name: indicator.name[lang],
    unit: indicator.unit,
    direction: indicator.direction ?? null,
    accumulates: indicator.accumulates,
    allowed: indicator.scope.allowed,
    basis: indicator.scope.allowed ? indicator.scope.basis : indicator.scope.reason,
    note: indicator.scope.note[lang],
  };
}

const plugged = new Map<string, TargetIndicator>();

/**
 * Adds an indicator evaluated outside the catalogue's engine. It must say which way is better:
 * only service and work-quality figures are plugged in this way (DESIGN.md, Scope).
 */
export function registerTargetIndicator(
  indicator: Omit<TargetIndicator, 'scope'> & { direction: 'higher' | 'lower' },
) {
  plugged.set(indicator.id, {
    ...indicator,
    scope: {
      allowed: true,
      basis: 'performance',
      note: text('外部计算的服务或质量指标', 'A service or quality figure computed outside the catalogue'),
    },
  });
}

function fromCatalogue(definition: IndicatorDefinition): TargetIndicator {
  const numerator = definition.numerator;
  return {
    id: definition.id,
    name: definition.name,
    unit: definition.unit,
    ...(definition.direction ? { direction: definition.direction } : {}),
    accumulates:
      definition.denominator === undefined &&
      !('population' in numerator) &&
      !('averagePopulation' in numerator),
    scope: targetScopeOf(definition),
    async evaluate(database, request) {
      const year = Number(request.period.start.slice(0, 4));
      const engine = indicatorEngineFor(database);
      // Year-to-date periods (January–May) are not one of the engine's period ids, so the values
      // come from evaluateOne on the engine's cached cube. evaluateAll (with no units) first makes
      // the engine load whatever extra counts the definition needs onto that cube (the quality
      // counts); if the registry changed in between, the cube is new and this is done once more.
      for (let attempt = 0; ; attempt++) {
        await engine.evaluateAll({
          root: request.county,
          year,
          periods: [`${year}-01`],
          indicators: [definition.id],
          units: [],
        });
        const cube = await engine.cubeFor(request.county, year);
        try {
          const out = new Map<string, number | null>();
          for (const unit of request.units)
            out.set(unit, evaluateOne(cube, definition, unit, request.period, {}).value);
          return out;
        } catch (error) {
          if (attempt > 0 || !(error instanceof Error) || !/not loaded/.test(error.message)) throw error;
        }
      }
    },
  };
}

/** Finds an indicator a target may name (plugged in first, then the catalogue), or undefined. */
export function findTargetIndicator(id: string): TargetIndicator | undefined {
  const own = plugged.get(id);
  if (own) return own;
  const definition = findIndicator(id);
  return definition && fromCatalogue(definition);
}

/** Gets an indicator a target may name; throws not_found. */
export function getTargetIndicator(id: string, field = 'indicator'): TargetIndicator {
  const found = findTargetIndicator(id);
  if (!found) throw new AppError('not_found', text(`没有指标 ${id}`, `No indicator ${id}`), { field });
  return found;
}

/** Every indicator with whether it may be a target and why: what a sheet editor offers. */
export function listTargetIndicators(catalogue: readonly IndicatorDefinition[]): TargetIndicator[] {
  const out = catalogue.map((definition) => findTargetIndicator(definition.id) ?? fromCatalogue(definition));
  for (const [id, indicator] of plugged) if (!out.some((entry) => entry.id === id)) out.push(indicator);
  return out;
}
