import { once } from 'node:events';
import { createInflate } from 'node:zlib';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  OverwriteType,
  PermissionFlagsBits,
  Partials,
  REST,
  Routes,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ClientOptions,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_DISCORD, FakeDiscord, Intents, type FakeDiscordOptions } from '../support/discord/fake-discord.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // Clients first (so they do not try to reconnect), then the fakes.
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startFake(options?: FakeDiscordOptions): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start(options);
  cleanups.push(() => fake.close());
  return fake;
}

/** A real discord.js Client logged in against the fake, ready (guild cached). */
async function startClient(fake: FakeDiscord, extra: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl },
    ...extra,
  });
  cleanups.push(() => client.destroy());
  const ready = once(client, Events.ClientReady);
  await client.login(fake.botToken);
  await ready;
  return client;
}

/** Resolves with the next interaction the client emits. */
function nextInteraction(client: Client): Promise<Interaction> {
  return new Promise((resolve) => client.once(Events.InteractionCreate, resolve));
}

const incidentCommand = {
  name: 'incident',
  description: 'Incidents',
  options: [
    {
      type: 1,
      name: 'declare',
      description: 'Declare an incident',
      options: [
        { type: 3, name: 'title', description: 'What is broken', required: true },
        {
          type: 3,
          name: 'severity',
          description: 'How bad',
          required: false,
          choices: ['P1', 'P2', 'P3', 'P4'].map((p) => ({ name: p, value: p })),
        },
        { type: 3, name: 'service', description: 'Which service', required: false, autocomplete: true },
      ],
    },
    { type: 1, name: 'status', description: 'Show status' },
  ],
};

describe('FakeDiscord REST (REST client only)', () => {
  it('registers guild commands with a bulk overwrite and keeps their ids stable', async () => {
    const fake = await startFake();
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);

    const gateway = (await rest.get(Routes.gatewayBot())) as { url: string; shards: number; session_start_limit: { remaining: number } };
    expect(gateway).toMatchObject({ url: fake.gatewayUrl, shards: 1 });

    const first = (await rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: [incidentCommand] })) as Array<{ id: string; name: string; guild_id: string }>;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ name: 'incident', guild_id: fake.guildId, application_id: fake.applicationId, type: 1 });
    const [call] = fake.callsTo('PUT', '/applications/:appId/guilds/:guildId/commands');
    expect(call).toMatchObject({ auth: 'bot', status: 200, version: 10, path: `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands` });
    expect(call!.body).toEqual([incidentCommand]);

    const second = (await rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: [incidentCommand, { name: 'oncall', description: 'Who is on call' }] })) as Array<{ id: string }>;
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(fake.guildCommands().map((c) => c.name)).toEqual(['incident', 'oncall']);

    // Invalid definitions get Discord's form error; a wrong token gets 401.
    const bad = rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: [{ name: 'Bad Name', description: '' }] });
    await expect(bad).rejects.toMatchObject({ status: 400, code: 50035 });
    const err = (await bad.catch((e: unknown) => e)) as DiscordAPIError;
    expect(err.rawError).toMatchObject({ errors: { '0': { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } } });
    const stranger = new REST({ api: fake.apiUrl }).setToken('not-the-token');
    await expect(stranger.get(Routes.user('@me'))).rejects.toMatchObject({ status: 401, code: 0 });
    expect(fake.invalidRequests.map((r) => r.status)).toEqual([401]);
  });

  it('answers 429 with Discord headers, keeps the bucket limited until reset, and REST retries', async () => {
    const fake = await startFake({ retryAfterHeader: 'exact' });
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    fake.rateLimitNext('GET /users/@me', 0.3);
    const started = Date.now();
    const me = (await rest.get(Routes.user('@me'))) as { id: string; bot: boolean };
    expect(me).toMatchObject({ id: FAKE_DISCORD.botUserId, bot: true });
    const calls = fake.callsTo('GET', '/users/@me');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[0]!.response).toEqual({ message: 'You are being rate limited.', retry_after: 0.3, global: false });
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);

    // A global 429 blocks every route; discord.js waits it out too.
    fake.rateLimitNext('GET /applications/@me', 0.2, 1, { global: true });
    const seen: string[] = [];
    const stop = fake.onCall((c) => seen.push(`${c.status}`));
    await rest.get(Routes.currentApplication());
    stop();
    expect(seen).toEqual(['429', '200']);
    expect(fake.callsTo('GET', '/applications/@me')[0]!.response).toMatchObject({ global: true });

    // Raw: a client ignoring retry_after keeps getting 429 until the bucket resets.
    fake.rateLimitNext('/users/@me', 0.4);
    const headers = { authorization: `Bot ${fake.botToken}` };
    const r1 = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers });
    const r2 = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers });
    expect([r1.status, r2.status]).toEqual([429, 429]);
    expect(r1.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(r1.headers.get('x-ratelimit-scope')).toBe('user');
    expect(r1.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(r1.headers.get('retry-after'))).toBeCloseTo(0.4, 1);
    await new Promise((r) => setTimeout(r, 450));
    const r3 = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers });
    expect(r3.status).toBe(200);
    expect(fake.invalidRequests.filter((r) => r.status === 429)).toHaveLength(4);
  });
});

