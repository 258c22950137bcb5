import { describe, expect, it } from 'vitest';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;

const SCENARIO = playbookSchema.parse({
  id: 'drill-checkout',
  title: 'Checkout outage drill',
  drill: true,
  match: { services: ['checkout'] },
  steps: [{ id: 'confirm', kind: 'check', title: 'Read the dashboard', role: 'tech', due: '5m' }],
});

async function drillHarness() {
  const config = testConfig((raw) => {
    raw.channels = { broadcast: '#incidents' };
    raw.audiences = { execs: { kind: 'chat', conversation: 'console:#execs', severities: ['P1'] } };
  });
  return harness(config, { playbooks: new PlaybookLibrary([SCENARIO]) });
}

describe('drills', () => {
  it('a drill is a real muster marked DRILL everywhere, heard by no audience, and scored at assembly', async () => {
    const h = await drillHarness();
    const started = await h.say('mona', '/drill start drill-checkout');
    expect(started.message.text).toMatch(/^Drill INC-1 started: Checkout outage drill/);
    const pages = h.chat.delivered.filter((d) => d.to.kind === 'person');
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const delivered of h.chat.delivered) {
      const text = `${delivered.message.title ?? ''} ${delivered.message.text}`;
      expect(text).toMatch(/DRILL/);
    }
    expect(h.chat.delivered.filter((d) => d.to.kind === 'broadcast' || (d.to.kind === 'room' && d.to.conversation === 'console:#execs'))).toEqual([]);
    h.clock.advance(2 * MIN);
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await h.say(person, '/incident ack INC-1');
    const scored = (await h.store.timeline('INC-1')).find((e) => e.type === 'drill.scored');
    expect(scored?.data).toMatchObject({ assembledMs: 2 * MIN, targetMs: 15 * MIN, breached: false });
    const card = h.chat.pagesTo('mona').at(-1)?.message;
    expect(card?.title).toContain('Drill scorecard INC-1');
    expect(card?.fields?.map((f) => f.value)).toContain('Pete Payments · 2:00');
    const report = await h.say('mona', '/drill report INC-1');
    expect(report.message.text).toContain('Assembled in 2:00 (target 15:00)');
    const trend = await h.say('mona', '/drill trend');
    expect(trend.message.text).toBe('1 drill; median time to assemble 2:00; 0 breached the deadline.');
  });

  it('only leads start drills; not while a real P1 is open; a real P1 stops a running drill at once', async () => {
    const h = await drillHarness();
    expect((await h.say('pete', '/drill start drill-checkout')).message.text).toContain('Only leads');
    await h.say('mona', '/drill start drill-checkout');
    await h.say('alice', '/incident declare Checkout really down sev=P1 service=checkout');
    const drill = (await h.store.get('INC-1'))!;
    expect(drill.status).toBe('resolved');
    expect((await h.store.timeline('INC-1')).find((e) => e.type === 'drill.stopped')?.data).toEqual({ reason: 'a real P1 (INC-2) was declared' });
    expect((await h.say('mona', '/drill start drill-checkout')).message.text).toBe('A real P1 is open (INC-2): no drill while it lasts.');
  });

  it('the kill switch stops running drills at once and keeps new ones from starting until resumed', async () => {
    const h = await drillHarness();
    await h.say('mona', '/drill start drill-checkout');
    expect((await h.say('mona', '/drill pause')).message.text).toBe('Drills paused. Stopped: INC-1.');
    expect((await h.store.get('INC-1'))?.status).toBe('resolved');
    expect((await h.say('mona', '/drill start drill-checkout')).message.text).toContain('Drills are paused');
    await h.say('mona', '/drill resume');
    expect((await h.say('mona', '/drill start drill-checkout')).message.text).toMatch(/^Drill INC-2 started/);
    expect((await h.say('mona', '/drill list')).message.fields?.map((f) => f.label)).toEqual(['INC-2']);
    expect((await h.say('mona', '/drill stop INC-2')).message.text).toBe('Drill INC-2 stopped.');
  });

  it('a drill that misses its deadline is scored as breached', async () => {
    const h = await drillHarness();
    await h.say('mona', '/drill start drill-checkout');
    await h.advance(15 * MIN);
    const scored = (await h.store.timeline('INC-1')).find((e) => e.type === 'drill.scored');
    expect(scored?.data).toMatchObject({ breached: true });
    expect(scored?.data.assembledMs).toBeUndefined();
  });
});

describe('live actions in a drill', () => {
  it('stay dry runs until another lead approves them at start', async () => {
    const { launchDrill } = await import('../../src/drills/launch.js');
    const { drillDryRun } = await import('../../src/actions/service.js');
    const h = await drillHarness();
    await launchDrill({ service: h.muster.service, config: h.config }, SCENARIO, { startedBy: 'mona', origin: 'console:#g', live: ['rollback'] });
    await h.outbox.idle();
    expect(h.chat.delivered.some((d) => d.message.text.includes('lists live actions (rollback)'))).toBe(true);
    expect(drillDryRun((await h.store.get('INC-1'))!, 'rollback')).toBe(true);
    expect((await h.say('mona', '/drill approve-live INC-1')).message.text).toContain('cannot approve its live actions');
    expect((await h.say('dora', '/drill approve-live INC-1')).message.text).toContain('approved by Dora Duty');
    const incident = (await h.store.get('INC-1'))!;
    expect(drillDryRun(incident, 'rollback')).toBe(false);
    expect(drillDryRun(incident, 'db-failover')).toBe(true);
  });
});
