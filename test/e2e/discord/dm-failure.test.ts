/**
 * A primary whose DMs are closed (Discord answers 403, code 50007): the backup
 * is paged within a second instead of at the step's time (5 minutes), and the
 * timeline and the board say why. Production mode: real Redis, BullMQ outbox
 * and timers, the real Discord adapter.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, P1_PAGES, discordBots } from '../../support/discord/bot.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL, until } from '../../support/redis.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const start = discordBots();
const ROOM = 'inc-1-checkout-failing';
const PETE = DISCORD_ID.pete!;

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

describe('Discord: a primary who can never be reached', () => {
  it('the backup is paged within a second, and the timeline and the board say why', async () => {
    const prefix = freshPrefix();
    const s = await start({
      env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY },
      before: (fake) => fake.setDmClosed(PETE, true),
    });
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } });
    const others = Object.values(P1_PAGES).filter((person) => person !== 'pete');
    const { pam } = await s.waitForPages([...others, 'pam'], 20_000);
    const petesDm = s.fake.dmChannelOf(PETE);
    const refused = s.fake.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${petesDm}/messages` && call.status === 403);
    expect(refused).toHaveLength(1); // never tried again: the failure is for good
    const pamPosted = s.fake.calls.find((call) => call.method === 'POST' && (call.response as { id?: string } | undefined)?.id === pam!.id);
    // Step 2 is five minutes away; the failure moved tech on at once.
    expect(pamPosted!.at - refused[0]!.at).toBeLessThan(1_000);
    expect(s.pagesTo('pete')).toEqual([]);

    const timeline = await until(async () => {
      const events = await s.bot.runtime.store.timeline('INC-1');
      return events.some((event) => event.type === 'page.delivered' && event.person === 'pam') ? events : undefined;
    }, "pam's page on the timeline", { timeoutMs: 10_000 });
    // Delivered, with Discord's reference to the very message (channel/message id).
    const delivered = timeline.find((event) => event.type === 'page.delivered' && event.person === 'pam');
    expect(delivered?.data.ref).toBe(`${pam!.channel_id}/${pam!.id}`);
    const failed = timeline.filter((event) => event.type === 'page.failed');
    expect(failed.map((event) => [event.role, event.person])).toEqual([['tech', 'pete']]);
    expect(String(failed[0]!.data.reason)).toContain('Discord said 50007');
    const step = timeline.find((event) => event.type === 'escalation.step' && event.role === 'tech');
    expect(step?.data).toMatchObject({ step: 1, via: 'backup' });

    // The board: tech pages pam, and says pete's page failed and why.
    const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    await s.fake.waitFor(() => {
      const fields = (s.board(room.id)?.embeds[0] as { fields?: Array<{ name: string; value: string }> } | undefined)?.fields ?? [];
      const tech = fields.find((field) => field.name === 'tech')?.value ?? '';
      return /^Pam Payments · paged .* · paging\nPete Payments: page failed: Discord said 50007/.test(tech);
    }, 15_000, 'the board naming why pete was passed over');
    expect(s.errors()).toEqual([]);
  });
});