describe('FakeDiscord REST limits and helpers', () => {
  it('enforces the 2-per-10-minutes channel rename sub-limit; rejectOnRateLimit surfaces it', async () => {
    const fake = await startFake();
    const rest = new REST({ api: fake.apiUrl, rejectOnRateLimit: ['/channels'] }).setToken(fake.botToken);
    const route = Routes.channel(FAKE_DISCORD.channels.incidents);
    await rest.patch(route, { body: { name: 'incidents-1' } });
    await rest.patch(route, { body: { topic: 'two' } });
    await expect(rest.patch(route, { body: { name: 'incidents-3' } })).rejects.toMatchObject({ name: expect.stringContaining('RateLimitError') });
    const third = fake.callsTo('PATCH', '/channels/:channelId').at(-1)!;
    expect(third.status).toBe(429);
    expect((third.response as { retry_after: number }).retry_after).toBeGreaterThan(500);
    expect(fake.channel(FAKE_DISCORD.channels.incidents)).toMatchObject({ name: 'incidents-1', topic: 'two' });
    // Other edits are not limited.
    await rest.patch(route, { body: { position: 3 } });
  });

  it('waitFor times out with a readable list of what the fake saw', async () => {
    const fake = await startFake();
    await fetch(`${fake.apiUrl}/v10/users/@me`);
    await expect(fake.waitFor(() => false, 30, 'nothing')).rejects.toThrow(/waiting for nothing\.\nREST calls \(1\):\n {2}GET \/users\/@me → 401/);
  });
});

