import { describe, expect, it } from 'vitest';
import { Lanes } from '../../src/kernel/lanes.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Lanes: pages first', () => {
  it('lets what follows run at once when nothing urgent is running', async () => {
    const lanes = new Lanes(60_000);
    let ran = false;
    await lanes.afterUrgent().then(() => (ran = true));
    expect(ran).toBe(true);
  });

  it('holds what follows until every urgent piece of work has ended, then lets it all go', async () => {
    const lanes = new Lanes(60_000);
    const order: string[] = [];
    const first = lanes.begin();
    const second = lanes.begin();
    const waiting = [lanes.afterUrgent().then(() => order.push('room')), lanes.afterUrgent().then(() => order.push('board'))];
    expect(lanes.queued).toBe(2);
    first();
    first(); // ending twice ends once
    await turn();
    await turn();
    expect(order).toEqual([]);
    order.push('page');
    second();
    await Promise.all(waiting);
    expect(order).toEqual(['page', 'room', 'board']);
    expect(lanes.queued).toBe(0);
  });

  it('lets urgent work begun in the same turn go first', async () => {
    const lanes = new Lanes(60_000);
    const order: string[] = [];
    const done = lanes.begin();
    const waiting = lanes.afterUrgent().then(() => order.push('board'));
    done();
    // Begun before the release's turn: the board waits for this one too.
    const next = lanes.begin();
    await turn();
    expect(order).toEqual([]);
    order.push('page');
    next();
    await waiting;
    expect(order).toEqual(['page', 'board']);
  });

  it('never starves what follows: a storm that never ends still lets it go after the longest wait', async () => {
    const lanes = new Lanes(20);
    lanes.begin();
    // Without the longest wait this would never resolve (the urgent work never ends).
    await lanes.afterUrgent();
    expect(lanes.queued).toBe(0);
  });
});
