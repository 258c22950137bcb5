import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import { roomNotOpenYet, roomPending } from '../incidents/war-room.js';
import { pageWanted, type SlotFence } from '../incidents/page-fence.js';
import { boardStateKey, boardStateOf, formatBoardState, type BoardState } from './board-state.js';
import type { PageReceipt } from '../muster/receipts.js';
import { Lanes } from '../kernel/lanes.js';
import { NoLongerWantedError, RetryLaterError, UndeliverableError, type ChatPort, type Destination, type IncidentStore, type OutboundMessage, type PageFence, type SendClaims, type WebhookPort } from '../ports.js';

/** Messages that go through the paging port instead of the chat. */
type ProviderMessage = Extract<OutboundMessage, { kind: 'paging' | 'notice' }>;

/**
 * A send claim lapses this soon after its holder dies, so a surviving or
 * restarted worker sends a dead worker's pages within seconds. The holder
 * renews it while its attempt runs (each platform call is bounded by the
 * adapter's request timeout, so an attempt cannot hold it for ever).
 */
const SEND_CLAIM_MS = 10_000;
const CLAIM_RENEW_MS = 3_000;
/** Another worker holds the claim: look again this soon (it delivers, or its claim lapses). */
const BUSY_RETRY_MS = 2_000;
/** Like a send claim: short, and renewed while a draw runs, so a killed replica holds a board for seconds, not half a minute. */
const BOARD_LEASE_MS = 10_000;

/** Another replica is drawing this board right now; the outbox retries shortly. */
export class BoardBusyError extends Error {
  override readonly name = 'BoardBusyError';
}

/**
 * Delivers outbox messages to the chat. Guarantees, with the store's help:
 * - a message is handed to the chat by one worker at a time (a claim in the
 *   store), and never again once marked delivered: a restart re-enqueues only
 *   pending messages, and a duplicate job finds the claim or the mark;
 * - the board is drawn from the incident's current state and edited in place,
 *   by one worker at a time across every replica (a lease), so a burst of
 *   changes collapses into the latest picture and no second board appears.
 */
export class Delivery {
  private readonly owner = `delivery-${randomUUID()}`;
  private readonly boardLocks = new Map<string, Promise<void>>();
  /** The draw of each incident that waits behind the one in flight (later asks join it). */
  private readonly boardQueued = new Map<string, Promise<void>>();

  constructor(
    private readonly store: IncidentStore,
    private readonly chat: ChatPort,
    private readonly present: Presenter,
    private readonly logger: Logger,
    private readonly webhooks?: WebhookPort,
    /** Told what became of every page; the muster records it and moves a slot on when a page can never arrive. */
    private readonly onReceipt: (receipt: PageReceipt) => Promise<void> = async () => undefined,
    /** Opens an incident's war room (a `room` message; idempotent); `retried`: an earlier attempt never finished. */
    private readonly openRoom: (incident: string, options: { retried: boolean }) => Promise<void> = async () => undefined,
    /** Texts, calls, push and email, and plain notices pushed (src/paging/deliver.ts), with their own fence check and claim. */
    private readonly paging?: (message: ProviderMessage) => Promise<void>,
    /** Pages first (src/kernel/lanes.ts): a page is urgent until the chat has it; everything else waits for a quiet moment. */
    private readonly lanes: Lanes = new Lanes(),
  ) {}

  private webhookPort(): WebhookPort {
    if (!this.webhooks) throw new UndeliverableError('no webhook sender is configured');
    return this.webhooks;
  }

  /**
   * Throws on a failure worth retrying (the outbox retries with backoff). A
   * message that can never be delivered (no such user on this chat) is logged
   * and settled instead, so the outbox does not hammer the platform with it.
   */
  readonly deliver = async (message: OutboundMessage, options: { claimedAs?: string } = {}): Promise<void> => {
    if (message.kind === 'message' && message.fence) {
      const urgent = this.lanes.begin();
      try {
        return await this.deliverNow(message, urgent, options.claimedAs);
      } finally {
        urgent();
      }
    }
    if (message.kind !== 'paging') await this.lanes.afterUrgent();
    return this.deliverNow(message, () => undefined);
  };

  /**
   * The send claims a commit takes for its pages in its own write: the first
   * attempt of each then goes straight to the chat, one round trip sooner.
   * The fence needs no check then: the commit wrote it.
   */
  claimsFor(outbox: OutboundMessage[]): SendClaims | undefined {
    const ids = outbox.filter((message) => message.kind === 'message' && message.fence !== undefined && message.edit === undefined).map((message) => message.id);
    return ids.length > 0 ? { owner: `${this.owner}-${randomUUID()}`, ttlMs: SEND_CLAIM_MS, ids } : undefined;
  }

