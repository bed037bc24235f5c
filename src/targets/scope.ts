import { type Text, text } from '../domain/i18n.ts';
import type { IndicatorDefinition, Measure } from '../indicators/catalogue.ts';

/**
 * Which catalogue indicators may be targets (DESIGN.md, Scope). Targets hold units to the
 * quality of their work and the services they deliver, never to how many children are born or how
 * many people there are. The rule is written as data below and decided from the definition's
 * shape, not from a list of ids, so an indicator added to the catalogue later (the data-quality
 * rates) is judged the same way without touching this file:
 *
 * 1. `STATISTIC_TARGETS`: plain statistics that are nevertheless the object of service work,
 *    allowed by name with the reason.
 * 2. Refused as a birth quota by another name: anything that counts births over a population or
 *    on its own (births, birth rate, fertility rates, TFR, natural increase) or by birth order
 *    (the old 多孩率).
 * 3. Refused as a population-control plan: a population size (人口计划) as a target.
 * 4. Allowed: indicators the catalogue marks as better one way (`direction`: timeliness,
 *    infant mortality, the quality rates) — performance of a service.
 * 5. Allowed: indicators measured on the registry's work rather than on people (entries,
 *    links, audits: every measure kind other than events and population).
 * 6. Everything else is a statistic that describes the population: shown, never targeted.
 */

export type TargetScope =
  | { allowed: true; basis: 'service_statistic' | 'performance' | 'work_measure'; note: Text }
  | { allowed: false; reason: 'birth_quota' | 'population_control' | 'plain_statistic'; note: Text };

/** Statistics allowed as targets by name, with why. */
export const STATISTIC_TARGETS: Readonly<Record<string, Text>> = {
  sex_ratio_at_birth: text(
    '出生人口性别比回归正常范围（103–107）是统计监测和关爱女孩服务的目标，不针对任何人的生育',
    'Bringing the sex ratio at birth back to the normal range (103–107) is a monitoring and service goal; it constrains no one’s births',
  ),
};

/** Measure kinds that count people or births rather than work done on the registry. */
const POPULATION_MEASURES = ['events', 'population', 'averagePopulation'] as const;

function measuresOf(definition: IndicatorDefinition): Measure[] {
  return [definition.numerator, definition.add, definition.subtract].filter(
    (measure): measure is Measure => measure !== undefined,
  );
}

function countsBirths(measure: Measure | undefined): boolean {
  return measure !== undefined && 'events' in measure && measure.events === 'birth';
}

function isPopulation(measure: Measure | undefined): boolean {
  return measure !== undefined && ('population' in measure || 'averagePopulation' in measure);
}

/** Decides whether a catalogue indicator may be a target, and says why in both languages. */
export function targetScopeOf(definition: IndicatorDefinition): TargetScope {
  const named = STATISTIC_TARGETS[definition.id];
  if (named) return { allowed: true, basis: 'service_statistic', note: named };
  const measures = measuresOf(definition);
  const birthMeasures = measures.filter(countsBirths);
  const byOrder = birthMeasures.some((measure) => 'events' in measure && measure.filter?.order !== undefined);
  const overPeople =
    definition.denominator === undefined ||
    isPopulation(definition.denominator) ||
    definition.method === 'tfr';
  if (byOrder || (birthMeasures.length > 0 && overPeople)) {
    return {
      allowed: false,
      reason: 'birth_quota',
      note: text(
        '不能以出生数量、生育水平或孩次结构作为目标：这等于生育指标，已被 2021 年修订的《人口与计划生育法》废止（出生登记的及时率、完整率可以作为目标）',
        'Births, fertility or birth order cannot be targets: that is a birth quota, abolished by the 2021 amendment of the Population and Family Planning Law (the timeliness and completeness of birth registration can be)',
      ),
    };
  }
  if (measures.some(isPopulation) && definition.denominator === undefined) {
    return {
      allowed: false,
      reason: 'population_control',
      note: text(
        '人口规模不能作为目标（人口计划控制指标不在 renkou 的范围内）；它只作统计',
        'A population size cannot be a target (population-control plans are out of renkou’s scope); it is a statistic only',
      ),
    };
  }
  if (definition.direction) {
    return {
      allowed: true,
      basis: 'performance',
      note: text(
        '服务或工作质量指标，越' + (definition.direction === 'higher' ? '高' : '低') + '越好',
        `A service or work-quality indicator; ${definition.direction} is better`,
      ),
    };
  }
  if (measures.every((measure) => !POPULATION_MEASURES.some((kind) => kind in measure))) {
    return {
      allowed: true,
      basis: 'work_measure',
      note: text('衡量登记工作本身的指标', 'Measures the registration work itself'),
    };
  }
  return {
    allowed: false,
    reason: 'plain_statistic',
    note: text(
      '这是描述人口的统计指标，只作统计分析，不作考核目标',
      'This statistic describes the population; it is reported, never a target',
    ),
  };
}
