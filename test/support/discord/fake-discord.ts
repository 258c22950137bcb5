/**
 * A local, in-process fake of the parts of Discord a discord.js 14 bot talks to:
 *
 * - the REST API v10 under `<apiUrl>/v10/…` (discord.js builds `${rest.api}/v${rest.version}${route}`),
 *   with bot auth (`Authorization: Bot <token>`), JSON and multipart (`payload_json`) bodies, per-route
 *   buckets with Discord's `X-RateLimit-*` headers, 429s that keep answering until the bucket resets,
 *   Discord's error bodies (`{ message, code, errors? }`) and the limits a chat-ops bot runs into;
 * - the gateway (`gatewayUrl`, returned by `GET /gateway/bot`): HELLO, IDENTIFY → READY + GUILD_CREATE,
 *   heartbeats and ACKs, RESUME with replay, intents (privileged ones must be enabled in the options),
 *   close codes (4004 on a bad or revoked token, 4013/4014 on intents, …), JSON encoding, and optional
 *   `compress=zlib-stream` transport compression;
 * - interactions: `sendInteraction()` dispatches INTERACTION_CREATE with a fresh id and token; the
 *   callback endpoint enforces the 3-second acknowledgement window and single acknowledgement, and the
 *   interaction webhook endpoints (`/webhooks/<app>/<token>…`) reject tokens older than `tokenTtlMs`
 *   (15 minutes on Discord) with 401 `Invalid Webhook Token` (50027).
 *
 * Every REST call is recorded (rate-limited and failed ones too); faults can be injected per route.
 * Effects the bot causes (channels, messages, pins, threads, commands) are kept as state, and the
 * matching gateway events (CHANNEL_CREATE, MESSAGE_CREATE, …) are dispatched like Discord does, subject
 * to the session's intents.
 *
 * Pointing discord.js 14 at it:
 *
 *   const fake = await FakeDiscord.start();
 *   const client = new Client({
 *     intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],  // Guilds: else no GUILD_CREATE
 *     partials: [Partials.Channel],          // DM channels not in the cache (e.g. after a restart)
 *     rest: { api: fake.apiUrl },            // http://127.0.0.1:<port>/api → requests go to /api/v10/…
 *   });
 *   await client.login(fake.botToken);       // GET /gateway/bot gives fake.gatewayUrl; nothing else to set
 *   …
 *   await client.destroy();                  // closes 1000 (session ends); then fake.close()
 *
 * Transport compression is off unless the optional `zlib-sync` package is installed (it is not);
 * discord.js 14.28 has no option for it. The fake also serves `compress=zlib-stream` if asked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants as zlibConstants, createDeflate, deflateSync, type Deflate } from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  ALL_PERMISSIONS,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  P,
  basePermissions,
  channelPermissions,
  has,
  toBits,
  type Overwrite,
} from './permissions.js';
import {
  FormErrors,
  normaliseTextChannelName,
  validateAllowedMentions,
  validateAutocompleteChoices,
  validateCommand,
  validateMessageBody,
  validateModal,
  type AllowedMentions,
  type Json,
} from './validate.js';

export { P as Permissions } from './permissions.js';

// ------------------------------------------------------------------------------------------ identity

/** The identity of the fake guild, its bot and its people (ids are valid snowflakes). */
export const FAKE_DISCORD = {
  token: 'MTIwMDAwMDAwMDAwMDAwMDAx.GfAkEd.fake-bot-token-for-tests',
  applicationId: '1200000000000000001',
  botUserId: '1200000000000000001',
  botUsername: 'muster',
  guildId: '1100000000000000001',
  guildName: 'Fake Guild',
  channels: {
    general: '1300000000000000001',
    incidents: '1300000000000000002',
    /** A category (type 4) war rooms can be created under. */
    warRooms: '1300000000000000003',
  },
  roles: {
    /** The @everyone role has the guild's id. */
    everyone: '1100000000000000001',
    /** The bot's managed role (carries `botPermissions`). */
    bot: '1500000000000000001',
    responders: '1500000000000000002',
  },
  users: {
    /** The guild owner. */
    alice: '1400000000000000001',
    bob: '1400000000000000002',
    carol: '1400000000000000003',
    dave: '1400000000000000004',
  },
} as const;

/** Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents). */
export const Intents = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25,
} as const;
const KNOWN_INTENTS = Object.values(Intents).reduce((a, b) => a | b, 0);
const PRIVILEGED_INTENTS = Intents.GuildMembers | Intents.GuildPresences | Intents.MessageContent;

const EPHEMERAL = 64;
const LOADING = 128;
const DISCORD_EPOCH = 1420070400000n;
const CHANNEL_TEXT = 0;
const CHANNEL_DM = 1;
const CHANNEL_CATEGORY = 4;
const CHANNEL_ANNOUNCEMENT = 5;
const CHANNEL_PUBLIC_THREAD = 11;
const CHANNEL_PRIVATE_THREAD = 12;
const TEXT_LIKE = new Set([0, 5, 15]);
const THREAD_TYPES = new Set([10, 11, 12]);

// ------------------------------------------------------------------------------------------ types

export interface SeedUser {
  id: string;
  username: string;
  globalName?: string;
  /** Role ids (besides @everyone). */
  roles?: string[];
  /** Whether the user is a member of the guild (default true). Non-members cannot be DMed by the bot. */
  member?: boolean;
  /** The user does not accept DMs from the bot: POST /channels/<dm>/messages answers 403 (50007). */
  dmClosed?: boolean;
  bot?: boolean;
}

export interface SeedRole {
  id: string;
  name: string;
  permissions?: bigint | string;
  mentionable?: boolean;
  color?: number;
}

export interface SeedChannel {
  id?: string;
  name: string;
  /** 0 text (default), 2 voice, 4 category, 5 announcement, 15 forum. */
  type?: number;
  parentId?: string;
  topic?: string;
  permissionOverwrites?: Overwrite[];
}

export interface FakeDiscordOptions {
  /** The bot token (default FAKE_DISCORD.token). REST wants `Authorization: Bot <token>`; IDENTIFY the bare token. */
  token?: string;
  applicationId?: string;
  botUser?: { id?: string; username?: string };
  guild?: { id?: string; name?: string; ownerId?: string };
  /** Replaces the default channels (general, incidents, the "War Rooms" category). */
  channels?: SeedChannel[];
  /** Extra roles besides @everyone, the bot's role and "Responders". */
  roles?: SeedRole[];
  /** Replaces the default people (alice = owner, bob, carol, dave). */
  users?: SeedUser[];
  /** Permissions of the bot's managed role (default DEFAULT_BOT_PERMISSIONS: no Administrator). */
  botPermissions?: bigint | string;
  /** Permissions of @everyone (default DEFAULT_EVERYONE_PERMISSIONS, which include MENTION_EVERYONE). */
  everyonePermissions?: bigint | string;
  /** Privileged intents switched on in the (fake) developer portal; IDENTIFY with others closes 4014. Default 0. */
  privilegedIntents?: number;
  /** HELLO's heartbeat_interval (Discord: 41250). The client waits interval × jitter before its first beat. */
  heartbeatIntervalMs?: number;
  /** Interaction token lifetime (Discord: 15 minutes). */
  tokenTtlMs?: number;
  /** Window for the initial interaction response (Discord: 3 s); later callbacks answer 404 Unknown interaction. */
  interactionAckTimeoutMs?: number;
  /** Per-bucket budget advertised in X-RateLimit-* and enforced (default 1000 per 1000 ms, so tests are not slowed). */
  bucket?: { limit?: number; windowMs?: number };
  /**
   * Discord allows 2 channel name/topic changes per 10 minutes per channel (a sub-limit discord.js
   * knows about and waits out). `null` disables it. Default `{ count: 2, windowMs: 600_000 }`.
   */
  channelRenameLimit?: { count: number; windowMs: number } | null;
  /** Retry-After header: Discord sends whole seconds ('ceil', default); 'exact' sends the fraction. */
  retryAfterHeader?: 'ceil' | 'exact';
  /** Delay every REST answer by this much (for benchmarks that want a network-ish floor). Default 0. */
  latencyMs?: number;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
  public_flags: number;
  dmClosed: boolean;
}

export interface FakeMember {
  userId: string;
  roles: string[];
  nick: string | null;
  joined_at: string;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
  mentionable: boolean;
  managed: boolean;
  color: number;
  position: number;
  hoist: boolean;
  tags?: Json;
}

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  position?: number;
  parent_id?: string | null;
  topic?: string | null;
  nsfw?: boolean;
  rate_limit_per_user?: number;
  permission_overwrites: Overwrite[];
  last_message_id: string | null;
  last_pin_timestamp: string | null;
  flags: number;
  /** DM channels: the other user's id. */
  recipientId?: string;
  /** Threads. */
  owner_id?: string;
  thread_metadata?: { archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean; invitable?: boolean; create_timestamp: string };
  threadMembers: Set<string>;
  /** Pinned message ids, oldest first. */
  pins: string[];
  createdAt: number;
  deleted: boolean;
  /** When name/topic edits happened (for the rename sub-limit). */
  renames: number[];
}

export interface Pings {
  /** @everyone / @here would notify. */
  everyone: boolean;
  users: string[];
  roles: string[];
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  flags: number;
  pinned: boolean;
  tts: boolean;
  /** 0 default, 6 pin notice, 19 reply, 20 chat-input command response. */
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  message_reference?: Json;
  nonce?: string | number;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Json;
  /** The `allowed_mentions` the message was created with (as sent). */
  allowed_mentions?: AllowedMentions;
  /** Who the message notified when created, per Discord's allowed_mentions rules and the bot's permissions. */
  pings: Pings;
  /** The create body, then each edit's body. */
  history: Array<{ at: number; body: Json; via: string }>;
  ephemeral: boolean;
  deleted: boolean;
  /** How it was made: a channel message, an interaction response (@original) or an interaction follow-up. */
  source: 'channel' | 'interaction' | 'followup' | 'system';
  interactionId?: string;
  createdAt: number;
}

export interface FakeCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  version: string;
  type: number;
  name: string;
  description: string;
  options?: Json[];
  default_member_permissions: string | null;
  nsfw: boolean;
  [key: string]: unknown;
}

export interface FakeInteraction {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  payload: Json;
  /** When it was dispatched (the token's lifetime starts here). */
  createdAt: number;
  /** Interaction callbacks, in order (the first is the acknowledgement). */
  callbacks: Array<{ type: number; data?: unknown; at: number }>;
  /** The message `@original` refers to, once there is one. */
  originalMessageId?: string;
  followupIds: string[];
  /** The modal shown with callback type 9. */
  modal?: Json;
  /** Choices answered with callback type 8. */
  autocompleteChoices?: unknown[];
  /** Gateway sessions it was delivered to. */
  deliveredTo: string[];
}

export interface RecordedCall {
  method: string;
  /** Path below the API version, e.g. `/channels/1300…/messages` (no query). */
  path: string;
  /** The route template, e.g. `/channels/:channelId/messages`; `(unknown)` when no route matched. */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON body (for multipart: the `payload_json` part), or undefined. */
  body: unknown;
  files: Array<{ field: string; name: string; contentType: string; size: number }>;
  /** 'bot' = valid bot token, 'invalid' = some other Authorization header, 'none' = no header. */
  auth: 'bot' | 'invalid' | 'none';
  /** X-Audit-Log-Reason, decoded. */
  reason?: string;
  /** API version from the URL. */
  version: number;
  at: number;
  status?: number;
  response?: unknown;
  answeredAt?: number;
  /** The client gave up while the call was held (see delayNext): it had no effect and was never answered. */
  abandoned?: boolean;
}

export type RouteMatcher = string | RegExp | ((call: RecordedCall) => boolean);

export interface GatewayConnection {
  id: number;
  /** Request path and query the client connected with. */
  url: string;
  query: { v: string | null; encoding: string | null; compress: string | null };
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
  closedBy?: 'client' | 'server';
  sessionId?: string;
  /** IDENTIFY or RESUME succeeded. */
  ready: boolean;
  resumed: boolean;
  /** Everything the client sent (parsed). */
  received: Array<{ op: number; d: unknown; at: number }>;
  heartbeats: number;
  /** Everything sent to the client. */
  sent: Array<{ op: number; t?: string | null; s?: number | null; at: number }>;
}

export interface GatewaySession {
  id: string;
  intents: number;
  shard: [number, number];
  seq: number;
  identify: Json;
  createdAt: number;
  invalidated: boolean;
  connectionId?: number;
  buffer: Array<{ op: 0; t: string; s: number; d: unknown }>;
}

interface LiveConnection {
  info: GatewayConnection;
  ws: WebSocket;
  deflate?: Deflate;
  identifyCompress: boolean;
  chain: Promise<void>;
}

interface Fault {
  matcher: RouteMatcher;
  remaining: number;
  kind: 'rateLimit' | 'fail' | 'delay';
  retryAfter?: number;
  delayMs?: number;
  global?: boolean;
  scope?: 'user' | 'shared' | 'global';
  status?: number;
  body?: unknown;
}

interface Bucket {
  hash: string;
  windowStart: number;
  count: number;
  blockedUntil: number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

const unauthorized = (): ApiError => new ApiError(401, { message: '401: Unauthorized', code: 0 });
const notFound = (message: string, code: number): ApiError => new ApiError(404, { message, code });
const missingAccess = (): ApiError => new ApiError(403, { message: 'Missing Access', code: 50001 });
const missingPermissions = (): ApiError => new ApiError(403, { message: 'Missing Permissions', code: 50013 });
const invalidWebhookToken = (): ApiError => new ApiError(401, { message: 'Invalid Webhook Token', code: 50027 });
const formError = (errs: FormErrors): ApiError => new ApiError(400, { message: 'Invalid Form Body', code: 50035, errors: errs.toJSON() });
function oneFormError(path: Array<string | number>, code: string, message: string): ApiError {
  const errs = new FormErrors();
  errs.add(path, code, message);
  return formError(errs);
}

interface Ctx {
  call: RecordedCall;
  params: Record<string, string>;
  body: Json;
  rawBody: unknown;
  query: URLSearchParams;
}

interface Reply {
  status: number;
  body?: unknown;
}

interface RouteDef {
  method: string;
  template: string;
  segs: string[];
  /** 'bot': needs the bot token; 'token': authenticated by a token in the path (interactions, webhooks); 'none'. */
  auth: 'bot' | 'token' | 'none';
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

export interface InteractionContext {
  /** The invoking user's id (default: alice, or the DM's recipient). Must be a known user. */
  user?: string;
  /** A guild channel or an open DM channel (default: the first text channel). */
  channelId?: string;
  /** Defaults to the fake guild for guild channels. */
  guildId?: string;
  locale?: string;
}

export type OptionInput = string | number | boolean;

export interface SlashCommandInput extends InteractionContext {
  name: string;
  subcommand?: string;
  group?: string;
  /**
   * Option values by name (types come from the registered command, or are inferred from JS types), or
   * the raw `data.options` array exactly as Discord would send it (used verbatim, not checked).
   */
  options?: Record<string, OptionInput> | Json[];
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option being typed into; its value is sent as the (partial) string typed so far. */
  focused: string;
}

export interface ButtonClickInput extends InteractionContext {
  customId: string;
  /** The message carrying the button (default: the newest message with a button of that custom_id). */
  messageId?: string;
}

export interface SelectInput extends ButtonClickInput {
  values: string[];
}

export interface ModalSubmitInput extends InteractionContext {
  customId: string;
  /** Text input values (or select values) by custom_id. */
  fields: Record<string, string | string[]>;
  /** The interaction that showed the modal (default: the newest one that showed a modal with this custom_id). */
  from?: string;
}

// ------------------------------------------------------------------------------------------ helpers

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const iso = (ms: number): string => new Date(ms).toISOString();

function matches(matcher: RouteMatcher, call: RecordedCall): boolean {
  if (typeof matcher === 'function') return matcher(call);
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0;
    return matcher.test(`${call.method} ${call.path}`);
  }
  const m = matcher.trim();
  const space = m.indexOf(' ');
  if (space > 0 && /^[A-Z]+$/.test(m.slice(0, space))) {
    const method = m.slice(0, space);
    const rest = m.slice(space + 1).trim();
    return method === call.method && (rest === call.route || rest === call.path);
  }
  return m === call.route || m === call.path;
}

function describeCall(c: RecordedCall): string {
  return `${c.method} ${c.path}${Object.keys(c.query).length ? `?${new URLSearchParams(c.query).toString()}` : ''} → ${c.status ?? 'pending'}`;
}

// ------------------------------------------------------------------------------------------ the fake

export class FakeDiscord {
  /** Pass as discord.js `rest.api` (REST appends `/v10/...`). */
  readonly apiUrl: string;
  /** What `GET /gateway/bot` answers as `url` (discord.js appends `?v=10&encoding=json`). */
  readonly gatewayUrl: string;
  readonly port: number;
  readonly applicationId: string;
  readonly guildId: string;
  readonly guildName: string;
  readonly ownerId: string;
  readonly botUser: FakeUser;

