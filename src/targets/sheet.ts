import type { Checked } from '../domain/errors.ts';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';
import type { Direction, SheetSettings } from './rules.ts';
import { findTargetIndicator } from './target-indicators.ts';

/** One line of a target sheet. */
export interface TargetItem {
  indicator: string;
  direction: Direction;
  /** The bound for at_least / at_most; null for within. */
  target: number | null;
  /** The range for within; null otherwise. */
  low: number | null;
  high: number | null;
  weight: number;
  /** An unmet gate target caps the year-end total (see rules.ts). */
  gate: boolean;
  /** `parent`: follows the parent sheet when it is split again; `own`: set for this unit. */
  source: 'own' | 'parent';
}

/** A sheet as written: items plus optional threshold and scoring overrides. */
export interface TargetSheetContent {
  items: TargetItem[];
  settings: SheetSettings;
}

export const DIRECTIONS: readonly Direction[] = ['at_least', 'at_most', 'within'];

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Checks one item's bound (target, or low and high) for its indicator; field paths under `path`. */
export function checkBound(
  input: Record<string, unknown>,
  direction: Direction,
  unit: string | undefined,
  path: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const inRange = (value: number, field: string) => {
    if (unit === 'percent' && (value < 0 || value > 100))
      issues.push(
        fieldIssue(
          'out_of_range',
          `${path}.${field}`,
          '百分比目标应在 0 到 100 之间',
          'A percentage target must be between 0 and 100',
        ),
      );
    else if (value < 0)
      issues.push(
        fieldIssue('out_of_range', `${path}.${field}`, '目标值不能为负数', 'A target cannot be negative'),
      );
  };
  if (direction === 'within') {
    if (!isNumber(input.low))
      issues.push(
        fieldIssue(
          'required',
          `${path}.low`,
          '“介于”目标须填写下限 low',
          'A within target needs a lower bound (low)',
        ),
      );
    if (!isNumber(input.high))
      issues.push(
        fieldIssue(
          'required',
          `${path}.high`,
          '“介于”目标须填写上限 high',
          'A within target needs an upper bound (high)',
        ),
      );
    if (isNumber(input.low) && isNumber(input.high)) {
      inRange(input.low, 'low');
      inRange(input.high, 'high');
      if (input.low >= input.high)
        issues.push(
          fieldIssue(
            'invalid_range',
            `${path}.low`,
            '下限应小于上限',
            'The lower bound must be below the upper bound',
          ),
        );
    }
  } else if (!isNumber(input.target)) {
    issues.push(
      fieldIssue(
        'required',
        `${path}.target`,
        '须填写目标值 target（数字）',
        'A target value (a number) is required',
      ),
    );
  } else {
    inRange(input.target, 'target');
  }
  return issues;
}

/**
 * Validates a sheet as given by a person (JSON from the API or the CLI) into its stored form,
 * with every problem as a field-level issue in zh-CN and en.
 */
