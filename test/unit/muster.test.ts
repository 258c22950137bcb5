import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { harness, testConfig } from '../support/fixture.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const DECLARE = '/incident declare Checkout is failing sev=P1 service=checkout';
const MIN = 60_000;

describe('the P1 muster', () => {
  it('pages the primary of every role at declare, with an Acknowledge button', async () => {
    const h = await harness();
    const reply = await h.say('alice', DECLARE);
    expect(reply.message.text).toContain('INC-1 declared');
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) {
      const [page] = h.chat.pagesTo(person);
      expect(page?.message.buttons?.[0]?.command).toMatch(/^\/incident ack INC-1 \w+$/);
    }
    const types = h.events.map((e) => e.type);
    expect(types[0]).toBe('incident.declared');
    expect(types.filter((t) => t === 'page.sent')).toHaveLength(5);
    const board = h.chat.delivered.filter((d) => d.message.fields?.length === 5);
    expect(board.length).toBeGreaterThan(0);
  });

  it('escalates a silent primary to the backup, then assembles when everyone acks', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    for (const person of ['cara', 'pete', 'sam', 'pia']) await h.say(person, '/incident ack');
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('cat')).toHaveLength(1);
    const step = h.events.find((e) => e.type === 'escalation.step');
    expect(step).toMatchObject({ role: 'comms', data: { via: 'backup', targets: ['cat'] } });
    const reply = await h.say('cat', '/incident ack');
    expect(reply.message.text).toContain('Cat Comms');
    const assembled = h.events.find((e) => e.type === 'incident.assembled');
    expect(assembled?.data).toMatchObject({ elapsedMs: 5 * MIN, breached: false });
    const roomLines = h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);
    expect(roomLines).toContain('Team assembled in 5:00.');
    // the deadline timer is now stale: nothing more happens
    await h.advance(30 * MIN);
    expect(h.events.some((e) => e.type === 'assembly.breached')).toBe(false);
    expect(h.chat.pagesTo('mona')).toHaveLength(0);
  });

  it('records the breach at the deadline and pages the duty manager once', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    await h.say('cara', '/incident ack');
    await h.advance(15 * MIN);
    const breach = h.events.filter((e) => e.type === 'assembly.breached');
    expect(breach).toHaveLength(1);
    expect(breach[0]?.data).toMatchObject({ missing: ['tech', 'ops', 'product', 'comms'], dutyManager: 'dora' });
    const breachPages = () => h.chat.pagesTo('dora').filter((d) => d.message.text.includes('assembly deadline'));
    expect(breachPages()).toHaveLength(1);
    await h.advance(60 * MIN);
    expect(breachPages()).toHaveLength(1);
    // managers were paged at 10 minutes by every unstaffed chain
    expect(h.chat.pagesTo('mona')).toHaveLength(4);
  });

  it('refuses an ack from someone who was not paged, and a second ack is a no-op', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    const stranger = await h.say('mona', '/incident ack INC-1');
    expect(stranger.message.text).toContain('not paged');
    await h.say('pete', '/incident ack');
    const before = h.events.length;
    const again = await h.say('pete', '/incident ack INC-1');
    expect(again.message.text).toContain('already hold');
    expect(h.events.length).toBe(before);
  });

  it('keeps a hash-chained timeline that verifies', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    await h.say('pete', '/incident ack');
    await h.advance(15 * MIN);
    await h.say('alice', '/incident resolve INC-1 fixed the config');
    const timeline = await h.store.timeline('INC-1');
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(verifyChain(timeline, TEST_AUDIT_KEY)).toBeUndefined();
    const tampered = timeline.map((e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e));
    expect(verifyChain(tampered, TEST_AUDIT_KEY)?.seq).toBe(3);
    expect(verifyChain(timeline.filter((e) => e.seq !== 2), TEST_AUDIT_KEY)?.seq).toBe(3);
  });

  it('stops escalating once resolved', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    await h.say('alice', '/incident resolve INC-1');
    await h.advance(20 * MIN);
    expect(h.chat.pagesTo('pam')).toHaveLength(0);
    // Resolving opens the knowledge task; nothing escalates after it.
    expect(h.events.slice(-2).map((e) => e.type)).toEqual(['incident.resolved', 'knowledge.task_opened']);
  });

  it('keeps the incident when the war room cannot be opened, and still pages by DM', async () => {
    const h = await harness();
    h.chat.refuseRooms = 'name_taken';
    const reply = await h.say('alice', DECLARE, 'console:#ops');
    expect(reply.message.text).toContain('could not be opened (name_taken)');
    expect((await h.store.get('INC-1'))?.room).toBe('console:#ops');
    expect(h.chat.pagesTo('cara')).toHaveLength(1);
  });
});

