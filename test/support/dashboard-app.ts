/** The ops server's dashboard on its own fastify, over a test harness's store and presenter, for route tests. */
import type { DashboardRoutesOptions } from '../../adapters/http/dashboard.js';
import { buildOpsApp } from '../../adapters/http/ops.js';
import { silentLogger } from '../../src/logger.js';
import type { harness } from './fixture.js';

export const DASHBOARD_TOKEN = 'a-dashboard-token';

type Harness = Pick<Awaited<ReturnType<typeof harness>>, 'store' | 'muster' | 'clock'>;

export function dashboardApp(h: Harness, extra: Partial<DashboardRoutesOptions> = {}) {
  return buildOpsApp({
    metrics: { contentType: 'text/plain', render: async () => '' },
    ready: async () => ({ ok: true, checks: {} }) as never,
    logger: silentLogger,
    dashboard: {
      token: DASHBOARD_TOKEN, store: h.store, names: h.muster.present, t: h.muster.present.t, now: () => h.clock.now(), logger: silentLogger,
      secureCookie: false, ...extra,
    },
  });
}