export function parseTargetSheet(input: unknown): Checked<TargetSheetContent> {
  const issues: FieldIssue[] = [];
  const body = (input ?? {}) as Record<string, unknown>;
  if (!Array.isArray(body.items)) {
    return {
      ok: false,
      issues: [
        fieldIssue('required', 'items', '须提供目标列表 items', 'A list of targets (items) is required'),
      ],
    };
  }
  const seen = new Set<string>();
  const items: TargetItem[] = [];
  body.items.forEach((raw: unknown, index: number) => {
    const path = `items.${index}`;
    const item = (raw ?? {}) as Record<string, unknown>;
    const before = issues.length;
    const id = typeof item.indicator === 'string' ? item.indicator.trim() : '';
    const indicator = id ? findTargetIndicator(id) : undefined;
    if (!id) {
      issues.push(
        fieldIssue('required', `${path}.indicator`, '须填写指标 indicator', 'An indicator is required'),
      );
    } else if (!indicator) {
      issues.push(
        fieldIssue(
          'unknown_indicator',
          `${path}.indicator`,
          `指标目录中没有 ${id}`,
          `The catalogue has no indicator ${id}`,
        ),
      );
    } else if (!indicator.scope.allowed) {
      issues.push({
        code: `not_targetable_${indicator.scope.reason}`,
        field: `${path}.indicator`,
        message: {
          'zh-CN': `“${indicator.name['zh-CN']}”不能作为目标：${indicator.scope.note['zh-CN']}`,
          en: `${indicator.name.en} cannot be a target: ${indicator.scope.note.en}`,
        },
      });
    } else if (seen.has(id)) {
      issues.push(
        fieldIssue(
          'duplicate',
          `${path}.indicator`,
          `指标 ${id} 在本表中出现了两次`,
          `Indicator ${id} appears twice on the sheet`,
        ),
      );
    }
    seen.add(id);
    const direction = item.direction as Direction;
    if (!DIRECTIONS.includes(direction)) {
      issues.push(
        fieldIssue(
          'invalid_direction',
          `${path}.direction`,
          '方向应为 at_least（不低于）、at_most（不高于）或 within（介于）',
          'Direction must be at_least, at_most or within',
        ),
      );
    } else {
      if (indicator?.direction === 'higher' && direction === 'at_most')
        issues.push(
          fieldIssue(
            'direction_mismatch',
            `${path}.direction`,
            `“${indicator.name['zh-CN']}”越高越好，目标应为“不低于”（at_least）`,
            `Higher ${indicator.name.en} is better: use at_least`,
          ),
        );
      if (indicator?.direction === 'lower' && direction === 'at_least')
        issues.push(
          fieldIssue(
            'direction_mismatch',
            `${path}.direction`,
            `“${indicator.name['zh-CN']}”越低越好，目标应为“不高于”（at_most）`,
            `Lower ${indicator.name.en} is better: use at_most`,
          ),
        );
      issues.push(...checkBound(item, direction, indicator?.unit, path));
    }
    const weight = item.weight ?? 1;
    if (!isNumber(weight) || weight <= 0 || weight > 1000)
      issues.push(
        fieldIssue(
          'invalid_weight',
          `${path}.weight`,
          '权重应为大于 0、不超过 1000 的数',
          'The weight must be a number above 0 and at most 1000',
        ),
      );
    if (item.gate !== undefined && typeof item.gate !== 'boolean')
      issues.push(
        fieldIssue('invalid_gate', `${path}.gate`, 'gate 应为 true 或 false', 'gate must be true or false'),
      );
    if (item.source !== undefined && item.source !== 'own' && item.source !== 'parent')
      issues.push(
        fieldIssue(
          'invalid_source',
          `${path}.source`,
          'source 应为 own 或 parent',
          'source must be own or parent',
        ),
      );
    if (issues.length > before) return;
    items.push({
      indicator: id,
      direction,
      target: direction === 'within' ? null : (item.target as number),
      low: direction === 'within' ? (item.low as number) : null,
      high: direction === 'within' ? (item.high as number) : null,
      weight: weight as number,
      gate: item.gate === true,
      source: item.source === 'parent' ? 'parent' : 'own',
    });
  });
  const settings = parseSettings(body.settings, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { items, settings } };
}

function parseSettings(input: unknown, issues: FieldIssue[]): SheetSettings {
  if (input === undefined || input === null) return {};
  const body = input as Record<string, Record<string, unknown> | undefined>;
  const settings: SheetSettings = {};
  const share = (value: unknown, field: string, max: number) => {
    if (value === undefined) return undefined;
    if (!isNumber(value) || value <= 0 || value > max) {
      issues.push(
        fieldIssue(
          'out_of_range',
          field,
          `${field} 应为大于 0、不超过 ${max} 的数`,
          `${field} must be above 0 and at most ${max}`,
        ),
      );
      return undefined;
    }
    return value;
  };
  const atRisk = share(body.status?.atRiskShortfall, 'settings.status.atRiskShortfall', 1);
  if (atRisk !== undefined) settings.status = { atRiskShortfall: atRisk };
  const zeroAt = share(body.scoring?.zeroAtShortfall, 'settings.scoring.zeroAtShortfall', 1);
  const cap = share(body.scoring?.gateCapShare, 'settings.scoring.gateCapShare', 1);
  if (zeroAt !== undefined || cap !== undefined)
    settings.scoring = {
      ...(zeroAt !== undefined ? { zeroAtShortfall: zeroAt } : {}),
      ...(cap !== undefined ? { gateCapShare: cap } : {}),
    };
  return settings;
}
