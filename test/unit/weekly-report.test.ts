import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextReportAt } from '../../src/reports/weekly.js';
import { harness, testConfig } from '../support/fixture.js';

const DAY = 86_400_000;

describe('the weekly report', () => {
  it('is planned for the configured local day and time, across DST', () => {
    const weekly = { day: 'monday' as const, time: '09:00', timeZone: 'Europe/Berlin', conversation: 'console:#leads' };
    const before = Date.UTC(2026, 2, 25, 12); // Wednesday before the March DST switch
    const at = DateTime.fromMillis(nextReportAt(weekly, before), { zone: 'Europe/Berlin' });
    expect([at.weekday, at.hour, at.minute, at.toISODate()]).toEqual([1, 9, 0, '2026-03-30']);
    expect(nextReportAt(weekly, at.toMillis())).toBe(at.plus({ weeks: 1 }).toMillis());
  });

  it("posts last week's incidents, assembly times, breaches and drills to the leads", async () => {
    const h = await harness(testConfig((raw) => {
      raw.reports = { weekly: { day: 'monday', time: '09:00', timeZone: 'UTC', conversation: 'console:#leads' } };
    }));
    // the harness clock starts on Monday 2 November 2026, 09:00 UTC: the first report is a week later
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await h.say(person, '/incident ack INC-1');
    await h.say('alice', '/incident declare Orders slow sev=P3 service=checkout anyway=yes');
    await h.advance(7 * DAY);
    const report = h.chat.delivered.find((d) => d.to.kind === 'room' && d.to.conversation === 'console:#leads');
    expect(report?.message.title).toBe('Weekly incident report 2026-11-02 to 2026-11-09');
    expect(report?.message.text).toBe(
      '2 incidents (1 P1); median time to assemble 0:00; 1 with a breach; 0 drills.\n' +
        'Knowledge: 0 of 0 entries due were filed on time (-); 0 late, 0 skipped, 0 still open. Similar incidents were shown to 0 war rooms; 0 suggestions were opened.',
    );
    expect(report?.message.fields?.map((f) => f.label)).toEqual(['INC-2 [P3]', 'INC-1 [P1]']);
  });

  it('says how many knowledge tasks were filed on time and how often suggested incidents were opened', async () => {
    const h = await harness(testConfig((raw) => {
      raw.reports = { weekly: { day: 'monday', time: '09:00', timeZone: 'UTC', conversation: 'console:#leads' } };
    }));
    const learn = 'rootCause="pool exhausted" resolution="restart the gateway" module=checkout faultType=capacity';
    for (const n of [1, 2]) {
      await h.say('alice', `/incident declare Checkout times out ${n} sev=P2 service=checkout`);
      await h.say('cara', `/incident ack INC-${n}`);
      await h.say('alice', `/incident resolve INC-${n}`);
    }
    await h.say('cara', `/incident learn INC-1 ${learn}`);
    await h.say('cara', '/incident learn INC-2 skip duplicate of INC-1');
    await h.say('alice', '/incident declare Checkout times out again sev=P2 service=checkout');
    await h.muster.knowledge.idle();
    await h.outbox.idle();
    const room = (await h.store.get('INC-3'))!.room;
    await h.say('sam', '/kb show INC-1', room);
    await h.advance(7 * DAY);
    const report = h.chat.delivered.find((d) => d.to.kind === 'room' && d.to.conversation === 'console:#leads');
    expect(report?.message.text.split('\n')[1]).toBe(
      'Knowledge: 1 of 2 entries due were filed on time (50%); 0 late, 1 skipped, 0 still open. Similar incidents were shown to 2 war rooms; 1 suggestion was opened.',
    );
  });
});
