import { parse } from 'yaml';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { MemoryStore } from '../../adapters/memory/store.js';
import { MemoryShiftChangeStore } from '../../adapters/memory/shift-changes.js';
import { Muster, type MusterDeps } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { musterConfigSchema, type MusterConfig } from '../../src/config/schema.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import type { PlaybookLibrary } from '../../src/playbooks/library.js';
import { silentLogger } from '../../src/logger.js';
import type { ChatPort, Destination, Message, OpenedRoom, RoomRequest } from '../../src/ports.js';
import { TEST_AUDIT_KEY } from './audit-key.js';

/** A small, fully specified org: one person per rotation slot, so pages are predictable. */
export const TEST_CONFIG_YAML = `
timeZone: Europe/Berlin
people:
  alice: { name: Alice Declarer }
  cara: { name: Cara Commander, slack: UCARA }
  cole: { name: Cole Backup }
  pete: { name: Pete Payments }
  pam: { name: Pam Payments }
  sam: { name: Sam SRE }
  sid: { name: Sid SRE }
  pia: { name: Pia Product }
  pat: { name: Pat Product }
  cody: { name: Cody Comms }
  cat: { name: Cat Comms }
  mona: { name: Mona Manager }
  dora: { name: Dora Duty }
teams:
  command: { manager: mona, rotation: { primary: [cara], backup: [cole], start: 2026-01-05 } }
  payments: { manager: mona, rotation: { primary: [pete], backup: [pam], start: 2026-01-05 } }
  sre: { manager: mona, rotation: { primary: [sam], backup: [sid], start: 2026-01-05 } }
  product: { manager: mona, rotation: { primary: [pia], backup: [pat], start: 2026-01-05 } }
  comms: { manager: mona, rotation: { primary: [cody], backup: [cat], start: 2026-01-05 } }
  duty: { manager: mona, rotation: { primary: [dora], start: 2026-01-05 } }
roles:
  commander: { team: command }
  tech: { fromService: true }
  ops: { team: sre }
  product: { team: product }
  comms: { team: comms }
severities:
  P1: { roles: [commander, tech, ops, product, comms], assemble: 15m, respond: 30m, update: 30m, escalation: standard }
  P2: { roles: [commander, tech], respond: 1h, escalation: standard }
  P3: { roles: [tech], escalation: standard }
escalation:
  standard:
    steps:
      - { after: 0s, page: primary }
      - { after: 5m, page: backup }
      - { after: 5m, page: manager }
services:
  checkout: { team: payments }
dutyManager: { team: duty }
`;

export function testConfig(overrides: (raw: Record<string, unknown>) => void = () => {}): MusterConfig {
  const raw = parse(TEST_CONFIG_YAML) as Record<string, unknown>;
  overrides(raw);
  return musterConfigSchema.parse(raw);
}

export interface Delivered {
  to: Destination;
  message: Message;
  edit: boolean;
}

/** Records what the chat would show; can be told to refuse rooms. */
export class FakeChat implements ChatPort {
  readonly delivered: Delivered[] = [];
  refuseRooms: string | undefined;
  private counter = 0;

  /** Invites of these people fail, as a platform's user_not_found would. */
  readonly unknownMembers = new Set<string>();

  async openRoom(request: RoomRequest): Promise<OpenedRoom> {
    if (this.refuseRooms) throw new Error(this.refuseRooms);
    const problems = request.members.filter((m) => this.unknownMembers.has(m)).map((m) => `could not invite ${m} (user_not_found)`);
    return { conversation: `test:#${request.name}`, name: `#${request.name}`, problems };
  }

  async send(to: Destination, message: Message, _options?: { id?: string }): Promise<string> {
    this.delivered.push({ to, message, edit: false });
    this.counter += 1;
    return `ref-${this.counter}`;
  }

  async update(to: Destination, _ref: string, message: Message): Promise<void> {
    this.delivered.push({ to, message, edit: true });
  }

  /** Who was let into which room after it opened, in order. */
  readonly invites: Array<{ room: string; people: string[] }> = [];

  async invite(room: string, people: string[]): Promise<string[]> {
    this.invites.push({ room, people });
    return people.filter((person) => this.unknownMembers.has(person)).map((person) => `could not invite ${person} (user_not_found)`);
  }

  /** Messages sent to a person (an edit in place, such as a page gaining its room's link, is not another message). */
  pagesTo(person: string): Delivered[] {
    return this.delivered.filter((d) => d.to.kind === 'person' && d.to.person === person && !d.edit);
  }
}

/** The whole bot on memory adapters and a manual clock: a 15-minute muster plays instantly. */
export async function harness(config = testConfig(), extra: { playbooks?: PlaybookLibrary; paging?: MusterDeps['paging'] } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  const store = new MemoryStore(() => clock.now());
  const scheduler = new InProcessScheduler(clock, { realTime: false });
  const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
  const chat = new FakeChat();
  const shifts = new MemoryShiftChangeStore();
  const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config, store, scheduler, outbox, chat, clock, logger: silentLogger, shifts, ...extra });
  const events: TimelineEvent[] = [];
  muster.onEvent((event) => events.push(event));
  await muster.start({ watchdog: false });
  let request = 0;
  const say = async (person: string, text: string, conversation = 'console:#general') => {
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
    request += 1;
    const reply = await muster.dispatch({ name, args, actor: `console:${person}`, conversation, requestId: `r${request}` });
    await outbox.idle();
    return reply;
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await scheduler.runDue();
    await outbox.idle();
  };
  return { config, clock, store, scheduler, outbox, chat, shifts, muster, events, say, advance };
}
