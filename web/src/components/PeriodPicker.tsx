import { Select, Space } from 'antd';
import { useI18n } from '../i18n.tsx';
import { useSelection } from '../selection.tsx';

const FIRST_YEAR = 2000;

/** Splits '2025Q3' into ['2025', 'Q3']; a year alone has part ''. */
export function splitPeriod(period: string): [string, string] {
  return [period.slice(0, 4), period.slice(4)];
}

/** The period before: last year, last half, last quarter or last month. */
export function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const part = period.slice(4);
  if (part === '') return String(year - 1);
  const half = /^H([12])$/.exec(part);
  if (half) return half[1] === '2' ? `${year}H1` : `${year - 1}H2`;
  const quarter = /^Q([1-4])$/.exec(part);
  if (quarter) return quarter[1] === '1' ? `${year - 1}Q4` : `${year}Q${Number(quarter[1]) - 1}`;
  const month = Number(part.slice(1));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** The months of a period, as period ids ('2025-01' …). */
export function monthsOf(period: string): string[] {
  const [year, part] = splitPeriod(period);
  let first = 1;
  let count = 12;
  if (part.startsWith('H')) [first, count] = [part === 'H1' ? 1 : 7, 6];
  else if (part.startsWith('Q')) [first, count] = [(Number(part.slice(1)) - 1) * 3 + 1, 3];
  else if (part.startsWith('-')) [first, count] = [Number(part.slice(1)), 1];
  return Array.from({ length: count }, (_, i) => `${year}-${String(first + i).padStart(2, '0')}`);
}

/**
 * Year plus (whole year | half | quarter | month). The years run from this year back to 2000, and
 * always include the selected one (the default period is the latest year with data, which the
 * server decides by its own clock).
 */
export function PeriodPicker() {
  const { period, setPeriod } = useSelection();
  const { tr, t } = useI18n();
  const [year, part] = splitPeriod(period);
  const thisYear = new Date().getFullYear();
  const years = Array.from({ length: thisYear - FIRST_YEAR + 1 }, (_, i) => String(thisYear - i));
  if (/^\d{4}$/.test(year) && !years.includes(year)) years.push(year);
  years.sort((a, b) => Number(b) - Number(a));
  const months = Array.from({ length: 12 }, (_, i) => `-${String(i + 1).padStart(2, '0')}`);
  return (
    <Space.Compact>
      <Select
        aria-label={t('period')}
        style={{ width: 96 }}
        value={year}
        onChange={(y) => setPeriod(`${y}${part}`)}
        options={years.map((y) => ({ value: y, label: tr(`${y}年`, y) }))}
      />
      <Select
        aria-label={tr('时期类型', 'Part of year')}
        style={{ width: 124 }}
        value={part}
        onChange={(p) => setPeriod(`${year}${p}`)}
        options={[
          { value: '', label: tr('全年', 'Whole year') },
          {
            label: t('half'),
            options: [
              { value: 'H1', label: tr('上半年', 'H1') },
              { value: 'H2', label: tr('下半年', 'H2') },
            ],
          },
          {
            label: t('quarter'),
            options: [1, 2, 3, 4].map((q) => ({
              value: `Q${q}`,
              label: tr(`第${'一二三四'[q - 1]}季度`, `Q${q}`),
            })),
          },
          {
            label: t('month'),
            options: months.map((m) => ({ value: m, label: tr(`${Number(m.slice(1))}月`, m.slice(1)) })),
          },
        ]}
      />
    </Space.Compact>
  );
}
