import { describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { Muster } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import type { IncidentStore } from '../../src/ports.js';
import { wakeFor } from '../../src/timers/wake.js';
import { expectedTimers } from '../../src/app.js';
import { armedTimers, queuedWakes } from '../support/armed.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { FakeChat, harness, testConfig, type Delivered } from '../support/fixture.js';

const MIN = 60_000;
const DECLARE = '/incident declare Checkout down sev=P1 service=checkout';

/** The boards drawn so far (the pinned message), and what the last one says of the deadline. */
function boards(chat: FakeChat): Delivered[] {
  return chat.delivered.filter((d) => d.message.pin === true);
}

function countdown(chat: FakeChat): string {
  const text = boards(chat).at(-1)?.message.text ?? '';
  return /Assembly deadline [^.]*?(in \d+ min|passed)\./.exec(text)?.[1] ?? `no deadline in: ${text}`;
}

/** The board ticks that will fire: expected by the record, with the incident's wake queued (and only one). */
async function tickIds(scheduler: InProcessScheduler, store: IncidentStore): Promise<string[]> {
  expect((await queuedWakes(scheduler, 'INC-1')).length).toBeLessThanOrEqual(1);
  return (await armedTimers(store, scheduler, 'INC-1')).filter((id) => id.startsWith('boardtick-'));
}

describe('the board counts down while the team assembles', () => {
  it('is redrawn each minute with nothing else changing, once per minute, and stops once every role is staffed', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    expect(countdown(h.chat)).toBe('in 15 min');
    expect(await tickIds(h.scheduler, h.store)).toEqual(['boardtick-INC-1-e0-m14']);
    const cancelled: string[][] = [];
    const cancel = h.scheduler.cancel.bind(h.scheduler);
    h.scheduler.cancel = (ids) => (cancelled.push(ids), cancel(ids));
    for (let minute = 1; minute <= 4; minute += 1) {
      const drawn = boards(h.chat).length;
      await h.advance(MIN / 2);
      expect(boards(h.chat)).toHaveLength(drawn);
      await h.advance(MIN / 2);
      expect(boards(h.chat)).toHaveLength(drawn + 1);
      expect(countdown(h.chat)).toBe(`in ${15 - minute} min`);
    }
    // Ticks are record changes with no timeline entry: the audit trail stays about the incident.
    expect(h.events.filter((event) => event.at > h.clock.now() - 4 * MIN)).toEqual([]);
    // A tick's commit asks the queue to remove nothing: the tick it no longer expects is the one firing, held by its worker.
    expect(cancelled).toEqual([]);
    for (const person of ['cara', 'pete', 'sam', 'pia']) await h.say(person, '/incident ack INC-1');
    expect(await tickIds(h.scheduler, h.store)).toHaveLength(1);
    const wakeAtTick = wakeFor('INC-1', expectedTimers((await h.store.get('INC-1'))!))!;
    expect(wakeAtTick.dueAt).toBe(expectedTimers((await h.store.get('INC-1'))!).find((timer) => timer.id === 'boardtick-INC-1-e0-m10')!.dueAt);
    await h.say('cody', '/incident ack INC-1');
    expect((await h.store.get('INC-1'))!.status).toBe('assembled');
    expect(await tickIds(h.scheduler, h.store)).toEqual([]);
    // The wake that would have drawn the tick leaves the queue with the ack that made it pointless.
    expect(cancelled.flat()).toContain(wakeAtTick.id);
    const drawn = boards(h.chat).length;
    await h.advance(3 * MIN);
    expect(boards(h.chat)).toHaveLength(drawn);
  });

  it('says "in 1 min" a minute before the deadline, then is redrawn at the deadline saying it passed, and ticks no more', async () => {
    const h = await harness();
    await h.say('alice', DECLARE);
    const seen: string[] = [];
    for (let minute = 1; minute <= 15; minute += 1) {
      await h.advance(MIN);
      seen.push(countdown(h.chat));
    }
    expect(seen).toEqual([...Array.from({ length: 14 }, (_, k) => `in ${14 - k} min`), 'passed']);
    expect((await h.store.get('INC-1'))!.breachedAt).toBe(h.clock.now());
    expect(await tickIds(h.scheduler, h.store)).toEqual([]);
    const drawn = boards(h.chat).length;
    await h.advance(2 * MIN);
    expect(boards(h.chat)).toHaveLength(drawn);
  });

  it('starts its minutes afresh when an upgrade restarts the assembly clock', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    expect(await tickIds(h.scheduler, h.store)).toEqual([]);
    await h.advance(7 * MIN + 20_000);
    await h.say('alice', '/incident sev INC-1 P1 reason=spreading');
    expect(countdown(h.chat)).toBe('in 15 min');
    const drawn = boards(h.chat).length;
    expect(await tickIds(h.scheduler, h.store)).toEqual(['boardtick-INC-1-e1-m14']);
    await h.advance(MIN);
    expect(boards(h.chat)).toHaveLength(drawn + 1);
    expect(countdown(h.chat)).toBe('in 14 min');
  });

  it('is re-created by the reconciler after a restart that lost the queue, draws once after downtime, and is never doubled', async () => {
    // No escalation step comes due meanwhile, so every redraw below is the tick's.
    const h = await harness(testConfig((raw) => {
      (raw.escalation as { standard: unknown }).standard = { steps: [{ after: '0s', page: 'primary' }, { after: '30m', page: 'backup' }] };
    }));
    await h.say('alice', DECLARE);
    await h.advance(2 * MIN);
    expect(countdown(h.chat)).toBe('in 13 min');
    await h.muster.stop();
    // Every replica is down for three and a half minutes and the queue is gone; then a new process starts on the same store.
    h.clock.advance(3 * MIN + 30_000);
    const scheduler = new InProcessScheduler(h.clock, { realTime: false });
    const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
    const chat = new FakeChat();
    const restarted = new Muster({ auditKey: TEST_AUDIT_KEY, config: h.config, store: h.store, scheduler, outbox, chat, clock: h.clock, logger: silentLogger });
    await restarted.start({ watchdog: false });
    expect(await tickIds(scheduler, h.store)).toEqual(['boardtick-INC-1-e0-m12']);
    await restarted.watchdog.beat();
    expect(await tickIds(scheduler, h.store)).toEqual(['boardtick-INC-1-e0-m12']);
    await scheduler.runDue();
    await outbox.idle();
    // The board is edited in place (same message), once, with the minutes left now; the next tick is the next whole minute.
    const drawnAfter = chat.delivered.filter((d) => d.message.pin === true);
    expect(drawnAfter).toHaveLength(1);
    expect(drawnAfter[0]!.edit).toBe(true);
    expect(countdown(chat)).toBe('in 10 min');
    expect(await tickIds(scheduler, h.store)).toEqual(['boardtick-INC-1-e0-m9']);
    h.clock.advance(30_000);
    await scheduler.runDue();
    await outbox.idle();
    expect(countdown(chat)).toBe('in 9 min');
    await restarted.stop();
  });
});
