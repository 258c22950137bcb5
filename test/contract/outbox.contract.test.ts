/**
 * One Outbox contract, run against the in-process outbox and the BullMQ one on
 * a real Redis. Backoff is shortened for both so retries are quick.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { useSharedRedis } from './shared-redis.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BullMQOutbox, outboxJobId } from '../../adapters/bullmq/outbox.js';
import { bullPrefix } from '../../adapters/bullmq/scheduler.js';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { RetryLaterError, type Outbox, type OutboundMessage } from '../../src/ports.js';

const QUEUE = 'muster-outbox';
const BACKOFF_MS = 20;
const WAIT = { timeout: 5_000, interval: 20 };

const { redis, deleteKeys } = useSharedRedis();

const silent = { warn: () => {}, error: () => {} };

interface Implementation {
  name: string;
  create(namespace: string): Outbox;
  cleanup(namespace: string): Promise<void>;
}

const implementations: Implementation[] = [
  {
    name: 'InProcessOutbox',
    create: () => new InProcessOutbox({ attempts: 8, baseDelayMs: BACKOFF_MS }),
    cleanup: async () => {},
  },
  {
    name: 'BullMQOutbox',
    create: (namespace) => new BullMQOutbox({ connection: redis(), prefix: namespace, backoffMs: BACKOFF_MS, logger: silent }),
    cleanup: async (namespace) => {
      const queue = new Queue(QUEUE, { connection: redis(), prefix: bullPrefix(namespace) });
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(redis(), namespace);
    },
  },
];

function message(id: string): OutboundMessage {
  return {
    id,
    incident: 'INC-1',
    kind: 'message',
    to: { kind: 'person', person: 'slack:U42' },
    message: { title: 'You are paged', text: `INC-1 needs you (${id})`, buttons: [{ label: 'Ack', command: 'ack INC-1', style: 'primary' }] },
  };
}

function recorder(fail: (message: OutboundMessage, attempt: number) => boolean = () => false) {
  const delivered: OutboundMessage[] = [];
  const attempts = new Map<string, number>();
  const deliver = async (m: OutboundMessage) => {
    const attempt = (attempts.get(m.id) ?? 0) + 1;
    attempts.set(m.id, attempt);
    if (fail(m, attempt)) throw new Error(`chat API said 503 (attempt ${attempt})`);
    delivered.push(m);
  };
  return { delivered, attempts, deliver };
}

const ids = (messages: OutboundMessage[]) => messages.map((m) => m.id).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(implementations)('Outbox contract: $name', (impl) => {
  let namespace: string;
  let outbox: Outbox;

  beforeEach(() => {
    namespace = `test:{${randomUUID()}}:`;
    outbox = impl.create(namespace);
  });

  afterEach(async () => {
    await outbox.close();
    await impl.cleanup(namespace);
  });

  it('delivers each message once even if it was enqueued twice', async () => {
    await outbox.enqueue([message('page-alice'), message('page-bob')]);
    await outbox.enqueue([message('page-alice')]);
    await outbox.enqueue([message('page-carol'), message('page-carol')]);
    const { delivered, deliver } = recorder();
    await outbox.start(deliver);

    await vi.waitFor(() => expect(ids(delivered)).toEqual(['page-alice', 'page-bob', 'page-carol']), WAIT);
    expect(delivered.find((m) => m.id === 'page-bob')).toEqual(message('page-bob'));
    await vi.waitFor(async () => expect(await outbox.depth()).toBe(0), WAIT);
    await sleep(200);
    expect(delivered).toHaveLength(3);
  });

  it('delivers messages enqueued after it started', async () => {
    const { delivered, deliver } = recorder();
    await outbox.start(deliver);
    await outbox.enqueue([message('late-1')]);
    await outbox.enqueue([message('late-2')]);
    await vi.waitFor(() => expect(ids(delivered)).toEqual(['late-1', 'late-2']), WAIT);
  });

  it('retries a failing delivery until it succeeds, without holding up the others', async () => {
    const { delivered, attempts, deliver } = recorder((m, attempt) => m.id === 'flaky' && attempt < 3);
    await outbox.start(deliver);
    await outbox.enqueue([message('flaky'), message('steady')]);

    await vi.waitFor(() => expect(ids(delivered)).toEqual(['flaky', 'steady']), WAIT);
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('steady')).toBe(1);
    await vi.waitFor(async () => expect(await outbox.depth()).toBe(0), WAIT);
  });

  it('counts waiting messages in depth until they are delivered', async () => {
    expect(await outbox.depth()).toBe(0);
    await outbox.enqueue([message('d-1'), message('d-2'), message('d-3'), message('d-1')]);
    expect(await outbox.depth()).toBe(3);

    const { delivered, deliver } = recorder();
    await outbox.start(deliver);
    await vi.waitFor(async () => expect(await outbox.depth()).toBe(0), WAIT);
    expect(ids(delivered)).toEqual(['d-1', 'd-2', 'd-3']);
  });

  it('puts a message asked to wait back for that long, without spending an attempt', async () => {
    const tries: number[] = [];
    const delivered: string[] = [];
    await outbox.start(async (m) => {
      tries.push(Date.now());
      // More "later"s than the outbox has attempts: none of them may count as a failure.
      if (tries.length <= 10) throw new RetryLaterError('rate limited', 30);
      delivered.push(m.id);
    });
    await outbox.enqueue([message('limited')]);
    await vi.waitFor(() => expect(delivered).toEqual(['limited']), WAIT);
    expect(tries).toHaveLength(11);
    for (let i = 1; i < tries.length; i += 1) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(25);
    await vi.waitFor(async () => expect(await outbox.depth()).toBe(0), WAIT);
  });

  it('accepts any message id, including ones with colons or digits only', async () => {
    const awkward = ['INC-1:page:alice', '42', '100%', '%3A'];
    const { delivered, deliver } = recorder();
    await outbox.start(deliver);
    await outbox.enqueue(awkward.map(message));
    await vi.waitFor(() => expect(ids(delivered)).toEqual([...awkward].sort()), WAIT);
  });
});

describe('outboxJobId', () => {
  it('keeps ordinary ids readable and escapes the rest one-to-one', () => {
    expect(outboxJobId('page-INC-1-alice-s0')).toBe('page-INC-1-alice-s0');
    const tricky = ['a:b', 'a%3Ab', '%a:b', '42', '%42', '', '%', ':'];
    const mapped = tricky.map(outboxJobId);
    expect(new Set(mapped).size).toBe(tricky.length);
    for (const id of mapped) {
      expect(id).not.toContain(':');
      expect(`${parseInt(id, 10)}`).not.toBe(id);
      expect(id).not.toBe('');
    }
  });
});
