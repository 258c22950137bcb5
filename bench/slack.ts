/**
 * Slash command to pages over real Slack protocol, in production mode: the
 * real bot (startSlackBot: Bolt's HTTPReceiver, SlackChat, RedisStore,
 * BullMQ) with its Web API pointed at test/support/slack's FakeSlack, all in
 * this process. A declaration is a signed `/incident declare … sev=P1
 * service=checkout` POSTed to /slack/events; its latency runs from just before
 * the POST until the last of its five first pages (a chat.postMessage into a
 * responder's DM whose blocks carry the Acknowledge button for that incident)
 * has reached the fake. The incident id comes back through the command's
 * response_url, which the fake also serves.
 *
 * The floor: plain HTTP POSTs with a body of the same size to the fake's
 * response_url route (which records the body and answers 200), from this
 * process, with the same client (fetch) and the same concurrency.
 *
 * The fake is observed without changing it: its `calls` and `responses`
 * arrays get an instance-level push that notes when each request arrived, and
 * a call's `response` field (which the fake assigns when it answers) becomes
 * an accessor, so a page is seen the moment it is answered, with no polling.
 */
import { performance } from 'node:perf_hooks';
import type { MusterEnv } from '../src/config/env.js';
import { startSlackBot, type RunningBot } from '../src/main.js';
import { FAKE_SLACK, FakeSlack, type MethodResult, type RecordedCall, type RecordedResponse } from '../test/support/slack/fake-slack.js';
import { postSlashCommand, slashCommandPayload, type SlashCommandFields } from '../test/support/slack/signed.js';
import { benchSlackConfig, FIRST_PAGED, slackId } from './config.js';
import { drainOutbox } from './declare.js';
import { REDIS_URL } from './redis.js';
import { CountingLogger, percentile } from './stats.js';
import { randomAuditKey } from '../src/audit/key.js';

const SIGNING_SECRET = 'bench-signing-secret';
const OPS_CHANNEL = 'COPS';
const BROADCAST_CHANNEL = 'CINCIDENTS';
const WAIT_MS = 60_000;
const ACK_VALUE_RE = /^\/incident ack (INC-\d+) /;
const PAGED_USERS = new Set<string>(FIRST_PAGED.map(slackId));

export interface SlackSamples {
  /** POST started -> last of the five first pages reached the fake, ms. */
  pages: number[];
  /** POST started -> the bot's HTTP answer (Bolt's ack), ms. */
  acks: number[];
  /** POST started -> the reply reached the response_url, ms. */
  replies: number[];
}

export interface ConcurrentSlackSamples extends SlackSamples {
  /** p99 of the page latency of each batch, in order (the first is the coldest). */
  batchP99: number[];
  /** Event-loop utilization of this (single) process while the batches ran. */
  eventLoopUtilization: number;
  /** [start, end] of each batch, performance.now(). */
  windows: Array<[number, number]>;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface PageWait {
  /** Slack user -> performance.now() when their page arrived. */
  users: Map<string, number>;
  waiter?: Waiter<number>;
}

/** Replaces `array.push` on this one array so `seen` runs for every item added. */
export function observePush<T>(array: T[], seen: (item: T) => void): void {
  const push = Array.prototype.push;
  Object.defineProperty(array, 'push', {
    configurable: true,
    writable: true,
    value: (...items: T[]): number => {
      const length = push.apply(array, items);
      for (const item of items) seen(item);
      return length;
    },
  });
}

export function pageIncident(call: RecordedCall): string | undefined {
  const blocks = call.args.blocks;
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as Array<{ type?: unknown; elements?: unknown }>) {
    if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
    for (const element of block.elements as Array<{ type?: unknown; value?: unknown }>) {
      if (element.type !== 'button' || typeof element.value !== 'string') continue;
      const id = ACK_VALUE_RE.exec(element.value)?.[1];
      if (id) return id;
    }
  }
  return undefined;
}

export class SlackBench {
  /** Web API calls answered with ok:false or an HTTP error (a healthy run has none). */
  failedCalls = 0;
  /** Web API calls per method since the last `resetCounts()`. */
  readonly callCounts = new Map<string, number>();
  private readonly pages = new Map<string, PageWait>();
  private readonly replies = new Map<string, { at: number; body: unknown }>();
  private readonly replyWaiters = new Map<string, Waiter<{ at: number; body: unknown }>>();
  /** Watchdog passes of the bot (every 15 s in startSlackBot) while the bench ran: start (performance.now()) and duration. */
  readonly watchdogPasses: Array<{ at: number; ms: number }> = [];
  private declared = 0;

