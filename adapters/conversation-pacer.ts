import { RetryLaterError } from '../src/ports.js';

/**
 * Conversations a platform asked us to leave alone for a while (a 429 with
 * Retry-After), remembered per conversation in this process. A message for a
 * paused conversation goes back to the outbox at once, without a request the
 * platform would refuse again; other conversations are never held back. The
 * delays are spread (up to half as long again), so the messages waiting on
 * one conversation do not all come back in the same instant.
 */
export class ConversationPacer {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Throws RetryLaterError while `conversation` is paused. */
  check(conversation: string): void {
    const until = this.until.get(conversation);
    if (until === undefined) return;
    const wait = until - this.now();
    if (wait <= 0) {
      this.until.delete(conversation);
      return;
    }
    throw new RetryLaterError(`waiting out the rate limit of ${conversation}`, this.spread(wait));
  }

  /** The platform refused a call on `conversation` for `limited.delayMs`: pause it, and say when to try again. */
  paused(conversation: string, limited: RetryLaterError): RetryLaterError {
    const until = this.now() + limited.delayMs;
    this.until.set(conversation, Math.max(this.until.get(conversation) ?? 0, until));
    return new RetryLaterError(limited.message, this.spread(limited.delayMs), true);
  }

  private spread(ms: number): number {
    return Math.ceil(ms + this.random() * ms * 0.5);
  }
}
