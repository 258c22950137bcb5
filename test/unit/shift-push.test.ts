/**
 * Shift notices by push (issue 16): at a handoff the incoming holder's ntfy
 * and Pushover get the notice too (a plain notice through the paging port,
 * never a text, call or email), once per method however often the handoff
 * fires or however many replicas share the store.
 */
import { describe, expect, it } from 'vitest';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { Muster } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import type { ProviderContactKind } from '../../src/paging/port.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { RecordingPagingPort } from '../support/paging/recording-port.js';
import { berlin, oncallConfig, oncallHarness, walkTo } from './oncall-support.js';

const PUSHOVER_USER = 'u'.repeat(30);
const ALL: ProviderContactKind[] = ['ntfy', 'pushover', 'sms', 'voice', 'email'];
const HANDOFF = `handoff-payments-primary-${berlin('2026-11-09T09:00')}`;

/** Cat (the next payments primary) has every method; Xia (the next backup) ntfy only; Ben (handing over) push too. */
const pushConfig = () =>
  oncallConfig((raw) => {
    raw.people.cat = { name: 'Cat', ntfy: 'cat-pager', pushover: PUSHOVER_USER, phone: '+4915112345678', email: 'cat@example.com' };
    raw.people.xia = { name: 'Xia', ntfy: 'xia-pager' };
    raw.people.ben = { name: 'Ben', ntfy: 'ben-pager' };
  });

async function pushHarness(kinds: ProviderContactKind[] = ALL) {
  let now = () => 0;
  const port = new RecordingPagingPort(kinds, () => now());
  const h = await oncallHarness(pushConfig(), { paging: { port } });
  now = () => h.clock.now();
  const pushedTo = (person: string, p = port) => p.notices.filter((sent) => sent.notice.person === person).map((sent) => sent.address.kind);
  return { ...h, port, pushedTo };
}

describe('shift notices by push', () => {
  it('the incoming primary and backup are pushed team, position and the interval with its zone; nobody is texted, called or mailed', async () => {
    const h = await pushHarness();
    await walkTo(h, '2026-11-09T09:05');
    expect(h.pushedTo('cat')).toEqual(['ntfy', 'pushover']);
    expect(h.port.notices.find((sent) => sent.notice.person === 'cat')?.notice).toEqual({
      kind: 'shift', person: 'cat', team: 'Payments', position: 'primary',
      interval: 'Mon, Nov 9, 2026, 09:00 GMT+1 to Mon, Nov 16, 2026, 09:00 GMT+1 (Europe/Berlin)', from: 'Ben', incidents: [],
    });
    expect(h.port.notices.find((sent) => sent.address.kind === 'pushover')?.address).toEqual({ kind: 'pushover', user: PUSHOVER_USER });
    expect(h.pushedTo('xia')).toEqual(['ntfy']);
    // The outgoing holder gets the chat note only; pages never went out.
    expect(h.pushedTo('ben')).toEqual([]);
    expect(h.port.sent).toEqual([]);
    expect(h.port.notices.every((sent) => sent.at === berlin('2026-11-09T09:00'))).toBe(true);
  });

  it('names the open incident the incoming holder inherits', async () => {
    const h = await pushHarness();
    await walkTo(h, '2026-11-09T08:30');
    await h.say('alice', '/incident declare Checkout failing sev=P2 service=checkout');
    await h.say('ben', '/incident ack');
    await walkTo(h, '2026-11-09T09:05');
    const cat = h.port.notices.filter((sent) => sent.notice.person === 'cat');
    expect(cat.map((sent) => sent.notice.incidents)).toEqual([
      [{ number: 1, severity: 'P2', title: 'Checkout failing' }],
      [{ number: 1, severity: 'P2', title: 'Checkout failing' }],
    ]);
  });

  it('only through methods whose provider is on', async () => {
    const h = await pushHarness(['pushover', 'sms']);
    await walkTo(h, '2026-11-09T09:05');
    expect(h.pushedTo('cat')).toEqual(['pushover']);
    expect(h.pushedTo('xia')).toEqual([]);
    // The chat notice still went out.
    expect(h.dms('xia').map((message) => message.title)).toEqual(['You are on call: Payments backup']);
  });

  it('a cover starting now pushes the cover at once', async () => {
    const h = await pushHarness();
    await h.say('ben', '/oncall cover payments cat 2h');
    await h.advance(0);
    expect(h.pushedTo('cat')).toEqual(['ntfy', 'pushover']);
  });

  it('once per method across two replicas on one store, however often the handoff fires', async () => {
    const h = await pushHarness();
    await walkTo(h, '2026-11-09T08:00');
    const port = new RecordingPagingPort(ALL, () => h.clock.now());
    const scheduler = new InProcessScheduler(h.clock, { realTime: false });
    const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
    const second = new Muster({ auditKey: TEST_AUDIT_KEY, config: h.config, store: h.store, scheduler, outbox, chat: h.chat, clock: h.clock, logger: silentLogger, shifts: h.shifts, paging: { port } });
    await second.start({ watchdog: false });
    await second.shiftNotices?.plan();
    h.clock.set(berlin('2026-11-09T09:00'));
    await Promise.all([h.scheduler.runDue(), scheduler.runDue()]);
    await Promise.all([h.outbox.idle(), outbox.idle()]);
    const at = berlin('2026-11-09T09:00');
    await second.fireTimer({ id: HANDOFF, dueAt: at, incident: 'schedules', kind: 'handoff', key: HANDOFF, epoch: at });
    await h.muster.fireTimer({ id: HANDOFF, dueAt: at, incident: 'schedules', kind: 'handoff', key: HANDOFF, epoch: at });
    await Promise.all([h.outbox.idle(), outbox.idle()]);
    expect([...h.pushedTo('cat'), ...h.pushedTo('cat', port)].sort()).toEqual(['ntfy', 'pushover']);
    await second.stop();
  });

  it('an attempt that died mid-send is not pushed again (it may have arrived); the other method still goes', async () => {
    const h = await pushHarness();
    await walkTo(h, '2026-11-09T08:00');
    const id = `${HANDOFF}-push-cat-ntfy`;
    // A worker claimed the push and died: its claim lapses, its attempt stays marked.
    expect(await h.store.claimDelivery(id, 'dead-worker', 1)).toBe('claimed');
    await walkTo(h, '2026-11-09T09:05');
    expect(h.pushedTo('cat')).toEqual(['pushover']);
    expect(await h.store.isDelivered(id)).toBe(true);
  });

  it('a provider that is down is retried until it takes the push; a refusal is final', async () => {
    const h = await pushHarness();
    h.port.failNext('ntfy', { retryable: true, reason: '503 service unavailable' });
    h.port.failNext('pushover', { retryable: false, reason: 'user identifier is not a valid user' });
    await walkTo(h, '2026-11-09T09:05');
    // ntfy: the first push (cat's or xia's) failed and was retried, three calls for two pushes. Pushover: refused once, not retried.
    const calls = (kind: string) => h.port.notices.filter((sent) => sent.address.kind === kind).map((sent) => sent.notice.person);
    expect(calls('ntfy')).toHaveLength(3);
    expect(new Set(calls('ntfy'))).toEqual(new Set(['cat', 'xia']));
    expect(calls('pushover')).toEqual(['cat']);
    for (const id of [`${HANDOFF}-push-cat-ntfy`, `${HANDOFF}-push-cat-pushover`, `handoff-payments-backup-${berlin('2026-11-09T09:00')}-push-xia-ntfy`]) {
      expect(await h.store.isDelivered(id)).toBe(true);
    }
  });
});
