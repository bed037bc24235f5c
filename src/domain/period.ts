import { addDays, isRegistryDate } from './dates.ts';
import { AppError } from './errors.ts';
import { type Text, text } from './i18n.ts';

/**
 * Reporting periods: 2025, 2025H1, 2025Q3, 2025-07 (month), or a day 2025-07-15. Years run from
 * 1000 to 2999: a year such as 0000 has no calendar day a database can store.
 */
export type PeriodType = 'year' | 'half' | 'quarter' | 'month' | 'day';

export interface Period {
  /** The canonical id: '2025', '2025H2', '2025Q3', '2025-07', '2025-07-15'. */
  id: string;
  type: PeriodType;
  /** First day, inclusive. */
  start: string;
  /** Last day, inclusive. */
  end: string;
  /** Days in the period. */
  days: number;
  label: Text;
}

function monthEnd(year: number, month: number): string {
  if (month === 12) return `${year}-12-31`;
  return addDays(`${year}-${String(month + 1).padStart(2, '0')}-01`, -1);
}

function build(id: string, type: PeriodType, start: string, end: string, label: Text): Period {
  const days = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1;
  return { id, type, start, end, days, label };
}

/** Parses a period id; throws a field-level error naming the accepted forms. */
export function parsePeriod(input: string, field = 'period'): Period {
  const value = input.trim().toUpperCase();
  let match = /^([12]\d{3})$/.exec(value);
  if (match) {
    const y = Number(match[1]);
    return build(`${y}`, 'year', `${y}-01-01`, `${y}-12-31`, text(`${y}年`, `${y}`));
  }
  match = /^([12]\d{3})H([12])$/.exec(value);
  if (match) {
    const y = Number(match[1]);
    const h = Number(match[2]);
    return build(
      `${y}H${h}`,
      'half',
      h === 1 ? `${y}-01-01` : `${y}-07-01`,
      h === 1 ? `${y}-06-30` : `${y}-12-31`,
      text(`${y}年${h === 1 ? '上' : '下'}半年`, `${y} H${h}`),
    );
  }
  match = /^([12]\d{3})Q([1-4])$/.exec(value);
  if (match) {
    const y = Number(match[1]);
    const q = Number(match[2]);
    const firstMonth = (q - 1) * 3 + 1;
    return build(
      `${y}Q${q}`,
      'quarter',
      `${y}-${String(firstMonth).padStart(2, '0')}-01`,
      monthEnd(y, firstMonth + 2),
      text(`${y}年第${'一二三四'[q - 1]}季度`, `${y} Q${q}`),
    );
  }
  match = /^([12]\d{3})-(\d{2})$/.exec(value);
  if (match && Number(match[2]) >= 1 && Number(match[2]) <= 12) {
    const y = Number(match[1]);
    const m = Number(match[2]);
    return build(
      `${y}-${match[2]}`,
      'month',
      `${y}-${match[2]}-01`,
      monthEnd(y, m),
      text(`${y}年${m}月`, `${y}-${match[2]}`),
    );
  }
  if (isRegistryDate(value)) return build(value, 'day', value, value, text(value, value));
  throw new AppError(
    'invalid_input',
    text(
      `时期格式不对：${input}（应为 2025、2025H1、2025Q3、2025-07 或 2025-07-15）`,
      `Not a period: ${input} (use 2025, 2025H1, 2025Q3, 2025-07 or 2025-07-15)`,
    ),
    {
      field,
      issues: [
        { code: 'invalid_period', field, message: text(`时期格式不对：${input}`, `Not a period: ${input}`) },
      ],
    },
  );
}

/** The period of the same type just before (2025 → 2024, 2025Q1 → 2024Q4, 2025-01 → 2024-12). */
export function previousPeriod(period: Period): Period {
  const year = Number(period.id.slice(0, 4));
  switch (period.type) {
    case 'year':
      return parsePeriod(String(year - 1));
    case 'half':
      return parsePeriod(period.id.endsWith('H1') ? `${year - 1}H2` : `${year}H1`);
    case 'quarter': {
      const q = Number(period.id.slice(5));
      return parsePeriod(q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`);
    }
    case 'month': {
      const m = Number(period.id.slice(5));
      return parsePeriod(m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`);
    }
    case 'day':
      return parsePeriod(addDays(period.start, -1));
  }
}

/** The months of a period, in order. */
export function monthsOf(period: Period): Period[] {
  const out: Period[] = [];
  for (let p = parsePeriod(period.start.slice(0, 7)); p.start <= period.end; ) {
    out.push(p);
    const next = addDays(p.end, 1);
    p = parsePeriod(next.slice(0, 7));
  }
  return out;
}
