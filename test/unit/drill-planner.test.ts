import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  drillScheduleSchema,
  drillsConfigSchema,
  WEEKDAYS,
  type DrillSchedule,
  type DrillScheduleInput,
} from '../../src/drills/schedule-schema.js';
import { describeWindows, isAllowed, nextDrillTime } from '../../src/drills/planner.js';

const DAY = 86_400_000;
const ZONE = 'Europe/Berlin';

/** mulberry32: a tiny seeded PRNG, so the simulation is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function schedule(overrides: Partial<DrillScheduleInput> = {}): DrillSchedule {
  return drillScheduleSchema.parse({
    scenario: 'db-failover-drill',
    teams: ['payments-sre'],
    windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], from: '10:00', to: '16:00' }],
    timeZone: ZONE,
    meanGap: '7d',
    minGap: '2d',
    ...overrides,
  });
}

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

/** Independent wall-clock check (does not use the planner's helpers). */
function wallClockInside(s: DrillSchedule, at: number): boolean {
  const local = DateTime.fromMillis(at, { zone: s.timeZone });
  const day = WEEKDAYS[local.weekday - 1] as string;
  const hhmm = local.toFormat('HH:mm');
  return s.windows.some((w) => (w.days as string[]).includes(day) && hhmm >= w.from && hhmm < w.to);
}

function blackedOut(s: DrillSchedule, at: number): boolean {
  const date = DateTime.fromMillis(at, { zone: s.timeZone }).toISODate() as string;
  return s.blackouts.some((b) => b.from <= date && date <= b.to);
}

