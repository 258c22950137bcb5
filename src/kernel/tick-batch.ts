/**
 * Turns many small calls into few: calls made in the same tick go out in one
 * flush, and calls made while a flush is in flight go together in the next.
 * The Redis store uses it for delivery claims and marks: a declare hands its
 * five pages, its room and its board to delivery in one loop, so they make
 * one script call instead of eight. Each call settles with its own result (by
 * position in the flush) or with the flush's error.
 *
 * Not the Coalescer (src/kernel/coalesce.ts), which flushes a key's first
 * item at once and settles items by their errors (an incident's writes):
 * here the first flush waits for the tick, so every call of one loop shares
 * it, and each call gets its own result back.
 *
 * Contract of `flush`: it returns one result per item, in order, or throws
 * (then every item of that flush fails with its error). At most `max` items
 * go in one flush, so one call never grows without bound.
 */
export class TickBatcher<I, R> {
  private queued: Array<{ item: I; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private running = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<R[]>,
    private readonly max = 64,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (this.scheduled || this.running) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        void this.run();
      });
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, this.max);
        try {
          const results = await this.flush(batch.map((waiting) => waiting.item));
          if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${results.length} results`);
          batch.forEach((waiting, index) => waiting.resolve(results[index]!));
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
