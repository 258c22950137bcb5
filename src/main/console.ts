/** The console adapter as a way to run the bot (interactive or scripted). */
import { ConsoleChat } from '../../adapters/console/chat.js';
import { ConsoleSession } from '../../adapters/console/session.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { redisTarget } from '../config/redis-target.js';
import { describeRedisTarget } from './redis-clients.js';
import { buildRuntime, createLogger } from './runtime.js';

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
  else human(`Production mode: Redis at ${describeRedisTarget(redisTarget(run.env)!)}.`);
  human(`Config: ${run.configFile}`);
  if (runtime.dashboardUrl) human(runtime.muster.present.t('dashboard.startup.address', { url: runtime.dashboardUrl }));
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