describe('drill planner simulation over 10,000 days', () => {
  it('keeps windows, blackouts, gaps and the monthly maximum, and averages the mean gap', () => {
    const start = berlin('2026-01-01T00:00');
    const end = start + 10_000 * DAY;
    const blackouts: DrillScheduleInput['blackouts'] = [];
    for (let year = 2026; year <= 2054; year++) {
      blackouts.push(`${year}-05-01`, `${year}-10-03`, { from: `${year}-12-20`, to: `${year + 1}-01-02` });
    }
    const s = schedule({
      windows: [
        { days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], from: '10:00', to: '16:00' },
        // Sunday night spans both EU DST switches (last Sunday of March and October).
        { days: ['sunday'], from: '01:30', to: '03:30' },
      ],
      blackouts,
      // 6, not the default 4: a 7-day mean is ~4.3 drills a month, so a cap of 4 or 5
      // would force many drills into the next month and (rightly) stretch the mean gap.
      // The cap itself is still checked below; the binding case has its own test.
      monthlyMax: 6,
    });
    const random = mulberry32(20260101);
    const history: number[] = [];
    let after = start;
    for (;;) {
      const next = nextDrillTime(s, after, history, random);
      expect(next).toBeDefined();
      if (next === undefined || next > end) break;
      expect(next).toBeGreaterThanOrEqual(after);
      expect(wallClockInside(s, next)).toBe(true);
      expect(blackedOut(s, next)).toBe(false);
      expect(isAllowed(s, next, history)).toEqual({ ok: true });
      history.push(next);
      after = next;
    }
    const gaps = history.slice(1).map((t, i) => t - (history[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(s.minGap);
    const perMonth = new Map<string, number>();
    for (const t of history) {
      const key = DateTime.fromMillis(t, { zone: ZONE }).toFormat('yyyy-MM');
      perMonth.set(key, (perMonth.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perMonth.values())).toBeLessThanOrEqual(s.monthlyMax);
    const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    console.log(
      `simulation: ${history.length} drills, mean gap ${(meanGap / DAY).toFixed(3)}d (configured 7d), ` +
        `min gap ${(Math.min(...gaps) / DAY).toFixed(2)}d, busiest month ${Math.max(...perMonth.values())}`,
    );
    expect(Math.abs(meanGap - s.meanGap) / s.meanGap).toBeLessThan(0.1);
    // The DST-night window was really exercised.
    expect(history.some((t) => DateTime.fromMillis(t, { zone: ZONE }).weekday === 7)).toBe(true);
  }, 120_000);
});

describe('nextDrillTime', () => {
  const sundayNight = (from: string, to: string) =>
    schedule({ windows: [{ days: ['sunday'], from, to }], meanGap: '2h', minGap: '1h' });

  it('draws only wall-clock window minutes on the spring-forward day', () => {
    const s = sundayNight('01:30', '02:30'); // 02:00–02:59 does not exist on 2026-03-29
    const random = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const at = nextDrillTime(s, berlin('2026-03-29T00:00'), [], random) as number;
      const local = DateTime.fromMillis(at, { zone: ZONE });
      expect(local.toISODate()).toBe('2026-03-29');
      expect(local.toFormat('HH:mm') >= '01:30' && local.toFormat('HH:mm') < '02:00').toBe(true);
    }
  });

  it('draws only wall-clock window minutes on the fall-back day', () => {
    const s = sundayNight('01:30', '02:30'); // 02:00–02:59 happens twice on 2026-10-25
    const random = mulberry32(8);
    for (let i = 0; i < 200; i++) {
      const at = nextDrillTime(s, berlin('2026-10-25T00:00'), [], random) as number;
      const local = DateTime.fromMillis(at, { zone: ZONE });
      expect(local.toISODate()).toBe('2026-10-25');
      expect(wallClockInside(s, at)).toBe(true);
    }
  });

  it('skips a window that lies wholly in the skipped DST hour', () => {
    const s = sundayNight('02:00', '02:45');
    const at = nextDrillTime(s, berlin('2026-03-29T00:00'), [], mulberry32(1)) as number;
    expect(DateTime.fromMillis(at, { zone: ZONE }).toISODate()).toBe('2026-04-05');
  });

  it('returns undefined when every day of the next 400 days is blacked out', () => {
    const s = schedule({ blackouts: [{ from: '2026-01-01', to: '2028-01-01' }] });
    expect(nextDrillTime(s, berlin('2026-01-02T00:00'), [], mulberry32(2))).toBeUndefined();
  });

  it('moves to the next month once the monthly maximum is reached', () => {
    const s = schedule({ monthlyMax: 2, meanGap: '3d', minGap: '1d' });
    const history = [berlin('2026-01-05T11:00'), berlin('2026-01-07T11:00')];
    const random = mulberry32(3);
    for (let i = 0; i < 50; i++) {
      const at = nextDrillTime(s, berlin('2026-01-08T00:00'), history, random) as number;
      expect(DateTime.fromMillis(at, { zone: ZONE }).toFormat('yyyy-MM')).toBe('2026-02');
    }
  });

  it('waits minGap after the last drill and never plans before `after`', () => {
    const s = schedule();
    const last = berlin('2026-01-05T11:00');
    const random = mulberry32(4);
    for (let i = 0; i < 100; i++) {
      expect(nextDrillTime(s, last, [last], random) as number).toBeGreaterThanOrEqual(last + s.minGap);
      const after = berlin('2026-06-01T00:00');
      expect(nextDrillTime(s, after, [last], random) as number).toBeGreaterThanOrEqual(after);
    }
  });
});

describe('isAllowed', () => {
  const s = schedule({ blackouts: ['2026-01-06'], monthlyMax: 1 });
  it('names the reason', () => {
    expect(isAllowed(s, berlin('2026-01-05T10:30'))).toEqual({ ok: true });
    expect(isAllowed(s, berlin('2026-01-05T16:00'))).toEqual({ ok: false, reason: 'outside-window' });
    expect(isAllowed(s, berlin('2026-01-03T12:00'))).toEqual({ ok: false, reason: 'outside-window' });
    expect(isAllowed(s, berlin('2026-01-06T12:00'))).toEqual({ ok: false, reason: 'blackout' });
    const history = [berlin('2026-01-05T10:30')];
    expect(isAllowed(s, berlin('2026-01-07T12:00'), history)).toEqual({ ok: false, reason: 'monthly-max' });
    expect(isAllowed(s, berlin('2026-02-02T12:00'), [berlin('2026-01-30T12:00')])).toEqual({ ok: true });
    expect(isAllowed(schedule(), berlin('2026-02-02T12:00'), [berlin('2026-02-01T12:00')])).toEqual({
      ok: false,
      reason: 'min-gap',
    });
  });
});

describe('describeWindows', () => {
  it('shows the windows and the zone, never a moment', () => {
    expect(describeWindows(schedule())).toBe('Mon–Fri 10:00–16:00 Europe/Berlin');
    const s = schedule({
      windows: [
        { days: ['monday', 'wednesday', 'friday'], from: '09:00', to: '12:00' },
        { days: ['sunday', 'saturday'], from: '10:00', to: '11:30' },
      ],
    });
    expect(describeWindows(s)).toBe('Mon, Wed, Fri 09:00–12:00; Sat, Sun 10:00–11:30 Europe/Berlin');
    expect(describeWindows(schedule(), 'de')).toBe('Mo–Fr 10:00–16:00 Europe/Berlin');
  });
});

describe('drillScheduleSchema', () => {
  const base = {
    scenario: 'db-failover-drill',
    teams: ['payments-sre'],
    windows: [{ days: ['monday'], from: '10:00', to: '16:00' }],
    meanGap: '14d',
    minGap: '3d',
  };
  const paths = (input: unknown) => {
    const result = drillScheduleSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
  };

  it('applies defaults and normalises durations and blackouts', () => {
    const s = drillScheduleSchema.parse({ ...base, blackouts: ['2026-12-24', { from: '2026-12-27', to: '2026-12-31' }] });
    expect(s).toMatchObject({ timeZone: 'UTC', monthlyMax: 4, optOut: [], live: [], meanGap: 14 * DAY, minGap: 3 * DAY });
    expect(s.blackouts).toEqual([
      { from: '2026-12-24', to: '2026-12-24' },
      { from: '2026-12-27', to: '2026-12-31' },
    ]);
    expect(drillsConfigSchema.parse(undefined)).toEqual({});
  });

  it('rejects a window that ends before it starts', () => {
    expect(paths({ ...base, windows: [{ days: ['monday'], from: '16:00', to: '10:00' }] })).toEqual(['windows.0.to']);
  });

  it('rejects a bad day name', () => {
    expect(paths({ ...base, windows: [{ days: ['funday'], from: '10:00', to: '16:00' }] })).toEqual([
      'windows.0.days.0',
    ]);
  });

  it('rejects other mistakes with their paths', () => {
    expect(paths({ ...base, minGap: '14d' })).toEqual(['minGap']);
    expect(paths({ ...base, timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(paths({ ...base, meanGap: '14' })).toEqual(['meanGap']);
    expect(paths({ ...base, teams: [] })).toEqual(['teams']);
    expect(paths({ ...base, extra: true })).toEqual(['']);
    expect(paths({ ...base, blackouts: ['2026-02-30'] }).length).toBeGreaterThan(0);
  });
});
