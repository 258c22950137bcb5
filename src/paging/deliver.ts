/**
 * Delivers `paging` outbox messages through the paging port, with the same
 * guarantees as chat pages (src/delivery/delivery.ts):
 * - the page's fence is re-checked before the provider is called: once none
 *   of the message's roles still pages at its epoch (an ack, a reassignment,
 *   a resolve), it is settled, never sent;
 * - one worker at a time holds the send claim, and a message marked
 *   delivered is never sent again. Providers cannot be asked whether they
 *   took a message an attempt died sending, so such a message is settled as
 *   failed rather than risk a second call or text; the next method follows.
 * - a retryable failure (timeout, 5xx, 429) is retried by the outbox with
 *   backoff (a Retry-After is honoured), still inside the fence; any other
 *   is final, recorded with the provider's reason.
 * The acknowledge token is made at send time, so no bearer secret waits in
 * the outbox. A plain notice (`notice` message: a shift starting) has the
 * same once-only claim, without a fence or a receipt on an incident. A
 * PagerDuty acknowledge or resolve (src/paging/pagerduty-mirror.ts) is fenced
 * by being the person's latest mirrored action instead.
 */
import { randomUUID } from 'node:crypto';
import { pageWanted } from '../incidents/page-fence.js';
import type { Logger } from '../logger.js';
import { RetryLaterError, type IncidentStore, type OutboundMessage } from '../ports.js';
import type { AckTokens } from './ack-links.js';
import { isMirror, mirrorStillWanted } from './pagerduty-mirror.js';
import type { PageNotification, PagingPort, PagingReceipt } from './port.js';

export type PagingMessage = Extract<OutboundMessage, { kind: 'paging' }>;
export type NoticeMessage = Extract<OutboundMessage, { kind: 'notice' }>;

/** What became of one paging message, for the record (src/paging/results.ts). */
export type PagingOutcome = { message: PagingMessage } & ({ receipt: PagingReceipt } | { superseded: true } | { interrupted: true });

export interface PagingDeliveryDeps {
  store: IncidentStore;
  port: PagingPort;
  logger: Logger;
  /** Present when acknowledging from the phone is on (MUSTER_PUBLIC_URL and MUSTER_PAGING_KEY). */
  tokens?: AckTokens;
  /** How long a token lives at most (paging.ackLinks.ttl). */
  tokenTtlMs: number;
  record(outcome: PagingOutcome): Promise<void>;
}

const SEND_CLAIM_MS = 10_000;
const CLAIM_RENEW_MS = 3_000;
const BUSY_RETRY_MS = 2_000;

export class PagingDelivery {
  private readonly owner = `paging-${randomUUID()}`;

  constructor(private readonly deps: PagingDeliveryDeps) {}

  readonly deliver = async (message: PagingMessage | NoticeMessage): Promise<void> => {
    if (message.kind === 'notice') return this.deliverNotice(message);
    const { store } = this.deps;
    if (!(await this.wanted(message))) {
      if (await store.markDelivered(message.id)) await this.settle({ message, superseded: true });
      return;
    }
    const sent = await this.sendOnce(message, () => this.deps.port.notify(message.address, this.withToken(message.notification)));
    if (sent === 'interrupted') await this.settle({ message, interrupted: true });
    else if (sent) await this.settle({ message, receipt: sent });
  };

  /**
   * A plain notice: no fence to check (it is wanted as long as it is
   * pending) and no incident to record on, so what the provider said is
   * logged. Once only, like a page: an interrupted attempt is not repeated.
   */
  private async deliverNotice(message: NoticeMessage): Promise<void> {
    const sent = await this.sendOnce(message, () => this.deps.port.notice(message.address, message.notice));
    const about = { message: message.id, person: message.notice.person, kind: message.address.kind };
    if (sent === 'interrupted') this.deps.logger.warn(about, 'a notice was interrupted while sending; not sent again so it cannot arrive twice');
    else if (sent?.status === 'accepted') this.deps.logger.info({ ...about, provider: sent.provider, messageId: sent.messageId }, 'notice pushed');
    else if (sent) this.deps.logger.warn({ ...about, provider: sent.provider, reason: sent.reason }, 'a provider refused a notice; not retrying');
  }

  /**
   * Sends one message at most once across workers and restarts: the send
   * claim, the provider call (the claim renewed while it runs), then the
   * delivered mark. Undefined when another attempt already settled it;
   * "interrupted" when an earlier attempt began and never finished (settled
   * now, not sent again); else the receipt, final (a retryable failure
   * throws, for the outbox to retry).
   */
  private async sendOnce(message: PagingMessage | NoticeMessage, send: () => Promise<PagingReceipt>): Promise<PagingReceipt | 'interrupted' | undefined> {
    const { store } = this.deps;
    const attempt = `${this.owner}-${randomUUID()}`;
    const claim = await store.claimDelivery(message.id, attempt, SEND_CLAIM_MS);
    if (claim === 'busy') throw new RetryLaterError('another worker is sending this notification', BUSY_RETRY_MS);
    if (claim === 'delivered' || claim === 'superseded') return undefined;
    if (claim === 'retried') {
      await store.markDelivered(message.id);
      return 'interrupted';
    }
    const renewal = setInterval(() => void store.acquireLease(`send:${message.id}`, attempt, SEND_CLAIM_MS).catch(() => undefined), CLAIM_RENEW_MS);
    let receipt: PagingReceipt;
    try {
      receipt = await send();
    } finally {
      clearInterval(renewal);
    }
    if (receipt.status === 'failed' && receipt.retryable) {
      // The provider took nothing: the next attempt is a first attempt, not an interrupted one.
      await store.forgetAttempt(message.id).catch(() => undefined);
      await store.releaseLease(`send:${message.id}`, attempt).catch(() => undefined);
      this.deps.logger.warn({ incident: message.incident, message: message.id, provider: receipt.provider, reason: receipt.reason }, 'provider failed; retrying');
      if (receipt.retryAfterMs !== undefined) throw new RetryLaterError(receipt.reason, receipt.retryAfterMs, true);
      throw new Error(`${receipt.provider}: ${receipt.reason}`);
    }
    await store.markDelivered(message.id);
    return receipt;
  }

  private async wanted(message: PagingMessage): Promise<boolean> {
    const incident = await this.deps.store.get(message.incident);
    if (isMirror(message)) return mirrorStillWanted(incident, message);
    return message.notification.fence.roles.some((fence) => pageWanted(incident, fence));
  }

  private withToken(notification: PageNotification): PageNotification {
    if (!this.deps.tokens || notification.test || notification.roles.length === 0) return notification;
    return { ...notification, ackToken: this.deps.tokens.issue(notification.fence, this.deps.tokenTtlMs) };
  }

  /** A receipt that cannot be recorded never un-sends the message: it is logged. */
  private async settle(outcome: PagingOutcome): Promise<void> {
    await this.deps.record(outcome).catch((error: unknown) => {
      this.deps.logger.warn({ incident: outcome.message.incident, message: outcome.message.id, err: error instanceof Error ? error.message : error }, 'could not record a notification receipt');
    });
  }
}
