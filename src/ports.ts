/**
 * The interfaces the core needs from the outside world. Each has a memory
 * implementation (adapters/memory) and a production one (adapters/redis,
 * adapters/bullmq); one contract suite in test/contract runs against both.
 */
import type { ConversationRef, Incident, PersonId, TimelineEvent } from './incidents/types.js';
import type { LedgerEntry } from './audit/ledger.js';
import type { ContactAddress, NoticeAddress, PageNotification, PlainNotice } from './paging/port.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

// ---------------------------------------------------------------- messages

export type { Button, Field, Link, Message, FormInput, Form } from './messages.js';
import type { Message } from './messages.js';

/**
 * Where a message goes. `broadcast` is the incident announcement channel; each
 * chat adapter knows its own (channels.broadcast in muster.yaml).
 */
export type Destination =
  | { kind: 'person'; person: PersonId }
  | { kind: 'room'; conversation: ConversationRef }
  | { kind: 'broadcast' };

/**
 * What keeps a page wanted: the slot it pages for, at the epoch it was sent
 * in. Delivery re-checks it before every attempt; once the slot has moved on
 * (acked, released, resolved), the page is settled as superseded, never sent.
 */
export interface PageFence {
  role: string;
  epoch: number;
  person: PersonId;
}

/** The page's slot, checked when its delivery is claimed. */
export interface DeliveryFence {
  incident: string;
  role: string;
  epoch: number;
}

export type RequestClaim = { state: 'claimed' } | { state: 'running' } | { state: 'done'; outcome: string };

/**
 * "retried": claimed, but an earlier attempt began and never finished (its
 * worker died, or it failed after the platform may have taken it): the
 * message may already be on the platform, so ask it first (ChatPort.sentBefore).
 */
export type DeliveryClaim = 'claimed' | 'retried' | 'delivered' | 'busy' | 'superseded';

/** A reminder is wanted while the incident's clock `key` (src/incidents/page-fence.ts) is still at `epoch`. */
export interface ClockFence {
  key: string;
  epoch: number;
}

/**
 * A message waiting in the outbox. `invite`: let the recipient into the war
 * room first (people paged after the declare). `id` is deterministic, so enqueueing the
 * same message twice (a retry, a reconciler pass) sends it once.
 * A `board` message is rendered from the incident's state at delivery time and
 * edits the previous board in place, which coalesces bursts of updates. A
 * `room` message opens the incident's war room (src/incidents/war-room.ts); a `paging` one goes through the paging port (src/paging/deliver.ts),
 * and so does a `notice` (a plain notice pushed, not a page: no fence, no receipt on an incident).
 */
export type OutboundMessage =
  // invite: let the person into the war room first; room names it (older messages without it have the record read).
  // edit: the platform reference of a message sent earlier, edited in place instead of sending a new one.
  | { id: string; incident: string; kind: 'message'; to: Destination; message: Message; fence?: PageFence; clock?: ClockFence; invite?: boolean; room?: ConversationRef; edit?: string }
  | { id: string; incident: string; kind: 'board' }
  | { id: string; incident: string; kind: 'room' }
  | { id: string; incident: string; kind: 'webhook'; audience: string; body: Record<string, unknown> }
  | { id: string; incident: string; kind: 'paging'; address: ContactAddress; notification: PageNotification }
  | { id: string; incident: string; kind: 'notice'; address: NoticeAddress; notice: PlainNotice };

/**
 * Signed JSON to an audience's webhook (a status page). The adapter looks up
 * the audience's URL and secret; the core never handles the secret.
 */
export interface WebhookPort {
  post(audience: string, body: Record<string, unknown>): Promise<void>;
}

// ---------------------------------------------------------------- store

/** One atomic change: the incident (version-checked), its new events and outbox messages. */
export interface Commit {
  incident: Incident;
  /** The version the writer read; 0 creates the incident. */
  expectedVersion: number;
  events: TimelineEvent[];
  outbox: OutboundMessage[];
  /** The incident's signed ledger entry, on the commit that creates it (expectedVersion 0). */
  ledger?: LedgerEntry;
  /** Send claims on some of this commit's fresh messages, taken in the same write (see SendClaims). */
  claims?: SendClaims;
  /** The platform request this commit answers: its outcome is remembered in the same write (see finishRequest). */
  request?: { id: string; outcome: string; ttlMs: number };
  /** Store values (see setValue) written in the same atomic write, such as an alert group's incident. */
  values?: Record<string, string>;
  /** When the earliest timer the record expects comes due (the watchdog's next-due index); absent: none. */
  nextDueAt?: number;
}

