import { describe, expect, it } from 'vitest';
import { RetryLaterError, UndeliverableError, type Destination, type Message } from '../../src/ports.js';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;

/** Makes the harness's chat fail DMs to some people, for good or for now, until told otherwise. */
async function flakyHarness() {
  const h = await harness();
  const gone = new Set<string>();
  const failingFor = new Set<string>();
  const attempts: string[] = [];
  const send = h.chat.send.bind(h.chat);
  h.chat.send = async (to: Destination, message: Message) => {
    if (to.kind === 'person') {
      attempts.push(to.person);
      if (gone.has(to.person)) throw new UndeliverableError(`cannot_dm_user: ${to.person} has DMs closed`);
      if (failingFor.has(to.person)) throw new Error('503 service unavailable');
    }
    return send(to, message);
  };
  return { ...h, flaky: { gone, failingFor, attempts } };
}

const standDowns = (h: Awaited<ReturnType<typeof harness>>, person: string) =>
  h.chat.pagesTo(person).filter((d) => /no longer needed|was resolved/.test(d.message.text));

describe('stand-down', () => {
  it('tells the backup still being paged, once, when the primary acknowledges', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('pam')).toHaveLength(1);
    await h.say('pete', '/incident ack');
    expect(standDowns(h, 'pam').map((d) => d.message.text)).toEqual(['INC-1: you are no longer needed as tech: Pete Payments acknowledged. Thank you.']);
    expect(standDowns(h, 'pete')).toEqual([]);
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.filter((e) => e.type === 'page.stood_down').map((e) => e.data)).toEqual([{ people: ['pam'], reason: 'acked', taker: 'pete' }]);
  });

  it('an assignment stands down the others still paged for the role, once; the last one paged hears it moved', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.advance(5 * MIN); // pete, then pam, paged for tech
    await h.say('alice', '/incident assign INC-1 tech mona');
    expect(standDowns(h, 'pete').map((d) => d.message.text)).toEqual(['INC-1: you are no longer needed as tech: it was assigned to Mona Manager.']);
    expect(standDowns(h, 'pam')).toEqual([]);
    expect(h.chat.pagesTo('pam').at(-1)?.message.text).toBe('tech for INC-1 has moved from you to Mona Manager (by Alice Declarer).');
    expect(standDowns(h, 'mona')).toEqual([]);
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.filter((e) => e.type === 'page.stood_down').map((e) => e.data)).toEqual([{ people: ['pete'], reason: 'assigned', taker: 'mona' }]);
    await h.advance(10 * MIN);
    expect(standDowns(h, 'pete')).toHaveLength(1);
  });

  it('stands down everyone still paging when the incident is resolved, and the board says cancelled, not paging', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.advance(5 * MIN);
    await h.say('alice', '/incident resolve INC-1 false alarm');
    expect(standDowns(h, 'pete')).toHaveLength(1);
    expect(standDowns(h, 'pam')).toHaveLength(1);
    expect(standDowns(h, 'mona')).toEqual([]);
    const board = h.chat.delivered.filter((d) => d.message.pin).at(-1)!;
    expect(board.message.fields?.[0]?.value).toContain('cancelled');
    expect(board.message.fields?.[0]?.value).not.toContain('paging');
    await h.advance(10 * MIN);
    expect(h.chat.pagesTo('mona')).toEqual([]);
  });

  it('stands down, once, exactly the people a downgrade no longer needs', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P2 service=checkout');
    await h.say('pete', '/incident ack');
    // P3 needs only tech: the commander slot, still paging cara, is released.
    await h.say('alice', '/incident sev INC-1 P3 smaller than it looked');
    expect(standDowns(h, 'cara').map((d) => d.message.text)).toEqual([
      'INC-1: you are no longer needed as commander: the incident was downgraded and no longer needs that role.',
    ]);
    expect(standDowns(h, 'pete')).toEqual([]);
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.filter((e) => e.type === 'page.stood_down').map((e) => [e.role, e.data.people, e.data.reason])).toEqual([['commander', ['cara'], 'released']]);
    await h.advance(10 * MIN);
    expect(standDowns(h, 'cara')).toHaveLength(1);
    expect(h.chat.pagesTo('cole')).toEqual([]);
  });
});