describe('FakeDiscord with a discord.js Client', () => {
  it('connects: GET /gateway/bot, HELLO, IDENTIFY, READY, GUILD_CREATE; the guild and its channels are cached', async () => {
    const fake = await startFake({ heartbeatIntervalMs: 100 });
    const client = await startClient(fake);

    expect(client.user?.id).toBe(FAKE_DISCORD.botUserId);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe(FAKE_DISCORD.guildName);
    expect(guild?.channels.cache.get(FAKE_DISCORD.channels.incidents)?.name).toBe('incidents');
    expect(guild?.channels.cache.get(FAKE_DISCORD.channels.warRooms)?.type).toBe(ChannelType.GuildCategory);
    expect(guild?.members.me?.id).toBe(FAKE_DISCORD.botUserId);
    expect(fake.callsTo('GET', '/gateway/bot')).toHaveLength(1);

    const [conn] = fake.gatewayConnections;
    expect(conn?.query).toEqual({ v: '10', encoding: 'json', compress: null });
    const identify = conn!.received.find((p) => p.op === 2)!.d as { token: string; intents: number };
    expect(identify.token).toBe(fake.botToken);
    expect(identify.intents).toBe(Intents.Guilds | Intents.GuildMessages | Intents.DirectMessages);
    expect(conn!.sent.filter((f) => f.op === 0).map((f) => [f.t, f.s])).toEqual([
      ['READY', 1],
      ['GUILD_CREATE', 2],
    ]);

    // Heartbeats are acknowledged (the first comes after interval × jitter).
    await fake.waitFor(() => conn!.heartbeats >= 1 && conn!.sent.some((f) => f.op === 11), 2000, 'a heartbeat and its ACK');
  });

  it('delivers a chat-input command; deferReply and editReply reach the callback and webhook routes', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.botToken);
    await rest.put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: [incidentCommand] });

    const got = nextInteraction(client);
    const sent = await fake.sendInteraction(
      fake.slashCommand({ name: 'incident', subcommand: 'declare', options: { title: 'DB down', severity: 'P1' }, user: FAKE_DISCORD.users.bob }),
    );
    const interaction = (await got) as ChatInputCommandInteraction;
    expect(interaction.isChatInputCommand()).toBe(true);
    expect(interaction.commandName).toBe('incident');
    expect(interaction.commandId).toBe(fake.guildCommands()[0]!.id);
    expect(interaction.options.getSubcommand()).toBe('declare');
    expect(interaction.options.getString('title')).toBe('DB down');
    expect(interaction.options.getString('severity')).toBe('P1');
    expect(interaction.user.id).toBe(FAKE_DISCORD.users.bob);
    expect(interaction.channelId).toBe(FAKE_DISCORD.channels.general);
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.id).toBe(sent.id);
    expect(fake.tokens).toEqual([sent.token]);

    await interaction.deferReply();
    await interaction.editReply({ content: 'Declared **DB down**', allowedMentions: { parse: [] } });

    const [callback] = fake.callsTo('POST', '/interactions/:interactionId/:token/callback');
    expect(callback).toMatchObject({ auth: 'none', status: 204, path: `/interactions/${sent.id}/${sent.token}/callback`, body: { type: 5 } });
    const [edit] = fake.callsTo('PATCH', '/webhooks/:webhookId/:token/messages/:messageId');
    expect(edit).toMatchObject({ status: 200, path: `/webhooks/${fake.applicationId}/${sent.token}/messages/@original` });
    expect(edit!.body).toMatchObject({ content: 'Declared **DB down**', allowed_mentions: { parse: [] } });
    const original = fake.message(fake.interaction(sent.id)!.originalMessageId!)!;
    expect(original).toMatchObject({ content: 'Declared **DB down**', flags: 0, source: 'interaction', channel_id: FAKE_DISCORD.channels.general });

    const followUp = await interaction.followUp({ content: 'only you see this', flags: MessageFlags.Ephemeral });
    expect(fake.callsTo('POST', '/webhooks/:webhookId/:token')[0]).toMatchObject({ status: 200, query: { wait: 'true' } });
    expect(fake.message(followUp.id)).toMatchObject({ source: 'followup', ephemeral: true, content: 'only you see this' });

    // A second acknowledgement is refused like Discord does, and the bot can catch it.
    await expect(interaction.reply('again')).rejects.toThrow();
    const again = await rest.post(Routes.interactionCallback(sent.id, sent.token), { body: { type: 4, data: { content: 'x' } }, auth: false }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DiscordAPIError);
    expect(again).toMatchObject({ status: 400, code: 40060 });

    // Unregistered commands and invalid choices cannot be built: Discord's client would not send them.
    expect(() => fake.slashCommand({ name: 'nope' })).toThrow(/not registered/);
    // Raw options are sent verbatim; withResponse gets the callback response with the message.
    const raw = nextInteraction(client);
    await fake.sendInteraction(
      fake.slashCommand({ name: 'incident', options: [{ type: 1, name: 'declare', options: [{ type: 3, name: 'title', value: 'raw' }] }] }),
    );
    const rawInteraction = (await raw) as ChatInputCommandInteraction;
    expect(rawInteraction.options.getString('title')).toBe('raw');
    const response = await rawInteraction.deferReply({ withResponse: true });
    expect(response.resource?.message?.id).toBe(fake.interaction(rawInteraction.id)!.originalMessageId);
    expect(fake.callsTo('POST', '/interactions/:interactionId/:token/callback').at(-1)).toMatchObject({ status: 200, query: { with_response: 'true' } });
    expect(() => fake.slashCommand({ name: 'incident', subcommand: 'declare', options: { title: 't', severity: 'P9' } })).toThrow(/not a choice/);
  });

  it('answers autocomplete and shows and submits a modal', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    await new REST({ api: fake.apiUrl }).setToken(fake.botToken).put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: [incidentCommand] });

    let got = nextInteraction(client);
    await fake.sendInteraction(fake.autocomplete({ name: 'incident', subcommand: 'declare', options: { service: 'pay' }, focused: 'service' }));
    const auto = await got;
    if (!auto.isAutocomplete()) throw new Error('expected autocomplete');
    expect(auto.options.getFocused(true)).toMatchObject({ name: 'service', value: 'pay' });
    await auto.respond([{ name: 'payments', value: 'payments' }]);
    expect(fake.callsTo('POST', '/interactions/:interactionId/:token/callback')[0]!.body).toEqual({ type: 8, data: { choices: [{ name: 'payments', value: 'payments' }] } });

    got = nextInteraction(client);
    const cmd = await fake.sendInteraction(fake.slashCommand({ name: 'incident', subcommand: 'status' }));
    const slash = (await got) as ChatInputCommandInteraction;
    await slash.showModal(
      new ModalBuilder()
        .setCustomId('declare-modal')
        .setTitle('Declare')
        .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('title').setLabel('Title').setStyle(TextInputStyle.Short))),
    );
    expect(fake.interaction(cmd.id)?.modal).toMatchObject({ custom_id: 'declare-modal', title: 'Declare' });

    expect(() => fake.modalSubmit({ customId: 'declare-modal', fields: {} })).toThrow(/required/);
    got = nextInteraction(client);
    await fake.sendInteraction(fake.modalSubmit({ customId: 'declare-modal', fields: { title: 'Queue stuck' } }));
    const modal = await got;
    if (!modal.isModalSubmit()) throw new Error('expected a modal submit');
    expect(modal.customId).toBe('declare-modal');
    expect(modal.fields.getTextInputValue('title')).toBe('Queue stuck');
    await modal.deferReply({ flags: MessageFlags.Ephemeral });
    await modal.editReply('ok');
    const reply = fake.message(fake.interaction(modal.id)!.originalMessageId!)!;
    expect(reply).toMatchObject({ content: 'ok', ephemeral: true, flags: MessageFlags.Ephemeral });
  });

  it('opens a DM with an Acknowledge button; the click arrives as a ButtonInteraction and update() edits the DM', async () => {
    const fake = await startFake();
    const client = await startClient(fake);

    const bob = await client.users.fetch(FAKE_DISCORD.users.bob);
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('ack:42').setLabel('Acknowledge').setStyle(ButtonStyle.Primary));
    const dm = await bob.send({ content: 'You are paged for P1 **DB down**', components: [row] });
    expect(fake.callsTo('POST', '/users/@me/channels')[0]!.body).toEqual({ recipient_id: FAKE_DISCORD.users.bob });
    expect(fake.dmsTo(FAKE_DISCORD.users.bob).map((m) => m.content)).toEqual(['You are paged for P1 **DB down**']);
    expect(dm.channelId).toBe(fake.dmChannelOf(FAKE_DISCORD.users.bob));

    const got = nextInteraction(client);
    await fake.sendInteraction(fake.buttonClick({ customId: 'ack:42' }));
    const click = (await got) as ButtonInteraction;
    expect(click.isButton()).toBe(true);
    expect(click.customId).toBe('ack:42');
    expect(click.user.id).toBe(FAKE_DISCORD.users.bob);
    expect(click.inGuild()).toBe(false);
    expect(click.message.id).toBe(dm.id);
    await click.update({ content: 'Acknowledged ✅', components: [] });

    const stored = fake.message(dm.id)!;
    expect(stored).toMatchObject({ content: 'Acknowledged ✅', components: [] });
    expect(stored.edited_timestamp).not.toBeNull();
    expect(fake.callsTo('POST', '/interactions/:interactionId/:token/callback')[0]!.body).toMatchObject({ type: 7 });
    // The button is gone, so it cannot be clicked again; DMs to people who closed them fail with 50007.
    expect(() => fake.buttonClick({ customId: 'ack:42', messageId: dm.id })).toThrow(/no component/);
    fake.setDmClosed(FAKE_DISCORD.users.carol, true);
    const carol = await client.users.fetch(FAKE_DISCORD.users.carol);
    await expect(carol.send('paged')).rejects.toMatchObject({ status: 403, code: 50007 });
  });

  it('records channel creation with overwrites, mention-safe messages, pins and threads', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    const guild = client.guilds.cache.get(fake.guildId)!;

    const room = await guild.channels.create({
      name: 'INC-42 DB down',
      type: ChannelType.GuildText,
      parent: FAKE_DISCORD.channels.warRooms,
      permissionOverwrites: [
        { id: fake.guildId, type: OverwriteType.Role, deny: [PermissionFlagsBits.ViewChannel] },
        { id: FAKE_DISCORD.botUserId, type: OverwriteType.Member, allow: [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages] },
        { id: FAKE_DISCORD.users.bob, type: OverwriteType.Member, allow: [PermissionFlagsBits.ViewChannel] },
      ],
      reason: 'incident 42',
    });
    expect(room.name).toBe('inc-42-db-down');
    const [create] = fake.callsTo('POST', '/guilds/:guildId/channels');
    expect(create).toMatchObject({ status: 201, reason: 'incident 42' });
    expect(create!.body).toMatchObject({ name: 'INC-42 DB down', type: 0, parent_id: FAKE_DISCORD.channels.warRooms });
    expect(fake.channel(room.id)?.permission_overwrites).toEqual([
      { id: fake.guildId, type: 0, allow: '0', deny: String(PermissionFlagsBits.ViewChannel) },
      { id: FAKE_DISCORD.botUserId, type: 1, allow: String(PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages), deny: '0' },
      { id: FAKE_DISCORD.users.bob, type: 1, allow: String(PermissionFlagsBits.ViewChannel), deny: '0' },
    ]);
    // CHANNEL_CREATE came over the gateway too.
    await fake.waitFor(() => fake.gatewayConnections[0]!.sent.some((f) => f.t === 'CHANNEL_CREATE'));

    // Bad names answer 400 Invalid Form Body, which the bot can catch.
    await expect(guild.channels.create({ name: 'x'.repeat(101) })).rejects.toMatchObject({ status: 400, code: 50035 });

    const title = '@everyone <@&1500000000000000002> <@1400000000000000003> DB down';
    const safe = await (room as TextChannel).send({ content: `P1 declared: ${title}`, allowedMentions: { parse: [] } });
    const unsafe = await (room as TextChannel).send({ content: `P1 declared: ${title}` });
    const [safeCall] = fake.callsTo('POST', `/channels/${room.id}/messages`);
    expect(safeCall!.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(fake.message(safe.id)).toMatchObject({ allowed_mentions: { parse: [] }, pings: { everyone: false, users: [], roles: [] } });
    expect(fake.message(unsafe.id)?.pings).toEqual({ everyone: true, users: [FAKE_DISCORD.users.carol], roles: [FAKE_DISCORD.roles.responders] });

    await safe.pin();
    await safe.edit({ content: 'P1 resolved' });
    expect(fake.message(safe.id)).toMatchObject({ pinned: true, content: 'P1 resolved' });
    expect(fake.messagesIn(room.id).map((m) => m.content)).toEqual(['P1 resolved', `P1 declared: ${title}`]);
    expect(fake.messagesIn(room.id, { system: true }).map((m) => m.type)).toEqual([0, 0, 6]);

    await (room as TextChannel).send({ content: 'timeline', files: [{ attachment: Buffer.from('12:00 paged'), name: 'timeline.txt' }] });
    const upload = fake.callsTo('POST', '/channels/:channelId/messages').at(-1)!;
    expect(upload.files).toEqual([expect.objectContaining({ name: 'timeline.txt', size: 11 })]);
    expect(upload.body).toMatchObject({ content: 'timeline', attachments: [{ id: '0' }] });
    expect(fake.messagesIn(room.id).at(-1)?.attachments).toEqual([expect.objectContaining({ filename: 'timeline.txt', size: 11 })]);

    const thread = await (guild.channels.cache.get(FAKE_DISCORD.channels.incidents) as TextChannel).threads.create({ name: 'inc-42', type: ChannelType.PrivateThread });
    await thread.members.add(FAKE_DISCORD.users.bob);
    expect(fake.threads().map((t) => [t.name, t.type, [...t.threadMembers]])).toEqual([['inc-42', 12, [FAKE_DISCORD.botUserId, FAKE_DISCORD.users.bob]]]);

    // A channel hidden from @everyone without an overwrite for the bot is invisible to it (no Administrator).
    const hidden = await guild.channels.create({ name: 'hidden', permissionOverwrites: [{ id: fake.guildId, type: OverwriteType.Role, deny: [PermissionFlagsBits.ViewChannel] }] });
    await expect((hidden as TextChannel).send('hello')).rejects.toMatchObject({ status: 403, code: 50001 });
  });

  it('discord.js waits out a 429 with retry_after 0.5 on POST /channels/:id/messages and the send succeeds', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    const limited: unknown[] = [];
    client.rest.on('rateLimited', (info) => limited.push(info));
    const channel = client.channels.cache.get(FAKE_DISCORD.channels.incidents) as TextChannel;

    fake.rateLimitNext('POST /channels/:channelId/messages', 0.5);
    const message = await channel.send({ content: 'announcement', allowedMentions: { parse: [] } });
    expect(message.content).toBe('announcement');
    const calls = fake.callsTo('POST', '/channels/:channelId/messages');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(500);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(fake.messagesIn(FAKE_DISCORD.channels.incidents)).toHaveLength(1);
  });

  it('rejects late acknowledgements and expired interaction tokens with errors the bot can catch', async () => {
    const fake = await startFake({ tokenTtlMs: 300, interactionAckTimeoutMs: 150 });
    const client = await startClient(fake);

    let got = nextInteraction(client);
    await fake.sendInteraction(fake.slashCommand({ name: 'incident', subcommand: 'declare', options: { title: 'x' } }));
    const first = (await got) as ChatInputCommandInteraction;
    await first.deferReply();
    await new Promise((r) => setTimeout(r, 350));
    const expired = await first.editReply('too late').catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(DiscordAPIError);
    expect(expired).toMatchObject({ status: 401, code: 50027, message: 'Invalid Webhook Token' });
    // The bot token is untouched: ordinary bot messages still work after the interaction token died.
    await (client.channels.cache.get(FAKE_DISCORD.channels.general) as TextChannel).send({ content: 'update via the bot', allowedMentions: { parse: [] } });

    got = nextInteraction(client);
    await fake.sendInteraction(fake.slashCommand({ name: 'incident', subcommand: 'declare', options: { title: 'y' } }));
    const second = (await got) as ChatInputCommandInteraction;
    await new Promise((r) => setTimeout(r, 200));
    await expect(second.deferReply()).rejects.toMatchObject({ status: 404, code: 10062 });
  });

  it('revokeToken: REST answers 401 and the gateway closes with 4004; discord.js then stops using the token', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    const disconnected = once(client, Events.ShardDisconnect);
    client.on(Events.ShardError, () => {});

    fake.revokeToken();
    const [event] = (await disconnected) as [{ code: number }];
    expect(event.code).toBe(4004);
    const channel = client.channels.cache.get(FAKE_DISCORD.channels.general) as TextChannel;
    await expect(channel.send('hello')).rejects.toMatchObject({ status: 401, code: 0 });
    // After a 401 discord.js drops the token, so later requests fail locally without reaching Discord.
    await expect(channel.send('again')).rejects.toThrow(/Expected token to be set/);
    expect(fake.callsTo('POST', '/channels/:channelId/messages').map((c) => c.status)).toEqual([401]);
    expect(fake.invalidRequests).toHaveLength(1);

    // A fresh login with the revoked token fails at GET /gateway/bot.
    const late = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    cleanups.push(() => late.destroy());
    await expect(late.login(fake.botToken)).rejects.toThrow(/invalid token/i);
  });

  it('resumes after a dropped connection and replays what it missed; destroy() closes with 1000', async () => {
    const fake = await startFake();
    const client = await startClient(fake);
    const first = fake.gatewayConnections[0]!;

    const replayed = new Promise<string>((resolve) => client.once(Events.MessageCreate, (m) => resolve(m.content)));
    fake.disconnectGateway(4000);
    // Sent while the bot is away: MESSAGE_CREATE is buffered for the session and replayed on RESUME.
    await new REST({ api: fake.apiUrl }).setToken(fake.botToken).post(Routes.channelMessages(FAKE_DISCORD.channels.general), { body: { content: 'while you were out' } });
    const resumed = await fake.waitFor(() => fake.gatewayConnections.find((c) => c.resumed && c.ready), 5000, 'a resumed connection');
    expect(resumed.url).toBe('/resume?v=10&encoding=json');
    expect(resumed.sessionId).toBe(first.sessionId);
    expect(await replayed).toBe('while you were out');
    expect(resumed.sent.filter((f) => f.op === 0).map((f) => f.t)).toEqual(['MESSAGE_CREATE', 'RESUMED']);

    const got = nextInteraction(client);
    await fake.sendInteraction(fake.slashCommand({ name: 'incident', subcommand: 'status' }));
    expect((await got).isChatInputCommand()).toBe(true);

    await client.destroy();
    await fake.waitFor(() => resumed.closedAt !== undefined);
    expect(resumed).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(fake.sessions.get(resumed.sessionId!)?.invalidated).toBe(true);
    expect(fake.readyConnections()).toHaveLength(0);
    await expect(fake.sendInteraction(fake.slashCommand({ name: 'incident' }))).rejects.toThrow(/no ready gateway connection/);
  });
});

