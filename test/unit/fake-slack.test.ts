import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi, type Logger } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../support/slack/fake-slack.js';
import { eventCallback, postInteraction, postSlashCommand, slashCommandPayload } from '../support/slack/signed.js';

const { WebClient, ErrorCode } = webApi;
const SECRET = 'test-secret';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // Apps first (so Socket Mode clients shut down instead of reconnecting), then the fakes.
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function startFake(options?: Parameters<typeof FakeSlack.start>[0]): Promise<FakeSlack> {
  const fake = await FakeSlack.start(options);
  cleanups.push(() => fake.close());
  return fake;
}

/** A Bolt/web-api logger that keeps what it is told instead of printing it. */
function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (...msg: unknown[]) => {
    lines.push(`${level} ${msg.map(String).join(' ')}`);
  };
  let current = LogLevel.DEBUG;
  return {
    lines,
    debug: () => {},
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    setLevel: (level: LogLevel) => {
      current = level;
    },
    getLevel: () => current,
    setName: () => {},
  };
}

const fastRetries = { retries: 2, minTimeout: 0, maxTimeout: 0 };

describe('FakeSlack Web API', () => {
  it('lets a real WebClient post a message and get a ts; records the call with decoded args', async () => {
    const fake = await startFake();
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logger: captureLogger() });
    const created = await client.conversations.create({ name: 'inc-42' });
    const channelId = created.channel!.id!;
    expect(channelId).toMatch(/^C/);

    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*P1* declared' } }];
    const posted = await client.chat.postMessage({ channel: channelId, text: 'P1 declared', blocks });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe(channelId);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message?.text).toBe('P1 declared');

    const [call] = fake.callsTo('chat.postMessage');
    expect(call).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', tokenSource: 'header', contentType: 'form', httpStatus: 200 });
    expect(call!.args).toEqual({ channel: channelId, text: 'P1 declared', blocks });

    // Posting by user id goes to a stable DM; unknown channel ids are rejected like Slack does.
    const dm = await client.chat.postMessage({ channel: 'UCARA', text: 'you are paged' });
    expect(dm.channel).toBe(fake.dmWith('UCARA'));
    expect((await client.conversations.open({ users: 'UCARA' })).channel?.id).toBe(dm.channel);
    await expect(client.chat.postMessage({ channel: 'C999NOPE', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'channel_not_found' },
    });

    // chat.update and pins.add work against what was posted.
    await client.chat.update({ channel: channelId, ts: posted.ts!, text: 'P1 resolved' });
    expect(fake.messagesIn(channelId)[0]?.text).toBe('P1 resolved');
    await client.pins.add({ channel: channelId, timestamp: posted.ts! });
    await expect(client.pins.add({ channel: channelId, timestamp: posted.ts! })).rejects.toMatchObject({ data: { error: 'already_pinned' } });
  });

  it('answers name_taken to the second conversations.create of the same name', async () => {
    const fake = await startFake();
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logger: captureLogger() });
    await client.conversations.create({ name: 'inc-7' });
    await expect(client.conversations.create({ name: 'inc-7' })).rejects.toMatchObject({ data: { ok: false, error: 'name_taken' } });
    await expect(client.conversations.create({ name: 'Inc 7' })).rejects.toMatchObject({ data: { error: 'invalid_name_specials' } });
    expect(fake.callsTo('conversations.create').map((c) => c.response?.error ?? 'ok')).toEqual(['ok', 'name_taken', 'invalid_name_specials']);
  });

  it('has its 429 + Retry-After honoured and retried by WebClient', async () => {
    const fake = await startFake();
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logger: captureLogger(), retryConfig: fastRetries });
    fake.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const result = await client.chat.postMessage({ channel: 'UCARA', text: 'hello' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const calls = fake.callsTo('chat.postMessage');
    expect(calls.map((c) => c.httpStatus)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);

    // With rejectRateLimitedCalls the client gives up at once.
    const impatient = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logger: captureLogger(), rejectRateLimitedCalls: true });
    fake.rateLimitNext('chat.postMessage', 30);
    await expect(impatient.chat.postMessage({ channel: 'UCARA', text: 'again' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 30,
    });
  });

  it('fails on demand with failNext, checks tokens, and rejects unknown methods', async () => {
    const fake = await startFake({ missingUsers: ['UGONE'] });
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logger: captureLogger() });
    const { channel } = await client.conversations.create({ name: 'war-room' });

    fake.failNext('conversations.setTopic', 'ratelimited');
    await expect(client.conversations.setTopic({ channel: channel!.id!, topic: 'P1' })).rejects.toMatchObject({ data: { error: 'ratelimited' } });
    await client.conversations.setTopic({ channel: channel!.id!, topic: 'P1' });
    expect(fake.channel('war-room')?.topic.value).toBe('P1');

    await expect(client.conversations.invite({ channel: channel!.id!, users: 'UGONE' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await client.conversations.invite({ channel: channel!.id!, users: 'UCARA,UPETE' });
    await expect(client.conversations.invite({ channel: channel!.id!, users: 'UCARA' })).rejects.toMatchObject({ data: { error: 'already_in_channel' } });

    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, logger: captureLogger() });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logger: captureLogger() });
    await expect(anonymous.chat.postMessage({ channel: 'UCARA', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(client.apps.connections.open()).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(client.apiCall('no.such.method')).rejects.toMatchObject({ data: { error: 'unknown_method' } });

    // JSON requests with the token in the Authorization header are understood too.
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: 'Bearer xoxb-test', 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: channel!.id, text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: channel!.id });
    expect(fake.callsTo('chat.postMessage').at(-1)).toMatchObject({ contentType: 'json', args: { blocks: [{ type: 'divider' }] } });

    // delayNext holds the answer back.
    fake.delayNext('users.info', 200);
    const before = Date.now();
    const info = await client.users.info({ user: 'UCARA' });
    expect(info.user?.id).toBe('UCARA');
    expect(Date.now() - before).toBeGreaterThanOrEqual(190);

    await expect(fake.waitFor((f) => f.callsTo('views.open').length > 0, 50)).rejects.toThrow(/timed out.*\n.*auth\.test: invalid_auth/);
  });
});

