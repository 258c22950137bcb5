import { DelayedError, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { RetryLaterError, type DeliveryHandler, type EnqueueOptions, type Outbox, type OutboundMessage } from '../../src/ports.js';
import { bullPrefix, consoleLogger, errorText, type BullMQLogger } from './scheduler.js';

export interface BullMQOutboxOptions {
  /** Shared client for queue commands; never closed here (its owner closes it). */
  connection: Redis;
  /** The deployment's key prefix, e.g. "muster:"; the queue lives under it. */
  prefix: string;
  queueName?: string;
  concurrency?: number;
  logger?: BullMQLogger;
  /** Delivery attempts before a message is left failed (default 8). */
  attempts?: number;
  /** Base of the exponential backoff between attempts (default 500 ms). */
  backoffMs?: number;
  /**
   * Deliver fresh messages in this process at once, and queue only the ones
   * that fail (default true). Safe because the store already holds every
   * committed message as pending: a crash mid-delivery leaves it there for the
   * reconciler, and the delivery claim stops two workers sending it.
   */
  direct?: boolean;
}

const JOB_NAME = 'deliver';

/**
 * BullMQ job ids may not contain ':' nor look like integers, but message ids
 * are free-form. Ids that are fine stay readable; the rest are escaped behind a
 * leading '%', which a verbatim id never contains, so the mapping is one-to-one.
 */
export function outboxJobId(messageId: string): string {
  const verbatim = !/[:%]/.test(messageId) && `${parseInt(messageId, 10)}` !== messageId && messageId !== '';
  if (verbatim) return messageId;
  return `%${messageId.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/**
 * Outbound messages as BullMQ jobs: a message id maps to one job id, so
 * enqueueing a message twice while it waits delivers it once, and a crashed
 * worker's job is handed to another after its lock expires. The store's
 * delivered marker (checked by the delivery handler) guards against a resend
 * after a message was delivered and its job removed.
 */
export class BullMQOutbox implements Outbox {
  private readonly queue: Queue<OutboundMessage>;
  private readonly queueName: string;
  private readonly prefix: string;
  private readonly logger: BullMQLogger;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private worker: Worker<OutboundMessage> | undefined;
  private deliver: DeliveryHandler | undefined;
  /** Messages being delivered on the fast path, by id. */
  private readonly direct = new Map<string, Promise<void>>();
  private workerConnection: Redis | undefined;

  constructor(private readonly options: BullMQOutboxOptions) {
    this.queueName = options.queueName ?? 'muster-outbox';
    this.prefix = bullPrefix(options.prefix);
    this.logger = options.logger ?? consoleLogger;
    this.attempts = options.attempts ?? 8;
    this.backoffMs = options.backoffMs ?? 500;
    this.queue = new Queue<OutboundMessage>(this.queueName, { connection: options.connection, prefix: this.prefix });
    this.queue.on('error', (err) => this.logger.error({ queue: this.queueName, err: errorText(err) }, 'outbox queue error'));
  }

  async enqueue(messages: OutboundMessage[], options: EnqueueOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    if (this.deliver && !options.revive && this.options.direct !== false) {
      const claimed = new Set(options.claimed?.ids);
      for (const message of messages) this.deliverDirect(message, this.deliver, claimed.has(message.id) ? options.claimed?.owner : undefined);
      return;
    }
    if (options.revive) await Promise.all(messages.map((message) => this.retireFailed(outboxJobId(message.id))));
    await this.queueJobs(messages);
  }

  /** Fresh messages are attempted in this process at once (unless `direct` is off, or before start). */
  deliversDirectly(): boolean {
    return this.deliver !== undefined && this.options.direct !== false;
  }

  /** The fast path: one attempt now (under its commit's claim, if it took one); a failure goes to the queue, which retries with backoff. */
  private deliverDirect(message: OutboundMessage, deliver: DeliveryHandler, claimedAs?: string): void {
    if (this.direct.has(message.id)) return;
    const attempt = deliver(message, claimedAs ? { claimedAs } : {})
      .catch(async (err: unknown) => {
        const delay = err instanceof RetryLaterError ? err.delayMs : 0;
        // A message put back for later (a 429, a claim held elsewhere) is normal, not worth a warning.
        if (delay === 0) this.logger.warn({ message: message.id, incident: message.incident, err: errorText(err) }, 'message delivery failed; queued for retry');
        await this.queueJobs([message], delay).catch((queueErr: unknown) =>
          this.logger.error({ message: message.id, err: errorText(queueErr) }, 'could not queue the retry; the message stays pending for the reconciler'),
        );
      })
      .finally(() => this.direct.delete(message.id));
    this.direct.set(message.id, attempt);
  }

  private async queueJobs(messages: OutboundMessage[], delay = 0): Promise<void> {
    await this.queue.addBulk(
      messages.map((message) => ({
        name: JOB_NAME,
        data: message,
        opts: {
          jobId: outboxJobId(message.id),
          ...(delay > 0 ? { delay } : {}),
          attempts: this.attempts,
          backoff: { type: 'exponential', delay: this.backoffMs },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      })),
    );
  }

  async start(deliver: DeliveryHandler): Promise<void> {
    if (this.worker) throw new Error('BullMQOutbox already started');
    this.deliver = deliver;
    const connection = this.options.connection.duplicate({ maxRetriesPerRequest: null }) as Redis;
    const worker = new Worker<OutboundMessage>(
      this.queueName,
      async (job, token) => {
        try {
          await deliver(job.data);
        } catch (error) {
          if (!(error instanceof RetryLaterError)) throw error;
          // Back to delayed with the platform's delay; BullMQ does not count it as a failed attempt.
          await job.moveToDelayed(Date.now() + error.delayMs, token);
          throw new DelayedError();
        }
      },
      { connection, prefix: this.prefix, concurrency: this.options.concurrency ?? 50 },
    );
    worker.on('failed', (job, err) => {
      const attempt = job?.attemptsMade ?? 0;
      const fields = { message: job?.data.id, incident: job?.data.incident, attempt, err: errorText(err) };
      if (attempt >= this.attempts) this.logger.error(fields, 'message delivery failed for the last time; it stays pending in the store');
      else this.logger.warn(fields, 'message delivery failed; it will be retried');
    });
    worker.on('error', (err) => this.logger.error({ queue: this.queueName, err: errorText(err) }, 'outbox worker error'));
    this.worker = worker;
    this.workerConnection = connection;
    await worker.waitUntilReady();
  }

  async depth(): Promise<number> {
    return this.direct.size + (await this.queue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active'));
  }

  /** Waits for deliveries in flight, then closes the worker, the queue and the connections made here. */
  async close(): Promise<void> {
    const { worker, workerConnection } = this;
    this.deliver = undefined;
    await Promise.allSettled([...this.direct.values()]);
    this.worker = undefined;
    this.workerConnection = undefined;
    await worker?.close();
    await this.queue.close();
    if (workerConnection && workerConnection.status !== 'end') {
      await workerConnection.quit().catch(() => workerConnection.disconnect());
    }
  }

  /** A message that exhausted its attempts must not swallow a later re-enqueue (the reconciler's retry). */
  private async retireFailed(jobId: string): Promise<void> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'failed' || state === 'completed') await this.queue.remove(jobId);
  }
}
