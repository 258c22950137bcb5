/**
 * Waking people (issue 14), on the production wiring: buildRuntime (the
 * composition root of src/main.ts) in production mode (RedisStore, BullMQ
 * timers and outbox) under "<prefix>…:", the paging port built from
 * muster.yaml's `paging:` block, and the bot's one HTTP server with the
 * paging routes. Providers are local fakes from test/support/paging.
 *
 * page_to_provider: `concurrency` P1s declared at once, every person with an
 * ntfy topic; from just before dispatch() until the fake ntfy server received
 * the first request for that incident and person (the default P1 rule pushes
 * at once: an outbox message committed with the chat page, then the
 * provider call). Chat pages of the same declares are reported beside it,
 * and a floor: as many plain POSTs of a push's body at once to the same fake.
 *
 * phone_ack: the commander's rule calls at once (voice at 0s); the call's
 * TwiML at the fake Twilio carries the signed Gather URL. From just before a
 * signed Gather callback (Digits=1) is posted to the bot until both its
 * answer came back and the war-room board showing the slot acked reached the
 * chat port. Floors on the same server: a plain POST of the same form that
 * fastify answers without a handler (404), and the same signed Gather with
 * Digits=2 (signature checked, TwiML answered, nothing acknowledged).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadEnv } from '../src/config/env.js';
import type { MusterConfig } from '../src/config/schema.js';
import { buildRuntime, type Runtime } from '../src/main.js';
import type { Destination, Message } from '../src/ports.js';
import { FakeHttpServer, type RecordedRequest } from '../test/support/paging/fake-http.js';
import { ntfyProtocol } from '../test/support/paging/fake-providers.js';
import { FakeTwilio } from '../test/support/paging/fake-twilio.js';
import { PageTimingChat } from './chat.js';
import { BENCH_PEOPLE, benchConfig, declareRequest, FIRST_PAGED } from './config.js';
import type { Report } from './process.js';
import { CountingLogger, round1, sleep, summarize, type Summary } from './stats.js';

export interface PagingPlan {
  warmup: number;
  concurrency: number;
  batches: number;
  /** Gather callbacks one at a time, then `acksAtOnce` together. */
  acks: number;
  acksAtOnce: number;
}

const WAIT_MS = 60_000;
const PUBLIC_URL = 'https://muster.bench.example';
const ACCOUNT_SID = `AC${'be'.repeat(16)}`;
const AUTH_TOKEN = 'bench-twilio-auth-token';
const CARA_PHONE = '+4915100000001';
const INC_RE = /\bINC-(\d+)\b/;
const topicOf = (person: string) => `bench-${person}`;

/** A page or a board in this chat port; boards note when a role first shows acked. */
class BoardTimingChat extends PageTimingChat {
  private readonly acked = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();

  /** The role's name as the board labels it (the presenter's, set once the bot runs). */
  roleLabel = '';

  constructor() {
    super(FIRST_PAGED.length);
  }

  override async send(to: Destination, message: Message): Promise<string> {
    this.noteBoard(message);
    return super.send(to, message);
  }

  override async update(to: Destination, ref: string, message: Message): Promise<void> {
    this.noteBoard(message);
    await super.update(to, ref, message);
  }

  /** Resolves (performance.now()) once a board of `incident` shows the role acked. */
  boardAcked(incident: string): Promise<number> {
    const at = this.acked.get(incident);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${incident}: no board with the slot acked after ${WAIT_MS} ms`)), WAIT_MS);
      this.waiters.set(incident, (when) => {
        clearTimeout(timer);
        resolve(when);
      });
    });
  }

  private noteBoard(message: Message): void {
    if (!message.pin) return;
    const incident = /^INC-\d+/.exec(message.title ?? '')?.[0];
    const field = message.fields?.find((candidate) => candidate.label === this.roleLabel);
    if (!incident || !field || !/ · acked /.test(field.value) || this.acked.has(incident)) return;
    const at = performance.now();
    this.acked.set(incident, at);
    this.waiters.get(incident)?.(at);
    this.waiters.delete(incident);
  }
}

/** The fake ntfy server, noting when the first request for each incident and topic came. */
function timedNtfy(): { server: FakeHttpServer; firstAt: Map<string, number> } {
  const firstAt = new Map<string, number>();
  const answer = ntfyProtocol();
  const server = new FakeHttpServer((request: RecordedRequest) => {
    const at = performance.now();
    try {
      const json = JSON.parse(request.body) as { topic?: string; title?: string };
      const key = `${INC_RE.exec(json.title ?? '')?.[0]}|${json.topic}`;
      if (!firstAt.has(key)) firstAt.set(key, at);
    } catch {
      // Not JSON: the protocol answers 400 and nothing is timed.
    }
    return answer(request);
  });
  return { server, firstAt };
}

async function startBot(prefix: string, config: MusterConfig, chat: PageTimingChat, extraEnv: Record<string, string>): Promise<{ runtime: Runtime; logger: CountingLogger }> {
  const logger = new CountingLogger('paging');
  const env = loadEnv({
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MUSTER_REDIS_PREFIX: prefix,
    MUSTER_AUDIT_KEY: randomBytes(32).toString('hex'),
    MUSTER_HTTP_PORT: '0',
    MUSTER_PUBLIC_URL: PUBLIC_URL,
    MUSTER_PAGING_KEY: randomBytes(32).toString('hex'),
    ...extraEnv,
  });
  const runtime = await buildRuntime({ config, env, chat, logger });
  // The watchdog stays off so its reconcile passes don't land inside the measurements.
  await runtime.muster.start({ watchdog: false });
  return { runtime, logger };
}

let tagCounter = 0;

async function declare(runtime: Runtime): Promise<{ id: string; startedAt: number }> {
  tagCounter += 1;
  const startedAt = performance.now();
  const reply = await runtime.muster.dispatch(declareRequest(`p${tagCounter}-${process.pid}`));
  const id = INC_RE.exec(reply.message.text)?.[0];
  if (!id || reply.message.tone === 'warning') throw new Error(`declare failed: ${reply.message.text}`);
  return { id, startedAt };
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${WAIT_MS} ms`);
    await sleep(2);
  }
}

