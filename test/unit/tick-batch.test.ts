import { describe, expect, it } from 'vitest';
import { TickBatcher } from '../../src/kernel/tick-batch.js';

describe('TickBatcher', () => {
  it('sends the calls of one tick in one flush, and calls made during a flush in the next', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batcher = new TickBatcher<number, number>(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) await held;
      return items.map((n) => n * 10);
    });
    const first = [1, 2, 3].map((n) => batcher.add(n));
    await Promise.resolve();
    await Promise.resolve();
    const later = [4, 5].map((n) => batcher.add(n));
    expect(flushes).toEqual([[1, 2, 3]]);
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(flushes).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('fails every call of a flush that throws, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new TickBatcher<string, string>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('store down');
      return items;
    });
    const failed = [batcher.add('a'), batcher.add('b')];
    await expect(failed[0]).rejects.toThrow('store down');
    await expect(failed[1]).rejects.toThrow('store down');
    expect(await batcher.add('c')).toBe('c');
  });

  it('splits a large tick into flushes of at most max items, and refuses a flush that answers for fewer', async () => {
    const sizes: number[] = [];
    const batcher = new TickBatcher<number, number>(async (items) => (sizes.push(items.length), items), 4);
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
    const short = new TickBatcher<number, number>(async (items) => items.slice(1));
    await expect(Promise.all([short.add(1), short.add(2)])).rejects.toThrow('a batch of 2 got 1 results');
  });
});
