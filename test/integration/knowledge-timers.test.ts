/**
 * The knowledge task's reminder and overdue timers on a real Redis and BullMQ:
 * they belong to a resolved incident, outside the active set,
 * so a replica that starts after a crash finds them through the knowledge
 * index built from the store; two replicas never send either twice; filing
 * the entry stops them for good.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { armedTimers, queuedWakes } from '../support/armed.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { cleanupPrefix, duplicates, newPrefix, Node, ofType, quiescent, shortConfig, until } from '../support/redis.js';

// Due 4 s after resolve, reminded 2 s before: a whole task plays in seconds of real time.
const config = shortConfig();
config.knowledge = { ...config.knowledge, due: 4_000, remindBefore: 2_000 };

let prefix = '';
const nodes: Node[] = [];

function node(watchdogIntervalMs?: number): Node {
  const created = new Node({ prefix, config, ...(watchdogIntervalMs !== undefined ? { watchdogIntervalMs } : {}) });
  nodes.push(created);
  return created;
}

afterEach(async () => {
  for (const created of nodes.splice(0)) await created.close();
  await cleanupPrefix(prefix);
});

const FILE = 'learn INC-1 rootCause="pool exhausted" resolution="restart the gateway; raise the pool" module=checkout faultType=capacity';

/** Declares a P2 on checkout, cara takes the commander role, alice resolves: cara's task opens. */
async function resolvedOn(a: Node): Promise<void> {
  await a.say('alice', 'declare Checkout times out sev=P2 service=checkout');
  await until(() => a.chat.pagesTo('cara').length === 1, 'the commander page');
  await a.say('cara', 'ack INC-1');
  await a.say('alice', 'resolve INC-1 rolled back');
}

/** Direct messages about the knowledge task, across replicas, as "person kind". */
function taskDms(all: Node[]): string[] {
  const kind = (text: string) => (text.startsWith('Reminder') ? 'reminder' : text.includes('is overdue') ? 'overdue' : 'task');
  return all.flatMap((n) => n.chat.log).flatMap((d) => (d.to.kind === 'person' && d.message.title === 'What did INC-1 teach us?' ? [`${d.to.person} ${kind(d.message.text)}`] : []));
}

/** The task's timers that will fire: expected by the record, with INC-1's wake queued (src/timers/wake.ts). */
const knowledgeTimers = async (n: Node) => (await armedTimers(n.store, n.scheduler, 'INC-1')).filter((id) => id.startsWith('knowledge-'));

describe('the knowledge task on Redis', () => {
  it('survives a crash: the next two replicas re-create its timers from the store and send each reminder once', async () => {
    prefix = newPrefix();
    const a = node();
    await a.start();
    await resolvedOn(a);
    await until(() => taskDms([a]).length === 1, 'the task DM from A');
    expect((await knowledgeTimers(a)).sort()).toEqual(['knowledge-INC-1-overdue-0', 'knowledge-INC-1-remind-0']);
    // A dies, and its alarms are lost with it (as if Redis lost the jobs): only the record remains.
    await a.kill();
    await a.scheduler.cancel(await queuedWakes(a.scheduler, 'INC-1'));
    expect(await knowledgeTimers(a)).toEqual([]);

    const b = node(250);
    const c = node(250);
    await Promise.all([b.start({ watchdog: true }), c.start({ watchdog: true })]);
    await Promise.all([b.muster.knowledgeReady, c.muster.knowledgeReady]);

    await until(async () => {
      const timeline = await b.store.timeline('INC-1');
      return ofType(timeline, 'knowledge.overdue').length === 1 && (await quiescent([b, c]));
    }, 'the reminder and the overdue notice, with the queues drained');
    // More watchdog passes on both replicas re-create nothing: the task is past both alarms.
    await Promise.all([b.muster.watchdog.beat(), c.muster.watchdog.beat()]);
    expect(await knowledgeTimers(b)).toEqual([]);

    const timeline = await b.store.timeline('INC-1');
    expect(ofType(timeline, 'knowledge.reminded').map((e) => e.person)).toEqual(['cara']);
    expect(ofType(timeline, 'knowledge.overdue').map((e) => e.person)).toEqual(['mona']);
    expect(verifyChain(timeline, TEST_AUDIT_KEY)).toBeUndefined();
    const dms = taskDms([a, b, c]);
    expect(duplicates(dms)).toEqual({});
    expect(dms.sort()).toEqual(['cara reminder', 'cara task', 'mona overdue']);
    expect(b.chat.log.length + c.chat.log.length).toBeGreaterThan(0);
    expect((await b.store.get('INC-1'))?.knowledge?.task).toMatchObject({ state: 'open', owner: 'cara', escalatedTo: 'mona' });
  });

  it('stops when the entry is filed on another replica: nothing is left queued and no watchdog brings it back', async () => {
    prefix = newPrefix();
    const a = node(250);
    const b = node(250);
    await Promise.all([a.start({ watchdog: true }), b.start({ watchdog: true })]);
    await resolvedOn(a);
    await until(async () => (await knowledgeTimers(a)).length === 2, 'the task timers');

    const filed = await b.say('cara', FILE);
    expect(filed.message.text).toContain('Knowledge entry for INC-1 filed');
    expect(await knowledgeTimers(b)).toEqual([]);
    expect(await queuedWakes(b.scheduler, 'INC-1')).toEqual([]);
    await Promise.all([a.muster.watchdog.beat(), b.muster.watchdog.beat()]);
    expect(await knowledgeTimers(a)).toEqual([]);
    expect(await queuedWakes(a.scheduler, 'INC-1')).toEqual([]);

    // The replica that did not file it finds the entry by its fix: it follows the change feed.
    const found = await a.muster.knowledge.base.search('restart the gateway', 3);
    expect(found.map((hit) => hit.id)).toEqual(['INC-1']);
    expect(found[0]?.resolution).toEqual(['restart the gateway', 'raise the pool']);
    const timeline = await a.store.timeline('INC-1');
    expect(ofType(timeline, 'knowledge.filed')).toHaveLength(1);
    expect(ofType(timeline, 'knowledge.reminded')).toHaveLength(0);
    expect((await a.store.get('INC-1'))?.knowledge?.task).toMatchObject({ state: 'filed', onTime: true, closedBy: 'cara' });
  });
});
