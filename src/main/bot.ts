/** `muster start`: picks the chat platform from the environment. */
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { exitOnUnhandledRejection } from './crash.js';
import { createLogger, StartupError } from './runtime.js';
import { discordSettings, slackSettings } from './platforms.js';

/**
 * `muster start`: Slack or Discord when their tokens are set, else the
 * interactive console. Only the chosen platform's modules are loaded.
 */
export async function startBot(options: { env: MusterEnv; config: MusterConfig; configFile: string }): Promise<number> {
  const discord = discordSettings(options.env);
  const slack = slackSettings(options.env);
  if (discord && slack) {
    throw new StartupError('Both SLACK_BOT_TOKEN and DISCORD_TOKEN are set: run one chat platform per process for now (unset one of them).');
  }
  if (!slack && !discord) return (await import('./console.js')).runConsole({ ...options, json: false });
  exitOnUnhandledRejection(createLogger(options.env));
  const bot = discord ? await (await import('./discord.js')).startDiscordBot(options) : await (await import('./slack.js')).startSlackBot(options);
  const outcome = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    if ('stopped' in bot) void bot.stopped.then(resolve);
  });
  await bot.stop();
  return outcome === 'signal' ? 0 : 1;
}