/** The store could not be reached; commands answer "degraded" and nothing is half-written. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface IncidentStore {
  /** Next incident number (INC-<n>); never reused. */
  nextIncidentNumber(): Promise<number>;
  /** The highest number nextIncidentNumber has handed out (0 before the first). */
  incidentCount(): Promise<number>;
  /** Every signed ledger entry (one per created incident), in no particular order. */
  ledger(): Promise<LedgerEntry[]>;
  get(id: string): Promise<Incident | undefined>;
  /** Active (not resolved) incidents, oldest first. */
  listActive(): Promise<Incident[]>;
  /** Active drills, oldest first: an index the commit keeps, so a declare never reads every active incident. */
  listActiveDrills(): Promise<Incident[]>;
  /** Most recent incidents of any status, newest first. */
  listRecent(limit: number): Promise<Incident[]>;
  /** The incident whose war room this conversation is. */
  findByRoom(room: ConversationRef): Promise<string | undefined>;
  /**
   * Writes the incident, appends the events and records the outbox messages as
   * pending, all or nothing. Returns false (and writes nothing) when the stored
   * version is not `expectedVersion`.
   */
  commit(change: Commit): Promise<boolean>;
  timeline(id: string): Promise<TimelineEvent[]>;
  /**
   * The change feed: ids of incidents committed (or archived) after `cursor`,
   * in the order of their last change, at most `limit`, and the cursor to pass
   * next. A commit moves its incident to the end in the same atomic write, so
   * a reader that follows the cursor sees every change, on any replica.
   * `limit` 0 returns the current cursor and no ids.
   */
  changedSince(cursor: number, limit: number): Promise<{ cursor: number; ids: string[] }>;
  /** The stored version of each incident (undefined for one that is gone), in one call: a reader of the feed re-reads only what it has not seen. */
  versions(ids: string[]): Promise<Array<number | undefined>>;
  /** Outbox messages committed but not yet delivered. */
  pendingOutbox(): Promise<OutboundMessage[]>;
  /** The same a page at a time (cursor '0' starts; the next cursor is '0' after the last page): the watchdog's bounded pass. */
  pendingOutboxPage(cursor: string, count: number): Promise<{ cursor: string; messages: OutboundMessage[] }>;
  /** Incidents whose earliest expected timer came due by `until` (Commit.nextDueAt), soonest first, at most `limit`. */
  listDue(until: number, limit: number): Promise<Incident[]>;
  /** Rewrites the indexes a commit keeps (next due, active drills) for active records committed before they existed (the start-up pass). */
  reindex(entries: Array<{ incident: Incident; nextDueAt: number | undefined }>): Promise<void>;
  /** Marks a message delivered; false if it already was (so it is not sent again). */
  markDelivered(messageId: string): Promise<boolean>;
  isDelivered(messageId: string): Promise<boolean>;
  /**
   * Claims the sending of a message for `ttlMs`: "delivered" if it already was,
   * "busy" while another worker holds the claim, else "claimed". A worker that
   * dies lets its claim lapse; the message stays pending for the reconciler.
   * The claim is the lease "send:<messageId>", so releaseLease gives it back.
   * With a `fence`, the page's slot is checked in the same step (see
   * pageWanted): "superseded", with the claim held, when it no longer pages at
   * that epoch or the incident is resolved or gone.
   */
  claimDelivery(messageId: string, owner: string, ttlMs: number, fence?: DeliveryFence): Promise<DeliveryClaim>;
  /** The attempt in hand never reached the platform (a 429, a room not open yet): the next claim is a first attempt again. */
  forgetAttempt(messageId: string): Promise<void>;
  /** A short exclusive lease (the board of an incident); false while another owner holds it. */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease back, only if `owner` still holds it. */
  releaseLease(key: string, owner: string): Promise<void>;
  /** acquireLease, and getValue(valueKey) under it, in one step; undefined while another owner holds the lease. */
  leaseWithValue(key: string, owner: string, ttlMs: number, valueKey: string): Promise<{ value: string | undefined } | undefined>;
  /** setValue, then releaseLease(key, owner), in one step. */
  setValueAndRelease(valueKey: string, value: string, key: string, owner: string): Promise<void>;
  /**
   * Starts handling a platform's delivery id for `ttlMs` (a handler that dies
   * lets it lapse): "claimed", "running" while another handler has it, or
   * the outcome a finished handler remembered (finishRequest, or a commit's
   * `request`), so a redelivery after success answers the same.
   */
  claimRequest(requestId: string, ttlMs: number): Promise<RequestClaim>;
  /** Remembers the outcome of a request for `ttlMs`. */
  finishRequest(requestId: string, outcome: string, ttlMs: number): Promise<void>;
  /** Forgets a request whose handler failed, so a redelivery runs it again. */
  releaseRequest(requestId: string): Promise<void>;
  /** Small key/value state owned by the core (board message refs, heartbeats). */
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Resolved incidents leaving the store (`muster archive`). Removal is fenced:
 * it happens only if the incident is still resolved, at the version and with
 * the timeline length that was exported, so nothing unwritten is ever lost.
 */
