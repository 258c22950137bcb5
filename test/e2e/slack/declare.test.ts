import { describe, expect, it } from 'vitest';
import { FAKE_SLACK } from '../../support/slack/fake-slack.js';
import { BROADCAST_CHANNEL, OPS_CHANNEL, P1_PAGES, SLACK_ID, buttons, slackBots, textObjects } from '../../support/slack/bot.js';

const DECLARE = '/incident declare Checkout failing sev=P1 service=checkout';
const ROOM = 'inc-1-checkout-failing';
const RESPONDERS = Object.values(P1_PAGES);

const start = slackBots();

describe('Slack over HTTP: declaring a P1', () => {
  it('acks at once, opens the war room, pins the board, announces, pages everyone by DM and answers the declarer', async () => {
    const s = await start();
    const { res, responseName } = await s.slash(DECLARE);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');

    const pages = await s.waitForPages(RESPONDERS);
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    const room = s.warRoom(ROOM);
    expect(room).toBeDefined();

    // The room: created once, topic set, the declarer and the five paged responders invited.
    expect(s.fake.callsTo('conversations.create').map((call) => call.args.name)).toEqual([ROOM]);
    const topic = s.fake.successfulCallsTo('conversations.setTopic');
    expect(topic).toHaveLength(1);
    expect(topic[0]!.args).toMatchObject({ channel: room, topic: 'INC-1 [P1] Checkout failing: war room' });
    const invited = s.fake.successfulCallsTo('conversations.invite').flatMap((call) => String(call.args.users).split(','));
    expect(new Set(invited)).toEqual(new Set(['alice', ...RESPONDERS].map((p) => SLACK_ID[p])));
    expect(s.fake.channel(room!)?.members).toEqual(new Set([FAKE_SLACK.botUserId, ...['alice', ...RESPONDERS].map((p) => SLACK_ID[p]!)]));

    // The board: posted in the war room and pinned.
    const board = await s.fake.waitFor(() => s.pinnedBoard(room!), 10_000, 'the pinned board');
    expect(board.args.text).toContain('INC-1 [P1] Checkout failing');
    const boardFields = (board.args.blocks as Array<{ type: string; fields?: Array<{ text: string }> }>).flatMap((b) => b.fields ?? []);
    expect(boardFields.map((f) => f.text.split('\n')[0])).toEqual(['commander', 'tech', 'ops', 'product', 'comms']);
    expect(s.fake.channel(room!)?.pins).toEqual(new Set([board.response?.ts]));
    const roomPosts = await s.fake.waitFor(() => (s.postsIn(room!).length >= 2 ? s.postsIn(room!) : undefined), 10_000, 'the room notice');
    expect(roomPosts.some((call) => String(call.args.text).startsWith('INC-1 [P1] Checkout failing declared by Alice Declarer'))).toBe(true);

    // The announcement in the broadcast channel.
    const announced = await s.fake.waitFor(() => s.postsIn(BROADCAST_CHANNEL)[0], 10_000, 'the broadcast');
    expect(announced.args.text).toBe(`INC-1 [P1] Checkout failing declared by Alice Declarer. War room: #${ROOM}.`);

    // A DM to each paged person, with an Acknowledge button carrying the ack command.
    for (const [role, person] of Object.entries(P1_PAGES)) {
      const user = SLACK_ID[person]!;
      expect(s.fake.successfulCallsTo('conversations.open').filter((call) => call.args.users === user)).toHaveLength(1);
      const page = pages[person]!;
      expect(page.args.channel).toBe(s.dmChannel(user));
      expect(String(page.args.text)).toContain('PAGE INC-1 [P1] Checkout failing');
      expect(String(page.args.text)).toContain(`You are paged as ${role} for INC-1`);
      expect(buttons(page)).toEqual([
        expect.objectContaining({ action_id: expect.stringMatching(/^muster_cmd_/), value: `/incident ack INC-1 ${role}`, text: expect.objectContaining({ text: 'Acknowledge' }) }),
      ]);
      expect(s.pagesTo(user)).toHaveLength(1);
    }
    // Nobody else was paged (the declarer is not a responder here).
    expect(s.dmChannel(SLACK_ID.alice!)).toBeUndefined();

    // The declarer's reply: in the channel, naming the war room.
    expect(reply.body).toMatchObject({ response_type: 'in_channel' });
    expect((reply.body as { text: string }).text).toBe(`INC-1 declared: Checkout failing. War room #${ROOM}; paging 5 roles.`);

    // A sensible order: the room exists and is staffed before anything is posted into it; pinned after posting.
    // (The pages do not wait for the room: they go out as soon as the declare is committed.)
    const order = (method: string, match: (args: Record<string, unknown>) => boolean = () => true) =>
      s.fake.calls.findIndex((call) => call.method === method && match(call.args));
    const created = order('conversations.create');
    expect(created).toBeGreaterThanOrEqual(0);
    expect(order('conversations.setTopic')).toBeGreaterThan(created);
    const lastInvite = Math.max(...s.fake.calls.map((call, index) => (call.method === 'conversations.invite' ? index : -1)));
    expect(order('chat.postMessage', (args) => args.channel === room)).toBeGreaterThan(lastInvite);
    expect(order('pins.add')).toBeGreaterThan(order('chat.postMessage', (args) => args.channel === room && Array.isArray(args.blocks) && JSON.stringify(args.blocks).includes('"fields"')));
    expect(s.fake.responses.findIndex((r) => r.name === responseName)).toBeGreaterThanOrEqual(0);

    expect(s.errors()).toEqual([]);
  });

  it('answers the HTTP request before the core does any Slack work (ack first)', async () => {
    const s = await start();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    s.fake.stub('conversations.create', async (args, { fake }) => {
      await gate;
      const channel = fake.addChannel(String(args.name));
      return { channel: { id: channel.id, name: channel.name, is_channel: true, is_private: false, created: channel.created } };
    });
    const { res, responseName } = await s.slash(DECLARE);
    expect(res.status).toBe(200);
    // The HTTP answer came back while conversations.create is still held: Bolt acked before the core ran.
    expect(s.fake.successfulCallsTo('conversations.create')).toHaveLength(0);
    expect(s.fake.responses).toHaveLength(0);
    release();
    await s.waitForPages(RESPONDERS);
    expect((await s.fake.waitForResponse(responseName, 10_000)).body).toMatchObject({ response_type: 'in_channel' });
  });

  it('retries with a suffix when the channel name is taken', async () => {
    const s = await start({ before: (fake) => void fake.addChannel(ROOM) });
    const { responseName } = await s.slash(DECLARE);
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    expect(s.fake.callsTo('conversations.create').map((call) => [call.args.name, call.response?.error ?? 'ok'])).toEqual([
      [ROOM, 'name_taken'],
      [`${ROOM}-2`, 'ok'],
    ]);
    expect((reply.body as { text: string }).text).toContain(`War room #${ROOM}-2`);
    const room = s.warRoom(`${ROOM}-2`)!;
    await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the board pinned in the -2 room');
    await s.waitForPages(RESPONDERS);
    // The pre-existing channel was left alone.
    expect(s.fake.channel(ROOM)?.pins.size).toBe(0);
    expect(s.postsIn(s.fake.channel(ROOM)!.id)).toEqual([]);
  });
});

