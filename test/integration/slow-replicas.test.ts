/**
 * Two replicas, one Redis, a platform that answers slowly and now and then
 * with a 429, and watchdogs re-queueing pending messages twice a second while
 * their slow sends run: no page is sent twice. A few sends hang 12 s, past the
 * 10 s send claim: its holder renews it, so the other replica finds it busy
 * instead of sending the page again. (The bench runs the same over 200 P1s:
 * duplicate_pages_total.)
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


/** The DMs of each node that hang past the send claim (10 s), by their order on that node. */
const HANGING = new Set([5, 60]);
const HANG_MS = 12_000;

/**
 * Every send of this node's chat takes 100-800 ms; one attempt in ten is
 * refused with a 429; the DMs numbered in HANGING hang 12 s. Returns how many hung.
 */
function slowDown(node: Node, random: () => number): { hung: number } {
  const send = node.chat.send.bind(node.chat);
  const counted = { dms: 0, hung: 0 };
  node.chat.send = async (to, message) => {
    if (random() < 0.1) throw new RetryLaterError('429 from the slow platform', 200, true);
    const hang = to.kind === 'person' && HANGING.has((counted.dms += 1));
    if (hang) counted.hung += 1;
    await sleep(hang ? HANG_MS : 100 + random() * 700);
    return send(to, message);
  };
  return { get hung() { return counted.hung; } };
}

describe('two replicas on a slow platform', () => {
  it(`${DECLARES} P1s: every first page arrives, none twice`, async () => {
    prefix = newPrefix();
    const config = shortConfig({ steps: ['0s', '1h', '1h'], assemble: '2h' });
    const a = new Node({ prefix, config, watchdogIntervalMs: 500 });
    const b = new Node({ prefix, config, watchdogIntervalMs: 500 });
    nodes.push(a, b);
    const hangs = [slowDown(a, seeded(3)), slowDown(b, seeded(5))];
    await Promise.all([a.start({ watchdog: true }), b.start({ watchdog: true })]);
    await Promise.all(Array.from({ length: DECLARES }, (_, i) => (i % 2 === 0 ? a : b).say('alice', `${DECLARE_P1} (${i})`)));
    const pages = () => [...a.chat.delivered, ...b.chat.delivered].map(dmKey).filter((key): key is string => key !== undefined);
    await until(() => new Set(pages()).size >= DECLARES * PRIMARIES.length, 'every first page', { timeoutMs: 90_000 });
    await until(async () => (await a.store.pendingOutbox()).length === 0, 'the outbox to drain', { timeoutMs: 60_000 });
    expect(duplicates(pages())).toEqual({});
    // The hanging sends happened (and finished) during the run.
    expect(hangs.reduce((sum, hang) => sum + hang.hung, 0)).toBe(HANGING.size * 2);
  }, 180_000);
});
