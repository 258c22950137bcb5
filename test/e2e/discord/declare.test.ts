import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { FAKE_DISCORD } from '../../support/discord/fake-discord.js';
import { BROADCAST_CHANNEL, CATEGORY, DISCORD_ID, OPS_CHANNEL, P1_PAGES, buttonsOf, discordBots } from '../../support/discord/bot.js';

const RESPONDERS = Object.values(P1_PAGES);
const ROOM = 'inc-1-checkout-failing';
const DECLARE = { name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } };

const start = discordBots();

describe('Discord: registering and declaring a P1', () => {
  it('registers /incident, /oncall, /drill and /kb on the guild with typed options', async () => {
    const s = await start();
    const [put] = s.fake.callsTo('PUT', '/applications/:appId/guilds/:guildId/commands');
    expect(put).toMatchObject({ status: 200, path: `/applications/${FAKE_DISCORD.applicationId}/guilds/${FAKE_DISCORD.guildId}/commands` });
    const body = put!.body as Array<{ name: string; options: Array<{ name: string; options?: Array<Record<string, unknown>> }> }>;
    expect(body.map((command) => command.name)).toEqual(['incident', 'oncall', 'drill', 'kb']);
    const incident = body[0]!;
    expect(incident.options.map((sub) => sub.name)).toEqual(['declare', 'ack', 'status', 'join', 'list', 'resolve', 'mitigate', 'update', 'snooze', 'sev', 'escalate', 'assign', 'handoff', 'playbook', 'steps', 'timeline', 'done', 'skip', 'decide', 'run', 'approve', 'deny', 'grants', 'learn', 'break-glass']);
    const declare = incident.options[0]!.options!;
    expect(declare.map((option) => option.name)).toEqual(['title', 'severity', 'service', 'summary', 'anyway']);
    expect(declare[1]).toMatchObject({ choices: [{ name: 'P1', value: 'P1' }, { name: 'P2', value: 'P2' }, { name: 'P3', value: 'P3' }] });
    expect(declare[2]).toMatchObject({ autocomplete: true });
    expect(s.fake.guildCommands().map((command) => command.name)).toEqual(['incident', 'oncall', 'drill', 'kb']);
  });

  it('defers first, opens the war room under the category, pins the board, announces, pages by DM and names the room', async () => {
    const s = await start();
    const interaction = await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    const answer = await s.answered(interaction);

    // The deferred reply is the first thing the bot sent, before any other REST call of the declare.
    const firstCall = s.fake.calls.findIndex((call) => call.route === '/interactions/:interactionId/:token/callback' && call.path.includes(interaction.id));
    expect(s.fake.calls[firstCall]).toMatchObject({ status: 204, body: { type: 5 } });
    const roomCall = s.fake.calls.findIndex((call) => call.method === 'POST' && call.route === '/guilds/:guildId/channels');
    expect(roomCall).toBeGreaterThan(firstCall);

    // The war room: a private text channel under the category; @everyone denied, the bot and responders allowed.
    const room = s.fake.channelByName(ROOM)!;
    expect(room).toMatchObject({ type: 0, parent_id: CATEGORY });
    const overwrites = new Map(room.permission_overwrites.map((o) => [o.id, o]));
    expect(overwrites.get(FAKE_DISCORD.guildId)).toMatchObject({ type: 0, deny: String(PermissionFlagsBits.ViewChannel) });
    expect(BigInt(overwrites.get(FAKE_DISCORD.botUserId)!.allow) & PermissionFlagsBits.ViewChannel).toBe(PermissionFlagsBits.ViewChannel);
    for (const person of ['alice', ...RESPONDERS]) {
      const allow = BigInt(overwrites.get(DISCORD_ID[person]!)!.allow);
      expect(allow & PermissionFlagsBits.ViewChannel, person).toBe(PermissionFlagsBits.ViewChannel);
      expect(allow & PermissionFlagsBits.SendMessages, person).toBe(PermissionFlagsBits.SendMessages);
    }

    // The board: posted in the room and pinned, one field per role.
    const board = await s.fake.waitFor(() => s.board(room.id), 10_000, 'the pinned board');
    expect(board.embeds[0]).toMatchObject({ title: expect.stringContaining('INC-1') });
    const fields = (board.embeds[0]!.fields as Array<{ name: string }>).map((field) => field.name);
    expect(fields).toEqual(['commander', 'tech', 'ops', 'product', 'comms']);

    // The announcement in the broadcast channel.
    const announced = await s.fake.waitFor(() => s.fake.messagesIn(BROADCAST_CHANNEL)[0], 10_000, 'the broadcast');
    expect(JSON.stringify(announced.embeds)).toContain(`#${ROOM}`);

    // A DM with an Acknowledge button to each paged responder, carrying the ack command.
    for (const [role, person] of Object.entries(P1_PAGES)) {
      expect(buttonsOf(pages[person]!)).toEqual([expect.objectContaining({ custom_id: `muster:/incident ack INC-1 ${role}`, label: 'Acknowledge' })]);
      expect(s.pagesTo(person)).toHaveLength(1);
    }
    expect(s.fake.dmChannelOf(DISCORD_ID.alice!)).toBeUndefined();

    // The declarer's answer: the edited deferred reply, public, naming the war room.
    expect(answer).toMatchObject({ channel_id: OPS_CHANNEL, ephemeral: false });
    expect(JSON.stringify(answer.embeds)).toContain(`#${ROOM}`);
    expect(s.errors()).toEqual([]);
  });

  it('keeps a Chinese title in the war room name (Discord channel names allow it)', async () => {
    const s = await start();
    const interaction = await s.slash({ name: 'incident', subcommand: 'declare', options: { title: '支付失败', severity: 'P3', service: 'checkout' } });
    const answer = await s.answered(interaction);
    expect(s.fake.channelByName('inc-1-支付失败')).toMatchObject({ type: 0, parent_id: CATEGORY });
    expect(answer.content).toContain('#inc-1-支付失败');
  });

  it('a button click acknowledges, and the board is edited in place', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 10_000, 'the war room');
    const board = await s.fake.waitFor(() => s.board(room.id), 10_000, 'the pinned board');
    const boardId = board.id;

    const click = await s.click('muster:/incident ack INC-1 tech', 'pete', pages.pete!.id);
    const answer = await s.answered(click);
    expect(answer).toMatchObject({ ephemeral: true });
    expect(s.fake.interaction(click.id)!.callbacks[0]).toMatchObject({ type: 5 });

    const edited = await s.fake.waitFor(
      () => {
        const message = s.fake.message(boardId)!;
        return JSON.stringify(message.embeds).includes('Pete') && message.history.length > 1 ? message : undefined;
      },
      10_000,
      'the board edited with the ack',
    );
    expect(s.fake.callsTo('PATCH', `/channels/${room.id}/messages/${boardId}`).length).toBeGreaterThanOrEqual(1);
    expect(edited.pinned).toBe(true);
    // Still one board: edits, not new posts.
    expect(room.pins).toEqual([boardId]);
    expect(s.errors()).toEqual([]);
  });

  it('/incident status inside the war room needs no incident id', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 10_000, 'the war room');
    const status = await s.slash({ name: 'incident', subcommand: 'status', channelId: room.id, person: 'cara' });
    const answer = await s.answered(status);
    expect(answer).toMatchObject({ ephemeral: true, channel_id: room.id });
    expect(JSON.stringify(answer.embeds)).toContain('INC-1');
    expect(JSON.stringify(answer.embeds)).toContain('Checkout failing');
  });

  it('answers autocomplete for services and teams from the config', async () => {
    const s = await start();
    const service = await s.fake.sendInteraction(
      s.fake.autocomplete({ name: 'incident', subcommand: 'declare', options: { service: 'check' }, focused: 'service', user: DISCORD_ID.alice! }),
    );
    await s.fake.waitFor(() => s.fake.interaction(service.id)?.autocompleteChoices, 5_000, 'service choices');
    expect(s.fake.interaction(service.id)!.autocompleteChoices).toEqual([{ name: 'checkout', value: 'checkout' }]);
    const team = await s.fake.sendInteraction(s.fake.autocomplete({ name: 'oncall', subcommand: 'now', options: { team: 'pay' }, focused: 'team', user: DISCORD_ID.alice! }));
    await s.fake.waitFor(() => s.fake.interaction(team.id)?.autocompleteChoices, 5_000, 'team choices');
    expect(s.fake.interaction(team.id)!.autocompleteChoices).toEqual([{ name: 'payments', value: 'payments' }]);
  });

  it('/incident declare without a title shows the form first; submitting it declares', async () => {
    const s = await start();
    const ask = await s.slash({ name: 'incident', subcommand: 'declare' });
    const modal = await s.fake.waitFor(() => s.fake.interaction(ask.id)?.modal, 5_000, 'the modal');
    expect(s.fake.interaction(ask.id)!.callbacks.map((c) => c.type)).toEqual([9]);
    expect(modal).toMatchObject({ custom_id: 'muster-form:/incident declare' });
    const submit = await s.fake.sendInteraction(
      s.fake.modalSubmit({ customId: 'muster-form:/incident declare', fields: { title: 'Queue "stuck"', sev: 'P2', service: 'checkout' }, user: DISCORD_ID.alice! }),
    );
    const answer = await s.answered(submit);
    expect(JSON.stringify(answer.embeds)).toContain('INC-1');
    await s.waitForPages(['cara', 'pete']);
  });
});

