import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import { UndeliverableError, type ChatPort, type IncidentStore, type OutboundMessage } from '../ports.js';

/**
 * Delivers outbox messages to the chat. Guarantees, with the store's help:
 * - a message marked delivered is never sent again (a restart re-enqueues only
 *   pending ones, and a duplicate job finds the mark);
 * - the board is drawn from the incident's current state, edited in place, and
 *   at most one board delivery per incident runs at a time in this process, so
 *   a burst of changes collapses into the latest picture.
 */
export class Delivery {
  private readonly boardLocks = new Map<string, Promise<void>>();

  constructor(
    private readonly store: IncidentStore,
    private readonly chat: ChatPort,
    private readonly present: Presenter,
    private readonly logger: Logger,
  ) {}

  /**
   * Throws on a failure worth retrying (the outbox retries with backoff). A
   * message that can never be delivered (no such user on this chat) is logged
   * and settled instead, so the outbox does not hammer the platform with it.
   */
  readonly deliver = async (message: OutboundMessage): Promise<void> => {
    if (await this.store.isDelivered(message.id)) return;
    try {
      if (message.kind === 'board') await this.withBoardLock(message.incident, () => this.drawBoard(message.incident));
      else await this.chat.send(message.to, message.message);
    } catch (error) {
      if (!(error instanceof UndeliverableError)) throw error;
      const to = message.kind === 'message' ? message.to : 'board';
      this.logger.warn({ incident: message.incident, message: message.id, to, reason: error.message }, 'message cannot be delivered; not retrying');
    }
    await this.store.markDelivered(message.id);
  };

  private async withBoardLock(incident: string, work: () => Promise<void>): Promise<void> {
    const previous = this.boardLocks.get(incident) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.boardLocks.set(incident, next);
    try {
      await next;
    } finally {
      if (this.boardLocks.get(incident) === next) this.boardLocks.delete(incident);
    }
  }

  private async drawBoard(id: string): Promise<void> {
    const incident = await this.store.get(id);
    if (!incident) return;
    const drawnKey = `board-drawn:${id}`;
    const drawn = Number((await this.store.getValue(drawnKey)) ?? '0');
    if (drawn >= incident.version) return;
    const refKey = `board-ref:${id}`;
    const ref = await this.store.getValue(refKey);
    const to = { kind: 'room', conversation: incident.room } as const;
    const board = this.present.board(incident);
    if (ref) {
      await this.chat.update(to, ref, board);
    } else {
      await this.store.setValue(refKey, await this.chat.send(to, board));
    }
    await this.store.setValue(drawnKey, String(incident.version));
    this.logger.debug({ incident: id, version: incident.version }, 'board drawn');
  }
}
