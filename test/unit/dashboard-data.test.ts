/**
 * The dashboard's read-only queries (issue 8): board rows, recent incidents
 * with their durations and breaches, weekly and per-role medians and p90s,
 * breaches per month and drill scores by team, drills kept apart.
 */
import { describe, expect, it } from 'vitest';
import type { DrillScore } from '../../src/drills/scorecard.js';
import type { Incident, RoleSlot } from '../../src/incidents/types.js';
import {
  ackByRole,
  assemblyByWeek,
  breachesByMonth,
  dashboardData,
  drillScoresByTeam,
  loadDashboard,
  median,
  percentile,
  weekOf,
} from '../../src/reports/dashboard-data.js';
import { harness } from '../support/fixture.js';

const MIN = 60_000;
const names = { personName: (p: string) => `Name ${p}`, roleName: (r: string) => `Role ${r}`, time: (at: number) => new Date(at).toISOString().slice(11, 19) };

function slot(role: string, team: string, startedAt: number, ackMs?: number, person = `${role}-person`): RoleSlot {
  return {
    role, team, state: ackMs === undefined ? 'paging' : 'acked', startedAt, epoch: 1, nextStep: 1, chain: [],
    pages: [{ person, at: startedAt, step: 0 }],
    ...(ackMs !== undefined ? { ackedBy: person, ackedAt: startedAt + ackMs } : {}),
  };
}

function incident(id: string, declaredAt: number, extra: Partial<Incident> & { drillScore?: DrillScore } = {}): Incident {
  return {
    id, number: Number(id.slice(4)), title: `title ${id}`, severity: 'P1', status: 'resolved', declaredBy: 'alice', declaredAt,
    room: 'test:#r', roomName: '#r', slots: [], deadlineEpoch: 0, version: 1, head: { seq: 0, hash: '' }, ...extra,
  } as Incident;
}

const MON = Date.UTC(2026, 10, 2, 9, 0, 0); // Monday 2 November 2026

describe('statistics', () => {
  it('median and nearest-rank p90', () => {
    expect(median([])).toBeUndefined();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([], 90)).toBeUndefined();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
  });

  it('weeks start on Monday (UTC)', () => {
    expect(weekOf(MON)).toBe('2026-11-02');
    expect(weekOf(MON + 6 * 24 * 60 * MIN)).toBe('2026-11-02');
    expect(weekOf(MON + 7 * 24 * 60 * MIN)).toBe('2026-11-09');
    expect(weekOf(MON - MIN * 60 * 10)).toBe('2026-10-26');
  });
});

