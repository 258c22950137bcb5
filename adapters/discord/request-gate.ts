import PQueue from 'p-queue';
import type { REST } from 'discord.js';

/**
 * Discord lets a bot make 50 requests a second in all (the global limit;
 * interaction replies are exempt). discord.js enforces it too, but in no
 * particular order: in a storm of declares, rooms, boards and edits take the
 * places of the pages. This gate admits at most that many requests in any
 * rolling second (so discord.js never has to hold one back) and serves pages
 * first: a request marked urgent overtakes everything not yet admitted.
 */
export const DISCORD_GLOBAL_PER_SECOND = 50;

/** The REST calls the chat port makes, each through the gate. */
export type GatedRest = Pick<REST, 'get' | 'post' | 'put' | 'patch' | 'delete'>;

const URGENT = 1;
const ROUTINE = 0;

export class DiscordRequestGate {
  private readonly queue: PQueue;

  constructor(perSecond = DISCORD_GLOBAL_PER_SECOND) {
    this.queue = new PQueue({ intervalCap: perSecond, interval: 1_000, strict: true });
  }

  /** Requests waiting for their place (for tests and logs). */
  get waiting(): number {
    return this.queue.size;
  }

  /** Runs `work` once it has its place; it learns how long it waited for it. */
  run<T>(urgent: boolean, work: (waitedMs: number) => Promise<T>): Promise<T> {
    const queuedAt = performance.now();
    return this.queue.add(() => work(performance.now() - queuedAt), { priority: urgent ? URGENT : ROUTINE });
  }

  /** `rest` with every call through the gate: pages and what they need first (`urgent`), the rest after. */
  rest(rest: REST, urgent: boolean): GatedRest {
    const through = <T>(work: () => Promise<T>): Promise<T> => this.run(urgent, work);
    return {
      get: (route, options) => through(() => rest.get(route, options)),
      post: (route, options) => through(() => rest.post(route, options)),
      put: (route, options) => through(() => rest.put(route, options)),
      patch: (route, options) => through(() => rest.patch(route, options)),
      delete: (route, options) => through(() => rest.delete(route, options)),
    };
  }
}
