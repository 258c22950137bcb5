import { describe, expect, it } from 'vitest';
import { oncallConfig, oncallHarness } from './oncall-support.js';

/** Who holds a position at a wall-clock moment in Berlin, as /oncall at answers it. */
async function holderAt(h: Awaited<ReturnType<typeof oncallHarness>>, when: string, position: 'primary' | 'backup' = 'primary'): Promise<string> {
  const text = await h.read('mona', `/oncall at ${when} payments`);
  const line = text.split('\n').find((l) => l.includes(`${position}: `)) ?? '';
  return /(?:primary|backup): ([^[,]+?)(?: \[| until|,|$)/.exec(line.slice(line.indexOf(`${position}: `)))?.[1] ?? line;
}

describe('/oncall shows now and next', () => {
  it('lists every team with both positions, the next holder and the zone', async () => {
    const h = await oncallHarness();
    const text = await h.read('ann', '/oncall');
    expect(text).toContain('On call now');
    expect(text).toContain('Payments · Europe/Berlin: primary: Ben until Mon, Nov 9, 2026, 09:00 GMT+1');
    expect(text).toContain('next: Cat from Mon, Nov 9, 2026, 09:00 GMT+1');
    expect(text).toContain('backup: Yan until Mon, Nov 9, 2026, 09:00 GMT+1');
    expect(text).toContain('sre · America/New_York: primary: Olga Outsider, no handoff in the next 60 days');
    expect(text).toContain('backup: nobody');
  });

  it('marks an override with its kind and id, now and next', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann tonight dentist');
    const now = await h.read('ben', '/oncall payments');
    expect(now).toContain('primary: Ben until Mon, Nov 2, 2026, 18:00 GMT+1');
    expect(now).toContain('next: Ann [cover CHG-1] from Mon, Nov 2, 2026, 18:00 GMT+1');
    const tonight = await h.read('ben', '/oncall at 23:00 payments');
    expect(tonight).toContain('On call at Mon, Nov 2, 2026, 23:00 GMT+1 (Europe/Berlin)');
    expect(tonight).toContain('primary: Ann [cover CHG-1] until Tue, Nov 3, 2026, 09:00 GMT+1');
    expect(await holderAt(h, 'tomorrow 10:00')).toBe('Ben');
  });

  it('/oncall at reads the moment in the team zone and says what it could not read', async () => {
    const h = await oncallHarness();
    expect(await h.read('ann', '/oncall at 2026-11-09 09:00 payments')).toContain('primary: Cat');
    expect(await h.read('ann', '/oncall at 2026-11-09 08:59 payments')).toContain('primary: Ben');
    expect(await h.read('ann', '/oncall at in 2h sre')).toContain('On call at Mon, Nov 2, 2026, 06:00 EST (America/New_York)');
    const bad = await h.read('ann', '/oncall at someday payments');
    expect(bad).toContain('I could not read "someday" as a moment');
    expect(bad).toContain('Usage: /oncall at <time> [team]');
    expect(await h.read('ann', '/oncall at')).toContain('Say which moment');
  });
});

describe('/oncall cover', () => {
  it('records the cover, echoes the interval with date, time and zone, and tells both people', async () => {
    const h = await oncallHarness();
    const reply = await h.say('ben', '/oncall cover payments ann 2026-11-04 18:00 to 2026-11-05 09:00 school play');
    expect(reply.message.tone).toBe('success');
    expect(reply.message.text).toBe(
      'CHG-1: Ann holds the Payments primary pager Wed, Nov 4, 2026, 18:00 GMT+1 to Thu, Nov 5, 2026, 09:00 GMT+1 (Europe/Berlin) in place of Ben. Told: Ann.',
    );
    const [notice] = h.dms('ann');
    expect(notice?.title).toBe('Shift change CHG-1 (Payments)');
    expect(notice?.text).toContain('Ben set up a cover: Ann holds the Payments primary pager Wed, Nov 4, 2026, 18:00 GMT+1');
    expect(notice?.text).toContain('Reason: school play.');
    expect(await holderAt(h, '2026-11-04 20:00')).toBe('Ann');
  });

  it('covers the backup; "me" is the caller; a quoted interval is read whole', async () => {
    const h = await oncallHarness();
    const text = await h.read('mona', '/oncall cover payments backup me "today 12:00 to today 14:00" lunch break');
    expect(text).toContain('CHG-1: Mona Manager holds the Payments backup pager Mon, Nov 2, 2026, 12:00 GMT+1 to Mon, Nov 2, 2026, 14:00 GMT+1');
    expect(text).toContain('in place of Yan');
    expect(h.dms('yan')[0]?.text).toContain('Reason: lunch break.');
    expect(await holderAt(h, '13:00', 'backup')).toBe('Mona Manager');
    // Only Yan (or a manager) may give Yan's shift away.
    expect(await h.read('xia', '/oncall cover payments backup me tomorrow 12:00 to tomorrow 14:00')).toContain('may change Yan\'s shift');
  });

  it('a team manager and the duty manager may cover for someone; others are told who may', async () => {
    const h = await oncallHarness();
    const refused = await h.say('ann', '/oncall cover payments xia tomorrow 10:00 to tomorrow 11:00');
    expect(refused.message.text).toBe('Only Ben, the Payments manager (Mona Manager) or the duty manager may change Ben\'s shift.');
    expect(await h.read('mona', '/oncall cover payments xia tomorrow 10:00 to tomorrow 11:00')).toContain('CHG-1');
    expect(h.dms('ben')[0]?.text).toContain('Mona Manager set up a cover');
    // dirk holds the duty team's primary this week: the duty manager.
    expect(await h.read('dirk', '/oncall cover payments cat tomorrow 12:00 to tomorrow 13:00')).toContain('CHG-2');
    expect(await h.read('dora', '/oncall cover payments cat tomorrow 14:00 to tomorrow 15:00')).toContain('CHG-3');
  });

  it('says what to fix for every bad input', async () => {
    const h = await oncallHarness();
    const cases: Array<[string, string]> = [
      ['/oncall cover', 'Say which team: one of payments, duty, sre.'],
      ['/oncall cover billing ann tonight', 'Unknown team "billing". Teams: payments, duty, sre.'],
      ['/oncall cover payments', 'Say who: a person id of the team (ann (Ann), ben (Ben), cat (Cat), xia (Xia), yan (Yan), mona (Mona Manager)), or "me".'],
      ['/oncall cover payments zed tonight', '"zed" is not a person in muster.yaml'],
      ['/oncall cover payments olga tonight', 'Olga Outsider is not in Payments: choose one of'],
      ['/oncall cover payments ann', 'Say when, from and until. Write it like: tonight'],
      ['/oncall cover payments ann whenever', 'I could not read "whenever" as a time interval.'],
      ['/oncall cover payments ann 2026-11-01 18:00 to 2026-11-01 20:00', 'is already over: choose an end in the future.'],
      ['/oncall cover payments ann 2026-11-05 18:00 to 2026-11-04 09:00', 'ends before it starts: put the end after the start.'],
      ['/oncall cover payments ann 2026-11-05 18:00 to 2026-12-05 09:00', 'longer than the 14d a change may span (schedules.maxChange)'],
      ['/oncall cover payments ann 2027-08-01 18:00 to 2027-08-02 09:00', 'starts more than 180d ahead (schedules.maxAhead)'],
    ];
    for (const [command, expected] of cases) {
      const reply = await h.say('ben', command);
      expect(reply.message.tone, command).toBe('warning');
      expect(reply.message.text, command).toContain(expected);
    }
    const stranger = await h.say('someone', '/oncall cover payments ann tonight');
    expect(stranger.message.text).toContain('You are not in muster.yaml\'s people');
  });

  it('refuses an overlapping cover and names the change in the way', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann tonight');
    const overlap = await h.read('mona', '/oncall cover payments cat today 20:00 to today 22:00');
    expect(overlap).toContain('This overlaps another change of the same shift: CHG-1 (cover: Ann, Mon, Nov 2, 2026, 18:00 GMT+1 to Tue, Nov 3, 2026, 09:00 GMT+1 (Europe/Berlin), accepted)');
  });
});

