/**
 * A platform's request id is remembered with its outcome: a redelivery after
 * success answers the same and changes nothing; a redelivery after a failure
 * (the store went away mid-request) runs again.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/ports.js';
import type { CommandRequest } from '../../src/kernel/request.js';
import { harness } from '../support/fixture.js';

const declare = (requestId: string): CommandRequest => ({
  name: 'incident',
  args: 'declare Checkout failing sev=P1 service=checkout',
  actor: 'console:alice',
  conversation: 'console:#general',
  requestId,
});

describe('request ids remembered with their outcome', () => {
  it('a redelivery after success returns the same reply and declares nothing more', async () => {
    const h = await harness();
    const first = await h.muster.dispatch(declare('slack-command-1'));
    expect(first.message.text).toContain('INC-1 declared');
    const again = await h.muster.dispatch(declare('slack-command-1'));
    expect(again).toMatchObject({ duplicate: true, message: first.message });
    expect(await h.store.listActive()).toHaveLength(1);
  });

  it('a redelivery after a failure runs again', async () => {
    const h = await harness();
    const commit = h.store.commit.bind(h.store);
    let down = true;
    h.store.commit = async (change) => {
      if (down) throw new StoreUnavailableError('Redis store unavailable while committing a change: connection refused');
      return commit(change);
    };
    const failed = await h.muster.dispatch(declare('slack-command-2'));
    expect(failed.message.tone).toBe('warning');
    expect(await h.store.listActive()).toHaveLength(0);
    down = false;
    const retried = await h.muster.dispatch(declare('slack-command-2'));
    expect(retried.duplicate).toBeUndefined();
    expect(retried.message.text).toContain('declared');
    expect(await h.store.listActive()).toHaveLength(1);
  });

  it('a declare that committed but died before replying answers its redelivery with the incident it made', async () => {
    const h = await harness();
    const finish = h.store.finishRequest.bind(h.store);
    // The process "dies" after the declare's commit: the reply is never remembered, only what the commit wrote.
    h.store.finishRequest = async () => undefined;
    await h.muster.dispatch(declare('slack-command-3'));
    h.store.finishRequest = finish;
    const again = await h.muster.dispatch(declare('slack-command-3'));
    expect(again).toMatchObject({ duplicate: true, message: { text: 'This request already declared INC-1.' } });
    expect(await h.store.listActive()).toHaveLength(1);
  });
});
