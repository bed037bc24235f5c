import { type Lang, type Text, text } from '../domain/i18n.ts';
import type { Bound, Direction, Status } from './rules.ts';

/** A figure as people write it: 54.3%, 5.21‰, 107.2, 1,234. */
export function formatValue(value: number | null, unit: string, lang: Lang): string {
  if (value === null || !Number.isFinite(value)) return lang === 'en' ? 'no data' : '无数据';
  switch (unit) {
    case 'percent':
      return `${value.toFixed(1)}%`;
    case 'permille':
      return `${value.toFixed(2)}‰`;
    case 'ratio':
      return value.toFixed(1);
    case 'count':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
    default:
      return value.toFixed(2);
  }
}

/** A target as people write it: ≥ 95.0%, ≤ 107.0, 103.0–107.0. */
export function formatBound(bound: Bound, unit: string, lang: Lang): string {
  switch (bound.direction) {
    case 'at_least':
      return `≥ ${formatValue(bound.target ?? null, unit, lang)}`;
    case 'at_most':
      return `≤ ${formatValue(bound.target ?? null, unit, lang)}`;
    case 'within':
      return `${formatValue(bound.low ?? null, unit, lang)}–${formatValue(bound.high ?? null, unit, lang)}`;
  }
}

export const STATUS_LABEL: Record<Status, Text> = {
  on_track: text('正常', 'on track'),
  at_risk: text('有风险', 'at risk'),
  off_track: text('落后', 'off track'),
  no_data: text('无数据', 'no data'),
};

export const DIRECTION_LABEL: Record<Direction, Text> = {
  at_least: text('不低于', 'at least'),
  at_most: text('不高于', 'at most'),
  within: text('介于', 'within'),
};

const MISSING: Record<Direction, Text> = {
  at_least: text('低于标准的有', 'below target'),
  at_most: text('高于标准的有', 'above target'),
  within: text('超出标准范围的有', 'outside the target range'),
};

/**
 * The alert line of the work reports: "及时率：低于标准的有东华镇（54.3%）、山寨乡（61.2%）".
 * Units are listed in the order given (worst first by the caller).
 */
export function formatAlert(
  indicator: Text,
  direction: Direction,
  unit: string,
  units: readonly { name: string; value: number | null }[],
): Text {
  const zh = units.map((entry) => `${entry.name}（${formatValue(entry.value, unit, 'zh-CN')}）`).join('、');
  const en = units.map((entry) => `${entry.name} (${formatValue(entry.value, unit, 'en')})`).join(', ');
  return text(
    `${indicator['zh-CN']}：${MISSING[direction]['zh-CN']}${zh}`,
    `${indicator.en} ${MISSING[direction].en}: ${en}`,
  );
}
