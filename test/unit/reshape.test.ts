import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { expectedTimers } from '../../src/app.js';
import { harness } from '../support/fixture.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const MIN = 60_000;

describe('/incident sev', () => {
  it('upgrades P3 to P1 in one step: opens and pages the missing roles and starts the assembly clock', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Slow checkout sev=P3 service=checkout');
    await h.say('pete', '/incident ack');
    expect((await h.store.get('INC-1'))?.status).toBe('assembled');
    h.clock.advance(2 * MIN);
    const reply = await h.say('pete', '/incident sev INC-1 P1 error rate at 40%');
    expect(reply.message.text).toBe('INC-1 is now P1.');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.status).toBe('assembling');
    expect(incident.assembleDeadlineAt).toBe(h.clock.now() + 15 * MIN);
    expect(incident.slots.map((s) => `${s.role}:${s.state}`)).toEqual(['tech:acked', 'commander:paging', 'ops:paging', 'product:paging', 'comms:paging']);
    for (const person of ['cara', 'sam', 'pia', 'cody']) expect(h.chat.pagesTo(person)).toHaveLength(1);
    expect(h.chat.pagesTo('pete')).toHaveLength(1); // the tech lead is not paged again
    const changed = h.events.find((e) => e.type === 'incident.severity_changed');
    expect(changed?.data).toMatchObject({ from: 'P3', to: 'P1', reason: 'error rate at 40%', opened: ['commander', 'ops', 'product', 'comms'], upgrade: true });
    const room = h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);
    expect(room).toContain('INC-1 upgraded P3 → P1 by Pete Payments: error rate at 40%. Now paging: commander, ops, product, comms.');
    // the new clock breaches 15 minutes after the upgrade, not after the declare
    await h.advance(13 * MIN);
    expect(h.events.some((e) => e.type === 'assembly.breached')).toBe(false);
    await h.advance(2 * MIN);
    expect(h.events.filter((e) => e.type === 'assembly.breached')).toHaveLength(1);
    expect(verifyChain(await h.store.timeline('INC-1'), TEST_AUDIT_KEY)).toBeUndefined();
  });

  it('downgrades: roles no longer needed stop escalating, and the team may count as assembled', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('cara', '/incident ack');
    await h.say('pete', '/incident ack');
    await h.say('cara', '/incident sev INC-1 P2 contained to one region');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.status).toBe('assembled');
    expect(incident.slots.filter((s) => s.state === 'released').map((s) => s.role)).toEqual(['ops', 'product', 'comms']);
    expect(expectedTimers(incident)).toEqual([]);
    await h.advance(20 * MIN);
    expect(h.chat.pagesTo('sid')).toHaveLength(0);
    expect(h.events.some((e) => e.type === 'assembly.breached')).toBe(false);
  });

  it('refuses a change from someone without a stake, and the same severity', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Slow sev=P3 service=checkout');
    expect((await h.say('mona', '/incident sev INC-1 P1')).message.text).toContain('Only the declarer');
    expect((await h.say('alice', '/incident sev INC-1 P3')).message.text).toBe('INC-1 is already P3.');
    expect((await h.say('alice', '/incident sev INC-1 P7')).message.text).toContain('Unknown severity "P7"');
    expect((await h.store.get('INC-1'))?.severity).toBe('P3');
  });
});

describe('/incident escalate', () => {
  it("pages a second-line team's on-call with its own chain, tracked on the board but not holding up assembly", async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Fraud spike sev=P3 service=checkout');
    await h.say('pete', '/incident ack');
    const reply = await h.say('pete', '/incident escalate INC-1 sre possible card testing attack');
    expect(reply.message.text).toBe('Paging expert: sre for INC-1.');
    expect(h.chat.pagesTo('sam')).toHaveLength(1);
    expect((await h.store.get('INC-1'))?.status).toBe('assembled');
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('sid')).toHaveLength(1); // the expert team's backup, on its own chain
    await h.say('sid', '/incident ack INC-1');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.slots.find((s) => s.role === 'expert-sre')).toMatchObject({ state: 'acked', ackedBy: 'sid' });
    const again = await h.say('pete', '/incident escalate INC-1 sre still odd');
    expect(again.message.text).toContain('already paged');
  });

  it('pages a named person, and refuses an unknown target with the choices', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Fraud sev=P3 service=checkout');
    await h.say('alice', '/incident escalate INC-1 dora need a decision on refunds');
    expect(h.chat.pagesTo('dora')).toHaveLength(1);
    const bad = await h.say('alice', '/incident escalate INC-1 nasa');
    expect(bad.message.text).toMatch(/Unknown team or person "nasa"\. Teams: command, payments/);
  });
});

describe('/incident assign and handoff', () => {
  it('re-points a role at once and tells both people', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('cara', '/incident ack');
    await h.say('cara', '/incident handoff INC-1 cole');
    const slot = (await h.store.get('INC-1'))!.slots.find((s) => s.role === 'commander');
    expect(slot).toMatchObject({ state: 'acked', ackedBy: 'cole' });
    expect(h.chat.pagesTo('cole').at(-1)?.message.text).toBe('You are now commander for INC-1 (assigned by Cara Commander). Join the war room #inc-1-checkout-down.');
    expect(h.chat.pagesTo('cara').at(-1)?.message.text).toBe('commander for INC-1 has moved from you to Cole Backup (by Cara Commander).');
    expect(h.events.find((e) => e.type === 'slot.assigned')).toMatchObject({ role: 'commander', person: 'cole', data: { from: 'cara' } });
  });

  it('staffing an unacked role by assignment stops its escalation and can complete the muster', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Slow sev=P3 service=checkout');
    await h.say('alice', '/incident assign INC-1 tech pam');
    expect((await h.store.get('INC-1'))?.status).toBe('assembled');
    await h.advance(10 * MIN);
    expect(h.chat.pagesTo('pam').map((d) => d.message.text)).toEqual(['You are now tech for INC-1 (assigned by Alice Declarer). Join the war room #inc-1-slow.']);
    const bad = await h.say('alice', '/incident assign INC-1 ops sam');
    expect(bad.message.text).toBe('INC-1 has no ops role to assign.');
  });
});

describe('/incident mitigate', () => {
  it('records the mitigation, stops the assembly clock, and is refused twice', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('pete', '/incident ack');
    h.clock.advance(4 * MIN);
    const reply = await h.say('pete', '/incident mitigate INC-1 rolled back 4.2.1');
    expect(reply.message.text).toBe('INC-1 mitigated.');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident).toMatchObject({ status: 'mitigated', mitigatedAt: h.clock.now() });
    expect(h.events.find((e) => e.type === 'incident.mitigated')?.data).toMatchObject({ elapsedMs: 4 * MIN, note: 'rolled back 4.2.1' });
    await h.advance(20 * MIN);
    expect(h.events.some((e) => e.type === 'assembly.breached')).toBe(false);
    expect((await h.say('pete', '/incident mitigate INC-1')).message.text).toBe('INC-1 is already mitigated.');
    expect((await h.say('pete', '/incident resolve INC-1')).message.text).toBe('INC-1 resolved.');
  });
});
