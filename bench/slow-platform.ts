/**
 * Pages on a slow platform, in production mode (RedisStore, BullMQ scheduler
 * and outbox, as src/main.ts wires them):
 *
 * - after ack: one replica; the chat takes 300-1,500 ms per send and answers
 *   429 to one attempt in four. For each P1, as soon as its tech page has
 *   reached the platform, tech is assigned to someone else. Counted: tech
 *   pages of that incident whose send started after the assignment committed
 *   (`page_after_ack_total`, must be 0). In-flight sends cannot be recalled,
 *   so only attempts that begin after the ack count.
 * - duplicates: two replicas on one prefix, each with its own Redis clients,
 *   workers and a watchdog every second (re-queueing pending messages while
 *   their slow sends run); one send in fifty hangs 12 s, past the 10 s send
 *   claim, which its holder must renew. Counted: pages sent more than once
 *   (same incident, role and person) (`duplicate_pages_total`, must be 0).
 */
import { performance } from 'node:perf_hooks';
import { BullMQOutbox } from '../adapters/bullmq/outbox.js';
import { BullMQScheduler } from '../adapters/bullmq/scheduler.js';
import { RedisStore } from '../adapters/redis/store.js';
import { Muster } from '../src/app.js';
import { randomAuditKey, type AuditKey } from '../src/audit/key.js';
import { systemClock } from '../src/clock.js';
import { RetryLaterError, type ChatPort, type Destination, type Message, type OpenedRoom, type RoomRequest } from '../src/ports.js';
import { benchConfig, declareRequest } from './config.js';
import { connectClients, type Clients } from './redis.js';
import { CountingLogger, sleep } from './stats.js';
import { seeded } from '../test/support/seeded.js';

const ACK_RE = /^\/incident ack (INC-\d+) (\S+)/;

interface PageSend {
  incident: string;
  role: string;
  person: string;
  startedAt: number;
}

interface SlowOptions {
  minMs: number;
  maxMs: number;
  /** Share of attempts answered 429 at once. */
  limited: number;
  /** Share of sends that hang `hangMs`. */
  hanging: number;
  hangMs: number;
}

/** A platform that is slow, rate-limits, and now and then hangs; it notes when each page attempt began. */
class SlowChat implements ChatPort {
  readonly sent: PageSend[] = [];
  private readonly started = new Map<string, Array<() => void>>();
  private counter = 0;

  constructor(private readonly options: SlowOptions, private readonly random: () => number) {}

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    return { conversation: `bench:#${request.name}`, name: `#${request.name}`, problems: [] };
  }

  async invite(): Promise<string[]> {
    return [];
  }

  async update(): Promise<void> {}

  async send(to: Destination, message: Message): Promise<string> {
    const page = to.kind === 'person' ? ACK_RE.exec(message.buttons?.[0]?.command ?? '') : null;
    const startedAt = performance.now();
    if (page && to.kind === 'person') this.attempted(page[1]!, page[2]!);
    if (this.random() < this.options.limited) throw new RetryLaterError('429 from the slow platform', 500, true);
    const hang = this.random() < this.options.hanging;
    await sleep(hang ? this.options.hangMs : this.options.minMs + this.random() * (this.options.maxMs - this.options.minMs));
    if (page && to.kind === 'person') this.sent.push({ incident: page[1]!, role: page[2]!, person: to.person, startedAt });
    this.counter += 1;
    return `ref-${this.counter}`;
  }

  /** Resolves once a page for `role` of `incident` has reached the platform. */
  reached(incident: string, role: string): Promise<void> {
    if (this.attempts.some((a) => a.incident === incident && a.role === role)) return Promise.resolve();
    return new Promise((resolve) => this.started.set(`${incident} ${role}`, [...(this.started.get(`${incident} ${role}`) ?? []), resolve]));
  }

  /** Attempts that began, by incident and role, with their start times. */
  readonly attempts: PageSend[] = [];

  private attempted(incident: string, role: string): void {
    this.attempts.push({ incident, role, person: '', startedAt: performance.now() });
    const key = `${incident} ${role}`;
    for (const resolve of this.started.get(key) ?? []) resolve();
    this.started.delete(key);
  }
}


