import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'react';
import { tracked } from '../api.ts';

export type ChartOption = EChartsCoreOption;

let library: Promise<typeof import('./echarts-setup.ts')> | undefined;

/**
 * The chart library, fetched on first use (its own file, ~180 kB gzipped) so that pages without
 * charts, and the first paint of pages with them, do not wait for it. The dashboard asks for it
 * as soon as the app starts on its route.
 */
export function loadCharts() {
  library ??= tracked(import('./echarts-setup.ts'));
  return library;
}

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
  const chart = useRef<ECharts | undefined>(undefined);
  const click = useRef(onClick);
  click.current = onClick;
  const latest = useRef(option);
  latest.current = option;
  const drawn = useRef('');

  /** Redraws only when the option's content changed, however often the page re-renders. */
  const draw = () => {
    const key = JSON.stringify(latest.current);
    if (!chart.current || key === drawn.current) return;
    drawn.current = key;
    // No animation: old office PCs and tablets draw the final chart at once.
    chart.current.setOption({ animation: false, ...latest.current }, true);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is made once per mount; draw reads refs
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    loadCharts().then(({ echarts }) => {
      if (disposed || !ref.current) return;
      const instance = echarts.init(ref.current, undefined, { renderer: 'canvas' });
      chart.current = instance;
      instance.on('click', (params) => click.current?.(String(params.name), params.dataIndex));
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(ref.current);
      draw();
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = undefined;
      drawn.current = '';
    };
  }, []);

  useEffect(draw);

  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
