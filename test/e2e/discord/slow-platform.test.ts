/**
 * A page held up at Discord (a hung request, a 429 storm, 5xx answers) while
 * someone else takes the role: once the role is acked, the page is settled as
 * superseded and never delivered. The chat REST client does not retry on its
 * own, so every retry is the outbox's, and each one checks the fence first.
 * Production mode: real Redis, BullMQ outbox, the real Discord adapter.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, P1_PAGES, discordBots, textOf, type DiscordBotUnderTest } from '../../support/discord/bot.js';
import type { FakeDiscord, RecordedCall } from '../../support/discord/fake-discord.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL, until } from '../../support/redis.js';
import type { TimelineEvent } from '../../../src/incidents/types.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const DECLARE = { name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } };
const PETE = DISCORD_ID.pete!;
const OTHERS = Object.values(P1_PAGES).filter((person) => person !== 'pete');

const start = discordBots();

/** The calls that carry pete's page (a DM with the Acknowledge button), not a stand-down or an edit. */
function petesPage(fake: FakeDiscord) {
  return (call: RecordedCall): boolean =>
    call.method === 'POST' && call.path === `/channels/${fake.dmChannelOf(PETE)}/messages` && JSON.stringify(call.body ?? '').includes('"components":[{');
}

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

async function declareWithPeteHeldUp(hold: (fake: FakeDiscord) => void): Promise<DiscordBotUnderTest> {
  const prefix = freshPrefix();
  const s = await start({ env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY }, before: hold });
  await s.slash(DECLARE);
  await s.waitForPages(OTHERS, 20_000);
  // Pete's page has reached Discord and is stuck there.
  await s.fake.waitFor(() => s.fake.calls.find(petesPage(s.fake)), 20_000, "pete's page reaching Discord");
  return s;
}

/** The declarer hands tech to pam (its backup) while pete's page is stuck; waits until his page is settled as superseded. */
async function pamAcksTech(s: DiscordBotUnderTest): Promise<TimelineEvent[]> {
  const assign = await s.slash({ name: 'incident', subcommand: 'assign', options: { incident: 'INC-1', role: 'tech', person: 'pam' } });
  expect(textOf(await s.answered(assign))).toContain('is now tech for INC-1');
  return until(async () => {
    const timeline = await s.bot.runtime.store.timeline('INC-1');
    return timeline.some((event) => event.type === 'page.superseded' && event.person === 'pete') ? timeline : undefined;
  }, "pete's page settled as superseded", { timeoutMs: 30_000 });
}

async function expectNeverDelivered(s: DiscordBotUnderTest, timeline: TimelineEvent[]): Promise<void> {
  await s.bot.runtime.settle();
  expect(s.pagesTo('pete')).toEqual([]);
  expect(timeline.filter((event) => event.type === 'page.delivered' && event.person === 'pete')).toEqual([]);
  const staffed = await s.bot.runtime.store.get('INC-1');
  expect(staffed?.slots.find((slot) => slot.role === 'tech')).toMatchObject({ state: 'acked', ackedBy: 'pam' });
}

describe('Discord: a page stuck at the platform while someone else acks the role', () => {
  it('a request that hangs for 20 s: the attempt times out, and the retry finds the page superseded', async () => {
    const s = await declareWithPeteHeldUp((fake) => fake.delayNext(petesPage(fake), 20_000));
    await expectNeverDelivered(s, await pamAcksTech(s));
    expect(s.fake.calls.filter((call) => petesPage(s.fake)(call) && call.abandoned)).toHaveLength(1);
  });

  it('a 429 storm: each retry_after goes back to the outbox, and the next try finds the page superseded', async () => {
    const s = await declareWithPeteHeldUp((fake) => fake.rateLimitNext(petesPage(fake), 1, 50));
    await expectNeverDelivered(s, await pamAcksTech(s));
  });

  it('5xx answers: the outbox retries with backoff, checking the fence each time', async () => {
    const s = await declareWithPeteHeldUp((fake) => fake.failNext(petesPage(fake), 503, { message: 'Service Unavailable', code: 0 }, 50));
    await expectNeverDelivered(s, await pamAcksTech(s));
  });
});
