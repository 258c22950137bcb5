import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { systemClock } from '../../src/clock.js';
import type { Timer } from '../../src/ports.js';

const DAY = 24 * 60 * 60 * 1000;

afterEach(() => {
  vi.useRealTimers();
});

describe('InProcessScheduler with timers weeks ahead (drills)', () => {
  it('fires a timer 40 days out on its day, not at once (setTimeout caps delays at ~24.8 days)', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 1, 9, 0) });
    const scheduler = new InProcessScheduler(systemClock);
    const fired: Timer[] = [];
    await scheduler.start(async (timer) => void fired.push(timer));
    const dueAt = Date.now() + 40 * DAY;
    await scheduler.schedule({ id: 'drill-plan-1', dueAt, incident: '-', kind: 'drill-plan', key: 'payments-weekly', epoch: 0 });

    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(39 * DAY);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(fired.map((timer) => timer.id)).toEqual(['drill-plan-1']);
    expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
    await scheduler.close();
  });
});
