/** `muster start`: picks the chat platform from the environment. */
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { exitOnUnhandledRejection } from './crash.js';
import { createLogger, StartupError } from './runtime.js';
import { runConsole } from './console.js';
import { slackSettings, startSlackBot } from './slack.js';
import { discordSettings, startDiscordBot } from './discord.js';

/** `muster start`: Slack or Discord when their tokens are set, else the interactive console. */
export async function startBot(options: { env: MusterEnv; config: MusterConfig; configFile: string }): Promise<number> {
  const discord = discordSettings(options.env);
  const slack = slackSettings(options.env);
  if (discord && slack) {
    throw new StartupError('Both SLACK_BOT_TOKEN and DISCORD_TOKEN are set: run one chat platform per process for now (unset one of them).');
  }
  if (!slack && !discord) return runConsole({ ...options, json: false });
  exitOnUnhandledRejection(createLogger(options.env));
  const bot = discord ? await startDiscordBot(options) : await startSlackBot(options);
  const outcome = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    if ('stopped' in bot) void bot.stopped.then(resolve);
  });
  await bot.stop();
  return outcome === 'signal' ? 0 : 1;
}
