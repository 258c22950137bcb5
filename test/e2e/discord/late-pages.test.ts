/**
 * Everyone paged after the war room opened can see it, and their page names
 * and links it: a backup paged at step 2, an expert pulled in by /incident
 * escalate, the roles a P2 -> P1 upgrade opens, and someone a role is handed
 * to get a permission overwrite on the private channel before their DM.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, discordBots, type DiscordBotUnderTest } from '../../support/discord/bot.js';
import type { FakeMessage } from '../../support/discord/fake-discord.js';
import { backupAfterASecond } from '../../support/escalation.js';

const start = discordBots();
const ROOM = 'inc-1-checkout-failing';

async function letIn(s: DiscordBotUnderTest, person: string): Promise<void> {
  const members = () => s.fake.channelByName(ROOM)?.permission_overwrites.filter((o) => o.type === 1).map((o) => o.id) ?? [];
  await s.fake.waitFor(() => members().includes(DISCORD_ID[person]!), 15_000, `${person} let into the war room`);
}

function pageText(s: DiscordBotUnderTest, person: string): string {
  return JSON.stringify(s.pagesTo(person)[0] ?? {});
}

/** The DM names the room and carries Discord's channel mention (<#id>, a clickable #name). */
function expectLinked(s: DiscordBotUnderTest, dm: FakeMessage): void {
  const text = JSON.stringify({ content: dm.content, embeds: dm.embeds });
  expect(text).toContain(ROOM);
  expect(text).toContain(`<#${s.fake.channelByName(ROOM)!.id}>`);
}

/** `person`'s overwrite on the war room was put before the DM was posted. */
function letInBefore(s: DiscordBotUnderTest, person: string, dm: FakeMessage): void {
  const room = s.fake.channelByName(ROOM)!.id;
  const overwrite = s.fake.calls.findIndex((call) => call.method === 'PUT' && call.path === `/channels/${room}/permissions/${DISCORD_ID[person]!}` && (call.status ?? 0) < 300);
  const posted = s.fake.calls.findIndex((call) => call.method === 'POST' && (call.response as { id?: string } | undefined)?.id === dm.id);
  expect(overwrite, `${person}'s overwrite on the war room`).toBeGreaterThanOrEqual(0);
  expect(posted).toBeGreaterThan(overwrite);
}

describe('Discord: the first pages link the room once it opens', () => {
  it('each first page ends up linking the room (edited in place if it went out first), and nobody got a second page', async () => {
    const s = await start();
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } });
    const first = ['cara', 'pete', 'sam', 'pia', 'cody'];
    await s.waitForPages(first);
    const room = await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    for (const person of first) {
      await s.fake.waitFor(() => JSON.stringify(s.pagesTo(person)[0]?.embeds ?? []).includes(`<#${room.id}>`), 15_000, `${person}'s page linking the room`);
      expectLinked(s, s.pagesTo(person)[0]!);
    }
    await s.bot.runtime.settle();
    for (const person of first) expect(s.pagesTo(person)).toHaveLength(1);
  });
});

describe('Discord: people paged after the room opened are let in', () => {
  it('a backup paged at step 2 is let in before the page, and the page links the room', async () => {
    const s = await start({ configure: backupAfterASecond });
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P1', service: 'checkout' } });
    await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    const { cat } = await s.waitForPages(['cat']); // comms's backup (nobody acks)
    await letIn(s, 'cat');
    letInBefore(s, 'cat', cat!);
    expectLinked(s, cat!);
  });

  it('an expert pulled in with escalate and the roles an upgrade opens', async () => {
    const s = await start();
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P2', service: 'checkout' } });
    await s.waitForPages(['cara', 'pete']);
    await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    await s.slash({ name: 'incident', subcommand: 'escalate', options: { target: 'sre', incident: 'INC-1', reason: 'database is slow' } });
    await s.waitForPages(['sam']);
    await letIn(s, 'sam');
    expect(pageText(s, 'sam')).toContain(ROOM);
    letInBefore(s, 'sam', s.pagesTo('sam')[0]!);
    expectLinked(s, s.pagesTo('sam')[0]!);
    await s.slash({ name: 'incident', subcommand: 'sev', options: { severity: 'P1', incident: 'INC-1', reason: 'it is spreading' } });
    await s.waitForPages(['pia', 'cody']);
    for (const person of ['pia', 'cody']) {
      await letIn(s, person);
      letInBefore(s, person, s.pagesTo(person)[0]!);
      expectLinked(s, s.pagesTo(person)[0]!);
    }
  });

  it('someone a role is handed to (handoff, assign) is let in, and the DM names and links the room', async () => {
    const s = await start();
    await s.slash({ name: 'incident', subcommand: 'declare', options: { title: 'Checkout failing', severity: 'P2', service: 'checkout' } });
    await s.waitForPages(['cara', 'pete']);
    await s.fake.waitFor(() => s.fake.channelByName(ROOM), 15_000, 'the war room');
    await s.slash({ name: 'incident', subcommand: 'handoff', options: { incident: 'INC-1', person: 'cole' } });
    await s.slash({ name: 'incident', subcommand: 'assign', options: { incident: 'INC-1', role: 'tech', person: 'pam' } });
    for (const person of ['cole', 'pam']) {
      const dm = await s.fake.waitFor(() => s.fake.dmsTo(DISCORD_ID[person]!).find((message) => JSON.stringify(message.embeds).includes('You are now')), 15_000, `${person}'s DM`);
      await letIn(s, person);
      letInBefore(s, person, dm);
      expectLinked(s, dm);
    }
  });
});
