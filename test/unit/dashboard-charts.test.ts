/** The dashboard's SVG charts: value-axis ticks, wrapped category labels, the visible title. */
import { describe, expect, it } from 'vitest';
import { axisTicks, barChart, PALETTE, wrapLabel } from '../../adapters/http/dashboard-charts.js';
import { translator } from '../../src/i18n/catalog.js';

const t = translator('en');

describe('axis ticks', () => {
  it('count axes use whole steps only (one breach reads 0, 1, not 0, 0, 1, 1, 1)', () => {
    expect(axisTicks(1, 'count')).toEqual([0, 1]);
    expect(axisTicks(0, 'count')).toEqual([0, 1]);
    expect(axisTicks(3, 'count')).toEqual([0, 1, 2, 3]);
    expect(axisTicks(7, 'count')).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(23, 'count')).toEqual([0, 10, 20, 30]);
  });

  it('minute axes take round steps, at most four intervals, up to the largest value', () => {
    expect(axisTicks(18, 'min')).toEqual([0, 5, 10, 15, 20]);
    expect(axisTicks(2.5, 'min')).toEqual([0, 1, 2, 3]);
    expect(axisTicks(40, 'min')).toEqual([0, 10, 20, 30, 40]);
  });
});

describe('category labels', () => {
  it('wrap between words and keep every word whole', () => {
    expect(wrapLabel('Incident commander', 64)).toEqual(['Incident', 'commander']);
    expect(wrapLabel('ops', 64)).toEqual(['ops']);
  });

  it('wrap Chinese between characters', () => {
    const lines = wrapLabel('对外沟通负责人', 40);
    expect(lines.join('')).toBe('对外沟通负责人');
    expect(lines.length).toBeGreaterThan(1);
  });

  it('a chart shows its title outside the SVG, each label whole, and integer count ticks', () => {
    const svg = barChart({
      id: 'c', title: 'Breaches <per> month', description: 'd', categories: ['Incident commander', 'Communications coordinator'],
      series: [{ name: 'assembly', colour: PALETTE.blue, values: [1, 0] }], unit: 'count',
    }, t);
    expect(svg).toMatch(/^<figure[^>]*><figcaption id="c-title-visible" class="chart-title">Breaches &lt;per&gt; month<\/figcaption>/);
    const labels = [...svg.matchAll(/<text class="category"[^>]*>(.*?)<\/text>/g)].map((m) => [...m[1]!.matchAll(/<tspan[^>]*>(.*?)<\/tspan>/g)].map((s) => s[1]).join(' '));
    expect(labels).toEqual(['Incident commander', 'Communications coordinator']);
    expect(svg).not.toContain('…');
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>(.*?)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '1']);
  });
});
