import { describe, expect, it } from 'vitest';
import { FAKE_SLACK } from '../../support/slack/fake-slack.js';
import { OPS_CHANNEL, P1_PAGES, SLACK_ID, firstButton, slackBots } from '../../support/slack/bot.js';
import { slashCommandPayload } from '../../support/slack/signed.js';

const RESPONDERS = Object.values(P1_PAGES);
const start = slackBots();

describe('Slack in Socket Mode', () => {
  it('connects with the app token, declares from a slash_commands envelope (acked by envelope id) and pages by DM', async () => {
    const s = await start({ socketMode: true });
    expect(s.bot.port).toBeUndefined();
    await s.fake.waitForSocketClient(10_000);
    const open = s.fake.callsTo('apps.connections.open');
    expect(open[0]).toMatchObject({ token: FAKE_SLACK.appToken, response: { ok: true, url: s.fake.socketUrl } });
    // The bot token is checked at start; nothing else was called with the app token.
    expect(s.fake.calls.filter((call) => call.token === FAKE_SLACK.appToken).map((call) => call.method)).toEqual(['apps.connections.open']);

    const command = slashCommandPayload({
      command: '/incident',
      text: 'declare Checkout failing sev=P1 service=checkout',
      user_id: SLACK_ID.alice!,
      channel_id: OPS_CHANNEL,
      response_url: s.fake.responseUrl('sm-declare'),
      trigger_id: 'sm-trigger-1',
    });
    const ack = await s.fake.sendEnvelope('slash_commands', command, { envelopeId: 'env-declare-1' });
    expect(ack.envelope_id).toBe('env-declare-1');

    const pages = await s.waitForPages(RESPONDERS);
    const reply = await s.fake.waitForResponse('sm-declare', 10_000);
    expect(reply.body).toMatchObject({ response_type: 'in_channel', text: 'INC-1 declared: Checkout failing. War room #inc-1-checkout-failing; paging 5 roles.' });
    const room = s.warRoom('inc-1-checkout-failing')!;
    const board = await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the pinned board');

    // Slack redelivers the envelope (retry_attempt 1): acked again, nothing happens twice.
    const again = await s.fake.sendEnvelope('slash_commands', command, { envelopeId: 'env-declare-2', retryAttempt: 1, retryReason: 'timeout' });
    expect(again.envelope_id).toBe('env-declare-2');

    // An Acknowledge click arrives as an interactive envelope.
    const button = firstButton(pages.cara!);
    const click = await s.fake.sendEnvelope('interactive', {
      type: 'block_actions',
      user: { id: SLACK_ID.cara, username: 'cara', name: 'cara', team_id: FAKE_SLACK.teamId },
      api_app_id: FAKE_SLACK.appId,
      token: 'fake-verification-token',
      container: { type: 'message', message_ts: pages.cara!.response?.ts, channel_id: pages.cara!.args.channel, is_ephemeral: false },
      trigger_id: 'sm-trigger-click',
      team: { id: FAKE_SLACK.teamId, domain: FAKE_SLACK.teamDomain },
      channel: { id: pages.cara!.args.channel, name: 'directmessage' },
      message: { type: 'message', ts: pages.cara!.response?.ts, text: pages.cara!.args.text, blocks: pages.cara!.args.blocks },
      state: { values: {} },
      response_url: s.fake.responseUrl('sm-click'),
      actions: [{ type: 'button', action_id: button.action_id, block_id: button.block_id, text: button.text, value: button.value, action_ts: '1700000000.000100' }],
    });
    expect(click.envelope_id).toEqual(expect.any(String));
    expect((await s.fake.waitForResponse('sm-click', 10_000)).body).toMatchObject({ response_type: 'ephemeral', text: 'Thanks, Cara Commander: you hold commander for INC-1.' });
    const update = await s.fake.waitForCall('chat.update', (call) => call.args.channel === room, 10_000);
    expect(update.args).toMatchObject({ channel: room, ts: board.response?.ts });

    await s.bot.runtime.settle();
    expect(await s.bot.runtime.store.listRecent(5)).toHaveLength(1);
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
    expect(s.fake.responsesTo('sm-declare')).toHaveLength(1);
    for (const person of RESPONDERS) expect(s.pagesTo(SLACK_ID[person]!)).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });

  it('stops cleanly: the socket closes and does not reconnect', async () => {
    const s = await start({ socketMode: true });
    await s.fake.waitForSocketClient(10_000);
    await s.bot.stop();
    await s.fake.waitFor(() => s.fake.socketClientCount === 0, 10_000, 'the socket to close');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.fake.socketConnectionCount).toBe(1);
    expect(s.fake.callsTo('apps.connections.open')).toHaveLength(1);
  });

  it('reconnects after Slack asks it to (disconnect: refresh_requested) and keeps serving commands', async () => {
    const s = await start({ socketMode: true });
    await s.fake.waitForSocketClient(10_000);
    s.fake.sendDisconnect('refresh_requested');
    await s.fake.waitFor(() => s.fake.socketConnectionCount >= 2 && s.fake.socketClientCount === 1, 20_000, 'the client to reconnect');
    expect(s.fake.successfulCallsTo('apps.connections.open').map((call) => call.token)).toEqual([FAKE_SLACK.appToken, FAKE_SLACK.appToken]);
    const ack = await s.fake.sendEnvelope(
      'slash_commands',
      slashCommandPayload({ command: '/oncall', text: 'sre', user_id: SLACK_ID.mona!, channel_id: OPS_CHANNEL, response_url: s.fake.responseUrl('sm-oncall') }),
    );
    expect(ack.envelope_id).toEqual(expect.any(String));
    expect((await s.fake.waitForResponse('sm-oncall', 10_000)).body).toMatchObject({ response_type: 'ephemeral', text: 'On call now' });
  });
});
