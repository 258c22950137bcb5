import { describe, expect, it } from 'vitest';
import { OPS_CHANNEL, P1_PAGES, SLACK_ID, slackBots, type SlackBotUnderTest } from '../../support/slack/bot.js';
import { unixSeconds } from '../../support/slack/signed.js';

const DECLARE = '/incident declare Checkout failing sev=P1 service=checkout';
const ROOM = 'inc-1-checkout-failing';
const RESPONDERS = Object.values(P1_PAGES);

const start = slackBots();

/** Web API calls made after start-up (Bolt's auth.test at init is not a side effect of a request). */
function callsAfterStart(s: SlackBotUnderTest): string[] {
  return s.fake.calls.filter((call) => call.method !== 'auth.test').map((call) => call.method);
}

/** Lets anything a request might have started run to the end. */
async function quiet(s: SlackBotUnderTest): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  await s.bot.runtime.settle();
}

describe('Slack: requests that are not from Slack', () => {
  it('a bad signature gets 401, and no Web API call, response or incident follows', async () => {
    const s = await start();
    const forged = await s.slash(DECLARE, { signatureOverride: 'v0=0000000000000000000000000000000000000000000000000000000000000000' });
    const wrongSecret = await s.slash(DECLARE, { secret: 'not-the-secret' });
    expect([forged.res.status, wrongSecret.res.status]).toEqual([401, 401]);
    await quiet(s);
    expect(callsAfterStart(s)).toEqual([]);
    expect(s.fake.responses).toEqual([]);
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
  });

  it('a timestamp 6 minutes old gets 401 even when correctly signed', async () => {
    const s = await start();
    const stale = await s.slash(DECLARE, { timestamp: unixSeconds() - 6 * 60 });
    expect(stale.res.status).toBe(401);
    await quiet(s);
    expect(callsAfterStart(s)).toEqual([]);
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
    // A fresh one still goes through.
    const fresh = await s.slash(DECLARE);
    expect(fresh.res.status).toBe(200);
    await s.fake.waitForResponse(fresh.responseName, 10_000);
  });
});

describe('Slack: timestamps more than 5 minutes from now, either way (issue 13)', () => {
  it.each([
    ['6 minutes ahead', 6 * 60],
    ['6 minutes behind', -6 * 60],
  ])('a correctly signed request dated %s gets 401 and does nothing', async (_name, offset) => {
    const s = await start();
    const skewed = await s.slash(DECLARE, { timestamp: unixSeconds() + offset });
    expect(skewed.res.status).toBe(401);
    await quiet(s);
    expect(callsAfterStart(s)).toEqual([]);
    expect(s.fake.responses).toEqual([]);
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
  });

  it('4 minutes ahead is still inside the window and goes through', async () => {
    const s = await start();
    const ahead = await s.slash(DECLARE, { timestamp: unixSeconds() + 4 * 60 });
    expect(ahead.res.status).toBe(200);
    await s.fake.waitForResponse(ahead.responseName, 10_000);
    expect(await s.bot.runtime.store.listRecent(5)).toHaveLength(1);
  });
});

describe('Slack: redelivery', () => {
  it('the same slash command delivered twice (same trigger_id, X-Slack-Retry-Num: 1) declares one incident', async () => {
    const s = await start();
    const first = await s.slash(DECLARE, { triggerId: 'trigger-1', responseName: 'declare' });
    const retry = await s.slash(DECLARE, { triggerId: 'trigger-1', responseName: 'declare', retryNum: 1, retryReason: 'http_timeout' });
    expect([first.res.status, retry.res.status]).toEqual([200, 200]);
    await s.waitForPages(RESPONDERS);
    await s.fake.waitForResponse('declare', 10_000);
    await quiet(s);
    expect(await s.bot.runtime.store.listRecent(5)).toHaveLength(1);
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
    expect(s.fake.responsesTo('declare')).toHaveLength(1);
    for (const person of RESPONDERS) expect(s.pagesTo(SLACK_ID[person]!)).toHaveLength(1);
  });

  it('two concurrent deliveries of the same command still declare once', async () => {
    const s = await start();
    const results = await Promise.all([
      s.slash(DECLARE, { triggerId: 'trigger-2', responseName: 'declare' }),
      s.slash(DECLARE, { triggerId: 'trigger-2', responseName: 'declare', retryNum: 1 }),
    ]);
    expect(results.map((r) => r.res.status)).toEqual([200, 200]);
    await s.waitForPages(RESPONDERS);
    await quiet(s);
    expect(await s.bot.runtime.store.listRecent(5)).toHaveLength(1);
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
  });
});