describe('/oncall swap with Accept and Decline buttons', () => {
  it('the person asked gets both buttons; accepting trades both shifts', async () => {
    const h = await oncallHarness();
    const asked = await h.read('ben', '/oncall swap payments cat');
    expect(asked).toContain('CHG-1: asked Cat to swap Payments shifts');
    expect(asked).toContain('Nothing changes until Cat accepts or declines.');
    const [request] = h.dms('cat');
    expect(request?.text).toBe(
      'Ben asks you to swap Payments primary shifts: you would take Ben\'s shift, Mon, Nov 2, 2026, 10:00 GMT+1 to Mon, Nov 9, 2026, 09:00 GMT+1 (Europe/Berlin), ' +
        'and Ben yours, Mon, Nov 9, 2026, 09:00 GMT+1 to Mon, Nov 16, 2026, 09:00 GMT+1 (Europe/Berlin). Accept or decline:',
    );
    expect(request?.buttons).toEqual([
      { label: 'Accept', command: '/oncall accept CHG-1', style: 'primary' },
      { label: 'Decline', command: '/oncall decline CHG-1', style: 'danger' },
    ]);
    expect(await holderAt(h, '12:00')).toBe('Ben');
    // The button's command, pressed by Cat.
    const accepted = await h.read('cat', request!.buttons![0]!.command);
    expect(accepted).toContain('CHG-1 accepted: Cat holds the Payments primary pager');
    expect(accepted).toContain('Told: Ben.');
    expect(h.dms('ben').at(-1)?.text).toContain('Cat accepted swap CHG-1');
    expect(await holderAt(h, '12:00')).toBe('Cat');
    expect(await holderAt(h, '2026-11-10 12:00')).toBe('Ben');
    expect(await h.read('mona', '/oncall changes payments')).toContain('CHG-1 · swap · accepted');
  });

  it('declining leaves both shifts; only the person asked (or a manager) may decide', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall swap payments cat');
    const [request] = h.dms('cat');
    const notTheirs = await h.say('ann', request!.buttons![1]!.command);
    expect(notTheirs.message.text).toContain('may change Cat\'s shift');
    const declined = await h.read('cat', request!.buttons![1]!.command);
    expect(declined).toBe('CHG-1 declined: the shifts stay as they were. Told: Ben.');
    expect(h.dms('ben').at(-1)?.text).toContain('Cat declined swap CHG-1');
    expect(await holderAt(h, '12:00')).toBe('Ben');
    const again = await h.read('cat', request!.buttons![0]!.command);
    expect(again).toContain('CHG-1 is declined, not a pending swap');
  });

  it('a manager asks on someone\'s behalf with for=, and names a shift by a moment inside it', async () => {
    const h = await oncallHarness();
    const text = await h.read('mona', '/oncall swap payments ann 2026-11-10 12:00 for=cat');
    expect(text).toContain('CHG-1: asked Ann to swap Payments shifts');
    expect(h.dms('cat')[0]?.text).toContain('Mona Manager asked for a swap on your behalf');
    expect(h.dms('ann')[0]?.buttons).toHaveLength(2);
  });
});

