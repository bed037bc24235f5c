import type { SmallCellsSuppressed } from '../access/small-cells.ts';
import type { Lang } from '../domain/i18n.ts';
import type { ProjectionResult, ProjectionYear, Variant } from './demography/projection.ts';
import type { Flag } from './intervals.ts';
import type { ProjectionSources } from './registry-projection.ts';

/*
 * GET /api/projection's answer, shaped from projectFromRegistry in the asked language: the
 * route sends projectionAnswer(…); a caller who sees aggregates only gets small counts suppressed
 * (ProjectionAnswer says which may come back null).
 */

function flagsOut(flags: Flag[], lang: Lang) {
  return flags.map((flag) => ({ code: flag.code, message: flag.message[lang] }));
}

function pyramid(ages: string[], row: Pick<ProjectionYear, 'male' | 'female'>) {
  return ages.flatMap((age, i) => [
    { age, sex: 'male' as const, population: row.male[i]! },
    { age, sex: 'female' as const, population: row.female[i]! },
  ]);
}

function variantOut(result: ProjectionResult, lang: Lang) {
  return {
    variant: result.variant,
    years: result.years.map((y) => ({
      year: y.year,
      population: y.total,
      births: y.births,
      deaths: y.deaths,
      netMigration: y.netMigration,
      tfr: y.tfr,
      e0Male: y.e0?.male ?? null,
      e0Female: y.e0?.female ?? null,
      share65plus: y.ageStructure?.shares.age65plus ?? null,
      oldAgeDependencyRatio: y.ageStructure?.oldAgeDependencyRatio ?? null,
    })),
    finalPopulation: pyramid(result.ages, result.years[result.years.length - 1]!),
    flags: flagsOut(result.flags, lang),
  };
}

/** The answer of GET /api/projection before small-cell suppression. */
export function projectionAnswer(
  sources: ProjectionSources,
  variants: Record<Variant, ProjectionResult>,
  lang: Lang,
) {
  const medium = variants.medium;
  const order: Variant[] = ['low', 'medium', 'high'];
  return {
    unit: sources.unit,
    baseYear: sources.baseYear,
    years: sources.years,
    step: sources.step,
    ages: medium.ages,
    variants: Object.fromEntries(order.map((v) => [v, variantOut(variants[v], lang)])) as Record<
      Variant,
      ReturnType<typeof variantOut>
    >,
    basePopulation: pyramid(medium.ages, medium.years[0]!),
    inputs: {
      population: { ...sources.population, description: sources.population.description[lang] },
      rates: {
        unit: sources.rates.unit,
        unitName: sources.rates.unitName,
        own: sources.rates.own,
        years: sources.rates.years,
        tfr: sources.rates.tfr,
        e0Male: medium.base.e0.male,
        e0Female: medium.base.e0.female,
        fertility: sources.rates.fertility.map((g) => ({
          age: g.age,
          births: g.births,
          women: g.women,
          value: g.asfr,
        })),
        mortality: {
          male: sources.rates.mortality.male.map((g) => ({
            age: g.age,
            deaths: g.deaths,
            population: g.population,
            value: g.mx,
          })),
          female: sources.rates.mortality.female.map((g) => ({
            age: g.age,
            deaths: g.deaths,
            population: g.population,
            value: g.mx,
          })),
        },
        description: sources.rates.description[lang],
      },
      migration: {
        ...sources.migration,
        byAge: sources.migration.byAge.flatMap((row) => [
          { age: row.age, sex: 'male', count: row.male },
          { age: row.age, sex: 'female', count: row.female },
        ]),
        description: sources.migration.description[lang],
      },
      sexRatioAtBirth: {
        value: sources.sexRatioAtBirth.value,
        observed: sources.sexRatioAtBirth.observed,
        description: sources.sexRatioAtBirth.description[lang],
      },
    },
    flags: flagsOut(sources.flags, lang),
  };
}

/** GET /api/projection's answer as sent: small counts may be null for an aggregates-only caller. */
export type ProjectionAnswer = SmallCellsSuppressed<ReturnType<typeof projectionAnswer>>;
export type ProjectionVariantView = ProjectionAnswer['variants'][Variant];
/** One year of a variant: population, births, deaths, migration, TFR, e0, ageing. */
export type ProjectionYearView = ProjectionVariantView['years'][number];
/** One bar of a pyramid. */
export type ProjectionCellView = ProjectionAnswer['basePopulation'][number];
export type ProjectionFlagView = ProjectionAnswer['flags'][number];
