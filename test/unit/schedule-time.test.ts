import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/catalog.js';
import { formatInterval, parseInterval, parseLeadingInterval, parsePoint, type TimeContext } from '../../src/schedules/time.js';
import { berlin } from './schedules-support.js';

const HOUR = 3_600_000;
const t = translator('en');
const ctx = (now: number, zone = 'Europe/Berlin'): TimeContext => ({ zone, now, t, tonight: { from: '18:00', until: '09:00' } });

describe('time phrases in the team time zone', () => {
  const wednesday = berlin('2026-10-21T10:00');

  it('reads "until tomorrow 09:00" from now', () => {
    expect(parseInterval('until tomorrow 09:00', ctx(wednesday))).toEqual({ start: wednesday, end: berlin('2026-10-22T09:00') });
  });

  it('reads an explicit range with dates', () => {
    expect(parseInterval('2026-12-24 18:00 to 2026-12-27 09:00', ctx(wednesday))).toEqual({
      start: berlin('2026-12-24T18:00'),
      end: berlin('2026-12-27T09:00'),
    });
    expect(parseInterval('from 2026-12-24T18:00 until 2026-12-27T09:00', ctx(wednesday)).end).toBe(berlin('2026-12-27T09:00'));
  });

  it('"today" and "tomorrow" at the end count from now, not from the start', () => {
    expect(parseInterval('tomorrow 10:00 to tomorrow 11:00', ctx(wednesday))).toEqual({ start: berlin('2026-10-22T10:00'), end: berlin('2026-10-22T11:00') });
    expect(parseInterval('friday 18:00 to 09:00', ctx(wednesday))).toEqual({ start: berlin('2026-10-23T18:00'), end: berlin('2026-10-24T09:00') });
  });

  it('reads the same words in another zone as other instants', () => {
    const ny = parseInterval('2026-12-24 18:00 to 2026-12-27 09:00', ctx(wednesday, 'America/New_York'));
    expect(ny.start).toBe(berlin('2026-12-24T18:00', 'America/New_York'));
    expect(ny.start - berlin('2026-12-24T18:00')).toBe(6 * HOUR);
  });

  it('"tonight" across the October DST change lasts the wall-clock 18:00 to 09:00 (16 real hours)', () => {
    const saturday = berlin('2026-10-24T15:00');
    const tonight = parseInterval('tonight', ctx(saturday));
    expect(tonight).toEqual({ start: berlin('2026-10-24T18:00'), end: berlin('2026-10-25T09:00') });
    expect(tonight.end - tonight.start).toBe(16 * HOUR);
  });

  it('"tonight" after midnight runs from now until this morning', () => {
    const early = berlin('2026-10-22T02:00');
    expect(parseInterval('tonight', ctx(early))).toEqual({ start: early, end: berlin('2026-10-22T09:00') });
  });

  it('durations: hours are elapsed time, days are calendar days', () => {
    expect(parseInterval('4h', ctx(wednesday))).toEqual({ start: wednesday, end: wednesday + 4 * HOUR });
    const friday = parseInterval('friday 18:00 for 2d', ctx(wednesday));
    expect(friday).toEqual({ start: berlin('2026-10-23T18:00'), end: berlin('2026-10-25T18:00') });
    expect(friday.end - friday.start).toBe(49 * HOUR);
  });

  it('a bare end time is the next one after the start', () => {
    expect(parseInterval('22:00 09:00', ctx(wednesday))).toEqual({ start: berlin('2026-10-21T22:00'), end: berlin('2026-10-22T09:00') });
    expect(parsePoint('now', 'Europe/Berlin', wednesday)).toBe(wednesday);
    expect(parsePoint('08:00', 'Europe/Berlin', wednesday)).toBe(berlin('2026-10-22T08:00'));
  });

  it('splits the interval from a trailing reason', () => {
    const { interval, rest } = parseLeadingInterval('until tomorrow 09:00 Dentist appointment', ctx(wednesday));
    expect(interval.end).toBe(berlin('2026-10-22T09:00'));
    expect(rest).toBe('Dentist appointment');
  });

  it('an unreadable phrase says which forms work', () => {
    expect(() => parseInterval('sometime next week', ctx(wednesday))).toThrowError(/could not read "sometime next week"/);
    let thrown: unknown;
    try {
      parseInterval('tomorrow', ctx(wednesday));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { detail?: string }).detail).toMatch(/until tomorrow 09:00/);
  });

  it('echoes both ends with date, time and zone', () => {
    const text = formatInterval({ start: berlin('2026-12-24T18:00'), end: berlin('2026-12-27T09:00') }, 'Europe/Berlin', 'en', t);
    expect(text).toContain('Dec 24, 2026');
    expect(text).toContain('18:00');
    expect(text).toContain('Dec 27, 2026');
    expect(text).toContain('09:00');
    expect(text).toContain('(Europe/Berlin)');
  });
});
