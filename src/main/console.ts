/** The console adapter as a way to run the bot (interactive or scripted). */
import { ConsoleChat } from '../../adapters/console/chat.js';
import { CONSOLE_CHANNEL, ConsoleSession } from '../../adapters/console/session.js';
import { ConsoleOutput } from '../../adapters/console/terminal.js';
import { ConsoleWebhooks, webhookAudienceIds } from '../../adapters/console/webhooks.js';
import type { MusterConfig } from '../config/schema.js';
import { type MusterEnv } from '../config/env.js';
import { redisTarget } from '../config/redis-target.js';
import { describeRedisTarget } from './redis-clients.js';
import { translator, type Translate } from '../i18n/catalog.js';
import { consoleLogFile, createConsoleLogger } from './console-log.js';
import { buildRuntime, type Runtime } from './runtime.js';

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
  const output = new ConsoleOutput(run.json ? process.stderr : process.stdout);
  const human = output.line;
  const json = run.json ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
  const t = translator(run.config.locale);
  const logFile = consoleLogFile(run.env);
  human(`Config: ${run.configFile}`);
  human(t('console.logFile', { file: logFile }));
  const logger = createConsoleLogger(run.env, logFile, human);
  const chat = new ConsoleChat(run.config, human);
  const runtime = await buildRuntime({ config: run.config, configFile: run.configFile, env: run.env, chat, logger, webhooks: new ConsoleWebhooks(logger) });
  if (runtime.mode === 'embedded') EMBEDDED_BANNER.forEach((line) => human(line));
  else human(`Production mode: Redis at ${describeRedisTarget(redisTarget(run.env)!)}.`);
  human(`Config: ${run.configFile}`);
  if (runtime.dashboardUrl) human(runtime.muster.present.t('dashboard.startup.address', { url: runtime.dashboardUrl }));
  await runtime.muster.start({ watchdog: true });
  startLines(run, runtime, t).forEach((line) => human(line));
  const session = new ConsoleSession({ muster: runtime.muster, human, ...(json ? { json } : {}), settle: () => runtime.settle() });
  try {
    if (run.script !== undefined) return (await session.runScript(run.script)) > 0 ? 1 : 0;
    const person = Object.keys(run.config.people)[0] ?? 'PERSON';
    const service = Object.keys(run.config.services)[0] ?? 'checkout';
    human(t('console.ready', { person, service }));
    await session.repl(process.stdin, output);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** What a newcomer needs to read the output: the HTTP address, the webhook audiences that stay quiet, the tags. */
function startLines(run: ConsoleRun, runtime: Runtime, t: Translate): string[] {
  const lines: string[] = [];
  if (runtime.httpPort !== undefined) {
    const paths = (runtime.httpRoutes ?? []).map((route) => route.replace(/^\w+ /, '')).join(', ');
    lines.push(t('console.http', { url: `http://${run.env.httpHost ?? '127.0.0.1'}:${runtime.httpPort}`, paths }));
  }
  const webhooks = webhookAudienceIds(run.config.audiences);
  if (webhooks.length > 0) lines.push(t('console.webhooksOff', { audiences: webhooks.join(', ') }));
  lines.push(t('console.tags', { channel: CONSOLE_CHANNEL.replace(/^console:/, '') }));
  return lines;
}
