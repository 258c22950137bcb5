/**
 * The read-only dashboard (issue 8), on the ops server and only when
 * MUSTER_DASHBOARD_TOKEN is set: a token login (compared in constant time)
 * gives an HttpOnly, SameSite=Strict session cookie holding a random id kept
 * in memory. Pages are rendered on the server with every user-typed string
 * HTML-escaped; charts are inline SVG; /dashboard/app.js refreshes the live
 * boards from /dashboard/data.json with textContent only. Nothing here writes
 * to the store.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatClock } from '../../src/config/duration.js';
import type { MessageKey, Translate } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import type { IncidentStore } from '../../src/ports.js';
import {
  loadDashboard,
  loadLive,
  type ActiveIncidentView,
  type DashboardData,
  type DashboardNames,
  type DurationStat,
  type RecentIncidentView,
} from '../../src/reports/dashboard-data.js';

export interface DashboardRoutesOptions {
  token: string;
  store: Pick<IncidentStore, 'listActive' | 'listRecent'>;
  names: DashboardNames;
  now: () => number;
  logger: Logger;
  /** The configured locale's translator (the presenter's `t`): every sentence on the page comes from it. */
  t: Translate;
  /** How long a session lasts (default 12 h). */
  sessionTtlMs?: number;
}

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const COOKIE = 'muster_dashboard';
const MAX_SESSIONS = 1000;

// ---------------------------------------------------------------- sessions

/** Random session ids, in memory only: a restart logs everyone out. */
export class DashboardSessions {
  private readonly sessions = new Map<string, number>();
  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  create(): string {
    const id = randomBytes(32).toString('base64url');
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(id, this.now() + this.ttlMs);
    return id;
  }