describe('Discord: war rooms as private threads', () => {
  it('opens a private thread in threadParent and adds the responders with a Discord id; the others are reported', async () => {
    const s = await start({
      configure: (raw) => {
        raw.discord = { warRoom: 'thread', threadParent: OPS_CHANNEL, broadcast: BROADCAST_CHANNEL };
      },
      withoutDiscord: ['pia'],
    });
    const interaction = await s.slash(DECLARE);
    await s.waitForPages(RESPONDERS.filter((person) => person !== 'pia'));
    // pia can never be paged, so her backup pat is paged at once and added to the thread.
    await s.waitForPages(['pat']);
    const answer = await s.answered(interaction);
    const [thread] = s.fake.threads();
    expect(thread).toMatchObject({ type: 12, parent_id: OPS_CHANNEL, name: ROOM });
    await s.fake.waitFor(() => s.fake.threads()[0]?.threadMembers.has(DISCORD_ID.pat!), 10_000, 'pat added to the thread');
    expect(new Set(s.fake.threads()[0]!.threadMembers)).toEqual(new Set([FAKE_DISCORD.botUserId, ...['alice', 'cara', 'pete', 'sam', 'cody', 'pat'].map((p) => DISCORD_ID[p]!)]));
    await s.fake.waitFor(() => s.board(thread!.id), 10_000, 'the board pinned in the thread');
    expect(s.fake.createdChannels().filter((channel) => channel.type === 0)).toEqual([]);
    expect(JSON.stringify(answer.embeds) + JSON.stringify(s.fake.messages)).toContain('people.pia.discord');
  });
});

