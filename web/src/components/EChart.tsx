import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the chart kinds the app draws: keeps the bundle small for old PCs.
echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * An ECharts chart that follows its container's size; `onClick` gets the clicked item's name.
 * Pages may build `option` on every render: the chart redraws only when its content changed.
 */
export function EChart({
  option,
  height = 280,
  onClick,
  label,
}: {
  option: ChartOption;
  height?: number;
  onClick?: (name: string, dataIndex: number) => void;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const instance = echarts.init(ref.current!, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => click.current?.(String(params.name), params.dataIndex));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
    };
  }, []);

  // Redraw only when the option's content changed, however often the page re-renders.
  const drawn = useRef('');
  useEffect(() => {
    const key = JSON.stringify(option);
    if (key === drawn.current) return;
    drawn.current = key;
    // No animation: old office PCs and tablets draw the final chart at once.
    chart.current?.setOption({ animation: false, ...option }, true);
  });

  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
