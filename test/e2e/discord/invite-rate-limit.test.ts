/**
 * The invite that goes before a late page is part of delivering it: when
 * Discord rate-limits the permission overwrite, the page goes back to the
 * outbox with Discord's delay (instead of waiting inside the REST queue after
 * its fence was checked), so a role taken meanwhile is never paged.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, discordBots } from '../../support/discord/bot.js';
import { until } from '../../support/redis.js';

const start = discordBots();
const ROOM = 'inc-1-checkout-failing';

/** A P2 whose room is open (commander and tech paged); sam, of the sre team, is not in it yet. */
async function declaredP2() {
  const s = await start();
  await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P2', service: 'checkout' } });
  await s.waitForPages(['cara', 'pete']);
  const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
  return { s, samsOverwrite: `/channels/${room.id}/permissions/${DISCORD_ID.sam!}` };
}

/** Sam was paged once, after his overwrite went through (its calls answered `statuses`). */
function expectLetInThenPaged(s: Awaited<ReturnType<typeof start>>, samsOverwrite: string, statuses: number[], sam: { id: string }): void {
  const puts = s.fake.calls.filter((call) => call.method === 'PUT' && call.path === samsOverwrite);
  expect(puts.map((call) => call.status)).toEqual(statuses);
  const posted = s.fake.calls.findIndex((call) => call.method === 'POST' && (call.response as { id?: string } | undefined)?.id === sam.id);
  expect(posted).toBeGreaterThan(s.fake.calls.indexOf(puts.at(-1)!));
  expect(s.pagesTo('sam')).toHaveLength(1);
}

describe('Discord: a rate-limited invite before a late page', () => {
  it('the page waits for the invite: the expert is let in, then paged once', async () => {
    const { s, samsOverwrite } = await declaredP2();
    s.fake.rateLimitNext((call) => call.method === 'PUT' && call.path === samsOverwrite, 0.5, 1);
    await s.slash({ name: 'incident', subcommand: 'escalate', options: { target: 'sre', incident: 'INC-1', reason: 'database is slow' } });
    const { sam } = await s.waitForPages(['sam']);
    await s.bot.runtime.settle();
    expectLetInThenPaged(s, samsOverwrite, [429, 204], sam!);
  });

  it('the page waits in the outbox, and is settled unsent once the role is taken meanwhile', async () => {
    const { s, samsOverwrite } = await declaredP2();
    s.fake.rateLimitNext((call) => call.method === 'PUT' && call.path === samsOverwrite, 2, 1);

    await s.slash({ name: 'incident', subcommand: 'escalate', options: { target: 'sre', incident: 'INC-1', reason: 'database is slow' } });
    await s.fake.waitFor(() => s.fake.calls.find((call) => call.path === samsOverwrite && call.status === 429), 15_000, "sam's overwrite rate-limited");
    // While the page to sam waits, the commander hands the expert role to sid.
    await s.slash({ name: 'incident', subcommand: 'assign', options: { incident: 'INC-1', role: 'expert-sre', person: 'sid' } });

    const outcome = await until(async () => {
      const events = await s.bot.runtime.store.timeline('INC-1');
      return events.find((event) => event.person === 'sam' && (event.type === 'page.superseded' || event.type === 'page.delivered'));
    }, "what became of sam's page", { timeoutMs: 20_000 });
    expect(outcome.type).toBe('page.superseded');
    await s.bot.runtime.settle();
    expect(s.pagesTo('sam')).toEqual([]);
    expect(s.fake.dmsTo(DISCORD_ID.sid!).some((message) => JSON.stringify(message.embeds).includes('You are now'))).toBe(true);
  });

  it('a 5xx on the overwrite is tried again at once: the expert is let in, then paged once', async () => {
    const { s, samsOverwrite } = await declaredP2();
    s.fake.failNext((call) => call.method === 'PUT' && call.path === samsOverwrite, 502, { message: 'Bad Gateway', code: 0 });
    await s.slash({ name: 'incident', subcommand: 'escalate', options: { target: 'sre', incident: 'INC-1', reason: 'database is slow' } });
    const { sam } = await s.waitForPages(['sam']);
    await s.bot.runtime.settle();
    expectLetInThenPaged(s, samsOverwrite, [502, 204], sam!);
  });
});