describe('Slack over HTTP: acknowledging', () => {
  it('an Acknowledge click updates the pinned board in place and answers the responder; five acks assemble the team', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    const room = s.warRoom(ROOM)!;
    const board = await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the pinned board');
    const boardTs = board.response?.ts;

    const { res, responseName } = await s.click(pages.pete!, SLACK_ID.pete!);
    expect(res.status).toBe(200);
    const answer = await s.fake.waitForResponse(responseName, 10_000);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'Thanks, Pete Payments: you hold tech for INC-1.' });

    const update = await s.fake.waitForCall('chat.update', (call) => call.args.channel === room && JSON.stringify(call.args.blocks).includes('acked'), 10_000);
    expect(update.args).toMatchObject({ channel: room, ts: boardTs });
    expect(update.response?.ok).toBe(true);
    // Only one board: the update did not post a second one, and the pinned message now shows pete's ack.
    expect(s.postsIn(room).filter((call) => JSON.stringify(call.args.blocks).includes('"fields"'))).toHaveLength(1);
    const pinned = s.fake.messagesIn(room).find((m) => m.ts === boardTs)!;
    expect(JSON.stringify(pinned.blocks)).toMatch(/tech\\nPete Payments · paged \d\d:\d\d:\d\d [A-Z][A-Z0-9+-]* · acked/);
    await s.fake.waitFor(() => s.postsIn(room).find((call) => call.args.text === 'tech staffed by Pete Payments after 0:00.'), 10_000, 'the ack notice');

    // The other four acknowledge at once.
    const clicks = await Promise.all(
      ['cara', 'sam', 'pia', 'cody'].map((person) => s.click(pages[person]!, SLACK_ID[person]!)),
    );
    expect(clicks.map((click) => click.res.status)).toEqual([200, 200, 200, 200]);
    for (const click of clicks) {
      expect(((await s.fake.waitForResponse(click.responseName, 10_000)).body as { text: string }).text).toMatch(/^Thanks, .+: you hold \w+ for INC-1\.$/);
    }
    const assembled = await s.fake.waitFor(
      () => s.postsIn(room).find((call) => String(call.args.text).startsWith('Team assembled in ')),
      10_000,
      'Team assembled in the war room',
    );
    expect(assembled.args.text).toMatch(/^Team assembled in \d+:\d\d\.$/);

    // Board updates are coalesced and in place: the latest state wins on the one pinned message.
    await s.fake.waitFor(() => {
      const latest = s.fake.messagesIn(room).find((m) => m.ts === boardTs);
      const text = JSON.stringify(latest?.blocks ?? []);
      return (text.match(/· acked /g) ?? []).length === 5 && text.includes('Status: assembled');
    }, 10_000, 'the board showing all five acked');
    // The board's edits (the pages' own edits, linking the room, go to the DMs).
    const updates = s.fake.callsTo('chat.update').filter((call) => call.args.channel === room);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.every((call) => call.args.ts === boardTs)).toBe(true);
    expect(s.fake.channel(room)?.pins).toEqual(new Set([boardTs]));
    expect(s.errors()).toEqual([]);
  });

  it('board updates are coalesced: at most one chat.update in flight, and the latest state wins', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    const room = s.warRoom(ROOM)!;
    const boardTs = (await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the pinned board')).response?.ts;
    await s.bot.runtime.settle();
    // A slow first edit, so that the other acks pile up behind the one in flight.
    s.fake.delayNext('chat.update', 1500, 1);
    s.fake.delayNext('chat.update', 200, 10);
    let maxInFlight = 0;
    const sampling = s.fake.waitFor(() => {
      const inFlight = s.fake.callsTo('chat.update').filter((call) => call.args.channel === room && call.httpStatus === undefined).length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const text = JSON.stringify(s.fake.messagesIn(room).find((m) => m.ts === boardTs)?.blocks ?? []);
      return (text.match(/· acked /g) ?? []).length === 5 && inFlight === 0;
    }, 15_000, 'the board showing five acks');
    await Promise.all(RESPONDERS.map((person) => s.click(pages[person]!, SLACK_ID[person]!)));
    await sampling;
    await s.bot.runtime.settle();
    expect(maxInFlight).toBe(1);
    const updates = s.fake.callsTo('chat.update').filter((call) => call.args.channel === room);
    // Five acks, five new board versions: the first edit, then one edit with the latest picture.
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(2);
    const latest = JSON.stringify(updates.at(-1)!.args.blocks);
    expect(latest).toContain('Status: assembled');
  });

  it('a redelivered click (same trigger_id, X-Slack-Retry-Num) acknowledges once', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const pages = await s.waitForPages(RESPONDERS);
    const first = await s.click(pages.sam!, SLACK_ID.sam!, { triggerId: 'trigger-sam' });
    const again = await s.click(pages.sam!, SLACK_ID.sam!, { triggerId: 'trigger-sam', retryNum: 1 });
    expect([first.res.status, again.res.status]).toEqual([200, 200]);
    await s.fake.waitForResponse(first.responseName, 10_000);
    const room = s.warRoom(ROOM)!;
    await s.fake.waitFor(() => s.postsIn(room).find((call) => call.args.text === 'ops staffed by Sam SRE after 0:00.'), 10_000, 'the ack notice');
    // Give a duplicate every chance to show up before looking.
    await s.bot.runtime.settle();
    expect(s.fake.responsesTo(again.responseName)).toEqual([]);
    expect(s.postsIn(room).filter((call) => String(call.args.text).startsWith('ops staffed'))).toHaveLength(1);
  });
});

