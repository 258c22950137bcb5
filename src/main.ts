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
import { Muster } from './app.js';
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
  const muster = new Muster({ config: options.config, chat: options.chat, clock, logger: options.logger, ...parts });
  return {
    mode,
    muster,
    ...parts,
    settle: (maxMs = 10_000) => settle(parts.outbox, maxMs),
    close: async () => {
      await muster.stop();
      await parts.store.close();
      await parts.close();
    },
  };
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
  const runtime = await buildRuntime({ config: run.config, env: run.env, chat, logger });
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
export async function startSlackBot(options: { env: MusterEnv; config: MusterConfig; logger?: Logger }): Promise<RunningBot> {
  const settings = slackSettings(options.env);
  if (!settings) throw new StartupError('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.');
  const logger = options.logger ?? createLogger(options.env);
  const chat = new SlackChat(slackWebClient(settings, logger), options.config, logger);
  const runtime = await buildRuntime({ config: options.config, env: options.env, chat, logger });
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

/** `muster start`: Slack when its tokens are set, else the interactive console. */
export async function startBot(options: { env: MusterEnv; config: MusterConfig; configFile: string }): Promise<number> {
  if (options.env.discordToken) {
    throw new StartupError('DISCORD_TOKEN is set, but this build has no Discord adapter yet: unset it, or use Slack or the console.');
  }
  if (!slackSettings(options.env)) return runConsole({ ...options, json: false });
  const bot = await startSlackBot(options);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bot.stop();
  return 0;
}
