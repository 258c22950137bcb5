/**
 * The Slack bot as its own process from the sources (`src/cli.ts start`), in
 * production mode against the real Redis and a fake Slack in the test's
 * process, for tests that kill it with SIGKILL and start it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './cli.js';
import { TEST_AUDIT_SECRET } from '../support/audit-key.js';
import { REDIS_URL } from '../support/redis.js';
import { FAKE_SLACK } from '../support/slack/fake-slack.js';

export interface SlackProcess {
  configFile: string;
  prefix: string;
  /** Where Bolt listens (PORT). */
  port: number;
  /** The fake Slack's Web API (SLACK_API_URL). */
  apiUrl: string;
  signingSecret: string;
  /** More environment (paging secrets, MUSTER_HTTP_PORT …). */
  env?: Record<string, string>;
}

/** Starts the bot and resolves once it logs that Slack requests are served. */
export async function startSlackProcess(options: SlackProcess): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(SLACK_|DISCORD_|MUSTER_|TWILIO_)/.test(name) || name === 'NODE_OPTIONS') delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'start', '--config', options.configFile], {
    cwd: ROOT,
    env: {
      ...env, REDIS_URL, MUSTER_REDIS_PREFIX: options.prefix, MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET, MUSTER_LOG_LEVEL: 'info', MUSTER_HTTP_PORT: '0',
      PORT: String(options.port), SLACK_BOT_TOKEN: FAKE_SLACK.botToken, SLACK_SIGNING_SECRET: options.signingSecret, SLACK_API_URL: options.apiUrl,
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 10) tail.shift();
      if (line.includes('"Slack adapter listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the bot exited (${code}) before it was ready:\n${tail.join('\n')}`)));
  });
  return child;
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
