import { RetryLaterError, type DeliveryHandler, type EnqueueOptions, type Outbox, type OutboundMessage } from '../../src/ports.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500 };

/**
 * In-process outbox: delivers in the background with exponential backoff.
 * Not for production — messages waiting here are lost with the process (the
 * store still lists them as pending, but the memory store dies too). Use the
 * BullMQ outbox (REDIS_URL).
 */
export class InProcessOutbox implements Outbox {
  private readonly queued = new Map<string, OutboundMessage>();
  private readonly inFlight = new Set<string>();
  private deliver: DeliveryHandler | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly retry: RetryPolicy = DEFAULT_RETRY) {}

  async enqueue(messages: OutboundMessage[], options: EnqueueOptions = {}): Promise<void> {
    const claimed = new Set(options.claimed?.ids);
    for (const message of messages) {
      if (this.queued.has(message.id) || this.closed) continue;
      this.queued.set(message.id, message);
      if (this.deliver) void this.attempt(message, 1, claimed.has(message.id) ? options.claimed?.owner : undefined);
    }
  }

  deliversDirectly(): boolean {
    return this.deliver !== undefined && !this.closed;
  }

  async start(deliver: DeliveryHandler): Promise<void> {
    this.deliver = deliver;
    for (const message of this.queued.values()) void this.attempt(message, 1);
  }

  async depth(): Promise<number> {
    return this.queued.size;
  }

  /** Resolves when nothing is queued or in flight (tests and the console script use it). */
  async idle(): Promise<void> {
    if (this.queued.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** `claimedAs`: the first attempt runs under the claim its commit took. */
  private async attempt(message: OutboundMessage, attempt: number, claimedAs?: string): Promise<void> {
    const deliver = this.deliver;
    if (!deliver || this.closed || this.inFlight.has(message.id)) return;
    this.inFlight.add(message.id);
    try {
      await deliver(message, claimedAs ? { claimedAs } : {});
      this.finish(message.id);
    } catch (error) {
      this.inFlight.delete(message.id);
      if (error instanceof RetryLaterError) {
        // Asked to wait (a 429): back in the queue after the delay, the attempt not spent.
        setTimeout(() => void this.attempt(message, attempt), error.delayMs).unref();
        return;
      }
      if (attempt >= this.retry.attempts) return this.finish(message.id);
      const delay = this.retry.baseDelayMs * 2 ** (attempt - 1);
      setTimeout(() => void this.attempt(message, attempt + 1), delay).unref();
    }
  }

  private finish(id: string): void {
    this.inFlight.delete(id);
    this.queued.delete(id);
    if (this.queued.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
