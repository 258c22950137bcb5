/**
 * Redis fails over under a running muster: a primary, a
 * replica and three Sentinels run locally; the bot is built by the real
 * composition root (buildRuntime) from REDIS_SENTINELS / REDIS_SENTINEL_NAME,
 * so the store and BullMQ follow the Sentinels. The primary is killed (-9)
 * after the first pages and before the backup step is due. After the
 * Sentinels promote the replica, every pending step fires exactly once,
 * nothing committed before the kill is missing, and commands are served.
 *
 * What this relies on: Redis replication is asynchronous, so a failover can
 * lose writes the replica had not received. The test waits (WAIT 1) until the
 * replica acknowledged everything before the kill, which is what the README
 * states Muster can promise: writes replicated before the failure survive it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { loadEnv } from '../../src/config/env.js';
import { armedTimers } from '../support/armed.js';
import { TEST_AUDIT_KEY, TEST_AUDIT_SECRET } from '../support/audit-key.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import {
  BACKUPS,
  DECLARE_P1,
  dmKey,
  duplicates,
  ofType,
  pageKey,
  PRIMARIES,
  recordingLogger,
  ROLES,
  shortConfig,
  StampedChat,
  until,
} from '../support/redis.js';
import { SENTINEL_NAME, SentinelGroup } from '../support/sentinel.js';

// Backup step 7 s after declare: the kill (about 1 s in) and the failover (a few s) come first.
const config = shortConfig({ steps: ['0s', '7s', '3s'], assemble: '14s' });

let group: SentinelGroup | undefined;
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.close().catch(() => undefined);
  runtime = undefined;
  await group?.stop();
  group = undefined;
});

let requests = 0;
function say(person: string, args: string) {
  requests += 1;
  return runtime!.muster.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId: `failover-${requests}` });
}

/** The chain of an unacknowledged P1 is done: two steps per role, the breach, and nothing left queued. */
async function chainFinished(id: string): Promise<boolean> {
  const timeline = await runtime!.store.timeline(id);
  if (ofType(timeline, 'escalation.step').length < ROLES.length * 2) return false;
  if (ofType(timeline, 'assembly.breached').length < 1) return false;
  if ((await runtime!.outbox.depth()) > 0) return false;
  if ((await runtime!.store.pendingOutbox()).length > 0) return false;
  return (await incidentTimers()).length === 0;
}

/** Pending timers without the shift notices' 15-minute planner (a job scheduler that always has its next run queued). */
async function incidentTimers(): Promise<string[]> {
  return (await runtime!.scheduler.pendingIds()).filter((id) => !id.includes('handoff-plan'));
}

describe('a Sentinel failover in the middle of a muster', () => {
  it('fires the pending steps once on the new primary, loses nothing replicated, and keeps serving', { timeout: 60_000 }, async () => {
    group = await new SentinelGroup().start();
    const env = loadEnv({ REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_NAME: SENTINEL_NAME, MUSTER_REDIS_PREFIX: 'failover:', MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET });
    const chat = new StampedChat();
    const logger = recordingLogger();
    runtime = await buildRuntime({ config, env, chat, logger });
    expect(runtime.mode).toBe('production');
    await runtime.muster.start({ watchdog: false });

    expect((await say('alice', DECLARE_P1)).message.text).toContain('INC-1 declared');
    await until(() => PRIMARIES.every((person) => chat.pagesTo(person).length === 1), 'the primary pages');
    await until(async () => (await runtime!.store.pendingOutbox()).length === 0 && (await runtime!.outbox.depth()) === 0, 'the first messages to be delivered');

    const before = (await runtime.store.get('INC-1'))!;
    const timelineBefore = await runtime.store.timeline('INC-1');
    const timersBefore = (await incidentTimers()).sort();
    // The kill lands between the steps: nobody has been escalated yet.
    expect(before.slots.map((slot) => slot.nextStep)).toEqual(ROLES.map(() => 1));
    // One wake for the incident, at the earliest of its five escalations and its deadline.
    expect(timersBefore).toHaveLength(1);
    expect(await armedTimers(runtime.store, runtime.scheduler, 'INC-1')).toHaveLength(ROLES.length + 1);
    await group.replicaCaughtUp();
    await group.killPrimary();

    // While no primary answers, a command is refused as degraded; the process stays up.
    const during = await say('carol', 'status INC-1');
    expect(during.message.text).toMatch(/degraded|INC-1/);

    const promoted = await until(async () => {
      const port = await group!.agreedPrimaryPort();
      return port === group!.replica.port ? port : undefined;
    }, 'the Sentinels to promote the replica', { timeoutMs: 30_000, intervalMs: 100 });
    expect(promoted).toBe(group.replica.port);

    // Everything committed (and replicated) before the kill is on the new primary.
    await until(() => runtime!.store.get('INC-1').then(Boolean), 'the store to reach the new primary', { timeoutMs: 30_000 });
    const after = (await runtime.store.get('INC-1'))!;
    expect(after.version).toBeGreaterThanOrEqual(before.version);
    expect((await runtime.store.timeline('INC-1')).slice(0, timelineBefore.length)).toEqual(timelineBefore);

    await until(() => chainFinished('INC-1'), 'the escalation chain to finish on the new primary', { timeoutMs: 40_000, intervalMs: 100 });

    const timeline: TimelineEvent[] = await runtime.store.timeline('INC-1');
    expect(verifyChain(timeline, TEST_AUDIT_KEY)).toBeUndefined();
    const steps = ofType(timeline, 'escalation.step').map((event) => `${event.role} ${String(event.data.step)}`);
    expect(steps.sort()).toEqual(ROLES.flatMap((role) => [`${role} 1`, `${role} 2`]).sort());
    expect(duplicates(ofType(timeline, 'page.sent').map(pageKey))).toEqual({});
    expect(ofType(timeline, 'assembly.breached')).toHaveLength(1);
    expect(duplicates(chat.log.map(dmKey).filter((key): key is string => key !== undefined))).toEqual({});
    for (const person of PRIMARIES) expect(chat.pagesTo(person)).toHaveLength(1);
    for (const person of BACKUPS) expect(chat.pagesTo(person)).toHaveLength(1);
    expect(chat.pagesTo('mona')).toHaveLength(ROLES.length);
    expect(chat.pagesTo('dora')).toHaveLength(1);

    // The bot keeps serving: an ack commits on the new primary and shows on the board.
    const ack = await say('cara', 'ack INC-1 commander');
    expect(ack.message.text).not.toContain('degraded');
    const staffed = (await runtime.store.get('INC-1'))!.slots.find((slot) => slot.role === 'commander');
    expect(staffed?.ackedBy).toBe('cara');
    expect((await say('alice', 'status INC-1')).message.text).not.toContain('degraded');
  });
});
