/**
 * Everyone paged after the room opened gets into it, and their page names it:
 * a backup paged at step 2, an expert pulled in by /incident escalate, and the
 * roles a severity upgrade opens. Real Slack protocol against the fake; the
 * fake's channel members are what a person could see.
 */
import { describe, expect, it } from 'vitest';
import { SLACK_ID, slackBots, type SlackBotUnderTest } from '../../support/slack/bot.js';
import type { RecordedCall } from '../../support/slack/fake-slack.js';
import { backupAfterASecond } from '../../support/escalation.js';

const start = slackBots();
const ROOM = 'inc-1-checkout-failing';

async function member(s: SlackBotUnderTest, room: string, person: string): Promise<void> {
  await s.fake.waitFor(() => s.fake.channel(room)?.members.has(SLACK_ID[person]!), 15_000, `${person} in the war room`);
}

function pageText(s: SlackBotUnderTest, person: string): string {
  return String(s.pagesTo(SLACK_ID[person]!)[0]?.args.text ?? '');
}

/** The page names the room and carries Slack's channel link (<#C…>, a clickable #name). */
function expectLinked(s: SlackBotUnderTest, person: string, room: string): void {
  expect(pageText(s, person)).toContain(`#${ROOM}`);
  expect(JSON.stringify(s.pagesTo(SLACK_ID[person]!)[0]!.args.blocks)).toContain(`<#${room}>`);
}

/** The DM `person` got was posted after a successful conversations.invite that let them into `room`. */
function invitedBefore(s: SlackBotUnderTest, person: string, room: string, dm: RecordedCall): void {
  const invite = s.fake.successfulCallsTo('conversations.invite').find((call) => call.args.channel === room && String(call.args.users).split(',').includes(SLACK_ID[person]!));
  expect(invite, `${person} invited to ${room}`).toBeDefined();
  expect(s.fake.calls.indexOf(invite!)).toBeLessThan(s.fake.calls.indexOf(dm));
}

/** The page as `person` sees it now in their DM (edited in place once the room opened). */
function pageNow(s: SlackBotUnderTest, person: string): string {
  const sent = s.pagesTo(SLACK_ID[person]!)[0]!;
  const ts = String((sent.response as { ts?: string } | undefined)?.ts);
  const channel = String(sent.args.channel);
  const message = s.fake.messages.find((candidate) => candidate.ts === ts && (candidate.channel === channel || candidate.channel === s.dmChannel(SLACK_ID[person]!)));
  return JSON.stringify(message?.blocks ?? []);
}

describe('Slack: the first pages link the room once it opens', () => {
  it('each first page, sent before the room existed, ends up linking it, and nobody got a second page', async () => {
    const s = await start();
    await s.slash('/incident declare Checkout failing sev=P1 service=checkout');
    const first = ['cara', 'pete', 'sam', 'pia', 'cody'];
    await s.waitForPages(first, 15_000);
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    for (const person of first) {
      await s.fake.waitFor(() => pageNow(s, person).includes(`<#${room}>`), 15_000, `${person}'s page linking the room`);
      expect(pageNow(s, person)).toContain('/incident ack INC-1');
      expect(s.pagesTo(SLACK_ID[person]!)).toHaveLength(1);
    }
    await s.bot.runtime.settle();
    for (const person of first) expect(s.pagesTo(SLACK_ID[person]!)).toHaveLength(1);
  });
});

describe('Slack: people paged after the room opened are let in', () => {
  it('a backup paged at step 2 is invited before the page, and the page names the room', async () => {
    const s = await start({ configure: backupAfterASecond });
    await s.slash('/incident declare Checkout failing sev=P1 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    await s.waitForPages(['cat'], 15_000); // comms's backup (nobody acks)
    await member(s, room, 'cat');
    const invited = s.fake.successfulCallsTo('conversations.invite').findIndex((call) => String(call.args.users).includes(SLACK_ID.cat!));
    const paged = s.fake.calls.indexOf(s.pagesTo(SLACK_ID.cat!)[0]!);
    expect(invited).toBeGreaterThanOrEqual(0);
    expect(s.fake.calls.indexOf(s.fake.successfulCallsTo('conversations.invite')[invited]!)).toBeLessThan(paged);
    expect(pageText(s, 'cat')).toContain(`#${ROOM}`);
    // Paged after the room opened: the page links it.
    expect(JSON.stringify(s.pagesTo(SLACK_ID.cat!)[0]!.args.blocks)).toContain(`<#${room}>`);
  });

  it('an expert pulled in with /incident escalate and the roles a P2 -> P1 upgrade opens are let in', async () => {
    const s = await start();
    await s.slash('/incident declare Checkout failing sev=P2 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    await s.waitForPages(['cara', 'pete'], 15_000);
    await s.slash('/incident escalate INC-1 sre database is slow');
    await s.waitForPages(['sam'], 15_000);
    await member(s, room, 'sam');
    invitedBefore(s, 'sam', room, s.pagesTo(SLACK_ID.sam!)[0]!);
    expectLinked(s, 'sam', room);
    await s.slash('/incident sev INC-1 P1 it is spreading');
    await s.waitForPages(['pia', 'cody'], 15_000);
    for (const person of ['pia', 'cody']) {
      await member(s, room, person);
      invitedBefore(s, person, room, s.pagesTo(SLACK_ID[person]!)[0]!);
      expectLinked(s, person, room);
    }
  });

  it('a rate-limited invite holds the page back: the expert is let in first, then paged once', async () => {
    const s = await start();
    await s.slash('/incident declare Checkout failing sev=P2 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    await s.waitForPages(['cara', 'pete'], 15_000);
    s.fake.rateLimitNext('conversations.invite', 1, 1, (args) => args.users === SLACK_ID.sam);
    await s.slash('/incident escalate INC-1 sre database is slow');
    await s.waitForPages(['sam'], 15_000);
    await member(s, room, 'sam');
    expect(s.fake.callsTo('conversations.invite').filter((call) => call.args.users === SLACK_ID.sam).map((call) => call.httpStatus)).toEqual([429, 200]);
    invitedBefore(s, 'sam', room, s.pagesTo(SLACK_ID.sam!)[0]!);
    await s.bot.runtime.settle();
    expect(s.pagesTo(SLACK_ID.sam!)).toHaveLength(1);
  });

  it('someone a role is handed to (/incident handoff, /incident assign) is let in, and the DM names and links the room', async () => {
    const s = await start();
    await s.slash('/incident declare Checkout failing sev=P2 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom(ROOM), 15_000, 'the war room');
    await s.waitForPages(['cara', 'pete'], 15_000);
    await s.slash('/incident handoff INC-1 cole');
    await s.slash('/incident assign INC-1 tech pam');
    for (const person of ['cole', 'pam']) {
      const dm = await s.fake.waitFor(() => s.dmsTo(SLACK_ID[person]!).find((call) => String(call.args.text).includes('You are now')), 15_000, `${person}'s DM`);
      await member(s, room, person);
      invitedBefore(s, person, room, dm);
      expect(String(dm.args.text)).toContain(`Join the war room #${ROOM}`);
      expect(JSON.stringify(dm.args.blocks)).toContain(`<#${room}>`);
    }
  });
});