  /** Every REST request, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** 401/403/429 answers (except shared-scope 429s): what Discord counts towards its invalid-request ban. */
  readonly invalidRequests: Array<{ at: number; status: number; method: string; path: string }> = [];
  readonly users = new Map<string, FakeUser>();
  readonly members = new Map<string, FakeMember>();
  readonly roles = new Map<string, FakeRole>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  /** Every interaction token handed out, in order. */
  readonly tokens: string[] = [];
  /** Registered commands: key `guild:<id>` or `global`. */
  readonly commands = new Map<string, FakeCommand[]>();
  readonly gatewayConnections: GatewayConnection[] = [];
  readonly sessions = new Map<string, GatewaySession>();
  /** Gateway close/protocol notes, for timeout messages. */
  readonly gatewayLog: string[] = [];
  /** Emits 'call' (RecordedCall, once answered) — for benchmarks that must not poll. */
  readonly events = new EventEmitter();

  tokenTtlMs: number;
  interactionAckTimeoutMs: number;
  heartbeatIntervalMs: number;
  latencyMs: number;

  private token: string;
  private revoked = false;
  private revokedIncludesWebhooks = false;
  private readonly privilegedIntents: number;
  private readonly bucketLimit: number;
  private readonly bucketWindowMs: number;
  private readonly channelRenameLimit: { count: number; windowMs: number } | null;
  private readonly retryAfterHeader: 'ceil' | 'exact';
  private readonly buckets = new Map<string, Bucket>();
  private globalBlockedUntil = 0;
  private readonly faults: Fault[] = [];
  private readonly routes: RouteDef[] = [];
  private readonly live = new Map<number, LiveConnection>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly sockets = new Set<Socket>();
  private readonly dmByUser = new Map<string, string>();
  private readonly commandIds = new Map<string, string>();
  private readonly nonces = new Map<string, string>();
  /** Channels (and threads) created over REST. */
  private readonly createdIds = new Set<string>();
  private sessionStartRemaining = 1000;
  private snowflakeSeq = 0;
  private lastSnowflakeMs = 0n;
  private connectionSeq = 0;
  private closed = false;

