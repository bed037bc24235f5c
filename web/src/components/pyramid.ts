import type { ChartOption } from './EChart.tsx';

/**
 * A population pyramid: one bar per age band, males to the left (given as positive counts; drawn
 * negative), females to the right. Suppressed small cells come in as 0.
 */
export function pyramidOption(
  labels: string[],
  male: readonly number[],
  female: readonly number[],
  tr: (zh: string, en: string) => string,
): ChartOption {
  const whole = (v: number) => Math.round(Math.abs(v)).toLocaleString('en-US');
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: whole },
    legend: { top: 0, data: [tr('男', 'Male'), tr('女', 'Female')] },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => String(Math.abs(v)) } },
    yAxis: { type: 'category', data: labels, axisTick: { show: false } },
    series: [
      {
        name: tr('男', 'Male'),
        type: 'bar',
        stack: 'p',
        data: male.map((n) => -n),
        color: '#4e79a7',
        barCategoryGap: '10%',
      },
      { name: tr('女', 'Female'), type: 'bar', stack: 'p', data: [...female], color: '#e15759' },
    ],
  };
}
