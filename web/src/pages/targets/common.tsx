import { Tag } from 'antd';
import { periodEnd } from '../../format.ts';
import { useI18n } from '../../i18n.tsx';
import type { Bound } from '../../types.ts';

/** A target's status as the progress API names it, with its colour. */
export const STATUS: Record<string, [zh: string, en: string, color: string]> = {
  on_track: ['达标', 'On track', 'green'],
  at_risk: ['预警', 'At risk', 'orange'],
  off_track: ['落后', 'Off track', 'red'],
  no_data: ['无数据', 'No data', 'default'],
};

export function StatusTag({ status }: { status: string }) {
  const { tr } = useI18n();
  const [zh, en, color] = STATUS[status] ?? [status, status, 'default'];
  return <Tag color={color}>{tr(zh, en)}</Tag>;
}

/** "≥ 95", "≤ 107", "10–12". */
export function expectedText(expected: Bound | null | undefined): string {
  if (!expected) return '—';
  if (expected.direction === 'within') return `${expected.low ?? '…'}–${expected.high ?? '…'}`;
  return `${expected.direction === 'at_least' ? '≥' : '≤'} ${round(expected.target)}`;
}

export function round(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '—';
  return String(Math.round(value * 10 ** digits) / 10 ** digits);
}

/** The date progress is measured on: the end of the chosen period, or today if that is earlier. */
export function progressDate(period: string): string {
  return periodEnd(period);
}