describe('commands', () => {
  it('answers bad input with usage and records nothing', async () => {
    const h = await harness();
    const cases: Array<[string, RegExp]> = [
      ['/incident declare', /Usage/],
      ['/incident declare sev=P1 service=checkout', /title/],
      ['/incident declare Broken sev=P9 service=checkout', /Unknown severity "P9".*P1, P2, P3/],
      ['/incident declare Broken sev=P1 service=nope', /Unknown service "nope".*checkout/],
      ['/incident declare Broken sev=P1', /service=NAME/],
      ['/incident frobnicate', /Unknown \/incident action/],
      ['/pager now', /Unknown command/],
    ];
    for (const [text, expected] of cases) {
      const reply = await h.say('alice', text);
      expect(reply.visibility).toBe('ephemeral');
      expect(reply.message.text).toMatch(expected);
    }
    expect(await h.store.listRecent(10)).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('lists, shows status and implies the incident inside its war room', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    const room = (await h.store.get('INC-1'))?.room ?? '';
    expect(room).toBe('test:#inc-1-checkout-is-failing');
    const status = await h.say('cara', '/incident status', room);
    expect(status.message.title).toBe('INC-1 [P1] Checkout is failing');
    expect(status.message.fields?.map((f) => f.label)).toEqual(['commander', 'tech', 'ops', 'product', 'comms']);
    const list = await h.say('cara', '/incident list');
    expect(list.message.fields?.[0]?.label).toBe('INC-1 [P1]');
  });

  it('ignores a retried delivery with the same request id', async () => {
    const h = await harness();
    const request = { name: 'incident', args: 'declare Dup sev=P3 service=checkout', actor: 'console:alice', conversation: 'console:#g', requestId: 'same' };
    await h.muster.dispatch(request);
    const second = await h.muster.dispatch(request);
    expect(second.duplicate).toBe(true);
    expect(await h.store.listRecent(10)).toHaveLength(1);
  });

  it('only lets someone with a stake resolve', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    const refused = await h.say('mona', '/incident resolve INC-1');
    expect(refused.message.text).toContain('Only the declarer');
    const ok = await h.say('dora', '/incident resolve INC-1');
    expect(ok.message.text).toBe('INC-1 resolved.');
  });
});

describe('war room and broadcast', () => {
  it('announces in the broadcast channel and tells the declarer about refused invites', async () => {
    const h = await harness(testConfig((raw) => { raw.channels = { broadcast: '#incidents' }; }));
    h.chat.unknownMembers.add('pete');
    const reply = await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    expect(reply.message.text).toContain('War room #inc-1-checkout-is-failing');
    expect(reply.message.text).toContain('could not invite pete (user_not_found)');
    const broadcast = h.chat.delivered.filter((d) => d.to.kind === 'broadcast');
    expect(broadcast.map((d) => d.message.text)).toEqual([
      'INC-1 [P1] Checkout is failing declared by Alice Declarer. War room: #inc-1-checkout-is-failing.',
    ]);
    expect(h.chat.pagesTo('pete')).toHaveLength(1);
    const board = h.chat.delivered.find((d) => d.message.fields?.length === 5);
    expect(board?.message.pin).toBe(true);
  });
});

describe('what people read', () => {
  it('lists war rooms by name, shows the summary on the board, and names an unknown declarer by their chat name', async () => {
    const h = await harness();
    await h.muster.dispatch({
      name: 'incident', args: 'declare "Card payments fail" sev=P3 service=checkout summary="3DS step times out"',
      actor: 'slack:UOUTSIDER', actorName: 'oona', conversation: 'slack:COPS', requestId: 'q1',
    });
    await h.outbox.idle();
    const list = await h.say('pete', '/incident list');
    expect(list.message.fields?.[0]?.value).toBe('Card payments fail · assembling · #inc-1-card-payments-fail');
    const status = await h.say('pete', '/incident status INC-1');
    expect(status.message.text).toMatch(/^3DS step times out\nStatus: assembling\. Declared by oona at/);
    expect(h.events[0]?.actor).toBe('slack:UOUTSIDER');
  });

  it('answers /drill with its usage', async () => {
    const h = await harness();
    expect((await h.say('alice', '/drill')).message.text).toContain('Usage: /drill start <scenario>');
  });
});
