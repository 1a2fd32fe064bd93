/**
 * Geometry of the caseload timeline chart (issue 17), drawn as server-side SVG (no script): one row per
 * case, a bar from its start to its end (an EHC needs assessment: the request to its 20-week date), a
 * marker per deadline whose shape and colour say its state (shape as well as colour, WCAG 2.2 1.4.1),
 * a line for today and a tick per month. Pure numbers: the template draws them.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import type { DeadlineState, TimelineBar } from './timeline.ts';
import { monthLabel } from './timeliness.ts';

export const CHART = { width: 960, left: 170, right: 16, top: 34, row: 30, barHeight: 10 } as const;

/** GOV.UK Design System colours (AA contrast on white) and a distinct shape per state. */
export const STATE_STYLE: Record<
  DeadlineState,
  { colour: string; shape: 'circle' | 'cross' | 'square' | 'triangle' | 'diamond' }
> = {
  met: { colour: '#00703c', shape: 'circle' },
  late: { colour: '#d4351c', shape: 'cross' },
  paused: { colour: '#505a5f', shape: 'square' },
  at_risk: { colour: '#b65500', shape: 'triangle' },
  open: { colour: '#1d70b8', shape: 'diamond' },
};

export interface ChartMarker {
  x: number;
  y: number;
  colour: string;
  shape: string;
  /** SVG path of the marker (centred on x, y). */
  path: string;
  title: string;
}

export interface ChartRow {
  y: number;
  label: string;
  barX: number;
  barWidth: number;
  barY: number;
  markers: ChartMarker[];
}

export interface TimelineChart {
  width: number;
  height: number;
  todayX: number;
  plotTop: number;
  plotBottom: number;
  ticks: { x: number; label: string }[];
  rows: ChartRow[];
}

const days = (a: IsoDate, b: IsoDate) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

function shapePath(shape: string, x: number, y: number): string {
  const r = 6;
  const f = (n: number) => Math.round(n * 10) / 10;
  switch (shape) {
    case 'circle':
      return `M${f(x - r)} ${f(y)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
    case 'square':
      return `M${f(x - 5)} ${f(y - 5)}h10v10h-10Z`;
    case 'triangle':
      return `M${f(x)} ${f(y - 7)}L${f(x + 7)} ${f(y + 6)}L${f(x - 7)} ${f(y + 6)}Z`;
    case 'cross':
      return `M${f(x - 6)} ${f(y - 4)}l2-2l4 4l4-4l2 2l-4 4l4 4l-2 2l-4-4l-4 4l-2-2l4-4Z`;
    default:
      return `M${f(x)} ${f(y - 7)}L${f(x + 7)} ${f(y)}L${f(x)} ${f(y + 7)}L${f(x - 7)} ${f(y)}Z`;
  }
}

/** The chart of a page of bars, over the span of their dates and today. */
export function timelineChart(
  bars: readonly (TimelineBar & { label: string })[],
  today: IsoDate,
): TimelineChart {
  let from = today;
  let to = addDays(today, 7);
  for (const b of bars) {
    if (b.start < from) from = b.start;
    if (b.end > to) to = b.end;
    for (const m of b.markers) {
      if (m.dueOn < from) from = m.dueOn;
      if (m.dueOn > to) to = m.dueOn;
    }
  }
  const span = Math.max(1, days(from, to));
  const plotW = CHART.width - CHART.left - CHART.right;
  const x = (d: IsoDate) => Math.round((CHART.left + (days(from, d) / span) * plotW) * 10) / 10;
  const rows = bars.map((b, i): ChartRow => {
    const y = CHART.top + i * CHART.row + CHART.row / 2;
    return {
      y,
      label: b.label,
      barX: x(b.start),
      barWidth: Math.max(2, x(b.end) - x(b.start)),
      barY: y - CHART.barHeight / 2,
      markers: b.markers.map((m) => {
        const s = STATE_STYLE[m.state];
        const mx = x(m.dueOn);
        return {
          x: mx,
          y,
          colour: s.colour,
          shape: s.shape,
          path: shapePath(s.shape, mx, y),
          title: `${b.ref}: ${m.name}, ${m.dueOn}, ${m.detail}`,
        };
      }),
    };
  });
  const ticks: { x: number; label: string }[] = [];
  const first = `${from.slice(0, 7)}-01`;
  for (let d = first, i = 0; d <= to && i < 60; i++) {
    if (d >= from) ticks.push({ x: x(d), label: monthLabel(d.slice(0, 7)) });
    const y = Number(d.slice(0, 4));
    const mo = Number(d.slice(5, 7));
    d = mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, '0')}-01`;
  }
  // Thin out month labels so they never overlap (about 70 px each).
  const step = Math.max(1, Math.ceil((ticks.length * 70) / plotW));
  return {
    width: CHART.width,
    height: CHART.top + bars.length * CHART.row + 10,
    todayX: x(today),
    plotTop: CHART.top - 6,
    plotBottom: CHART.top + bars.length * CHART.row,
    ticks: ticks.filter((_, i) => i % step === 0),
    rows,
  };
}
