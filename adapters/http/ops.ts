/**
 * The bot's one HTTP server (MUSTER_HTTP_HOST:MUSTER_HTTP_PORT): the
 * operations routes — GET /metrics (Prometheus text), GET /healthz (the
 * process answers), GET /readyz (store, workers, watchdog) — and, when a hook
 * token or secret is set, the monitoring hooks with their own authentication
 * (adapters/http/hooks.ts, untouched). Every response carries security
 * headers; nothing here ever prints configuration or secrets.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../src/logger.js';
import type { Readiness } from '../../src/health.js';
import { registerHookRoutes, type HookRoutesOptions } from './hooks.js';
import { registerDashboardRoutes, type DashboardRoutesOptions } from './dashboard.js';
import { registerCalendarRoutes, type CalendarRoutesOptions } from './calendar.js';
import { registerPagingRoutes, type PagingRoutesOptions } from './paging-hooks.js';
import { enableThrottling, HOOKS_PER_CLIENT, throttleScope } from './throttle.js';

export interface OpsServerOptions {
  host: string;
  port: number;
  metrics: { contentType: string; render(): Promise<string> };
  ready(): Promise<Readiness>;
  /** The monitoring hooks; absent when no hook token or secret is set (never an open endpoint). */
  hooks?: HookRoutesOptions;
  /** The read-only dashboard; absent when MUSTER_DASHBOARD_TOKEN is unset. */
  dashboard?: DashboardRoutesOptions;
  /** The read-only iCalendar feeds; absent when MUSTER_CALENDAR_KEY is unset. */
  calendar?: CalendarRoutesOptions;
  /** Provider callbacks and acknowledge links; absent without MUSTER_PUBLIC_URL (acknowledging from the phone is off). */
  paging?: PagingRoutesOptions;
  logger: Logger;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Builds the app without listening (tests inject requests into it). */
export async function buildOpsApp(options: Omit<OpsServerOptions, 'host' | 'port'>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: options.hooks?.bodyLimit ?? 1_048_576 });
  // Root hooks reach every route, the hooks plugin's and the 404s included.
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  await enableThrottling(app);
  const hooks = options.hooks;
  if (hooks) {
    await app.register(async (scope) => {
      throttleScope(scope, HOOKS_PER_CLIENT);
      registerHookRoutes(scope, hooks);
    });
  }
  const dashboard = options.dashboard;
  if (dashboard) await app.register(async (scope) => registerDashboardRoutes(scope, dashboard));
  const calendar = options.calendar;
  if (calendar) await app.register(async (scope) => registerCalendarRoutes(scope, calendar));
  const paging = options.paging;
  if (paging) {
    await app.register(async (scope) => {
      throttleScope(scope, HOOKS_PER_CLIENT);
      registerPagingRoutes(scope, paging);
    });
  }

  app.get('/healthz', async (_request, reply) => reply.code(200).send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const result = await options.ready();
    return reply.code(result.ok ? 200 : 503).send({ status: result.ok ? 'ready' : 'not ready', checks: result.checks });
  });

  app.get('/metrics', async (_request, reply) => {
    try {
      const text = await options.metrics.render();
      return reply.code(200).header('content-type', options.metrics.contentType).send(text);
    } catch (error) {
      options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'metrics could not be collected');
      return reply.code(503).send({ error: 'metrics unavailable' });
    }
  });
  return app;
}

export async function startOpsServer(options: OpsServerOptions): Promise<{ port: number; app: FastifyInstance; close: () => Promise<void> }> {
  const app = await buildOpsApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { port, app, close: () => app.close() };
}
