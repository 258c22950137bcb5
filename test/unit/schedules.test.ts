import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { coverShift, loadSchedule, takeShift } from '../../src/schedules/changes.js';
import { explainHolding } from '../../src/schedules/explain.js';
import { shiftHandoffs, staleChanges } from '../../src/schedules/handoffs.js';
import { holderAt, whoIsOn } from '../../src/schedules/resolve.js';
import { cancelChange, decideSwap, listChanges, requestSwap } from '../../src/schedules/swaps.js';
import { parseInterval } from '../../src/schedules/time.js';
import { berlin, scheduleConfig, scheduleDeps } from './schedules-support.js';

const HOUR = 3_600_000;

/** Runs `work` and returns the DomainError it throws (fails the test if it does not throw one). */
async function refusal(work: () => Promise<unknown>): Promise<DomainError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the change was accepted');
}

// Week of Mon 19 Oct 2026 09:00: cat primary, yan backup; from Mon 26 Oct 09:00: ann and xia.
const weekend = { start: berlin('2026-10-24T18:00'), end: berlin('2026-10-26T09:00') };

describe('override resolution', () => {
  it('a cover across the DST change holds exactly its wall-clock interval', async () => {
    const { deps } = scheduleDeps();
    const { change, notify } = await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend, reason: 'wedding' });
    expect(change.id).toBe('CHG-1');
    const [leg] = change.legs;
    expect(leg && leg.end - leg.start).toBe(40 * HOUR); // 39 wall-clock hours + the repeated hour
    expect(notify).toEqual(['ben']);
    const schedule = await loadSchedule(deps, deps.now());
    const who = (iso: string) => holderAt(schedule, 'payments', 'primary', berlin(iso))?.person;
    expect(who('2026-10-24T17:59')).toBe('cat');
    expect(who('2026-10-24T18:00')).toBe('ben');
    expect(holderAt(schedule, 'payments', 'primary', berlin('2026-10-25T02:30'))?.source.kind).toBe('override');
    expect(who('2026-10-26T08:59')).toBe('ben');
    expect(who('2026-10-26T09:00')).toBe('ann');
    expect(holderAt(schedule, 'payments', 'backup', berlin('2026-10-25T12:00'))?.person).toBe('yan');
  });

  it('whoIsOn gives now and next and marks the override; the reason names the change', async () => {
    const { deps, clock } = scheduleDeps();
    await coverShift(deps, { actor: 'mona', team: 'payments', position: 'primary', person: 'ben', interval: weekend, reason: 'wedding' });
    clock.set(berlin('2026-10-25T10:00'));
    const schedule = await loadSchedule(deps, deps.now());
    const primary = whoIsOn(schedule, 'payments', deps.now()).positions[0];
    expect(primary?.now).toMatchObject({ person: 'ben', start: weekend.start, end: weekend.end, source: { kind: 'override', change: 'CHG-1' } });
    expect(primary?.next).toMatchObject({ person: 'ann', start: weekend.end, source: { kind: 'rotation' } });
    expect(explainHolding(deps.config, deps.t, primary?.now as never)).toBe(
      'Ben holds the Payments primary pager by CHG-1 (cover asked by Mona Manager: wedding).',
    );
  });

  it('handoff moments include a cover starting and ending, each once, with a stable key', async () => {
    const { deps } = scheduleDeps();
    await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend });
    const schedule = await loadSchedule(deps, deps.now());
    const handoffs = shiftHandoffs(schedule, deps.now(), berlin('2026-10-27T00:00'), ['payments']);
    expect(handoffs.map((h) => [h.position, h.outgoing?.person, h.incoming.person, h.at])).toEqual([
      ['primary', 'cat', 'ben', weekend.start],
      ['primary', 'ben', 'ann', weekend.end],
      ['backup', 'yan', 'xia', weekend.end],
    ]);
    expect(new Set(handoffs.map((h) => h.key)).size).toBe(3);
    expect(handoffs.every((h) => !h.key.includes(':'))).toBe(true);
  });
});

