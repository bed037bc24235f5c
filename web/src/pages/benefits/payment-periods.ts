/**
 * The payment periods of a programme's schedule that lie within the period the user has selected
 * (pure, for the payment-batch button): a year of a half-yearly programme is two batches, 2025H1
 * and 2025H2; a quarter or a month lies in one half; a year of a monthly programme is twelve. A
 * one-time programme (or one whose schedule is not known) pays for the selected period itself.
 */
export function paymentPeriods(schedule: string | undefined, period: string): string[] {
  const year = period.slice(0, 4);
  const part = period.slice(4);
  let months: number[] = [];
  if (part === '') months = range(1, 12);
  else if (part === 'H1' || part === 'H2') months = part === 'H1' ? range(1, 6) : range(7, 12);
  else if (/^Q[1-4]$/.test(part)) {
    const q = Number(part.slice(1));
    months = range(q * 3 - 2, q * 3);
  } else if (/^-\d{2}/.test(part)) months = [Number(part.slice(1, 3))];
  switch (schedule) {
    case 'monthly':
      return months.map((m) => `${year}-${String(m).padStart(2, '0')}`);
    case 'semiannual':
      return [...new Set(months.map((m) => `${year}H${m <= 6 ? 1 : 2}`))];
    case 'annual':
      return [year];
    default:
      return [period];
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
