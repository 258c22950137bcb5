/**
 * Pages first. A declare and its pages are the work someone is waiting on at
 * 3 a.m.; the war room, the board, announcements, receipts and similar past
 * incidents follow them. On a busy process (a storm of P1s) both kinds share
 * one event loop, and the work that follows a declare costs several times
 * what its pages do, so without an order the pages of the last declares wait
 * behind the rooms and boards of the first.
 *
 * Contract: `urgently` (or `begin` and its end) marks work as urgent while it runs; `afterUrgent`
 * resolves once nothing urgent is running (on the next turn of the event
 * loop, so urgent work started in the same turn goes first), or after
 * `maxWaitMs` at the latest, so a sustained storm delays what follows the
 * pages but never starves it.
 */
export class Lanes {
  private urgent = 0;
  private readonly waiting = new Set<() => void>();
  private releasing = false;

  constructor(private readonly maxWaitMs = 1_000) {}

  async urgently<T>(work: () => Promise<T>): Promise<T> {
    const done = this.begin();
    try {
      return await work();
    } finally {
      done();
    }
  }

  /** Marks urgent work begun; the function returned ends it (once, however often it is called). */
  begin(): () => void {
    this.urgent += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.urgent -= 1;
      if (this.urgent === 0) this.releaseSoon();
    };
  }

  afterUrgent(): Promise<void> {
    if (this.urgent === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.maxWaitMs);
      timer.unref?.();
      this.waiting.add(done);
      if (this.urgent === 0) this.releaseSoon();
    });
  }

  /** True while urgent work runs: what can follow it should (`afterUrgent`). */
  get busy(): boolean {
    return this.urgent > 0;
  }

  /** How many are waiting for the urgent work to finish (tests, the health view). */
  get queued(): number {
    return this.waiting.size;
  }

  private releaseSoon(): void {
    if (this.releasing) return;
    this.releasing = true;
    setImmediate(() => {
      this.releasing = false;
      if (this.urgent > 0) return;
      for (const done of [...this.waiting]) done();
    });
  }
}