describe('FakeSlack with a Bolt App over HTTP', () => {
  async function startHttpApp(fake: FakeSlack) {
    const logger = captureLogger();
    const app = new App({ token: 'xoxb-test', signingSecret: SECRET, clientOptions: { slackApiUrl: fake.apiUrl }, logger });
    const seen: Array<{ text: string; retryNum: number | undefined; retryReason: string | undefined }> = [];
    app.command('/muster', async ({ command, ack, respond, context }) => {
      seen.push({ text: command.text, retryNum: context.retryNum, retryReason: context.retryReason });
      await ack({ response_type: 'ephemeral', text: 'Mustering…' });
      await respond({ response_type: 'in_channel', text: `P1 declared: ${command.text}` });
    });
    app.action('ack_page', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `acked by ${body.user.id}` });
    });
    // app.start(0) listens on a free port and resolves with the node:http Server.
    const server = await app.start(0);
    cleanups.push(() => app.stop());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    return { app, url, seen, logger };
  }

  const command = (fake: FakeSlack) => ({
    command: '/muster',
    text: 'payments down',
    user_id: 'UALICE',
    channel_id: 'C0INCIDENTS',
    channel_name: 'incidents',
    response_url: fake.responseUrl('cmd'),
  });

  it('receives a signed slash command; ack becomes the HTTP response and respond() reaches the response_url', async () => {
    const fake = await startFake();
    const { url, seen } = await startHttpApp(fake);
    const res = await postSlashCommand(url, SECRET, command(fake), { retryNum: 1, retryReason: 'http_timeout' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'Mustering…' });
    const response = await fake.waitForResponse('cmd');
    expect(response.body).toEqual({ response_type: 'in_channel', text: 'P1 declared: payments down' });
    expect(seen).toEqual([{ text: 'payments down', retryNum: 1, retryReason: 'http_timeout' }]);
    // Bolt verified the bot token at construction time.
    expect(fake.callsTo('auth.test')[0]).toMatchObject({ token: 'xoxb-test', response: { ok: true, user_id: 'UBOT' } });

    const interaction = await postInteraction(url, SECRET, {
      type: 'block_actions',
      user: { id: 'UCARA', username: 'cara', team_id: 'T1' },
      api_app_id: 'A1',
      team: { id: 'T1', domain: 'fake' },
      channel: { id: 'C0INCIDENTS', name: 'incidents' },
      trigger_id: '1.2.3',
      response_url: fake.responseUrl('btn'),
      actions: [{ type: 'button', action_id: 'ack_page', block_id: 'b1', value: 'inc-1', action_ts: '1700000000.000100' }],
    });
    expect(interaction.status).toBe(200);
    expect((await fake.waitForResponse('btn')).body).toEqual({ replace_original: true, text: 'acked by UCARA' });
  });

  it('rejects a bad signature with 401 and never runs the handler', async () => {
    const fake = await startFake();
    const { url, seen } = await startHttpApp(fake);
    const res = await postSlashCommand(url, SECRET, command(fake), { signatureOverride: 'v0=deadbeef' });
    expect(res.status).toBe(401);
    const wrongSecret = await postSlashCommand(url, 'not-the-secret', command(fake));
    expect(wrongSecret.status).toBe(401);
    expect(seen).toEqual([]);
    expect(fake.responses).toEqual([]);
  });

  it('rejects a request whose timestamp is 6 minutes old with 401', async () => {
    const fake = await startFake();
    const { url, seen } = await startHttpApp(fake);
    const res = await postSlashCommand(url, SECRET, command(fake), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });
});

