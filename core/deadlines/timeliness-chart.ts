/**
 * Geometry of the timeliness chart (issue 17), drawn as server-side SVG: per month, two bars, the share of
 * EHC plans issued within 20 weeks including and excluding exceptions (core/deadlines/timeliness.ts), on a
 * 0-100% scale with grid lines every 25%. The two series differ by pattern as well as colour (solid and
 * hatched, WCAG 2.2 1.4.1). Pure numbers: the template draws them.
 */
import type { TimelinessCount } from './timeliness.ts';

export const TCHART = { width: 960, height: 300, left: 44, right: 10, top: 16, bottom: 50 } as const;

export interface TimelinessChart {
  width: number;
  height: number;
  grid: { y: number; label: string }[];
  bars: {
    x: number;
    y: number;
    width: number;
    height: number;
    series: 'including' | 'excluding';
    title: string;
  }[];
  labels: { x: number; y: number; text: string }[];
  baseY: number;
}

export function timelinessChart(months: readonly TimelinessCount[]): TimelinessChart {
  const plotH = TCHART.height - TCHART.top - TCHART.bottom;
  const plotW = TCHART.width - TCHART.left - TCHART.right;
  const baseY = TCHART.top + plotH;
  const y = (pct: number) => Math.round((baseY - (pct / 100) * plotH) * 10) / 10;
  const slot = plotW / Math.max(1, months.length);
  const barW = Math.max(2, Math.min(14, (slot - 4) / 2));
  const bars: TimelinessChart['bars'] = [];
  const labels: TimelinessChart['labels'] = [];
  const every = Math.max(1, Math.ceil((months.length * 56) / plotW));
  months.forEach((m, i) => {
    const x0 = TCHART.left + i * slot + slot / 2 - barW;
    const add = (series: 'including' | 'excluding', pct: number | null, x: number) => {
      if (pct === null) return;
      bars.push({
        x: Math.round(x * 10) / 10,
        y: y(pct),
        width: Math.round(barW * 10) / 10,
        height: Math.round((baseY - y(pct)) * 10) / 10,
        series,
        title: `${m.label}: ${pct}% ${series} exceptions (${series === 'including' ? `${m.within} of ${m.plans}` : `${m.withinExcluding} of ${m.plansExcluding}`})`,
      });
    };
    add('including', m.pctIncluding, x0);
    add('excluding', m.pctExcluding, x0 + barW);
    if (i % every === 0) labels.push({ x: Math.round((x0 + barW) * 10) / 10, y: baseY + 16, text: m.label });
  });
  return {
    width: TCHART.width,
    height: TCHART.height,
    grid: [0, 25, 50, 75, 100].map((p) => ({ y: y(p), label: `${p}%` })),
    bars,
    labels,
    baseY,
  };
}
