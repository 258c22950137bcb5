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

/** Rough text width in px at `size`: CJK characters are about a full em, Latin ones a little over half. */
export const textWidth = (text: string, size = 12) => [...text].reduce((sum, ch) => sum + (ch.codePointAt(0)! >= 0x2e80 ? size : size * 0.6), 0);

/**
 * The value axis: a round step (1, 2, 2.5 or 5 times a power of ten) giving at
 * most four intervals up to `max`. Counts get whole steps only, so a count
 * axis never reads "0, 0, 1, 1, 1".
 */
export function axisTicks(max: number, unit: BarChart['unit']): number[] {
  const top = max > 0 ? max : 1;
  const rough = top / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  if (unit === 'count') step = Math.max(1, Math.ceil(step));
  const intervals = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: intervals + 1 }, (_, i) => Number((i * step).toFixed(6)));
}

const tickText = (value: number, ticks: number[]) => (ticks.every((tick) => Number.isInteger(tick)) ? String(value) : value.toFixed(1));
const fmt = (value: number, unit: BarChart['unit']) => (unit === 'min' ? `${value.toFixed(1)}` : `${Math.round(value)}`);

const LABEL_SIZE = 11;
const LABEL_LINES = 3;

/** Splits a category label into lines no wider than `width` (between words; CJK text between any two characters). */
export function wrapLabel(label: string, width: number): string[] {
  const tokens = label.match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s+/g) ?? [label];
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    if (/^\s+$/.test(token)) { if (line) line += ' '; continue; }
    if (line.trim() && textWidth(line + token, LABEL_SIZE) > width) { lines.push(line.trim()); line = ''; }
    line += token;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

/** How wide a bar group must be so its label fits in LABEL_LINES lines without cutting a word. */
function groupWidthFor(chart: BarChart): number {
  const bars = chart.series.length * 22 + 26;
  const widest = Math.max(0, ...chart.categories.flatMap((c) => c.split(/\s+/).map((word) => textWidth(word, LABEL_SIZE))));
  const spread = Math.max(0, ...chart.categories.map((c) => textWidth(c, LABEL_SIZE) / LABEL_LINES));
  return Math.ceil(Math.max(bars, widest + 8, spread + 8));
}

/** A grouped bar chart as accessible inline SVG (role="img", <title>, <desc>, text labels) under a visible title. */
export function barChart(chart: BarChart, t: Translate): string {
  const groupWidth = groupWidthFor(chart);
  const left = 56;
  const right = 20;
  const top = 40;
  const bottom = 24 + LABEL_LINES * (LABEL_SIZE + 3);
  const plotHeight = 180;
  const width = Math.max(520, left + right + chart.categories.length * groupWidth);
  const height = top + plotHeight + bottom;
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const ticks = axisTicks(Math.max(0, ...values, chart.target ? chart.target.value * 1.2 : 0), chart.unit);
  const yMax = ticks[ticks.length - 1]!;
  const y = (value: number) => top + plotHeight - (value / yMax) * plotHeight;
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  const parts: string[] = [];
  parts.push(`<figure class="chart-figure" aria-labelledby="${titleId}-visible"><figcaption id="${titleId}-visible" class="chart-title">${escapeHtml(chart.title)}</figcaption>`);
  parts.push(`<svg id="${escapeHtml(chart.id)}" class="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="${titleId}">${escapeHtml(chart.title)}</title>`);
  parts.push(`<desc id="${descId}">${escapeHtml(chart.description)}</desc>`);
  // axis and gridlines
  for (const value of ticks) {
    const at = y(value);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" stroke="#d0d0d0" stroke-width="1"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${at + 4}" text-anchor="end" font-size="12" fill="#222">${escapeHtml(tickText(value, ticks))}</text>`);
  }
  parts.push(`<text x="12" y="${top - 12}" font-size="12" fill="#222">${escapeHtml(t(chart.unit === 'min' ? 'dashboard.chart.axisMinutes' : 'dashboard.chart.axisCount'))}</text>`);
  parts.push(...legendParts(chart, left));
  if (chart.categories.length === 0) {
    parts.push(`<text x="${left + 12}" y="${top + plotHeight / 2}" font-size="14" fill="#222">${escapeHtml(t('dashboard.chart.noData'))}</text>`);
  }
  chart.categories.forEach((category, index) => {
    const bars = chart.series.length * 22;
    const x0 = left + index * groupWidth + (groupWidth - bars) / 2;
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
    parts.push(categoryLabel(category, left + index * groupWidth + groupWidth / 2, top + plotHeight + 16, groupWidth - 6));
  });
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#222"/>`);
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#222"/>`);
  if (chart.target) {
    const at = y(chart.target.value);
    parts.push(`<line class="target" x1="${left}" x2="${width - right}" y1="${at}" y2="${at}" stroke="${PALETTE.line}" stroke-width="2" stroke-dasharray="6 4"/>`);
  }
  parts.push('</svg></figure>');
  return parts.join('\n');
}

/** The legend row: one swatch per series, then the dashed target line and its name (where no bar can cover it). */
function legendParts(chart: BarChart, left: number): string[] {
  const parts: string[] = [];
  let legendX = left;
  for (const series of chart.series) {
    parts.push(`<rect x="${legendX}" y="8" width="12" height="12" fill="${series.colour}"/>`);
    parts.push(`<text x="${legendX + 16}" y="18" font-size="12" fill="#222">${escapeHtml(series.name)}</text>`);
    legendX += 24 + textWidth(series.name);
  }
  if (chart.target) {
    parts.push(`<line x1="${legendX}" x2="${legendX + 18}" y1="14" y2="14" stroke="${PALETTE.line}" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text class="target-label" x="${legendX + 22}" y="18" font-size="12" font-weight="bold" fill="#000">${escapeHtml(chart.target.label)}</text>`);
  }
  return parts;
}

/** A category label, wrapped onto up to LABEL_LINES lines (the group is widened to fit, so nothing is cut). */
function categoryLabel(category: string, cx: number, y: number, width: number): string {
  const lines = wrapLabel(category, width);
  const shown = lines.length > LABEL_LINES ? [...lines.slice(0, LABEL_LINES - 1), lines.slice(LABEL_LINES - 1).join(' ')] : lines;
  const spans = shown.map((line, i) => `<tspan x="${cx}" dy="${i === 0 ? 0 : LABEL_SIZE + 3}">${escapeHtml(line)}</tspan>`).join('');
  return `<text class="category" x="${cx}" y="${y}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="#222">${spans}</text>`;
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
