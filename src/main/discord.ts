/** Running the bot on Discord. */
import { DiscordAdapter, type DiscordSettings } from '../../adapters/discord/app.js';
import { DiscordChat } from '../../adapters/discord/chat.js';
import { GatewayLease } from '../../adapters/discord/lease.js';
import { discordRest } from '../../adapters/discord/rest.js';
import { registerCommands } from '../../adapters/discord/commands.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import type { Logger } from '../logger.js';
import { discordSettings } from './platforms.js';
import { buildRuntime, createLogger, StartupError, type Runtime } from './runtime.js';

// ---------------------------------------------------------------- discord

export { discordSettings };

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
