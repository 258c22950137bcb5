/**
 * A primary whose DM can never be delivered (Slack answers conversations.open
 * with user_not_found): the backup is paged within a second instead of at the
 * step's time (5 minutes), and the timeline and the board say why. Production
 * mode: real Redis, BullMQ outbox and timers, the real Slack adapter.
 */
import { describe, expect, it } from 'vitest';
import { P1_PAGES, SLACK_ID, slackBots } from '../../support/slack/bot.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL, until } from '../../support/redis.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const start = slackBots();
const ROOM = 'inc-1-checkout-failing';
const PETE = SLACK_ID.pete!;

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

describe('Slack: a primary who can never be reached', () => {
  it('the backup is paged within a second, and the timeline and the board say why', async () => {
    const prefix = freshPrefix();
    const s = await start({
      env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY },
      before: (fake) => fake.failNext('conversations.open', 'user_not_found', 10, undefined, (args) => args.users === PETE),
    });
    await s.slash('/incident declare Checkout failing sev=P1 service=checkout');
    const others = Object.values(P1_PAGES).filter((person) => person !== 'pete');
    const { pam } = await s.waitForPages([...others, 'pam'], 20_000);
    const refused = s.fake.callsTo('conversations.open').find((call) => call.args.users === PETE && call.response?.error === 'user_not_found');
    expect(refused).toBeDefined();
    // Step 2 is five minutes away; the failure moved tech on at once.
    expect(pam!.at - refused!.at).toBeLessThan(1_000);
    // Never tried again: the failure is for good.
    expect(s.fake.callsTo('conversations.open').filter((call) => call.args.users === PETE)).toHaveLength(1);
    expect(s.pagesTo(PETE)).toEqual([]);

    const timeline = await until(async () => {
      const events = await s.bot.runtime.store.timeline('INC-1');
      return events.some((event) => event.type === 'page.delivered' && event.person === 'pam') ? events : undefined;
    }, "pam's page on the timeline", { timeoutMs: 10_000 });
    // Delivered, with Slack's reference to the very message (channel/ts).
    const delivered = timeline.find((event) => event.type === 'page.delivered' && event.person === 'pam');
    expect(delivered?.data.ref).toBe(`${String(pam!.response?.channel)}/${String(pam!.response?.ts)}`);
    const failed = timeline.filter((event) => event.type === 'page.failed');
    expect(failed.map((event) => [event.role, event.person, event.data.reason])).toEqual([['tech', 'pete', 'Slack said user_not_found']]);
    const step = timeline.find((event) => event.type === 'escalation.step' && event.role === 'tech');
    expect(step?.data).toMatchObject({ step: 1, via: 'backup' });
    expect(timeline.indexOf(failed[0]!)).toBeLessThan(timeline.indexOf(step!));

    // The board: tech pages pam, and says pete's page failed and why.
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    const board = await s.fake.waitFor(() => s.pinnedBoard(room), 15_000, 'the pinned board');
    await s.fake.waitFor(() => {
      const text = JSON.stringify(s.fake.messagesIn(room).find((message) => message.ts === board.response?.ts)?.blocks ?? []);
      return /tech\\nPam Payments · paged [^"]* · paging\\nPete Payments: page failed: Slack said user_not_found/.test(text);
    }, 15_000, 'the board naming why pete was passed over');
    expect(s.errors()).toEqual([]);
  });
});
