import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { MemoryStore } from '../../adapters/memory/store.js';
import { Muster } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const SCENARIO = playbookSchema.parse({
  id: 'drill-checkout', title: 'Checkout outage drill', drill: true, match: { services: ['checkout'] },
  steps: [{ id: 'confirm', kind: 'check', title: 'Read the dashboard', role: 'tech', due: '5m' }],
});

const config = testConfig((raw) => {
  raw.drills = {
    weekly: {
      scenario: 'drill-checkout', teams: ['payments'], timeZone: 'Europe/Berlin',
      windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], from: '10:00', to: '16:00' }],
      blackouts: ['2026-11-05'], meanGap: '7d', minGap: '2d',
    },
  };
});

/** One "process": a Muster on the shared store and scheduler, like a restart of the bot. */
async function boot(store: MemoryStore, scheduler: InProcessScheduler, clock: ManualClock) {
  const chat = new FakeChat();
  const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config, store, scheduler, outbox: new InProcessOutbox({ attempts: 2, baseDelayMs: 1 }), chat, clock, logger: silentLogger, playbooks: new PlaybookLibrary([SCENARIO]) });
  await muster.start({ watchdog: false });
  return { muster, chat };
}

describe('scheduled drills', () => {
  it('plans one start inside a window, survives 20 restarts without a second plan, and fires a DRILL muster', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 7, 0, 0));
    const store = new MemoryStore(() => clock.now());
    const scheduler = new InProcessScheduler(clock, { realTime: false });
    for (let restart = 0; restart < 20; restart += 1) await boot(store, scheduler, clock);
    const planned = (await scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-'));
    expect(planned).toHaveLength(1);
    const at = Number(planned[0]!.slice('drill-weekly-'.length));
    const local = DateTime.fromMillis(at, { zone: 'Europe/Berlin' });
    expect(local.weekday).toBeLessThanOrEqual(5);
    expect(local.hour).toBeGreaterThanOrEqual(10);
    expect(local.hour).toBeLessThan(16);
    expect(local.toISODate()).not.toBe('2026-11-05');
    // the first plan has no earlier drill to keep the minimum gap from: it may be soon, never in the past
    expect(at).toBeGreaterThan(clock.now());
    clock.set(at);
    await scheduler.runDue();
    const drills = (await store.listActive()).filter((incident) => incident.drill);
    expect(drills).toHaveLength(1);
    expect(drills[0]?.drill).toMatchObject({ schedule: 'weekly', scenario: 'drill-checkout', startedBy: 'muster' });
    // the next one is planned at least the minimum gap later
    const next = (await scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-')).map((id) => Number(id.slice('drill-weekly-'.length)));
    expect(next.every((time) => time >= at + 2 * 86_400_000)).toBe(true);
  });

  it('two replicas starting at once plan one drill between them', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 7, 0, 0));
    const store = new MemoryStore(() => clock.now());
    const scheduler = new InProcessScheduler(clock, { realTime: false });
    await Promise.all([boot(store, scheduler, clock), boot(store, scheduler, clock), boot(store, scheduler, clock)]);
    const planned = (await scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-'));
    expect(planned).toHaveLength(1);
    expect(planned[0]).toBe(`drill-weekly-${(JSON.parse((await store.getValue('drill-state:weekly'))!) as { plannedAt: number }).plannedAt}`);
  });

  it('moves to a later window while a real P1 is open, and while paused', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 7, 0, 0));
    const store = new MemoryStore(() => clock.now());
    const scheduler = new InProcessScheduler(clock, { realTime: false });
    const { muster } = await boot(store, scheduler, clock);
    const [first] = (await scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-'));
    const at = Number(first!.slice('drill-weekly-'.length));
    await muster.dispatch({ name: 'incident', args: 'declare Real outage sev=P1 service=checkout', actor: 'console:alice', conversation: 'console:#g', requestId: 'real' });
    clock.set(at);
    await scheduler.runDue();
    expect((await store.listActive()).filter((incident) => incident.drill)).toEqual([]);
    const moved = (await scheduler.pendingIds()).filter((id) => id.startsWith('drill-weekly-')).map((id) => Number(id.slice('drill-weekly-'.length)));
    expect(moved.length).toBeGreaterThan(0);
    expect(Math.min(...moved)).toBeGreaterThan(at);
  });

  it('/drill schedule shows leads the windows, never the moment', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 7, 0, 0));
    const store = new MemoryStore(() => clock.now());
    const scheduler = new InProcessScheduler(clock, { realTime: false });
    const { muster } = await boot(store, scheduler, clock);
    const reply = await muster.dispatch({ name: 'drill', args: 'schedule', actor: 'console:mona', conversation: 'console:#g', requestId: 's' });
    expect(reply.message.fields?.[0]?.value).toBe('Mon–Fri 10:00–16:00 Europe/Berlin · teams payments · at most 4 a month');
    expect(JSON.stringify(reply)).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });
});

describe('opt-out', () => {
  it('a scheduled drill skips people who opted out and pages the next in their chain', async () => {
    const optConfig = testConfig((raw) => {
      raw.drills = { weekly: { scenario: 'drill-checkout', teams: ['payments'], windows: [{ days: ['monday'], from: '10:00', to: '11:00' }], meanGap: '7d', minGap: '2d', optOut: ['pete'] } };
    });
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 7, 0, 0));
    const store = new MemoryStore(() => clock.now());
    const chat = new FakeChat();
    const outbox = new InProcessOutbox({ attempts: 2, baseDelayMs: 1 });
    const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config: optConfig, store, scheduler: new InProcessScheduler(clock, { realTime: false }), outbox, chat, clock, logger: silentLogger, playbooks: new PlaybookLibrary([SCENARIO]) });
    await muster.service.declare({ title: 'Drill', severity: 'P1', service: 'checkout', declaredBy: 'muster', origin: 'drills:weekly', drill: { scenario: 'drill-checkout', schedule: 'weekly', live: [], startedBy: 'muster' } });
    const tech = (await store.get('INC-1'))!.slots.find((slot) => slot.role === 'tech')!;
    expect(tech.chain.flatMap((step) => step.targets)).not.toContain('pete');
    expect(tech.pages.map((page) => page.person)).toEqual(['pam']);
  });
});