  valid(id: string | undefined): boolean {
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Constant-time comparison of a presented token with the configured one (hashes first, so lengths leak nothing). */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 1024) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function sessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

// ---------------------------------------------------------------- HTML

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const duration = (ms: number | undefined) => (ms === undefined ? '—' : formatClock(ms));


const headerCells = (t: Translate, keys: MessageKey[]) => keys.map((key) => `<th scope="col">${escapeHtml(t(key))}</th>`).join('');

const BOARD_COLUMNS: MessageKey[] = ['dashboard.col.role', 'dashboard.col.person', 'dashboard.col.pagedAt', 'dashboard.col.ackedAt', 'dashboard.col.state'];
const RECENT_COLUMNS: MessageKey[] = [
  'dashboard.col.incident', 'dashboard.col.title', 'dashboard.col.severity', 'dashboard.col.status',
  'dashboard.col.assembledIn', 'dashboard.col.mitigatedIn', 'dashboard.col.resolvedIn', 'dashboard.col.breaches',
];
const SCORE_COLUMNS: MessageKey[] = [
  'dashboard.col.team', 'dashboard.col.drills', 'dashboard.col.assembledInTime', 'dashboard.col.acks',
  'dashboard.col.missed', 'dashboard.col.medianAck', 'dashboard.col.p90Ack',
];
const STATES = ['paging', 'acked', 'released'] as const;
const STATUSES = ['assembling', 'assembled', 'mitigated', 'resolved'] as const;
const BREACHES = ['assembly', 'response', 'update'] as const;

const KNOWN: Record<string, readonly string[]> = { 'dashboard.state': STATES, 'dashboard.status': STATUSES, 'dashboard.breach': BREACHES };

/** Translates a data value (a state, status or breach kind); a value with no key shows as itself. */
function label(t: Translate, prefix: 'dashboard.state' | 'dashboard.status' | 'dashboard.breach', value: string): string {
  return KNOWN[prefix]!.includes(value) ? t(`${prefix}.${value}` as MessageKey) : value;
}

/** The few strings app.js puts into the DOM, in the page's locale (served in a data attribute: no inline script). */
export function clientStrings(t: Translate): Record<string, unknown> {
  return {
    drill: t('dashboard.drill'),
    declared: t('dashboard.declared'),
    service: t('dashboard.service'),
    none: t('dashboard.none'),
    noActive: t('dashboard.active.empty'),
    connectionLost: t('dashboard.connectionLost'),
    listSeparator: t('dashboard.listSeparator'),
    boardColumns: BOARD_COLUMNS.map((key) => t(key)),
    states: Object.fromEntries(STATES.map((state) => [state, t(`dashboard.state.${state}`)])),
    statuses: Object.fromEntries(STATUSES.map((status) => [status, t(`dashboard.status.${status}`)])),
    breaches: Object.fromEntries(BREACHES.map((kind) => [kind, t(`dashboard.breach.${kind}`)])),
  };
}

function page(t: Translate, title: string, body: string, options: { script?: boolean } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(t('dashboard.htmlLang'))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/dashboard/app.css">
${options.script ? '<script src="/dashboard/app.js" defer></script>\n' : ''}</head>
<body>
${body}
</body>
</html>
`;
}

export function loginPage(t: Translate, error?: string): string {
  return page(
    t,
    t('dashboard.login.pageTitle'),
    `<main class="login">
<h1>${escapeHtml(t('dashboard.title'))}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/dashboard/login">
<label for="token">${escapeHtml(t('dashboard.login.tokenLabel'))}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">${escapeHtml(t('dashboard.login.submit'))}</button>
</form>
<p class="note">${escapeHtml(t('dashboard.login.note'))}</p>
</main>`,
  );
}

function boardHtml(t: Translate, incident: ActiveIncidentView): string {
  const rows = incident.rows
    .map(
      (row) =>
        `<tr data-role="${escapeHtml(row.role)}"><td class="role">${escapeHtml(row.roleName)}</td><td class="person">${escapeHtml(row.personName ?? '—')}</td>` +
        `<td class="paged">${escapeHtml(row.pagedAtText ?? '—')}</td><td class="acked">${escapeHtml(row.ackedAtText ?? '—')}</td>` +
        `<td class="state state-${escapeHtml(row.state)}">${escapeHtml(label(t, 'dashboard.state', row.state))}</td></tr>`,
    )
    .join('\n');
  return `<article class="board" data-incident="${escapeHtml(incident.id)}">
<h3><span class="sev sev-${escapeHtml(incident.severity)}">${escapeHtml(incident.severity)}</span> <span class="id">${escapeHtml(incident.id)}</span> <span class="title">${escapeHtml(incident.title)}</span> <span class="status">${escapeHtml(label(t, 'dashboard.status', incident.status))}</span>${incident.drill ? ` <span class="drill">${escapeHtml(t('dashboard.drill'))}</span>` : ''}</h3>
<p class="meta">${escapeHtml(t('dashboard.declared'))} <span class="declared">${escapeHtml(incident.declaredAtText)}</span>${incident.service ? ` · ${escapeHtml(t('dashboard.service'))} <span class="service">${escapeHtml(incident.service)}</span>` : ''}</p>
<table><thead><tr>${headerCells(t, BOARD_COLUMNS)}</tr></thead>
<tbody>
${rows}
</tbody></table>
</article>`;
}

function recentRows(t: Translate, incidents: RecentIncidentView[]): string {
  if (incidents.length === 0) return `<tr><td colspan="8">${escapeHtml(t('dashboard.none'))}</td></tr>`;
  return incidents
    .map(
      (incident) =>
        `<tr data-incident="${escapeHtml(incident.id)}"><td>${escapeHtml(incident.id)}</td><td>${escapeHtml(incident.title)}</td><td>${escapeHtml(incident.severity)}</td>` +
        `<td>${escapeHtml(label(t, 'dashboard.status', incident.status))}</td><td>${duration(incident.assembleMs)}</td><td>${duration(incident.mitigateMs)}</td><td>${duration(incident.resolveMs)}</td>` +
        `<td>${escapeHtml(incident.breaches.map((kind) => label(t, 'dashboard.breach', kind)).join(t('dashboard.listSeparator')) || '—')}</td></tr>`,
    )
    .join('\n');
}

function recentTable(t: Translate, id: string, caption: string, incidents: RecentIncidentView[]): string {
  return `<table id="${id}"><caption>${escapeHtml(caption)}</caption>
<thead><tr>${headerCells(t, RECENT_COLUMNS)}</tr></thead>
<tbody id="${id}-body">
${recentRows(t, incidents)}
</tbody></table>`;
}

// ---------------------------------------------------------------- charts

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
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

const minutes = (ms: number | undefined) => (ms === undefined ? undefined : ms / 60_000);

function targetOf(t: Translate, targetMs: number): { value: number; label: string } {
  return { value: targetMs / 60_000, label: t('dashboard.chart.targetLine', { minutes: Math.round(targetMs / 60_000) }) };
}

function durationChart(t: Translate, id: string, title: string, description: string, stats: DurationStat[], targetMs: number): string {
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

export function dashboardPage(data: DashboardData, nowText: string, t: Translate): string {
  const targetMinutes = { minutes: Math.round(data.targetMs / 60_000) };
  const boards = data.active.length > 0
    ? data.active.map((incident) => boardHtml(t, incident)).join('\n')
    : `<p class="empty">${escapeHtml(t('dashboard.active.empty'))}</p>`;
  const charts = [
    durationChart(t, 'chart-assembly-week', t('dashboard.chart.assemblyWeek.title'), t('dashboard.chart.assemblyWeek.desc', targetMinutes), data.assemblyByWeek, data.targetMs),
    durationChart(t, 'chart-ack-role', t('dashboard.chart.ackRole.title'), t('dashboard.chart.ackRole.desc', targetMinutes), data.ackByRole, data.targetMs),
    barChart({
      id: 'chart-breaches-month',
      title: t('dashboard.chart.breachesMonth.title'),
      description: t('dashboard.chart.breachesMonth.desc'),
      categories: data.breachesByMonth.map((m) => m.month),
      series: [
        { name: t('dashboard.breach.assembly'), colour: PALETTE.blue, values: data.breachesByMonth.map((m) => m.assembly) },
        { name: t('dashboard.breach.response'), colour: PALETTE.orange, values: data.breachesByMonth.map((m) => m.response) },
        { name: t('dashboard.breach.update'), colour: PALETTE.purple, values: data.breachesByMonth.map((m) => m.update) },
      ],
      unit: 'count',
    }, t),
  ];
  const drillChart = barChart({
    id: 'chart-drills-team',
    title: t('dashboard.chart.drillsTeam.title'),
    description: t('dashboard.chart.drillsTeam.desc', targetMinutes),
    categories: data.drillScores.map((s) => s.team),
    series: [
      { name: t('dashboard.chart.median'), colour: PALETTE.blue, values: data.drillScores.map((s) => minutes(s.medianAckMs)) },
      { name: t('dashboard.chart.p90'), colour: PALETTE.orange, values: data.drillScores.map((s) => minutes(s.p90AckMs)) },
    ],
    unit: 'min',
    target: targetOf(t, data.targetMs),
  }, t);
  const drillRows = data.drillScores
    .map((s) => `<tr><td>${escapeHtml(s.team)}</td><td>${s.drills}</td><td>${s.assembledInTime}</td><td>${s.acks}</td><td>${s.missed}</td><td>${duration(s.medianAckMs)}</td><td>${duration(s.p90AckMs)}</td></tr>`)
    .join('\n');
  const h = (key: MessageKey) => escapeHtml(t(key));
  return page(
    t,
    t('dashboard.title'),
    `<header><h1>${h('dashboard.title')}</h1><p class="meta">${h('dashboard.readOnly')} · ${h('dashboard.updated')} <span id="updated">${escapeHtml(nowText)}</span> <span id="live-status" role="status"></span></p>
<form method="post" action="/dashboard/logout"><button type="submit">${h('dashboard.logout')}</button></form></header>
<main>
<section aria-labelledby="active-heading"><h2 id="active-heading">${h('dashboard.active.heading')}</h2>
<div id="active" data-strings="${escapeHtml(JSON.stringify(clientStrings(t)))}">
${boards}
</div></section>
<section aria-labelledby="recent-heading"><h2 id="recent-heading">${h('dashboard.recent.heading')}</h2>
${recentTable(t, 'recent', t('dashboard.recent.caption'), data.recent)}
</section>
<section aria-labelledby="charts-heading"><h2 id="charts-heading">${h('dashboard.trends.heading')}</h2>
<div class="charts">
${charts.join('\n')}
</div></section>
<section aria-labelledby="drills-heading"><h2 id="drills-heading">${h('dashboard.drills.heading')}</h2>
${recentTable(t, 'drills', t('dashboard.drills.caption'), data.recentDrills)}
<table id="drill-scores"><caption>${h('dashboard.drillScores.caption')}</caption>
<thead><tr>${headerCells(t, SCORE_COLUMNS)}</tr></thead>
<tbody>${drillRows || `<tr><td colspan="7">${h('dashboard.drillScores.empty')}</td></tr>`}</tbody></table>
<div class="charts">${drillChart}</div>
</section>
</main>`,
    { script: true },
  );
}

// ---------------------------------------------------------------- static

export const APP_CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111;background:#fafafa}
header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:1.25rem;margin:0}
main{padding:1rem;max-width:1200px}
h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;background:#fff}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.board{background:#fff;border:1px solid #bbb;border-radius:4px;padding:.5rem 1rem;margin-bottom:1rem}
.board h3{font-size:1rem;margin:.25rem 0}
.sev{font-weight:700}
.drill{background:#CC79A7;color:#000;padding:0 .3rem;border-radius:3px}
.state-paging{background:#FFE8B0}
.state-acked{background:#CDE7F6}
.meta{color:#333;margin:.25rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
.chart{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}
.login{max-width:24rem;margin:4rem auto;background:#fff;padding:1.5rem;border:1px solid #ccc}
.login label{display:block;margin-bottom:.25rem}
.login input{width:100%;box-sizing:border-box;padding:.4rem;margin-bottom:.75rem}
.error{color:#8a0000;font-weight:600}
`;

/** Refreshes the live boards every 2 s; builds the DOM with textContent only (never innerHTML with data). */
export const APP_JS = `'use strict';
(function () {
  var active = document.getElementById('active');
  if (!active) return;
  var updated = document.getElementById('updated');
  var status = document.getElementById('live-status');
  var recentBody = document.getElementById('recent-body');
  var drillsBody = document.getElementById('drills-body');
  // The page's strings, in its locale, from a data attribute (the CSP forbids inline script).
  var S = {};
  try { S = JSON.parse(active.getAttribute('data-strings') || '{}') || {}; } catch (e) { S = {}; }
  function str(name) { return typeof S[name] === 'string' ? S[name] : ''; }
  function named(group, value) { var map = S[group] || {}; return typeof map[value] === 'string' ? map[value] : value; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clock(ms) {
    if (ms === undefined || ms === null) return '\\u2014';
    var total = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var ss = (s < 10 ? '0' : '') + s;
    return h > 0 ? h + ':' + (m < 10 ? '0' : '') + m + ':' + ss : m + ':' + ss;
  }
  function board(incident) {
    var article = el('article', 'board');
    article.setAttribute('data-incident', incident.id);
    var h3 = el('h3');
    h3.appendChild(el('span', 'sev sev-' + incident.severity, incident.severity));
    h3.appendChild(document.createTextNode(' '));
    h3.appendChild(el('span', 'id', incident.id));
    h3.appendChild(document.createTextNode(' '));
    h3.appendChild(el('span', 'title', incident.title));
    h3.appendChild(document.createTextNode(' '));
    h3.appendChild(el('span', 'status', named('statuses', incident.status)));
    if (incident.drill) { h3.appendChild(document.createTextNode(' ')); h3.appendChild(el('span', 'drill', str('drill'))); }
    article.appendChild(h3);
    var meta = el('p', 'meta', str('declared') + ' ');
    meta.appendChild(el('span', 'declared', incident.declaredAtText));
    if (incident.service) { meta.appendChild(document.createTextNode(' \\u00b7 ' + str('service') + ' ')); meta.appendChild(el('span', 'service', incident.service)); }
    article.appendChild(meta);
    var table = el('table');
    var head = el('thead'), headRow = el('tr');
    (S.boardColumns || []).forEach(function (name) {
      var th = el('th', null, name); th.setAttribute('scope', 'col'); headRow.appendChild(th);
    });
    head.appendChild(headRow); table.appendChild(head);
    var body = el('tbody');
    incident.rows.forEach(function (row) {
      var tr = el('tr');
      tr.setAttribute('data-role', row.role);
      tr.appendChild(el('td', 'role', row.roleName));
      tr.appendChild(el('td', 'person', row.personName || '\\u2014'));
      tr.appendChild(el('td', 'paged', row.pagedAtText || '\\u2014'));
      tr.appendChild(el('td', 'acked', row.ackedAtText || '\\u2014'));
      tr.appendChild(el('td', 'state state-' + row.state, named('states', row.state)));
      body.appendChild(tr);
    });
    table.appendChild(body);
    article.appendChild(table);
    return article;
  }
  function recentRows(target, incidents) {
    if (!target) return;
    var rows = [];
    if (incidents.length === 0) {
      var empty = el('tr'), td = el('td', null, str('none')); td.setAttribute('colspan', '8'); empty.appendChild(td); rows.push(empty);
    }
    incidents.forEach(function (incident) {
      var tr = el('tr');
      tr.setAttribute('data-incident', incident.id);
      [incident.id, incident.title, incident.severity, named('statuses', incident.status), clock(incident.assembleMs), clock(incident.mitigateMs), clock(incident.resolveMs),
        incident.breaches.length ? incident.breaches.map(function (kind) { return named('breaches', kind); }).join(str('listSeparator')) : '\\u2014'].forEach(function (text) { tr.appendChild(el('td', null, text)); });
      rows.push(tr);
    });
    target.replaceChildren.apply(target, rows);
  }
  function render(data) {
    var boards = data.active.length ? data.active.map(board) : [el('p', 'empty', str('noActive'))];
    active.replaceChildren.apply(active, boards);
    recentRows(recentBody, data.recent);
    recentRows(drillsBody, data.recentDrills);
    if (updated) updated.textContent = data.generatedAtText || '';
    if (status) status.textContent = '';
  }
  function poll() {
    fetch('/dashboard/data.json', { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign('/dashboard/login'); return null; }
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (data) { if (data) render(data); })
      .catch(function () { if (status) status.textContent = str('connectionLost'); })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
`;

// ---------------------------------------------------------------- routes

export function registerDashboardRoutes(app: FastifyInstance, options: DashboardRoutesOptions): void {
  const sessions = new DashboardSessions(options.sessionTtlMs ?? 12 * 60 * 60_000, options.now);
  const maxAge = Math.floor((options.sessionTtlMs ?? 12 * 60 * 60_000) / 1000);

  // Runs after the root hook, so this CSP replaces the ops server's default-src 'none' on these routes.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    return payload;
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  const html = (reply: FastifyReply, code: number, body: string) => reply.code(code).header('content-type', 'text/html; charset=utf-8').send(body);
  const signedIn = (request: FastifyRequest) => sessions.valid(sessionCookie(request));

  app.get('/dashboard/login', async (request, reply) => {
    if (signedIn(request)) return reply.redirect('/dashboard', 303);
    return html(reply, 200, loginPage(options.t));
  });

  app.post('/dashboard/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!tokenMatches(body.token, options.token)) {
      options.logger.warn({ ip: request.ip }, 'dashboard: login refused (wrong token)');
      return html(reply, 401, loginPage(options.t, options.t('dashboard.login.wrongToken')));
    }
    const id = sessions.create();
    reply.header('set-cookie', `${COOKIE}=${id}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`);
    return reply.redirect('/dashboard', 303);
  });

  app.post('/dashboard/logout', async (request, reply) => {
    sessions.end(sessionCookie(request));
    reply.header('set-cookie', `${COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.redirect('/dashboard/login', 303);
  });

  app.get('/dashboard', async (request, reply) => {
    if (!signedIn(request)) return reply.redirect('/dashboard/login', 303);
    const now = options.now();
    const data = await loadDashboard(options.store, options.names, now);
    return html(reply, 200, dashboardPage(data, options.names.time(now), options.t));
  });

  app.get('/dashboard/data.json', async (request, reply) => {
    if (!signedIn(request)) return reply.code(401).send({ error: 'log in at /dashboard/login' });
    const now = options.now();
    const live = await loadLive(options.store, options.names, now);
    return reply.code(200).send({ ...live, generatedAtText: options.names.time(now) });
  });

  app.get('/dashboard/app.js', async (_request, reply) => reply.code(200).header('content-type', 'text/javascript; charset=utf-8').send(APP_JS));
  app.get('/dashboard/app.css', async (_request, reply) => reply.code(200).header('content-type', 'text/css; charset=utf-8').send(APP_CSS));
}
