/** The dashboard's stylesheet and client script, served as files: the CSP allows no inline code. */
export const APP_CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111;background:#fafafa}
header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:1.25rem;margin:0}
main{padding:1rem;max-width:1200px}
h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;background:#fff}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
tr.override td{font-weight:600}
.board{background:#fff;border:1px solid #bbb;border-radius:4px;padding:.5rem 1rem;margin-bottom:1rem}
.board h3{font-size:1rem;margin:.25rem 0}
.sev{font-weight:700}
.drill{background:#CC79A7;color:#000;padding:0 .3rem;border-radius:3px}
.state-paging{background:#FFE8B0}
.state-acked{background:#CDE7F6}
.meta{color:#333;margin:.25rem 0}
.breach{background:#B00020;color:#fff;font-weight:700;padding:0 .3rem;border-radius:3px}
.deadline{margin:.25rem 0}
.deadline.overdue{color:#B00020;font-weight:700}
.countdown{font-variant-numeric:tabular-nums}
.missing{margin:.25rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
.chart-figure{margin:0;background:#fff;border:1px solid #ddd;padding:.5rem;max-width:100%;box-sizing:border-box}
.chart-title{font-weight:600;margin:0 0 .25rem}
.chart{display:block;max-width:100%;height:auto}
.login{max-width:24rem;margin:4rem auto;background:#fff;padding:1.5rem;border:1px solid #ccc}
.login label{display:block;margin-bottom:.25rem}
.login input{width:100%;box-sizing:border-box;padding:.4rem;margin-bottom:.75rem}
.error{color:#8a0000;font-weight:600}
`;

/** Refreshes the live boards every 2 s (rebuilding only what changed) and ticks the deadline countdowns every second; builds the DOM with textContent only (never innerHTML with data). */
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
  function fill(template, name, value) { return String(template || '').split('{' + name + '}').join(value); }
  // Countdowns run from the server's "milliseconds to the deadline" and this page's own monotonic clock: the browser's wall clock never matters.
  var receivedAt = window.performance.now();
  function tick() {
    var spans = document.querySelectorAll('.countdown[data-deadline-in]');
    for (var i = 0; i < spans.length; i += 1) {
      var left = Number(spans[i].getAttribute('data-deadline-in')) - (window.performance.now() - receivedAt);
      spans[i].textContent = fill(str(left > 0 ? 'remaining' : 'overdue'), 'clock', clock(Math.abs(left)));
      var line = spans[i].parentNode;
      if (line && line.classList && left <= 0) line.classList.add('overdue');
    }
  }
  function deadline(incident) {
    if (incident.assembleDeadlineAtText === undefined) return null;
    var p = el('p', 'deadline' + (incident.breachedAtText !== undefined ? ' overdue' : ''), str('deadline') + ' ');
    p.appendChild(el('span', 'deadline-at', incident.assembleDeadlineAtText));
    if (typeof incident.deadlineInMs === 'number') {
      p.appendChild(document.createTextNode(' \u00b7 '));
      var span = el('span', 'countdown');
      span.setAttribute('data-deadline-in', String(incident.deadlineInMs));
      p.appendChild(span);
    } else if (incident.assembledAtText !== undefined) {
      p.appendChild(document.createTextNode(' \u00b7 '));
      p.appendChild(el('span', 'assembled', fill(str('assembledAt'), 'at', incident.assembledAtText)));
    }
    return p;
  }
  function missing(incident) {
    if (!incident.missingRoles || incident.missingRoles.length === 0) return null;
    return el('p', 'missing', fill(str('missing'), 'roles', incident.missingRoles.join(str('listSeparator'))));
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
    if (incident.breaches && incident.breaches.length) {
      h3.appendChild(document.createTextNode(' '));
      h3.appendChild(el('span', 'breach', fill(str('breached'), 'kinds', incident.breaches.map(function (kind) { return named('breaches', kind); }).join(str('listSeparator')))));
    }
    if (incident.drill) { h3.appendChild(document.createTextNode(' ')); h3.appendChild(el('span', 'drill', str('drill'))); }
    article.appendChild(h3);
    var meta = el('p', 'meta', str('declared') + ' ');
    meta.appendChild(el('span', 'declared', incident.declaredAtText));
    if (incident.service) { meta.appendChild(document.createTextNode(' \\u00b7 ' + str('service') + ' ')); meta.appendChild(el('span', 'service', incident.service)); }
    article.appendChild(meta);
    [deadline(incident), missing(incident)].forEach(function (line) { if (line) article.appendChild(line); });
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
  // A part of the page is rebuilt only when its data changed (no flicker, text selection kept);
  // the countdowns' milliseconds change on every poll, so they are left out of the key and updated in place.
  var shown = {};
  function changed(part, value) {
    var key = JSON.stringify(value, function (name, v) { return name === 'deadlineInMs' ? undefined : v; });
    if (shown[part] === key) return false;
    shown[part] = key;
    return true;
  }
  function updateCountdowns(incidents) {
    var byId = {};
    incidents.forEach(function (incident) { byId[incident.id] = incident; });
    var cards = active.querySelectorAll('article.board');
    for (var i = 0; i < cards.length; i += 1) {
      var incident = byId[cards[i].getAttribute('data-incident')];
      var span = cards[i].querySelector('.countdown');
      if (incident && span && typeof incident.deadlineInMs === 'number') span.setAttribute('data-deadline-in', String(incident.deadlineInMs));
    }
  }
  function render(data) {
    if (changed('active', data.active)) {
      var boards = data.active.length ? data.active.map(board) : [el('p', 'empty', str('noActive'))];
      active.replaceChildren.apply(active, boards);
    } else updateCountdowns(data.active);
    receivedAt = window.performance.now();
    tick();
    if (changed('recent', data.recent)) recentRows(recentBody, data.recent);
    if (changed('drills', data.recentDrills)) recentRows(drillsBody, data.recentDrills);
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
  window.setInterval(tick, 1000);
})();
`;

// ---------------------------------------------------------------- routes

/** The favicon: a blue tile with a white "M" drawn as a path (no text, no script, no style: safe under the CSP as an image). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
<rect width="32" height="32" rx="6" fill="#0072B2"/>
<path d="M7 24V8h3.5L16 16.5 21.5 8H25v16h-3.5V14L16 22l-5.5-8v10z" fill="#fff"/>
</svg>
`;