  private constructor(
    readonly fake: FakeSlack,
    readonly bot: RunningBot,
    readonly logger: CountingLogger,
    readonly url: string,
  ) {
    observePush(fake.calls, (call) => this.onCall(call));
    observePush(fake.responses, (response) => this.onResponse(response));
    // The bot runs its watchdog (startSlackBot offers no way to turn it off):
    // note each pass, so one landing inside a measurement can be told apart.
    const watchdog = bot.runtime.muster.watchdog;
    const beat = watchdog.beat.bind(watchdog);
    watchdog.beat = async () => {
      const at = performance.now();
      try {
        return await beat();
      } finally {
        this.watchdogPasses.push({ at, ms: performance.now() - at });
      }
    };
  }

  static async start(prefix: string): Promise<SlackBench> {
    const fake = await FakeSlack.start();
    try {
      fake.addChannel('ops', { id: OPS_CHANNEL, members: [slackId('alice')] });
      fake.addChannel('incidents', { id: BROADCAST_CHANNEL });
      const env: MusterEnv = {
        logLevel: 'warn',
        logLevelSet: true,
        redisPrefix: prefix,
        redisUrl: REDIS_URL,
        // Production mode refuses to start without an audit key; a bench run signs with a throwaway one.
        auditKey: randomAuditKey(),
        port: 0,
        slackBotToken: FAKE_SLACK.botToken,
        slackSigningSecret: SIGNING_SECRET,
        slackApiUrl: fake.apiUrl,
      };
      const logger = new CountingLogger('slack-bot');
      const bot = await startSlackBot({ env, config: benchSlackConfig(BROADCAST_CHANNEL), logger });
      if (bot.port === undefined) {
        await bot.stop();
        throw new Error('the Slack bot did not report an HTTP port');
      }
      return new SlackBench(fake, bot, logger, `http://127.0.0.1:${bot.port}/slack/events`);
    } catch (error) {
      await fake.close();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.bot.stop();
    } finally {
      await this.fake.close();
    }
  }

  /** The fields of the n-th declaration's slash command. */
  private slashFields(tag: string, responseName: string): SlashCommandFields {
    return {
      command: '/incident',
      text: `declare Bench ${tag} checkout is failing sev=P1 service=checkout anyway=yes`,
      user_id: slackId('alice'),
      channel_id: OPS_CHANNEL,
      response_url: this.fake.responseUrl(responseName),
    };
  }

  /** Bytes in a typical declaration's form body (what the floor sends). */
  slashBodyBytes(): number {
    const tag = `s${this.declared + 1}`;
    return Buffer.byteLength(new URLSearchParams(slashCommandPayload(this.slashFields(tag, `declare-${tag}`))).toString());
  }

  async declareOnce(samples: SlackSamples): Promise<void> {
    this.declared += 1;
    const tag = `s${this.declared}`;
    const responseName = `declare-${tag}`;
    const fields = this.slashFields(tag, responseName);
    const reply = this.waitForReply(responseName);
    reply.catch(() => undefined); // awaited below; don't let an early rejection go unhandled
    const startedAt = performance.now();
    const res = await postSlashCommand(this.url, SIGNING_SECRET, fields);
    const ackedAt = performance.now();
    if (res.status !== 200) throw new Error(`/incident declare answered HTTP ${res.status}: ${res.text}`);
    const { at: repliedAt, body } = await reply;
    const text = JSON.stringify(body);
    const id = /\bINC-\d+\b/.exec(text)?.[0];
    if (!id) throw new Error(`declare failed: ${text}`);
    const lastPageAt = await this.allPaged(id);
    samples.acks.push(ackedAt - startedAt);
    samples.replies.push(repliedAt - startedAt);
    samples.pages.push(lastPageAt - startedAt);
  }

  /** `runs` declarations one at a time, then one batch of `concurrency` (opens the connections a batch needs). */
  async warmUp(runs: number, concurrency = 0): Promise<void> {
    const ignored: SlackSamples = { pages: [], acks: [], replies: [] };
    for (let i = 0; i < runs; i += 1) await this.declareOnce(ignored);
    await this.settle();
    await Promise.all(Array.from({ length: concurrency }, () => this.declareOnce(ignored)));
    await this.settle();
  }

  /** One declaration at a time, each after the previous one's outbox drained. */
  async sequential(runs: number): Promise<SlackSamples> {
    const samples: SlackSamples = { pages: [], acks: [], replies: [] };
    for (let i = 0; i < runs; i += 1) {
      await this.declareOnce(samples);
      await this.settle();
    }
    return samples;
  }

  /** `batches` rounds of `concurrency` declarations started together. */
  async concurrent(concurrency: number, batches: number): Promise<ConcurrentSlackSamples> {
    const samples: ConcurrentSlackSamples = { pages: [], acks: [], replies: [], batchP99: [], eventLoopUtilization: 0, windows: [] };
    let busy = 0;
    let total = 0;
    for (let batch = 0; batch < batches; batch += 1) {
      const before = samples.pages.length;
      const elu = performance.eventLoopUtilization();
      const startedAt = performance.now();
      await Promise.all(Array.from({ length: concurrency }, () => this.declareOnce(samples)));
      samples.windows.push([startedAt, performance.now()]);
      const used = performance.eventLoopUtilization(elu);
      busy += used.active;
      total += used.active + used.idle;
      samples.batchP99.push(percentile(samples.pages.slice(before), 99));
      await this.settle();
    }
    samples.eventLoopUtilization = total > 0 ? busy / total : 0;
    return samples;
  }

