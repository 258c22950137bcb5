/**
 * Composition: the only file in src/ that knows which adapters exist. It reads
 * the config and environment once, picks embedded or production mode, and
 * hands ports to the core.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { BullMQOutbox } from '../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import { InProcessOutbox } from '../adapters/memory/outbox.js';
import { InProcessScheduler } from '../adapters/memory/scheduler.js';
import { MemoryStore } from '../adapters/memory/store.js';
import { RedisStore } from '../adapters/redis/store.js';
import { ConsoleChat } from '../adapters/console/chat.js';
import { ConsoleSession } from '../adapters/console/session.js';
import { SlackAdapter, slackWebClient, type SlackSettings } from '../adapters/slack/app.js';
import { SlackChat } from '../adapters/slack/chat.js';
import { startOpsServer } from '../adapters/http/ops.js';
import { MusterMetrics } from '../adapters/http/metrics.js';
import type { InboundAlert } from './alerts/payloads.js';
import { readiness } from './runtime/health.js';
import { HttpWebhooks } from '../adapters/http/webhook.js';
import { AlertService } from './alerts/service.js';
import { webhookSecrets } from './config/secrets.js';
import { ConfigError } from './config/load.js';
import { libraryFor } from './playbooks/library.js';
import { HttpExecutor } from '../adapters/executors/http.js';
import { ExecExecutor } from '../adapters/executors/exec.js';
import { actionSecrets } from './config/action-secrets.js';
import { describeAudit, exportAudit, verifyAudit } from './actions/audit-cli.js';
import { DiscordAdapter, type DiscordSettings } from '../adapters/discord/app.js';
import { DiscordChat } from '../adapters/discord/chat.js';
import { GatewayLease } from '../adapters/discord/lease.js';
import { discordRest } from '../adapters/discord/rest.js';
import { registerCommands } from '../adapters/discord/commands.js';
import { Muster } from './app.js';
import { Presenter } from './notify/present.js';
import { postmortem, type PostmortemFormat } from './reports/postmortem.js';
import { systemClock } from './clock.js';
import type { MusterConfig } from './config/schema.js';
import { redactUrl, type MusterEnv } from './config/env.js';
import type { Logger } from './logger.js';
import type { ChatPort, Clock, IncidentStore, Outbox, Scheduler } from './ports.js';

export type Mode = 'embedded' | 'production';

export interface Runtime {
  mode: Mode;
  muster: Muster;
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  /** The port of the HTTP server (metrics, health, hooks) when one runs. */
  httpPort?: number;
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

interface Parts {
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  close: () => Promise<void>;
}

function embeddedParts(clock: Clock): Parts {
  const store = new MemoryStore(() => clock.now());
  return { store, scheduler: new InProcessScheduler(clock), outbox: new InProcessOutbox(), close: async () => {} };
}

/** Connects or fails with the URL (password hidden) and a hint; never a stack trace. */
async function connectRedis(url: string, logger: Logger): Promise<{ commands: Redis; queues: Redis }> {
  const commands = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // Many small independent commands per declare: one write per event-loop tick.
    enableAutoPipelining: true,
  });
  const queues = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 5_000 });
  for (const client of [commands, queues]) {
    client.on('error', (error: Error) => logger.warn({ redis: redactUrl(url), err: error.message }, 'redis connection problem; retrying'));
  }
  try {
    await Promise.all([commands.connect(), queues.connect()]);
    await commands.ping();
  } catch (error) {
    commands.disconnect();
    queues.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `Cannot reach Redis at ${redactUrl(url)} (${reason}).\n` +
        'Hint: start Redis (redis-server), fix REDIS_URL, or unset REDIS_URL to run in embedded mode.',
    );
  }
  return { commands, queues };
}

/** Production Redis must not lose or evict timers (DESIGN.md §4): warn when it might. */
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