  /**
   * `sent`: called once the chat has the message (a page's urgent part ends
   * there, before its receipt). `claimedAs`: its commit claimed it already.
   */
  private readonly deliverNow = async (message: OutboundMessage, sent: () => void, claimedAs?: string): Promise<void> => {
    if (message.kind === 'paging' || message.kind === 'notice') {
      if (this.paging) return this.paging(message);
      this.logger.warn({ incident: message.incident, message: message.id }, 'no paging port to send a notification through; settled');
      await this.store.markDelivered(message.id);
      return;
    }
    // One claim per attempt, not per process: the fast path and a reconciler's
    // re-queued job for the same message may run side by side in one process.
    const attempt = claimedAs ?? `${this.owner}-${randomUUID()}`;
    const fence = message.kind === 'message' ? message.fence : undefined;
    const clock = message.kind === 'message' ? message.clock : undefined;
    // The fence is checked with the claim, in one store call: reading the
    // whole record before every page made a burst of declares twice as slow.
    const checked = fence ? { role: fence.role, epoch: fence.epoch } : clock ? { role: clock.key, epoch: clock.epoch } : undefined;
    const claim = claimedAs ? 'claimed' : await this.store.claimDelivery(message.id, attempt, SEND_CLAIM_MS, checked && { incident: message.incident, ...checked });
    if (claim === 'superseded') return this.settleUnwanted(message, fence);
    if (claim === 'busy') throw new RetryLaterError('another worker is sending this message', BUSY_RETRY_MS);
    if (claim !== 'claimed' && claim !== 'retried') return;
    if (claim === 'retried' && (await this.arrivedEarlier(message, fence))) return;
    let ref: string | undefined;
    const renewal = setInterval(() => {
      this.store.acquireLease(`send:${message.id}`, attempt, SEND_CLAIM_MS).catch(() => undefined);
    }, CLAIM_RENEW_MS);
    try {
      ref = await this.attempt(message, claim === 'retried', checked);
    } catch (error) {
      clearInterval(renewal);
      // The chat held it back, then heard it was no longer wanted: nothing was sent.
      if (error instanceof NoLongerWantedError) return this.settleUnwanted(message, fence);
      if (!(error instanceof UndeliverableError)) {
        // Asked to wait, the platform took nothing: the next try need not ask it whether it did.
        if (error instanceof RetryLaterError) await this.store.forgetAttempt(message.id).catch(() => undefined);
        await this.store.releaseLease(`send:${message.id}`, attempt).catch(() => undefined);
        throw error;
      }
      const to = message.kind === 'message' ? message.to : message.kind === 'webhook' ? `webhook:${message.audience}` : message.kind;
      this.logger.warn({ incident: message.incident, message: message.id, to, reason: error.message }, 'message cannot be delivered; not retrying');
      await this.store.markDelivered(message.id);
      if (fence) await this.report({ outcome: 'failed', incident: message.incident, fence, reason: error.message });
      return;
    }
    clearInterval(renewal);
    sent();
    await this.store.markDelivered(message.id);
    if (fence) await this.report({ outcome: 'delivered', incident: message.incident, fence, ref: ref ?? '', linked: linksRoom(message) });
  };

  /** A message no longer wanted (its role taken, its incident resolved) is settled as superseded, never sent. */
  private async settleUnwanted(message: OutboundMessage, fence: PageFence | undefined): Promise<void> {
    await this.store.markDelivered(message.id);
    this.logger.debug({ incident: message.incident, message: message.id }, 'message no longer wanted; settled, not sent');
    if (fence) await this.report({ outcome: 'superseded', incident: message.incident, fence });
  }

  /** One attempt at the platform; the page's reference when it is a chat message. */
  private async attempt(message: Exclude<OutboundMessage, ProviderMessage>, retried: boolean, fence?: SlotFence): Promise<string | undefined> {
    if (message.kind === 'board') return void (await this.withBoardLock(message.incident, () => this.drawBoard(message.incident)));
    if (message.kind === 'webhook') return void (await this.webhookPort().post(message.audience, message.body));
    if (message.kind === 'room') return void (await this.openRoom(message.incident, { retried }));
    if (message.invite === true && message.to.kind === 'person') {
      const room = message.room ?? (await this.store.get(message.incident))?.room;
      if (room) await this.letIn(message.incident, room, message.to.person);
    }
    const to = await this.destination(message);
    if (message.edit) return void (await this.chat.update(to, message.edit, message.message));
    // A chat that holds a page back (Discord's global limit in a storm) asks again before sending it.
    const stillWanted = fence ? async () => pageWanted(await this.store.get(message.incident), fence) : undefined;
    return this.chat.send(to, message.message, { id: message.id, ...(stillWanted ? { stillWanted } : {}) });
  }

  /**
   * An earlier attempt began and never finished (its worker died mid-send, or
   * it timed out): if the platform says the message arrived then, it is
   * settled as delivered instead of sent twice.
   */
  private async arrivedEarlier(message: OutboundMessage, fence: PageFence | undefined): Promise<boolean> {
    if (message.kind !== 'message' || !this.chat.sentBefore) return false;
    const to = await this.destination(message).catch(() => undefined);
    const ref = to ? await this.chat.sentBefore(to, message.id).catch(() => undefined) : undefined;
    if (ref === undefined) return false;
    await this.store.markDelivered(message.id);
    this.logger.info({ incident: message.incident, message: message.id }, 'an earlier attempt had delivered this message; not sending it again');
    if (fence) await this.report({ outcome: 'delivered', incident: message.incident, fence, ref, linked: linksRoom(message) });
    return true;
  }