  /**
   * The floor: `batches` rounds of `concurrency` samples started together; a
   * sample is `postsPerSample` plain POSTs in series (JSON body of `bodyBytes`
   * bytes) to the fake's response_url route, which records the body and
   * answers 200. Each POST gets its own name (a response_url takes 5 uses).
   */
  async floor(concurrency: number, batches: number, bodyBytes: number, postsPerSample = 1): Promise<number[]> {
    const latencies: number[] = [];
    const padding = Math.max(0, bodyBytes - '{"text":""}'.length);
    const body = JSON.stringify({ text: 'x'.repeat(padding) });
    let n = 0;
    const post = async () => {
      n += 1;
      const res = await fetch(this.fake.responseUrl(`floor-${n}`), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      await res.text();
      if (res.status !== 200) throw new Error(`floor POST answered HTTP ${res.status}`);
    };
    const sample = async () => {
      const startedAt = performance.now();
      for (let i = 0; i < postsPerSample; i += 1) await post();
      latencies.push(performance.now() - startedAt);
    };
    for (let batch = 0; batch < batches; batch += 1) {
      await Promise.all(Array.from({ length: concurrency }, sample));
      this.fake.reset();
    }
    return latencies;
  }

  /** Waits for the outbox to drain (room notices, broadcasts, boards), then forgets what the fake recorded. */
  async settle(): Promise<void> {
    await drainOutbox(this.bot.runtime.outbox);
    this.fake.reset();
  }

  resetCounts(): void {
    this.callCounts.clear();
  }

  // ---------------------------------------------------------------- observing the fake

  private onCall(call: RecordedCall): void {
    const arrivedAt = performance.now();
    let response: MethodResult | undefined;
    Object.defineProperty(call, 'response', {
      configurable: true,
      enumerable: true,
      get: () => response,
      set: (value: MethodResult | undefined) => {
        response = value;
        if (value !== undefined) this.onAnswered(call, value, arrivedAt);
      },
    });
  }

  private onAnswered(call: RecordedCall, response: MethodResult, arrivedAt: number): void {
    this.callCounts.set(call.method, (this.callCounts.get(call.method) ?? 0) + 1);
    if (response.ok !== true) {
      this.failedCalls += 1;
      return;
    }
    if (call.method !== 'chat.postMessage') return;
    const target = String(call.args.channel ?? '');
    const channel = this.fake.channel(target);
    const user = channel?.isIm ? channel.user : /^U/.test(target) ? target : undefined;
    if (!user || !PAGED_USERS.has(user)) return;
    const incident = pageIncident(call);
    if (!incident) return;
    const wait = this.pageWait(incident);
    if (wait.users.has(user)) return;
    wait.users.set(user, arrivedAt);
    if (wait.users.size >= PAGED_USERS.size && wait.waiter) {
      clearTimeout(wait.waiter.timer);
      wait.waiter.resolve(Math.max(...wait.users.values()));
    }
  }

  private onResponse(response: RecordedResponse): void {
    const at = performance.now();
    if (!response.name.startsWith('declare-')) return;
    const waiter = this.replyWaiters.get(response.name);
    if (waiter) {
      this.replyWaiters.delete(response.name);
      clearTimeout(waiter.timer);
      waiter.resolve({ at, body: response.body });
    } else if (!this.replies.has(response.name)) {
      this.replies.set(response.name, { at, body: response.body });
    }
  }

  private pageWait(incident: string): PageWait {
    let wait = this.pages.get(incident);
    if (!wait) {
      wait = { users: new Map() };
      this.pages.set(incident, wait);
    }
    return wait;
  }

  /** Resolves with when the last of the incident's first pages arrived (pages may come before the reply). */
  private allPaged(incident: string): Promise<number> {
    const wait = this.pageWait(incident);
    const done = () => {
      this.pages.delete(incident);
      return Math.max(...wait.users.values());
    };
    if (wait.users.size >= PAGED_USERS.size) return Promise.resolve(done());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pages.delete(incident);
        reject(new Error(`${incident}: only ${wait.users.size}/${PAGED_USERS.size} pages reached the fake after ${WAIT_MS} ms`));
      }, WAIT_MS);
      wait.waiter = { resolve: () => resolve(done()), reject, timer };
    });
  }

  private waitForReply(name: string): Promise<{ at: number; body: unknown }> {
    const already = this.replies.get(name);
    if (already) {
      this.replies.delete(name);
      return Promise.resolve(already);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(name);
        reject(new Error(`no reply at response_url ${name} after ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.replyWaiters.set(name, { resolve, reject, timer });
    });
  }
}
