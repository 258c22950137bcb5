/**
 * Everyone paged after the war room opened can see it, and their page names
 * it: an expert pulled in by /incident escalate and the roles a P2 -> P1
 * upgrade opens get a permission overwrite on the private channel.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, discordBots, type DiscordBotUnderTest } from '../../support/discord/bot.js';

const start = discordBots();
const ROOM = 'inc-1-checkout-failing';

async function letIn(s: DiscordBotUnderTest, person: string): Promise<void> {
  const members = () => s.fake.channelByName(ROOM)?.permission_overwrites.filter((o) => o.type === 1).map((o) => o.id) ?? [];
  await s.fake.waitFor(() => members().includes(DISCORD_ID[person]!), 15_000, `${person} let into the war room`);
}

function pageText(s: DiscordBotUnderTest, person: string): string {
  return JSON.stringify(s.pagesTo(person)[0] ?? {});
}

describe('Discord: people paged after the room opened are let in', () => {
  it('an expert pulled in with escalate and the roles an upgrade opens', async () => {
    const s = await start();
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P2', service: 'checkout' } });
    await s.waitForPages(['cara', 'pete']);
    await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    await s.slash({ name: 'incident', subcommand: 'escalate', options: { target: 'sre', incident: 'INC-1', reason: 'database is slow' } });
    await s.waitForPages(['sam']);
    await letIn(s, 'sam');
    expect(pageText(s, 'sam')).toContain(ROOM);
    // Paged after the room opened: the page links it.
    expect(pageText(s, 'sam')).toContain(`<#${s.fake.channelByName(ROOM)!.id}>`);
    await s.slash({ name: 'incident', subcommand: 'sev', options: { severity: 'P1', incident: 'INC-1', reason: 'it is spreading' } });
    await s.waitForPages(['pia', 'cody']);
    for (const person of ['pia', 'cody']) {
      await letIn(s, person);
      expect(pageText(s, person)).toContain(ROOM);
    }
  });
});