describe('Slack over HTTP: commands inside the war room', () => {
  it('/incident status and /incident ack in the war room imply the incident; /incident list; /oncall; /incident resolve', async () => {
    const s = await start();
    await s.slash(DECLARE);
    await s.waitForPages(RESPONDERS);
    const room = s.warRoom(ROOM)!;

    const status = await s.slash('/incident status', { user: SLACK_ID.cara!, channel: room });
    const statusBody = (await s.fake.waitForResponse(status.responseName, 10_000)).body as { response_type: string; text: string; blocks: unknown[] };
    expect(statusBody.response_type).toBe('ephemeral');
    expect(statusBody.text).toContain('INC-1 [P1] Checkout failing');
    expect(JSON.stringify(statusBody.blocks)).toContain('Status: assembling');

    const ack = await s.slash('/incident ack', { user: SLACK_ID.pete!, channel: room });
    expect(((await s.fake.waitForResponse(ack.responseName, 10_000)).body as { text: string }).text).toBe('Thanks, Pete Payments: you hold tech for INC-1.');
    await s.fake.waitForCall('chat.update', (call) => call.args.channel === room && JSON.stringify(call.args.blocks).includes('acked'), 10_000);

    // Outside the war room, status falls back to the only active incident.
    const elsewhere = await s.slash('/incident status', { user: SLACK_ID.cara!, channel: OPS_CHANNEL });
    expect(((await s.fake.waitForResponse(elsewhere.responseName, 10_000)).body as { text: string }).text).toContain('INC-1 [P1] Checkout failing');

    const list = await s.slash('/incident list', { user: SLACK_ID.mona! });
    const listBody = (await s.fake.waitForResponse(list.responseName, 10_000)).body as { response_type: string; blocks: unknown[] };
    expect(listBody.response_type).toBe('ephemeral');
    expect(JSON.stringify(listBody.blocks)).toContain('INC-1 [P1]');
    expect(JSON.stringify(listBody.blocks)).toContain('Checkout failing · assembling');

    // /oncall answers with one field per team (plain_text "label\nvalue").
    const fieldTexts = (body: unknown) => textObjects((body as { blocks?: unknown }).blocks).map((t) => t.text);
    const oncall = await s.slash('/oncall payments', { user: SLACK_ID.mona! });
    const oncallBody = (await s.fake.waitForResponse(oncall.responseName, 10_000)).body as { response_type: string; text: string };
    expect(oncallBody).toMatchObject({ response_type: 'ephemeral', text: 'On call now' });
    expect(fieldTexts(oncallBody)).toContain('payments · UTC\nprimary: Pete Payments, no handoff in the next 60 days\nbackup: Pam Payments, no handoff in the next 60 days');
    const everyone = await s.slash('/oncall', { user: SLACK_ID.mona! });
    const everyoneFields = fieldTexts((await s.fake.waitForResponse(everyone.responseName, 10_000)).body);
    for (const team of ['command', 'payments', 'sre', 'product', 'comms', 'duty']) {
      expect(everyoneFields.some((text) => text.startsWith(`${team} · UTC\nprimary: `))).toBe(true);
    }
    const unknownTeam = await s.slash('/oncall nobody', { user: SLACK_ID.mona! });
    expect(((await s.fake.waitForResponse(unknownTeam.responseName, 10_000)).body as { text: string }).text).toContain('Unknown team "nobody"');

    const resolve = await s.slash('/incident resolve fixed the config', { user: SLACK_ID.alice!, channel: room });
    const resolved = (await s.fake.waitForResponse(resolve.responseName, 10_000)).body as { response_type: string; text: string };
    expect(resolved).toMatchObject({ response_type: 'in_channel', text: 'INC-1 resolved.' });
    await s.fake.waitFor(() => s.postsIn(room).find((call) => String(call.args.text).startsWith('INC-1 resolved by Alice Declarer')), 10_000, 'the resolve notice');
    expect(s.errors()).toEqual([]);
  });

  it('a Slack user missing from muster.yaml may declare and read, is never paged, and cannot ack', async () => {
    const s = await start();
    const { responseName } = await s.slash('/incident declare Search is slow sev=P3 service=checkout', { user: 'UOUTSIDER' });
    expect(((await s.fake.waitForResponse(responseName, 10_000)).body as { text: string }).text).toContain('INC-1 declared: Search is slow');
    await s.waitForPages(['pete']);
    const room = s.warRoom('inc-1-search-is-slow')!;
    expect(s.fake.successfulCallsTo('conversations.invite').flatMap((c) => String(c.args.users).split(',')).sort()).toEqual(['UOUTSIDER', 'UPETE']);
    expect(s.dmChannel('UOUTSIDER')).toBeUndefined();
    const ack = await s.slash('/incident ack', { user: 'UOUTSIDER', channel: room });
    expect(((await s.fake.waitForResponse(ack.responseName, 10_000)).body as { text: string }).text).toContain('not in muster.yaml');
    const status = await s.slash('/incident status INC-1', { user: 'UOUTSIDER' });
    expect(((await s.fake.waitForResponse(status.responseName, 10_000)).body as { text: string }).text).toContain('INC-1 [P3] Search is slow');
  });

  it('an @mention answers with the usage, only to the person who asked', async () => {
    const s = await start();
    const { postEvent, eventCallback } = await import('../../support/slack/signed.js');
    const res = await postEvent(s.url, 'test-secret', eventCallback({ type: 'app_mention', user: SLACK_ID.mona, text: '<@UBOT> help', channel: OPS_CHANNEL, ts: '1700000000.000100' }));
    expect(res.status).toBe(200);
    const ephemeral = await s.fake.waitForCall('chat.postEphemeral', () => true, 10_000);
    expect(ephemeral.args).toMatchObject({ channel: OPS_CHANNEL, user: SLACK_ID.mona });
    expect(String(ephemeral.args.text)).toContain('/incident declare');
  });
});
