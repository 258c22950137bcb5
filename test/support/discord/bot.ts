/**
 * The real Muster bot (startDiscordBot, embedded mode) against a FakeDiscord, for the e2e suite in
 * test/e2e/discord. Everything goes through Discord's real protocol: the gateway delivers
 * INTERACTION_CREATE to discord.js, and what the bot does is read back from the fake's recorded
 * REST calls and its channels and messages.
 */
import { afterEach } from 'vitest';
import { registerCommands } from '../../../adapters/discord/commands.js';
import type { MusterConfig } from '../../../src/config/schema.js';
import type { MusterEnv } from '../../../src/config/env.js';
import { startDiscordBot, type RunningDiscordBot } from '../../../src/main.js';
import { testConfig } from '../fixture.js';
import { recordingLogger, type LogLine } from '../slack/bot.js';
import type { Logger } from '../../../src/logger.js';
import { FAKE_DISCORD, FakeDiscord, type FakeDiscordOptions, type FakeInteraction, type FakeMessage, type SlashCommandInput } from './fake-discord.js';

export { recordingLogger, type LogLine };

const PEOPLE = ['alice', 'cara', 'cole', 'pete', 'pam', 'sam', 'sid', 'pia', 'pat', 'cody', 'cat', 'mona', 'dora'];

/** Everyone in the test config gets a Discord user id (a valid snowflake): alice → 1400000000000000101. */
export const DISCORD_ID: Record<string, string> = Object.fromEntries(PEOPLE.map((id, index) => [id, `14000000000000001${String(index).padStart(2, '0')}`]));

/** The primaries a P1 on checkout pages, by role. */
export const P1_PAGES: Record<string, string> = { commander: 'cara', tech: 'pete', ops: 'sam', product: 'pia', comms: 'cody' };

export const BROADCAST_CHANNEL = FAKE_DISCORD.channels.incidents;
export const OPS_CHANNEL = FAKE_DISCORD.channels.general;
export const CATEGORY = FAKE_DISCORD.channels.warRooms;

export interface StartOptions {
  fake?: FakeDiscordOptions;
  /** Edits the raw test config after every person got a Discord id and the discord section was set. */
  configure?: (raw: Record<string, unknown>) => void;
  /** Registers the slash commands before the bot starts (default true), as `muster discord register` does. */
  register?: boolean;
  /** People left without a Discord id. */
  withoutDiscord?: string[];
  /** More environment (REDIS_URL for production mode). */
  env?: Partial<MusterEnv>;
  /** Runs against the fake before the bot starts (closed DMs, queued faults …). */
  before?: (fake: FakeDiscord) => void;
}

export function discordConfig(configure: (raw: Record<string, unknown>) => void = () => {}, withoutDiscord: string[] = []): MusterConfig {
  return testConfig((raw) => {
    const people = raw.people as Record<string, { discord?: string }>;
    for (const [id, person] of Object.entries(people)) if (!withoutDiscord.includes(id)) person.discord = DISCORD_ID[id];
    // The core announces only when channels.broadcast is set; Discord reads its own setting first.
    raw.channels = { broadcast: BROADCAST_CHANNEL };
    raw.discord = { category: CATEGORY, broadcast: BROADCAST_CHANNEL };
    configure(raw);
  });
}

export function discordEnv(fake: FakeDiscord, extra: Partial<MusterEnv> = {}): MusterEnv {
  return {
    logLevel: 'warn',
    logLevelSet: true,
    redisPrefix: 'muster:',
    port: 0,
    discordToken: fake.botToken,
    discordApplicationId: fake.applicationId,
    discordGuildId: fake.guildId,
    discordApiUrl: fake.apiUrl,
    ...extra,
  };
}

export class DiscordBotUnderTest {
  constructor(
    readonly fake: FakeDiscord,
    readonly bot: RunningDiscordBot,
    readonly config: MusterConfig,
    readonly logger: Logger & { lines: LogLine[] },
  ) {}