  /** A message committed while its war room was still opening goes to the room as it is now, once it exists. */
  private async destination(message: Extract<OutboundMessage, { kind: 'message' }>): Promise<Destination> {
    if (message.to.kind !== 'room' || !message.to.conversation.startsWith('pending:')) return message.to;
    const incident = await this.store.get(message.incident);
    if (!incident) throw new UndeliverableError(`${message.incident} is gone`);
    if (roomPending(incident)) throw roomNotOpenYet(incident.id);
    return { kind: 'room', conversation: incident.room };
  }

  /**
   * Someone paged after the room opened is let in before the page arrives. A
   * refused invite never holds the page back: it is logged, and the page
   * still names the room. A rate-limited one puts the page back in the outbox
   * with the platform's delay, like a rate-limited send: the page then goes
   * out after the invite, and only if its fence still holds.
   */
  private async letIn(incident: string, room: string, person: string): Promise<void> {
    const problems = await this.chat.invite(room, [person]).catch((error: unknown) => {
      if (error instanceof RetryLaterError) throw error;
      return [error instanceof Error ? error.message : String(error)];
    });
    if (problems.length > 0) this.logger.warn({ incident, person, problems }, 'could not let a paged person into the war room');
  }

  /** A receipt that cannot be recorded never un-sends the page: it is logged, and the step's timer still runs. */
  private async report(receipt: PageReceipt): Promise<void> {
    await this.onReceipt(receipt).catch((error: unknown) => {
      this.logger.warn({ incident: receipt.incident, role: receipt.fence.role, outcome: receipt.outcome, err: error instanceof Error ? error.message : error }, 'could not record a page receipt');
    });
  }

  /**
   * In this process a promise chain per incident, across replicas a lease in
   * the store. A draw asked for while another is already waiting joins it:
   * every draw reads the incident as it is then, so five receipts landing
   * together redraw the board once, not five times.
   */
  private async withBoardLock(incident: string, work: () => Promise<void>): Promise<void> {
    const queued = this.boardQueued.get(incident);
    if (queued) return queued;
    const previous = this.boardLocks.get(incident) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => {
      if (this.boardQueued.get(incident) === next) this.boardQueued.delete(incident);
      return work();
    });
    this.boardQueued.set(incident, next);
    this.boardLocks.set(incident, next);
    try {
      await next;
    } finally {
      if (this.boardLocks.get(incident) === next) this.boardLocks.delete(incident);
    }
  }

  /**
   * Runs `work` under the board's lease, given the board's state read with
   * it; `work` returns the state to store, which is written as the lease is
   * given back (one round trip each way).
   */
  private async underLease(incident: string, work: (drawn: BoardState) => Promise<BoardState | undefined>): Promise<void> {
    const key = `board:${incident}`;
    const held = await this.store.leaseWithValue(key, this.owner, BOARD_LEASE_MS, boardStateKey(incident));
    if (!held) throw new BoardBusyError(`board of ${incident} is being drawn elsewhere`);
    const renewal = setInterval(() => {
      this.store.acquireLease(key, this.owner, BOARD_LEASE_MS).catch(() => undefined);
    }, CLAIM_RENEW_MS);
    let drawn: BoardState | undefined;
    try {
      drawn = await work(await boardStateOf(this.store, incident, held.value));
    } finally {
      clearInterval(renewal);
      const release = drawn?.ref
        ? this.store.setValueAndRelease(boardStateKey(incident), formatBoardState({ ref: drawn.ref, version: drawn.version }), key, this.owner)
        : this.store.releaseLease(key, this.owner).catch(() => undefined);
      await release;
    }
  }

  /**
   * Draws the board as the incident is now. A board asked for while the war
   * room is still opening is settled, not retried: the commit that opens the
   * room asks for the board again. The record is read before the lease: a
   * snapshot older than what another replica drew meanwhile is caught by the
   * drawn version read under the lease.
   */
  private async drawBoard(id: string): Promise<void> {
    const incident = await this.store.get(id);
    if (!incident || roomPending(incident)) return;
    await this.underLease(id, async (drawn) => {
      if (drawn.version >= incident.version) return undefined;
      const to = { kind: 'room', conversation: incident.room } as const;
      const board = this.present.board(incident);
      let ref = drawn.ref;
      if (ref) await this.chat.update(to, ref, board);
      else ref = await this.chat.send(to, board);
      this.logger.debug({ incident: id, version: incident.version }, 'board drawn');
      return { ref, version: incident.version };
    });
  }
}

/** Whether a chat message as committed links its war room (a page sent while the room opened only names it). */
function linksRoom(message: OutboundMessage): boolean {
  return message.kind === 'message' && message.message.room !== undefined;
}