describe('Slack: API failures never lose the incident', () => {
  it('conversations.create refused: the incident exists, the declarer is told why, the DMs still go out', async () => {
    const s = await start({ before: (fake) => fake.failNext('conversations.create', 'restricted_action') });
    const { responseName } = await s.slash(DECLARE);
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    const text = (reply.body as { text: string }).text;
    expect(text).toContain('INC-1 declared, but the war room could not be opened');
    expect(text).toContain('restricted_action');
    expect(text).toContain('Pages still go out by direct message');
    const incident = await s.bot.runtime.store.get('INC-1');
    expect(incident).toMatchObject({ status: 'assembling', room: `slack:${OPS_CHANNEL}` });
    await s.waitForPages(RESPONDERS);
    // No half-made room: nothing created, nobody invited; the board lives where it was declared.
    expect(s.fake.successfulCallsTo('conversations.create')).toEqual([]);
    expect(s.fake.callsTo('conversations.invite')).toEqual([]);
    await s.fake.waitFor(() => s.pinnedBoard(OPS_CHANNEL), 10_000, 'the board pinned in the declaring channel');
  });

  it('an invite refused with user_not_found is listed in the reply; everyone else is still invited and paged', async () => {
    const s = await start({ fake: { missingUsers: ['UPETE'] } });
    const { responseName } = await s.slash(DECLARE);
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    const text = (reply.body as { text: string }).text;
    expect(text).toContain(`War room #${ROOM}`);
    expect(text).toContain('The war room is open, but: could not invite pete (user_not_found)');
    const others = RESPONDERS.filter((p) => p !== 'pete');
    await s.waitForPages(others);
    // pete can never be paged, so his backup pam is paged at once and let into the room.
    await s.waitForPages(['pam']);
    await quiet(s);
    const room = s.warRoom(ROOM)!;
    expect([...s.fake.channel(room)!.members].sort()).toEqual(['UBOT', ...['alice', ...others, 'pam'].map((p) => SLACK_ID[p]!)].sort());
    // A user Slack does not know cannot be paged; Muster does not hammer Slack trying.
    expect(s.fake.callsTo('conversations.open').filter((call) => call.args.users === 'UPETE')).toHaveLength(1);
    expect(s.pagesTo('UPETE')).toEqual([]);
  });

  it('a responder without a Slack id in muster.yaml is named in the reply; the others are invited and paged', async () => {
    const s = await start({ configure: (raw) => void delete (raw.people as Record<string, { slack?: string }>).sam!.slack });
    const { responseName } = await s.slash(DECLARE);
    const text = ((await s.fake.waitForResponse(responseName, 10_000)).body as { text: string }).text;
    expect(text).toContain('sam has no Slack user id in muster.yaml (people.sam.slack)');
    const others = RESPONDERS.filter((p) => p !== 'sam');
    await s.waitForPages(others);
    await quiet(s);
    expect(s.fake.callsTo('conversations.open').map((call) => call.args.users)).not.toContain(SLACK_ID.sam);
    expect(s.logger.lines.some((line) => line.level === 'warn' && line.message.includes('cannot be delivered'))).toBe(true);
  });

  it('the topic refused with not_in_channel is reported; the room, board and pages still happen', async () => {
    const s = await start({ before: (fake) => fake.failNext('conversations.setTopic', 'not_in_channel') });
    const { responseName } = await s.slash(DECLARE);
    const text = ((await s.fake.waitForResponse(responseName, 10_000)).body as { text: string }).text;
    expect(text).toContain(`War room #${ROOM}`);
    expect(text).toContain('could not set the topic (not_in_channel)');
    await s.waitForPages(RESPONDERS);
    await s.fake.waitFor(() => s.pinnedBoard(s.warRoom(ROOM)!), 10_000, 'the pinned board');
  });
});

