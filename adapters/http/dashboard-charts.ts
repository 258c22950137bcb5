/** Server-rendered SVG charts: accessible (role="img", title, description), colour-blind-safe, with the target line. */
import type { Translate } from '../../src/i18n/catalog.js';
import { type DurationStat } from '../../src/reports/dashboard-data.js';
import { escapeHtml } from './html.js';

export const PALETTE = { blue: '#0072B2', orange: '#E69F00', purple: '#CC79A7', green: '#009E73', line: '#000000' } as const;

interface Series {
  name: string;
  colour: string;
  values: Array<number | undefined>;
}

interface BarChart {
  id: string;
  title: string;
  description: string;
  categories: string[];
  series: Series[];
  /** How values read: minutes (1 decimal) or whole counts. */
  unit: 'min' | 'count';
  target?: { value: number; label: string };
}

const fmt = (value: number, unit: BarChart['unit']) => (unit === 'min' ? `${value.toFixed(1)}` : `${Math.round(value)}`);

/** Rough legend width at 12px: CJK characters are about twice as wide as Latin ones. */
const textWidth = (text: string) => [...text].reduce((sum, ch) => sum + (ch.codePointAt(0)! >= 0x2e80 ? 12 : 7), 0);

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** A grouped bar chart as accessible inline SVG (role="img", <title>, <desc>, text labels). */
export function barChart(chart: BarChart, t: Translate): string {
  const groupWidth = chart.series.length * 22 + 26;
  const left = 56;
  const right = 20;
  const top = 40;
  const bottom = 60;
  const plotHeight = 180;
  const width = Math.max(520, left + right + chart.categories.length * groupWidth);
  const height = top + plotHeight + bottom;
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const yMax = niceMax(Math.max(1, ...values, chart.target ? chart.target.value * 1.2 : 0));
  const y = (value: number) => top + plotHeight - (value / yMax) * plotHeight;
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  const parts: string[] = [];
  parts.push(`<svg id="${escapeHtml(chart.id)}" class="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="${titleId}">${escapeHtml(chart.title)}</title>`);
  parts.push(`<desc id="${descId}">${escapeHtml(chart.description)}</desc>`);
  // axis and gridlines
  for (let i = 0; i <= 4; i += 1) {
    const value = (yMax / 4) * i;
    const at = y(value);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" stroke="#d0d0d0" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${at + 4}" text-anchor="end" font-size="12" fill="#222">${escapeHtml(fmt(value, chart.unit))}</text>`);
  }
  parts.push(`<text x="12" y="${top - 12}" font-size="12" fill="#222">${escapeHtml(t(chart.unit === 'min' ? 'dashboard.chart.axisMinutes' : 'dashboard.chart.axisCount'))}</text>`);
  // legend
  let legendX = left;
  for (const series of chart.series) {
    parts.push(`<rect x="${legendX}" y="8" width="12" height="12" fill="${series.colour}"/>`);
    parts.push(`<text x="${legendX + 16}" y="18" font-size="12" fill="#222">${escapeHtml(series.name)}</text>`);
    legendX += 24 + textWidth(series.name);
  }
  if (chart.categories.length === 0) {
    parts.push(`<text x="${left + 12}" y="${top + plotHeight / 2}" font-size="14" fill="#222">${escapeHtml(t('dashboard.chart.noData'))}</text>`);
  }
  chart.categories.forEach((category, index) => {
    const x0 = left + index * groupWidth + 13;
    chart.series.forEach((series, s) => {
      const value = series.values[index];
      if (value === undefined) return;
      const x = x0 + s * 22;
      const top0 = y(value);
      const h = Math.max(1, top + plotHeight - top0);
      parts.push(
        `<rect class="bar" x="${x}" y="${top + plotHeight - h}" width="18" height="${h}" fill="${series.colour}"><title>${escapeHtml(t('dashboard.chart.barTitle', { category, series: series.name, value: chart.unit === 'min' ? t('dashboard.chart.minutesValue', { value: fmt(value, chart.unit) }) : fmt(value, chart.unit) }))}</title></rect>`,
      );
      parts.push(`<text x="${x + 9}" y="${top + plotHeight - h - 4}" text-anchor="middle" font-size="10" fill="#222">${escapeHtml(fmt(value, chart.unit))}</text>`);
    });
    const label = category.length > 14 ? `${category.slice(0, 13)}…` : category;
    const cx = x0 + (chart.series.length * 22) / 2;
    parts.push(`<text class="category" x="${cx}" y="${top + plotHeight + 16}" text-anchor="middle" font-size="11" fill="#222">${escapeHtml(label)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#222"/>`);
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#222"/>`);
  if (chart.target) {
    const at = y(chart.target.value);
    parts.push(`<line class="target" x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" stroke="${PALETTE.line}" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${width - right}" y="${at - 5}" text-anchor="end" font-size="12" font-weight="bold" fill="#000">${escapeHtml(chart.target.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export const minutes = (ms: number | undefined) => (ms === undefined ? undefined : ms / 60_000);

export function targetOf(t: Translate, targetMs: number): { value: number; label: string } {
  return { value: targetMs / 60_000, label: t('dashboard.chart.targetLine', { minutes: Math.round(targetMs / 60_000) }) };
}

export function durationChart(t: Translate, id: string, title: string, description: string, stats: DurationStat[], targetMs: number): string {
  return barChart({
    id,
    title,
    description,
    categories: stats.map((s) => s.label),
    series: [
      { name: t('dashboard.chart.median'), colour: PALETTE.blue, values: stats.map((s) => minutes(s.medianMs)) },
      { name: t('dashboard.chart.p90'), colour: PALETTE.orange, values: stats.map((s) => minutes(s.p90Ms)) },
    ],
    unit: 'min',
    target: targetOf(t, targetMs),
  }, t);
}
