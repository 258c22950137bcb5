import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ZonedClock } from '../../src/notify/clock-text.js';
import { Presenter } from '../../src/notify/present.js';
import { personZone } from '../../src/config/zones.js';
import type { Incident } from '../../src/incidents/types.js';
import { testConfig } from '../support/fixture.js';

const NOW = Date.UTC(2026, 10, 3, 9, 30, 0); // Tue 3 Nov 2026, 09:30 UTC
const MIN = 60_000;

/** Teams across three zones, as the response center has them; sam keeps his own. */
const spread = (raw: Record<string, unknown>) => {
  const teams = raw.teams as Record<string, Record<string, unknown>>;
  teams.payments!.timeZone = 'Asia/Shanghai';
  teams.sre!.timeZone = 'America/New_York';
  (raw.people as Record<string, Record<string, unknown>>).sid!.timeZone = 'Asia/Tokyo';
};

describe('times as a reader needs them', () => {
  it('carry the team zone, and the day when it is not today there', () => {
    const shanghai = new ZonedClock('en', 'Asia/Shanghai', () => NOW);
    expect(shanghai.time(NOW)).toBe('17:30:00 GMT+8');
    expect(shanghai.time(NOW - 24 * 3_600_000)).toBe('Mon 2 Nov 17:30:00 GMT+8');
    // 16:30 UTC is already Wednesday in Shanghai
    expect(shanghai.time(NOW + 7 * 3_600_000)).toBe('Wed 4 Nov 00:30:00 GMT+8');
    expect(new ZonedClock('en', 'Europe/Berlin', () => NOW).time(NOW)).toBe('10:30:00 CET');
    // English names the Americas' zones by their letters too.
    expect(new ZonedClock('en', 'America/New_York', () => NOW).time(NOW)).toBe('04:30:00 EST');
    expect(new ZonedClock('zh-CN', 'Asia/Shanghai', () => NOW).time(NOW - 24 * 3_600_000)).toBe('11月2日周一 17:30:00 GMT+8');
  });

  it('is "today" by the reader\'s calendar, not the server\'s: the same instant is today in Berlin and tomorrow in Shanghai', () => {
    const evening = Date.UTC(2026, 10, 3, 20, 0, 0); // 21:00 in Berlin, 04:00 on Wednesday in Shanghai
    const seen = evening + 30 * MIN;
    expect(new ZonedClock('en', 'Europe/Berlin', () => evening).time(seen)).toBe('21:30:00 CET');
    expect(new ZonedClock('en', 'Asia/Shanghai', () => evening).time(seen)).toBe('04:30:00 GMT+8');
    // Shanghai's yesterday evening, read after its midnight, carries its day.
    expect(new ZonedClock('en', 'Asia/Shanghai', () => evening).time(evening - 6 * 3_600_000)).toBe('Tue 3 Nov 22:00:00 GMT+8');
  });

  it('crosses a DST change with the right offset on each side, and a deadline over it counts real minutes', () => {
    // Berlin leaves summer time at 03:00 CEST on Sun 25 Oct 2026: the clock goes back to 02:00 CET.
    const before = DateTime.fromISO('2026-10-25T00:50:00Z').toMillis(); // the first 02:50 on the wall (CEST)
    const after = before + 20 * MIN; // 02:10 CET, an hour "earlier" on the wall
    const berlin = new Presenter(testConfig(), () => before).forPerson('cara');
    expect(berlin.time(before)).toBe('02:50:00 CEST');
    expect(berlin.time(after)).toBe('02:10:00 CET');
    expect(berlin.deadline(after)).toBe('02:10:00 CET, in 20 min');
    // New York's spring gap on Sun 8 Mar 2026: 01:59 EST is followed by 03:00 EDT.
    const gap = DateTime.fromISO('2026-03-08T01:55:00', { zone: 'America/New_York' }).toMillis();
    const newYork = new ZonedClock('en', 'America/New_York', () => gap);
    expect(newYork.time(gap)).toBe('01:55:00 EST');
    expect(newYork.time(gap + 10 * MIN)).toBe('03:05:00 EDT');
    expect(newYork.minutesUntil(gap + 10 * MIN)).toBe(10);
  });

  it('say deadlines also as minutes from now, in both languages', () => {
    const en = new Presenter(testConfig(), () => NOW).forPerson('cara');
    expect(en.deadline(NOW + 15 * MIN)).toBe('10:45:00 CET, in 15 min');
    expect(en.deadline(NOW + 30_000)).toBe('10:30:30 CET, in 1 min');
    const zh = new Presenter(testConfig((raw) => { raw.locale = 'zh-CN'; }), () => NOW).forPerson('cara');
    expect(zh.deadline(NOW + 12 * MIN)).toBe('10:42:00 GMT+1，12 分钟后');
    expect(zh.time(NOW + 24 * 3_600_000)).toBe('11月4日周三 10:30:00 GMT+1');
  });

  it('speak to a person in their own or their team\'s zone, and name the zone in shared places', () => {
    const config = testConfig(spread);
    const present = new Presenter(config, () => NOW);
    expect(personZone(config, 'pete')).toBe('Asia/Shanghai'); // payments' primary
    expect(personZone(config, 'sam')).toBe('America/New_York');
    expect(personZone(config, 'sid')).toBe('Asia/Tokyo'); // their own beats sre's
    expect(personZone(config, 'pia')).toBe('Europe/Berlin'); // product sets none: the default
    expect(personZone(config, 'slack:U999')).toBe('Europe/Berlin'); // a stranger
    expect(personZone(config, 'mona')).toBe('Asia/Shanghai'); // manages teams only: the first that sets a zone (command sets none)

    expect(present.forPerson('pete').time(NOW)).toBe('17:30:00 GMT+8');
    expect(present.forReader({ kind: 'person', person: 'sam' }).time(NOW)).toBe('04:30:00 EST');
    expect(present.forPerson('cara').time(NOW)).toBe('10:30:00 CET');
    // A room is read from every zone at once: the zone by name, not an abbreviation.
    expect(present.time(NOW)).toBe('10:30:00 (Europe/Berlin)');
    expect(present.forReader({ kind: 'broadcast' }).time(NOW - 24 * 3_600_000)).toBe('Mon 2 Nov 10:30:00 (Europe/Berlin)');
    expect(new Presenter(testConfig((raw) => { raw.timeZone = 'UTC'; }), () => NOW).time(NOW)).toBe('09:30:00 UTC');
    // One presenter per zone, sharing what chats told about names.
    expect(present.forPerson('pete')).toBe(present.forPerson('pete'));
    expect(present.forPerson('pete').shared).toBe(present);
    present.forPerson('pete').rememberChatName('slack:U777', 'Zoe');
    expect(present.personName('slack:U777')).toBe('Zoe');
    expect(present.forPerson('pete').dated(NOW + 2 * 86_400_000)).toBe('2026-11-05 17:30 GMT+8');
    expect(present.dated(NOW)).toBe('2026-11-03 10:30 (Europe/Berlin)');
  });

  it('put the assembly deadline on the board with its zone and the minutes left, and say when it passed', () => {
    const present = new Presenter(testConfig(), () => NOW);
    const incident = {
      id: 'INC-1', number: 1, title: 'Checkout failing', severity: 'P1', status: 'assembling', declaredBy: 'alice',
      declaredAt: NOW - 3 * MIN, assembleDeadlineAt: NOW + 12 * MIN, room: 'console:inc-1', roomName: '#inc-1', slots: [], deadlineEpoch: 0, version: 1,
    } as unknown as Incident;
    expect(present.board(incident).text).toBe(
      'Status: assembling. Declared by Alice Declarer at 10:27:00 (Europe/Berlin). Assembly deadline 10:42:00 (Europe/Berlin), in 12 min.',
    );
    expect(present.board({ ...incident, breachedAt: NOW } as Incident).text).toContain('Assembly deadline 10:42:00 (Europe/Berlin) passed.');
    expect(present.board({ ...incident, status: 'assembled' } as Incident).text).toContain('Assembly deadline 10:42:00 (Europe/Berlin).');
    const zh = new Presenter(testConfig((raw) => { raw.locale = 'zh-CN'; }), () => NOW);
    expect(zh.board(incident).text).toContain('集结时限 10:42:00 (Europe/Berlin)，12 分钟后。');
  });
});
