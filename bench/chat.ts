/**
 * Chat fakes for the bench, after test/support/fixture.ts's FakeChat (copied
 * in spirit, not imported). PageTimingChat notes when each first page (a DM
 * whose button acks a role) reaches the chat port, per incident.
 */
import { performance } from 'node:perf_hooks';
import type { ChatPort, Destination, Message, OpenedRoom, RoomRequest } from '../src/ports.js';

const ACK_COMMAND_RE = /^\/incident ack (INC-\d+) /;

interface PageWait {
  persons: Map<string, number>;
  expected: number;
  resolve?: (lastAt: number) => void;
}

export class PageTimingChat implements ChatPort {
  private readonly waits = new Map<string, PageWait>();
  private counter = 0;
  sends = 0;
  updates = 0;

  constructor(private readonly expectedPages: number) {}

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    return { conversation: `bench:#${request.name}`, name: `#${request.name}`, problems: [] };
  }

  async send(to: Destination, message: Message): Promise<string> {
    const at = performance.now();
    this.sends += 1;
    this.counter += 1;
    if (to.kind === 'person') this.recordPage(to.person, message, at);
    return `ref-${this.counter}`;
  }

  async invite(): Promise<string[]> {
    return [];
  }

  async update(_to: Destination, _ref: string, _message: Message): Promise<void> {
    this.updates += 1;
  }

  /**
   * Resolves with the time (performance.now()) the last of the incident's first
   * pages was sent; pages may arrive before the caller knows the incident id.
   */
  allPaged(incident: string, timeoutMs: number): Promise<number> {
    const wait = this.wait(incident);
    if (wait.persons.size >= wait.expected) return Promise.resolve(Math.max(...wait.persons.values()));
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${incident}: only ${wait.persons.size}/${wait.expected} pages after ${timeoutMs} ms`));
      }, timeoutMs);
      wait.resolve = (lastAt) => {
        clearTimeout(timer);
        resolve(lastAt);
      };
    });
  }

  forget(incident: string): void {
    this.waits.delete(incident);
  }

  private recordPage(person: string, message: Message, at: number): void {
    const incident = ACK_COMMAND_RE.exec(message.buttons?.[0]?.command ?? '')?.[1];
    if (!incident) return;
    const wait = this.wait(incident);
    if (wait.persons.has(person)) return;
    wait.persons.set(person, at);
    if (wait.persons.size >= wait.expected) wait.resolve?.(at);
  }

  private wait(incident: string): PageWait {
    let wait = this.waits.get(incident);
    if (!wait) {
      wait = { persons: new Map(), expected: this.expectedPages };
      this.waits.set(incident, wait);
    }
    return wait;
  }
}

/** Accepts everything and remembers nothing (the RSS bench should measure Muster, not the fake). */
export class NoopChat implements ChatPort {
  private counter = 0;
  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    return { conversation: `bench:#${request.name}`, name: `#${request.name}`, problems: [] };
  }
  async send(): Promise<string> {
    this.counter += 1;
    return `ref-${this.counter}`;
  }
  async update(): Promise<void> {}
  async invite(): Promise<string[]> {
    return [];
  }
}