// ---------------------------------------------------------------- declare -> provider

interface ProviderSamples {
  push: number[];
  chat: number[];
  batchP99: number[];
  /** Event-loop utilization of this process (bot, fake and client) during the batches. */
  elu: number;
  /** Plain POSTs of a push's body to the same fake, as many at once as a batch pushes: start -> the fake received it. */
  floor: number[];
}

async function pushOnce(runtime: Runtime, chat: PageTimingChat, firstAt: Map<string, number>, samples: ProviderSamples): Promise<void> {
  const { id, startedAt } = await declare(runtime);
  const lastChat = await chat.allPaged(id, WAIT_MS);
  chat.forget(id);
  samples.chat.push(lastChat - startedAt);
  for (const person of FIRST_PAGED) {
    const at = await until(`ntfy push to ${person} for ${id}`, () => firstAt.get(`${id}|${topicOf(person)}`));
    samples.push.push(at - startedAt);
  }
}

/** `count` POSTs at once of the last push's body (its own topic and number each), as ntfy.ts sends them. */
async function ntfyFloor(server: FakeHttpServer, firstAt: Map<string, number>, count: number): Promise<number[]> {
  const last = JSON.parse(server.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `INC-${900_000 + i}`;
      const body = JSON.stringify({ ...last, topic: `floor-${i}`, title: `${id} ${String(last.title ?? '')}` });
      const startedAt = performance.now();
      const response = await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(WAIT_MS), redirect: 'error' });
      await response.text();
      return (firstAt.get(`${id}|floor-${i}`) ?? Number.NaN) - startedAt;
    }),
  );
}

/** Everyone in the bench org has an ntfy topic; the default P1 rule pushes at once. */
function pushConfig(ntfyUrl: string): MusterConfig {
  return benchConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    for (const person of BENCH_PEOPLE) people[person] = { ...people[person], ntfy: topicOf(person) };
    raw.paging = { ntfy: { baseUrl: ntfyUrl } };
  });
}

async function pageToProvider(prefix: string, plan: PagingPlan, report: Report): Promise<ProviderSamples & { logger: CountingLogger }> {
  const { server, firstAt } = timedNtfy();
  await server.start();
  const chat = new PageTimingChat(FIRST_PAGED.length);
  const { runtime, logger } = await startBot(prefix, pushConfig(server.url), chat, {});
  try {
    const ignored: ProviderSamples = { push: [], chat: [], batchP99: [], floor: [], elu: 0 };
    report.progress(`paging: warm-up (${plan.warmup} one at a time, then ${plan.concurrency} at once)`);
    for (let i = 0; i < plan.warmup; i += 1) await pushOnce(runtime, chat, firstAt, ignored);
    await runtime.settle(WAIT_MS);
    // As the Slack phase does: the first burst also grows the HTTP client's and Redis's connection pools.
    await Promise.all(Array.from({ length: plan.concurrency }, () => pushOnce(runtime, chat, firstAt, ignored)));
    await runtime.settle(WAIT_MS);
    const samples: ProviderSamples = { push: [], chat: [], batchP99: [], floor: [], elu: 0 };
    for (let batch = 0; batch < plan.batches; batch += 1) {
      report.progress(`paging: batch ${batch + 1}/${plan.batches}, ${plan.concurrency} P1s at once, everyone on ntfy`);
      const before = samples.push.length;
      const elu = performance.eventLoopUtilization();
      await Promise.all(Array.from({ length: plan.concurrency }, () => pushOnce(runtime, chat, firstAt, samples)));
      samples.elu = Math.max(samples.elu, performance.eventLoopUtilization(elu).utilization);
      samples.batchP99.push(summarize(samples.push.slice(before)).p99);
      await runtime.settle(WAIT_MS);
    }
    report.progress(`paging: floor, ${plan.concurrency * FIRST_PAGED.length} plain POSTs at once to the fake ntfy`);
    samples.floor = await ntfyFloor(server, firstAt, plan.concurrency * FIRST_PAGED.length);
    return { ...samples, logger };
  } finally {
    await runtime.close();
    await server.close();
  }
}

