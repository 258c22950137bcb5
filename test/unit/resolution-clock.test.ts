import { describe, expect, it } from 'vitest';
import { expectedTimers } from '../../src/app.js';
import { harness, testConfig } from '../support/fixture.js';

const HOUR = 3_600_000;

/** P2 must be resolved within 48 hours, P1 within 4 (the support organisation's targets). */
const config = () =>
  testConfig((raw) => {
    const severities = raw.severities as Record<string, Record<string, unknown>>;
    severities.P1!.resolve = '4h';
    severities.P2!.resolve = '48h';
  });

const room = (h: Awaited<ReturnType<typeof harness>>) => h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);

describe('the resolution clock', () => {
  it('warns the war room an hour before the target, then records the breach and pages the duty manager, once', async () => {
    const h = await harness(config());
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.resolveBy).toBe(incident.declaredAt + 48 * HOUR);
    expect(expectedTimers(incident).filter((t) => t.kind === 'resolve').map((t) => t.key).sort()).toEqual(['breach', 'warn']);
    await h.say('cara', '/incident ack');
    await h.advance(46 * HOUR);
    expect(h.events.some((e) => e.type === 'sla.warning' && e.data.sla === 'resolve')).toBe(false);
    await h.advance(1 * HOUR);
    expect(h.events.find((e) => e.type === 'sla.warning' && e.data.sla === 'resolve')?.data).toMatchObject({ leftMs: HOUR });
    expect(room(h)).toContain('INC-1: the resolution target is 10:00:00 (Europe/Berlin), 1:00:00 from now, and the incident is not resolved yet.');
    await h.advance(1 * HOUR);
    expect(h.events.filter((e) => e.type === 'sla.breached' && e.data.sla === 'resolve')).toHaveLength(1);
    expect(h.chat.pagesTo('dora').at(-1)?.message.text).toBe('INC-1 has not been resolved within its target of 48:00:00. You are the duty manager: please step in.');
    expect(room(h)).toContain('INC-1: not resolved within its target of 48:00:00. Paging the duty manager, Dora Duty.');
    expect((await h.store.get('INC-1'))?.resolveBreachedAt).toBe(h.clock.now());
    await h.advance(48 * HOUR);
    expect(h.events.filter((e) => e.type === 'sla.breached' && e.data.sla === 'resolve')).toHaveLength(1);
  });

  it('stops at resolve, and restarts from the declare time with the new target on a severity change', async () => {
    const h = await harness(config());
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    await h.say('cara', '/incident ack');
    await h.advance(2 * HOUR);
    await h.say('alice', '/incident sev INC-1 P1 getting worse');
    const upgraded = (await h.store.get('INC-1'))!;
    expect(upgraded.resolveBy).toBe(upgraded.declaredAt + 4 * HOUR);
    await h.say('alice', '/incident resolve INC-1');
    expect(expectedTimers((await h.store.get('INC-1'))!).filter((t) => t.kind === 'resolve')).toEqual([]);
    await h.advance(60 * HOUR);
    expect(h.events.some((e) => (e.type === 'sla.warning' || e.type === 'sla.breached') && e.data.sla === 'resolve')).toBe(false);
  });

  it('runs no clock for a severity without a target', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Orders lag sev=P2 service=checkout');
    expect((await h.store.get('INC-1'))?.resolveBy).toBeUndefined();
  });
});
