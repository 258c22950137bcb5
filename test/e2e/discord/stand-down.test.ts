/**
 * Stand-downs through the real Discord adapter in production mode (real Redis,
 * BullMQ): an ack, a downgrade and the resolve each tell the people still
 * being paged for the roles they end, once, and nobody else; the pinned board
 * then shows no role as paging.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, buttonsOf, discordBots, textOf, type DiscordBotUnderTest } from '../../support/discord/bot.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL } from '../../support/redis.js';
import { backupAfterASecond } from '../../support/escalation.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const start = discordBots();
const ROOM = 'inc-1-checkout-failing';
const PRIMARIES = ['cara', 'pete', 'sam', 'pia', 'cody'];
const BACKUPS = ['cole', 'pam', 'sid', 'pat', 'cat'];

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

function standDowns(s: DiscordBotUnderTest, person: string): string[] {
  return s.fake.dmsTo(DISCORD_ID[person]!).map((message) => message.content ?? '').filter((text) => /no longer needed/.test(text));
}

/** Every stand-down DM so far, by person (people with none left out). */
function allStandDowns(s: DiscordBotUnderTest): Record<string, string[]> {
  const told: Record<string, string[]> = {};
  for (const person of Object.keys(DISCORD_ID)) {
    const texts = standDowns(s, person);
    if (texts.length > 0) told[person] = texts;
  }
  return told;
}

function slash(s: DiscordBotUnderTest, subcommand: string, options: Record<string, string>) {
  return s.slash({ name: 'incident', subcommand, options });
}

describe('Discord: stand-downs', () => {
  it('ack, downgrade and resolve stand down exactly the people still paging, once each', async () => {
    const prefix = freshPrefix();
    const s = await start({ configure: backupAfterASecond, env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY } });
    await slash(s, 'declare', { title: 'Checkout failing', severity: 'P1', service: 'checkout' });
    const pages = await s.waitForPages([...PRIMARIES, ...BACKUPS], 20_000);
    expect(allStandDowns(s)).toEqual({});

    // pete takes tech with his page's button: pam, paged as its backup, is stood down.
    await s.click(buttonsOf(pages.pete!)[0]!.custom_id, 'pete', pages.pete!.id);
    await s.fake.waitFor(() => standDowns(s, 'pam').length > 0, 10_000, "pam's stand-down");
    await s.bot.runtime.settle();
    expect(Object.keys(allStandDowns(s))).toEqual(['pam']);
    expect(standDowns(s, 'pam')).toEqual([expect.stringMatching(/^INC-1: you are no longer needed as tech: .*acknowledged\. Thank you\.$/)]);

    // P1 -> P2 keeps commander and tech: ops, product and comms are released, with both people each paged.
    await slash(s, 'sev', { severity: 'P2', incident: 'INC-1', reason: 'smaller than it looked' });
    const released = ['sam', 'sid', 'pia', 'pat', 'cody', 'cat'];
    await s.fake.waitFor(() => released.every((person) => standDowns(s, person).length > 0), 10_000, 'the downgrade stand-downs');
    await s.bot.runtime.settle();
    const downgraded = allStandDowns(s);
    expect(Object.keys(downgraded).sort()).toEqual(['pam', ...released].sort());
    for (const person of released) expect(downgraded[person], person).toEqual([expect.stringMatching(/^INC-1: you are no longer needed as (ops|product|comms): the incident was downgraded/)]);

    // The resolve: only commander still pages (cara and cole); pete holds tech and hears nothing.
    await slash(s, 'resolve', { incident: 'INC-1', note: 'payment gateway restarted' });
    await s.fake.waitFor(() => standDowns(s, 'cara').length > 0 && standDowns(s, 'cole').length > 0, 10_000, 'the resolve stand-downs');
    await s.bot.runtime.settle();
    const resolved = allStandDowns(s);
    expect(Object.keys(resolved).sort()).toEqual(['cara', 'cole', 'pam', ...released].sort());
    for (const person of ['cara', 'cole']) expect(resolved[person], person).toEqual(['INC-1 was resolved: you are no longer needed as commander. Thank you.']);
    for (const person of ['pam', ...released]) expect(resolved[person], person).toEqual(downgraded[person]);

    // The pinned board: no role left paging.
    const board = textOf(s.board(s.fake.channelByName(ROOM)!.id)!);
    expect(board).toContain('cancelled (resolved)');
    expect(board).toContain('no longer needed');
    expect(board).not.toMatch(/· paging/);
    // And nobody was paged twice on the way.
    for (const person of [...PRIMARIES, ...BACKUPS]) expect(s.pagesTo(person), person).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });
});