describe('a page is delivered only while it is still wanted', () => {
  it('a page retried after the ack is settled as superseded, never sent', async () => {
    const h = await flakyHarness();
    h.flaky.failingFor.add('pam');
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.advance(5 * MIN);
    expect(h.flaky.attempts.filter((p) => p === 'pam').length).toBeGreaterThan(0);
    expect(h.chat.pagesTo('pam')).toEqual([]);
    // the first attempts failed; pete acks before the outbox tries again
    await h.say('pete', '/incident ack');
    h.flaky.failingFor.delete('pam');
    await h.muster.start({ watchdog: false });
    await h.outbox.idle();
    const pages = h.chat.pagesTo('pam').filter((d) => d.message.title?.startsWith('PAGE'));
    expect(pages).toEqual([]);
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.some((e) => e.type === 'page.superseded' && e.person === 'pam')).toBe(true);
  });

  it('a page that can never arrive moves the slot to its next step at once, and says why', async () => {
    const h = await flakyHarness();
    h.flaky.gone.add('pete');
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    // no clock advance: the backup is paged straight away
    expect(h.chat.pagesTo('pam').filter((d) => d.message.title?.startsWith('PAGE'))).toHaveLength(1);
    const timeline = await h.store.timeline('INC-1');
    const failed = timeline.find((e) => e.type === 'page.failed');
    expect(failed?.person).toBe('pete');
    expect(String(failed?.data.reason)).toContain('DMs closed');
    expect(timeline.some((e) => e.type === 'escalation.step' && e.data.step === 1)).toBe(true);
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.slots[0]?.pages.map((p) => [p.person, p.delivery])).toEqual([['pete', 'failed'], ['pam', 'delivered']]);
    // The board shows the backup paging, and why the primary was passed over.
    const board = h.chat.delivered.filter((d) => d.message.pin).at(-1)!;
    expect(board.message.fields?.[0]?.value).toMatch(/^Pam Payments · paged .* · paging\nPete Payments: page failed: cannot_dm_user: pete has DMs closed$/);
    // the backup's own timer later finds its step already run: nobody is paged twice
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('pam').filter((d) => d.message.title?.startsWith('PAGE'))).toHaveLength(1);
  });

  it('when nobody in the chain can be reached, the duty manager hears it', async () => {
    const h = await flakyHarness();
    for (const person of ['pete', 'pam', 'mona']) h.flaky.gone.add(person);
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.filter((e) => e.type === 'page.failed').map((e) => e.person)).toEqual(['pete', 'pam', 'mona']);
    expect(timeline.some((e) => e.type === 'escalation.unreachable')).toBe(true);
    expect(h.chat.pagesTo('dora').map((d) => d.message.text)).toEqual([expect.stringContaining('nobody could be reached for tech')]);
  });
});

describe('everyone paged can get into the war room', () => {
  it('lets in the backup paged at step 2, an expert pulled in, and roles an upgrade opened; every page names the room', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    expect(h.chat.invites).toEqual([]);
    await h.advance(5 * 60_000);
    expect(h.chat.invites).toEqual([{ room: 'test:#inc-1-checkout-down', people: ['pam'] }]);
    await h.say('pete', '/incident ack');
    await h.say('pete', '/incident escalate INC-1 sre database looks odd');
    await h.say('pete', '/incident sev INC-1 P1 customers affected');
    const invited = h.chat.invites.flatMap((entry) => entry.people);
    expect(invited).toEqual(expect.arrayContaining(['pam', 'sam', 'cara', 'pia', 'cody']));
    const pages = h.chat.delivered.filter((d) => d.to.kind === 'person' && d.message.title?.startsWith('PAGE'));
    expect(pages.length).toBeGreaterThan(4);
    for (const page of pages) expect(page.message.text).toContain('#inc-1-checkout-down');
  });
});

