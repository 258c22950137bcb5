/**
 * The quick retry both chats use for idempotent calls lost in transit: two
 * more tries for a transit failure, none for any other, and none that would
 * start after `withinMs` (the invite a page waits on).
 */
import { describe, expect, it } from 'vitest';
import { againInTransit } from '../../adapters/transit-retry.js';

class Lost extends Error {}
const lost = (error: unknown) => error instanceof Lost;

/** A call that fails `failures` times with `error`, then answers 'ok'; counts its tries. */
function failing(failures: number, error: Error) {
  let tries = 0;
  return {
    call: async () => {
      tries += 1;
      if (tries <= failures) throw error;
      return 'ok';
    },
    tries: () => tries,
  };
}

describe('againInTransit', () => {
  it('tries a call lost in transit twice more, then gives its last error', async () => {
    const twice = failing(2, new Lost('503'));
    await expect(againInTransit(twice.call, lost)).resolves.toBe('ok');
    expect(twice.tries()).toBe(3);
    const always = failing(5, new Lost('503'));
    await expect(againInTransit(always.call, lost)).rejects.toThrow('503');
    expect(always.tries()).toBe(3);
  });

  it('passes any other error through at once', async () => {
    const refused = failing(1, new Error('403 Missing Access'));
    await expect(againInTransit(refused.call, lost)).rejects.toThrow('403 Missing Access');
    expect(refused.tries()).toBe(1);
  });

  it('starts no try after withinMs: the first backoff (200 ms) would end past a 100 ms deadline', async () => {
    const once = failing(1, new Lost('504'));
    await expect(againInTransit(once.call, lost, 100)).rejects.toThrow('504');
    expect(once.tries()).toBe(1);
  });
});
