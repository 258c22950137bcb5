import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { TeamConfig } from '../../src/config/schema.js';
import { nextHandoff, onCall, rotationIndex } from '../../src/muster/rotation.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

function team(overrides: Partial<TeamConfig['rotation']> = {}, timeZone = 'Europe/Berlin'): TeamConfig {
  return {
    timeZone,
    manager: 'mona',
    rotation: {
      primary: ['ann', 'ben', 'cat'],
      backup: ['xia', 'yan'],
      handoff: { day: 'monday', time: '09:00' },
      start: '2026-01-05', // a Monday
      ...overrides,
    },
  };
}

/** Epoch ms of a local wall-clock time in `zone`. */
function local(iso: string, zone = 'Europe/Berlin'): number {
  const at = DateTime.fromISO(iso, { zone });
  expect(at.isValid).toBe(true);
  return at.toMillis();
}

describe('onCall', () => {
  it('moves to the next person at each weekly handoff', () => {
    const t = team();
    const first = local('2026-01-05T09:00');
    expect(onCall(t, first + HOUR)).toEqual({ primary: 'ann', backup: 'xia' });
    expect(onCall(t, first + WEEK + HOUR)).toEqual({ primary: 'ben', backup: 'yan' });
    expect(onCall(t, first + 2 * WEEK + HOUR)).toEqual({ primary: 'cat', backup: 'xia' });
    expect(onCall(t, first + 3 * WEEK + HOUR)).toEqual({ primary: 'ann', backup: 'yan' });
  });

  it('hands off exactly at the boundary, not a millisecond earlier', () => {
    const t = team();
    const second = local('2026-01-12T09:00');
    expect(onCall(t, second - 1).primary).toBe('ann');
    expect(onCall(t, second).primary).toBe('ben');
  });

  it('is index 0 before the first handoff, and the first handoff is on or after start', () => {
    // start on a Thursday with a Monday handoff: the first handoff is Monday 12 January.
    const t = team({ start: '2026-01-08' });
    expect(rotationIndex(t, local('2025-06-01T12:00'))).toBe(0);
    expect(rotationIndex(t, local('2026-01-12T08:59'))).toBe(0);
    expect(rotationIndex(t, local('2026-01-12T09:00'))).toBe(0);
    expect(rotationIndex(t, local('2026-01-19T09:00'))).toBe(1);
  });

  it('counts a handoff on the start date itself as the first', () => {
    const t = team({ start: '2026-01-05' });
    expect(rotationIndex(t, local('2026-01-05T09:00'))).toBe(0);
    expect(rotationIndex(t, local('2026-01-12T09:00'))).toBe(1);
  });

  it('runs backup lists of a different length independently', () => {
    const t = team({ primary: ['ann', 'ben'], backup: ['xia', 'yan', 'zoe'] });
    const first = local('2026-01-05T10:00');
    const week = (k: number) => onCall(t, first + k * WEEK);
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => `${week(k).primary}/${week(k).backup}`)).toEqual([
      'ann/xia',
      'ben/yan',
      'ann/zoe',
      'ben/xia',
      'ann/yan',
      'ben/zoe',
      'ann/xia',
    ]);
  });

  it('has no backup when the team lists none', () => {
    expect(onCall(team({ backup: [] }), local('2026-01-06T12:00'))).toEqual({ primary: 'ann' });
  });

  it('uses the handoff day and time in the team time zone', () => {
    const t = team({ handoff: { day: 'wednesday', time: '17:30' } }, 'Asia/Shanghai');
    const first = Date.UTC(2026, 0, 7, 9, 30); // Wednesday 17:30 in Shanghai (UTC+8)
    expect(rotationIndex(t, first + WEEK - 1)).toBe(0);
    expect(rotationIndex(t, first + WEEK)).toBe(1);
    expect(nextHandoff(t, first)).toBe(first + WEEK);
  });
});

describe('daylight saving time (Europe/Berlin)', () => {
  const sunday = team({ handoff: { day: 'sunday', time: '09:00' }, start: '2026-03-01' });

  it('keeps a 09:00 handoff at 09:00 local on 29 March 2026: that week lasts 167 hours', () => {
    const before = Date.UTC(2026, 2, 22, 8, 0); // 09:00 CET (UTC+1)
    const after = Date.UTC(2026, 2, 29, 7, 0); // 09:00 CEST (UTC+2)
    expect(nextHandoff(sunday, before)).toBe(after);
    expect(after - before).toBe(167 * HOUR);
    expect(rotationIndex(sunday, after - 1)).toBe(rotationIndex(sunday, before));
    expect(rotationIndex(sunday, after)).toBe(rotationIndex(sunday, before) + 1);
    // The old naive instant (a full week later) is an hour past the handoff.
    expect(rotationIndex(sunday, before + WEEK - 1)).toBe(rotationIndex(sunday, after));
  });

  it('keeps a 09:00 handoff at 09:00 local on 25 October 2026: that week lasts 169 hours', () => {
    const before = Date.UTC(2026, 9, 18, 7, 0); // 09:00 CEST
    const after = Date.UTC(2026, 9, 25, 8, 0); // 09:00 CET
    expect(nextHandoff(sunday, before)).toBe(after);
    expect(after - before).toBe(169 * HOUR);
    expect(rotationIndex(sunday, before + WEEK)).toBe(rotationIndex(sunday, before));
    expect(rotationIndex(sunday, after)).toBe(rotationIndex(sunday, before) + 1);
  });

  it('a Monday handoff after each change is still 09:00 local', () => {
    const t = team();
    const march = nextHandoff(t, local('2026-03-25T12:00'));
    const october = nextHandoff(t, local('2026-10-21T12:00'));
    expect(DateTime.fromMillis(march, { zone: 'Europe/Berlin' }).toISO()).toBe('2026-03-30T09:00:00.000+02:00');
    expect(DateTime.fromMillis(october, { zone: 'Europe/Berlin' }).toISO()).toBe('2026-10-26T09:00:00.000+01:00');
  });

  it('counts the right index many weeks and several DST changes later', () => {
    const t = team();
    const weeks = 104;
    const target = DateTime.fromISO('2026-01-05T09:00', { zone: 'Europe/Berlin' }).plus({ weeks }).toMillis();
    expect(rotationIndex(t, target - 1)).toBe(weeks - 1);
    expect(rotationIndex(t, target)).toBe(weeks);
    expect(onCall(t, target).primary).toBe(['ann', 'ben', 'cat'][weeks % 3]);
  });
});

describe('nextHandoff', () => {
  it('is the first handoff when asked before it, and strictly after `at` otherwise', () => {
    const t = team();
    const first = local('2026-01-05T09:00');
    expect(nextHandoff(t, first - WEEK * 10)).toBe(first);
    expect(nextHandoff(t, first - 1)).toBe(first);
    expect(nextHandoff(t, first)).toBe(first + WEEK);
  });
});
