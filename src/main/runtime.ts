/**
 * The runtime: embedded or production parts, the core given its ports, and
 * the one HTTP server (metrics, health, hooks, dashboard).
 */
import type { Redis } from 'ioredis';
import pino from 'pino';
import { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../../adapters/bullmq/scheduler.js';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { MemoryStore } from '../../adapters/memory/store.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { RedisResolvedIncidents } from '../../adapters/redis/retention.js';
import { MemoryShiftChangeStore } from '../../adapters/memory/shift-changes.js';
import { RedisShiftChangeStore } from '../../adapters/redis/shift-changes.js';
import type { ShiftChangeStore } from '../schedules/ports.js';
import { startOpsServer } from '../../adapters/http/ops.js';
import { MusterMetrics } from '../../adapters/http/metrics.js';
import type { AlertGroup } from '../alerts/payloads.js';
import { readiness } from '../health.js';
import { HttpWebhooks } from '../../adapters/http/webhook.js';
import { AlertService } from '../alerts/service.js';
import { webhookSecrets } from '../config/secrets.js';
import { ConfigError } from '../config/load.js';
import { libraryFor } from '../playbooks/library.js';
import { actionExecutors, actionWarnings } from './action-executors.js';
import { Muster } from '../app.js';
import { postmortemExport, postmortemUrlFor } from './postmortem-links.js';
import type { AuditKey } from '../audit/key.js';
import { AuditKeyMissingError, auditKeyFor, AuditSink } from './audit.js';
import { systemClock } from '../clock.js';
import type { MusterConfig } from '../config/schema.js';
import { redactUrl, type MusterEnv } from '../config/env.js';
import { hashTaggedPrefix } from '../config/redis-keys.js';
import { redisTarget, type RedisTarget } from '../config/redis-target.js';
import { describeRedisTarget, redisClient } from './redis-clients.js';
import type { Logger } from '../logger.js';
import { COMMAND_CLIENT_OPTIONS, QUEUE_CLIENT_OPTIONS } from './redis-options.js';
import { PAGING_ROUTE_NAMES, pagingDeps, pagingRoutes, startPaging, type PagingStart } from './paging.js';
import type { ChatPort, Clock, IncidentStore, Outbox, ResolvedIncidents, Scheduler, WebhookPort } from '../ports.js';

export type Mode = 'embedded' | 'production';

export interface Runtime {
  mode: Mode;
  muster: Muster;
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  /** Shift changes (cover, swap, take): memory in embedded mode, Redis in production. */
  shifts: ShiftChangeStore;
  /** The port of the HTTP server (metrics, health, hooks) when one runs. */
  httpPort?: number;
  /** Its routes, e.g. "GET /readyz", when it runs. */
  httpRoutes?: string[];
  /** Where the dashboard answers, when MUSTER_DASHBOARD_TOKEN turns it on ("http://127.0.0.1:8080/dashboard"). */
  dashboardUrl?: string;
  /** Resolves once queued outbound messages have been delivered (or after a bound). */
  settle(maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export function createLogger(env: MusterEnv, quiet = false): Logger {
  const level = env.logLevelSet || !quiet ? env.logLevel : 'warn';
  return pino({ level, redact: ['*.password', '*.token', '*.secret'] }, pino.destination(2));
}

export interface Parts {
  store: IncidentStore;
  /** The same store's resolved incidents, for muster archive. */
  resolved: ResolvedIncidents;
  shifts: ShiftChangeStore;
  scheduler: Scheduler;
  outbox: Outbox;
  close: () => Promise<void>;
}

export function embeddedParts(clock: Clock): Parts {
  const store = new MemoryStore(() => clock.now());
  return { store, resolved: store, shifts: new MemoryShiftChangeStore(), scheduler: new InProcessScheduler(clock), outbox: new InProcessOutbox(), close: async () => {} };
}

/** Connects or fails with the target (password hidden) and a hint; never a stack trace. */
async function connectRedis(target: RedisTarget, logger: Logger): Promise<{ commands: Redis; queues: Redis }> {
  const where = describeRedisTarget(target);
  const commands = redisClient(target, { lazyConnect: true, ...COMMAND_CLIENT_OPTIONS });
  const queues = redisClient(target, { lazyConnect: true, ...QUEUE_CLIENT_OPTIONS });
  for (const client of [commands, queues]) {
    client.on('error', (error: Error) => logger.warn({ redis: where, err: error.message }, 'redis connection problem; retrying'));
  }
  try {
    await Promise.all([commands.connect(), queues.connect()]);
    await commands.ping();
  } catch (error) {
    commands.disconnect();
    queues.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    const fix = target.kind === 'sentinel' ? 'fix REDIS_SENTINELS or REDIS_SENTINEL_NAME, or unset both' : 'fix REDIS_URL, or unset REDIS_URL';
    throw new StartupError(
      `Cannot reach Redis at ${where} (${redactUrl(reason)}).\n` +
        `Hint: start Redis (redis-server), ${fix} to run in embedded mode.`,
    );
  }
  return { commands, queues };
}

/** Production Redis must not lose or evict timers: warn when it might. */
async function checkDurability(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (aof !== 'yes') logger.warn({ appendonly: aof }, 'Redis runs without AOF: a Redis restart loses incidents and timers (set appendonly yes, appendfsync everysec)');
    if (policy !== 'noeviction') logger.warn({ policy }, 'Redis may evict keys under memory pressure (set maxmemory-policy noeviction)');
  } catch {
    logger.warn({}, 'could not read the Redis persistence settings; make sure AOF is on and maxmemory-policy is noeviction');
  }
}

/** `prefix` gets a hash tag when it has none, so the store and the queues stay single-slot (Redis Cluster). */
export async function productionParts(target: RedisTarget, rawPrefix: string, logger: Logger): Promise<Parts> {
  const prefix = hashTaggedPrefix(rawPrefix);
  const { commands, queues } = await connectRedis(target, logger);
  await checkDurability(commands, logger);
  const store = new RedisStore(commands, { prefix });
  const resolved = new RedisResolvedIncidents(commands, { prefix });
  const scheduler = new BullMQScheduler({ connection: queues, prefix: `${prefix}bull`, logger });
  const outbox = new BullMQOutbox({ connection: queues, prefix: `${prefix}bull`, logger });
  return {
    store,
    resolved,
    shifts: new RedisShiftChangeStore(commands, { prefix }),
    scheduler,
    outbox,
    close: async () => {
      commands.disconnect();
      queues.disconnect();
    },
  };
}

export async function buildRuntime(options: {
  config: MusterConfig;
  /** The config file, to find the playbooks folder it names. */
  configFile?: string;
  env: MusterEnv;
  chat: ChatPort;
  logger: Logger;
  clock?: Clock;
  /** Replaces the signed-HTTP webhook audiences (the console has none). */
  webhooks?: WebhookPort;
}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const target = redisTarget(options.env);
  const mode: Mode = target ? 'production' : 'embedded';
  const auditKey = auditKeyOrStop(options.env, options.logger);
  const parts = target ? await productionParts(target, options.env.redisPrefix, options.logger) : embeddedParts(clock);
  const webhooks = options.webhooks ?? new HttpWebhooks(options.config.audiences, readWebhookSecrets(options));
  const playbooks = libraryFor(options.config, options.configFile);
  const executors = readyExecutors(options);
  const postmortemUrl = postmortemUrlFor(options.env, options.logger);
  const paging = await startPaging(options.config, options.env.raw ?? {}, options.logger, options.configFile);
  const muster = new Muster({ config: options.config, chat: options.chat, clock, logger: options.logger, webhooks, playbooks, executors, auditKey, ...parts, ...(postmortemUrl ? { postmortemUrl } : {}),
    ...(paging.env.enabled.length > 0 ? { paging: pagingDeps(paging, parts.store, () => clock.now()) } : {}) });
  const sink = options.env.auditSink ? new AuditSink(options.env.auditSink, options.logger) : undefined;
  if (sink) muster.onEvent((event) => sink.write(event));
  const http = await startHooks(options, muster, parts.store, parts.outbox, clock, parts.shifts, paging);
  const closeHooks = http?.close;
  return {
    mode,
    muster,
    ...parts,
    ...(http ? { httpPort: http.port, httpRoutes: http.routes } : {}),
    ...(http?.dashboardUrl ? { dashboardUrl: http.dashboardUrl } : {}),
    settle: (maxMs = 10_000) => settle(parts.outbox, maxMs),
    close: async () => {
      await closeHooks?.();
      await muster.stop();
      await sink?.close();
      await parts.store.close();
      await parts.close();
    },
  };
}

/** The audit key, or a StartupError with the hint when production mode has none. */
function auditKeyOrStop(env: MusterEnv, logger: Logger): AuditKey {
  try {
    return auditKeyFor(env, logger);
  } catch (error) {
    if (error instanceof AuditKeyMissingError) throw new StartupError(error.message);
    throw error;
  }
}

/**
 * A webhook audience without its secret cannot be signed, so it is switched
 * off, loudly: the shipped example names STATUSPAGE_SECRET and must still run.
 */
function readWebhookSecrets(options: { config: MusterConfig; env: MusterEnv; logger: Logger }): Map<string, string> {
  try {
    return webhookSecrets(options.config.audiences, options.env.raw ?? {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) options.logger.warn({ variable: problem.path }, `${problem.message}: set ${problem.path}; until then it is not notified`);
    const present = Object.fromEntries(Object.entries(options.env.raw ?? {}).filter(([, value]) => value));
    const configured = Object.fromEntries(Object.entries(options.config.audiences).filter(([, a]) => a.kind !== 'webhook' || present[a.secretEnv]));
    return webhookSecrets(configured, present);
  }
}

/** The executors of privileged actions; an action that cannot run is refused when asked for, with a warning now. */
function readyExecutors(options: { config: MusterConfig; env: MusterEnv; logger: Logger }) {
  const executors = actionExecutors(options.config, options.env);
  for (const warning of actionWarnings(options.config, executors)) options.logger.warn({ action: warning.action }, warning.text);
  return executors;
}

/**
 * The HTTP server: /metrics, /healthz and /readyz whenever MUSTER_HTTP_PORT is
 * set or hooks are configured, plus the monitoring hooks only when a token or
 * secret guards them (never an open endpoint). One fastify instance, one port.
 */
async function startHooks(options: { config: MusterConfig; env: MusterEnv; logger: Logger }, muster: Muster, store: IncidentStore, outbox: Outbox, clock: Clock = systemClock, shifts?: ShiftChangeStore, paging?: PagingStart) {
  const { env, config, logger } = options;
  const hooksOn = Boolean(env.hookToken || env.hookSecret);
  const pagingOptions = paging && (await pagingRoutes(paging, {
    config, store, now: () => clock.now(), logger,
    onAck: (ack) => muster.phoneAck(ack),
    onStatus: (status) => muster.pagingStatus(status),
  }));
  if (!hooksOn && !env.dashboardToken && !env.calendarKey && !pagingOptions && !env.raw?.MUSTER_HTTP_PORT) return undefined;
  const alerts = hooksOn ? new AlertService({ config, alerts: config.alerts, store, service: muster.service, present: muster.present, logger }) : undefined;
  const metrics = new MusterMetrics({
    store,
    outbox,
    watchdog: muster.watchdog,
    logger,
    onEvent: (listener) => muster.onEvent(listener),
    onDeliveryFailure: (listener) => muster.onDeliveryFailure(listener),
  });
  try {
    const server = await startOpsServer({
      host: env.httpHost ?? '127.0.0.1',
      port: env.httpPort ?? 8080,
      metrics,
      ready: () =>
        readiness(
          { store, clock: systemClock, workersStartedAt: () => muster.workersStartedAt, watchdog: muster.watchdog },
          (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'readiness: store ping failed'),
        ),
      ...(alerts
        ? {
            hooks: {
              ...(env.hookToken ? { token: env.hookToken } : {}),
              ...(env.hookSecret ? { secret: env.hookSecret } : {}),
              alerts: config.alerts,
              ingest: (groups: AlertGroup[]) => alerts.ingest(groups),
              logger,
            },
          }
        : {}),
      ...(env.dashboardToken
        ? { dashboard: {
          token: env.dashboardToken, store, names: dashboardNames(muster.present), t: muster.present.t, now: () => clock.now(), logger, secureCookie: !env.dashboardPlainHttp,
          postmortem: postmortemExport(store, muster.present),
          ...(muster.shifts ? { oncall: () => (muster.shifts as NonNullable<typeof muster.shifts>).week(clock.now()) } : {}),
        } }
        : {}),
      ...(env.calendarKey && shifts
        ? { calendar: { key: env.calendarKey, store: shifts, config, t: muster.present.t, now: () => clock.now(), logger } }
        : {}),
      ...(pagingOptions ? { paging: pagingOptions } : {}),
      logger,
    });
    const routes = [
      'GET /metrics', 'GET /healthz', 'GET /readyz',
      ...(alerts ? ['POST /hooks/alertmanager', 'POST /hooks/generic'] : []),
      ...(env.dashboardToken ? ['GET /dashboard (read-only, token login)', 'GET /dashboard/incidents/<INC-n>/postmortem'] : []),
      ...(env.calendarKey ? ['GET /calendar/<team|person>/<id>/<token>.ics (secret feed URLs)'] : []),
      ...(pagingOptions ? PAGING_ROUTE_NAMES : []),
    ];
    logger.info({ host: env.httpHost ?? '127.0.0.1', port: server.port, routes }, 'HTTP server listening');
    const dashboardUrl = env.dashboardToken ? `http://${browsableHost(env.httpHost ?? '127.0.0.1')}:${server.port}/dashboard` : undefined;
    if (dashboardUrl) logger.info({ url: dashboardUrl }, `Dashboard: ${dashboardUrl}`);
    return {
      port: server.port,
      routes,
      ...(dashboardUrl ? { dashboardUrl } : {}),
      close: async () => {
        metrics.close();
        await server.close();
      },
    };
  } catch (error) {
    metrics.close();
    throw new StartupError(`Cannot listen for HTTP (metrics, health, hooks) on ${env.httpHost ?? '127.0.0.1'}:${env.httpPort ?? 8080} (${error instanceof Error ? error.message : String(error)}). Hint: set MUSTER_HTTP_PORT to a free port.`);
  }
}

/** A host a browser can open: a wildcard bind becomes localhost, an IPv6 literal gets brackets. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

async function settle(outbox: Outbox, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    if ((await outbox.depth()) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The dashboard's tables show bare clock times in the team zone (their columns are narrow); chat messages carry the zone and day. */
function dashboardNames(present: Muster['present']) {
  return { personName: (person: string) => present.personName(person), roleName: (role: string) => present.roleName(role), time: (at: number) => present.clockTime(at) };
}