describe('dashboard data', () => {
  const week1a = incident('INC-1', MON, { assembledAt: MON + 10 * MIN, mitigatedAt: MON + 30 * MIN, resolvedAt: MON + 60 * MIN, slots: [slot('commander', 'command', MON, 2 * MIN), slot('ops', 'sre', MON, 10 * MIN)] });
  const week1b = incident('INC-2', MON + 24 * 60 * MIN, { assembledAt: MON + 24 * 60 * MIN + 20 * MIN, breachedAt: MON + 24 * 60 * MIN + 15 * MIN, slaBreachedAt: MON + 24 * 60 * MIN + 30 * MIN, slots: [slot('commander', 'command', MON + 24 * 60 * MIN, 4 * MIN)] });
  const week2 = incident('INC-3', MON + 8 * 24 * 60 * MIN, { status: 'assembling', updateOverdueAt: MON + 8 * 24 * 60 * MIN + 40 * MIN, slots: [slot('commander', 'command', MON + 8 * 24 * 60 * MIN, 3 * MIN), slot('ops', 'sre', MON + 8 * 24 * 60 * MIN)] });
  const drill = incident('INC-4', MON + 2 * 24 * 60 * MIN, {
    assembledAt: MON + 2 * 24 * 60 * MIN + 1 * MIN,
    drill: { scenario: 'drill-checkout', live: [], startedBy: 'mona' },
    drillScore: { at: 0, assembledMs: 12 * MIN, targetMs: 15 * MIN, breached: false, escalations: 0, stepsDone: 0, stepsOverdue: 0,
      roles: [{ role: 'commander', team: 'command', person: 'cara', ackMs: 2 * MIN }, { role: 'ops', team: 'sre', person: 'sam', ackMs: 12 * MIN }, { role: 'tech', team: 'payments' }] },
    slots: [slot('commander', 'command', MON + 2 * 24 * 60 * MIN, 30 * 1000)],
  });
  const all = [week2, drill, week1b, week1a];

  it('time to assemble per week: median and p90 of real incidents, drills left out', () => {
    expect(assemblyByWeek(all)).toEqual([{ key: '2026-11-02', label: '2026-11-02', count: 2, medianMs: 15 * MIN, p90Ms: 20 * MIN }]);
  });

  it('time to ack per role, named by the presenter, drills left out', () => {
    const roles = ackByRole(all, names);
    expect(roles).toEqual([
      { key: 'commander', label: 'Role commander', count: 3, medianMs: 3 * MIN, p90Ms: 4 * MIN },
      { key: 'ops', label: 'Role ops', count: 1, medianMs: 10 * MIN, p90Ms: 10 * MIN },
    ]);
  });

  it('breaches per month by kind', () => {
    expect(breachesByMonth(all)).toEqual([{ month: '2026-11', assembly: 1, response: 1, update: 1, resolution: 0 }]);
  });

  it('drill scores by team', () => {
    expect(drillScoresByTeam(all)).toEqual([
      { team: 'command', drills: 1, acks: 1, missed: 0, medianAckMs: 2 * MIN, p90AckMs: 2 * MIN, assembledInTime: 1 },
      { team: 'payments', drills: 1, acks: 0, missed: 1, assembledInTime: 1 },
      { team: 'sre', drills: 1, acks: 1, missed: 0, medianAckMs: 12 * MIN, p90AckMs: 12 * MIN, assembledInTime: 1 },
    ]);
  });

  it('active boards and recent incidents, drills apart', () => {
    const data = dashboardData([week2], all, names, MON + 9 * 24 * 60 * MIN);
    expect(data.targetMs).toBe(15 * MIN);
    expect(data.active).toHaveLength(1);
    expect(data.active[0]!.rows).toEqual([
      { role: 'commander', roleName: 'Role commander', person: 'commander-person', personName: 'Name commander-person', pagedAt: week2.declaredAt, pagedAtText: '09:00:00', ackedAt: week2.declaredAt + 3 * MIN, ackedAtText: '09:03:00', state: 'acked' },
      { role: 'ops', roleName: 'Role ops', person: 'ops-person', personName: 'Name ops-person', pagedAt: week2.declaredAt, pagedAtText: '09:00:00', state: 'paging' },
    ]);
    expect(data.recent.map((r) => r.id)).toEqual(['INC-3', 'INC-2', 'INC-1']);
    expect(data.recentDrills.map((r) => r.id)).toEqual(['INC-4']);
    expect(data.recent.find((r) => r.id === 'INC-1')).toMatchObject({ assembleMs: 10 * MIN, mitigateMs: 30 * MIN, resolveMs: 60 * MIN, breaches: [] });
    expect(data.recent.find((r) => r.id === 'INC-2')!.breaches).toEqual(['assembly', 'response']);
  });

  it('loads from the store of a running bot without writing to it', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    await h.advance(3 * MIN);
    await h.say('cara', '/incident ack INC-1');
    const before = await h.store.listRecent(10);
    const data = await loadDashboard(h.store, h.muster.present, h.clock.now());
    expect(data.active).toHaveLength(1);
    const commander = data.active[0]!.rows.find((row) => row.role === 'commander');
    expect(commander).toMatchObject({ state: 'acked', personName: 'Cara Commander' });
    expect(commander?.ackedAt! - commander?.pagedAt!).toBe(3 * MIN);
    expect(data.active[0]!.rows.find((row) => row.role === 'ops')).toMatchObject({ state: 'paging', personName: 'Sam SRE' });
    expect(await h.store.listRecent(10)).toEqual(before);
  });

  it('a live card: "Paged at" is when the person shown was paged, the deadline counts from now, missing roles and breaches named', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    const declaredAt = h.clock.now();
    await h.advance(2 * MIN);
    await h.say('sam', '/incident ack INC-1');
    await h.advance(3 * MIN); // the commander's chain pages the backup at 5 minutes
    let [card] = (await loadDashboard(h.store, h.muster.present, h.clock.now())).active;
    const commander = card!.rows.find((row) => row.role === 'commander')!;
    expect(commander).toMatchObject({ personName: 'Cole Backup', pagedAt: declaredAt + 5 * MIN, pagedAtText: h.muster.present.time(declaredAt + 5 * MIN) });
    expect(card!.rows.find((row) => row.role === 'ops')).toMatchObject({ personName: 'Sam SRE', pagedAt: declaredAt, state: 'acked' });
    expect(card).toMatchObject({ deadlineInMs: 10 * MIN, assembleDeadlineAtText: h.muster.present.time(declaredAt + 15 * MIN), breaches: [] });
    expect(card!.missingRoles).toEqual(['commander', 'tech', 'product', 'comms']);

    await h.advance(10 * MIN); // the 15-minute deadline: the breach fires
    await h.advance(1 * MIN);
    [card] = (await loadDashboard(h.store, h.muster.present, h.clock.now())).active;
    expect(card).toMatchObject({ status: 'assembling', deadlineInMs: -1 * MIN, breaches: ['assembly'], breachedAtText: h.muster.present.time(declaredAt + 15 * MIN) });

    for (const person of ['cara', 'pete', 'pia', 'cody']) await h.say(person, '/incident ack INC-1');
    [card] = (await loadDashboard(h.store, h.muster.present, h.clock.now())).active;
    expect(card!.status).toBe('assembled');
    expect(card!.deadlineInMs).toBeUndefined();
    expect(card!.missingRoles).toEqual([]);
    expect(card!.assembledAtText).toBe(h.muster.present.time(h.clock.now()));
  });
});

