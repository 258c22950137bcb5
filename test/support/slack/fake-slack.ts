/**
 * A local, in-process fake of the parts of Slack a Bolt app talks to:
 *
 * - the Web API (`POST /api/<method>`), as `@slack/web-api` 8 calls it: form-urlencoded bodies with
 *   JSON-encoded objects (blocks, attachments, view …) and the token in `Authorization: Bearer …`
 *   (a per-call `token` argument is also sent in the body). JSON bodies (`application/json`, token in the
 *   header only, as Slack requires), multipart bodies and GET query strings are understood too;
 * - `response_url`s (`POST /response/<name>`), which Bolt's `respond()` posts JSON to;
 * - the Socket Mode WebSocket (`/socket`), as `@slack/socket-mode` 3 expects it: a `hello` message on
 *   connect, envelopes in, `{ envelope_id, payload }` acks out, automatic pongs to the client's pings.
 *
 * Every Web API call is recorded (including rate-limited and failed ones); faults can be injected per
 * method. Responses follow the shapes in Slack's API reference, with Slack's error codes.
 */
import { randomUUID } from 'node:crypto';
import { TierLimits } from './tier-limits.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** The identity of the fake workspace and of the bot installed in it. */
export const FAKE_SLACK = {
  teamId: 'T1',
  teamName: 'Fake Workspace',
  teamDomain: 'fake',
  url: 'https://fake.slack.com/',
  appId: 'A1',
  botUserId: 'UBOT',
  botId: 'BBOT',
  botName: 'muster',
  botToken: 'xoxb-test',
  appToken: 'xapp-test',
} as const;

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  /** Decoded arguments (JSON-valued form fields such as `blocks` are parsed); `token` is moved to `token`. */
  args: Args;
  /** The token the call authenticated with (Authorization header first, then a form `token` field). */
  token?: string;
  /** Where the token came from. */
  tokenSource?: 'header' | 'body';
  contentType: 'form' | 'json' | 'multipart' | 'query' | 'none';
  /** `Date.now()` when the request arrived. */
  at: number;
  /** Filled in once answered. */
  httpStatus?: number;
  /** The JSON body that was answered (once answered). */
  response?: MethodResult;
  /** The client gave up while the call was held (see delayNext): it had no effect. */
  abandoned?: boolean;
}

export interface RecordedResponse {
  name: string;
  /** Parsed JSON body (or the raw text when it was not JSON). */
  body: unknown;
  contentType?: string;
  at: number;
}

export interface RecordedSocketMessage {
  /** Parsed JSON sent by the client (or the raw text when it was not JSON). */
  data: unknown;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
  thread_ts?: string;
  metadata?: unknown;
  user: string;
  bot_id?: string;
  edited?: { user: string; ts: string };
}

export interface FakeChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  isMpim: boolean;
  isArchived: boolean;
  /** For DMs: the user on the other side. */
  user?: string;
  creator: string;
  created: number;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  members: Set<string>;
  pins: Set<string>;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  tz?: string;
  email?: string;
  deleted?: boolean;
  is_bot?: boolean;
}

export interface FakeView {
  id: string;
  trigger_id?: string;
  view: Record<string, unknown>;
  /** Which method created or last changed it. */
  via: 'views.open' | 'views.push' | 'views.update' | 'views.publish';
}

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SendEnvelopeOptions {
  /** Sets `retry_attempt` (and `retry_reason`, default 'timeout' when > 0). Bolt exposes it as `context.retryNum`. */
  retryAttempt?: number;
  retryReason?: string;
  /** Default: true for slash_commands/interactive, false for events_api (as Slack sends them). */
  acceptsResponsePayload?: boolean;
  envelopeId?: string;
  /** How long to wait for the client's ack. Default 5000 ms. */
  timeoutMs?: number;
}

export interface EnvelopeAck {
  envelope_id: string;
  payload?: unknown;
}

export interface FakeSlackOptions {
  /** Expected bot token (default 'xoxb-test'). */
  botToken?: string;
  /** Expected app-level token for apps.connections.open (default 'xapp-test'). */
  appToken?: string;
  /** User ids that do not exist: users.info, conversations.invite/open, chat.postMessage to them fail. */
  missingUsers?: Iterable<string>;
  /** Known users (others are synthesised from their id unless listed in `missingUsers`). */
  users?: Array<Partial<FakeUser> & { id: string }>;
  /** Existing channels (the bot is a member unless `botIsMember: false`). */
  channels?: Array<AddChannelOptions & { name: string }>;
  /** How often a response_url accepts a POST (Slack: 5). */
  responseUrlMaxUses?: number;
  /** Enforce Slack's documented rate limits (tier-limits.ts): Tier 2 room calls, about 1 post a second per channel. */
  tierLimits?: boolean;
}

export interface AddChannelOptions {
  id?: string;
  private?: boolean;
  archived?: boolean;
  botIsMember?: boolean;
  members?: string[];
  topic?: string;
}

type MethodHandler = (args: Args, ctx: { method: string; token: string; fake: FakeSlack }) => MethodResult | Promise<MethodResult>;

/** Which calls a fault or delay applies to (all of the method's calls when absent). */
export type CallFilter = (args: Args) => boolean;

type Fault = (
  | { kind: 'error'; error: string; extra?: MethodResult }
  | { kind: 'ratelimit'; retryAfter: number }
  | { kind: 'http'; status: number; body: string }
) & { when?: CallFilter };

