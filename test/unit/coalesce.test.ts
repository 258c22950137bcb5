import { describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../src/kernel/coalesce.js';

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe('Coalescer', () => {
  it('flushes after a turn of the event loop with what came by then, and everything added meanwhile together next, per key', async () => {
    const flushes: string[] = [];
    const gates: Array<ReturnType<typeof deferred>> = [];
    const started = deferred();
    const coalescer = new Coalescer<string>(async (key, items) => {
      flushes.push(`${key}:${items.join(',')}`);
      const gate = deferred();
      gates.push(gate);
      if (flushes.length === 2) started.release();
      await gate.promise;
    });
    const first = ['a', 'b'].map((item) => coalescer.add('INC-1', item));
    const other = coalescer.add('INC-2', 'x');
    expect(flushes).toEqual([]);
    await started.promise;
    expect(flushes).toEqual(['INC-1:a,b', 'INC-2:x']);
    const rest = ['c', 'd'].map((item) => coalescer.add('INC-1', item));
    gates[0]!.release();
    await Promise.all(first);
    await Promise.resolve();
    expect(flushes).toEqual(['INC-1:a,b', 'INC-2:x', 'INC-1:c,d']);
    gates[1]!.release();
    gates[2]!.release();
    await Promise.all([...rest, other]);
    // Idle again: the next item starts its own flush.
    const later = coalescer.add('INC-1', 'e');
    await vi.waitFor(() => expect(flushes.at(-1)).toBe('INC-1:e'));
    gates[3]!.release();
    await later;
  });

  it('a failed flush rejects its own items only; the next batch still runs', async () => {
    let calls = 0;
    const gate = deferred();
    const running = deferred();
    const coalescer = new Coalescer<number>(async (_key, items) => {
      calls += 1;
      if (calls === 1) {
        running.release();
        await gate.promise;
        throw new Error(`lost ${items.join(',')}`);
      }
    });
    const failing = coalescer.add('k', 1);
    await running.promise;
    const next = coalescer.add('k', 2);
    gate.release();
    await expect(failing).rejects.toThrow('lost 1');
    await expect(next).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('a flush can fail one item of its batch and keep the others', async () => {
    const gate = deferred();
    const coalescer = new Coalescer<number>(async (_key, items) => {
      if (items.length === 1) await gate.promise;
      return items.map((item) => (item === 3 ? new Error('three failed') : undefined));
    });
    const first = coalescer.add('k', 1);
    const batch = [2, 3, 4].map((item) => coalescer.add('k', item));
    gate.release();
    await first;
    const settled = await Promise.allSettled(batch);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