async function replica(clients: Clients, prefix: string, chat: ChatPort, auditKey: AuditKey, watchdogMs?: number): Promise<Muster> {
  const logger = new CountingLogger('slow');
  const muster = new Muster({
    auditKey,
    config: benchConfig(),
    store: new RedisStore(clients.commands, { prefix }),
    scheduler: new BullMQScheduler({ connection: clients.queues, prefix: `${prefix}bull`, logger }),
    outbox: new BullMQOutbox({ connection: clients.queues, prefix: `${prefix}bull`, logger }),
    chat,
    clock: systemClock,
    logger,
    ...(watchdogMs ? { watchdogIntervalMs: watchdogMs } : {}),
  });
  await muster.start({ watchdog: watchdogMs !== undefined });
  return muster;
}

function incidentOf(text: string): string {
  const id = /\bINC-\d+\b/.exec(text)?.[0];
  if (!id) throw new Error(`declare failed: ${text}`);
  return id;
}

/** Waits until every (incident, role) of `incidents` other than tech has a delivered page, or `maxMs`. */
async function othersPaged(chat: SlowChat, incidents: string[], maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  const wanted = new Set(incidents);
  while (Date.now() < until) {
    const paged = new Set(chat.sent.filter((s) => wanted.has(s.incident) && s.role !== 'tech').map((s) => `${s.incident} ${s.role}`));
    if (paged.size >= incidents.length * 4) return;
    await sleep(100);
  }
}

export interface AfterAckResult {
  incidents: number;
  pageAfterAck: number;
  attemptsAfterAck: number;
}

export async function pagesAfterAck(prefix: string, count: number): Promise<AfterAckResult> {
  const clients = await connectClients();
  const chat = new SlowChat({ minMs: 300, maxMs: 1_500, limited: 0.25, hanging: 0, hangMs: 0 }, seeded(42));
  const muster = await replica(clients, prefix, chat, randomAuditKey());
  const ackedAt = new Map<string, number>();
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const reached = new Promise<string>((resolve) => {
          void muster.dispatch(declareRequest(`slow-${i}-${process.pid}`)).then((reply) => {
            const id = incidentOf(reply.message.text);
            void chat.reached(id, 'tech').then(() => resolve(id));
          });
        });
        const id = await reached;
        await muster.service.assign(id, 'muster', 'tech', 'pam');
        ackedAt.set(id, performance.now());
      }),
    );
    await othersPaged(chat, [...ackedAt.keys()], 60_000);
    await sleep(2_000); // retries of superseded pages come back within 500 ms; give them room to (not) happen
    const late = chat.sent.filter((s) => s.role === 'tech' && s.person === 'pete' && s.startedAt > (ackedAt.get(s.incident) ?? Infinity));
    const lateAttempts = chat.attempts.filter((s) => s.role === 'tech' && s.startedAt > (ackedAt.get(s.incident) ?? Infinity));
    return { incidents: ackedAt.size, pageAfterAck: late.length, attemptsAfterAck: lateAttempts.length };
  } finally {
    await muster.stop();
    await clients.close();
  }
}

export interface DuplicateResult {
  incidents: number;
  pages: number;
  duplicates: number;
  hung: number;
}

export async function duplicatePages(prefix: string, count: number): Promise<DuplicateResult> {
  const [a, b] = [await connectClients(), await connectClients()];
  const options: SlowOptions = { minMs: 200, maxMs: 1_500, limited: 0.1, hanging: 0.02, hangMs: 12_000 };
  const chatA = new SlowChat(options, seeded(7));
  const chatB = new SlowChat(options, seeded(11));
  const key = randomAuditKey();
  const replicas = [await replica(a, prefix, chatA, key, 1_000), await replica(b, prefix, chatB, key, 1_000)];
  try {
    const replies = await Promise.all(Array.from({ length: count }, (_, i) => replicas[i % 2]!.dispatch(declareRequest(`dup-${i}-${process.pid}`))));
    const ids = replies.map((reply) => incidentOf(reply.message.text));
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      const paged = new Set([...chatA.sent, ...chatB.sent].map((s) => `${s.incident} ${s.role}`));
      if (paged.size >= ids.length * 5) break;
      await sleep(200);
    }
    await sleep(3_000); // a watchdog pass or two after the last page: any resend would show now
    const sent = [...chatA.sent, ...chatB.sent];
    const byPage = new Map<string, number>();
    for (const page of sent) byPage.set(`${page.incident} ${page.role} ${page.person}`, (byPage.get(`${page.incident} ${page.role} ${page.person}`) ?? 0) + 1);
    const duplicates = [...byPage.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    return { incidents: ids.length, pages: byPage.size, duplicates, hung: Math.round(sent.length * options.hanging) };
  } finally {
    await Promise.all(replicas.map((m) => m.stop()));
    await Promise.all([a.close(), b.close()]);
  }
}