// ---------------------------------------------------------------- Gather callback -> slot staffed, board drawn

interface AckSamples {
  one: number[];
  many: number[];
  floor: number[];
  routeFloor: number[];
  refused: number;
}

/** The commander (cara) is called at once; the others stay in chat. */
function callConfig(twilioUrl: string): MusterConfig {
  return benchConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.cara = { ...people.cara, phone: CARA_PHONE, notify: { P1: [{ after: '0s', via: ['chat', 'voice'] }] } };
    raw.paging = { twilio: { accountSid: ACCOUNT_SID, from: '+15005550006', baseUrl: twilioUrl } };
  });
}

/** The Gather action URL the call of each incident carries, by incident id. */
function gatherActions(twilio: FakeTwilio): Map<string, string> {
  const actions = new Map<string, string>();
  for (const request of twilio.requests) {
    const twiml = new URLSearchParams(request.body).get('Twiml') ?? '';
    const id = INC_RE.exec(twiml)?.[0];
    const action = /action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
    if (id && action) actions.set(id, action);
  }
  return actions;
}

async function callsFor(runtime: Runtime, twilio: FakeTwilio, count: number): Promise<Array<{ id: string; action: string }>> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await declare(runtime)).id);
  await until(`${count} calls at the fake Twilio`, () => (ids.every((id) => gatherActions(twilio).has(id)) ? true : undefined));
  await runtime.settle(WAIT_MS);
  const actions = gatherActions(twilio);
  return ids.map((id) => ({ id, action: actions.get(id) as string }));
}

const keypress = (digits: string) => ({ CallSid: `CA${randomBytes(16).toString('hex')}`, Digits: digits, From: CARA_PHONE, To: '+15005550006', AccountSid: ACCOUNT_SID });

async function ackOnce(bot: { twilio: FakeTwilio; chat: BoardTimingChat; base: string }, call: { id: string; action: string }): Promise<{ ms: number; acked: boolean }> {
  const board = bot.chat.boardAcked(call.id);
  const startedAt = performance.now();
  const answer = await bot.twilio.callBot(call.action, `${bot.base}${call.action.slice(PUBLIC_URL.length)}`, keypress('1'));
  const answeredAt = performance.now();
  const acked = answer.status === 200 && answer.text.includes('Acknowledged');
  const drawnAt = acked ? await board : answeredAt;
  return { ms: Math.max(answeredAt, drawnAt) - startedAt, acked };
}