describe('Discord: people the server does not know', () => {
  it('opens the room anyway when a responder is not a member, and tells the declarer who is missing', async () => {
    const s = await start({
      configure: (raw) => {
        (raw.people as Record<string, { discord?: string }>).pia!.discord = '1499999999999999999';
      },
    });
    const interaction = await s.slash(DECLARE);
    await s.waitForPages(['cara', 'pete', 'sam', 'cody']);
    // pia cannot be reached on this server, so her backup pat is paged at once and let in.
    await s.waitForPages(['pat']);
    const answer = await s.answered(interaction);
    const room = s.fake.channelByName(ROOM)!;
    const members = () => s.fake.channelByName(ROOM)!.permission_overwrites.filter((o) => o.type === 1).map((o) => o.id);
    await s.fake.waitFor(() => members().includes(DISCORD_ID.pat!), 10_000, 'pat let into the room');
    expect(new Set(members())).toEqual(new Set([FAKE_DISCORD.botUserId, ...['alice', 'cara', 'pete', 'sam', 'cody', 'pat'].map((p) => DISCORD_ID[p]!)]));
    await s.fake.waitFor(() => s.board(room.id), 10_000, 'the board');
    expect(JSON.stringify(answer.embeds)).toContain('1499999999999999999');
  });
});

describe('Discord: answers that must stay private', () => {
  it('a public subcommand that fails answers privately: the public deferral is replaced by an ephemeral follow-up', async () => {
    const s = await start();
    const resolve = await s.slash({ name: 'incident', subcommand: 'resolve', options: { note: 'nothing to resolve' } });
    const followUp = await s.fake.waitFor(
      () => s.fake.interaction(resolve.id)?.followupIds.map((id) => s.fake.message(id)!)[0],
      10_000,
      'the private follow-up',
    );
    expect(followUp).toMatchObject({ ephemeral: true });
    expect(s.fake.interaction(resolve.id)!.callbacks.map((c) => c.type)).toEqual([5]);
    expect(s.fake.message(s.fake.interaction(resolve.id)!.originalMessageId!)!.deleted).toBe(true);
    expect(s.errors()).toEqual([]);
  });
});

describe('Discord: status updates', () => {
  it('/incident update in the war room is posted there by the bot', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 10_000, 'the war room');
    const update = await s.slash({ name: 'incident', subcommand: 'update', options: { text: 'Rolled back the deploy' }, person: 'alice', channelId: room.id });
    const answer = await s.answered(update);
    expect(answer.ephemeral).toBe(true);
    await s.fake.waitFor(
      () => s.fake.messagesIn(room.id).find((message) => message.source === 'channel' && JSON.stringify(message.embeds).includes('Rolled back the deploy')),
      10_000,
      'the update in the war room',
    );
  });
});