describe('Slack: rate limits', () => {
  it('429 with Retry-After on chat.postMessage: every responder still gets the DM exactly once', async () => {
    const s = await start({ before: (fake) => fake.rateLimitNext('chat.postMessage', 1, 4) });
    await s.slash(DECLARE);
    await s.waitForPages(RESPONDERS, 20_000);
    const room = s.warRoom(ROOM)!;
    await s.fake.waitFor(() => s.pinnedBoard(room), 20_000, 'the pinned board');
    await quiet(s);
    const posts = s.fake.callsTo('chat.postMessage');
    expect(posts.filter((call) => call.httpStatus === 429)).toHaveLength(4);
    for (const person of RESPONDERS) expect(s.pagesTo(SLACK_ID[person]!), person).toHaveLength(1);
    // Nothing else was doubled either: one board, one announcement, one declared notice.
    const boards = s.postsIn(room).filter((call) => JSON.stringify(call.args.blocks).includes('"fields"'));
    expect(boards).toHaveLength(1);
    expect(s.postsIn('CINCIDENTS')).toHaveLength(1);
  });

  it('429 on the war room calls (create, topic, invite, pin) is waited out, not reported as a failure (create goes back to the outbox)', async () => {
    const s = await start({
      before: (fake) => {
        fake.rateLimitNext('conversations.create', 1);
        fake.rateLimitNext('conversations.setTopic', 1);
        fake.rateLimitNext('conversations.invite', 1, 2);
        fake.rateLimitNext('pins.add', 1);
        fake.rateLimitNext('conversations.open', 1, 2);
      },
    });
    const { responseName } = await s.slash(DECLARE);
    const text = ((await s.fake.waitForResponse(responseName, 20_000)).body as { text: string }).text;
    // Three Retry-Afters of a second each outlast the reply's wait for the room: the reply says it is opening.
    expect(text).toBe(`INC-1 declared: Checkout failing. Paging 5 roles; the war room #${ROOM} is opening and you will be invited.`);
    await s.waitForPages(RESPONDERS, 20_000);
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 20_000, 'the war room');
    await s.fake.waitFor(() => s.pinnedBoard(room), 20_000, 'the pinned board');
    expect(s.fake.channel(room)?.topic.value).toBe('INC-1 [P1] Checkout failing: war room');
    expect(s.fake.channel(room)?.members.size).toBe(7);
    // The 429 on create put the room back in the outbox for Slack's delay: asked again once, and one room made.
    expect(s.fake.callsTo('conversations.create').map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(s.warRoom(`${ROOM}-2`)).toBeUndefined();
    await quiet(s);
    // Nothing was reported as a failure where the command was typed.
    expect(s.postsIn(OPS_CHANNEL).filter((call) => /could not|refused/i.test(JSON.stringify(call.args)))).toEqual([]);
  });
});

describe('Slack: one rate-limited channel holds back nobody else', () => {
  it('while one post waits out a long Retry-After, every other page, the board and the announcement go out', async () => {
    const s = await start({ before: (fake) => fake.rateLimitNext('chat.postMessage', 3, 1) });
    await s.slash(DECLARE);
    const limited = await s.fake.waitFor(() => s.fake.callsTo('chat.postMessage').find((call) => call.httpStatus === 429), 10_000, 'the 429');
    const channel = String(limited.args.channel);
    // Everything else is delivered before the limited call is tried again.
    await s.fake.waitFor(() => {
      const posts = s.fake.successfulCallsTo('chat.postMessage');
      const pagedOthers = RESPONDERS.filter((p) => s.dmChannel(SLACK_ID[p]!) !== channel).every((p) => s.pagesTo(SLACK_ID[p]!).length === 1);
      const broadcast = channel === 'CINCIDENTS' || posts.some((call) => call.args.channel === 'CINCIDENTS');
      return pagedOthers && broadcast;
    }, 10_000, 'every other message');
    const retried = await s.fake.waitFor(
      () => s.fake.successfulCallsTo('chat.postMessage').find((call) => call.args.channel === channel && call.args.text === limited.args.text),
      20_000,
      'the limited post, retried',
    );
    const pages = RESPONDERS.flatMap((p) => s.pagesTo(SLACK_ID[p]!)).filter((call) => call !== retried);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.every((call) => s.fake.calls.indexOf(call) < s.fake.calls.indexOf(retried))).toBe(true);
    await s.waitForPages(RESPONDERS, 20_000);
    for (const person of RESPONDERS) expect(s.pagesTo(SLACK_ID[person]!)).toHaveLength(1);
  });
});

describe('Slack: the modal cannot be opened', () => {
  it('an expired trigger_id answers with the usage instead of silence', async () => {
    const s = await start();
    s.fake.expiredTriggers.add('trigger-late');
    const { responseName } = await s.slash('/incident declare', { triggerId: 'trigger-late' });
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    expect(s.fake.callsTo('views.open').map((call) => call.response?.error)).toEqual(['expired_trigger_id']);
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    expect((reply.body as { text: string }).text).toContain('/incident declare &lt;title&gt; [sev=P1] [service=NAME]');
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
  });
});
