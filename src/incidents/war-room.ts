import type { Presenter } from '../notify/present.js';
import type { Logger } from '../logger.js';
import { RetryLaterError, type ChatPort, type OpenedRoom } from '../ports.js';
import { linkEarlierPages } from '../muster/page-link.js';
import { commitChange, type CommitDeps } from './commit.js';
import { unicodeRoomName } from './room-name.js';
import { PENDING_ROOM_PREFIX, roomPending, type ConversationRef, type Incident, type PersonId } from './types.js';

/**
 * The war room opens after the declare is durable. The declare commits the
 * incident, its first pages and a `room` outbox message in one write; the
 * outbox delivers that message by calling `WarRooms.open`, which asks the
 * platform for the room and then records it with a second commit. A crash at
 * any moment leaves the `room` message pending, so the room opens on restart;
 * the pages never wait for it (Slack allows about 20 new channels a minute).
 *
 * Until it opens, `incident.room` is a placeholder (`pending:INC-n`) and
 * `roomName` the name it is planned to have. Messages for the room wait
 * (RetryLaterError) until it exists. A crash after the platform made the room
 * and before the second commit leaves the `room` message's attempt unfinished:
 * its retry asks the chat to adopt a room of that name the bot made
 * (`maybeExists`), so the restart does not open a second one.
 */


/** How soon a message for a room still opening looks again. */
const ROOM_WAIT_RETRY_MS = 300;

export { roomPending };

export function pendingRoom(id: string): ConversationRef {
  return `${PENDING_ROOM_PREFIX}${id}`;
}

/** Thrown for a message whose war room is still opening: the outbox brings it back shortly. */
export function roomNotOpenYet(id: string): RetryLaterError {
  return new RetryLaterError(`the war room of ${id} is still opening`, ROOM_WAIT_RETRY_MS);
}

/** What became of the room, for the declarer's reply. */
export interface RoomOutcome {
  incident: Incident;
  /** The platform refused to open a room at all: the incident uses the conversation it was declared in. */
  roomError?: string;
  /** What went wrong inside the room (an invite refused). */
  problems: string[];
}

export interface WarRoomDeps extends CommitDeps {
  chat: ChatPort;
  present: Presenter;
  logger: Logger;
}

/** Everyone paged so far, in page order: they are let into the room as it opens. */
function pagedPeople(incident: Incident): PersonId[] {
  return [...new Set(incident.slots.flatMap((slot) => slot.pages.map((page) => page.person)))];
}

export class WarRooms {
  private readonly waiters = new Map<string, Array<(outcome: RoomOutcome) => void>>();

  constructor(private readonly deps: WarRoomDeps) {}

  /**
   * Resolves with the room's outcome if it opens within `ms` (in this
   * process), else undefined: the declarer's reply names the room when it can,
   * and never waits long for it.
   */
  waitFor(id: string, ms: number): Promise<RoomOutcome | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.set(id, (this.waiters.get(id) ?? []).filter((waiter) => waiter !== done));
        resolve(undefined);
      }, ms);
      const done = (outcome: RoomOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), done]);
    });
  }

  /** Delivers the declare's `room` message: idempotent, so a retry or a second replica finds it open and stops. */
  async open(id: string, options: { retried?: boolean } = {}): Promise<void> {
    const incident = await this.deps.store.get(id);
    if (!incident || !roomPending(incident) || !incident.roomOpening) return;
    const origin = incident.roomOpening.origin;
    const members = [...new Set([incident.declaredBy, ...pagedPeople(incident)])];
    const attempt = await this.atPlatform(incident, origin, members, options.retried === true);
    // Nobody here waits to put it in a reply (it took long, or another replica took the declare): tell the origin.
    const unheard = (this.waiters.get(id)?.length ?? 0) === 0;
    const { incident: opened, result: late } = await commitChange(this.deps, () => this.deps.store.get(id), 'muster', (fx) => {
      if (!roomPending(fx.incident)) return [];
      fx.incident.room = attempt.room.conversation;
      fx.incident.roomName = attempt.room.name;
      delete fx.incident.roomOpening;
      fx.event('room.opened', {
        data: { room: attempt.room.conversation, name: attempt.room.name, problems: attempt.room.problems, error: attempt.roomError ?? null },
      });
      this.greet(fx.incident, (key, message) => fx.toRoom(key, message));
      if (!attempt.roomError) linkEarlierPages(this.deps.present, fx);
      fx.refreshBoard();
      if (unheard) this.report(fx.incident, attempt, (message) => fx.send('room-problems', { kind: 'room', conversation: origin }, message));
      // Paged between the platform call and this commit: not in `members`.
      return pagedPeople(fx.incident).filter((person) => !members.includes(person));
    });
    if (late.length > 0 && !attempt.roomError) await this.letIn(opened, late);
    const waiting = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    const outcome: RoomOutcome = { incident: opened, problems: attempt.room.problems, ...(attempt.roomError ? { roomError: attempt.roomError } : {}) };
    for (const resolve of waiting) resolve(outcome);
  }

  /** The room's first message: what happened and who is being mustered. */
  private greet(incident: Incident, toRoom: (key: string, message: ReturnType<Presenter['notice']>) => void): void {
    const present = this.deps.present;
    const params = present.declaredParams(incident);
    toRoom('declared', present.notice(present.t('room.declared', params), 'alert'));
  }

  /** What went wrong with the room, for a declarer whose reply could not wait for it. */
  private report(incident: Incident, attempt: { room: OpenedRoom; roomError?: string }, send: (message: ReturnType<Presenter['notice']>) => void): void {
    const t = this.deps.present.t;
    const lines = [
      ...(attempt.roomError ? [t('reply.declaredNoRoom', { id: incident.id, reason: attempt.roomError })] : []),
      ...(attempt.room.problems.length > 0 ? [t('reply.roomProblems', { problems: attempt.room.problems.join('; ') })] : []),
    ];
    if (lines.length > 0) send(this.deps.present.notice(lines.join('\n'), 'warning'));
  }

  /** A refused room never loses the incident: it falls back to where it was declared. A 429 goes back to the outbox. */
  private async atPlatform(incident: Incident, origin: ConversationRef, members: PersonId[], retried: boolean): Promise<{ room: OpenedRoom; roomError?: string }> {
    try {
      const room = await this.deps.chat.openRoom({
        incident: incident.id,
        name: incident.roomName.replace(/^#/, ''),
        ...unicodeName(incident),
        topic: this.deps.present.t('room.topic', { id: incident.id, severity: incident.severity, title: incident.title }),
        members,
        origin,
        ...(retried ? { maybeExists: true } : {}),
      });
      return { room };
    } catch (error) {
      if (error instanceof RetryLaterError) throw error;
      this.deps.logger.warn({ incident: incident.id, err: error }, 'could not open the war room');
      const roomError = error instanceof Error ? error.message : String(error);
      return { room: { conversation: origin, name: origin, problems: [] }, roomError };
    }
  }

  private async letIn(incident: Incident, people: PersonId[]): Promise<void> {
    const problems = await this.deps.chat.invite(incident.room, people).catch((error: unknown) => [error instanceof Error ? error.message : String(error)]);
    if (problems.length > 0) this.deps.logger.warn({ incident: incident.id, people, problems }, 'could not let people paged while the room opened into it');
  }
}

/** The room's name in the title's script, for chats that allow it; absent when the Latin name says it all. */
function unicodeName(incident: Incident): { unicodeName?: string } {
  const name = unicodeRoomName(incident.id, incident.title, incident.service);
  return name ? { unicodeName: name } : {};
}
