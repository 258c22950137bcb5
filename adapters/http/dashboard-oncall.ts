/** The dashboard's on-call section: every team's pagers over the next seven days, every value escaped. */
import type { MessageKey, Translate } from '../../src/i18n/catalog.js';
import type { TeamWeek } from '../../src/schedules/week.js';
import { escapeHtml } from './html.js';

const COLUMNS: MessageKey[] = ['dashboard.col.position', 'dashboard.col.person', 'dashboard.col.from', 'dashboard.col.until', 'dashboard.col.source'];

function teamTable(t: Translate, week: TeamWeek, index: number): string {
  const head = COLUMNS.map((key) => `<th scope="col">${escapeHtml(t(key))}</th>`).join('');
  const rows = week.rows
    .map((row) => `<tr${row.override ? ' class="override"' : ''}><td>${escapeHtml(row.position)}</td><td>${escapeHtml(row.person)}</td><td>${escapeHtml(row.from)}</td><td>${escapeHtml(row.until)}</td><td>${escapeHtml(row.source)}</td></tr>`)
    .join('\n');
  return `<table id="oncall-${index}"><caption>${escapeHtml(t('dashboard.oncall.caption', { team: week.team, zone: week.zone }))}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${rows || `<tr><td colspan="${COLUMNS.length}">${escapeHtml(t('dashboard.oncall.empty'))}</td></tr>`}</tbody></table>`;
}

export function oncallSection(t: Translate, weeks: TeamWeek[]): string {
  return `<section aria-labelledby="oncall-heading"><h2 id="oncall-heading">${escapeHtml(t('dashboard.oncall.heading'))}</h2>
${weeks.map((week, index) => teamTable(t, week, index)).join('\n')}
</section>`;
}
