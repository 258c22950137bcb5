/**
 * Shared pieces for the integration tests: the whole bot on a
 * real Redis under its own key prefix, built the way src/main.ts builds it,
 * with short escalation durations and polling helpers that never assert how
 * long anything took.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { BullMQOutbox } from '../../adapters/bullmq/outbox.js';
import { BullMQScheduler, bullPrefix } from '../../adapters/bullmq/scheduler.js';
import { RedisStore } from '../../adapters/redis/store.js';
import { Muster } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import type { MusterConfig } from '../../src/config/schema.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { Destination, Message, Outbox } from '../../src/ports.js';
import { FakeChat, testConfig } from './fixture.js';
import { TEST_AUDIT_KEY } from './audit-key.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The queue names the BullMQ adapters use by default. */
const QUEUES = ['muster-timers', 'muster-outbox'];

/** The commands client of src/main.ts: fails fast instead of queueing during an outage. */
export const COMMANDS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
};

/** The queues client of src/main.ts: BullMQ wants blocking commands to wait forever. */
export const QUEUES_OPTIONS: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 5_000 };

export function newPrefix(): string {
  return `itest:{${randomUUID()}}:`;
}

export interface ShortDurations {
  /** Offsets between escalation steps (primary, backup, manager), written like config ("1s"). */
  steps?: [string, string, string];
  /** The P1 assembly deadline. */
  assemble?: string;
}

/** testConfig() with durations in seconds, so a whole muster plays in a few seconds of real time. */
export function shortConfig(durations: ShortDurations = {}): MusterConfig {
  const [primary, backup, manager] = durations.steps ?? ['0s', '1s', '1s'];
  return testConfig((raw) => {
    const escalation = raw.escalation as Record<string, { steps: Array<{ after: string }> }>;
    const steps = escalation.standard?.steps ?? [];
    [primary, backup, manager].forEach((after, index) => {
      if (steps[index]) steps[index].after = after;
    });
    const severities = raw.severities as Record<string, Record<string, unknown>>;
    if (severities.P1) severities.P1.assemble = durations.assemble ?? '4s';
    // These suites count timers and pages of the muster itself; the response
    // SLA and the update cadence have their own tests (test/unit/sla.test.ts,
    // test/unit/cadence.test.ts).
    for (const level of Object.values(severities)) {
      delete level.respond;
      delete level.update;
    }
  });
}

/** A process-wide order of chat deliveries, so two instances' chats can be merged in time order. */
let deliverySequence = 0;

export interface StampedDelivery {
  seq: number;
  to: Destination;
  message: Message;
  edit: boolean;
}

/** FakeChat that also stamps every send and edit with a global sequence number. */
export class StampedChat extends FakeChat {
  readonly log: StampedDelivery[] = [];

  override async send(to: Destination, message: Message): Promise<string> {
    this.log.push({ seq: ++deliverySequence, to, message, edit: false });
    return super.send(to, message);
  }

  override async update(to: Destination, ref: string, message: Message): Promise<void> {
    this.log.push({ seq: ++deliverySequence, to, message, edit: true });
    return super.update(to, ref, message);
  }
}

export interface NodeOptions {
  prefix: string;
  config: MusterConfig;
  logger?: Logger;
  /** Client for the store; defaults to a fresh client on REDIS_URL with the main.ts options. */
  commands?: Redis;
  watchdogIntervalMs?: number;
  /** Wraps the outbox (to simulate a crash between commit and enqueue). */
  wrapOutbox?: (outbox: BullMQOutbox) => Outbox;
}

/**
 * One "process": its own Redis clients, store, BullMQ scheduler and outbox,
 * chat and Muster, on a shared key prefix (like a replica in production).
 */
export class Node {
  readonly commands: Redis;
  readonly queues: Redis;
  readonly store: RedisStore;
  readonly scheduler: BullMQScheduler;
  readonly bullOutbox: BullMQOutbox;
  readonly outbox: Outbox;
  readonly chat = new StampedChat();
  readonly muster: Muster;
  private closed = false;
  private requests = 0;
  private readonly id = randomUUID().slice(0, 8);

  constructor(readonly options: NodeOptions) {
    const logger = options.logger ?? silentLogger;
    this.commands = options.commands ?? new Redis(REDIS_URL, COMMANDS_OPTIONS);
    this.queues = new Redis(REDIS_URL, QUEUES_OPTIONS);
    for (const client of [this.commands, this.queues]) client.on('error', () => {});
    this.store = new RedisStore(this.commands, { prefix: options.prefix });
    const bull = `${options.prefix}bull`;
    this.scheduler = new BullMQScheduler({ connection: this.queues, prefix: bull, logger });
    this.bullOutbox = new BullMQOutbox({ connection: this.queues, prefix: bull, logger });
    this.outbox = options.wrapOutbox ? options.wrapOutbox(this.bullOutbox) : this.bullOutbox;
    this.muster = new Muster({ auditKey: TEST_AUDIT_KEY,
      config: options.config,
      store: this.store,
      scheduler: this.scheduler,
      outbox: this.outbox,
      chat: this.chat,
      clock: systemClock,
      logger,
      ...(options.watchdogIntervalMs !== undefined ? { watchdogIntervalMs: options.watchdogIntervalMs } : {}),
    });
  }

  async connect(): Promise<this> {
    await Promise.all(
      [this.commands, this.queues].filter((client) => client.status === 'wait').map((client) => client.connect()),
    );
    return this;
  }