export interface ResolvedIncidents {
  /** Resolved incidents whose resolvedAt is before `before` (epoch ms), lowest number first, at most `limit`, after number `after`. */
  resolvedBefore(before: number, limit: number, after?: number): Promise<Incident[]>;
  /**
   * Removes a resolved incident: record, timeline, indexes, room mapping and
   * its board refs. False (and nothing removed) when it is active, gone, or no
   * longer at `version` with `events` timeline entries.
   */
  removeResolved(id: string, version: number, events: number): Promise<boolean>;
}

// ---------------------------------------------------------------- timers

/**
 * Every kind of durable timer; each has one registration in the table src/app.ts builds (src/timers/registry.ts).
 * Incident kinds are not queued one by one: an incident's one queued timer is its `wake` (src/timers/wake.ts).
 */
export const TIMER_KINDS = ['escalate', 'deadline', 'sla', 'resolve', 'update', 'step', 'knowledge', 'drill', 'drill-plan', 'report', 'handoff', 'notify', 'board-tick', 'wake'] as const;

export type TimerKind = (typeof TIMER_KINDS)[number];

/**
 * A durable alarm. The record in the store is the truth; the timer only says
 * "look again at dueAt". `id` is deterministic and has no ':' (BullMQ forbids it),
 * so scheduling the same timer twice is harmless.
 */
export interface Timer {
  id: string;
  dueAt: number;
  incident: string;
  kind: TimerKind;
  key: string;
  epoch: number;
  step?: number;
}

export type TimerHandler = (timer: Timer) => Promise<void>;

/**
 * `revive`: also replace a job that failed for good under the same id (the
 * reconciler's pass). The hot path skips that check: it costs a round trip per
 * timer, and the watchdog's next pass revives anything it missed.
 */
export interface ScheduleOptions {
  revive?: boolean;
}