describe('FakeDiscord gateway protocol (raw websocket)', () => {
  function connect(url: string): Promise<{ ws: WebSocket; frames: unknown[]; closed: Promise<number> }> {
    const ws = new WebSocket(url);
    const frames: unknown[] = [];
    const inflate = createInflate();
    inflate.on('data', (chunk: Buffer) => frames.push(JSON.parse(chunk.toString('utf8'))));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) inflate.write(data);
      else frames.push(JSON.parse(data.toString('utf8')));
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames, closed }));
      ws.once('error', reject);
    });
  }

  it('speaks zlib-stream, and closes 4004 on a bad token and 4014 on privileged intents that are not enabled', async () => {
    const fake = await startFake();
    const waitFrames = (frames: unknown[], n: number) => fake.waitFor(() => frames.length >= n, 2000, `${n} frame(s)`);

    const zipped = await connect(`${fake.gatewayUrl}/?v=10&encoding=json&compress=zlib-stream`);
    await waitFrames(zipped.frames, 1);
    expect(zipped.frames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: 41250 } });
    zipped.ws.send(JSON.stringify({ op: 2, d: { token: fake.botToken, intents: Intents.Guilds, properties: { os: 'linux', browser: 'x', device: 'x' } } }));
    await waitFrames(zipped.frames, 3);
    expect(zipped.frames.slice(1).map((f) => (f as { t: string }).t)).toEqual(['READY', 'GUILD_CREATE']);
    zipped.ws.close(1000);

    const bad = await connect(`${fake.gatewayUrl}/?v=10&encoding=json`);
    bad.ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: Intents.Guilds, properties: {} } }));
    expect(await bad.closed).toBe(4004);

    const greedy = await connect(`${fake.gatewayUrl}/?v=10&encoding=json`);
    greedy.ws.send(JSON.stringify({ op: 2, d: { token: fake.botToken, intents: Intents.Guilds | Intents.MessageContent, properties: {} } }));
    expect(await greedy.closed).toBe(4014);

    const early = await connect(`${fake.gatewayUrl}/?v=10&encoding=json`);
    early.ws.send(JSON.stringify({ op: 8, d: { guild_id: fake.guildId } }));
    expect(await early.closed).toBe(4003);
  });
});