  /** Sends a slash command as `person` (default alice) in `channelId` (default #general). */
  async slash(input: Omit<SlashCommandInput, 'user'> & { person?: string }): Promise<FakeInteraction> {
    const { person = 'alice', ...rest } = input;
    return this.fake.sendInteraction(this.fake.slashCommand({ channelId: OPS_CHANNEL, ...rest, user: DISCORD_ID[person]! }));
  }

  /** Clicks a button by custom id as `person`, on a given message or the newest carrying it. */
  async click(customId: string, person: string, messageId?: string): Promise<FakeInteraction> {
    return this.fake.sendInteraction(this.fake.buttonClick({ customId, user: DISCORD_ID[person]!, ...(messageId ? { messageId } : {}) }));
  }

  /** The interaction's @original response once it was edited with content (the deferred reply answered). */
  async answered(interaction: FakeInteraction, timeoutMs = 10_000): Promise<FakeMessage> {
    return this.fake.waitFor(
      () => {
        const inter = this.fake.interaction(interaction.id);
        const id = inter?.originalMessageId;
        const message = id ? this.fake.message(id) : undefined;
        return message && message.history.length > 1 ? message : undefined;
      },
      timeoutMs,
      `the answer to interaction ${interaction.id}`,
    );
  }

  /** Pages (DMs with a button) a person got. */
  pagesTo(person: string): FakeMessage[] {
    return this.fake.dmsTo(DISCORD_ID[person]!).filter((message) => buttonsOf(message).length > 0);
  }

  async waitForPages(people: string[], timeoutMs = 15_000): Promise<Record<string, FakeMessage>> {
    return this.fake.waitFor(
      () => {
        const pages: Record<string, FakeMessage> = {};
        for (const person of people) {
          const page = this.pagesTo(person)[0];
          if (!page) return undefined;
          pages[person] = page;
        }
        return pages;
      },
      timeoutMs,
      `a page by DM to each of ${people.join(', ')}`,
    );
  }

  /** The pinned board of a channel. */
  board(channelId: string): FakeMessage | undefined {
    const pinned = this.fake.channel(channelId)?.pins[0];
    return pinned ? this.fake.message(pinned) : undefined;
  }

  errors(): LogLine[] {
    return this.logger.lines.filter((line) => line.level === 'error');
  }
}

export interface ButtonJson {
  type: number;
  custom_id: string;
  label: string;
  style: number;
}

export function buttonsOf(message: FakeMessage): ButtonJson[] {
  return (message.components as Array<{ components?: ButtonJson[] }>).flatMap((row) => row.components ?? []).filter((c) => c.type === 2);
}

/** Every string the message carries (content, embeds), for escaping checks. */
export function textOf(message: FakeMessage): string {
  return JSON.stringify({ content: message.content, embeds: message.embeds });
}

/**
 * Registers an afterEach that stops every bot (first) and closes every fake started through the
 * returned `start`, so no test leaks a gateway connection.
 */
export function discordBots(): (options?: StartOptions) => Promise<DiscordBotUnderTest> {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return async (options: StartOptions = {}) => {
    const fake = await FakeDiscord.start({
      users: PEOPLE.map((id) => ({ id: DISCORD_ID[id]!, username: id, globalName: id })),
      ...options.fake,
    });
    cleanups.push(() => fake.close());
    const config = discordConfig(options.configure, options.withoutDiscord);
    options.before?.(fake);
    const env = discordEnv(fake, options.env);
    if (options.register !== false) {
      await registerCommands({ token: fake.botToken, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl }, config);
    }
    const logger = recordingLogger();
    const bot = await startDiscordBot({ env, config, logger });
    cleanups.push(() => bot.stop());
    await fake.waitForGatewayReady();
    return new DiscordBotUnderTest(fake, bot, config, logger);
  };
}
