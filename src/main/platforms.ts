/**
 * Which chat platform the environment configures, read without loading any
 * platform SDK: `muster start` then imports only the one it runs (Bolt or
 * discord.js), which keeps the other out of the process's start-up and memory.
 */
import type { SlackSettings } from '../../adapters/slack/app.js';
import type { DiscordSettings } from '../../adapters/discord/app.js';
import type { MusterEnv } from '../config/env.js';
import { StartupError } from './runtime.js';

export function slackSettings(env: MusterEnv): SlackSettings | undefined {
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