/**
 * Puts the first send matching `matches` back with a 429, and while it waits
 * runs `meanwhile` (as a platform slower than the people would let happen).
 * Returns how often the matching message reached the chat's send.
 */
function putBackOnce(h: Awaited<ReturnType<typeof harness>>, matches: (to: Destination, message: Message) => boolean, meanwhile: () => Promise<unknown>) {
  const tries = { count: 0 };
  const send = h.chat.send.bind(h.chat);
  h.chat.send = async (to: Destination, message: Message) => {
    if (matches(to, message)) {
      tries.count += 1;
      if (tries.count === 1) {
        await meanwhile();
        throw new RetryLaterError('429 from the chat', 20, true);
      }
    }
    return send(to, message);
  };
  return tries;
}

const dispatched = (h: Awaited<ReturnType<typeof harness>>, person: string, args: string, requestId: string) =>
  // (dispatch, not h.say: say waits for the outbox, and the send it interrupts is part of it)
  () => h.muster.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId });

describe('reminders that became pointless', () => {
  it('a response SLA warning put back by a 429, when someone acknowledges meanwhile, is settled, not sent', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P2 service=checkout');
    const warning = (to: Destination, message: Message) => to.kind === 'room' && message.text.includes('nobody has acknowledged yet');
    const tries = putBackOnce(h, warning, dispatched(h, 'pete', 'ack INC-1 tech', 'ack-during-429'));
    await h.advance(50 * MIN); // respond 1h: the warning comes 10 min before
    await h.outbox.idle();
    expect(h.events.some((e) => e.type === 'sla.warning' && e.data.sla === 'respond')).toBe(true);
    expect(tries.count).toBe(1);
    expect(h.chat.delivered.filter((d) => warning(d.to, d.message))).toEqual([]);
  });

  it('a resolution warning put back by a 429, when the incident is resolved meanwhile, is settled, not sent', async () => {
    const h = await harness(testConfig((raw) => void ((raw.severities as Record<string, Record<string, unknown>>).P2!.resolve = '4h')));
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    await h.say('cara', '/incident ack');
    const warning = (to: Destination, message: Message) => to.kind === 'room' && message.text.includes('the resolution target is');
    const tries = putBackOnce(h, warning, dispatched(h, 'cara', 'resolve INC-1 queue drained', 'resolve-during-429'));
    await h.advance(3 * 60 * MIN); // the warning an hour before the 4 h target
    await h.outbox.idle();
    expect(h.events.some((e) => e.type === 'sla.warning' && e.data.sla === 'resolve')).toBe(true);
    expect(tries.count).toBe(1);
    expect(h.chat.delivered.filter((d) => warning(d.to, d.message))).toEqual([]);
  });

  it('an update reminder put back by a 429, when the update is posted meanwhile, is settled, not sent', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('cara', '/incident ack');
    let tries = 0;
    const send = h.chat.send.bind(h.chat);
    h.chat.send = async (to: Destination, message: Message) => {
      if (to.kind === 'person' && to.person === 'cara' && message.text.includes('a status update is due')) {
        tries += 1;
        // The first try meets a rate limit; while it waits, the commander posts the update.
        if (tries === 1) {
          // (dispatch, not h.say: say waits for the outbox, and this send is part of it)
          await h.muster.dispatch({ name: 'incident', args: 'update INC-1 payments failover is done', actor: 'console:cara', conversation: 'console:#general', requestId: 'update-during-429' });
          throw new RetryLaterError('429 from the chat', 20, true);
        }
      }
      return send(to, message);
    };
    await h.advance(30 * MIN); // the update is due: its reminder goes to the commander
    await h.outbox.idle();
    expect(tries).toBe(1); // it came back after the update and was settled before reaching the chat
    expect(h.chat.pagesTo('cara').filter((d) => d.message.text.includes('a status update is due'))).toEqual([]);
    expect((await h.store.timeline('INC-1')).map((e) => e.type)).toEqual(expect.arrayContaining(['update.due', 'update.posted']));
  });
});
