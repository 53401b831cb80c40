import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** A CSS colour. */
  stroke: string;
  /** Bars (counts per bucket) rather than a line. */
  bars?: boolean;
  /** Drawn against the right-hand axis (a second unit, such as seconds beside counts). */
  right?: boolean;
}

interface Props {
  title: string;
  testId: string;
  /** x first (seconds since the epoch), then one array per series. */
  data: (number | null)[][];
  series: readonly ChartSeries[];
  /** The right-hand axis's unit, when a series uses it. */
  rightUnit?: string;
  height?: number;
  /** The IANA zone the time axis and the hover legend read in: the store's. */
  timeZone: string;
}

const bars = uPlot.paths.bars?.({ size: [0.6, 40] });

/** One uPlot chart that follows its container's width. */
export function Chart({ title, testId, data, series, rightUnit, height = 180, timeZone }: Props) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const options: uPlot.Options = {
      title,
      width: Math.max(el.clientWidth, 240),
      height,
      // Hours on the store's clock, not this computer's.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          fill: s.bars ? s.stroke : undefined,
          width: s.bars ? 0 : 2,
          paths: s.bars ? bars : undefined,
          scale: s.right ? 'right' : 'y',
          spanGaps: false,
        })),
      ],
      axes: [
        {},
        { scale: 'y' },
        ...(series.some((s) => s.right) ? [{ scale: 'right', side: 1, label: rightUnit, grid: { show: false } }] : []),
      ],
      scales: {
        // A single point (one validation so far) would stretch the time axis over years.
        x: { time: true, range: (_u, min, max) => (min === max ? [min - 3600, max + 3600] : [min, max]) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
    };
    const plot = new uPlot(options, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 240), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, data, series, rightUnit, height, timeZone]);
  return (
    <div class="chart" data-testid={testId} data-points={data[0]?.length ?? 0} data-zone={timeZone} ref={host} />
  );
}