describe('overlapping changes', () => {
  it('refuses a cover overlapping an accepted one and names it; touching intervals are fine', async () => {
    const { deps } = scheduleDeps();
    await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend });
    const error = await refusal(() =>
      coverShift(deps, { actor: 'mona', team: 'payments', position: 'primary', person: 'xia', interval: { start: berlin('2026-10-25T10:00'), end: berlin('2026-10-25T12:00') } }),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/CHG-1 \(cover: Ben, .*Oct 24, 2026.*18:00.*accepted\)/);
    expect(error.message).toMatch(/\/oncall cancel/);
    const before = await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ann', interval: { start: berlin('2026-10-24T12:00'), end: weekend.start } });
    expect(before.change.id).toBe('CHG-3');
    const backup = await coverShift(deps, { actor: 'yan', team: 'payments', position: 'backup', person: 'xia', interval: weekend });
    expect(backup.change.status).toBe('accepted');
  });

  it('a pending swap holds both shifts: a cover or a second swap over them is refused', async () => {
    const { deps } = scheduleDeps();
    const swap = await requestSwap(deps, { actor: 'cat', team: 'payments', position: 'primary', counterpart: 'ann' });
    expect(swap.change.status).toBe('pending');
    expect(swap.notify).toEqual(['ann']);
    const cover = await refusal(() => coverShift(deps, { actor: 'ann', team: 'payments', position: 'primary', person: 'ben', interval: { start: berlin('2026-10-27T09:00'), end: berlin('2026-10-27T18:00') } }));
    expect(cover.message).toContain('CHG-1 (swap: Ann ⇄ Cat');
    expect(cover.message).toContain('pending');
    const second = await refusal(() => requestSwap(deps, { actor: 'cat', team: 'payments', position: 'primary', counterpart: 'ben' }));
    expect(second.code).toBe('conflict');
  });
});

describe('swaps', () => {
  it('pending changes nothing; accept trades both shifts; decline and cancel free them', async () => {
    const { deps } = scheduleDeps();
    const { change } = await requestSwap(deps, { actor: 'cat', team: 'payments', position: 'primary', counterpart: 'ann' });
    expect(change.legs.map((leg) => [leg.person, leg.start, leg.end])).toEqual([
      ['ann', deps.now(), berlin('2026-10-26T09:00')],
      ['cat', berlin('2026-10-26T09:00'), berlin('2026-11-02T09:00')],
    ]);
    const who = async (iso: string) => holderAt(await loadSchedule(deps, deps.now()), 'payments', 'primary', berlin(iso))?.person;
    expect(await who('2026-10-22T12:00')).toBe('cat');
    const stranger = await refusal(() => decideSwap(deps, { actor: 'ben', id: 'chg-1', accept: true }));
    expect(stranger.code).toBe('forbidden');
    expect(stranger.message).toContain('Only Ann, the Payments manager (Mona Manager) or the duty manager');
    const accepted = await decideSwap(deps, { actor: 'ann', id: 'CHG-1', accept: true });
    expect(accepted.notify).toEqual(['cat']);
    expect(await who('2026-10-22T12:00')).toBe('ann');
    expect(await who('2026-10-28T12:00')).toBe('cat');
    expect((await refusal(() => decideSwap(deps, { actor: 'ann', id: 'CHG-1', accept: false }))).message).toContain('CHG-1 is accepted');
    await cancelChange(deps, { actor: 'cat', id: 'CHG-1' });
    expect(await who('2026-10-22T12:00')).toBe('cat');
    expect(await listChanges(deps, 'payments')).toEqual([]);
    const again = await requestSwap(deps, { actor: 'mona', requester: 'cat', team: 'payments', position: 'primary', counterpart: 'ann' });
    await decideSwap(deps, { actor: 'ann', id: again.change.id, accept: false });
    expect(await who('2026-10-22T12:00')).toBe('cat');
    expect((await refusal(() => cancelChange(deps, { actor: 'cat', id: again.change.id }))).message).toContain('already declined');
  });
});

