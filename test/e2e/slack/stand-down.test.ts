/**
 * Stand-downs through the real Slack adapter in production mode (real Redis,
 * BullMQ): an ack, a downgrade and the resolve each tell the people still
 * being paged for the roles they end, once, and nobody else; the board then
 * shows no role as paging.
 */
import { describe, expect, it } from 'vitest';
import { SLACK_ID, slackBots, type SlackBotUnderTest } from '../../support/slack/bot.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { REDIS_URL } from '../../support/redis.js';
import { backupAfterASecond } from '../../support/escalation.js';
import { cleanedPrefixes } from '../../support/prefixes.js';

const start = slackBots();
const ROOM = 'inc-1-checkout-failing';
const PRIMARIES = ['cara', 'pete', 'sam', 'pia', 'cody'];
const BACKUPS = ['cole', 'pam', 'sid', 'pat', 'cat'];

/** Key prefixes of the bots started here, removed after each test whatever happened. */
const freshPrefix = cleanedPrefixes();

function standDowns(s: SlackBotUnderTest, person: string): string[] {
  return s.dmsTo(SLACK_ID[person]!).map((call) => String(call.args.text)).filter((text) => /no longer needed/.test(text));
}

/** Every stand-down DM so far, by person (people with none left out). */
function allStandDowns(s: SlackBotUnderTest): Record<string, string[]> {
  const told: Record<string, string[]> = {};
  for (const person of Object.keys(SLACK_ID)) {
    const texts = standDowns(s, person);
    if (texts.length > 0) told[person] = texts;
  }
  return told;
}

async function quiet(s: SlackBotUnderTest): Promise<void> {
  await s.bot.runtime.settle();
}

describe('Slack: stand-downs', () => {
  it('ack, downgrade and resolve stand down exactly the people still paging, once each', async () => {
    const prefix = freshPrefix();
    const s = await start({ configure: backupAfterASecond, env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY } });
    await s.slash('/incident declare Checkout failing sev=P1 service=checkout');
    const pages = await s.waitForPages([...PRIMARIES, ...BACKUPS], 20_000);
    expect(allStandDowns(s)).toEqual({});

    // pete takes tech: pam, paged as its backup, is stood down.
    await s.click(pages.pete!, SLACK_ID.pete!);
    await s.fake.waitFor(() => standDowns(s, 'pam').length > 0, 10_000, "pam's stand-down");
    await quiet(s);
    expect(allStandDowns(s)).toEqual({ pam: ['INC-1: you are no longer needed as tech: Pete Payments acknowledged. Thank you.'] });

    // P1 -> P2 keeps commander and tech: ops, product and comms are released, with both people each paged.
    await s.slash('/incident sev INC-1 P2 smaller than it looked');
    const released = ['sam', 'sid', 'pia', 'pat', 'cody', 'cat'];
    await s.fake.waitFor(() => released.every((person) => standDowns(s, person).length > 0), 10_000, 'the downgrade stand-downs');
    await quiet(s);
    const downgraded = allStandDowns(s);
    expect(Object.keys(downgraded).sort()).toEqual(['pam', ...released].sort());
    for (const person of released) expect(downgraded[person], person).toEqual([expect.stringMatching(/^INC-1: you are no longer needed as (ops|product|comms): the incident was downgraded/)]);

    // The resolve: only commander still pages (cara and cole); pete holds tech and hears nothing.
    await s.slash('/incident resolve INC-1 payment gateway restarted');
    await s.fake.waitFor(() => standDowns(s, 'cara').length > 0 && standDowns(s, 'cole').length > 0, 10_000, 'the resolve stand-downs');
    await quiet(s);
    const resolved = allStandDowns(s);
    expect(Object.keys(resolved).sort()).toEqual(['cara', 'cole', 'pam', ...released].sort());
    for (const person of ['cara', 'cole']) expect(resolved[person], person).toEqual(['INC-1 was resolved: you are no longer needed as commander. Thank you.']);
    for (const person of ['pam', ...released]) expect(resolved[person], person).toEqual(downgraded[person]);

    // The board: no role left paging.
    const room = s.warRoom(ROOM)!;
    const board = s.pinnedBoard(room)!;
    const drawn = JSON.stringify(s.fake.messagesIn(room).find((message) => message.ts === board.response?.ts)?.blocks ?? []);
    expect(drawn).toContain('cancelled (resolved)');
    expect(drawn).toContain('no longer needed');
    expect(drawn).not.toMatch(/· paging/);
    // And nobody was paged twice on the way.
    for (const person of [...PRIMARIES, ...BACKUPS]) expect(s.pagesTo(SLACK_ID[person]!), person).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });
});
