import { describe, expect, it } from 'vitest';
import { expectedTimers } from '../../src/app.js';
import { openSlots, snapshotChain } from '../../src/muster/slots.js';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;
const AT = Date.UTC(2026, 10, 2, 9, 0, 0);

describe('escalation chains are snapshotted at declare', () => {
  it('expands steps into absolute offsets, resolving primary, backup and manager', () => {
    const config = testConfig();
    const team = config.teams.payments!;
    const chain = snapshotChain(config.escalation.standard!, team, AT);
    expect(chain).toEqual([
      { atMs: 0, targets: ['pete'], via: 'primary' },
      { atMs: 5 * MIN, targets: ['pam'], via: 'backup' },
      { atMs: 10 * MIN, targets: ['mona'], via: 'manager' },
    ]);
  });

  it('repeats the chain after the last delay, never paging primary and manager at once', () => {
    const config = testConfig((raw) => {
      (raw.escalation as Record<string, { repeat?: number }>).standard!.repeat = 1;
    });
    const chain = snapshotChain(config.escalation.standard!, config.teams.payments!, AT);
    expect(chain.map((step) => [step.atMs / MIN, step.via])).toEqual([
      [0, 'primary'], [5, 'backup'], [10, 'manager'], [15, 'primary'], [20, 'backup'], [25, 'manager'],
    ]);
  });

  it('drops a backup step when the team has no backup, and pages named people', () => {
    const config = testConfig((raw) => {
      (raw.escalation as Record<string, unknown>).named = { steps: [{ after: '0s', page: 'backup' }, { after: '2m', page: ['dora', 'mona'] }] };
    });
    const chain = snapshotChain(config.escalation.named!, config.teams.duty!, AT);
    expect(chain).toEqual([{ atMs: 2 * MIN, targets: ['dora', 'mona'], via: 'people' }]);
  });

  it('uses a team escalation override, and staffs tech from the service team', () => {
    const config = testConfig((raw) => {
      (raw.escalation as Record<string, unknown>).fast = { steps: [{ after: '0s', page: 'primary' }, { after: '1m', page: 'manager' }] };
      (raw.teams as Record<string, Record<string, unknown>>).payments!.escalation = 'fast';
    });
    const slots = openSlots(config, 'P1', 'checkout', AT);
    const tech = slots.find((slot) => slot.role === 'tech');
    expect(tech?.team).toBe('payments');
    expect(tech?.chain.map((step) => step.atMs)).toEqual([0, MIN]);
    expect(slots.find((slot) => slot.role === 'ops')?.chain).toHaveLength(3);
  });

  it('is not changed by a config edit after declare', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Edit me sev=P3 service=checkout');
    (h.config.teams.payments!.rotation.backup as string[])[0] = 'sid';
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('pam')).toHaveLength(1);
    expect(h.chat.pagesTo('sid')).toHaveLength(0);
  });
});

describe('fencing', () => {
  it('an ack bumps the epoch so the pending step is no longer expected', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Fence sev=P3 service=checkout');
    const before = expectedTimers((await h.store.get('INC-1'))!);
    expect(before.map((timer) => timer.id)).toEqual(['esc-INC-1-tech-e0-s1']);
    await h.say('pete', '/incident ack');
    const incident = (await h.store.get('INC-1'))!;
    expect(expectedTimers(incident)).toEqual([]);
    // the stale alarm still arrives, and does nothing
    await h.muster.fireTimer(before[0]!);
    expect((await h.store.get('INC-1'))!.version).toBe(incident.version);
    expect(h.chat.pagesTo('pam')).toHaveLength(0);
  });

  it('a duplicate delivery of the same timer pages once', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Twice sev=P3 service=checkout');
    const [timer] = expectedTimers((await h.store.get('INC-1'))!);
    h.clock.advance(5 * MIN);
    await Promise.all([h.muster.fireTimer(timer!), h.muster.fireTimer(timer!)]);
    await h.outbox.idle();
    expect(h.chat.pagesTo('pam')).toHaveLength(1);
  });

  it('timer ids contain no ":" (BullMQ forbids it)', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Ids sev=P1 service=checkout');
    const ids = expectedTimers((await h.store.get('INC-1'))!).map((timer) => timer.id);
    expect(ids).toContain('deadline-INC-1-e0');
    for (const id of ids) expect(id).not.toContain(':');
  });
});