describe('take during an incident', () => {
  it('takes the pager now until the next handoff, over a cover, and escalation then finds the taker', async () => {
    const { deps, clock } = scheduleDeps(berlin('2026-10-24T20:00'));
    await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend });
    // Ben is busy in INC-7; Ann takes the pager from him for the rest of his cover.
    const { change, notify, overlapped } = await takeShift(deps, { actor: 'ann', team: 'payments', position: 'primary', reason: 'Ben is in INC-7' });
    expect(change).toMatchObject({ kind: 'take', status: 'accepted', legs: [{ person: 'ann', replaces: 'ben', start: deps.now(), end: weekend.end }] });
    expect(notify).toEqual(['ben']);
    expect(overlapped?.map((c) => c.id)).toEqual(['CHG-1']);
    clock.advance(10 * 60_000); // the escalation step fires ten minutes later
    const holding = holderAt(await loadSchedule(deps, deps.now()), 'payments', 'primary', deps.now());
    expect(holding?.person).toBe('ann');
    expect(explainHolding(deps.config, deps.t, holding as never)).toBe('Ann holds the Payments primary pager by CHG-2 (take asked by Ann: Ben is in INC-7).');
    const again = await refusal(() => takeShift(deps, { actor: 'ann', team: 'payments', position: 'primary' }));
    expect(again.message).toContain('Ann already holds this Payments shift');
  });

  it('only the taker, the team manager or the duty manager may take for someone', async () => {
    const { deps } = scheduleDeps();
    const forbidden = await refusal(() => takeShift(deps, { actor: 'ben', person: 'ann', team: 'payments', position: 'primary' }));
    expect(forbidden.code).toBe('forbidden');
    const byDuty = await takeShift(deps, { actor: 'dora', person: 'ann', team: 'payments', position: 'primary', until: deps.now() + 4 * HOUR });
    expect(byDuty.notify).toEqual(['ann', 'cat']);
  });
});

describe('rotation edited under an override', () => {
  it('the override keeps its absolute interval while the rotation around it changes', async () => {
    const { deps, store } = scheduleDeps();
    await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend });
    const edited = scheduleConfig((raw) => {
      raw.teams.payments.rotation.primary = ['yan', 'cat', 'ann', 'ben'];
      raw.teams.payments.rotation.start = '2026-03-02';
    });
    const schedule = await loadSchedule({ config: edited, store }, deps.now());
    expect(holderAt(schedule, 'payments', 'primary', berlin('2026-10-25T12:00'))).toMatchObject({ person: 'ben', start: weekend.start, end: weekend.end });
    // 33 weeks after 2 Mar: index 33 mod 4 = 1 (cat) until 26 Oct, then ann.
    expect(holderAt(schedule, 'payments', 'primary', berlin('2026-10-24T12:00'))?.person).toBe('cat');
    expect(holderAt(schedule, 'payments', 'primary', berlin('2026-10-26T10:00'))?.person).toBe('ann');
    expect(staleChanges(edited, schedule.changes, deps.now())).toEqual([]);
  });

  it('changes naming people or teams no longer in the config are listed; a vanished person is skipped', async () => {
    const { deps, store } = scheduleDeps();
    await coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend });
    const noBen = scheduleConfig((raw) => {
      delete raw.people.ben;
      raw.teams.payments.rotation.primary = ['ann', 'cat'];
    });
    const changes = await store.list();
    expect(staleChanges(noBen, changes, deps.now()).map((s) => [s.change.id, s.problem, s.value])).toEqual([['CHG-1', 'person', 'ben']]);
    const fallback = holderAt({ config: noBen, changes }, 'payments', 'primary', berlin('2026-10-25T12:00'));
    expect(fallback?.source.kind).toBe('rotation');
    const benOutOfTeam = scheduleConfig((raw) => {
      raw.teams.payments.rotation.primary = ['ann', 'cat'];
    });
    expect(staleChanges(benOutOfTeam, changes, deps.now()).map((s) => s.problem)).toEqual(['member']);
    const noTeam = scheduleConfig((raw) => {
      delete raw.teams.payments;
      raw.roles.tech.team = 'sre';
      raw.services.checkout.team = 'sre';
    });
    expect(staleChanges(noTeam, changes, deps.now()).map((s) => [s.problem, s.value])).toEqual([['team', 'payments']]);
  });
});

