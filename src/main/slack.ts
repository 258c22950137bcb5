/** Running the bot on Slack. */
import { SlackAdapter, slackWebClient } from '../../adapters/slack/app.js';
import { SlackChat } from '../../adapters/slack/chat.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import type { Logger } from '../logger.js';
import { slackSettings } from './platforms.js';
import { buildRuntime, createLogger, StartupError, type Runtime } from './runtime.js';

// ---------------------------------------------------------------- slack

export { slackSettings };

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