export interface Scheduler {
  /** Idempotent by timer id. */
  schedule(timer: Timer): Promise<void>;
  /** Idempotent by timer id, in one round trip where the backend allows. */
  scheduleAll(timers: Timer[], options?: ScheduleOptions): Promise<void>;
  /**
   * A repeating alarm (BullMQ job scheduler), idempotent by `id`: calling it
   * again, from any replica or after any number of restarts, keeps one. Each
   * firing is delivered like a timer, with `dueAt` the firing time.
   */
  repeat(id: string, everyMs: number, timer: Omit<Timer, 'id' | 'dueAt'>): Promise<void>;
  /**
   * Removes pending timers by id (an incident resolved: its escalations need
   * not wait in the queue until they come due). Unknown ids, and timers already
   * firing, are left alone: the fence still makes a late firing harmless.
   */
  cancel(ids: string[]): Promise<void>;
  /** Starts delivering due timers to the handler (at least once; the handler fences). */
  start(handler: TimerHandler): Promise<void>;
  /** Ids of timers scheduled and not yet fired (for the reconciler and tests). */
  pendingIds(): Promise<string[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- outbox

/**
 * `claimedAs`: the send claim this message's commit took for it as it was
 * written (SendClaims), so the attempt skips its own claim round trip.
 */
export type DeliveryHandler = (message: OutboundMessage, options?: { claimedAs?: string }) => Promise<void>;

/**
 * Send claims a commit takes for some of its own fresh messages (the pages),
 * in the same atomic write: the lease and attempt marker `claimDelivery`
 * would set, held by `owner` for `ttlMs`. Only worth it when the outbox
 * delivers them in this process at once (Outbox.deliversDirectly); a claim
 * nobody uses lapses like a dead worker's.
 */
export interface SendClaims {
  owner: string;
  ttlMs: number;
  ids: string[];
}

export interface EnqueueOptions extends ScheduleOptions {
  /** The claims the commit took for these messages: the direct attempt uses them. */
  claimed?: SendClaims;
}

export interface Outbox {
  /** Idempotent by message id; a failed delivery is retried with backoff. */
  enqueue(messages: OutboundMessage[], options?: EnqueueOptions): Promise<void>;
  start(deliver: DeliveryHandler): Promise<void>;
  /** True when fresh messages are attempted in this process at once (so a commit's send claims are used, not left to lapse). */
  deliversDirectly?(): boolean;
  /** Messages waiting or being retried (for metrics and tests). */
  depth(): Promise<number>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- chat

export interface RoomRequest {
  incident: string;
  /** A readable channel name, already slugged: "inc-42-checkout-is-failing". */
  name: string;
  /** The name in the title's own script ("inc-7-支付失败"), for chats whose channel names allow it; else `name`. */
  unicodeName?: string;
  topic: string;
  members: PersonId[];
  /** Where the incident was declared, for chats that cannot open rooms. */
  origin: ConversationRef;
  /**
   * An earlier attempt to open this room never finished (its worker died
   * mid-call): a room of this name the bot made may exist, and is adopted
   * instead of opening a second one.
   */
  maybeExists?: boolean;
}

export interface OpenedRoom {
  conversation: ConversationRef;
  /** What people call it ("#inc-42-checkout-is-failing"). */
  name: string;
  /** What went wrong but did not stop the room (an invite refused), for the declarer. */
  problems: string[];
}

/** A delivery that can never succeed (no such user on this chat): not retried. */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError';
}

/** The chat held a page back, then heard it was no longer wanted (SendOptions.stillWanted): nothing was sent; it is superseded. */
export class NoLongerWantedError extends Error {
  override readonly name = 'NoLongerWantedError';
}

/**
 * Not now, try again after `delayMs`: the platform answered 429, or another
 * worker holds the message's claim. The outbox puts the message back with that
 * delay, without spending one of its attempts, instead of anyone sleeping
 * under a claim; the fence is checked again when it comes back.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    message: string,
    readonly delayMs: number,
    /** True when the platform refused the attempt (a 429), false when it was never made (room not open, claim held elsewhere). */
    readonly attemptFailed = false,
  ) {
    super(message);
  }
}

export interface SendOptions {
  /** The outbox message's id (a Slack metadata tag, a Discord nonce). */
  id?: string;
  /** The page's fence read again: a chat that held it back a while asks first, and throws NoLongerWantedError on false. */
  stillWanted?: () => Promise<boolean>;
}

/** The chat platform as the core sees it. Implemented by each chat adapter. */
export interface ChatPort {
  /** Opens a war room. Throws when the platform refuses to create it at all. */
  openRoom(request: RoomRequest): Promise<OpenedRoom>;
  /**
   * Sends a message; returns a reference that `update` accepts. `id` is the
   * outbox message's id: platforms that can, tag the message with it (Slack
   * metadata) or use it as an idempotency key (a Discord nonce).
   */
  send(to: Destination, message: Message, options?: SendOptions): Promise<string>;
  /**
   * The reference of a message sent earlier with this outbox id, if the
   * platform can tell (asked before a retry, so a page that reached the
   * platform just before a crash is not sent twice). Absent: cannot tell.
   */
  sentBefore?(to: Destination, id: string): Promise<string | undefined>;
  /** Edits a message in place (the live board). */
  update(to: Destination, messageRef: string, message: Message): Promise<void>;
  /**
   * Lets people into a war room opened earlier (someone paged after the
   * declare). Idempotent: someone already in is no problem. Returns what went
   * wrong per person; throws only when the room itself cannot be reached.
   */
  invite(room: ConversationRef, people: PersonId[]): Promise<string[]>;
}
