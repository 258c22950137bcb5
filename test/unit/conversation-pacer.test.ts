import { describe, expect, it } from 'vitest';
import { ConversationPacer } from '../../adapters/conversation-pacer.js';
import { RetryLaterError } from '../../src/ports.js';

describe('ConversationPacer', () => {
  it('pauses only the rate-limited conversation, until its Retry-After has passed', () => {
    let now = 1_000;
    const pacer = new ConversationPacer(() => now, () => 0);
    const limited = pacer.paused('C1', new RetryLaterError('429', 2_000, true));
    expect(limited).toMatchObject({ delayMs: 2_000, attemptFailed: true });
    expect(() => pacer.check('C2')).not.toThrow();
    now += 500;
    expect(() => pacer.check('C1')).toThrow(expect.objectContaining({ delayMs: 1_500, attemptFailed: false }));
    now += 1_500;
    expect(() => pacer.check('C1')).not.toThrow();
  });

  it('spreads the delays by up to half again, so waiting messages do not return together', () => {
    const pacer = new ConversationPacer(() => 0, () => 0.999);
    expect(pacer.paused('C1', new RetryLaterError('429', 1_000, true)).delayMs).toBe(1_500);
  });
});