describe('FakeSlack Socket Mode with a Bolt App', () => {
  it('connects, delivers a slash command envelope to the handler, and receives the ack', async () => {
    const fake = await startFake();
    const logger = captureLogger();
    const app = new App({ token: 'xoxb-test', appToken: 'xapp-test', socketMode: true, clientOptions: { slackApiUrl: fake.apiUrl }, logger });
    const seen: Array<{ text: string; retryNum: number | undefined }> = [];
    app.command('/muster', async ({ command, ack, respond, context }) => {
      seen.push({ text: command.text, retryNum: context.retryNum });
      await ack({ text: 'Mustering…' });
      await respond('war room ready');
    });
    const events: Array<{ type: string; retryNum: number | undefined }> = [];
    app.event('app_mention', async ({ event, context }) => {
      events.push({ type: event.type, retryNum: context.retryNum });
    });

    await app.start();
    cleanups.push(() => app.stop());
    await fake.waitForSocketClient();
    expect(fake.callsTo('apps.connections.open')[0]).toMatchObject({ token: 'xapp-test', response: { ok: true, url: fake.socketUrl } });

    const ack = await fake.sendEnvelope(
      'slash_commands',
      slashCommandPayload({ command: '/muster', text: 'checkout 500s', user_id: 'UALICE', channel_id: 'C0INCIDENTS', response_url: fake.responseUrl('sm') }),
    );
    expect(ack.envelope_id).toEqual(expect.any(String));
    expect(ack.payload).toEqual({ text: 'Mustering…' });
    expect((await fake.waitForResponse('sm')).body).toEqual({ text: 'war room ready' });
    expect(seen).toEqual([{ text: 'checkout 500s', retryNum: undefined }]);

    // Events are acked by Bolt before the listener runs; retry_attempt becomes context.retryNum.
    const eventAck = await fake.sendEnvelope('events_api', eventCallback({ type: 'app_mention', user: 'UALICE', text: '<@UBOT> status', channel: 'C0INCIDENTS', ts: '1700000000.000200' }), {
      retryAttempt: 2,
      retryReason: 'timeout',
    });
    expect(eventAck.payload).toEqual({});
    await fake.waitFor(() => events.length > 0);
    expect(events).toEqual([{ type: 'app_mention', retryNum: 2 }]);
  });
});
