import { describe, expect, it } from 'vitest';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;

describe('the update cadence', () => {
  it('reminds the commander when an update is due, then pages the duty manager when it is overdue', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await h.say(person, '/incident ack');
    await h.advance(30 * MIN);
    expect(h.chat.pagesTo('cara').at(-1)?.message.text).toContain('a status update is due');
    expect(h.events.filter((e) => e.type === 'update.due')).toHaveLength(1);
    await h.advance(9 * MIN);
    expect(h.events.some((e) => e.type === 'update.overdue')).toBe(false);
    await h.advance(1 * MIN);
    expect(h.events.find((e) => e.type === 'update.overdue')?.data).toMatchObject({ dutyManager: 'dora' });
    expect(h.chat.pagesTo('dora').at(-1)?.message.text).toContain('status update is overdue');
  });

  it('an update restarts the clock and goes to the war room and the broadcast channel', async () => {
    const h = await harness(testConfig((raw) => { raw.channels = { broadcast: '#incidents' }; }));
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('cara', '/incident ack');
    h.clock.advance(25 * MIN);
    const reply = await h.say('cara', '/incident update INC-1 Rolled back 4.2.1; error rate falling');
    expect(reply.message.text).toBe('Update posted for INC-1.');
    const posted = h.chat.delivered.filter((d) => d.message.title === 'Update on INC-1 [P1] from Cara Commander');
    expect(posted.map((d) => d.to.kind).sort()).toEqual(['broadcast', 'room']);
    expect(posted[0]?.message.text).toBe('Rolled back 4.2.1; error rate falling');
    await h.advance(10 * MIN); // the old due time (30 min) passes quietly
    expect(h.events.some((e) => e.type === 'update.due')).toBe(false);
    await h.advance(20 * MIN); // 30 minutes after the update
    expect(h.events.filter((e) => e.type === 'update.due')).toHaveLength(1);
  });

  it('a snooze needs a reason, is recorded, and moves the reminder', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    expect((await h.say('alice', '/incident snooze INC-1 20m')).message.text).toContain('needs a duration');
    expect((await h.say('alice', '/incident update INC-1')).message.text).toContain('Say what changed');
    h.clock.advance(28 * MIN);
    await h.say('alice', '/incident snooze INC-1 20m waiting for the payment provider');
    expect(h.events.find((e) => e.type === 'update.snoozed')?.data).toMatchObject({ reason: 'waiting for the payment provider', until: h.clock.now() + 20 * MIN });
    await h.advance(19 * MIN);
    expect(h.events.some((e) => e.type === 'update.due')).toBe(false);
    await h.advance(1 * MIN);
    expect(h.events.filter((e) => e.type === 'update.due')).toHaveLength(1);
  });
});
