import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarFeed } from '../../src/schedules/calendar.js';
import { coverShift, loadSchedule, takeShift } from '../../src/schedules/changes.js';
import { whoIsOn, type Schedule } from '../../src/schedules/resolve.js';
import { decideSwap, requestSwap } from '../../src/schedules/swaps.js';
import { berlin, scheduleDeps } from './schedules-support.js';

const HOUR = 3_600_000;

interface ParsedEvent {
  uid: string;
  summary: string;
  start: number;
  end: number;
  team: string;
  position: string;
  person: string;
}

/** Parses the feed with ical.js, a standard RFC 5545 parser. */
function parseFeed(text: string): { name: string; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const [team, position, , person] = event.uid.replace(/@muster$/, '').split('-') as [string, string, string, string];
    return { uid: event.uid, summary: event.summary, start: event.startDate.toJSDate().getTime(), end: event.endDate.toJSDate().getTime(), team, position, person };
  });
  return { name: String(calendar.getFirstPropertyValue('x-wr-calname')), events };
}

/** A seeded generator (mulberry32): the same 100 moments on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function busySchedule(): Promise<{ schedule: Schedule; now: number }> {
  const { deps, clock } = scheduleDeps(berlin('2026-10-05T08:00'));
  await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: { start: berlin('2026-10-24T18:00'), end: berlin('2026-10-26T09:00') } });
  await coverShift(deps, { actor: 'yan', team: 'payments', position: 'backup', person: 'xia', interval: { start: berlin('2026-10-25T01:00'), end: berlin('2026-10-25T04:00') } });
  const swap = await requestSwap(deps, { actor: 'ann', team: 'payments', position: 'primary', counterpart: 'ben', at: berlin('2026-11-03T00:00') });
  await decideSwap(deps, { actor: 'ben', id: swap.change.id, accept: true });
  clock.set(berlin('2026-10-14T13:00'));
  await takeShift(deps, { actor: 'cat', team: 'payments', position: 'primary', until: berlin('2026-10-14T21:00'), reason: 'ann is in INC-3' });
  clock.set(berlin('2026-10-05T08:00'));
  return { schedule: await loadSchedule(deps, deps.now()), now: deps.now() };
}

describe('iCalendar feed', () => {
  const range = { start: berlin('2026-10-05T00:00'), end: berlin('2026-11-23T00:00') };

  it('the team feed parses and matches whoIsOn at 100 random moments over seven weeks (DST and overrides included)', async () => {
    const { schedule, now } = await busySchedule();
    const feed = parseFeed(calendarFeed(schedule, { kind: 'team', id: 'payments' }, range, scheduleDeps().deps.t, now));
    expect(feed.name).toBe('On call: Payments');
    expect(feed.events.some((e) => e.summary === 'Payments primary: Ben (cover CHG-1)')).toBe(true);
    expect(feed.events.some((e) => /take CHG-4/.test(e.summary))).toBe(true);
    const next = random(16);
    const moments = [berlin('2026-10-25T02:30'), berlin('2026-10-24T18:00'), berlin('2026-10-14T20:59'), ...Array.from({ length: 97 }, () => range.start + Math.floor(next() * (range.end - range.start)))];
    for (const at of moments) {
      const who = whoIsOn(schedule, 'payments', at);
      for (const position of ['primary', 'backup'] as const) {
        const covering = feed.events.filter((e) => e.position === position && e.start <= at && at < e.end);
        expect(covering, `${position} at ${new Date(at).toISOString()}`).toHaveLength(1);
        expect(covering[0]?.person).toBe(who.positions.find((p) => p.position === position)?.now?.person);
      }
    }
  });

  it('a person feed holds exactly the moments that person is on call', async () => {
    const { schedule, now } = await busySchedule();
    const feed = parseFeed(calendarFeed(schedule, { kind: 'person', id: 'ben' }, range, scheduleDeps().deps.t, now));
    expect(feed.name).toBe('On call: Ben');
    const next = random(7);
    for (let i = 0; i < 100; i++) {
      const at = range.start + Math.floor(next() * (range.end - range.start));
      const holds = whoIsOn(schedule, 'payments', at).positions.some((p) => p.now?.person === 'ben');
      expect(feed.events.some((e) => e.start <= at && at < e.end), new Date(at).toISOString()).toBe(holds);
    }
    const dstCover = feed.events.find((e) => e.summary.includes('CHG-1'));
    expect(dstCover && dstCover.end - dstCover.start).toBe(40 * HOUR);
  });
});