/** Takes the first queued entry that applies to this call out of the queue. */
function takeFor<T extends { when?: CallFilter }>(queue: T[] | undefined, args: Args): T | undefined {
  const at = queue?.findIndex((entry) => !entry.when || entry.when(args)) ?? -1;
  return at >= 0 ? queue!.splice(at, 1)[0] : undefined;
}

/** Methods that must be called with the app-level token rather than the bot token. */
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);
/** Methods that accept either token. */
const ANY_TOKEN_METHODS = new Set(['auth.test']);
/** Form fields that are free text: never JSON-decoded even if they look like JSON. */
const TEXT_FIELDS = new Set(['text', 'markdown_text', 'topic', 'purpose', 'name', 'title', 'query', 'alt_text', 'initial_comment']);

const CHANNEL_NAME_RE = /^[a-z0-9_-]+$/;

class FakeError extends Error {
  constructor(
    readonly code: string,
    readonly extra: MethodResult = {},
  ) {
    super(code);
  }
}

function fail(code: string, extra: MethodResult = {}): never {
  throw new FakeError(code, extra);
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function decodeFormValue(key: string, value: string): unknown {
  if (TEXT_FIELDS.has(key)) return value;
  const trimmed = value.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

function describeCall(call: RecordedCall): string {
  const error = call.response && call.response.ok === false ? `: ${String(call.response.error)}` : '';
  const status = call.httpStatus !== undefined && call.httpStatus !== 200 ? ` HTTP ${call.httpStatus}` : '';
  const pending = call.httpStatus === undefined ? ' (pending)' : '';
  return `${call.method}${status}${error}${pending}`;
}

export class FakeSlack {
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly socketUrl: string;

  expectedBotToken: string;
  expectedAppToken: string;
  readonly missingUsers: Set<string>;
  responseUrlMaxUses: number;

  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly socketMessages: RecordedSocketMessage[] = [];
  readonly messages: FakeMessage[] = [];
  readonly views: FakeView[] = [];
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Map<string, FakeUser>();
  /** Total Socket Mode connections accepted so far (grows on reconnects). */
  socketConnectionCount = 0;

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly httpSockets = new Set<Socket>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly tierLimits: TierLimits | undefined;
  private readonly delays = new Map<string, Array<{ ms: number; when?: CallFilter }>>();
  private readonly responseFaults = new Map<string, number[]>();
  private readonly responseUses = new Map<string, number>();
  private readonly stubs = new Map<string, MethodHandler>();
  private readonly builtins = new Map<string, MethodHandler>();
  private readonly usedTriggers = new Set<string>();
  readonly expiredTriggers = new Set<string>();
  private readonly dms = new Map<string, string>();
  private readonly pendingAcks = new Map<string, (ack: EnvelopeAck) => void>();
  private readonly socketWaiters = new Set<() => void>();
  private readonly closing = new AbortController();
  private idCounter = 0;
  private lastTsMicros = 0;
  private closed = false;

  private constructor(server: Server, port: number, options: FakeSlackOptions) {
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
    this.socketUrl = `ws://127.0.0.1:${port}/socket`;
    this.expectedBotToken = options.botToken ?? FAKE_SLACK.botToken;
    this.expectedAppToken = options.appToken ?? FAKE_SLACK.appToken;
    this.missingUsers = new Set(options.missingUsers ?? []);
    this.responseUrlMaxUses = options.responseUrlMaxUses ?? 5;
    if (options.tierLimits) this.tierLimits = new TierLimits();
    this.wss = new WebSocketServer({ noServer: true });
    this.registerBuiltins();
    for (const user of options.users ?? []) this.addUser(user);
    for (const channel of options.channels ?? []) this.addChannel(channel.name, channel);

    server.on('request', (req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error instanceof Error ? error.stack : error));
        }
      });
    });
    server.on('connection', (socket) => {
      this.httpSockets.add(socket);
      socket.on('close', () => this.httpSockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', this.baseUrl).pathname;
      if (path !== '/socket' || this.closed) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FakeSlack(server, port, options);
  }

  /** Closes the Socket Mode connections (gracefully, then forcibly), all HTTP connections and the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    const open = [...this.sockets];
    for (const ws of open) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'fake slack shutting down');
    }
    const deadline = Date.now() + 250;
    while ([...this.sockets].some((ws) => ws.readyState !== WebSocket.CLOSED) && Date.now() < deadline) {
      await sleep(10);
    }
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.httpSockets) socket.destroy();
    });
  }

  // ---------------------------------------------------------------- recording helpers

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Calls to `method` that were answered `ok: true`. */
  successfulCallsTo(method: string): RecordedCall[] {
    return this.callsTo(method).filter((call) => call.response?.ok === true);
  }

  responsesTo(name: string): RecordedResponse[] {
    return this.responses.filter((response) => response.name === name);
  }

  messagesIn(channel: string): FakeMessage[] {
    return this.messages.filter((message) => message.channel === channel);
  }

  /**
   * Polls `predicate(this)` every 10 ms until it returns a truthy value, and returns that value.
   * On timeout, throws an error listing what was recorded.
   */
  async waitFor<T>(predicate: (fake: FakeSlack) => T | undefined | null | false, timeoutMs = 5000, what?: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate(this);
      if (value) return value;
      if (Date.now() >= deadline) throw new Error(this.timeoutMessage(what ?? predicate.toString(), timeoutMs));
      await sleep(10);
    }
  }

  /** Waits for a recorded, answered call to `method` matching `match`, and returns it. */
  waitForCall(method: string, match: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    return this.waitFor(
      () => this.calls.find((call) => call.method === method && call.httpStatus !== undefined && match(call)),
      timeoutMs,
      `a call to ${method}`,
    );
  }

  /** Waits for a POST to `responseUrl(name)`. */
  waitForResponse(name: string, timeoutMs = 5000): Promise<RecordedResponse> {
    return this.waitFor(() => this.responses.find((r) => r.name === name), timeoutMs, `a POST to response_url '${name}'`);
  }

  /** Forgets recorded calls, responses and socket messages and pending faults (state such as channels stays). */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.socketMessages.length = 0;
    this.faults.clear();
    this.delays.clear();
    this.responseFaults.clear();
  }

  private timeoutMessage(what: string, timeoutMs: number): string {
    const calls = this.calls.map(describeCall);
    const responses = this.responses.map((r) => r.name);
    return [
      `FakeSlack.waitFor timed out after ${timeoutMs} ms waiting for ${what}.`,
      `Recorded Web API calls (${calls.length}): ${calls.length ? calls.join(', ') : '(none)'}`,
      `response_url POSTs (${responses.length}): ${responses.length ? responses.join(', ') : '(none)'}`,
      `Socket Mode: ${this.openSockets().length} open connection(s), ${this.socketMessages.length} message(s) received.`,
    ].join('\n');
  }

  // ---------------------------------------------------------------- fault injection

  /** The next `times` calls to `method` (that `when` picks) answer `{ ok: false, error, ...extra }` (HTTP 200, like Slack). */
  failNext(method: string, error: string, times = 1, extra?: MethodResult, when?: CallFilter): void {
    this.pushFault(method, { kind: 'error', error, ...(extra ? { extra } : {}), ...(when ? { when } : {}) }, times);
  }

  /** The next `times` calls to `method` (that `when` picks) answer HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times = 1, when?: CallFilter): void {
    this.pushFault(method, { kind: 'ratelimit', retryAfter: retryAfterSeconds, ...(when ? { when } : {}) }, times);
  }

  /** The next `times` calls to `method` (that `when` picks) answer a bare HTTP error status (e.g. 500, 503). */
  httpErrorNext(method: string, status: number, times = 1, body = 'Internal Server Error', when?: CallFilter): void {
    this.pushFault(method, { kind: 'http', status, body, ...(when ? { when } : {}) }, times);
  }

  /**
   * The next `times` calls to `method` (that `when` picks) are held for `ms`
   * before Slack looks at them. A client that gives up meanwhile (its request
   * timed out) abandons the call: it is recorded with `abandoned` and has no
   * effect, like a request that never got past the network.
   */
  delayNext(method: string, ms: number, times = 1, when?: CallFilter): void {
    const queue = this.delays.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push({ ms, ...(when ? { when } : {}) });
    this.delays.set(method, queue);
  }

  /** The next `times` POSTs to `responseUrl(name)` answer `status` (e.g. 404 for an expired response_url). */
  failNextResponse(name: string, status: number, times = 1): void {
    const queue = this.responseFaults.get(name) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(status);
    this.responseFaults.set(name, queue);
  }

  /** Replaces (or adds) the handler of a Web API method. Return `{ ok: false, error }` to fail. */
  stub(method: string, handler: MethodHandler): void {
    this.stubs.set(method, handler);
  }

  private pushFault(method: string, fault: Fault, times: number): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  // ---------------------------------------------------------------- workspace state

  responseUrl(name: string): string {
    return `${this.baseUrl}/response/${encodeURIComponent(name)}`;
  }

  addUser(user: Partial<FakeUser> & { id: string }): FakeUser {
    const full: FakeUser = { name: user.id.toLowerCase(), real_name: user.name ?? user.id, ...user };
    this.users.set(full.id, full);
    this.missingUsers.delete(full.id);
    return full;
  }

  addChannel(name: string, options: AddChannelOptions = {}): FakeChannel {
    const created = nowSec();
    const members = new Set(options.members ?? []);
    if (options.botIsMember !== false) members.add(FAKE_SLACK.botUserId);
    const channel: FakeChannel = {
      id: options.id ?? this.nextId('C'),
      name,
      isPrivate: options.private ?? false,
      isIm: false,
      isMpim: false,
      isArchived: options.archived ?? false,
      creator: FAKE_SLACK.botUserId,
      created,
      topic: { value: options.topic ?? '', creator: options.topic ? FAKE_SLACK.botUserId : '', last_set: options.topic ? created : 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members,
      pins: new Set(),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** Finds a channel by id, `name` or `#name`. */
  channel(idOrName: string): FakeChannel | undefined {
    const byId = this.channels.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^#/, '');
    return [...this.channels.values()].find((c) => !c.isIm && !c.isMpim && c.name === name);
  }

  /** The DM channel id for a user (as conversations.open would return it). */
  dmWith(user: string): string {
    return this.openDm(user).id;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, '0')}`;
  }

  /** Unique, strictly increasing Slack-style timestamps ("1700000000.000123"). */
  private nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    const seconds = Math.floor(this.lastTsMicros / 1_000_000);
    const micros = this.lastTsMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, '0')}`;
  }

  private userExists(id: string): boolean {
    if (this.missingUsers.has(id)) return false;
    return this.users.has(id) || /^[UW][A-Z0-9]+$/.test(id);
  }

  private userObject(id: string): Record<string, unknown> {
    const known = this.users.get(id);
    const isBot = id === FAKE_SLACK.botUserId || known?.is_bot === true;
    const name = known?.name ?? (isBot ? FAKE_SLACK.botName : id.toLowerCase());
    const realName = known?.real_name ?? (isBot ? 'Muster' : id);
    const tz = known?.tz ?? 'Europe/Berlin';
    return {
      id,
      team_id: FAKE_SLACK.teamId,
      name,
      deleted: known?.deleted ?? false,
      color: '9f69e7',
      real_name: realName,
      tz,
      tz_label: 'Central European Time',
      tz_offset: 3600,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: isBot,
      is_app_user: false,
      updated: 1700000000,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: name,
        display_name_normalized: name,
        ...(known?.email ? { email: known.email } : {}),
        ...(isBot ? { bot_id: FAKE_SLACK.botId } : {}),
        team: FAKE_SLACK.teamId,
      },
    };
  }

  private channelObject(channel: FakeChannel): Record<string, unknown> {
    if (channel.isIm) {
      return {
        id: channel.id,
        created: channel.created,
        is_archived: false,
        is_im: true,
        is_org_shared: false,
        context_team_id: FAKE_SLACK.teamId,
        user: channel.user,
        is_user_deleted: false,
        priority: 0,
      };
    }
    return {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.isMpim,
      is_group: false,
      is_im: false,
      is_mpim: channel.isMpim,
      is_private: channel.isPrivate || channel.isMpim,
      created: channel.created,
      is_archived: channel.isArchived,
      is_general: false,
      unlinked: 0,
      name_normalized: channel.name,
      is_shared: false,
      is_org_shared: false,
      is_pending_ext_shared: false,
      pending_shared: [],
      context_team_id: FAKE_SLACK.teamId,
      parent_conversation: null,
      creator: channel.creator,
      is_ext_shared: false,
      shared_team_ids: [FAKE_SLACK.teamId],
      is_member: channel.members.has(FAKE_SLACK.botUserId),
      topic: { ...channel.topic },
      purpose: { ...channel.purpose },
      previous_names: [],
      num_members: channel.members.size,
    };
  }

  private openDm(user: string): FakeChannel {
    const existing = this.dms.get(user);
    if (existing) {
      const channel = this.channels.get(existing);
      if (channel) return channel;
    }
    const channel = this.imChannel(this.nextId('D'), user);
    this.dms.set(user, channel.id);
    return channel;
  }

  private imChannel(id: string, user: string | undefined): FakeChannel {
    const channel: FakeChannel = {
      id,
      name: user ?? id,
      isPrivate: true,
      isIm: true,
      isMpim: false,
      isArchived: false,
      creator: FAKE_SLACK.botUserId,
      created: nowSec(),
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: new Set(user ? [user, FAKE_SLACK.botUserId] : [FAKE_SLACK.botUserId]),
      pins: new Set(),
      ...(user ? { user } : {}),
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** A channel the bot can see by id; private channels it is not in are invisible (channel_not_found). */
  private visibleChannel(args: Args, key = 'channel'): FakeChannel {
    const id = str(args[key]);
    if (!id) fail('channel_not_found');
    const channel = this.channels.get(id);
    if (!channel) fail('channel_not_found');
    if ((channel.isPrivate || channel.isIm || channel.isMpim) && !channel.members.has(FAKE_SLACK.botUserId)) {
      fail('channel_not_found');
    }
    return channel;
  }

  /**
   * chat.postMessage's target resolution: a known channel id; a user id (posts to the bot's DM with that
   * user); a DM id; or a channel name ('#name' / 'name'). Unknown C…/G… ids are channel_not_found;
   * unknown names and D… ids are accepted (the workspace is assumed to have them).
   */
  private postTarget(args: Args): FakeChannel {
    const raw = str(args.channel);
    if (!raw) fail('channel_not_found');
    const known = this.channels.get(raw);
    if (known) {
      if ((known.isPrivate || known.isIm || known.isMpim) && !known.members.has(FAKE_SLACK.botUserId)) fail('channel_not_found');
      return known;
    }
    if (/^[UW][A-Z0-9]+$/.test(raw)) {
      if (!this.userExists(raw)) fail('channel_not_found');
      return this.openDm(raw);
    }
    if (/^D[A-Z0-9]+$/.test(raw)) return this.imChannel(raw, undefined);
    if (/^[CG][A-Z0-9]{2,}$/.test(raw)) fail('channel_not_found');
    const byName = this.channel(raw);
    if (byName) return byName;
    const name = raw.replace(/^#/, '');
    if (!CHANNEL_NAME_RE.test(name)) fail('channel_not_found');
    return this.addChannel(name);
  }

  private requireMessage(channel: FakeChannel, ts: string | undefined): FakeMessage {
    if (!ts) fail('message_not_found');
    const message = this.messages.find((m) => m.channel === channel.id && m.ts === ts);
    if (!message) fail('message_not_found');
    return message;
  }

  private messageObject(message: FakeMessage): Record<string, unknown> {
    return {
      type: 'message',
      text: message.text ?? '',
      user: message.user,
      ...(message.bot_id
        ? { bot_id: message.bot_id, app_id: FAKE_SLACK.appId, bot_profile: { id: FAKE_SLACK.botId, app_id: FAKE_SLACK.appId, name: FAKE_SLACK.botName, team_id: FAKE_SLACK.teamId, deleted: false } }
        : {}),
      ts: message.ts,
      team: FAKE_SLACK.teamId,
      ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
      ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
      ...(message.thread_ts ? { thread_ts: message.thread_ts, parent_user_id: message.user } : {}),
      ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
      ...(message.edited ? { edited: message.edited } : {}),
    };
  }

  private validateContent(args: Args, requireSomething: boolean): void {
    const text = str(args.text) ?? str(args.markdown_text);
    const { blocks, attachments } = args;
    if (blocks !== undefined) {
      if (!Array.isArray(blocks) || blocks.length > 50 || blocks.some((b) => typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string')) {
        fail('invalid_blocks');
      }
    }
    if (attachments !== undefined && !Array.isArray(attachments)) fail('invalid_attachments');
    if (text !== undefined && text.length > 40_000) fail('msg_too_long');
    if (requireSomething && !text && (!Array.isArray(blocks) || blocks.length === 0) && (!Array.isArray(attachments) || attachments.length === 0)) {
      fail('no_text');
    }
  }

  // ---------------------------------------------------------------- Web API methods

  private registerBuiltins(): void {
    const b = this.builtins;

    b.set('api.test', (args) => ({ args }));

    b.set('auth.test', (_args, { token }) => ({
      url: FAKE_SLACK.url,
      team: FAKE_SLACK.teamName,
      user: FAKE_SLACK.botName,
      team_id: FAKE_SLACK.teamId,
      user_id: FAKE_SLACK.botUserId,
      ...(token === this.expectedBotToken ? { bot_id: FAKE_SLACK.botId } : { app_id: FAKE_SLACK.appId }),
      is_enterprise_install: false,
    }));

    b.set('apps.connections.open', () => ({ url: this.socketUrl }));

    b.set('conversations.create', (args) => {
      const name = str(args.name) ?? '';
      if (!name) fail('invalid_name_required');
      if (name.length > 80) fail('invalid_name_maxlength');
      if (!CHANNEL_NAME_RE.test(name)) fail('invalid_name_specials');
      if (this.channel(name)) fail('name_taken');
      const channel = this.addChannel(name, { private: bool(args.is_private) });
      return { channel: this.channelObject(channel) };
    });

    b.set('conversations.info', (args) => ({ channel: this.channelObject(this.visibleChannel(args)) }));

    b.set('conversations.members', (args) => {
      const channel = this.visibleChannel(args);
      return { members: [...channel.members], response_metadata: { next_cursor: '' } };
    });

    b.set('conversations.setTopic', (args) => {
      const channel = this.visibleChannel(args);
      if (channel.isArchived) fail('is_archived');
      if (!channel.members.has(FAKE_SLACK.botUserId)) fail('not_in_channel');
      const topic = str(args.topic) ?? '';
      if (topic.length > 250) fail('too_long');
      channel.topic = { value: topic, creator: FAKE_SLACK.botUserId, last_set: nowSec() };
      return { channel: this.channelObject(channel) };
    });

    b.set('conversations.setPurpose', (args) => {
      const channel = this.visibleChannel(args);
      if (!channel.members.has(FAKE_SLACK.botUserId)) fail('not_in_channel');
      const purpose = str(args.purpose) ?? '';
      if (purpose.length > 250) fail('too_long');
      channel.purpose = { value: purpose, creator: FAKE_SLACK.botUserId, last_set: nowSec() };
      return { channel: this.channelObject(channel) };
    });

    b.set('conversations.invite', (args) => {
      const channel = this.visibleChannel(args);
      if (channel.isIm || channel.isMpim) fail('method_not_supported_for_channel_type');
      if (channel.isArchived) fail('is_archived');
      if (!channel.members.has(FAKE_SLACK.botUserId)) fail('not_in_channel');
      const users = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (users.length === 0) fail('no_user');
      if (users.length > 1000) fail('too_many_users');
      const errors: Array<{ user: string; ok: false; error: string }> = [];
      const valid: string[] = [];
      for (const user of users) {
        let error: string | undefined;
        if (!this.userExists(user)) error = 'user_not_found';
        else if (user === FAKE_SLACK.botUserId) error = 'cant_invite_self';
        else if (channel.members.has(user)) error = 'already_in_channel';
        if (error) errors.push({ user, ok: false, error });
        else valid.push(user);
      }
      const force = bool(args.force);
      if (errors.length > 0 && !force) {
        fail(errors[0]!.error, { errors });
      }
      for (const user of valid) channel.members.add(user);
      return { channel: this.channelObject(channel), ...(errors.length ? { errors } : {}) };
    });

    b.set('conversations.kick', (args) => {
      const channel = this.visibleChannel(args);
      const user = str(args.user) ?? '';
      if (!this.userExists(user)) fail('user_not_found');
      if (!channel.members.has(user)) fail('not_in_channel');
      channel.members.delete(user);
      return {};
    });

    b.set('conversations.open', (args) => {
      const channelArg = str(args.channel);
      if (channelArg) {
        const channel = this.visibleChannel(args);
        return { channel: bool(args.return_im) ? this.channelObject(channel) : { id: channel.id } };
      }
      const users = (str(args.users) ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (users.length === 0) fail('users_list_not_supplied');
      for (const user of users) if (!this.userExists(user)) fail('user_not_found');
      if (users.length === 1) {
        const user = users[0]!;
        const already = this.dms.has(user);
        const channel = this.openDm(user);
        return {
          ...(already ? { no_op: true, already_open: true } : {}),
          channel: bool(args.return_im) ? this.channelObject(channel) : { id: channel.id },
        };
      }
      if (users.length > 8) fail('too_many_users');
      const key = `mpim:${[...users].sort().join(',')}`;
      let id = this.dms.get(key);
      if (!id) {
        const mpim = this.addChannel(`mpdm-${users.join('--')}-1`, { members: users });
        mpim.isMpim = true;
        mpim.isPrivate = true;
        this.channels.delete(mpim.id);
        mpim.id = this.nextId('G');
        this.channels.set(mpim.id, mpim);
        this.dms.set(key, mpim.id);
        id = mpim.id;
      }
      return { channel: { id } };
    });

    b.set('conversations.join', (args) => {
      const id = str(args.channel);
      const channel = id ? this.channels.get(id) : undefined;
      if (!channel) fail('channel_not_found');
      if (channel.isIm || channel.isMpim || channel.isPrivate) fail('method_not_supported_for_channel_type');
      if (channel.isArchived) fail('is_archived');
      if (channel.members.has(FAKE_SLACK.botUserId)) {
        return { channel: this.channelObject(channel), warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } };
      }
      channel.members.add(FAKE_SLACK.botUserId);
      return { channel: this.channelObject(channel) };
    });

    b.set('chat.postMessage', (args) => {
      const channel = this.postTarget(args);
      if (channel.isArchived) fail('is_archived');
      this.validateContent(args, true);
      const message: FakeMessage = {
        channel: channel.id,
        ts: this.nextTs(),
        user: FAKE_SLACK.botUserId,
        bot_id: FAKE_SLACK.botId,
        ...(str(args.text) !== undefined ? { text: str(args.text) } : {}),
        ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
        ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
        ...(str(args.thread_ts) ? { thread_ts: str(args.thread_ts) } : {}),
        ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
      };
      this.messages.push(message);
      return { channel: channel.id, ts: message.ts, message: this.messageObject(message) };
    });

    // Channels the bot can see, with is_member; one page (the fake's workspaces are small).
    b.set('conversations.list', (args) => {
      const types = new Set((str(args.types) ?? 'public_channel').split(',').map((type) => type.trim()));
      const channels = [...this.channels.values()]
        .filter((channel) => !channel.isIm && !channel.isMpim)
        .filter((channel) => (channel.isPrivate ? types.has('private_channel') && channel.members.has(FAKE_SLACK.botUserId) : types.has('public_channel')))
        .filter((channel) => !(bool(args.exclude_archived) && channel.isArchived))
        .map((channel) => ({ ...this.channelObject(channel), is_member: channel.members.has(FAKE_SLACK.botUserId) }));
      return { channels, response_metadata: { next_cursor: '' } };
    });

    // Newest first, as Slack answers; metadata only with include_all_metadata.
    b.set('conversations.history', (args) => {
      const channel = this.visibleChannel(args);
      const limit = Math.min(Number(args.limit ?? 100) || 100, 999);
      const withMetadata = bool(args.include_all_metadata);
      const messages = this.messages
        .filter((message) => message.channel === channel.id && !message.thread_ts)
        .slice(-limit)
        .reverse()
        .map((message) => {
          const shown = this.messageObject(message) as Record<string, unknown>;
          if (!withMetadata) delete shown.metadata;
          return shown;
        });
      return { messages, has_more: false, pin_count: channel.pins.size, response_metadata: { next_cursor: '' } };
    });

    b.set('chat.update', (args) => {
      const channel = this.visibleChannel(args);
      const message = this.requireMessage(channel, str(args.ts));
      if (message.user !== FAKE_SLACK.botUserId) fail('cant_update_message');
      this.validateContent(args, false);
      if (args.text !== undefined) message.text = str(args.text) ?? '';
      if (args.blocks !== undefined) message.blocks = args.blocks;
      if (args.attachments !== undefined) message.attachments = args.attachments;
      if (args.metadata !== undefined) message.metadata = args.metadata;
      message.edited = { user: FAKE_SLACK.botUserId, ts: this.nextTs() };
      return { channel: channel.id, ts: message.ts, text: message.text ?? '', message: this.messageObject(message) };
    });

    b.set('chat.delete', (args) => {
      const channel = this.visibleChannel(args);
      const message = this.requireMessage(channel, str(args.ts));
      if (message.user !== FAKE_SLACK.botUserId) fail('cant_delete_message');
      this.messages.splice(this.messages.indexOf(message), 1);
      return { channel: channel.id, ts: message.ts };
    });

    b.set('chat.postEphemeral', (args) => {
      const channel = this.postTarget(args);
      const user = str(args.user);
      if (!user || !this.userExists(user)) fail('user_not_found');
      this.validateContent(args, true);
      return { message_ts: this.nextTs(), channel: channel.id };
    });

    b.set('chat.getPermalink', (args) => {
      const channel = this.visibleChannel(args);
      const message = this.requireMessage(channel, str(args.message_ts));
      return { channel: channel.id, permalink: `${FAKE_SLACK.url}archives/${channel.id}/p${message.ts.replace('.', '')}` };
    });

    b.set('pins.add', (args) => {
      const channel = this.visibleChannel(args);
      const ts = str(args.timestamp);
      if (!ts) fail('no_item_specified');
      this.requireMessage(channel, ts);
      if (channel.pins.has(ts)) fail('already_pinned');
      channel.pins.add(ts);
      return {};
    });

    b.set('pins.remove', (args) => {
      const channel = this.visibleChannel(args);
      const ts = str(args.timestamp);
      if (!ts) fail('no_item_specified');
      if (!channel.pins.delete(ts)) fail('no_pin');
      return {};
    });

    const viewObject = (id: string, view: Record<string, unknown>, rootId: string, previousId: string | null): Record<string, unknown> => ({
      id,
      team_id: FAKE_SLACK.teamId,
      type: view.type,
      title: view.title,
      submit: view.submit ?? null,
      close: view.close ?? null,
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      external_id: view.external_id ?? '',
      state: { values: {} },
      hash: `${nowSec()}.${randomUUID().slice(0, 8)}`,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      root_view_id: rootId,
      previous_view_id: previousId,
      app_id: FAKE_SLACK.appId,
      app_installed_team_id: FAKE_SLACK.teamId,
      bot_id: FAKE_SLACK.botId,
    });
    const validView = (args: Args): Record<string, unknown> => {
      const view = args.view;
      if (typeof view !== 'object' || view === null || Array.isArray(view)) fail('invalid_arguments');
      const v = view as Record<string, unknown>;
      if (v.type !== 'modal' && v.type !== 'home') fail('invalid_arguments');
      if (v.blocks !== undefined && (!Array.isArray(v.blocks) || v.blocks.length > 100)) fail('invalid_arguments');
      return v;
    };
    const useTrigger = (args: Args): string => {
      const trigger = str(args.trigger_id) ?? str(args.interactivity_pointer);
      if (!trigger) fail('invalid_arguments');
      if (this.expiredTriggers.has(trigger)) fail('expired_trigger_id');
      if (this.usedTriggers.has(trigger)) fail('exchanged_trigger_id');
      this.usedTriggers.add(trigger);
      return trigger;
    };
    b.set('views.open', (args) => {
      const trigger = useTrigger(args);
      const view = validView(args);
      const id = this.nextId('V');
      this.views.push({ id, trigger_id: trigger, view, via: 'views.open' });
      return { view: viewObject(id, view, id, null) };
    });
    b.set('views.push', (args) => {
      const trigger = useTrigger(args);
      const view = validView(args);
      const id = this.nextId('V');
      this.views.push({ id, trigger_id: trigger, view, via: 'views.push' });
      return { view: viewObject(id, view, id, null) };
    });
    b.set('views.update', (args) => {
      const view = validView(args);
      const viewId = str(args.view_id);
      const externalId = str(args.external_id);
      const existing = this.views.find((v) => (viewId && v.id === viewId) || (externalId && v.view.external_id === externalId));
      if (!existing) fail('not_found');
      existing.view = view;
      existing.via = 'views.update';
      return { view: viewObject(existing.id, view, existing.id, null) };
    });
    b.set('views.publish', (args) => {
      const view = validView(args);
      const user = str(args.user_id);
      if (!user || !this.userExists(user)) fail('user_not_found');
      const id = this.nextId('V');
      this.views.push({ id, view, via: 'views.publish' });
      return { view: viewObject(id, view, id, null) };
    });

    b.set('users.info', (args) => {
      const user = str(args.user);
      if (!user || !this.userExists(user)) fail('user_not_found');
      return { user: this.userObject(user) };
    });

    b.set('users.lookupByEmail', (args) => {
      const email = str(args.email);
      const user = [...this.users.values()].find((u) => u.email !== undefined && u.email === email);
      if (!user) fail('users_not_found');
      return { user: this.userObject(user.id) };
    });
  }

  // ---------------------------------------------------------------- HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);

    if (url.pathname.startsWith('/api/')) {
      await this.onApiCall(decodeURIComponent(url.pathname.slice('/api/'.length)), url, req, raw, res);
      return;
    }
    if (url.pathname.startsWith('/response/') && req.method === 'POST') {
      this.onResponseUrl(decodeURIComponent(url.pathname.slice('/response/'.length)), req, raw, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  private onResponseUrl(name: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const text = raw.toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // keep the raw text
    }
    const contentType = req.headers['content-type'];
    this.responses.push({ name, body, ...(contentType ? { contentType } : {}), at: Date.now() });
    const injected = this.responseFaults.get(name)?.shift();
    if (injected !== undefined) {
      res.writeHead(injected, { 'content-type': 'text/plain' });
      res.end(injected === 404 ? 'expired_url' : 'error');
      return;
    }
    const uses = (this.responseUses.get(name) ?? 0) + 1;
    this.responseUses.set(name, uses);
    if (uses > this.responseUrlMaxUses) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('used_url');
      return;
    }
    if (typeof body !== 'object' || body === null) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_payload');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('ok');
  }

  private async parseArgs(url: URL, req: IncomingMessage, raw: Buffer): Promise<{ args: Args; contentType: RecordedCall['contentType'] }> {
    const args: Args = {};
    const fromQuery = [...url.searchParams.entries()];
    for (const [key, value] of fromQuery) args[key] = decodeFormValue(key, value);
    const header = (req.headers['content-type'] ?? '').toLowerCase();
    if (raw.length === 0) return { args, contentType: fromQuery.length ? 'query' : 'none' };
    if (header.startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        fail('invalid_json');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('invalid_json');
      return { args: { ...args, ...(parsed as Args) }, contentType: 'json' };
    }
    if (header.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': header } }).formData();
      for (const [key, value] of form.entries()) {
        args[key] = typeof value === 'string' ? decodeFormValue(key, value) : { filename: value.name, size: value.size, type: value.type };
      }
      return { args, contentType: 'multipart' };
    }
    for (const [key, value] of new URLSearchParams(raw.toString('utf8')).entries()) args[key] = decodeFormValue(key, value);
    return { args, contentType: 'form' };
  }

  private async onApiCall(method: string, url: URL, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const call: RecordedCall = { method, args: {}, contentType: 'none', at: Date.now() };
    this.calls.push(call);
    const answer = (status: number, body: MethodResult, headers: Record<string, string> = {}): void => {
      call.httpStatus = status;
      call.response = body;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };

    let token: string | undefined;
    try {
      const parsed = await this.parseArgs(url, req, raw);
      call.contentType = parsed.contentType;
      const { token: bodyToken, ...args } = parsed.args;
      call.args = args;
      const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
      if (bearer) {
        token = bearer;
        call.tokenSource = 'header';
      } else if (typeof bodyToken === 'string' && bodyToken && parsed.contentType !== 'json') {
        // Slack ignores a token in a JSON body: JSON requests must use the Authorization header.
        token = bodyToken;
        call.tokenSource = 'body';
      }
      if (token !== undefined) call.token = token;
    } catch (error) {
      if (error instanceof FakeError) {
        answer(200, { ok: false, error: error.code });
        return;
      }
      throw error;
    }

    const delay = takeFor(this.delays.get(method), call.args)?.ms;
    if (delay !== undefined && delay > 0) {
      const clientGone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) clientGone.abort();
      });
      try {
        await sleep(delay, undefined, { signal: AbortSignal.any([this.closing.signal, clientGone.signal]) });
      } catch {
        if (clientGone.signal.aborted) call.abandoned = true;
        return; // the client gave up, or the fake is shutting down
      }
    }

    const limitedFor = this.tierLimits?.take(method, call.args);
    if (limitedFor !== undefined) {
      answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limitedFor) });
      return;
    }

    const fault = takeFor(this.faults.get(method), call.args);
    if (fault?.kind === 'ratelimit') {
      answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
      return;
    }
    if (fault?.kind === 'http') {
      call.httpStatus = fault.status;
      call.response = { ok: false, error: `http_${fault.status}` };
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end(fault.body);
      return;
    }
    if (fault?.kind === 'error') {
      answer(200, { ok: false, error: fault.error, ...fault.extra });
      return;
    }

    const handler = this.stubs.get(method) ?? this.builtins.get(method);
    if (!handler) {
      answer(200, { ok: false, error: 'unknown_method', req_method: method });
      return;
    }
    if (method !== 'api.test') {
      if (!token) {
        answer(200, { ok: false, error: 'not_authed' });
        return;
      }
      const isBot = token === this.expectedBotToken;
      const isApp = token === this.expectedAppToken;
      if (!isBot && !isApp) {
        answer(200, { ok: false, error: 'invalid_auth' });
        return;
      }
      const needsApp = APP_TOKEN_METHODS.has(method);
      if (!ANY_TOKEN_METHODS.has(method) && needsApp !== isApp) {
        answer(200, { ok: false, error: 'not_allowed_token_type' });
        return;
      }
    }

    try {
      const result = await handler(call.args, { method, token: token ?? '', fake: this });
      answer(200, { ok: true, ...result });
    } catch (error) {
      if (error instanceof FakeError) {
        answer(200, { ok: false, error: error.code, ...error.extra });
        return;
      }
      throw error;
    }
  }

  // ---------------------------------------------------------------- Socket Mode

  private openSockets(): WebSocket[] {
    return [...this.sockets].filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    this.socketConnectionCount += 1;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        // keep raw
      }
      this.socketMessages.push({ data: parsed, at: Date.now() });
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { envelope_id?: unknown }).envelope_id === 'string') {
        const ack = parsed as EnvelopeAck;
        const resolve = this.pendingAcks.get(ack.envelope_id);
        if (resolve) {
          this.pendingAcks.delete(ack.envelope_id);
          resolve(ack);
        }
      }
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
    });
    ws.on('error', () => {
      this.sockets.delete(ws);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openSockets().length,
        debug_info: { host: 'fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: FAKE_SLACK.appId },
      }),
    );
    for (const waiter of this.socketWaiters) waiter();
    this.socketWaiters.clear();
  }

  /** Resolves once a Socket Mode client is connected (and has been sent `hello`). */
  async waitForSocketClient(timeoutMs = 5000): Promise<void> {
    if (this.openSockets().length > 0) return;
    await this.waitFor(() => this.openSockets().length > 0, timeoutMs, 'a Socket Mode client to connect');
  }

  /** Number of currently open Socket Mode connections. */
  get socketClientCount(): number {
    return this.openSockets().length;
  }

  /**
   * Sends an envelope to the most recently connected Socket Mode client and resolves with its ack
   * (`{ envelope_id, payload }`; Bolt's `ack()` sends `payload: {}`, `ack(x)` sends `payload: x`).
   */
  async sendEnvelope(type: EnvelopeType, payload: unknown, options: SendEnvelopeOptions = {}): Promise<EnvelopeAck> {
    const ws = this.openSockets().at(-1);
    if (!ws) throw new Error(`FakeSlack.sendEnvelope(${type}): no Socket Mode client is connected`);
    const envelopeId = options.envelopeId ?? randomUUID();
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
    };
    if (type === 'events_api' || options.retryAttempt !== undefined) {
      const attempt = options.retryAttempt ?? 0;
      envelope.retry_attempt = attempt;
      envelope.retry_reason = options.retryReason ?? (attempt > 0 ? 'timeout' : '');
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    const acked = new Promise<EnvelopeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        const received = this.socketMessages.map((m) => JSON.stringify(m.data)).join(', ') || '(none)';
        reject(new Error(`FakeSlack.sendEnvelope(${type}): no ack for envelope ${envelopeId} within ${timeoutMs} ms. Socket messages received: ${received}`));
      }, timeoutMs);
      this.pendingAcks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    ws.send(JSON.stringify(envelope));
    return acked;
  }

  /**
   * Sends Slack's `{type:'disconnect'}` message (reason 'warning' | 'refresh_requested' | 'link_disabled').
   * The client closes the socket and, unless shutting down, reconnects (via apps.connections.open) after
   * its `clientPingTimeout` (5 s by default).
   */
  sendDisconnect(reason = 'refresh_requested'): void {
    for (const ws of this.openSockets()) {
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }));
    }
  }

  /** Abruptly drops every Socket Mode connection (no close frame), like a network failure. */
  dropSocketClients(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}
