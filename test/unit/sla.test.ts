import { describe, expect, it } from 'vitest';
import { expectedTimers } from '../../src/app.js';
import { harness } from '../support/fixture.js';

const MIN = 60_000;

describe('the response SLA', () => {
  it('warns the war room before the breach, then records it and pages the duty manager', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.respondBy).toBe(incident.declaredAt + 60 * MIN);
    expect(expectedTimers(incident).filter((t) => t.kind === 'sla').map((t) => t.key).sort()).toEqual(['breach', 'warn']);
    await h.advance(49 * MIN);
    expect(h.events.some((e) => e.type === 'sla.warning')).toBe(false);
    await h.advance(1 * MIN);
    const warning = h.events.find((e) => e.type === 'sla.warning');
    expect(warning?.data).toMatchObject({ sla: 'respond', leftMs: 10 * MIN });
    const room = () => h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);
    expect(room()).toContain('INC-1: response due in 10 min and nobody has acknowledged yet.');
    await h.advance(10 * MIN);
    expect(h.events.filter((e) => e.type === 'sla.breached')).toHaveLength(1);
    expect(h.chat.pagesTo('dora').at(-1)?.message.text).toContain('nobody has acknowledged within the response time');
    expect(room()).toContain('INC-1: response time breached with no acknowledgement. Paging the duty manager, Dora Duty.');
    await h.advance(60 * MIN);
    expect(h.events.filter((e) => e.type === 'sla.breached')).toHaveLength(1);
  });

  it('is met by the first acknowledgement: no warning, no breach', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    h.clock.advance(12 * MIN);
    await h.say('cara', '/incident ack');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.respondedAt).toBe(h.clock.now());
    expect(expectedTimers(incident).filter((t) => t.kind === 'sla')).toEqual([]);
    await h.advance(2 * 60 * MIN);
    expect(h.events.some((e) => e.type === 'sla.warning' || e.type === 'sla.breached')).toBe(false);
  });

  it('switches to the new severity on an upgrade, counted from the declare', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Orders lag sev=P3 service=checkout');
    expect((await h.store.get('INC-1'))?.respondBy).toBeUndefined();
    h.clock.advance(5 * MIN);
    await h.say('alice', '/incident sev INC-1 P2');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.respondBy).toBe(incident.declaredAt + 60 * MIN);
  });
});