/** A signed Gather with Digits=2 (verified, answered, nothing acknowledged), and a plain POST fastify answers 404. */
async function floors(bot: { twilio: FakeTwilio; base: string }, action: string, samples: AckSamples): Promise<void> {
  const params = keypress('2');
  let startedAt = performance.now();
  const route = await bot.twilio.callBot(action, `${bot.base}${action.slice(PUBLIC_URL.length)}`, params);
  samples.routeFloor.push(performance.now() - startedAt);
  if (route.status !== 200) throw new Error(`the Digits=2 floor was answered ${route.status}`);
  startedAt = performance.now();
  const plain = await fetch(`${bot.base}/healthz`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  await plain.text();
  samples.floor.push(performance.now() - startedAt);
}

async function phoneAck(prefix: string, plan: PagingPlan, report: Report): Promise<AckSamples & { logger: CountingLogger }> {
  const twilio = await new FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start();
  const config = callConfig(twilio.url);
  const chat = new BoardTimingChat();
  const { runtime, logger } = await startBot(prefix, config, chat, { TWILIO_AUTH_TOKEN: AUTH_TOKEN });
  chat.roleLabel = runtime.muster.present.roleName('commander');
  const bot = { twilio, chat, base: `http://127.0.0.1:${runtime.httpPort}` };
  const samples: AckSamples = { one: [], many: [], floor: [], routeFloor: [], refused: 0 };
  try {
    report.progress(`paging: ${plan.acks + plan.acksAtOnce + plan.warmup} P1s whose commander is called at once`);
    const calls = await callsFor(runtime, twilio, plan.acks + plan.acksAtOnce + plan.warmup);
    const warm = calls.splice(0, plan.warmup);
    for (const call of warm) {
      await floors(bot, call.action, { one: [], many: [], floor: [], routeFloor: [], refused: 0 });
      await ackOnce(bot, call);
    }
    await runtime.settle(WAIT_MS);
    report.progress(`paging: ${plan.acks} Gather callbacks one at a time, each beside its floors`);
    for (const call of calls.splice(0, plan.acks)) {
      await floors(bot, call.action, samples);
      const result = await ackOnce(bot, call);
      if (result.acked) samples.one.push(result.ms);
      else samples.refused += 1;
      await runtime.settle(WAIT_MS);
    }
    report.progress(`paging: ${calls.length} Gather callbacks at once`);
    const together = await Promise.all(calls.map((call) => ackOnce(bot, call)));
    for (const result of together) {
      if (result.acked) samples.many.push(result.ms);
      else samples.refused += 1;
    }
    await runtime.settle(WAIT_MS);
    return { ...samples, logger };
  } finally {
    await runtime.close();
    await twilio.close();
  }
}

// ---------------------------------------------------------------- the figures, for bench/run.ts

const ms = (value: number) => `${round1(value).toFixed(1)} ms`;
const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;

export async function pagingFigures(prefix: string, plan: PagingPlan, report: Report): Promise<Record<string, number>> {
  const push = await pageToProvider(`${prefix}push:`, plan, report);
  const toProvider = summarize(push.push);
  const toChat = summarize(push.chat);
  const n = plan.concurrency;
  report.row(`declare->first ntfy request per person p50, ${n} P1s at once`, ms(toProvider.p50));
  report.row(`declare->first ntfy request per person p99, ${n} P1s at once`, ms(toProvider.p99), '< 500 ms', toProvider.p99 < 500);
  report.row(`  (info) declare->5 chat pages p50/p99, same declares`, pair(toChat));
  report.row(`  (info) ntfy floor: ${push.floor.length} plain POSTs at once, start->received p50/p99`, pair(summarize(push.floor)));
  report.note(`paging: ${toProvider.n} pushes (${FIRST_PAGED.length} people x ${n} P1s x ${plan.batches} batch(es), after ${plan.warmup} + ${n} warm-up declares), max ${ms(toProvider.max)}; p99 per batch ${push.batchP99.map(ms).join(', ')}; this process's event loop was at most ${Math.round(push.elu * 100)}% busy during a batch; each push is an outbox message written with the chat page (the rule's 0s step), its fence check and send claim, a POST to the fake ntfy (in this process, as the bot's own HTTP client is) and its receipt on the record`);

  const ack = await phoneAck(`${prefix}ack:`, plan, report);
  const one = summarize(ack.one);
  const many = summarize(ack.many);
  const floor = summarize(ack.floor);
  const route = summarize(ack.routeFloor);
  report.row('phone ack (Gather 1) -> slot staffed + board drawn p50, 1 at a time', ms(one.p50));
  report.row('phone ack (Gather 1) -> slot staffed + board drawn p99, 1 at a time', ms(one.p99), '< 100 ms', one.p99 < 100 && ack.refused === 0);
  report.row('phone ack floor: plain POST on the same server p50/p99', pair(floor));
  report.row('  (info) phone ack floor: signed Gather, Digits=2, p50/p99', pair(route));
  report.row(`  (info) phone ack p50/p99, ${many.n} at once`, pair(many));
  report.note(`phone ack: ${one.n} callbacks one at a time (max ${ms(one.max)}), ${many.n} at once; ${ack.refused} not acknowledged; each sample ends when the TwiML answer came back and the board showing the commander acked reached the chat port, whichever is later; the plain POST is answered 404 by fastify with the same form body`);
  for (const [what, logger] of [['page_to_provider', push.logger], ['phone_ack', ack.logger]] as const) {
    if (logger.warnings + logger.errors > 0) report.note(`paging (${what}): the bot logged ${logger.warnings} warnings and ${logger.errors} errors (see stderr)`);
  }
  return {
    page_to_provider_p50_ms: round1(toProvider.p50),
    page_to_provider_p99_ms: round1(toProvider.p99),
    phone_ack_p50_ms: round1(one.p50),
    phone_ack_p99_ms: round1(one.p99),
    phone_ack_floor_p99_ms: round1(floor.p99),
    phone_ack_route_floor_p99_ms: round1(route.p99),
    page_to_provider_floor_p99_ms: round1(summarize(push.floor).p99),
  };
}
