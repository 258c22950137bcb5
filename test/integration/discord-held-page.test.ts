/**
 * DiscordChat through the fake Discord's REST API, with a gate of one request
 * a second: a page that had to wait for its place asks whether it is still
 * wanted before it goes, and is never posted when it is not; one that did not
 * wait is not asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordChat } from '../../adapters/discord/chat.js';
import { DiscordRequestGate } from '../../adapters/discord/request-gate.js';
import { discordRest } from '../../adapters/discord/rest.js';
import { silentLogger } from '../../src/logger.js';
import { NoLongerWantedError, type Message } from '../../src/ports.js';
import { DISCORD_ID, discordConfig } from '../support/discord/bot.js';
import { FakeDiscord } from '../support/discord/fake-discord.js';

const PAGE: Message = { text: 'INC-1 paged you as tech' };
let fake: FakeDiscord | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function slowChat(perSecond = 1): Promise<{ chat: DiscordChat; fake: FakeDiscord }> {
  fake = await FakeDiscord.start({ users: Object.keys(DISCORD_ID).map((id) => ({ id: DISCORD_ID[id]!, username: id, globalName: id })) });
  const { rest, botUserId } = await discordRest({ token: fake.botToken, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl });
  const chat = new DiscordChat({ rest }, discordConfig(), { guildId: fake.guildId, botUserId }, silentLogger, new DiscordRequestGate(perSecond));
  return { chat, fake };
}

/** A stillWanted that always gives `answer`, counting how often it was asked. */
function answering(answer: boolean): { stillWanted: () => Promise<boolean>; asked: () => number } {
  let asked = 0;
  return {
    stillWanted: async () => {
      asked += 1;
      return answer;
    },
    asked: () => asked,
  };
}

const toPete = { kind: 'person', person: 'pete' } as const;

describe('DiscordChat: a page held back by the global limit', () => {
  it('asks again once it has its place, and posts nothing when the page is no longer wanted', async () => {
    const { chat, fake } = await slowChat();
    const unwanted = answering(false);
    // Pete's DM channel takes this second's place; his page waits for the next.
    await expect(chat.send(toPete, PAGE, { id: 'page-1', stillWanted: unwanted.stillWanted })).rejects.toBeInstanceOf(NoLongerWantedError);
    expect(unwanted.asked()).toBe(1);
    expect(fake.dmsTo(DISCORD_ID.pete!)).toEqual([]);
  });

  it('sends a page that is still wanted after its wait', async () => {
    const { chat, fake } = await slowChat();
    const wanted = answering(true);
    await chat.send(toPete, PAGE, { id: 'page-1', stillWanted: wanted.stillWanted });
    expect(wanted.asked()).toBe(1); // it waited a second behind the DM channel's opening
    expect(fake.dmsTo(DISCORD_ID.pete!)).toHaveLength(1);
  });

  it('does not ask a page that had its place at once', async () => {
    const { chat, fake } = await slowChat(10);
    const unwanted = answering(false);
    await chat.send(toPete, PAGE, { id: 'page-1', stillWanted: unwanted.stillWanted });
    expect(unwanted.asked()).toBe(0);
    expect(fake.dmsTo(DISCORD_ID.pete!)).toHaveLength(1);
  });
});
