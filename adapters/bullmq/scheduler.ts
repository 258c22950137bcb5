import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ScheduleOptions, Scheduler, Timer, TimerHandler } from '../../src/ports.js';
import { hashTag } from '../../src/config/redis-keys.js';

export interface BullMQLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BullMQSchedulerOptions {
  /** Shared client for queue commands; never closed here (its owner closes it). */
  connection: Redis;
  /** The deployment's key prefix, e.g. "muster:"; the queue lives under it. */
  prefix: string;
  queueName?: string;
  concurrency?: number;
  logger?: BullMQLogger;
}

const JOB_NAME = 'timer';
/** Jobs made by a job scheduler: their firing time is the job's own timestamp. */
const REPEAT_NAME = 'repeat';
const ATTEMPTS = 5;

export const consoleLogger: BullMQLogger = {
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

/**
 * BullMQ joins its prefix and the queue name with ':'; drop ours so keys read
 * "{muster}:bull:muster-timers:…". The prefix keeps (or gets) a hash tag, so
 * every key of a queue hashes to one Redis Cluster slot, as BullMQ's scripts need.
 */
export function bullPrefix(prefix: string): string {
  const tagged = hashTag(prefix) !== undefined ? prefix : `{${prefix.replace(/:+$/, '') || 'bull'}}`;
  return tagged.replace(/:+$/, '');
}

/** BullMQ rejects custom job ids that contain ':' or look like integers. */
function assertJobId(id: string): void {
  if (id.length === 0 || id.includes(':') || `${parseInt(id, 10)}` === id) {
    throw new Error(`timer id "${id}" cannot be a BullMQ job id: it must be non-empty, contain no ':' and not be an integer`);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Durable timers on BullMQ delayed jobs. The job id is the timer id, so
 * scheduling the same timer twice keeps one job; the store record stays the
 * truth and the handler fences on its epoch, so a late or repeated delivery
 * is harmless. A throwing handler is retried with backoff.
 */
export class BullMQScheduler implements Scheduler {
  private readonly queue: Queue<Timer>;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly logger: BullMQLogger;
  private worker: Worker<Timer> | undefined;
  /** The worker's own connection (BullMQ duplicates it again for blocking reads). */
  private workerConnection: Redis | undefined;

  constructor(private readonly options: BullMQSchedulerOptions) {
    this.queueName = options.queueName ?? 'muster-timers';
    this.prefix = bullPrefix(options.prefix);
    this.logger = options.logger ?? consoleLogger;
    this.queue = new Queue<Timer>(this.queueName, { connection: options.connection, prefix: this.prefix });
    this.queue.on('error', (err) => this.logger.error({ queue: this.queueName, err: errorText(err) }, 'timer queue error'));
  }

  async schedule(timer: Timer): Promise<void> {
    await this.scheduleAll([timer]);
  }

  async scheduleAll(timers: Timer[], options: ScheduleOptions = {}): Promise<void> {
    if (timers.length === 0) return;
    for (const timer of timers) assertJobId(timer.id);
    if (options.revive) await Promise.all(timers.map((timer) => this.retireFailed(timer.id)));
    const now = Date.now();
    const jobs = timers.map((timer) => ({
      name: JOB_NAME,
      data: timer,
      opts: {
        jobId: timer.id,
        delay: Math.max(0, timer.dueAt - now),
        removeOnComplete: true,
        removeOnFail: 1000,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential' as const, delay: 500 },
      },
    }));
    // One timer goes through Queue.add: addBulk builds an ioredis pipeline,
    // which copies every BullMQ script on construction (2x a bare add).
    const [only] = jobs;
    if (jobs.length === 1 && only) await this.queue.add(only.name, only.data, only.opts);
    else await this.queue.addBulk(jobs);
  }

  /** A BullMQ job scheduler: upserting the same id keeps one, across restarts and replicas. */
  async repeat(id: string, everyMs: number, timer: Omit<Timer, 'id' | 'dueAt'>): Promise<void> {
    assertJobId(id);
    await this.queue.upsertJobScheduler(id, { every: everyMs }, { name: REPEAT_NAME, data: { ...timer, id, dueAt: 0 } as Timer });
  }

  /**
   * Removes the jobs of these timers (delayed, waiting or failed). BullMQ
   * refuses to remove a job a worker holds the lock of: that one fires, and
   * its handler fences on the epoch.
   */
  async cancel(ids: string[]): Promise<void> {
    const removable = ids.filter((id) => id.length > 0 && !id.includes(':'));
    await Promise.all(removable.map((id) => this.queue.remove(id)));
  }

  /** Job schedulers in this queue (tests, the health view). */
  async repeatIds(): Promise<string[]> {
    return (await this.queue.getJobSchedulers()).map((scheduler) => scheduler.key);
  }

  async start(handler: TimerHandler): Promise<void> {
    if (this.worker) throw new Error('BullMQScheduler already started');
    const connection = this.options.connection.duplicate({ maxRetriesPerRequest: null }) as Redis;
    const worker = new Worker<Timer>(
      this.queueName,
      async (job) => {
        await handler(job.name === REPEAT_NAME ? { ...job.data, dueAt: job.timestamp + (job.opts.delay ?? 0) } : job.data);
      },
      { connection, prefix: this.prefix, concurrency: this.options.concurrency ?? 5 },
    );
    worker.on('failed', (job, err) => {
      const attempt = job?.attemptsMade ?? 0;
      const final = attempt >= (job?.opts.attempts ?? ATTEMPTS);
      const fields = { timer: job?.id, attempt, err: errorText(err) };
      if (final) this.logger.error(fields, 'timer handler failed for the last time; the reconciler must re-create it');
      else this.logger.warn(fields, 'timer handler failed; it will be retried');
    });
    worker.on('error', (err) => this.logger.error({ queue: this.queueName, err: errorText(err) }, 'timer worker error'));
    this.worker = worker;
    this.workerConnection = connection;
    await worker.waitUntilReady();
  }

  async pendingIds(): Promise<string[]> {
    // Ids only (getJobs would load every job's data): the reconciler reads this every pass.
    const ids = await this.queue.getRanges(['delayed', 'waiting', 'prioritized', 'active'], 0, -1);
    return [...new Set(ids.filter((id) => typeof id === 'string'))];
  }

  /** Waits for running handlers, then closes the worker, the queue and the connections made here. */
  async close(): Promise<void> {
    const { worker, workerConnection } = this;
    this.worker = undefined;
    this.workerConnection = undefined;
    await worker?.close();
    await this.queue.close();
    if (workerConnection && workerConnection.status !== 'end') {
      await workerConnection.quit().catch(() => workerConnection.disconnect());
    }
  }

  /**
   * Simulates a process kill (tests only): the worker's connections drop at once
   * and active jobs are neither finished nor released, so their locks expire and
   * BullMQ's stalled check hands them to another worker. A handler already
   * running keeps running in this process (a real kill would stop it). The queue
   * stays usable, and `start` may be called again.
   */
  async crash(): Promise<void> {
    const { worker, workerConnection } = this;
    this.worker = undefined;
    this.workerConnection = undefined;
    workerConnection?.disconnect();
    await worker?.close(true);
  }

  /**
   * A job that exhausted its attempts stays in the failed set (for inspection)
   * and would swallow a new add with the same id; the reconciler re-creating a
   * timer must get a live job, so the dead one goes first.
   */
  private async retireFailed(id: string): Promise<void> {
    const state = await this.queue.getJobState(id);
    if (state === 'failed' || state === 'completed') await this.queue.remove(id);
  }
}
