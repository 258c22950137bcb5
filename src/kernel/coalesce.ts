/** What became of each item of a flush, by position: undefined for done, else its error. */
export type ItemErrors = Array<unknown>;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Batches work per key in this process: the first item starts a flush a turn
 * of the event loop later, with every item added by then; items added while
 * it runs go together in the next one. Used where
 * many small writes hit one incident at the same moment (a page receipt for
 * each of five first pages), so they make one commit instead of five that
 * conflict and retry. Each add settles when the flush holding its item does:
 * the flush may fail items one by one (its result, one entry per item) or all
 * of them (it throws).
 */
export class Coalescer<T> {
  private readonly pending = new Map<string, Waiting<T>[]>();

  constructor(private readonly flush: (key: string, items: T[]) => Promise<ItemErrors | void>) {}

  add(key: string, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queued = this.pending.get(key);
      if (queued) {
        queued.push({ item, resolve, reject });
        return;
      }
      const first: Waiting<T>[] = [{ item, resolve, reject }];
      this.pending.set(key, first);
      void this.drain(key, first);
    });
  }

  private async drain(key: string, first: Waiting<T>[]): Promise<void> {
    // A turn of the event loop before the first flush: changes that arrive
    // together (a declare's five page receipts, released at once behind the
    // pages) join it instead of making a second, conflicting commit.
    await new Promise((resolve) => setImmediate(resolve));
    let batch = first;
    for (;;) {
      // Items arriving from now on wait for the next flush.
      const next: Waiting<T>[] = [];
      this.pending.set(key, next);
      try {
        const errors = await this.flush(key, batch.map((waiting) => waiting.item));
        batch.forEach((waiting, index) => {
          const error = errors?.[index];
          if (error === undefined) waiting.resolve();
          else waiting.reject(error);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
      if (next.length === 0) break;
      batch = next;
    }
    this.pending.delete(key);
  }
}
