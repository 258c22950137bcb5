/**
 * Two replicas, one Redis, a platform that answers slowly and now and then
 * with a 429, and watchdogs re-queueing pending messages twice a second while
 * their slow sends run: no page is sent twice. (The bench runs the same over
 * 200 P1s: duplicate_pages_total.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../src/ports.js';
import { cleanupPrefix, dmKey, duplicates, newPrefix, Node, shortConfig, sleep, until, DECLARE_P1, PRIMARIES } from '../support/redis.js';
import { seeded } from '../support/seeded.js';

const DECLARES = 40;
let prefix = '';
const nodes: Node[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await cleanupPrefix(prefix);
});


/** Every send of this node's chat takes 100-800 ms; one attempt in ten is refused with a 429. */
function slowDown(node: Node, random: () => number): void {
  const send = node.chat.send.bind(node.chat);
  node.chat.send = async (to, message) => {
    if (random() < 0.1) throw new RetryLaterError('429 from the slow platform', 200, true);
    await sleep(100 + random() * 700);
    return send(to, message);
  };
}

describe('two replicas on a slow platform', () => {
  it(`${DECLARES} P1s: every first page arrives, none twice`, async () => {
    prefix = newPrefix();
    const config = shortConfig({ steps: ['0s', '1h', '1h'], assemble: '2h' });
    const a = new Node({ prefix, config, watchdogIntervalMs: 500 });
    const b = new Node({ prefix, config, watchdogIntervalMs: 500 });
    nodes.push(a, b);
    slowDown(a, seeded(3));
    slowDown(b, seeded(5));
    await Promise.all([a.start({ watchdog: true }), b.start({ watchdog: true })]);
    await Promise.all(Array.from({ length: DECLARES }, (_, i) => (i % 2 === 0 ? a : b).say('alice', `${DECLARE_P1} (${i})`)));
    const pages = () => [...a.chat.delivered, ...b.chat.delivered].map(dmKey).filter((key): key is string => key !== undefined);
    await until(() => new Set(pages()).size >= DECLARES * PRIMARIES.length, 'every first page', { timeoutMs: 90_000 });
    await until(async () => (await a.store.pendingOutbox()).length === 0, 'the outbox to drain', { timeoutMs: 60_000 });
    expect(duplicates(pages())).toEqual({});
  }, 180_000);
});