async function productionParts(url: string, prefix: string, logger: Logger): Promise<Parts> {
  const { commands, queues } = await connectRedis(url, logger);
  await checkDurability(commands, logger);
  const store = new RedisStore(commands, { prefix });
  const scheduler = new BullMQScheduler({ connection: queues, prefix: `${prefix}bull`, logger });
  const outbox = new BullMQOutbox({ connection: queues, prefix: `${prefix}bull`, logger });
  return {
    store,
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
}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const mode: Mode = options.env.redisUrl ? 'production' : 'embedded';
  const parts = options.env.redisUrl
    ? await productionParts(options.env.redisUrl, options.env.redisPrefix, options.logger)
    : embeddedParts(clock);
  const webhooks = new HttpWebhooks(options.config.audiences, readWebhookSecrets(options));
  const playbooks = libraryFor(options.config, options.configFile);
  const executors = actionExecutors(options);
  const muster = new Muster({ config: options.config, chat: options.chat, clock, logger: options.logger, webhooks, playbooks, executors, ...parts });
  const http = await startHooks(options, muster, parts.store, parts.outbox, clock);
  const closeHooks = http?.close;
  return {
    mode,
    muster,
    ...parts,
    ...(http ? { httpPort: http.port } : {}),
    settle: (maxMs = 10_000) => settle(parts.outbox, maxMs),
    close: async () => {
      await closeHooks?.();
      await muster.stop();
      await parts.store.close();
      await parts.close();
    },
  };
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

/** The executors of privileged actions; an http action whose secret is missing is refused when run, with a warning now. */
function actionExecutors(options: { config: MusterConfig; env: MusterEnv; logger: Logger }) {
  const { secrets, missing } = actionSecrets(options.config.actions, options.env.raw ?? {});
  for (const problem of missing) options.logger.warn({ variable: problem.path }, `${problem.message}: set ${problem.path}`);
  return {
    http: new HttpExecutor({ secrets }),
    exec: new ExecExecutor({ allowedPrograms: options.config.actions.allowedPrograms }),
  };
}

/** `muster audit verify|export`: reads the store of this environment (Redis in production). */
export async function runAudit(options: { env: MusterEnv; action: 'verify' | 'export'; incident?: string }): Promise<number> {
  const logger = createLogger(options.env, true);
  const parts = options.env.redisUrl ? await productionParts(options.env.redisUrl, options.env.redisPrefix, logger) : embeddedParts(systemClock);
  try {
    if (options.action === 'export') {
      const count = await exportAudit(parts.store, (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`), options.incident);
      process.stderr.write(`muster: exported ${count} audit entries\n`);
      return 0;
    }
    const report = await verifyAudit(parts.store, options.incident);
    process.stdout.write(`${describeAudit(report)}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await parts.scheduler.close();
    await parts.outbox.close();
    await parts.close();
  }
}

/**
 * `muster export INC-42 [--format md|json]`: the postmortem skeleton of one
 * incident, read from the store of this environment (Redis in production).
 */
export async function runExport(options: { env: MusterEnv; config: MusterConfig; incident: string; format: PostmortemFormat }): Promise<number> {
  const logger = createLogger(options.env, true);
  const parts = options.env.redisUrl ? await productionParts(options.env.redisUrl, options.env.redisPrefix, logger) : embeddedParts(systemClock);
  try {
    const present = new Presenter(options.config);
    const incident = await parts.store.get(options.incident);
    if (!incident) {
      const hint = options.env.redisUrl ? '' : ' (embedded mode keeps no incidents between runs: set REDIS_URL)';
      process.stderr.write(`muster: ${present.t('error.exportNotFound', { id: options.incident })}${hint}\n`);
      return 1;
    }
    process.stdout.write(postmortem(incident, await parts.store.timeline(incident.id), present, options.format));
    return 0;
  } finally {
    await parts.scheduler.close();
    await parts.outbox.close();
    await parts.close();
  }
}

/**
 * The HTTP server: /metrics, /healthz and /readyz whenever MUSTER_HTTP_PORT is
 * set or hooks are configured, plus the monitoring hooks only when a token or
 * secret guards them (never an open endpoint). One fastify instance, one port.
 */
async function startHooks(options: { config: MusterConfig; env: MusterEnv; logger: Logger }, muster: Muster, store: IncidentStore, outbox: Outbox, clock: Clock = systemClock) {
  const { env, config, logger } = options;
  const hooksOn = Boolean(env.hookToken || env.hookSecret);
  if (!hooksOn && !env.dashboardToken && !env.raw?.MUSTER_HTTP_PORT) return undefined;
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
              ingest: (batch: InboundAlert[]) => alerts.ingest(batch),
              logger,
            },
          }
        : {}),
      ...(env.dashboardToken
        ? { dashboard: { token: env.dashboardToken, store, names: muster.present, t: muster.present.t, now: () => clock.now(), logger } }
        : {}),
      logger,
    });
    const routes = [
      'GET /metrics', 'GET /healthz', 'GET /readyz',
      ...(alerts ? ['POST /hooks/alertmanager', 'POST /hooks/generic'] : []),
      ...(env.dashboardToken ? ['GET /dashboard (read-only, token login)'] : []),
    ];
    logger.info({ host: env.httpHost ?? '127.0.0.1', port: server.port, routes }, 'HTTP server listening');
    return {
      port: server.port,
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

async function settle(outbox: Outbox, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    if ((await outbox.depth()) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------- console

export interface ConsoleRun {
  env: MusterEnv;
  config: MusterConfig;
  configFile: string;
  json: boolean;
  script?: string;
}

const EMBEDDED_BANNER = [
  '*** EMBEDDED MODE: no REDIS_URL, so incidents and timers live in this process only. ***',
  '*** Nothing is durable: stopping Muster forgets every incident. Set REDIS_URL for production. ***',
];

/** Runs the console adapter (interactive or scripted); returns the exit status. */
export async function runConsole(run: ConsoleRun): Promise<number> {
  const human = (line: string) => (run.json ? process.stderr : process.stdout).write(`${line}\n`);
  const json = run.json ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
  const logger = createLogger(run.env, true);
  const chat = new ConsoleChat(run.config, human);
  const runtime = await buildRuntime({ config: run.config, configFile: run.configFile, env: run.env, chat, logger });
  if (runtime.mode === 'embedded') EMBEDDED_BANNER.forEach((line) => human(line));
  else human(`Production mode: Redis at ${redactUrl(run.env.redisUrl ?? '')}.`);
  human(`Config: ${run.configFile}`);
  await runtime.muster.start({ watchdog: true });
  const session = new ConsoleSession({ muster: runtime.muster, human, ...(json ? { json } : {}), settle: () => runtime.settle() });
  try {
    if (run.script !== undefined) return (await session.runScript(run.script)) > 0 ? 1 : 0;
    const person = Object.keys(run.config.people)[0] ?? 'alice';
    const service = Object.keys(run.config.services)[0] ?? 'checkout';
    human(`Type as a configured person, e.g.  ${person}: /incident declare Checkout is failing sev=P1 service=${service}`);
    human('Also: sleep 5s, quit.');
    await session.repl(process.stdin, process.stdout);
    return 0;
  } finally {
    await runtime.close();
  }
}

// ---------------------------------------------------------------- slack

function slackSettings(env: MusterEnv): SlackSettings | undefined {
  if (!env.slackBotToken) {
    if (env.slackAppToken || env.slackSigningSecret) {
      throw new StartupError('SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN: set the bot token (xoxb-…) too.');
    }
    return undefined;
  }
  if (!env.slackAppToken && !env.slackSigningSecret) {
    throw new StartupError('SLACK_BOT_TOKEN is set: also set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode).');
  }
  return {
    botToken: env.slackBotToken,
    port: env.port,
    ...(env.slackSigningSecret ? { signingSecret: env.slackSigningSecret } : {}),
    ...(env.slackAppToken ? { appToken: env.slackAppToken } : {}),
    ...(env.slackApiUrl ? { apiUrl: env.slackApiUrl } : {}),
  };
}

export interface RunningBot {
  runtime: Runtime;
  slack: SlackAdapter;
  /** The HTTP port bound in HTTP mode (PORT=0 picks a free one). */
  port?: number;
  stop(): Promise<void>;
}

/** Starts the bot on Slack; resolves once it listens. */
export async function startSlackBot(options: { env: MusterEnv; config: MusterConfig; configFile?: string; logger?: Logger }): Promise<RunningBot> {
  const settings = slackSettings(options.env);
  if (!settings) throw new StartupError('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.');
  const logger = options.logger ?? createLogger(options.env);
  const chat = new SlackChat(slackWebClient(settings, logger), options.config, logger);
  const runtime = await buildRuntime({ config: options.config, env: options.env, chat, logger, ...(options.configFile ? { configFile: options.configFile } : {}) });
  if (runtime.mode === 'embedded') logger.warn({}, 'EMBEDDED MODE: no REDIS_URL, nothing is durable; set REDIS_URL for production');
  const slack = new SlackAdapter(settings, (request) => runtime.muster.dispatch(request), logger);
  await runtime.muster.start();
  let listening: { port?: number };
  try {
    listening = await slack.start();
  } catch (error) {
    await runtime.close();
    throw new StartupError(`Slack would not start: ${error instanceof Error ? error.message : String(error)}. Check SLACK_BOT_TOKEN and the app's settings.`);
  }
  const mode = settings.appToken ? 'Socket Mode' : `HTTP on port ${listening.port ?? settings.port}, endpoint /slack/events`;
  logger.info({ mode, store: runtime.mode }, 'Slack adapter listening');
  return {
    runtime,
    slack,
    ...listening,
    stop: async () => {
      await slack.stop();
      await runtime.close();
    },
  };
}

/** `muster start`: Slack or Discord when their tokens are set, else the interactive console. */
export async function startBot(options: { env: MusterEnv; config: MusterConfig; configFile: string }): Promise<number> {
  const discord = discordSettings(options.env);
  const slack = slackSettings(options.env);
  if (discord && slack) {
    throw new StartupError('Both SLACK_BOT_TOKEN and DISCORD_TOKEN are set: run one chat platform per process for now (unset one of them).');
  }
  if (!slack && !discord) return runConsole({ ...options, json: false });
  const bot = discord ? await startDiscordBot(options) : await startSlackBot(options);
  const outcome = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    if ('stopped' in bot) void bot.stopped.then(resolve);
  });
  await bot.stop();
  return outcome === 'signal' ? 0 : 1;
}

// ---------------------------------------------------------------- discord

export function discordSettings(env: MusterEnv): DiscordSettings | undefined {
  if (!env.discordToken) return undefined;
  const missing = [env.discordApplicationId ? undefined : 'DISCORD_APPLICATION_ID', env.discordGuildId ? undefined : 'DISCORD_GUILD_ID'].filter(Boolean);
  if (missing.length > 0 || !env.discordApplicationId || !env.discordGuildId) {
    throw new StartupError(`DISCORD_TOKEN is set: also set ${missing.join(' and ')} (the application id is on the developer portal's General Information page; the server id under Server → Copy Server ID, with developer mode on).`);
  }
  return {
    token: env.discordToken,
    applicationId: env.discordApplicationId,
    guildId: env.discordGuildId,
    ...(env.discordApiUrl ? { apiUrl: env.discordApiUrl } : {}),
  };
}

/** `muster discord register`: puts the slash commands on the guild. */
export async function registerDiscordCommands(env: MusterEnv, config: MusterConfig): Promise<{ names: string[]; guildId: string }> {
  const settings = discordSettings(env);
  if (!settings) throw new StartupError('set DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_GUILD_ID to register the slash commands.');
  try {
    return { names: await registerCommands(settings, config), guildId: settings.guildId };
  } catch (error) {
    throw new StartupError(
      `Discord refused the commands: ${error instanceof Error ? error.message : String(error)}. ` +
        'Check DISCORD_TOKEN and DISCORD_APPLICATION_ID, and that the bot was invited to the server with the applications.commands scope.',
    );
  }
}

export interface RunningDiscordBot {
  runtime: Runtime;
  discord: DiscordAdapter;
  /** Production mode: the gateway lease this replica competes for. */
  lease?: GatewayLease;
  /** Resolves when the bot stopped by itself (the token was revoked). */
  stopped: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the bot on Discord. Embedded mode connects the gateway at once;
 * production mode competes for the gateway lease, so one replica of several
 * holds the connection while all of them deliver outbound messages over REST.
 */
export async function startDiscordBot(options: { env: MusterEnv; config: MusterConfig; configFile?: string; logger?: Logger; lease?: { ttlMs?: number; renewMs?: number; retryMs?: number } }): Promise<RunningDiscordBot> {
  const settings = discordSettings(options.env);
  if (!settings) throw new StartupError('Discord is not configured: set DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_GUILD_ID.');
  const logger = options.logger ?? createLogger(options.env);
  const { rest, botUserId } = await discordRest(settings).catch((error: unknown) => {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  });
  let signalStopped: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (signalStopped = resolve));
  let revoked = false;
  let lease: GatewayLease | undefined;
  const onUnauthorized = (reason: unknown): void => {
    if (revoked) return;
    revoked = true;
    logger.error(
      { reason: reason instanceof Error ? reason.message : String(reason) },
      'Discord rejected the bot token (401/4004): it was revoked or reset. Replace DISCORD_TOKEN and restart Muster; it stops calling Discord until then.',
    );
    rest.setToken('');
    void (lease ? lease.stop() : discord.stop()).then(() => signalStopped('unauthorized'));
  };
  const chat = new DiscordChat({ rest }, options.config, { guildId: settings.guildId, botUserId, onUnauthorized }, logger);
  const runtime = await buildRuntime({ config: options.config, env: options.env, chat, logger, ...(options.configFile ? { configFile: options.configFile } : {}) });
  if (runtime.mode === 'embedded') logger.warn({}, 'EMBEDDED MODE: no REDIS_URL, nothing is durable; set REDIS_URL for production');
  const discord = new DiscordAdapter(settings, (request) => runtime.muster.dispatch(request), options.config, logger, onUnauthorized);
  await runtime.muster.start();
  if (runtime.mode === 'production') {
    lease = new GatewayLease({
      store: runtime.store,
      owner: `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
      logger,
      onAcquired: () => discord.start(),
      onLost: () => discord.stop(),
      ...options.lease,
    });
    lease.start();
  } else {
    try {
      await discord.start();
    } catch (error) {
      await runtime.close();
      throw new StartupError(`Discord would not connect: ${error instanceof Error ? error.message : String(error)}. Check DISCORD_TOKEN and the bot's settings.`);
    }
  }
  logger.info({ store: runtime.mode, gateway: lease ? 'by lease' : 'connected' }, 'Discord adapter started');
  return {
    runtime,
    discord,
    ...(lease ? { lease } : {}),
    stopped,
    stop: async () => {
      await (lease ? lease.stop() : discord.stop());
      await discord.stop();
      await runtime.close();
      signalStopped('stopped');
    },
  };
}
