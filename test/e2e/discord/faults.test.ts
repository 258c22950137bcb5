import { describe, expect, it } from 'vitest';
import { FAKE_DISCORD } from '../../support/discord/fake-discord.js';
import { BROADCAST_CHANNEL, DISCORD_ID, P1_PAGES, discordBots, textOf } from '../../support/discord/bot.js';

const RESPONDERS = Object.values(P1_PAGES);
const DECLARE = { name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } };

const start = discordBots();

describe('Discord: escaping, rate limits, expired and revoked tokens', () => {
  it('user text never pings or formats: allowed_mentions parse is [] and mentions are broken up', async () => {
    const s = await start();
    const title = `@everyone <@${DISCORD_ID.pete}> <@&${FAKE_DISCORD.roles.responders}> **x**`;
    const declare = await s.slash({ ...DECLARE, options: { ...DECLARE.options, title } });
    await s.waitForPages(RESPONDERS);
    await s.answered(declare);
    await s.fake.waitFor(() => s.fake.messagesIn(BROADCAST_CHANNEL)[0], 10_000, 'the broadcast');
    await s.bot.runtime.settle();

    const posted = s.fake.callsTo('POST', '/channels/:channelId/messages').filter((call) => call.status === 200);
    expect(posted.length).toBeGreaterThanOrEqual(RESPONDERS.length + 2);
    for (const call of posted) expect((call.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    const sent = [...s.fake.messages.values()].filter((message) => message.author.id === FAKE_DISCORD.botUserId && message.source !== 'system');
    for (const message of sent) {
      expect(message.pings, textOf(message)).toEqual({ everyone: false, users: [], roles: [] });
      expect(textOf(message)).not.toMatch(/(^|[^\\])\*\*x/);
      expect(textOf(message)).not.toMatch(/<@&?\d+>/);
      expect(textOf(message)).not.toMatch(/@everyone/);
    }
    const broadcast = s.fake.messagesIn(BROADCAST_CHANNEL)[0]!;
    expect(textOf(broadcast)).toContain('\\\\*\\\\*x\\\\*\\\\*');
  });

  it('recovers from 429s on POST /channels/:id/messages: every page arrives exactly once', async () => {
    const s = await start();
    s.fake.rateLimitNext('POST /channels/:channelId/messages', 0.3, 3);
    await s.slash(DECLARE);
    await s.waitForPages(RESPONDERS);
    await s.bot.runtime.settle();
    const statuses = s.fake.callsTo('POST', '/channels/:channelId/messages').map((call) => call.status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);
    for (const person of RESPONDERS) expect(s.pagesTo(person), person).toHaveLength(1);
    expect(s.fake.messagesIn(BROADCAST_CHANNEL)).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });

  it('a 5xx on pinning the board is tried again: the board ends up pinned, no warning', async () => {
    const s = await start();
    s.fake.failNext((call) => call.method === 'PUT' && call.route === '/channels/:channelId/messages/pins/:messageId', 503, { message: 'Service Unavailable', code: 0 });
    await s.slash(DECLARE);
    await s.waitForPages(RESPONDERS);
    const room = await s.fake.waitFor(() => s.fake.createdChannels().find((channel) => channel.name?.startsWith('inc-1-')), 10_000, 'the war room');
    await s.fake.waitFor(() => s.board(room.id), 10_000, 'the board pinned');
    await s.bot.runtime.settle();
    const pins = s.fake.calls.filter((call) => call.route === '/channels/:channelId/messages/pins/:messageId');
    expect(pins.map((call) => call.status)).toEqual([503, 204]);
    expect(s.logger.lines.filter((line) => /could not pin/.test(line.message))).toEqual([]);
  });

  it('after the interaction token expired, board edits and pages still go out as bot messages', async () => {
    const s = await start();
    const declare = await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    await s.answered(declare);
    s.fake.expireInteraction(declare.id);
    const webhookCallsBefore = s.fake.calls.filter((call) => call.path.includes(declare.token)).length;

    // Someone acks with the slash command; the board (in the war room) is edited by the bot itself.
    const room = s.fake.createdChannels().find((channel) => channel.name?.startsWith('inc-1-'))!;
    // The board follows the pages: wait for it to be drawn.
    await s.fake.waitFor(() => s.board(room.id), 10_000, 'the board drawn');
    const board = s.board(room.id)!;
    const ack = await s.slash({ name: 'incident', subcommand: 'ack', options: { incident: 'INC-1', role: 'ops' }, person: 'sam', channelId: room.id });
    await s.answered(ack);
    await s.fake.waitFor(() => JSON.stringify(s.fake.message(board.id)!.embeds).includes('Sam'), 10_000, 'the board edited after the token expired');
    const edits = s.fake.callsTo('PATCH', `/channels/${room.id}/messages/${board.id}`);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((call) => call.auth === 'bot' && call.status === 200)).toBe(true);
    // Nothing tried the dead token again.
    expect(s.fake.calls.filter((call) => call.path.includes(declare.token)).length).toBe(webhookCallsBefore);
    expect(s.fake.invalidRequests).toEqual([]);
    expect(pages.sam).toBeDefined();
    expect(s.errors()).toEqual([]);
  });

  it('a revoked token is logged once as an error and stops the bot without hammering Discord', async () => {
    const s = await start();
    s.fake.revokeToken({ disconnect: false });
    // A declare now meets 401s on the bot's REST calls (the interaction callback itself still works).
    const declare = await s.slash(DECLARE);
    await expect(s.bot.stopped).resolves.toBe('unauthorized');
    await s.fake.waitFor(() => s.fake.interaction(declare.id)?.callbacks.length, 5_000, 'the deferral');
    const revoked = s.errors().filter((line) => /DISCORD_TOKEN/.test(line.message));
    expect(revoked).toHaveLength(1);
    expect(s.errors()).toHaveLength(1);
    // The declare's first calls (room, DMs, broadcast) go out together, so one wave of them can meet 401s;
    // after that, the dropped token keeps anything still queued from reaching Discord.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.fake.invalidRequests.length).toBeLessThanOrEqual(10);
    expect(s.bot.discord.connected).toBe(false);
  });

  it('a gateway closed with 4004 (token reset) stops the bot too', async () => {
    const s = await start();
    s.fake.revokeToken();
    await expect(s.bot.stopped).resolves.toBe('unauthorized');
    expect(s.errors().filter((line) => /DISCORD_TOKEN/.test(line.message))).toHaveLength(1);
    expect(s.fake.invalidRequests.length).toBeLessThanOrEqual(1);
  });
});
