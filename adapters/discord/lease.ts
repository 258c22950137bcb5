import type { IncidentStore } from '../../src/ports.js';
import type { Logger } from '../../src/logger.js';

/**
 * Only one replica holds the Discord gateway (two sessions would both receive
 * every interaction and race to acknowledge it). The holder renews a store
 * lease well inside its TTL; the others keep trying, so when the holder dies
 * its lease lapses and another replica connects within about one TTL.
 */

export const GATEWAY_LEASE_KEY = 'discord-gateway';

export interface GatewayLeaseOptions {
  store: Pick<IncidentStore, 'acquireLease' | 'releaseLease'>;
  /** Unique per process (host, pid, random). */
  owner: string;
  logger: Logger;
  /** Connects the gateway; a rejection gives the lease back and tries again later. */
  onAcquired: () => Promise<void>;
  /** Disconnects the gateway (the lease was lost or is given back). */
  onLost: () => Promise<void>;
  key?: string;
  /** Lease lifetime (default 30 s): the longest a dead holder blocks the others. */
  ttlMs?: number;
  /** Renewal interval of the holder (default 10 s). */
  renewMs?: number;
  /** Retry interval of the others (default 5 s). */
  retryMs?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export class GatewayLease {
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private renewedAt = 0;
  private running = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(private readonly options: GatewayLeaseOptions) {}

  get holding(): boolean {
    return this.held;
  }

  private get key(): string {
    return this.options.key ?? GATEWAY_LEASE_KEY;
  }

  private get ttlMs(): number {
    return this.options.ttlMs ?? 30_000;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops trying; a holder disconnects and gives the lease back so another replica takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.tick;
    if (this.held) await this.lose('stopping');
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      // Every promise made here is handled: a failing step is logged and the
      // next one is still scheduled, so nothing can become an unhandled rejection.
      this.tick = settled(() => this.step(), (error) => this.options.logger.warn({ err: describe(error) }, 'Discord gateway lease step failed; trying again'))
        .then(() => this.schedule(this.held ? (this.options.renewMs ?? 10_000) : (this.options.retryMs ?? 5_000)));
    }, delayMs);
    this.timer.unref?.();
  }

  private async step(): Promise<void> {
    let granted: boolean | undefined;
    try {
      granted = await this.options.store.acquireLease(this.key, this.options.owner, this.ttlMs);
    } catch (error) {
      this.options.logger.warn({ err: describe(error) }, 'could not reach the store to take or renew the Discord gateway lease');
    }
    if (!this.running) return;
    if (this.held) {
      if (granted) this.renewedAt = this.now();
      // A store hiccup is tolerated while the lease certainly still runs; after that another replica may hold it.
      else if (granted === false || this.now() - this.renewedAt >= this.ttlMs / 2) await this.lose('lost');
      return;
    }
    if (!granted) return;
    this.held = true;
    this.renewedAt = this.now();
    this.options.logger.info({ owner: this.options.owner }, 'took the Discord gateway lease; connecting');
    try {
      await this.options.onAcquired();
    } catch (error) {
      this.options.logger.warn({ err: describe(error) }, 'could not connect to the Discord gateway; giving the lease back');
      await this.lose('connect failed');
    }
  }

  /** Never rejects: a failed disconnect or release is logged; the lease lapses on its own TTL anyway. */
  private async lose(why: string): Promise<void> {
    this.held = false;
    this.options.logger.info({ owner: this.options.owner, why }, 'Discord gateway lease released; disconnecting');
    await settled(() => this.options.onLost(), (error) => this.options.logger.warn({ err: describe(error) }, 'could not disconnect the Discord gateway cleanly'));
    await settled(
      () => this.options.store.releaseLease(this.key, this.options.owner),
      (error) => this.options.logger.warn({ err: describe(error) }, 'could not give the Discord gateway lease back; it lapses after its TTL'),
    );
  }
}

/** Runs `work`, sending a rejection (or a synchronous throw) to `onError`; the result always fulfils. */
async function settled(work: () => Promise<unknown>, onError: (error: unknown) => void): Promise<void> {
  try {
    await work();
  } catch (error) {
    onError(error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
