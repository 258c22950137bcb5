/**
 * A page held up at Slack (a hung request, a 429 storm, 5xx answers) while
 * someone else takes the role: once the role is acked, the page is settled as
 * superseded and never delivered. Production mode: real Redis, BullMQ outbox.
 */
import { describe, expect, it } from 'vitest';
import { P1_PAGES, SLACK_ID, slackBots, type SlackBotUnderTest } from '../../support/slack/bot.js';
import type { FakeSlack } from '../../support/slack/fake-slack.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL, until } from '../../support/redis.js';
import type { TimelineEvent } from '../../../src/incidents/types.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const DECLARE = '/incident declare Checkout failing sev=P1 service=checkout anyway=yes';
const PETE = SLACK_ID.pete!;
const OTHERS = Object.values(P1_PAGES).filter((person) => person !== 'pete');

const start = slackBots();

/** The calls that carry pete's page (a DM with the Acknowledge button), not a stand-down. */
function petesPage(fake: FakeSlack) {
  return (args: Record<string, unknown>): boolean =>
    (args.channel === PETE || args.channel === fake.dmWith(PETE)) && JSON.stringify(args.blocks ?? '').includes('/incident ack');
}

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

async function declareWithPeteHeldUp(hold: (fake: FakeSlack) => void): Promise<{ s: SlackBotUnderTest; prefix: string }> {
  const prefix = freshPrefix();
  const s = await start({ env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY }, before: hold });
  await s.slash(DECLARE);
  await s.waitForPages(OTHERS, 20_000);
  // Pete's page has reached Slack and is stuck there.
  await s.fake.waitFor(() => s.fake.callsTo('chat.postMessage').find((call) => petesPage(s.fake)(call.args)), 20_000, "pete's page reaching Slack");
  return { s, prefix };
}

/** The declarer hands tech to pam (its backup) while pete's page is stuck; waits until his page is settled as superseded. */
async function pamAcksTech(s: SlackBotUnderTest): Promise<TimelineEvent[]> {
  const ack = await s.slash('/incident assign INC-1 tech pam');
  const reply = (await s.fake.waitForResponse(ack.responseName, 10_000)).body as { text?: string };
  expect(reply.text ?? '').toContain('is now tech for INC-1');
  return until(async () => {
    const timeline = await s.bot.runtime.store.timeline('INC-1');
    return timeline.some((event) => event.type === 'page.superseded' && event.person === 'pete') ? timeline : undefined;
  }, "pete's page settled as superseded", { timeoutMs: 30_000 });
}

async function expectNeverDelivered(s: SlackBotUnderTest, timeline: TimelineEvent[]): Promise<void> {
  await s.bot.runtime.settle();
  expect(s.pagesTo(PETE)).toEqual([]);
  expect(timeline.filter((event) => event.type === 'page.delivered' && event.person === 'pete')).toEqual([]);
  const staffed = await s.bot.runtime.store.get('INC-1');
  expect(staffed?.slots.find((slot) => slot.role === 'tech')).toMatchObject({ state: 'acked', ackedBy: 'pam' });
}

describe('Slack: a page stuck at the platform while someone else acks the role', () => {
  it('a request that hangs for 20 s: the attempt times out, and the retry finds the page superseded', async () => {
    const { s } = await declareWithPeteHeldUp((fake) => fake.delayNext('chat.postMessage', 20_000, 1, petesPage(fake)));
    await expectNeverDelivered(s, await pamAcksTech(s));
    expect(s.fake.callsTo('chat.postMessage').filter((call) => call.abandoned)).toHaveLength(1);
  });

  it('a 429 storm: each Retry-After goes back to the outbox, and the next try finds the page superseded', async () => {
    const { s } = await declareWithPeteHeldUp((fake) => fake.rateLimitNext('chat.postMessage', 1, 50, petesPage(fake)));
    await expectNeverDelivered(s, await pamAcksTech(s));
  });

  it('5xx answers: the outbox retries with backoff, checking the fence each time', async () => {
    const { s } = await declareWithPeteHeldUp((fake) => fake.httpErrorNext('chat.postMessage', 503, 50, 'Service Unavailable', petesPage(fake)));
    await expectNeverDelivered(s, await pamAcksTech(s));
  });
});
