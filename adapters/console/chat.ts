import type { MusterConfig } from '../../src/config/schema.js';
import type { ConversationRef, PersonId } from '../../src/kernel/ids.js';
import type { ChatPort, Destination, Message, OpenedRoom, RoomRequest } from '../../src/ports.js';
import { renderMessage } from './render.js';

export type Sink = (line: string) => void;

export interface SentMessage {
  ref: string;
  to: Destination;
  message: Message;
  edited: boolean;
}

/**
 * The console as a chat platform: rooms are "console:#name", every line is
 * tagged with the room or DM it would go to. It also keeps what it sent, which
 * tests and the demo read.
 */
export class ConsoleChat implements ChatPort {
  readonly sent: SentMessage[] = [];
  private counter = 0;

  constructor(
    private readonly config: MusterConfig,
    private readonly sink: Sink,
  ) {}

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    const name = `#${request.name}`;
    const members = request.members.map((person) => this.config.people[person]?.name ?? person).join(', ');
    this.sink(`[${name}] room opened · ${request.topic} · members: ${members}`);
    return { conversation: `console:${name}`, name, problems: [] };
  }

  /** Everyone can read every console room; the line says who joined. */
  async invite(room: ConversationRef, people: PersonId[]): Promise<string[]> {
    const names = people.map((person) => this.config.people[person]?.name ?? person).join(', ');
    this.sink(`[${room.replace(/^console:/, '')}] joined: ${names}`);
    return [];
  }

  async send(to: Destination, message: Message): Promise<string> {
    this.counter += 1;
    const ref = `m${this.counter}`;
    this.sent.push({ ref, to, message, edited: false });
    this.print(to, message, '');
    return ref;
  }

  async update(to: Destination, messageRef: string, message: Message): Promise<void> {
    this.sent.push({ ref: messageRef, to, message, edited: true });
    // A DM edited in place is a page gaining its room's link: a terminal prints no links, and the page already named the room.
    if (to.kind === 'person') return;
    this.print(to, message, ' (board updated)');
  }

  label(to: Destination): string {
    if (to.kind === 'person') return `DM @${to.person}`;
    if (to.kind === 'broadcast') return this.config.channels.broadcast ?? '#incidents';
    return to.conversation.replace(/^console:/, '');
  }

  private print(to: Destination, message: Message, suffix: string): void {
    const [first, ...rest] = renderMessage(message);
    this.sink(`[${this.label(to)}]${suffix} ${first ?? ''}`);
    for (const line of rest) this.sink(`    ${line}`);
  }
}