describe('/oncall take, changes and cancel', () => {
  it('takes the pager now until the shift ends and tells the holder at once', async () => {
    const h = await oncallHarness();
    const text = await h.read('cat', '/oncall take payments');
    expect(text).toBe('CHG-1: Cat holds the Payments primary pager Mon, Nov 2, 2026, 10:00 GMT+1 to Mon, Nov 9, 2026, 09:00 GMT+1 (Europe/Berlin) in place of Ben. Told: Ben.');
    expect(h.dms('ben')[0]?.text).toContain('Cat took a shift');
    expect(await holderAt(h, 'now')).toBe('Cat');
  });

  it('takes until a time with a reason, over a cover, and names what it overrides', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann today 11:00 to today 15:00');
    const text = await h.read('cat', '/oncall take payments until today 16:00 Ann is in INC-7');
    expect(text).toContain('CHG-2: Cat holds the Payments primary pager Mon, Nov 2, 2026, 10:00 GMT+1 to Mon, Nov 2, 2026, 16:00 GMT+1');
    expect(text).toContain('It overrides CHG-1 (cover: Ann');
    expect(await h.read('cat', '/oncall take payments 2h')).toContain('Cat already holds this Payments shift');
    expect(await h.read('cat', '/oncall take payments backup 2h for=xia')).toContain('may change Xia');
    expect(await h.read('cat', '/oncall take payments backup soonish')).toContain('I could not read "soonish" as a time interval.');
  });

  it('lists open changes with who asked, when and why, and cancels them', async () => {
    const h = await oncallHarness();
    await h.say('ben', '/oncall cover payments ann tonight dentist');
    const list = await h.read('xia', '/oncall changes');
    expect(list).toContain('Shift changes: all teams');
    expect(list).toContain('CHG-1 · cover · accepted: Ann holds the Payments primary pager');
    expect(list).toContain('Asked by Ben, Mon, Nov 2, 2026, 10:00 GMT+1. Reason: dentist.');
    expect(await h.read('xia', '/oncall cancel CHG-1')).toContain('may change Ben\'s shift');
    const cancelled = await h.read('ann', '/oncall cancel chg-1');
    expect(cancelled).toContain('CHG-1 cancelled');
    expect(cancelled).toContain('Told: Ben.');
    expect(await h.read('ann', '/oncall changes payments')).toBe('No pending or accepted shift changes for Payments.');
    expect(await h.read('ann', '/oncall cancel CHG-9')).toContain('There is no shift change "CHG-9"');
    expect(await h.read('ann', '/oncall cancel')).toContain('Say which change');
    expect(await h.read('ann', '/oncall cancel CHG-1 now')).toContain('I did not understand "now" at the end');
  });

  it('answers in Chinese when the config says so', async () => {
    const h = await oncallHarness(oncallConfig((raw) => {
      raw.locale = 'zh-CN';
    }));
    expect(await h.read('ben', '/oncall cover payments ann tonight')).toContain('CHG-1：Ann 持有 Payments');
    expect(await h.read('ben', '/oncall')).toContain('当前值班');
  });
});