  private constructor(
    private readonly server: Server,
    port: number,
    options: FakeDiscordOptions,
  ) {
    this.port = port;
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.token = options.token ?? FAKE_DISCORD.token;
    this.applicationId = options.applicationId ?? FAKE_DISCORD.applicationId;
    this.guildId = options.guild?.id ?? FAKE_DISCORD.guildId;
    this.guildName = options.guild?.name ?? FAKE_DISCORD.guildName;
    this.tokenTtlMs = options.tokenTtlMs ?? 15 * 60_000;
    this.interactionAckTimeoutMs = options.interactionAckTimeoutMs ?? 3000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.latencyMs = options.latencyMs ?? 0;
    this.privilegedIntents = options.privilegedIntents ?? 0;
    this.bucketLimit = options.bucket?.limit ?? 1000;
    this.bucketWindowMs = options.bucket?.windowMs ?? 1000;
    this.channelRenameLimit = options.channelRenameLimit === undefined ? { count: 2, windowMs: 600_000 } : options.channelRenameLimit;
    this.retryAfterHeader = options.retryAfterHeader ?? 'ceil';

    const botId = options.botUser?.id ?? FAKE_DISCORD.botUserId;
    this.botUser = {
      id: botId,
      username: options.botUser?.username ?? FAKE_DISCORD.botUsername,
      global_name: null,
      discriminator: '4821',
      avatar: null,
      bot: true,
      public_flags: 0,
      dmClosed: true,
    };
    this.users.set(botId, this.botUser);
    const users: SeedUser[] = options.users ?? [
      { id: FAKE_DISCORD.users.alice, username: 'alice', globalName: 'Alice' },
      { id: FAKE_DISCORD.users.bob, username: 'bob', globalName: 'Bob', roles: [FAKE_DISCORD.roles.responders] },
      { id: FAKE_DISCORD.users.carol, username: 'carol', globalName: 'Carol', roles: [FAKE_DISCORD.roles.responders] },
      { id: FAKE_DISCORD.users.dave, username: 'dave', globalName: 'Dave' },
    ];
    this.ownerId = options.guild?.ownerId ?? users[0]?.id ?? FAKE_DISCORD.users.alice;
    this.seed(options, botId, users);
    this.defineRoutes();

    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `fake discord crashed: ${String(error)}`, code: 0 }));
        }
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FakeDiscord(server, port, options);
  }

  /** Closes gateway connections (1001), then the HTTP server. Destroy discord.js clients first, or they will try to reconnect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.live.values()) {
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(1001, 'fake discord shutting down');
    }
    const deadline = Date.now() + 250;
    while ([...this.live.values()].some((c) => c.ws.readyState !== WebSocket.CLOSED) && Date.now() < deadline) await sleep(10);
    for (const conn of this.live.values()) {
      conn.ws.terminate();
      conn.deflate?.destroy();
    }
    this.wss.close();
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The bot token the fake accepts. */
  get botToken(): string {
    return this.token;
  }

  /** Options for `new Client({...})` that point discord.js at this fake (merge with intents etc.). */
  clientOptions(): { rest: { api: string } } {
    return { rest: { api: this.apiUrl } };
  }

  // -------------------------------------------------------------------------------- seeding

  private seed(options: FakeDiscordOptions, botId: string, users: SeedUser[]): void {
    const now = Date.now();

    this.roles.set(this.guildId, {
      id: this.guildId,
      name: '@everyone',
      permissions: options.everyonePermissions !== undefined ? toBits(options.everyonePermissions) : DEFAULT_EVERYONE_PERMISSIONS,
      mentionable: false,
      managed: false,
      color: 0,
      position: 0,
      hoist: false,
    });
    this.roles.set(FAKE_DISCORD.roles.bot, {
      id: FAKE_DISCORD.roles.bot,
      name: this.botUser.username,
      permissions: options.botPermissions !== undefined ? toBits(options.botPermissions) : DEFAULT_BOT_PERMISSIONS,
      mentionable: false,
      managed: true,
      color: 0,
      position: 2,
      hoist: false,
      tags: { bot_id: botId },
    });
    this.roles.set(FAKE_DISCORD.roles.responders, {
      id: FAKE_DISCORD.roles.responders,
      name: 'Responders',
      permissions: 0n,
      mentionable: false,
      managed: false,
      color: 0xe67e22,
      position: 1,
      hoist: false,
    });
    let position = 3;
    for (const r of options.roles ?? []) {
      this.roles.set(r.id, {
        id: r.id,
        name: r.name,
        permissions: toBits(r.permissions),
        mentionable: r.mentionable ?? false,
        managed: false,
        color: r.color ?? 0,
        position: position++,
        hoist: false,
      });
    }

    for (const u of users) {
      this.users.set(u.id, {
        id: u.id,
        username: u.username,
        global_name: u.globalName ?? null,
        discriminator: '0',
        avatar: null,
        ...(u.bot ? { bot: true } : {}),
        public_flags: 0,
        dmClosed: u.dmClosed ?? false,
      });
      if (u.member !== false) this.members.set(u.id, { userId: u.id, roles: u.roles ?? [], nick: null, joined_at: iso(now - 86_400_000) });
    }
    this.members.set(botId, { userId: botId, roles: [FAKE_DISCORD.roles.bot], nick: null, joined_at: iso(now - 3_600_000) });

    const channels: SeedChannel[] = options.channels ?? [
      { id: FAKE_DISCORD.channels.general, name: 'general' },
      { id: FAKE_DISCORD.channels.incidents, name: 'incidents', topic: 'Incident announcements' },
      { id: FAKE_DISCORD.channels.warRooms, name: 'War Rooms', type: CHANNEL_CATEGORY },
    ];
    channels.forEach((c, i) => {
      const id = c.id ?? this.snowflake();
      this.channels.set(id, this.newChannel({
        id,
        type: c.type ?? CHANNEL_TEXT,
        guild_id: this.guildId,
        name: TEXT_LIKE.has(c.type ?? CHANNEL_TEXT) ? normaliseTextChannelName(c.name) : c.name,
        position: i,
        parent_id: c.parentId ?? null,
        topic: c.topic ?? null,
        permission_overwrites: c.permissionOverwrites ?? [],
      }));
    });
  }

  private newChannel(fields: Partial<FakeChannel> & { id: string; type: number }): FakeChannel {
    return {
      permission_overwrites: [],
      last_message_id: null,
      last_pin_timestamp: null,
      flags: 0,
      threadMembers: new Set(),
      pins: [],
      createdAt: Date.now(),
      deleted: false,
      renames: [],
      ...fields,
    };
  }

  /** A fresh, time-ordered snowflake. */
  snowflake(): string {
    const now = BigInt(Date.now());
    if (now !== this.lastSnowflakeMs) {
      this.lastSnowflakeMs = now;
      this.snowflakeSeq = 0;
    }
    const inc = BigInt(this.snowflakeSeq++ & 0xfff);
    return (((now - DISCORD_EPOCH) << 22n) | (1n << 17n) | inc).toString();
  }

  // -------------------------------------------------------------------------------- state lookups

  user(id: string): FakeUser | undefined {
    return this.users.get(id);
  }

  /** Adds (or replaces) a person; members by default. */
  addUser(seed: SeedUser): FakeUser {
    const user: FakeUser = {
      id: seed.id,
      username: seed.username,
      global_name: seed.globalName ?? null,
      discriminator: '0',
      avatar: null,
      ...(seed.bot ? { bot: true } : {}),
      public_flags: 0,
      dmClosed: seed.dmClosed ?? false,
    };
    this.users.set(seed.id, user);
    if (seed.member !== false) this.members.set(seed.id, { userId: seed.id, roles: seed.roles ?? [], nick: null, joined_at: iso(Date.now()) });
    return user;
  }

  /** Opens or closes a user's DMs (closed DMs answer 403, code 50007). */
  setDmClosed(userId: string, closed: boolean): void {
    const user = this.users.get(userId);
    if (!user) throw new Error(`FakeDiscord: unknown user ${userId}`);
    user.dmClosed = closed;
  }

  channel(id: string): FakeChannel | undefined {
    return this.channels.get(id);
  }

  /** The newest non-deleted guild channel with this (normalised) name. */
  channelByName(name: string): FakeChannel | undefined {
    const found = [...this.channels.values()].filter((c) => !c.deleted && c.name === name);
    return found[found.length - 1];
  }

  /** Guild channels the bot created over REST (not seeded ones), oldest first. */
  createdChannels(): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.guild_id && !THREAD_TYPES.has(c.type) && this.isCreatedByBot(c));
  }

  private isCreatedByBot(c: FakeChannel): boolean {
    return this.createdIds.has(c.id);
  }

  /** Threads the bot created, oldest first. */
  threads(): FakeChannel[] {
    return [...this.channels.values()].filter((c) => THREAD_TYPES.has(c.type));
  }

  message(id: string): FakeMessage | undefined {
    return this.messages.get(id);
  }

  /** Messages in a channel, oldest first; without deleted, system (pin notice) and ephemeral ones unless asked. */
  messagesIn(channelId: string, opts: { deleted?: boolean; system?: boolean; ephemeral?: boolean } = {}): FakeMessage[] {
    return [...this.messages.values()].filter(
      (m) =>
        m.channel_id === channelId &&
        (opts.deleted || !m.deleted) &&
        (opts.system || m.source !== 'system') &&
        (opts.ephemeral || !m.ephemeral),
    );
  }

  /** The id of the DM channel the bot opened with this user, if any. */
  dmChannelOf(userId: string): string | undefined {
    return this.dmByUser.get(userId);
  }

  /** Messages the bot sent to this user's DM, oldest first. */
  dmsTo(userId: string): FakeMessage[] {
    const dm = this.dmByUser.get(userId);
    return dm ? this.messagesIn(dm) : [];
  }

  /** Registered guild commands (default: the fake guild). */
  guildCommands(guildId = this.guildId): FakeCommand[] {
    return this.commands.get(`guild:${guildId}`) ?? [];
  }

  globalCommands(): FakeCommand[] {
    return this.commands.get('global') ?? [];
  }

  /** An interaction by id or token. */
  interaction(idOrToken: string): FakeInteraction | undefined {
    return this.interactions.get(idOrToken) ?? [...this.interactions.values()].find((i) => i.token === idOrToken);
  }

  /** Ages an interaction past its token lifetime (and the 3 s window), without waiting. */
  expireInteraction(idOrToken: string): void {
    const inter = this.interaction(idOrToken);
    if (!inter) throw new Error(`FakeDiscord: unknown interaction ${idOrToken}`);
    inter.createdAt = Date.now() - this.tokenTtlMs - 1;
  }

  /** The bot's permissions in a channel (guild channels; threads use their parent's overwrites). */
  botPermissionsIn(channelId: string): bigint {
    const ch = this.channels.get(channelId);
    if (!ch) return 0n;
    return this.permissionsOf(this.botUser.id, ch);
  }

  // -------------------------------------------------------------------------------- recording & waiting

  /** Recorded calls with this method whose route template or path equals `pathPattern` (or whose path matches the RegExp). */
  callsTo(method: string, pathPattern: string | RegExp): RecordedCall[] {
    return this.calls.filter(
      (c) =>
        c.method === method.toUpperCase() &&
        (typeof pathPattern === 'string' ? c.route === pathPattern || c.path === pathPattern : (pathPattern.lastIndex = 0, pathPattern.test(c.path))),
    );
  }

  /** Polls `predicate` every 10 ms until it returns something truthy; the timeout error lists what the fake saw. */
  async waitFor<T>(predicate: (fake: FakeDiscord) => T | undefined | null | false | 0 | '', timeoutMs = 5000, what?: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate(this);
      if (value) return value;
      if (Date.now() >= deadline) throw new Error(this.timeoutMessage(what ?? predicate.toString(), timeoutMs));
      await sleep(10);
    }
  }

  /** Calls `listener` with every REST call once it has been answered; returns an unsubscribe function. */
  onCall(listener: (call: RecordedCall) => void): () => void {
    this.events.on('call', listener);
    return () => this.events.off('call', listener);
  }

  /** Waits for an answered call matching method and route/path, and returns it. */
  waitForCall(method: string, pathPattern: string | RegExp, match: (call: RecordedCall) => boolean = () => true, timeoutMs = 5000): Promise<RecordedCall> {
    return this.waitFor(
      () => this.callsTo(method, pathPattern).find((c) => c.status !== undefined && match(c)),
      timeoutMs,
      `an answered ${method} ${String(pathPattern)}`,
    );
  }

  /** Waits until some gateway connection has identified (or resumed) and got READY. */
  waitForGatewayReady(timeoutMs = 5000): Promise<GatewayConnection> {
    return this.waitFor(() => this.readyConnections()[0], timeoutMs, 'a ready gateway connection');
  }

  /** Open gateway connections that identified or resumed. */
  readyConnections(): GatewayConnection[] {
    return [...this.live.values()].filter((c) => c.info.ready && c.ws.readyState === WebSocket.OPEN).map((c) => c.info);
  }

  /** Forgets recorded calls, invalid-request counts and pending faults (state such as channels stays). */
  reset(): void {
    this.calls.length = 0;
    this.invalidRequests.length = 0;
    this.faults.length = 0;
    this.buckets.clear();
    this.globalBlockedUntil = 0;
  }

  private timeoutMessage(what: string, timeoutMs: number): string {
    const calls = this.calls.slice(-60).map(describeCall);
    const conns = this.gatewayConnections.map(
      (c) => `#${c.id} ${c.url} ${c.ready ? 'ready' : 'not ready'}${c.closedAt ? ` closed ${c.closeCode} by ${c.closedBy}` : ' open'}`,
    );
    return [
      `FakeDiscord.waitFor timed out after ${timeoutMs} ms waiting for ${what}.`,
      `REST calls (${this.calls.length}${this.calls.length > 60 ? ', last 60' : ''}):${calls.length ? `\n  ${calls.join('\n  ')}` : ' (none)'}`,
      `Gateway connections: ${conns.length ? conns.join('; ') : '(none)'}`,
      ...(this.gatewayLog.length ? [`Gateway log: ${this.gatewayLog.slice(-10).join('; ')}`] : []),
    ].join('\n');
  }

  // -------------------------------------------------------------------------------- fault injection

  /**
   * The next `times` requests matching `matcher` answer 429 with `retry_after` (seconds), Discord's
   * headers, and the bucket (or, with `global`, every route) stays limited for that long: requests
   * arriving before then get 429 again, as on Discord.
   *
   * A string matcher is a route template or a concrete path, optionally prefixed by the method
   * (`'POST /channels/:channelId/messages'`); a RegExp is tested against `'<METHOD> <path>'`.
   */
  rateLimitNext(matcher: RouteMatcher, retryAfterSeconds: number, times = 1, opts: { global?: boolean; scope?: 'user' | 'shared' } = {}): void {
    this.faults.push({
      matcher,
      remaining: times,
      kind: 'rateLimit',
      retryAfter: retryAfterSeconds,
      global: opts.global ?? false,
      scope: opts.global ? 'global' : (opts.scope ?? 'user'),
    });
  }

  /** The next `times` requests matching `matcher` answer `status` with `body` (JSON). */
  failNext(matcher: RouteMatcher, status: number, body: unknown = { message: `${status}: fault injected`, code: 0 }, times = 1): void {
    this.faults.push({ matcher, remaining: times, kind: 'fail', status, body });
  }

  /**
   * The next `times` requests matching `matcher` are held for `ms` before being handled as usual, as
   * a Discord that hangs. A client that gives up meanwhile (its timeout) leaves the call `abandoned`,
   * without effect: what a request that never reached Discord's backend looks like.
   */
  delayNext(matcher: RouteMatcher, ms: number, times = 1): void {
    this.faults.push({ matcher, remaining: times, kind: 'delay', delayMs: ms });
  }

  /**
   * The bot token stops working, as after a reset in the developer portal: bot-authenticated REST calls
   * answer 401 `{ message: '401: Unauthorized', code: 0 }`, open gateway connections close with 4004 and
   * IDENTIFY/RESUME close with 4004. Interaction callbacks and webhooks authenticate with the interaction
   * token, so they keep working unless `includeInteractionWebhooks`.
   */
  revokeToken(opts: { includeInteractionWebhooks?: boolean; disconnect?: boolean } = {}): void {
    this.revoked = true;
    this.revokedIncludesWebhooks = opts.includeInteractionWebhooks ?? false;
    if (opts.disconnect ?? true) {
      for (const conn of this.live.values()) {
        if (conn.info.ready) this.closeConnection(conn, 4004, 'Authentication failed.');
      }
    }
  }

  /** Undoes `revokeToken()`, optionally with a new token. */
  restoreToken(newToken?: string): void {
    this.revoked = false;
    if (newToken) this.token = newToken;
  }

  // -------------------------------------------------------------------------------- HTTP

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();

    const m = /^\/api(?:\/v(\d+))?(\/.*)?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('fake discord: REST lives under /api');
      return;
    }
    const version = m[1] ? Number(m[1]) : 10;
    // Recorded decoded (`@original`, not `%40original`), segment by segment.
    const path =
      (m[2] ?? '/')
        .replace(/\/+$/, '')
        .split('/')
        .map((seg) => {
          try {
            return decodeURIComponent(seg);
          } catch {
            return seg;
          }
        })
        .join('/') || '/';
    const authHeader = req.headers.authorization;
    const reasonHeader = req.headers['x-audit-log-reason'];
    const call: RecordedCall = {
      method,
      path,
      route: '(unknown)',
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      auth: authHeader === undefined ? 'none' : authHeader === `Bot ${this.token}` && !this.revoked ? 'bot' : 'invalid',
      ...(typeof reasonHeader === 'string' ? { reason: decodeURIComponent(reasonHeader) } : {}),
      version,
      at: Date.now(),
    };
    this.calls.push(call);

    let reply: Reply;
    let headers: Record<string, string> = {};
    try {
      await this.parseBody(req, raw, call);
      if (version !== 10 && version !== 9) throw notFound('404: Not Found', 0);
      const found = this.matchRoute(method, path);
      if (!found) {
        const otherMethod = this.routes.some((r) => r.method !== method && this.matchSegs(r.segs, path) !== null);
        throw otherMethod ? new ApiError(405, { message: '405: Method Not Allowed', code: 0 }) : notFound('404: Not Found', 0);
      }
      const { route, params } = found;
      call.route = route.template;

      // Auth first (a revoked token fails everything it authenticates), then injected faults, then buckets.
      if (route.auth === 'bot' && call.auth !== 'bot') throw unauthorized();
      if (route.auth === 'token' && this.revoked && this.revokedIncludesWebhooks) throw unauthorized();
      const fault = this.takeFault(call);
      if (fault?.kind === 'delay' && !(await this.held(res, fault.delayMs ?? 0))) {
        call.abandoned = true;
        return;
      }
      const bucket = this.bucketFor(method, route, params);
      if (fault?.kind === 'fail') throw new ApiError(fault.status ?? 500, isObj(fault.body) ? fault.body : { message: String(fault.body), code: 0 });
      if (fault?.kind === 'rateLimit') throw this.injectedRateLimit(bucket, fault);
      headers = this.consumeBucket(bucket);
      reply = await route.handler({ call, params, body: isObj(call.body) ? call.body : {}, rawBody: call.body, query: url.searchParams });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      reply = { status: error.status, body: error.body };
      headers = { ...headers, ...error.headers };
    }
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    this.answer(res, call, reply, headers);
  }

  /** Holds a request for `ms`; false when the client went away first (or the fake is closing). */
  private async held(res: ServerResponse, ms: number): Promise<boolean> {
    const gone = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) gone.abort();
    };
    res.once('close', onClose);
    try {
      await sleep(ms, undefined, { signal: gone.signal });
      return !this.closed;
    } catch {
      return false;
    } finally {
      res.off('close', onClose);
    }
  }

  private async parseBody(req: IncomingMessage, raw: Buffer, call: RecordedCall): Promise<void> {
    if (raw.length === 0) return;
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('application/json')) {
      try {
        call.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ApiError(400, { message: 'The request body contains invalid JSON.', code: 50109 });
      }
    } else if (type.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') call.body = JSON.parse(value);
        } else {
          call.files.push({ field, name: value.name, contentType: value.type, size: value.size });
        }
      }
    } else {
      call.body = raw.toString('utf8');
    }
  }

  private answer(res: ServerResponse, call: RecordedCall, reply: Reply, headers: Record<string, string>): void {
    call.status = reply.status;
    call.response = reply.body;
    call.answeredAt = Date.now();
    if (reply.status === 401 || reply.status === 403 || (reply.status === 429 && headers['X-RateLimit-Scope'] !== 'shared')) {
      this.invalidRequests.push({ at: call.answeredAt, status: reply.status, method: call.method, path: call.path });
    }
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status === 200 ? 204 : reply.status, headers);
      res.end();
    } else {
      const text = JSON.stringify(reply.body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      res.writeHead(reply.status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    }
    this.events.emit('call', call);
  }

  private takeFault(call: RecordedCall): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && matches(f.matcher, call));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  // -------------------------------------------------------------------------------- rate limits

  private bucketFor(method: string, route: RouteDef, params: Record<string, string>): { key: string; bucket: Bucket } {
    // Like Discord: one bucket per route per top-level resource (channel, guild, webhook/interaction).
    const major = params.channelId ?? params.guildId ?? (params.webhookId ? `${params.webhookId}/${params.token}` : undefined) ?? params.interactionId ?? '';
    const hash = createHash('sha1').update(`${method} ${route.template}`).digest('hex').slice(0, 32);
    const key = `${hash}:${major}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { hash, windowStart: Date.now(), count: 0, blockedUntil: 0 };
      this.buckets.set(key, bucket);
    }
    return { key, bucket };
  }

  private retryAfterHeaderValue(seconds: number): string {
    return this.retryAfterHeader === 'ceil' ? String(Math.max(1, Math.ceil(seconds))) : String(seconds);
  }

  private rateLimitError(seconds: number, opts: { global: boolean; scope: 'user' | 'shared' | 'global'; bucket?: Bucket; remaining?: number }): ApiError {
    const retryAfter = Math.round(seconds * 1000) / 1000;
    const headers: Record<string, string> = {
      'Retry-After': this.retryAfterHeaderValue(retryAfter),
      'X-RateLimit-Scope': opts.scope,
    };
    if (opts.global) headers['X-RateLimit-Global'] = 'true';
    else if (opts.bucket) {
      headers['X-RateLimit-Limit'] = String(this.bucketLimit);
      headers['X-RateLimit-Remaining'] = String(opts.remaining ?? 0);
      headers['X-RateLimit-Reset'] = ((Date.now() + retryAfter * 1000) / 1000).toFixed(3);
      headers['X-RateLimit-Reset-After'] = retryAfter.toFixed(3);
      headers['X-RateLimit-Bucket'] = opts.bucket.hash;
    }
    return new ApiError(429, { message: 'You are being rate limited.', retry_after: retryAfter, global: opts.global }, headers);
  }

  private injectedRateLimit({ bucket }: { bucket: Bucket }, fault: Fault): ApiError {
    const seconds = fault.retryAfter ?? 1;
    if (fault.global) this.globalBlockedUntil = Date.now() + seconds * 1000;
    else bucket.blockedUntil = Date.now() + seconds * 1000;
    return this.rateLimitError(seconds, { global: fault.global ?? false, scope: fault.scope ?? 'user', bucket });
  }

  private consumeBucket({ bucket }: { bucket: Bucket }): Record<string, string> {
    const now = Date.now();
    if (this.globalBlockedUntil > now) {
      throw this.rateLimitError((this.globalBlockedUntil - now) / 1000, { global: true, scope: 'global' });
    }
    if (bucket.blockedUntil > now) {
      throw this.rateLimitError((bucket.blockedUntil - now) / 1000, { global: false, scope: 'user', bucket });
    }
    if (now >= bucket.windowStart + this.bucketWindowMs) {
      bucket.windowStart = now;
      bucket.count = 0;
    }
    const resetAt = bucket.windowStart + this.bucketWindowMs;
    if (bucket.count >= this.bucketLimit) {
      bucket.blockedUntil = resetAt;
      throw this.rateLimitError((resetAt - now) / 1000, { global: false, scope: 'user', bucket });
    }
    bucket.count++;
    return {
      'X-RateLimit-Limit': String(this.bucketLimit),
      'X-RateLimit-Remaining': String(this.bucketLimit - bucket.count),
      'X-RateLimit-Reset': (resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': ((resetAt - now) / 1000).toFixed(3),
      'X-RateLimit-Bucket': bucket.hash,
    };
  }

  // -------------------------------------------------------------------------------- routing

  private route(method: string, template: string, auth: RouteDef['auth'], handler: RouteDef['handler']): void {
    this.routes.push({ method, template, segs: template.split('/').filter(Boolean), auth, handler });
  }

  private matchSegs(segs: string[], path: string): Record<string, string> | null {
    const parts = path.split('/').filter(Boolean);
    if (parts.length !== segs.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const part = parts[i]!;
      if (seg.startsWith(':')) params[seg.slice(1)] = part;
      else if (seg !== part) return null;
    }
    return params;
  }

  private matchRoute(method: string, path: string): { route: RouteDef; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = this.matchSegs(route.segs, path);
      if (params) return { route, params };
    }
    return undefined;
  }

  private defineRoutes(): void {
    const ok = (body?: unknown, status = 200): Reply => (body === undefined ? { status: 204 } : { status, body });

    // Gateway & identity
    this.route('GET', '/gateway', 'none', () => ok({ url: this.gatewayUrl }));
    this.route('GET', '/gateway/bot', 'bot', () =>
      ok({
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: this.sessionStartRemaining, reset_after: 14_400_000, max_concurrency: 1 },
      }),
    );
    this.route('GET', '/users/@me', 'bot', () => ok({ ...this.userApi(this.botUser), verified: true, mfa_enabled: false, flags: 0, locale: 'en-US', email: null }));
    this.route('POST', '/users/@me/channels', 'bot', (ctx) => ok(this.openDm(ctx.body)));
    this.route('GET', '/users/:userId', 'bot', ({ params }) => {
      const user = this.users.get(params.userId!);
      if (!user) throw notFound('Unknown User', 10013);
      return ok(this.userApi(user));
    });
    this.route('GET', '/applications/@me', 'bot', () => ok(this.applicationApi()));
    this.route('GET', '/oauth2/applications/@me', 'bot', () => ok(this.applicationApi()));

    // Commands
    for (const scope of ['guild', 'global'] as const) {
      const base = scope === 'guild' ? '/applications/:appId/guilds/:guildId/commands' : '/applications/:appId/commands';
      this.route('GET', base, 'bot', (ctx) => ok(this.commandList(ctx, scope)));
      this.route('PUT', base, 'bot', (ctx) => ok(this.bulkOverwriteCommands(ctx, scope)));
      this.route('POST', base, 'bot', (ctx) => this.upsertCommand(ctx, scope));
      this.route('GET', `${base}/:commandId`, 'bot', (ctx) => ok(this.findCommand(ctx, scope)));
      this.route('PATCH', `${base}/:commandId`, 'bot', (ctx) => ok(this.editCommand(ctx, scope)));
      this.route('DELETE', `${base}/:commandId`, 'bot', (ctx) => {
        this.deleteCommand(ctx, scope);
        return ok();
      });
    }

    // Interactions & interaction webhooks
    this.route('POST', '/interactions/:interactionId/:token/callback', 'token', (ctx) => this.interactionCallback(ctx));
    this.route('POST', '/webhooks/:webhookId/:token', 'token', (ctx) => this.webhookExecute(ctx));
    this.route('GET', '/webhooks/:webhookId/:token/messages/:messageId', 'token', (ctx) => ok(this.messageApi(this.webhookMessage(ctx))));
    this.route('PATCH', '/webhooks/:webhookId/:token/messages/:messageId', 'token', (ctx) => ok(this.webhookEdit(ctx)));
    this.route('DELETE', '/webhooks/:webhookId/:token/messages/:messageId', 'token', (ctx) => {
      this.deleteMessage(this.webhookMessage(ctx));
      return ok();
    });

    // Guilds
    this.route('GET', '/guilds/:guildId', 'bot', ({ params, query }) => ok(this.guildApi(params.guildId!, query.get('with_counts') === 'true')));
    this.route('GET', '/guilds/:guildId/channels', 'bot', ({ params }) => {
      this.requireGuild(params.guildId!);
      return ok(this.guildChannels().map((c) => this.channelApi(c)));
    });
    this.route('POST', '/guilds/:guildId/channels', 'bot', (ctx) => ok(this.createGuildChannel(ctx), 201));
    this.route('GET', '/guilds/:guildId/roles', 'bot', ({ params }) => {
      this.requireGuild(params.guildId!);
      return ok([...this.roles.values()].map((r) => this.roleApi(r)));
    });
    this.route('GET', '/guilds/:guildId/members', 'bot', ({ params, query }) => {
      this.requireGuild(params.guildId!);
      if ((this.privilegedIntents & Intents.GuildMembers) === 0) throw missingAccess();
      const limit = Math.min(1000, Number(query.get('limit') ?? 1));
      const after = query.get('after') ?? '0';
      const list = [...this.members.values()].filter((m) => BigInt(m.userId) > BigInt(after)).sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
      return ok(list.slice(0, limit).map((m) => this.memberApi(m)));
    });
    this.route('GET', '/guilds/:guildId/members/:userId', 'bot', ({ params }) => {
      this.requireGuild(params.guildId!);
      const member = this.members.get(params.userId!);
      if (!member) throw notFound('Unknown Member', 10007);
      return ok(this.memberApi(member));
    });
    this.route('GET', '/guilds/:guildId/threads/active', 'bot', ({ params }) => {
      this.requireGuild(params.guildId!);
      const threads = this.threads().filter((t) => !t.deleted && !t.thread_metadata?.archived);
      return ok({ threads: threads.map((t) => this.channelApi(t)), members: [] });
    });

    // Channels
    this.route('GET', '/channels/:channelId', 'bot', ({ params }) => ok(this.channelApi(this.visibleChannel(params.channelId!))));
    this.route('PATCH', '/channels/:channelId', 'bot', (ctx) => ok(this.editChannel(ctx)));
    this.route('DELETE', '/channels/:channelId', 'bot', ({ params }) => ok(this.deleteChannel(params.channelId!)));
    this.route('PUT', '/channels/:channelId/permissions/:overwriteId', 'bot', (ctx) => {
      this.putOverwrite(ctx);
      return ok();
    });
    this.route('DELETE', '/channels/:channelId/permissions/:overwriteId', 'bot', ({ params }) => {
      const ch = this.manageableChannel(params.channelId!, P.ManageRoles);
      ch.permission_overwrites = ch.permission_overwrites.filter((o) => o.id !== params.overwriteId);
      this.dispatchChannel('CHANNEL_UPDATE', ch);
      return ok();
    });
    this.route('POST', '/channels/:channelId/typing', 'bot', ({ params }) => {
      this.visibleChannel(params.channelId!);
      return ok();
    });
    // Pins: the current routes and the deprecated ones (both still served by Discord).
    for (const base of ['/channels/:channelId/messages/pins', '/channels/:channelId/pins']) {
      this.route('GET', base, 'bot', ({ params }) => ok(this.listPins(params.channelId!, base.includes('/messages/'))));
      this.route('PUT', `${base}/:messageId`, 'bot', ({ params }) => {
        this.pin(params.channelId!, params.messageId!, true);
        return ok();
      });
      this.route('DELETE', `${base}/:messageId`, 'bot', ({ params }) => {
        this.pin(params.channelId!, params.messageId!, false);
        return ok();
      });
    }
    this.route('GET', '/channels/:channelId/messages', 'bot', ({ params, query }) => ok(this.listMessages(params.channelId!, query)));
    this.route('POST', '/channels/:channelId/messages', 'bot', (ctx) => ok(this.createChannelMessage(ctx)));
    this.route('GET', '/channels/:channelId/messages/:messageId', 'bot', ({ params }) => ok(this.messageApi(this.channelMessage(params.channelId!, params.messageId!))));
    this.route('PATCH', '/channels/:channelId/messages/:messageId', 'bot', (ctx) => ok(this.editChannelMessage(ctx)));
    this.route('DELETE', '/channels/:channelId/messages/:messageId', 'bot', ({ params }) => {
      const msg = this.channelMessage(params.channelId!, params.messageId!);
      if (msg.author.id !== this.botUser.id && !has(this.botPermissionsIn(params.channelId!), P.ManageMessages)) throw missingPermissions();
      this.deleteMessage(msg);
      return ok();
    });
    this.route('POST', '/channels/:channelId/threads', 'bot', (ctx) => ok(this.createThread(ctx, undefined), 201));
    this.route('POST', '/channels/:channelId/messages/:messageId/threads', 'bot', (ctx) => ok(this.createThread(ctx, ctx.params.messageId), 201));
    this.route('GET', '/channels/:channelId/thread-members', 'bot', ({ params }) => {
      const thread = this.threadChannel(params.channelId!);
      return ok([...thread.threadMembers].map((u) => ({ id: thread.id, user_id: u, join_timestamp: iso(thread.createdAt), flags: 0 })));
    });
    this.route('PUT', '/channels/:channelId/thread-members/:userId', 'bot', ({ params }) => {
      this.addThreadMember(params.channelId!, params.userId === '@me' ? this.botUser.id : params.userId!);
      return ok();
    });
    this.route('DELETE', '/channels/:channelId/thread-members/:userId', 'bot', ({ params }) => {
      const thread = this.threadChannel(params.channelId!);
      thread.threadMembers.delete(params.userId === '@me' ? this.botUser.id : params.userId!);
      return ok();
    });
  }

  // -------------------------------------------------------------------------------- API shapes

  private userApi(u: FakeUser): Json {
    return {
      id: u.id,
      username: u.username,
      global_name: u.global_name,
      discriminator: u.discriminator,
      avatar: u.avatar,
      ...(u.bot ? { bot: true } : {}),
      public_flags: u.public_flags,
      flags: u.public_flags,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
    };
  }

  private roleApi(r: FakeRole): Json {
    return {
      id: r.id,
      name: r.name,
      color: r.color,
      colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
      hoist: r.hoist,
      icon: null,
      unicode_emoji: null,
      position: r.position,
      permissions: r.permissions.toString(),
      managed: r.managed,
      mentionable: r.mentionable,
      flags: 0,
      ...(r.tags ? { tags: r.tags } : {}),
    };
  }

  private memberApi(m: FakeMember, withUser = true): Json {
    const user = this.users.get(m.userId);
    return {
      ...(withUser && user ? { user: this.userApi(user) } : {}),
      nick: m.nick,
      avatar: null,
      banner: null,
      roles: m.roles,
      joined_at: m.joined_at,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    };
  }

  private applicationApi(): Json {
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: 'Muster (fake)',
      summary: '',
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: 'a'.repeat(64),
      flags: this.applicationFlags(),
      owner: this.userApi(this.users.get(this.ownerId) ?? this.botUser),
      team: null,
      bot: this.userApi(this.botUser),
      approximate_guild_count: 1,
      interactions_endpoint_url: null,
      install_params: { scopes: ['bot', 'applications.commands'], permissions: (this.roles.get(FAKE_DISCORD.roles.bot)?.permissions ?? 0n).toString() },
      integration_types_config: { '0': {} },
      redirect_uris: [],
      tags: [],
    };
  }

  private applicationFlags(): number {
    // GATEWAY_PRESENCE_LIMITED (1<<13), GATEWAY_GUILD_MEMBERS_LIMITED (1<<15), GATEWAY_MESSAGE_CONTENT_LIMITED (1<<19)
    let flags = 0;
    if (this.privilegedIntents & Intents.GuildPresences) flags |= 1 << 13;
    if (this.privilegedIntents & Intents.GuildMembers) flags |= 1 << 15;
    if (this.privilegedIntents & Intents.MessageContent) flags |= 1 << 19;
    return flags;
  }

  private guildChannels(): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.guild_id === this.guildId && !c.deleted && !THREAD_TYPES.has(c.type));
  }

  private guildApi(guildId: string, withCounts = false): Json {
    this.requireGuild(guildId);
    return {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerId,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 1,
      explicit_content_filter: 0,
      roles: [...this.roles.values()].map((r) => this.roleApi(r)),
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: this.guildChannels().find((c) => c.type === CHANNEL_TEXT)?.id ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      hub_type: null,
      incidents_data: null,
      ...(withCounts ? { approximate_member_count: this.members.size, approximate_presence_count: 0 } : {}),
    };
  }

  private guildCreatePayload(intents: number): Json {
    const memberList = (intents & Intents.GuildPresences) !== 0 && (this.privilegedIntents & Intents.GuildPresences) !== 0
      ? [...this.members.values()]
      : [this.members.get(this.botUser.id)!];
    return {
      ...this.guildApi(this.guildId),
      joined_at: this.members.get(this.botUser.id)!.joined_at,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: this.members.size,
      voice_states: [],
      members: memberList.map((m) => this.memberApi(m)),
      channels: this.guildChannels().map((c) => {
        const api = this.channelApi(c);
        delete api.guild_id;
        return api;
      }),
      threads: this.threads().filter((t) => !t.deleted && !t.thread_metadata?.archived).map((t) => this.channelApi(t)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      activity_instances: [],
      application_command_counts: {},
      version: Date.now(),
    };
  }

  private channelApi(c: FakeChannel): Json {
    if (c.type === CHANNEL_DM) {
      const recipient = this.users.get(c.recipientId ?? '');
      return { id: c.id, type: CHANNEL_DM, last_message_id: c.last_message_id, flags: 0, recipients: recipient ? [this.userApi(recipient)] : [] };
    }
    if (THREAD_TYPES.has(c.type)) {
      return {
        id: c.id,
        type: c.type,
        guild_id: c.guild_id,
        parent_id: c.parent_id,
        owner_id: c.owner_id,
        name: c.name,
        last_message_id: c.last_message_id,
        last_pin_timestamp: c.last_pin_timestamp,
        rate_limit_per_user: c.rate_limit_per_user ?? 0,
        message_count: this.messagesIn(c.id).length,
        member_count: c.threadMembers.size,
        total_message_sent: this.messagesIn(c.id).length,
        thread_metadata: c.thread_metadata,
        flags: c.flags,
        applied_tags: [],
        ...(c.threadMembers.has(this.botUser.id)
          ? { member: { id: c.id, user_id: this.botUser.id, join_timestamp: iso(c.createdAt), flags: 0 } }
          : {}),
      };
    }
    const api: Json = {
      id: c.id,
      type: c.type,
      guild_id: c.guild_id,
      name: c.name,
      position: c.position ?? 0,
      parent_id: c.parent_id ?? null,
      permission_overwrites: c.permission_overwrites.map((o) => ({ ...o })),
      flags: c.flags,
    };
    if (c.type !== CHANNEL_CATEGORY) {
      Object.assign(api, {
        topic: c.topic ?? null,
        nsfw: c.nsfw ?? false,
        last_message_id: c.last_message_id,
        last_pin_timestamp: c.last_pin_timestamp,
        rate_limit_per_user: c.rate_limit_per_user ?? 0,
      });
    }
    return api;
  }

  private messageApi(m: FakeMessage, opts: { gateway?: boolean } = {}): Json {
    const mentioned = [...m.content.matchAll(/<@!?(\d{17,20})>/g)].map((x) => x[1]!);
    const mentionUsers = [...new Set(mentioned)].map((id) => this.users.get(id)).filter((u): u is FakeUser => u !== undefined);
    const api: Json = {
      type: m.type,
      content: m.content,
      mentions: mentionUsers.map((u) => this.userApi(u)),
      mention_roles: [...new Set([...m.content.matchAll(/<@&(\d{17,20})>/g)].map((x) => x[1]!))],
      attachments: m.attachments,
      embeds: m.embeds,
      timestamp: m.timestamp,
      edited_timestamp: m.edited_timestamp,
      flags: m.flags,
      components: m.components,
      id: m.id,
      channel_id: m.channel_id,
      author: this.userApi(m.author),
      pinned: m.pinned,
      mention_everyone: m.pings.everyone,
      tts: m.tts,
      ...(m.webhook_id ? { webhook_id: m.webhook_id } : {}),
      ...(m.application_id ? { application_id: m.application_id } : {}),
      ...(m.interaction_metadata ? { interaction_metadata: m.interaction_metadata } : {}),
      ...(m.message_reference ? { message_reference: m.message_reference } : {}),
      ...(m.nonce !== undefined ? { nonce: m.nonce } : {}),
    };
    if (m.message_reference && m.type === 19) {
      const ref = this.messages.get(String(m.message_reference.message_id));
      api.referenced_message = ref && !ref.deleted ? this.messageApi(ref) : null;
    }
    if (opts.gateway && m.guild_id) {
      api.guild_id = m.guild_id;
      const member = this.members.get(m.author.id);
      if (member) api.member = this.memberApi(member, false);
    }
    return api;
  }

  // -------------------------------------------------------------------------------- permissions

  private permissionsOf(userId: string, ch: FakeChannel): bigint {
    if (!ch.guild_id) return ALL_PERMISSIONS;
    const member = this.members.get(userId);
    if (!member) return 0n;
    const overwriteSource = THREAD_TYPES.has(ch.type) ? this.channels.get(ch.parent_id ?? '') ?? ch : ch;
    const subject = this.subjectOf(member);
    let perms = channelPermissions(subject, overwriteSource.permission_overwrites);
    if (ch.type === CHANNEL_PRIVATE_THREAD && !ch.threadMembers.has(userId) && !has(perms, P.ManageThreads)) perms = 0n;
    return perms;
  }

  private subjectOf(member: FakeMember) {
    return {
      guildId: this.guildId,
      ownerId: this.ownerId,
      rolePermissions: new Map([...this.roles.values()].map((r) => [r.id, r.permissions] as const)),
      userId: member.userId,
      memberRoles: member.roles,
    };
  }

  private botGuildPermissions(): bigint {
    return basePermissions(this.subjectOf(this.members.get(this.botUser.id)!));
  }

  /** Discord: a bot can only allow/deny permissions it has, and only administrators can put MANAGE_ROLES in overwrites. */
  private checkOverwrites(overwrites: Overwrite[], path: Array<string | number>): Overwrite[] {
    const mine = this.botGuildPermissions();
    const admin = mine === ALL_PERMISSIONS;
    const errs = new FormErrors();
    const result: Overwrite[] = [];
    overwrites.forEach((o, i) => {
      if (!isObj(o)) return;
      const type = Number(o.type);
      if (type !== 0 && type !== 1) errs.add([...path, i, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 1}.');
      if (typeof o.id !== 'string' || !/^\d{17,20}$/.test(o.id)) errs.add([...path, i, 'id'], 'NUMBER_TYPE_COERCE', `Value "${String(o.id)}" is not snowflake.`);
      else if (type === 0 && !this.roles.has(o.id)) errs.add([...path, i, 'id'], 'UNKNOWN_ROLE', 'Unknown role');
      else if (type === 1 && !this.members.has(o.id)) errs.add([...path, i, 'id'], 'UNKNOWN_MEMBER', 'Unknown member');
      const bits = toBits(o.allow) | toBits(o.deny);
      if (!admin && ((bits & ~mine) !== 0n || (bits & P.ManageRoles) !== 0n)) throw missingPermissions();
      result.push({ id: String(o.id), type: type === 1 ? 1 : 0, allow: toBits(o.allow).toString(), deny: toBits(o.deny).toString() });
    });
    if (!errs.empty) throw formError(errs);
    return result;
  }

  // -------------------------------------------------------------------------------- guild & channels

  private requireGuild(guildId: string): void {
    if (guildId !== this.guildId) throw missingAccess();
  }

  private anyChannel(id: string): FakeChannel {
    const ch = this.channels.get(id);
    if (!ch || ch.deleted) throw notFound('Unknown Channel', 10003);
    return ch;
  }

  /** A channel the bot can see (DMs it opened; guild channels with VIEW_CHANNEL). */
  private visibleChannel(id: string): FakeChannel {
    const ch = this.anyChannel(id);
    if (ch.guild_id && !has(this.permissionsOf(this.botUser.id, ch), P.ViewChannel)) throw missingAccess();
    return ch;
  }

  private manageableChannel(id: string, bit: bigint): FakeChannel {
    const ch = this.visibleChannel(id);
    if (!ch.guild_id) throw new ApiError(400, { message: 'Cannot execute action on a DM channel', code: 50003 });
    if (!has(this.permissionsOf(this.botUser.id, ch), bit)) throw missingPermissions();
    return ch;
  }

  private threadChannel(id: string): FakeChannel {
    const ch = this.visibleChannel(id);
    if (!THREAD_TYPES.has(ch.type)) throw new ApiError(400, { message: 'Cannot execute action on this channel type', code: 50024 });
    return ch;
  }

  private createGuildChannel({ params, body }: Ctx): Json {
    this.requireGuild(params.guildId!);
    const type = body.type === undefined || body.type === null ? CHANNEL_TEXT : Number(body.type);
    if (![0, 2, 4, 5, 13, 15].includes(type)) throw oneFormError(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {0, 2, 4, 5, 13, 15}.');
    if (type === CHANNEL_ANNOUNCEMENT || type === 13 || type === 15) {
      // Announcement, stage and forum channels need a Community guild; the fake guild is not one.
      throw oneFormError(['type'], 'GUILD_CHANNEL_TYPE_INVALID', 'This channel type requires the guild to be a Community server');
    }
    const errs = new FormErrors();
    let name = body.name;
    if (typeof name !== 'string') errs.add(['name'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else {
      if (TEXT_LIKE.has(type)) name = normaliseTextChannelName(name);
      const n = [...(name as string)].length;
      if (n < 1 || n > 100) errs.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (typeof body.topic === 'string' && [...body.topic].length > 1024) errs.add(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
    let parent: FakeChannel | undefined;
    if (body.parent_id !== undefined && body.parent_id !== null) {
      parent = this.channels.get(String(body.parent_id));
      if (type === CHANNEL_CATEGORY) errs.add(['parent_id'], 'CHANNEL_PARENT_INVALID_TYPE', 'Categories cannot have subcategories');
      else if (!parent || parent.deleted || parent.type !== CHANNEL_CATEGORY || parent.guild_id !== this.guildId) {
        errs.add(['parent_id'], 'CHANNEL_PARENT_INVALID_TYPE', 'Not a category');
      } else if (this.guildChannels().filter((c) => c.parent_id === parent!.id).length >= 50) {
        errs.add(['parent_id'], 'CHANNEL_PARENT_MAX_CHANNELS', 'Maximum number of channels in category reached (50)');
      }
    }
    if (!errs.empty) throw formError(errs);

    const where = parent ? this.permissionsOf(this.botUser.id, parent) : this.botGuildPermissions();
    if (!has(where, P.ManageChannels) && !has(this.botGuildPermissions(), P.ManageChannels)) throw missingPermissions();
    if (this.guildChannels().length >= 500) throw new ApiError(400, { message: 'Maximum number of guild channels reached (500)', code: 30013 });

    // Without explicit overwrites a channel created in a category is synced to it.
    const overwrites = Array.isArray(body.permission_overwrites)
      ? this.checkOverwrites(body.permission_overwrites as Overwrite[], ['permission_overwrites'])
      : parent
        ? parent.permission_overwrites.map((o) => ({ ...o }))
        : [];
    const id = this.snowflake();
    const ch = this.newChannel({
      id,
      type,
      guild_id: this.guildId,
      name: name as string,
      position: typeof body.position === 'number' ? body.position : this.guildChannels().length,
      parent_id: parent?.id ?? null,
      topic: typeof body.topic === 'string' ? body.topic : null,
      nsfw: body.nsfw === true,
      rate_limit_per_user: typeof body.rate_limit_per_user === 'number' ? body.rate_limit_per_user : 0,
      permission_overwrites: overwrites,
    });
    this.channels.set(id, ch);
    this.createdIds.add(id);
    this.dispatchChannel('CHANNEL_CREATE', ch);
    return this.channelApi(ch);
  }

  private editChannel({ params, body }: Ctx): Json {
    const ch = this.visibleChannel(params.channelId!);
    if (THREAD_TYPES.has(ch.type)) {
      const owner = ch.owner_id === this.botUser.id;
      if (!owner && !has(this.permissionsOf(this.botUser.id, ch), P.ManageThreads)) throw missingPermissions();
    } else if (!ch.guild_id || !has(this.permissionsOf(this.botUser.id, ch), P.ManageChannels)) throw missingPermissions();
    const renaming = ('name' in body && body.name !== ch.name) || ('topic' in body && body.topic !== ch.topic);
    if (renaming && this.channelRenameLimit && !THREAD_TYPES.has(ch.type)) {
      const now = Date.now();
      ch.renames = ch.renames.filter((t) => t > now - this.channelRenameLimit!.windowMs);
      if (ch.renames.length >= this.channelRenameLimit.count) {
        const retry = (ch.renames[0]! + this.channelRenameLimit.windowMs - now) / 1000;
        // A sub-limit: the route's bucket is not exhausted, so Remaining stays > 0 (discord.js treats this as a sublimit).
        throw this.rateLimitError(retry, { global: false, scope: 'user', bucket: this.bucketFor('PATCH', this.routes.find((r) => r.template === '/channels/:channelId' && r.method === 'PATCH')!, params).bucket, remaining: 1 });
      }
      ch.renames.push(now);
    }
    const errs = new FormErrors();
    if ('name' in body) {
      if (typeof body.name !== 'string') errs.add(['name'], 'BASE_TYPE_STRING', 'Must be a string.');
      else {
        const name = TEXT_LIKE.has(ch.type) ? normaliseTextChannelName(body.name) : body.name;
        const n = [...name].length;
        if (n < 1 || n > 100) errs.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
        else ch.name = name;
      }
    }
    if ('topic' in body) {
      if (typeof body.topic === 'string' && [...body.topic].length > 1024) errs.add(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
      else ch.topic = typeof body.topic === 'string' ? body.topic : null;
    }
    if (!errs.empty) throw formError(errs);
    if ('parent_id' in body) ch.parent_id = body.parent_id === null ? null : String(body.parent_id);
    if (typeof body.position === 'number') ch.position = body.position;
    if (Array.isArray(body.permission_overwrites)) {
      if (!has(this.permissionsOf(this.botUser.id, ch), P.ManageRoles)) throw missingPermissions();
      ch.permission_overwrites = this.checkOverwrites(body.permission_overwrites as Overwrite[], ['permission_overwrites']);
    }
    if (ch.thread_metadata) {
      if (typeof body.archived === 'boolean') {
        ch.thread_metadata.archived = body.archived;
        ch.thread_metadata.archive_timestamp = iso(Date.now());
      }
      if (typeof body.locked === 'boolean') ch.thread_metadata.locked = body.locked;
      if (typeof body.auto_archive_duration === 'number') ch.thread_metadata.auto_archive_duration = body.auto_archive_duration;
    }
    this.dispatchChannel(THREAD_TYPES.has(ch.type) ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', ch);
    return this.channelApi(ch);
  }

  private deleteChannel(id: string): Json {
    const ch = this.anyChannel(id);
    if (ch.guild_id) {
      const perms = this.permissionsOf(this.botUser.id, ch);
      if (!has(perms, P.ViewChannel)) throw missingAccess();
      if (!has(perms, THREAD_TYPES.has(ch.type) ? P.ManageThreads : P.ManageChannels)) throw missingPermissions();
    }
    ch.deleted = true;
    const api = this.channelApi(ch);
    if (ch.guild_id) this.dispatchChannel(THREAD_TYPES.has(ch.type) ? 'THREAD_DELETE' : 'CHANNEL_DELETE', ch);
    return api;
  }

  private putOverwrite({ params, body }: Ctx): void {
    const ch = this.manageableChannel(params.channelId!, P.ManageRoles);
    const [overwrite] = this.checkOverwrites([{ id: params.overwriteId!, type: Number(body.type ?? 0) as 0 | 1, allow: String(body.allow ?? '0'), deny: String(body.deny ?? '0') }], []);
    ch.permission_overwrites = [...ch.permission_overwrites.filter((o) => o.id !== overwrite!.id), overwrite!];
    this.dispatchChannel('CHANNEL_UPDATE', ch);
  }

  private openDm(body: Json): Json {
    const recipientId = String(body.recipient_id ?? '');
    const user = this.users.get(recipientId);
    if (!user || user.id === this.botUser.id) throw new ApiError(400, { message: 'Invalid Recipient(s)', code: 50033 });
    let id = this.dmByUser.get(recipientId);
    if (!id) {
      id = this.snowflake();
      this.channels.set(id, this.newChannel({ id, type: CHANNEL_DM, recipientId }));
      this.dmByUser.set(recipientId, id);
    }
    return this.channelApi(this.channels.get(id)!);
  }

  private createThread({ params, body }: Ctx, fromMessageId: string | undefined): Json {
    const parent = this.visibleChannel(params.channelId!);
    if (!parent.guild_id || ![CHANNEL_TEXT, CHANNEL_ANNOUNCEMENT].includes(parent.type)) {
      throw new ApiError(400, { message: 'Cannot execute action on this channel type', code: 50024 });
    }
    let type = fromMessageId ? CHANNEL_PUBLIC_THREAD : body.type === undefined || body.type === null ? CHANNEL_PRIVATE_THREAD : Number(body.type);
    if (parent.type === CHANNEL_ANNOUNCEMENT && type === CHANNEL_PUBLIC_THREAD) type = 10;
    if (![10, 11, 12].includes(type)) throw oneFormError(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {10, 11, 12}.');
    const errs = new FormErrors();
    if (typeof body.name !== 'string') errs.add(['name'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else if ([...body.name].length < 1 || [...body.name].length > 100) errs.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    const duration = body.auto_archive_duration === undefined ? 4320 : Number(body.auto_archive_duration);
    if (![60, 1440, 4320, 10080].includes(duration)) errs.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
    if (!errs.empty) throw formError(errs);
    const perms = this.permissionsOf(this.botUser.id, parent);
    if (!has(perms, type === CHANNEL_PRIVATE_THREAD ? P.CreatePrivateThreads : P.CreatePublicThreads)) throw missingPermissions();
    let id = this.snowflake();
    if (fromMessageId) {
      const msg = this.channelMessage(parent.id, fromMessageId);
      if ([...this.channels.values()].some((c) => c.id === msg.id)) throw new ApiError(400, { message: 'A thread has already been created for this message', code: 160004 });
      id = msg.id; // Discord: a thread started from a message has the message's id
    }
    const now = Date.now();
    const thread = this.newChannel({
      id,
      type,
      guild_id: this.guildId,
      parent_id: parent.id,
      owner_id: this.botUser.id,
      name: body.name as string,
      rate_limit_per_user: typeof body.rate_limit_per_user === 'number' ? body.rate_limit_per_user : 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: duration,
        archive_timestamp: iso(now),
        locked: false,
        create_timestamp: iso(now),
        ...(type === CHANNEL_PRIVATE_THREAD ? { invitable: body.invitable !== false } : {}),
      },
      flags: 0,
    });
    thread.threadMembers.add(this.botUser.id);
    this.channels.set(id, thread);
    this.createdIds.add(id);
    this.dispatch('THREAD_CREATE', { ...this.channelApi(thread), newly_created: true }, Intents.Guilds);
    return this.channelApi(thread);
  }

  private addThreadMember(threadId: string, userId: string): void {
    const thread = this.threadChannel(threadId);
    if (thread.thread_metadata?.archived) throw new ApiError(400, { message: 'Thread is archived', code: 50083 });
    if (!this.members.has(userId)) throw notFound('Unknown Member', 10007);
    if (userId !== this.botUser.id && !has(this.permissionsOf(this.botUser.id, thread), P.SendMessagesInThreads)) throw missingPermissions();
    thread.threadMembers.add(userId);
  }

  // -------------------------------------------------------------------------------- messages

  private channelMessage(channelId: string, messageId: string): FakeMessage {
    this.visibleChannel(channelId);
    const msg = this.messages.get(messageId);
    if (!msg || msg.deleted || msg.channel_id !== channelId || msg.ephemeral) throw notFound('Unknown Message', 10008);
    return msg;
  }

  private listMessages(channelId: string, query: URLSearchParams): Json[] {
    const ch = this.visibleChannel(channelId);
    if (ch.guild_id && !has(this.permissionsOf(this.botUser.id, ch), P.ReadMessageHistory)) return [];
    const limit = Math.max(1, Math.min(100, Number(query.get('limit') ?? 50)));
    let list = this.messagesIn(channelId, { system: true }).reverse();
    const before = query.get('before');
    const after = query.get('after');
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    return list.slice(0, limit).map((m) => this.messageApi(m));
  }

  private listPins(channelId: string, newShape: boolean): unknown {
    const ch = this.visibleChannel(channelId);
    const pinned = [...ch.pins].reverse().map((id) => this.messages.get(id)).filter((m): m is FakeMessage => !!m && !m.deleted);
    if (!newShape) return pinned.map((m) => this.messageApi(m));
    return { items: pinned.map((m) => ({ pinned_at: m.edited_timestamp ?? m.timestamp, message: this.messageApi(m) })), has_more: false };
  }

  private pin(channelId: string, messageId: string, pinned: boolean): void {
    const msg = this.channelMessage(channelId, messageId);
    const ch = this.channels.get(channelId)!;
    if (ch.guild_id) {
      const perms = this.permissionsOf(this.botUser.id, ch);
      if (!has(perms, P.PinMessages) && !has(perms, P.ManageMessages)) throw missingPermissions();
    }
    if (pinned === msg.pinned) return;
    if (pinned && ch.pins.length >= 250) throw new ApiError(400, { message: 'Maximum number of pins reached for the channel (250)', code: 30003 });
    msg.pinned = pinned;
    ch.pins = pinned ? [...ch.pins, msg.id] : ch.pins.filter((id) => id !== msg.id);
    ch.last_pin_timestamp = pinned ? iso(Date.now()) : ch.last_pin_timestamp;
    this.dispatchMessage('MESSAGE_UPDATE', msg);
    this.dispatch(
      'CHANNEL_PINS_UPDATE',
      { ...(ch.guild_id ? { guild_id: ch.guild_id } : {}), channel_id: ch.id, last_pin_timestamp: ch.last_pin_timestamp },
      ch.guild_id ? Intents.Guilds : Intents.DirectMessages,
    );
    if (pinned) {
      // Discord posts a "pinned a message" system message (type 6) referencing the pinned one.
      const notice = this.storeMessage({
        channel: ch,
        body: { content: '' },
        type: 6,
        source: 'system',
        reference: { type: 0, message_id: msg.id, channel_id: ch.id, ...(ch.guild_id ? { guild_id: ch.guild_id } : {}) },
      });
      this.dispatchMessage('MESSAGE_CREATE', notice);
    }
  }

  /** Who a new message would notify, under Discord's allowed_mentions rules and the bot's MENTION_EVERYONE. */
  private computePings(content: string, allowed: AllowedMentions | undefined, ch: FakeChannel): Pings {
    const userIds = [...new Set([...content.matchAll(/<@!?(\d{17,20})>/g)].map((x) => x[1]!))];
    const roleIds = [...new Set([...content.matchAll(/<@&(\d{17,20})>/g)].map((x) => x[1]!))];
    const everyoneText = /@(everyone|here)/.test(content);
    const parse = allowed ? (allowed.parse ?? []) : ['users', 'roles', 'everyone'];
    const canEveryone = ch.guild_id ? has(this.permissionsOf(this.botUser.id, ch), P.MentionEveryone) : false;
    const users = parse.includes('users') ? userIds : userIds.filter((id) => (allowed?.users ?? []).includes(id));
    const roles = (parse.includes('roles') ? roleIds : roleIds.filter((id) => (allowed?.roles ?? []).includes(id))).filter(
      (id) => this.roles.get(id)?.mentionable === true || canEveryone,
    );
    return { everyone: everyoneText && parse.includes('everyone') && canEveryone, users, roles };
  }

  private storeMessage(args: {
    channel: FakeChannel;
    body: Json;
    type?: number;
    source: FakeMessage['source'];
    interaction?: FakeInteraction;
    reference?: Json;
    flags?: number;
    via?: string;
  }): FakeMessage {
    const { channel, body } = args;
    const now = Date.now();
    const allowed = validateAllowedMentions(new FormErrors(), body.allowed_mentions);
    const content = typeof body.content === 'string' ? body.content : '';
    const msg: FakeMessage = {
      id: this.snowflake(),
      channel_id: channel.id,
      ...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
      author: this.botUser,
      content,
      embeds: Array.isArray(body.embeds) ? (body.embeds as Json[]).map((e) => ({ type: 'rich', ...e, content_scan_version: 0 })) : [],
      components: Array.isArray(body.components) ? this.assignComponentIds(body.components as Json[]) : [],
      attachments: Array.isArray(body.attachments) ? (body.attachments as Json[]) : [],
      flags: args.flags ?? (typeof body.flags === 'number' ? body.flags : 0),
      pinned: false,
      tts: body.tts === true,
      type: args.type ?? 0,
      timestamp: iso(now),
      edited_timestamp: null,
      ...(args.reference ? { message_reference: args.reference } : {}),
      ...(typeof body.nonce === 'string' || typeof body.nonce === 'number' ? { nonce: body.nonce } : {}),
      ...(allowed ? { allowed_mentions: allowed } : {}),
      pings: args.source === 'system' ? { everyone: false, users: [], roles: [] } : this.computePings(content, allowed, channel),
      history: [{ at: now, body, via: args.via ?? args.source }],
      ephemeral: ((args.flags ?? 0) & EPHEMERAL) !== 0,
      deleted: false,
      source: args.source,
      createdAt: now,
    };
    if (args.interaction) {
      const inter = args.interaction;
      const invoker = this.interactionUser(inter.payload);
      msg.webhook_id = this.applicationId;
      msg.application_id = this.applicationId;
      msg.interactionId = inter.id;
      msg.interaction_metadata = {
        id: inter.id,
        type: inter.type,
        user: invoker ? this.userApi(invoker) : null,
        authorizing_integration_owners: inter.payload.authorizing_integration_owners ?? {},
        ...(inter.type === 3 && isObj(inter.payload.message) ? { interacted_message_id: inter.payload.message.id } : {}),
        ...(inter.type === 2 && isObj(inter.payload.data) ? { name: inter.payload.data.name, command_type: 1 } : {}),
      };
    }
    this.messages.set(msg.id, msg);
    if (!msg.ephemeral) channel.last_message_id = msg.id;
    return msg;
  }

  /** Discord numbers components (`id`) in what it returns. */
  private assignComponentIds(components: Json[]): Json[] {
    let next = 1;
    const used = new Set<number>();
    const collect = (node: unknown): void => {
      if (!isObj(node)) return;
      if (typeof node.id === 'number') used.add(node.id);
      for (const key of ['components', 'accessory', 'component']) {
        const child = node[key];
        if (Array.isArray(child)) child.forEach(collect);
        else collect(child);
      }
    };
    components.forEach(collect);
    const assign = (node: unknown): unknown => {
      if (!isObj(node)) return node;
      const copy: Json = { ...node };
      if (typeof copy.id !== 'number') {
        while (used.has(next)) next++;
        copy.id = next++;
      }
      for (const key of ['components', 'accessory', 'component']) {
        const child = copy[key];
        if (Array.isArray(child)) copy[key] = child.map(assign);
        else if (isObj(child)) copy[key] = assign(child);
      }
      return copy;
    };
    return components.map((c) => assign(c) as Json);
  }

  private validateNewMessage(body: Json, hasFiles: boolean, channel: FakeChannel): Json | undefined {
    const errs = new FormErrors();
    const { empty } = validateMessageBody(errs, body, { partial: false, hasFiles });
    let reference: Json | undefined;
    if (isObj(body.message_reference)) {
      const refId = String(body.message_reference.message_id ?? '');
      const ref = this.messages.get(refId);
      const refChannel = String(body.message_reference.channel_id ?? channel.id);
      if (!ref || ref.deleted || ref.channel_id !== refChannel || refChannel !== channel.id) {
        if (body.message_reference.fail_if_not_exists !== false) {
          errs.add(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
        }
      } else {
        reference = { type: 0, message_id: ref.id, channel_id: ref.channel_id, ...(ref.guild_id ? { guild_id: ref.guild_id } : {}) };
      }
    }
    if (!errs.empty) throw formError(errs);
    if (empty) throw new ApiError(400, { message: 'Cannot send an empty message', code: 50006 });
    return reference;
  }

  private createChannelMessage({ params, body, call }: Ctx): Json {
    const ch = this.anyChannel(params.channelId!);
    if (ch.type === CHANNEL_DM) {
      const user = this.users.get(ch.recipientId ?? '');
      if (!user || user.dmClosed || !this.members.has(user.id) || user.bot) {
        throw new ApiError(403, { message: 'Cannot send messages to this user', code: 50007 });
      }
    } else {
      const perms = this.permissionsOf(this.botUser.id, ch);
      if (!has(perms, P.ViewChannel)) throw missingAccess();
      if (ch.type === CHANNEL_CATEGORY || ch.type === 2) throw new ApiError(400, { message: 'Cannot send messages in a non-text channel', code: 50008 });
      if (THREAD_TYPES.has(ch.type)) {
        if (!has(perms, P.SendMessagesInThreads)) throw missingPermissions();
        if (ch.thread_metadata?.archived && ch.thread_metadata.locked) throw new ApiError(400, { message: 'Thread is locked', code: 160005 });
        if (ch.thread_metadata?.archived) ch.thread_metadata.archived = false; // sending unarchives
      } else if (!has(perms, P.SendMessages)) throw missingPermissions();
    }
    if (body.flags !== undefined && typeof body.flags === 'number' && (body.flags & EPHEMERAL) !== 0) {
      throw oneFormError(['flags'], 'MESSAGE_FLAGS_INVALID', 'Ephemeral messages can only be sent as interaction responses');
    }
    const reference = this.validateNewMessage(body, call.files.length > 0, ch);
    if (body.enforce_nonce === true && (typeof body.nonce === 'string' || typeof body.nonce === 'number')) {
      const seen = this.nonces.get(`${ch.id}:${String(body.nonce)}`);
      const prior = seen ? this.messages.get(seen) : undefined;
      if (prior) return this.messageApi(prior);
    }
    const msg = this.storeMessage({ channel: ch, body, source: 'channel', type: reference ? 19 : 0, ...(reference ? { reference } : {}) });
    if (call.files.length) msg.attachments = call.files.map((f, i) => ({ id: this.snowflake(), filename: f.name, size: f.size, content_type: f.contentType, url: `${this.apiUrl}/attachments/${msg.id}/${i}/${f.name}` }));
    if (msg.nonce !== undefined) this.nonces.set(`${ch.id}:${String(msg.nonce)}`, msg.id);
    this.dispatchMessage('MESSAGE_CREATE', msg);
    return this.messageApi(msg);
  }

  private applyEdit(msg: FakeMessage, body: Json, via: string): void {
    const errs = new FormErrors();
    validateMessageBody(errs, body, { partial: true, hasFiles: false });
    if (!errs.empty) throw formError(errs);
    const next = {
      content: 'content' in body ? (typeof body.content === 'string' ? body.content : '') : msg.content,
      embeds: 'embeds' in body ? body.embeds : msg.embeds,
      components: 'components' in body ? body.components : msg.components,
    };
    const noContent = next.content.trim() === '' && (!Array.isArray(next.embeds) || next.embeds.length === 0) && (!Array.isArray(next.components) || next.components.length === 0) && msg.attachments.length === 0;
    if (noContent && (msg.flags & LOADING) === 0) throw new ApiError(400, { message: 'Cannot send an empty message', code: 50006 });
    msg.content = next.content;
    if ('embeds' in body) msg.embeds = Array.isArray(body.embeds) ? (body.embeds as Json[]).map((e) => ({ type: 'rich', ...e, content_scan_version: 0 })) : [];
    if ('components' in body) msg.components = Array.isArray(body.components) ? this.assignComponentIds(body.components as Json[]) : [];
    if (Array.isArray(body.attachments)) msg.attachments = body.attachments as Json[];
    if (typeof body.flags === 'number') msg.flags = (msg.flags & ~(4 | 32768)) | (body.flags & (4 | 32768));
    const allowed = validateAllowedMentions(new FormErrors(), body.allowed_mentions);
    if (allowed) msg.allowed_mentions = allowed;
    if ((msg.flags & LOADING) !== 0) {
      // The first edit of a deferred response completes it; it is not shown as "edited".
      msg.flags &= ~LOADING;
      const ch = this.channels.get(msg.channel_id);
      if (ch) msg.pings = this.computePings(msg.content, allowed ?? msg.allowed_mentions, ch);
    } else {
      msg.edited_timestamp = iso(Date.now());
    }
    msg.history.push({ at: Date.now(), body, via });
  }

  private editChannelMessage({ params, body }: Ctx): Json {
    const msg = this.channelMessage(params.channelId!, params.messageId!);
    if (msg.author.id !== this.botUser.id || msg.source === 'system') {
      throw new ApiError(403, { message: 'Cannot edit a message authored by another user', code: 50005 });
    }
    this.applyEdit(msg, body, 'channel edit');
    this.dispatchMessage('MESSAGE_UPDATE', msg);
    return this.messageApi(msg);
  }

  private deleteMessage(msg: FakeMessage): void {
    msg.deleted = true;
    if (msg.ephemeral) return;
    const ch = this.channels.get(msg.channel_id);
    if (ch) {
      ch.pins = ch.pins.filter((id) => id !== msg.id);
      this.dispatch('MESSAGE_DELETE', { id: msg.id, channel_id: msg.channel_id, ...(msg.guild_id ? { guild_id: msg.guild_id } : {}) }, msg.guild_id ? Intents.GuildMessages : Intents.DirectMessages);
    }
  }

  // -------------------------------------------------------------------------------- commands

  private commandScope(ctx: Ctx, scope: 'guild' | 'global'): string {
    if (ctx.params.appId !== this.applicationId) throw missingAccess();
    if (scope === 'guild') {
      this.requireGuild(ctx.params.guildId!);
      return `guild:${ctx.params.guildId}`;
    }
    return 'global';
  }

  private commandList(ctx: Ctx, scope: 'guild' | 'global'): FakeCommand[] {
    return this.commands.get(this.commandScope(ctx, scope)) ?? [];
  }

  private toCommand(key: string, raw: Json): FakeCommand {
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const idKey = `${key}:${type}:${String(raw.name)}`;
    let id = this.commandIds.get(idKey);
    if (!id) {
      id = this.snowflake();
      this.commandIds.set(idKey, id);
    }
    return {
      ...raw,
      id,
      application_id: this.applicationId,
      ...(key.startsWith('guild:') ? { guild_id: key.slice(6) } : {}),
      version: this.snowflake(),
      type,
      name: String(raw.name),
      description: typeof raw.description === 'string' ? raw.description : '',
      ...(Array.isArray(raw.options) ? { options: raw.options as Json[] } : {}),
      default_member_permissions: raw.default_member_permissions === undefined || raw.default_member_permissions === null ? null : String(raw.default_member_permissions),
      nsfw: raw.nsfw === true,
      dm_permission: raw.dm_permission !== false,
      integration_types: Array.isArray(raw.integration_types) ? raw.integration_types : [0],
      contexts: Array.isArray(raw.contexts) ? raw.contexts : null,
    };
  }

  private bulkOverwriteCommands(ctx: Ctx, scope: 'guild' | 'global'): FakeCommand[] {
    const key = this.commandScope(ctx, scope);
    if (!Array.isArray(ctx.rawBody)) throw oneFormError([], 'BASE_TYPE_LIST', 'Must be a list.');
    const list = ctx.rawBody as unknown[];
    const errs = new FormErrors();
    if (list.length > 100) errs.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    const seen = new Set<string>();
    list.forEach((c, i) => {
      validateCommand(errs, [i], c);
      if (isObj(c)) {
        const k = `${String(c.type ?? 1)}:${String(c.name)}`;
        if (seen.has(k)) errs.add([i, 'name'], 'APPLICATION_COMMAND_ALREADY_EXISTS', 'Application command names must be unique');
        seen.add(k);
      }
    });
    if (!errs.empty) throw formError(errs);
    const commands = list.map((c) => this.toCommand(key, c as Json));
    this.commands.set(key, commands);
    return commands;
  }

  private upsertCommand(ctx: Ctx, scope: 'guild' | 'global'): Reply {
    const key = this.commandScope(ctx, scope);
    const errs = new FormErrors();
    validateCommand(errs, [], ctx.body);
    if (!errs.empty) throw formError(errs);
    const command = this.toCommand(key, ctx.body);
    const list = this.commands.get(key) ?? [];
    const existing = list.findIndex((c) => c.id === command.id);
    if (existing >= 0) list[existing] = command;
    else list.push(command);
    this.commands.set(key, list);
    return { status: existing >= 0 ? 200 : 201, body: command };
  }

  private findCommand(ctx: Ctx, scope: 'guild' | 'global'): FakeCommand {
    const command = this.commandList(ctx, scope).find((c) => c.id === ctx.params.commandId);
    if (!command) throw notFound('Unknown application command', 10063);
    return command;
  }

  private editCommand(ctx: Ctx, scope: 'guild' | 'global'): FakeCommand {
    const current = this.findCommand(ctx, scope);
    const merged = { ...current, ...ctx.body };
    const errs = new FormErrors();
    validateCommand(errs, [], merged);
    if (!errs.empty) throw formError(errs);
    const key = this.commandScope(ctx, scope);
    const updated = { ...this.toCommand(key, merged), id: current.id };
    this.commands.set(key, (this.commands.get(key) ?? []).map((c) => (c.id === current.id ? updated : c)));
    return updated;
  }

  private deleteCommand(ctx: Ctx, scope: 'guild' | 'global'): void {
    const current = this.findCommand(ctx, scope);
    const key = this.commandScope(ctx, scope);
    this.commands.set(key, (this.commands.get(key) ?? []).filter((c) => c.id !== current.id));
  }

  // -------------------------------------------------------------------------------- interaction endpoints

  private liveInteractionByToken(token: string): FakeInteraction {
    const inter = [...this.interactions.values()].find((i) => i.token === token);
    if (!inter) throw invalidWebhookToken();
    if (Date.now() - inter.createdAt > this.tokenTtlMs) throw invalidWebhookToken();
    return inter;
  }

  private interactionChannel(inter: FakeInteraction): FakeChannel {
    const channel = isObj(inter.payload.channel) ? String(inter.payload.channel.id) : String(inter.payload.channel_id);
    return this.anyChannel(channel);
  }

  private interactionCallback({ params, body, query }: Ctx): Reply {
    const inter = this.interactions.get(params.interactionId!);
    if (!inter) throw notFound('Unknown interaction', 10062);
    if (inter.token !== params.token) throw invalidWebhookToken();
    const age = Date.now() - inter.createdAt;
    if (age > this.tokenTtlMs) throw invalidWebhookToken();
    if (inter.callbacks.length > 0) throw new ApiError(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    if (age > this.interactionAckTimeoutMs) throw notFound('Unknown interaction', 10062);

    const type = Number(body.type);
    const allowedTypes: Record<number, number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9], 4: [8], 5: [4, 5, 6, 7] };
    const fromComponent = isObj(inter.payload.message);
    if (!(allowedTypes[inter.type] ?? []).includes(type) || ((type === 6 || type === 7) && inter.type === 5 && !fromComponent)) {
      throw oneFormError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid for this interaction');
    }
    const data = isObj(body.data) ? body.data : {};
    const errs = new FormErrors();
    if (type === 4) {
      const { empty } = validateMessageBody(errs, data, { partial: false, hasFiles: false });
      if (!errs.empty) throw formError(errs);
      if (empty) throw new ApiError(400, { message: 'Cannot send an empty message', code: 50006 });
    } else if (type === 7) {
      validateMessageBody(errs, data, { partial: true, hasFiles: false });
    } else if (type === 8) {
      validateAutocompleteChoices(errs, data);
    } else if (type === 9) {
      validateModal(errs, data);
    }
    if (!errs.empty) throw formError(errs);

    inter.callbacks.push({ type, data: body.data, at: Date.now() });
    let message: FakeMessage | undefined;
    const channel = type === 8 || type === 9 ? undefined : this.interactionChannel(inter);
    if (channel && (type === 4 || type === 5)) {
      const ephemeral = typeof data.flags === 'number' && (data.flags & EPHEMERAL) !== 0;
      message = this.storeMessage({
        channel,
        body: type === 4 ? data : { content: '' },
        type: inter.type === 2 ? 20 : 0,
        source: 'interaction',
        interaction: inter,
        flags: (type === 5 ? LOADING : 0) | (ephemeral ? EPHEMERAL : 0) | (type === 4 && typeof data.flags === 'number' ? data.flags & ~EPHEMERAL : 0),
        via: `callback ${type}`,
      });
      inter.originalMessageId = message.id;
      this.dispatchMessage('MESSAGE_CREATE', message);
    } else if (type === 6 || type === 7) {
      const target = isObj(inter.payload.message) ? this.messages.get(String(inter.payload.message.id)) : undefined;
      if (target) {
        inter.originalMessageId = target.id;
        if (type === 7) {
          this.applyEdit(target, data, 'callback 7');
          this.dispatchMessage('MESSAGE_UPDATE', target);
        }
        message = target;
      }
    } else if (type === 8) {
      inter.autocompleteChoices = Array.isArray(data.choices) ? data.choices : [];
    } else if (type === 9) {
      inter.modal = data;
    }

    if (query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: inter.id,
          type: inter.type,
          ...(message ? { response_message_id: message.id, response_message_loading: (message.flags & LOADING) !== 0, response_message_ephemeral: message.ephemeral } : {}),
        },
        resource: { type, ...(message ? { message: this.messageApi(message) } : {}) },
      },
    };
  }

  private webhookInteraction(ctx: Ctx): FakeInteraction {
    if (ctx.params.webhookId !== this.applicationId) throw notFound('Unknown Webhook', 10015);
    return this.liveInteractionByToken(ctx.params.token!);
  }

  private webhookMessage(ctx: Ctx): FakeMessage {
    const inter = this.webhookInteraction(ctx);
    const id = ctx.params.messageId === '@original' ? inter.originalMessageId : ctx.params.messageId;
    const msg = id ? this.messages.get(id) : undefined;
    const belongs = msg && (msg.id === inter.originalMessageId || inter.followupIds.includes(msg.id));
    if (!msg || msg.deleted || !belongs) throw notFound('Unknown Message', 10008);
    return msg;
  }

  private webhookExecute(ctx: Ctx): Reply {
    const inter = this.webhookInteraction(ctx);
    if (inter.callbacks.length === 0) throw notFound('Unknown Webhook', 10015);
    const channel = this.interactionChannel(inter);
    const errs = new FormErrors();
    const { empty } = validateMessageBody(errs, ctx.body, { partial: false, hasFiles: ctx.call.files.length > 0 });
    if (!errs.empty) throw formError(errs);
    if (empty) throw new ApiError(400, { message: 'Cannot send an empty message', code: 50006 });
    const flags = typeof ctx.body.flags === 'number' ? ctx.body.flags : 0;
    const msg = this.storeMessage({ channel, body: ctx.body, source: 'followup', interaction: inter, flags, via: 'follow-up' });
    inter.followupIds.push(msg.id);
    this.dispatchMessage('MESSAGE_CREATE', msg);
    return ctx.query.get('wait') === 'true' ? { status: 200, body: this.messageApi(msg) } : { status: 204 };
  }

  private webhookEdit(ctx: Ctx): Json {
    const msg = this.webhookMessage(ctx);
    this.applyEdit(msg, ctx.body, `webhook edit ${ctx.params.messageId}`);
    this.dispatchMessage('MESSAGE_UPDATE', msg);
    return this.messageApi(msg);
  }

  // -------------------------------------------------------------------------------- interaction payloads

  private interactionUser(payload: Json): FakeUser | undefined {
    const raw = isObj(payload.member) && isObj(payload.member.user) ? payload.member.user : isObj(payload.user) ? payload.user : undefined;
    return raw ? this.users.get(String(raw.id)) : undefined;
  }

  private newToken(): string {
    return `aW50ZXJhY3Rpb246${randomBytes(36).toString('base64url')}`;
  }

  /** The common part of every interaction payload: who, where, id and token. */
  private interactionBase(type: number, ctx: InteractionContext, fallbackChannel?: string): Json {
    const channelId = ctx.channelId ?? fallbackChannel ?? this.guildChannels().find((c) => c.type === CHANNEL_TEXT)?.id;
    if (!channelId) throw new Error('FakeDiscord: no channel for the interaction');
    const ch = this.channels.get(channelId);
    if (!ch || ch.deleted) throw new Error(`FakeDiscord: unknown channel ${channelId} for the interaction`);
    const userId = ctx.user ?? (ch.type === CHANNEL_DM ? ch.recipientId : undefined) ?? FAKE_DISCORD.users.alice;
    const user = this.users.get(userId);
    if (!user) throw new Error(`FakeDiscord: unknown user ${userId}; add it with options.users or addUser()`);
    const base: Json = {
      id: this.snowflake(),
      application_id: this.applicationId,
      type,
      token: this.newToken(),
      version: 1,
      locale: ctx.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      attachment_size_limit: 10 * 1024 * 1024,
      channel_id: ch.id,
    };
    if (ch.type === CHANNEL_DM) {
      if (ch.recipientId !== user.id) throw new Error(`FakeDiscord: user ${user.id} cannot interact in the DM with ${String(ch.recipientId)}`);
      return {
        ...base,
        channel: { id: ch.id, type: CHANNEL_DM, last_message_id: ch.last_message_id, flags: 0, recipients: [this.userApi(user)] },
        user: this.userApi(user),
        app_permissions: (P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles | P.ReadMessageHistory | P.AddReactions | P.UseExternalEmojis | P.MentionEveryone).toString(),
        context: 1,
      };
    }
    const guildId = ctx.guildId ?? ch.guild_id ?? this.guildId;
    if (guildId !== this.guildId) throw new Error(`FakeDiscord: unknown guild ${guildId}`);
    const member = this.members.get(user.id);
    if (!member) throw new Error(`FakeDiscord: user ${user.id} is not a member of the guild`);
    const userPerms = this.permissionsOf(user.id, ch);
    if (!has(userPerms, P.ViewChannel)) throw new Error(`FakeDiscord: user ${user.id} cannot see channel ${ch.id}`);
    const channelPayload = this.channelApi(ch);
    delete channelPayload.permission_overwrites;
    return {
      ...base,
      guild: { id: this.guildId, locale: 'en-US', features: [] },
      guild_id: this.guildId,
      guild_locale: 'en-US',
      channel: { ...channelPayload, permissions: userPerms.toString() },
      member: { ...this.memberApi(member), permissions: userPerms.toString() },
      app_permissions: this.permissionsOf(this.botUser.id, ch).toString(),
      context: 0,
    };
  }

  private findCommandDef(name: string, guildScoped: boolean): FakeCommand | undefined {
    const lists = [guildScoped ? this.guildCommands() : [], this.globalCommands()];
    for (const list of lists) {
      const found = list.find((c) => c.name === name && c.type === 1);
      if (found) return found;
    }
    return undefined;
  }

  /** Builds the (possibly nested) `data.options`, typed from the registered definition when there is one. */
  private commandOptions(input: SlashCommandInput, def: FakeCommand | undefined, focused?: string): { options: Json[]; resolved?: Json } {
    if (Array.isArray(input.options)) return { options: input.options };
    let level: Json[] | undefined = def?.options;
    const path: string[] = [];
    if (input.group) {
      const g = level?.find((o) => o.type === 2 && o.name === input.group);
      if (def && !g) throw new Error(`FakeDiscord: /${input.name} has no sub-command group '${input.group}'`);
      level = g?.options as Json[] | undefined;
      path.push(input.group);
    }
    if (input.subcommand) {
      const s = level?.find((o) => o.type === 1 && o.name === input.subcommand);
      if (def && !s) throw new Error(`FakeDiscord: /${[input.name, ...path].join(' ')} has no sub-command '${input.subcommand}'`);
      level = s?.options as Json[] | undefined;
    } else if (def && def.options?.some((o) => o.type === 1 || o.type === 2)) {
      throw new Error(`FakeDiscord: /${input.name} needs a sub-command`);
    }
    const values: Record<string, OptionInput> = input.options ?? {};
    const leaf: Json[] = [];
    const resolvedUsers: Record<string, Json> = {};
    const resolvedMembers: Record<string, Json> = {};
    for (const [name, value] of Object.entries(values)) {
      const optDef = level?.find((o) => o.name === name);
      if (def && !optDef) throw new Error(`FakeDiscord: /${input.name} ${input.subcommand ?? ''} has no option '${name}'`);
      let type = typeof optDef?.type === 'number' ? optDef.type : typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3;
      const isFocused = focused === name;
      if (isFocused && optDef && optDef.autocomplete !== true) throw new Error(`FakeDiscord: option '${name}' of /${input.name} has no autocomplete`);
      if (!isFocused && Array.isArray(optDef?.choices) && !(optDef.choices as Json[]).some((c) => c.value === value)) {
        throw new Error(`FakeDiscord: '${String(value)}' is not a choice of option '${name}' (${(optDef.choices as Json[]).map((c) => String(c.value)).join(', ')})`);
      }
      if (type === 6 && typeof value === 'string') {
        const u = this.users.get(value);
        if (!u) throw new Error(`FakeDiscord: unknown user ${value} for option '${name}'`);
        resolvedUsers[value] = this.userApi(u);
        const m = this.members.get(value);
        if (m) resolvedMembers[value] = { ...this.memberApi(m, false), permissions: '0' };
      }
      if (isFocused) type = typeof optDef?.type === 'number' ? optDef.type : 3;
      leaf.push({ type, name, value: isFocused ? String(value) : value, ...(isFocused ? { focused: true } : {}) });
    }
    if (focused !== undefined && !(focused in values)) leaf.push({ type: 3, name: focused, value: '', focused: true });
    for (const o of level ?? []) {
      if (o.required === true && !(String(o.name) in values) && focused === undefined) {
        throw new Error(`FakeDiscord: /${input.name} ${input.subcommand ?? ''} needs option '${String(o.name)}'`);
      }
    }
    let options: Json[] = leaf;
    if (input.subcommand) options = [{ type: 1, name: input.subcommand, options: leaf }];
    if (input.group) options = [{ type: 2, name: input.group, options }];
    const resolved = Object.keys(resolvedUsers).length ? { users: resolvedUsers, ...(Object.keys(resolvedMembers).length ? { members: resolvedMembers } : {}) } : undefined;
    return { options, ...(resolved ? { resolved } : {}) };
  }

  /**
   * A chat-input command interaction (type 2) as Discord sends it, sub-commands nested as
   * `options: [{ type: 1, name, options: [...] }]`. When commands are registered, the name, the
   * sub-command, option names, types, choices and required options are checked against them (the
   * Discord client would not let a user send anything else) and `data.id` is the command's id.
   */
  slashCommand(input: SlashCommandInput): Json {
    const base = this.interactionBase(2, input);
    const def = this.findCommandDef(input.name, base.guild_id !== undefined);
    if (!def && (this.guildCommands().length > 0 || this.globalCommands().length > 0)) {
      throw new Error(`FakeDiscord: /${input.name} is not registered (registered: ${[...this.guildCommands(), ...this.globalCommands()].map((c) => c.name).join(', ')})`);
    }
    const { options, resolved } = this.commandOptions(input, def);
    return {
      ...base,
      data: {
        id: def?.id ?? this.snowflake(),
        name: input.name,
        type: 1,
        ...(base.guild_id ? { guild_id: base.guild_id } : {}),
        ...(options.length ? { options } : {}),
        ...(resolved ? { resolved } : {}),
      },
    };
  }

  /** An autocomplete interaction (type 4): like slashCommand, the `focused` option carries the partial text. */
  autocomplete(input: AutocompleteInput): Json {
    const base = this.interactionBase(4, input);
    const def = this.findCommandDef(input.name, base.guild_id !== undefined);
    const { options } = this.commandOptions(input, def, input.focused);
    return {
      ...base,
      data: { id: def?.id ?? this.snowflake(), name: input.name, type: 1, ...(base.guild_id ? { guild_id: base.guild_id } : {}), options },
    };
  }

  private findComponent(components: unknown, customId: string): Json | undefined {
    if (!Array.isArray(components)) return undefined;
    for (const node of components) {
      if (!isObj(node)) continue;
      if (node.custom_id === customId) return node;
      for (const key of ['components', 'accessory', 'component']) {
        const child = node[key];
        const found = this.findComponent(Array.isArray(child) ? child : isObj(child) ? [child] : [], customId);
        if (found) return found;
      }
    }
    return undefined;
  }

  private componentBase(type: number, input: ButtonClickInput, componentType: number): { base: Json; msg: FakeMessage } {
    let msg: FakeMessage | undefined;
    if (input.messageId) {
      msg = this.messages.get(input.messageId);
      if (!msg || msg.deleted) throw new Error(`FakeDiscord: unknown message ${input.messageId}`);
    } else {
      msg = [...this.messages.values()]
        .reverse()
        .find((m) => !m.deleted && (!input.channelId || m.channel_id === input.channelId) && this.findComponent(m.components, input.customId));
      if (!msg) throw new Error(`FakeDiscord: no message has a component with custom_id '${input.customId}'`);
    }
    const component = this.findComponent(msg.components, input.customId);
    if (!component) throw new Error(`FakeDiscord: message ${msg.id} has no component with custom_id '${input.customId}'`);
    if (component.type !== componentType) throw new Error(`FakeDiscord: component '${input.customId}' is of type ${String(component.type)}, not ${componentType}`);
    if (component.disabled === true) throw new Error(`FakeDiscord: component '${input.customId}' is disabled; Discord users cannot use it`);
    const base = this.interactionBase(type, { ...input, channelId: msg.channel_id });
    if (msg.ephemeral) {
      const invoker = this.interactionUser(base);
      const owner = msg.interactionId ? this.interactionUser(this.interactions.get(msg.interactionId)?.payload ?? {}) : undefined;
      if (!owner || invoker?.id !== owner.id) throw new Error('FakeDiscord: only the user who got an ephemeral message can use its components');
    }
    const messagePayload = this.messageApi(msg);
    return { base: { ...base, message: messagePayload }, msg };
  }

  /** A button click (type 3, component_type 2) on a message the bot sent; the button must exist and be enabled. */
  buttonClick(input: ButtonClickInput): Json {
    const { base } = this.componentBase(3, input, 2);
    return { ...base, data: { custom_id: input.customId, component_type: 2 } };
  }

  /** A string-select choice (type 3, component_type 3). */
  selectMenu(input: SelectInput): Json {
    const { base } = this.componentBase(3, input, 3);
    return { ...base, data: { custom_id: input.customId, component_type: 3, values: input.values } };
  }

  /**
   * A modal submission (type 5). The components mirror the modal the bot showed (callback type 9):
   * action rows or labels around text inputs, each carrying `value`. Required inputs must be given.
   */
  modalSubmit(input: ModalSubmitInput): Json {
    const from = input.from
      ? this.interaction(input.from)
      : [...this.interactions.values()].reverse().find((i) => isObj(i.modal) && i.modal.custom_id === input.customId);
    const modal = from?.modal;
    const fields = input.fields;
    let components: Json[];
    if (isObj(modal) && Array.isArray(modal.components)) {
      const answer = (c: Json): Json => {
        const id = String(c.custom_id);
        const given = fields[id];
        if (c.type === 4) {
          if (given === undefined && c.required !== false) throw new Error(`FakeDiscord: the modal's text input '${id}' is required`);
          return { type: 4, id: c.id, custom_id: id, value: Array.isArray(given) ? given.join(',') : (given ?? '') };
        }
        return { type: c.type, id: c.id, custom_id: id, values: Array.isArray(given) ? given : given === undefined ? [] : [given] };
      };
      components = (modal.components as Json[]).map((row, i) => {
        if (row.type === 1 && Array.isArray(row.components)) return { type: 1, id: row.id ?? i + 1, components: (row.components as Json[]).map(answer) };
        if (row.type === 18 && isObj(row.component)) return { type: 18, id: row.id ?? i + 1, component: answer(row.component) };
        return { type: row.type, id: row.id ?? i + 1 };
      });
    } else {
      components = Object.entries(fields).map(([custom_id, value], i) => ({
        type: 1,
        id: i * 2 + 1,
        components: [{ type: 4, id: i * 2 + 2, custom_id, value: Array.isArray(value) ? value.join(',') : value }],
      }));
    }
    const originChannel = from && isObj(from.payload.channel) ? String(from.payload.channel.id) : undefined;
    const originUser = from ? this.interactionUser(from.payload)?.id : undefined;
    const base = this.interactionBase(5, { ...input, ...(input.user ?? originUser ? { user: input.user ?? originUser } : {}) }, originChannel);
    const message = from && isObj(from.payload.message) ? { message: from.payload.message } : {};
    return { ...base, ...message, data: { custom_id: input.customId, components } };
  }

  /**
   * Dispatches INTERACTION_CREATE to every ready gateway session (like Discord, two sessions on the same
   * shard both get it) and starts the token's clock. Throws when no session is ready to receive it.
   */
  async sendInteraction(payload: Json): Promise<FakeInteraction> {
    if (typeof payload.id !== 'string' || typeof payload.token !== 'string') throw new Error('FakeDiscord: payload needs id and token (use slashCommand/buttonClick/…)');
    const ready = [...this.live.values()].filter((c) => c.info.ready && c.ws.readyState === WebSocket.OPEN);
    if (ready.length === 0) throw new Error(`FakeDiscord: no ready gateway connection to deliver the interaction to.\n${this.timeoutMessage('(sendInteraction)', 0)}`);
    const inter: FakeInteraction = {
      id: payload.id,
      token: payload.token,
      type: Number(payload.type),
      payload,
      createdAt: Date.now(),
      callbacks: [],
      followupIds: [],
      deliveredTo: [],
    };
    this.interactions.set(inter.id, inter);
    this.tokens.push(inter.token);
    inter.deliveredTo = this.dispatch('INTERACTION_CREATE', payload, 0);
    await Promise.all(ready.map((c) => c.chain));
    return inter;
  }

  // -------------------------------------------------------------------------------- gateway

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.closed) return reject(503, 'Service Unavailable');
    if (url.pathname.startsWith('/api')) return reject(404, 'Not Found');
    const encoding = url.searchParams.get('encoding');
    if (encoding !== null && encoding !== 'json') {
      this.gatewayLog.push(`refused encoding=${encoding} (the fake speaks json only)`);
      return reject(400, 'Bad Request');
    }
    const compress = url.searchParams.get('compress');
    if (compress !== null && compress !== 'zlib-stream') {
      this.gatewayLog.push(`refused compress=${compress}`);
      return reject(400, 'Bad Request');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws, url));
  }

  private onGatewayConnection(ws: WebSocket, url: URL): void {
    const info: GatewayConnection = {
      id: ++this.connectionSeq,
      url: `${url.pathname}${url.search}`,
      query: { v: url.searchParams.get('v'), encoding: url.searchParams.get('encoding'), compress: url.searchParams.get('compress') },
      openedAt: Date.now(),
      ready: false,
      resumed: false,
      received: [],
      heartbeats: 0,
      sent: [],
    };
    const conn: LiveConnection = { info, ws, identifyCompress: false, chain: Promise.resolve() };
    if (info.query.compress === 'zlib-stream') conn.deflate = createDeflate();
    this.gatewayConnections.push(info);
    this.live.set(info.id, conn);

    ws.on('message', (data: RawData, isBinary: boolean) => this.onGatewayMessage(conn, data, isBinary));
    ws.on('close', (code: number) => {
      info.closedAt ??= Date.now();
      if (info.closeCode === undefined) {
        info.closeCode = code;
        info.closedBy = 'client';
      }
      this.live.delete(info.id);
      conn.deflate?.destroy();
      const session = info.sessionId ? this.sessions.get(info.sessionId) : undefined;
      if (session && session.connectionId === info.id) {
        session.connectionId = undefined;
        // Closing with 1000/1001 ends the session (the bot goes offline); other codes leave it resumable.
        if (info.closedBy === 'client' && (code === 1000 || code === 1001)) session.invalidated = true;
      }
    });
    ws.on('error', () => {});

    this.send(conn, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['["fake-gateway",{"micros":0}]'] } });
    const v = info.query.v;
    if (v !== '10' && v !== '9') {
      this.gatewayLog.push(`connection #${info.id}: unsupported v=${String(v)}`);
      this.closeConnection(conn, 4012, 'Invalid API version');
    }
  }

  private send(conn: LiveConnection, payload: { op: number; d?: unknown; t?: string | null; s?: number | null }): void {
    const frame = { t: null, s: null, ...payload };
    conn.info.sent.push({ op: frame.op, t: frame.t, s: frame.s, at: Date.now() });
    const text = JSON.stringify(frame);
    conn.chain = conn.chain.then(
      () =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState !== WebSocket.OPEN) return resolve();
          if (conn.deflate) {
            const deflate = conn.deflate;
            const parts: Buffer[] = [];
            const onData = (chunk: Buffer): void => {
              parts.push(chunk);
            };
            deflate.on('data', onData);
            deflate.write(text);
            deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
              deflate.off('data', onData);
              conn.ws.send(Buffer.concat(parts), { binary: true }, () => resolve());
            });
          } else if (conn.identifyCompress && frame.op === 0 && (frame.t === 'READY' || frame.t === 'GUILD_CREATE')) {
            conn.ws.send(deflateSync(text), { binary: true }, () => resolve());
          } else {
            conn.ws.send(text, () => resolve());
          }
        }),
    );
  }

  private closeConnection(conn: LiveConnection, code: number, reason: string): void {
    if (conn.info.closeCode !== undefined) return;
    conn.info.closeCode = code;
    conn.info.closedBy = 'server';
    conn.info.closedAt = Date.now();
    this.gatewayLog.push(`closed #${conn.info.id} with ${code} ${reason}`);
    const session = conn.info.sessionId ? this.sessions.get(conn.info.sessionId) : undefined;
    if (session && [4004, 4010, 4011, 4012, 4013, 4014].includes(code)) session.invalidated = true;
    void conn.chain.then(() => {
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(code, reason);
    });
  }

  private onGatewayMessage(conn: LiveConnection, data: RawData, isBinary: boolean): void {
    if (conn.info.closeCode !== undefined) return;
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary');
      payload = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8')) as { op?: unknown; d?: unknown };
    } catch {
      this.closeConnection(conn, 4002, 'Error while decoding payload.');
      return;
    }
    const op = typeof payload.op === 'number' ? payload.op : -1;
    conn.info.received.push({ op, d: payload.d, at: Date.now() });
    const session = conn.info.sessionId ? this.sessions.get(conn.info.sessionId) : undefined;
    switch (op) {
      case 1: // Heartbeat
        conn.info.heartbeats++;
        this.send(conn, { op: 11 });
        return;
      case 2: // Identify
        this.identify(conn, isObj(payload.d) ? payload.d : {});
        return;
      case 6: // Resume
        this.resume(conn, isObj(payload.d) ? payload.d : {});
        return;
      case 3: // Presence update
      case 4: // Voice state update
        if (!session) this.closeConnection(conn, 4003, 'Not authenticated.');
        return;
      case 8: // Request guild members
        if (!session) return this.closeConnection(conn, 4003, 'Not authenticated.');
        this.requestGuildMembers(conn, session, isObj(payload.d) ? payload.d : {});
        return;
      default:
        this.closeConnection(conn, 4001, 'Unknown opcode.');
    }
  }

  private identify(conn: LiveConnection, d: Json): void {
    if (conn.info.sessionId) return this.closeConnection(conn, 4005, 'Already authenticated.');
    if (typeof d.token !== 'string' || d.token !== this.token || this.revoked) return this.closeConnection(conn, 4004, 'Authentication failed.');
    if (typeof d.intents !== 'number' || (d.intents & ~KNOWN_INTENTS) !== 0) return this.closeConnection(conn, 4013, 'Invalid intent(s).');
    if ((d.intents & PRIVILEGED_INTENTS & ~this.privilegedIntents) !== 0) return this.closeConnection(conn, 4014, 'Disallowed intent(s).');
    const shard: [number, number] = Array.isArray(d.shard) ? [Number(d.shard[0]), Number(d.shard[1])] : [0, 1];
    if (!(shard[1] >= 1) || !(shard[0] >= 0) || shard[0] >= shard[1]) return this.closeConnection(conn, 4010, 'Invalid shard.');
    if (this.sessionStartRemaining > 0) this.sessionStartRemaining--;
    conn.identifyCompress = d.compress === true && !conn.deflate;
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      intents: d.intents,
      shard,
      seq: 0,
      identify: d,
      createdAt: Date.now(),
      invalidated: false,
      connectionId: conn.info.id,
      buffer: [],
    };
    this.sessions.set(session.id, session);
    conn.info.sessionId = session.id;
    conn.info.ready = true;
    const guildOnShard = Number((BigInt(this.guildId) >> 22n) % BigInt(shard[1])) === shard[0];
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...this.userApi(this.botUser), verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: guildOnShard ? [{ id: this.guildId, unavailable: true }] : [],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: `${this.gatewayUrl}/resume`,
      shard,
      application: { id: this.applicationId, flags: this.applicationFlags() },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
      geo_ordered_rtc_regions: ['local'],
      _trace: ['["fake-gateway",{"micros":0}]'],
    });
    if (guildOnShard && (session.intents & Intents.Guilds) !== 0) this.dispatchTo(session, 'GUILD_CREATE', this.guildCreatePayload(session.intents));
  }

  private resume(conn: LiveConnection, d: Json): void {
    if (conn.info.sessionId) return this.closeConnection(conn, 4005, 'Already authenticated.');
    if (typeof d.token !== 'string' || d.token !== this.token || this.revoked) return this.closeConnection(conn, 4004, 'Authentication failed.');
    const session = this.sessions.get(String(d.session_id));
    if (!session || session.invalidated) {
      this.send(conn, { op: 9, d: false });
      return;
    }
    const seq = Number(d.seq ?? 0);
    if (seq > session.seq) return this.closeConnection(conn, 4007, 'Invalid seq.');
    const oldest = session.buffer[0]?.s ?? session.seq + 1;
    if (seq + 1 < oldest && session.seq > seq) {
      this.send(conn, { op: 9, d: false });
      return;
    }
    // A resumed session moves to the new connection; an old one still attached is dropped.
    const previous = session.connectionId !== undefined ? this.live.get(session.connectionId) : undefined;
    if (previous && previous !== conn) this.closeConnection(previous, 4000, 'Session resumed elsewhere.');
    session.connectionId = conn.info.id;
    conn.info.sessionId = session.id;
    conn.info.ready = true;
    conn.info.resumed = true;
    for (const frame of session.buffer) if (frame.s > seq) this.send(conn, frame);
    this.dispatchTo(session, 'RESUMED', { _trace: ['["fake-gateway",{"micros":0}]'] });
  }

  private requestGuildMembers(conn: LiveConnection, session: GatewaySession, d: Json): void {
    const ids = Array.isArray(d.user_ids) ? d.user_ids.map(String) : typeof d.user_ids === 'string' ? [d.user_ids] : undefined;
    if (!ids && (session.intents & Intents.GuildMembers) === 0) return this.closeConnection(conn, 4013, 'Invalid intent(s).');
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const found = ids
      ? ids.map((id) => this.members.get(id)).filter((m): m is FakeMember => m !== undefined)
      : [...this.members.values()].filter((m) => (this.users.get(m.userId)?.username ?? '').toLowerCase().startsWith(query));
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : found.length;
    this.dispatchTo(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: this.guildId,
      members: found.slice(0, limit).map((m) => this.memberApi(m)),
      chunk_index: 0,
      chunk_count: 1,
      ...(ids ? { not_found: ids.filter((id) => !this.members.has(id)) } : {}),
      ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
    });
  }

  private dispatchTo(session: GatewaySession, t: string, d: unknown): void {
    session.seq++;
    const frame = { op: 0 as const, t, s: session.seq, d };
    session.buffer.push(frame);
    if (session.buffer.length > 1000) session.buffer.shift();
    const conn = session.connectionId !== undefined ? this.live.get(session.connectionId) : undefined;
    if (conn && conn.info.ready) this.send(conn, frame);
  }

  /**
   * Sends a dispatch to every live session whose intents include `intent` (0 = no intent needed);
   * sessions without a connection buffer it for RESUME. Returns the ids of sessions with a live connection.
   */
  dispatch(t: string, d: unknown, intent: number): string[] {
    const delivered: string[] = [];
    for (const session of this.sessions.values()) {
      if (session.invalidated) continue;
      if (intent !== 0 && (session.intents & intent) === 0) continue;
      this.dispatchTo(session, t, d);
      if (session.connectionId !== undefined && this.live.has(session.connectionId)) delivered.push(session.id);
    }
    return delivered;
  }

  private dispatchChannel(t: string, ch: FakeChannel): void {
    this.dispatch(t, this.channelApi(ch), Intents.Guilds);
  }

  private dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', msg: FakeMessage): void {
    if (msg.ephemeral) return;
    this.dispatch(t, this.messageApi(msg, { gateway: true }), msg.guild_id ? Intents.GuildMessages : Intents.DirectMessages);
  }

  /** Closes every gateway connection with `code` (default 4000 "unknown error": discord.js resumes). */
  disconnectGateway(code = 4000, reason = 'fake disconnect'): void {
    for (const conn of this.live.values()) this.closeConnection(conn, code, reason);
  }

  /** Drops every connection without a close frame (like a network failure). */
  dropGateway(): void {
    for (const conn of this.live.values()) {
      conn.info.closeCode ??= 1006;
      conn.info.closedBy ??= 'server';
      conn.ws.terminate();
    }
  }

  /** Sends op 7 Reconnect to every ready connection (discord.js closes and resumes). */
  requestReconnect(): void {
    for (const conn of this.live.values()) if (conn.info.ready) this.send(conn, { op: 7, d: null });
  }

  /** Sends op 9 Invalid Session (`resumable` false also ends the sessions). */
  invalidateSessions(resumable = false): void {
    for (const conn of this.live.values()) {
      if (!conn.info.ready) continue;
      if (!resumable && conn.info.sessionId) {
        const s = this.sessions.get(conn.info.sessionId);
        if (s) s.invalidated = true;
      }
      this.send(conn, { op: 9, d: resumable });
    }
  }

  /** Sends op 1 Heartbeat request to every connection (the client must beat at once). */
  requestHeartbeat(): void {
    for (const conn of this.live.values()) this.send(conn, { op: 1, d: null });
  }
}