  /** Connects and starts the bot (which runs the reconciler first). */
  async start(options: { watchdog?: boolean } = {}) {
    await this.connect();
    return this.muster.start({ watchdog: options.watchdog ?? false });
  }

  /** Sends a command as `person` from the console adapter. */
  say(person: string, args: string, conversation = 'console:#general', requestId?: string) {
    this.requests += 1;
    return this.muster.dispatch({
      name: 'incident',
      args,
      actor: `console:${person}`,
      conversation,
      requestId: requestId ?? `${this.id}-r${this.requests}`,
    });
  }

  /**
   * Simulates `kill -9` of this process as far as the timers go: the worker's
   * connections drop at once, and the outbox stops taking jobs.
   */
  async kill(): Promise<void> {
    this.muster.watchdog.stop();
    await this.scheduler.crash();
    await this.bullOutbox.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.muster.stop().catch(() => undefined);
    this.commands.disconnect();
    this.queues.disconnect();
  }
}

/** Removes the queues and every key under `prefix`. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (const name of QUEUES) {
      const queue = new Queue(name, { connection: admin, prefix: bullPrefix(`${prefix}bull`) });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await deleteKeys(admin, prefix);
  } finally {
    admin.disconnect();
  }
}

export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `condition` returns true (or a truthy value, which is returned).
 * The bound is generous and only stops a hung test; nothing asserts how long it took.
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${reason}`);
    }
    await sleep(intervalMs);
  }
}

/** True once nothing is left to deliver or fire: queues empty and no message pending in the store. */
export async function quiescent(nodes: Node[]): Promise<boolean> {
  const [first] = nodes;
  if (!first) return true;
  for (const node of nodes) {
    if ((await node.bullOutbox.depth()) > 0) return false;
  }
  if ((await first.store.pendingOutbox()).length > 0) return false;
  return (await first.scheduler.pendingIds()).length === 0;
}

/** Direct messages that are pages (they carry the Acknowledge button, or are a breach page); a page edited to link its room is not another one. */
export function dmKey(delivery: { to: Destination; message: Message; edit?: boolean }): string | undefined {
  if (delivery.to.kind !== 'person' || delivery.edit === true) return undefined;
  const command = delivery.message.buttons?.[0]?.command;
  return `${delivery.to.person} ${command ?? delivery.message.text}`;
}

/** How many times each key occurs. */
export function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Keys that occur more than once, with their counts (empty when everything is unique). */
export function duplicates(keys: Iterable<string>): Record<string, number> {
  return Object.fromEntries([...tally(keys)].filter(([, count]) => count > 1));
}

export function ofType(timeline: TimelineEvent[], type: TimelineEvent['type']): TimelineEvent[] {
  return timeline.filter((event) => event.type === type);
}

/** A page.sent event as "(role, step, person)". */
export function pageKey(event: TimelineEvent): string {
  const step = event.data.step ?? event.data.reason;
  return `${event.role ?? '-'} ${String(step)} ${event.person ?? '-'}`;
}

/** Pages the timeline expects for an unacknowledged P1 with the test org: role -> [step0, step1, step2]. */
export const P1_CHAIN: Record<string, [string, string, string]> = {
  commander: ['cara', 'cole', 'mona'],
  tech: ['pete', 'pam', 'mona'],
  ops: ['sam', 'sid', 'mona'],
  product: ['pia', 'pat', 'mona'],
  comms: ['cody', 'cat', 'mona'],
};

/** The P1 these suites declare, its roles, and who is paged first and second for them. */
// anyway=yes: tests declare many on one service at once, which a person would be asked about first.
export const DECLARE_P1 = 'declare Checkout is failing sev=P1 service=checkout anyway=yes';
export const ROLES = Object.keys(P1_CHAIN);
export const PRIMARIES = ROLES.map((role) => P1_CHAIN[role]![0]);
export const BACKUPS = ROLES.map((role) => P1_CHAIN[role]![1]);

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: object;
}

/** Prints nothing (like silentLogger) but keeps what was logged, for assertions. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (fields: object, message: string) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A TCP proxy to the real Redis that a test can take down (connections cut,
 * the port refusing) and bring back on the same port.
 */
export class RedisProxy {
  port = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly target: { host: string; port: number };
  private cut: { marker: string; thenUp: boolean } | undefined;
  /** While set, Redis's replies are dropped and the sockets stay open: a server that stalled, or a half-open link. */
  stalled = false;

  constructor(url: string = REDIS_URL) {
    const parsed = new URL(url);
    this.target = { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
  }

  /** The Redis URL a client should use to go through the proxy (credentials and db kept). */
  url(): string {
    const parsed = new URL(REDIS_URL);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /**
   * The next request containing `marker` reaches Redis, but its reply never
   * comes back: the proxy goes down right after (and, with `thenUp`, comes
   * straight back), as when a connection breaks between a write and its answer.
   */
  loseReplyTo(marker: string, options: { thenUp?: boolean } = {}): void {
    this.cut = { marker, thenUp: options.thenUp ?? false };
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.connect(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connect(client: net.Socket): void {
    const upstream = net.connect(this.target);
    let swallow = false;
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      const cut = this.cut;
      if (cut && chunk.includes(cut.marker)) {
        this.cut = undefined;
        swallow = true;
        // Give Redis time to run the command, then break the connection without its reply.
        setTimeout(() => void this.down().then(() => (cut.thenUp ? this.up() : undefined)), 100);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!swallow && !this.stalled) client.write(chunk);
    });
  }
}
