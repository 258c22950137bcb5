/**
 * One ChatPort.invite contract, run against every chat adapter through its
 * platform's real protocol (the fakes in test/support): a room opened with
 * some members; inviting someone paged later lets them see it; a person the
 * platform does not know is named in the problems, never thrown; inviting
 * someone already in is no problem.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { DiscordChat } from '../../adapters/discord/chat.js';
import { discordRest } from '../../adapters/discord/rest.js';
import { SlackChat } from '../../adapters/slack/chat.js';
import { ConsoleChat } from '../../adapters/console/chat.js';
import { silentLogger } from '../../src/logger.js';
import type { ChatPort } from '../../src/ports.js';
import { DISCORD_ID, discordConfig } from '../support/discord/bot.js';

const PEOPLE = Object.keys(DISCORD_ID);
import { FakeDiscord } from '../support/discord/fake-discord.js';
import { slackConfig } from '../support/slack/bot.js';
import { FAKE_SLACK, FakeSlack } from '../support/slack/fake-slack.js';

interface Opened {
  chat: ChatPort;
  /** Whether `person` (a muster.yaml id) can see the room now, as the platform says. */
  canSee(room: string, person: string): boolean;
  /** A person in muster.yaml the platform has never heard of. */
  stranger: string;
  close(): Promise<void>;
}

const implementations: Array<{ name: string; open(): Promise<Opened> }> = [
  {
    name: 'SlackChat',
    open: async () => {
      const fake = await FakeSlack.start({ missingUsers: ['UGHOST'] });
      const config = slackConfig((raw) => {
        (raw.people as Record<string, unknown>).ghost = { name: 'Ghost', slack: 'UGHOST' };
      });
      const chat = new SlackChat(new WebClient(FAKE_SLACK.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }), config, silentLogger);
      return {
        chat,
        canSee: (room, person) => fake.channel(room.replace(/^slack:/, ''))?.members.has(config.people[person]!.slack!) ?? false,
        stranger: 'ghost',
        close: () => fake.close(),
      };
    },
  },
  {
    name: 'DiscordChat',
    open: async () => {
      const fake = await FakeDiscord.start({ users: PEOPLE.map((id) => ({ id: DISCORD_ID[id]!, username: id, globalName: id })) });
      const config = discordConfig((raw) => {
        (raw.people as Record<string, unknown>).ghost = { name: 'Ghost', discord: '1499999999999999999' };
      });
      const { rest, botUserId } = await discordRest({ token: fake.botToken, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl });
      const chat = new DiscordChat({ rest }, config, { guildId: fake.guildId, botUserId }, silentLogger);
      return {
        chat,
        canSee: (room, person) =>
          fake.channel(room.replace(/^discord:/, ''))?.permission_overwrites.some((overwrite) => overwrite.type === 1 && overwrite.id === config.people[person]!.discord) ?? false,
        stranger: 'ghost',
        close: () => fake.close(),
      };
    },
  },
  {
    name: 'ConsoleChat',
    open: async () => {
      const lines: string[] = [];
      const config = slackConfig();
      const chat = new ConsoleChat(config, (line) => lines.push(line));
      // The console has one room per name and everyone in it; "seeing" it is being named in a joined line.
      return {
        chat,
        canSee: (_room, person) => lines.some((line) => line.includes(config.people[person]!.name)),
        stranger: 'ghost-not-in-config',
        close: async () => {},
      };
    },
  },
];

describe.each(implementations.filter((impl) => impl.name !== 'ConsoleChat'))('ChatPort.openRoom after a crashed attempt: $name', (impl) => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('adopts the room of that name the bot made instead of opening a second one, and lets everyone in', async () => {
    opened = await impl.open();
    const request = { incident: 'INC-8', name: 'inc-8-crashed', topic: 'INC-8 [P1] crashed', members: ['alice', 'cara'], origin: 'slack:COPS' };
    const first = await opened.chat.openRoom(request);
    const again = await opened.chat.openRoom({ ...request, members: ['alice', 'cara', 'cat'], maybeExists: true });
    expect(again.conversation).toBe(first.conversation);
    expect(again.name).toBe(first.name);
    expect(opened.canSee(again.conversation, 'cat')).toBe(true);
    // Without the hint a second open is a new room: the hint is what makes the retry idempotent.
    const fresh = await opened.chat.openRoom(request);
    expect(fresh.conversation).not.toBe(first.conversation);
  });
});

describe.each(implementations)('ChatPort.invite contract: $name', (impl) => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('lets in someone paged after the room opened, names a stranger in the problems, and is quiet about someone already in', async () => {
    opened = await impl.open();
    const room = await opened.chat.openRoom({ incident: 'INC-7', name: 'inc-7-contract', topic: 'INC-7 [P1] contract', members: ['alice', 'cara'], origin: 'slack:COPS' });
    expect(opened.canSee(room.conversation, 'cat')).toBe(false);
    expect(await opened.chat.invite(room.conversation, ['cat'])).toEqual([]);
    expect(opened.canSee(room.conversation, 'cat')).toBe(true);
    expect(await opened.chat.invite(room.conversation, ['cara'])).toEqual([]);
    if (impl.name !== 'ConsoleChat') {
      const problems = await opened.chat.invite(room.conversation, [opened.stranger]);
      expect(problems.join(' ')).toMatch(/ghost/i);
    }
  });
});
