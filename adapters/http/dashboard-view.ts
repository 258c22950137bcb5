/** The dashboard pages as HTML strings: every user-typed value escaped, every sentence from the catalogue. */
import { formatClock } from '../../src/config/duration.js';
import type { MessageKey, Translate } from '../../src/i18n/catalog.js';
import { type ActiveIncidentView, type DashboardData, type RecentIncidentView } from '../../src/reports/dashboard-data.js';
import { knowledgeLine } from '../../src/knowledge/measures.js';
import { escapeHtml } from './html.js';
import { barChart, durationChart, minutes, PALETTE, targetOf } from './dashboard-charts.js';
import { oncallSection } from './dashboard-oncall.js';
import type { TeamWeek } from '../../src/schedules/week.js';

// ---------------------------------------------------------------- HTML


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
const STATES = ['paging', 'acked', 'released', 'cancelled'] as const;
const STATUSES = ['assembling', 'assembled', 'mitigated', 'resolved'] as const;
const BREACHES = ['assembly', 'response', 'update', 'resolution'] as const;

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
    // templates: app.js fills {clock}, {at} and {kinds} and sets them with textContent
    deadline: t('dashboard.live.deadline'),
    remaining: t('dashboard.live.remaining'),
    overdue: t('dashboard.live.overdue'),
    assembledAt: t('dashboard.live.assembledAt'),
    breached: t('dashboard.live.breached'),
    missing: t('dashboard.live.missing'),
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
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/app.css">
${options.script ? '<script src="/dashboard/app.js" defer></script>\n' : ''}</head>
<body>
${body}
</body>
</html>
`;
}

/** `next`: a dashboard page to return to after logging in (already checked by the caller: see safeNext). */
export function loginPage(t: Translate, error?: string, next?: string): string {
  return page(
    t,
    t('dashboard.login.pageTitle'),
    `<main class="login">
<h1>${escapeHtml(t('dashboard.title'))}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/dashboard/login">
<label for="token">${escapeHtml(t('dashboard.login.tokenLabel'))}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ''}
<button type="submit">${escapeHtml(t('dashboard.login.submit'))}</button>
</form>
<p class="note">${escapeHtml(t('dashboard.login.note'))}</p>
</main>`,
  );
}

/** The breach badge: every breach so far, in red, beside the status (a breached muster never reads just "assembling"). */
function breachBadge(t: Translate, incident: ActiveIncidentView): string {
  if (incident.breaches.length === 0) return '';
  const kinds = incident.breaches.map((kind) => label(t, 'dashboard.breach', kind)).join(t('dashboard.listSeparator'));
  return ` <span class="breach">${escapeHtml(t('dashboard.live.breached', { kinds }))}</span>`;
}

/** The assembly deadline: counting down (app.js ticks it from data-deadline-in), overdue in red, or when the team assembled. */
function deadlineLine(t: Translate, incident: ActiveIncidentView): string {
  if (incident.assembleDeadlineAtText === undefined) return '';
  const inMs = incident.deadlineInMs;
  const overdue = inMs !== undefined && inMs <= 0;
  const after = inMs !== undefined
    ? `<span class="countdown" data-deadline-in="${inMs}">${escapeHtml(t(overdue ? 'dashboard.live.overdue' : 'dashboard.live.remaining', { clock: formatClock(Math.abs(inMs)) }))}</span>`
    : incident.assembledAtText !== undefined ? `<span class="assembled">${escapeHtml(t('dashboard.live.assembledAt', { at: incident.assembledAtText }))}</span>` : '';
  return `<p class="deadline${overdue || incident.breachedAtText !== undefined ? ' overdue' : ''}">${escapeHtml(t('dashboard.live.deadline'))} <span class="deadline-at">${escapeHtml(incident.assembleDeadlineAtText)}</span>${after ? ` · ${after}` : ''}</p>`;
}

function missingLine(t: Translate, incident: ActiveIncidentView): string {
  if (incident.missingRoles.length === 0) return '';
  return `<p class="missing">${escapeHtml(t('dashboard.live.missing', { roles: incident.missingRoles.join(t('dashboard.listSeparator')) }))}</p>`;
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
<h3><span class="sev sev-${escapeHtml(incident.severity)}">${escapeHtml(incident.severity)}</span> <span class="id">${escapeHtml(incident.id)}</span> <span class="title">${escapeHtml(incident.title)}</span> <span class="status">${escapeHtml(label(t, 'dashboard.status', incident.status))}</span>${breachBadge(t, incident)}${incident.drill ? ` <span class="drill">${escapeHtml(t('dashboard.drill'))}</span>` : ''}</h3>
<p class="meta">${escapeHtml(t('dashboard.declared'))} <span class="declared">${escapeHtml(incident.declaredAtText)}</span>${incident.service ? ` · ${escapeHtml(t('dashboard.service'))} <span class="service">${escapeHtml(incident.service)}</span>` : ''}</p>
${deadlineLine(t, incident)}${missingLine(t, incident)}
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

/** `oncall`: the next seven days per team, when the bot keeps a schedule. */
export function dashboardPage(data: DashboardData, nowText: string, t: Translate, oncall?: TeamWeek[]): string {
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
        { name: t('dashboard.breach.resolution'), colour: PALETTE.green, values: data.breachesByMonth.map((m) => m.resolution) },
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
${oncall ? oncallSection(t, oncall) : ''}
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
<section aria-labelledby="knowledge-heading"><h2 id="knowledge-heading">${h('dashboard.knowledge.heading')}</h2>
<p id="knowledge">${escapeHtml(knowledgeLine(t, data.knowledge))}</p>
</section>
</main>`,
    { script: true },
  );
}

