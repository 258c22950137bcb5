import { roomPending, type DraftEvent, type Incident } from '../incidents/types.js';
import type { ClockFence, Destination, Message, OutboundMessage, PageFence } from '../ports.js';
import { drillMarked } from './drill-mark.js';

/**
 * What one use case wants done, collected while it mutates a draft incident
 * and committed all at once: timeline events and outbox messages go to the
 * store in the same atomic write as the incident itself.
 */
export class Effects {
  readonly events: DraftEvent[] = [];
  readonly outbox: OutboundMessage[] = [];
  /** Store values written with the commit (setValue's keys), so they can never lag the record. */
  readonly values: Record<string, string> = {};
  /**
   * Ids of the timers this commit is the firing of. Their workers hold them
   * until the commit is done, so the queue refuses to remove them: a commit
   * that no longer expects them leaves them be instead of asking in vain.
   */
  readonly firing = new Set<string>();

  constructor(
    readonly incident: Incident,
    readonly now: number,
    readonly actor: string,
  ) {}

  event(type: DraftEvent['type'], fields: Partial<Omit<DraftEvent, 'type'>> = {}): void {
    this.events.push({ at: this.now, actor: this.actor, data: {}, ...fields, type });
  }

  /** `key` makes the message id deterministic, so a retried commit sends it once; in a drill it says DRILL. */
  send(key: string, to: Destination, message: Message, options: { fence?: PageFence; clock?: ClockFence; invite?: boolean; edit?: string } = {}): void {
    const marked = this.incident.drill ? drillMarked(message) : message;
    this.outbox.push({
      id: `${this.incident.id}-${key}`, incident: this.incident.id, kind: 'message', to, message: marked,
      ...(options.fence ? { fence: options.fence } : {}), ...(options.clock ? { clock: options.clock } : {}),
      ...(options.invite ? { invite: true, room: this.incident.room } : {}),
      ...(options.edit ? { edit: options.edit } : {}),
    });
  }

  /** Edits a message sent earlier (`ref`, the platform's reference) in place: one more change to it, never a new ping. */
  edit(key: string, to: Destination, ref: string, message: Message): void {
    this.send(key, to, message, { edit: ref });
  }

  /**
   * True once the war room exists apart from this commit: people paged now
   * must be let in (the room's opening invited only the first pages).
   */
  get roomOpenedEarlier(): boolean {
    // A room still opening lets in everyone paged by then as it opens (src/incidents/war-room.ts).
    return !roomPending(this.incident) && this.now > this.incident.declaredAt && this.incident.roomName !== this.incident.room;
  }

  toRoom(key: string, message: Message, options: { clock?: ClockFence } = {}): void {
    this.send(key, { kind: 'room', conversation: this.incident.room }, message, options);
  }

  /**
   * Asks for the board to be redrawn; the id carries the version being
   * written. Not while the war room is still opening: there is no room to
   * draw it in yet, and the commit that opens the room asks for it.
   */
  refreshBoard(): void {
    if (roomPending(this.incident)) return;
    const id = `${this.incident.id}-board-v${this.incident.version + 1}`;
    if (!this.outbox.some((message) => message.id === id)) {
      this.outbox.push({ id, incident: this.incident.id, kind: 'board' });
    }
  }

  setValue(key: string, value: string): void {
    this.values[key] = value;
  }

  get changed(): boolean {
    return this.events.length > 0 || this.outbox.length > 0 || Object.keys(this.values).length > 0;
  }
}