describe('bad input says what to fix', () => {
  const cover = (deps: ReturnType<typeof scheduleDeps>['deps'], fields: Partial<Parameters<typeof coverShift>[1]>) =>
    refusal(() => coverShift(deps, { actor: 'cat', team: 'payments', position: 'primary', person: 'ben', interval: weekend, ...fields }));

  it('names the interval and the fix', async () => {
    const { deps } = scheduleDeps();
    const past = await cover(deps, { interval: { start: berlin('2026-10-20T09:00'), end: berlin('2026-10-20T18:00') } });
    expect(past.message).toMatch(/Oct 20, 2026.*is already over: choose an end in the future/);
    const backwards = await cover(deps, { interval: { start: weekend.end, end: weekend.start } });
    expect(backwards.message).toMatch(/ends before it starts: put the end after the start/);
    const long = await cover(deps, { interval: parseInterval('2026-10-22 09:00 to 2026-11-22 09:00', { zone: 'Europe/Berlin', now: deps.now(), t: deps.t, tonight: deps.config.schedules.tonight }) });
    expect(long.message).toMatch(/longer than the 14d a change may span \(schedules.maxChange\): split it/);
    const outsider = await cover(deps, { person: 'olga' });
    expect(outsider.message).toBe('Olga Outsider is not in Payments: choose one of Ann (ann), Ben (ben), Cat (cat), Xia (xia), Yan (yan), Mona Manager (mona), or add them to the team in muster.yaml.');
    const unknownTeam = await cover(deps, { team: 'billing' });
    expect(unknownTeam.message).toContain('Unknown team "billing"');
  });

  it('only the person, the team manager or the duty manager may change a shift', async () => {
    const { deps } = scheduleDeps();
    const xia = await cover(deps, { actor: 'xia', person: 'xia' });
    expect(xia.code).toBe('forbidden');
    expect(xia.message).toBe("Only Cat, the Payments manager (Mona Manager) or the duty manager may change Cat's shift.");
    expect((await coverShift(deps, { actor: 'dora', team: 'payments', position: 'primary', person: 'xia', interval: weekend })).change.requestedBy).toBe('dora');
    const stranger = await refusal(() => cancelChange(deps, { actor: 'yan', id: 'CHG-1' }));
    expect(stranger.code).toBe('forbidden');
    expect((await refusal(() => cancelChange(deps, { actor: 'cat', id: 'CHG-99' }))).message).toContain('There is no shift change "CHG-99"');
  });

  it('a team without a backup list can have its backup covered, by the cover or a manager', async () => {
    const { deps } = scheduleDeps();
    const interval = { start: deps.now() + HOUR, end: deps.now() + 5 * HOUR };
    expect((await refusal(() => coverShift(deps, { actor: 'mona', team: 'sre', position: 'backup', person: 'olga', interval }))).code).toBe('forbidden');
    const { change } = await coverShift(deps, { actor: 'olga', team: 'sre', position: 'backup', person: 'olga', interval });
    const schedule = await loadSchedule(deps, deps.now());
    expect(holderAt(schedule, 'sre', 'backup', interval.start)).toMatchObject({ person: 'olga', source: { change: change.id } });
    expect(holderAt(schedule, 'sre', 'backup', interval.end)).toBeUndefined();
  });

  it('the maximum comes from schedules.maxChange in muster.yaml', async () => {
    const config = scheduleConfig((raw) => {
      raw.schedules = { maxChange: '12h' };
    });
    const { deps } = scheduleDeps(undefined, config);
    expect((await cover(deps, {})).message).toContain('longer than the 12h');
  });
});
