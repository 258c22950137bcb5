/**
 * The read-only dashboard (issue 8), on the ops server and only when
 * MUSTER_DASHBOARD_TOKEN is set: a token login (compared in constant time)
 * gives an HttpOnly, SameSite=Strict, Secure session cookie holding a random
 * id kept in memory; logins are throttled per client and for everyone. Pages are rendered on the server with every user-typed string
 * HTML-escaped; charts are inline SVG; /dashboard/app.js refreshes the live
 * boards from /dashboard/data.json with textContent only and ticks the
 * assembly countdowns; /favicon.svg is the icon. Nothing here writes to the
 * store.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Translate } from '../../src/i18n/catalog.js';
import type { Logger } from '../../src/logger.js';
import type { IncidentStore } from '../../src/ports.js';
import type { TeamWeek } from '../../src/schedules/week.js';
import { loadDashboard, loadLive, type DashboardNames } from '../../src/reports/dashboard-data.js';
import { APP_CSS, APP_JS, FAVICON_SVG } from './dashboard-assets.js';
import { clientStrings, dashboardPage, loginPage } from './dashboard-view.js';
import { LOGIN_EVERYONE, LOGIN_PER_CLIENT, throttle } from './throttle.js';

export { barChart, PALETTE } from './dashboard-charts.js';
export { escapeHtml } from './html.js';
export { clientStrings, dashboardPage, loginPage } from './dashboard-view.js';
export { APP_CSS, APP_JS, FAVICON_SVG } from './dashboard-assets.js';

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
  /**
   * Set `Secure` on the session cookie (default true). Only false when the
   * dashboard is served over plain HTTP on loopback (MUSTER_DASHBOARD_PLAIN_HTTP=1).
   */
  secureCookie?: boolean;
  /** Every team's pagers over the next seven days (rotation and shift changes); no section without it. */
  oncall?: () => Promise<TeamWeek[]>;
  /** One incident's postmortem export (what `muster export` prints); undefined for an unknown incident. No route without it. */
  postmortem?: (id: string, format: 'md' | 'json') => Promise<string | undefined>;
}

/** Where a postmortem opens: the link the knowledge messages carry, under MUSTER_PUBLIC_URL. */
export const postmortemPath = (id: string) => `/dashboard/incidents/${encodeURIComponent(id)}/postmortem`;
const POSTMORTEM_ROUTE = /^\/dashboard\/incidents\/INC-\d{1,12}\/postmortem(\?format=(md|json))?$/;

/** A page to return to after logging in: only a postmortem link, never an address elsewhere (no open redirect). */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && POSTMORTEM_ROUTE.test(next) ? next : undefined;
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


export function registerDashboardRoutes(app: FastifyInstance, options: DashboardRoutesOptions): void {
  const sessions = new DashboardSessions(options.sessionTtlMs ?? 12 * 60 * 60_000, options.now);
  const maxAge = Math.floor((options.sessionTtlMs ?? 12 * 60 * 60_000) / 1000);
  const attributes = `Path=/dashboard; HttpOnly; SameSite=Strict${options.secureCookie === false ? '' : '; Secure'}`;
  const loginThrottle = throttle(app, [{ limit: LOGIN_PER_CLIENT, per: 'client' }, { limit: LOGIN_EVERYONE, per: 'everyone' }]);
  let lastThrottleLog = Number.NEGATIVE_INFINITY;

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
    const next = safeNext((request.query as Record<string, unknown> | undefined)?.next);
    if (signedIn(request)) return reply.redirect(next ?? '/dashboard', 303);
    return html(reply, 200, loginPage(options.t, undefined, next));
  });

  app.post('/dashboard/login', async (request, reply) => {
    const wait = await loginThrottle(request);
    if (wait) {
      // One line a minute at most: a flood of guesses must not flood the log too.
      if (options.now() - lastThrottleLog >= 60_000) {
        lastThrottleLog = options.now();
        options.logger.warn({ ip: request.ip }, 'dashboard: login attempts throttled');
      }
      const seconds = String(wait.retryAfterSeconds);
      return html(reply.header('retry-after', seconds), 429, loginPage(options.t, options.t('dashboard.login.throttled', { seconds })));
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!tokenMatches(body.token, options.token)) {
      options.logger.warn({ ip: request.ip }, 'dashboard: login refused (wrong token)');
      return html(reply, 401, loginPage(options.t, options.t('dashboard.login.wrongToken'), next));
    }
    const id = sessions.create();
    reply.header('set-cookie', `${COOKIE}=${id}; ${attributes}; Max-Age=${maxAge}`);
    return reply.redirect(next ?? '/dashboard', 303);
  });

  app.post('/dashboard/logout', async (request, reply) => {
    sessions.end(sessionCookie(request));
    reply.header('set-cookie', `${COOKIE}=; ${attributes}; Max-Age=0`);
    return reply.redirect('/dashboard/login', 303);
  });

  app.get('/dashboard', async (request, reply) => {
    if (!signedIn(request)) return reply.redirect('/dashboard/login', 303);
    const now = options.now();
    const [data, oncall] = await Promise.all([loadDashboard(options.store, options.names, now), options.oncall?.()]);
    return html(reply, 200, dashboardPage(data, options.names.time(now), options.t, oncall));
  });

  app.get('/dashboard/data.json', async (request, reply) => {
    if (!signedIn(request)) return reply.code(401).send({ error: 'log in at /dashboard/login' });
    const now = options.now();
    const live = await loadLive(options.store, options.names, now);
    return reply.code(200).send({ ...live, generatedAtText: options.names.time(now) });
  });

  const postmortem = options.postmortem;
  if (postmortem) {
    // The link in similar incidents and /kb results: behind the same login, a session cookie or back here after it.
    app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/dashboard/incidents/:id/postmortem', async (request, reply) => {
      const format = request.query.format === 'json' ? 'json' : 'md';
      const id = request.params.id.toUpperCase();
      if (!signedIn(request)) {
        const next = safeNext(`${postmortemPath(id)}${request.query.format === 'json' ? '?format=json' : ''}`);
        return reply.redirect(next ? `/dashboard/login?next=${encodeURIComponent(next)}` : '/dashboard/login', 303);
      }
      const text = /^INC-\d{1,12}$/.test(id) ? await postmortem(id, format) : undefined;
      if (text === undefined) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(options.t('error.notFound', { id: request.params.id.slice(0, 40) }));
      // Markdown as plain text: the browser shows it as written, and nothing in it can run.
      return reply.code(200).header('content-type', format === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8').send(text);
    });
  }

  app.get('/dashboard/app.js', async (_request, reply) => reply.code(200).header('content-type', 'text/javascript; charset=utf-8').send(APP_JS));
  app.get('/favicon.svg', async (_request, reply) => reply.code(200).header('content-type', 'image/svg+xml').send(FAVICON_SVG));
  app.get('/dashboard/app.css', async (_request, reply) => reply.code(200).header('content-type', 'text/css; charset=utf-8').send(APP_CSS));
}
