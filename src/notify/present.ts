import type { MusterConfig } from '../config/schema.js';
import { formatClock } from '../config/duration.js';
import { IANAZone } from 'luxon';
import { personZone } from '../config/zones.js';
import { ZonedClock } from './clock-text.js';
import { translator, type MessageKey, type Translate } from '../i18n/catalog.js';
import { roomPending, type Incident, type PersonId, type RoleSlot } from '../incidents/types.js';
import type { Destination, Message } from '../ports.js';
import { runOf } from '../playbooks/run-state.js';
import { receiptsLine } from '../paging/board-line.js';

/** Display names of unconfigured people kept in memory: enough for every stranger active at once. */
const CHAT_NAMES_KEPT = 1_000;

/** What `forPerson` hands a reader's presenter; not built by hand. */
export interface ReaderView {
  zone: string;
  state: PresenterState;
}

interface PresenterState {
  chatNames: Map<string, string>;
  readers: Map<string, Presenter>;
  shared: Presenter;
}

/**
 * Turns incident state into neutral messages in the configured locale. Domain
 * code and renderers hold no sentences of their own.
 */
export class Presenter {
  readonly t: Translate;

  /**
   * `now` decides what "today" is for the dates times carry; the bot passes its
   * clock. A presenter built here speaks to shared places (war rooms, the
   * broadcast channel, exports) in the top-level `timeZone`, naming the zone;
   * `forPerson` and `forReader` give the one that speaks to a single person.
   */
  constructor(private readonly config: MusterConfig, private readonly now: () => number = Date.now, reader?: ReaderView) {
    this.t = translator(config.locale);
    this.state = reader?.state ?? { chatNames: new Map(), readers: new Map(), shared: this };
    this.personal = reader !== undefined;
    this.clock = new ZonedClock(config.locale, reader?.zone ?? config.timeZone, now);
  }

  /** What every presenter of one bot shares: the names chats gave, and one presenter per reader zone. */
  private readonly state: PresenterState;
  /** True when one person reads what this presenter says: times name their zone by its abbreviation. */
  private readonly personal: boolean;

  /** The zone this presenter shows times in. */
  get timeZone(): string {
    return this.clock.timeZone;
  }

  /** The presenter for shared places, whichever reader this one speaks to. */
  get shared(): Presenter {
    return this.state.shared;
  }

  /**
   * The presenter whose times are in `person`'s zone (their own, their team's,
   * else the default: src/config/zones.ts), for DMs and ephemeral replies.
   * One per zone, built on first use.
   */
  forPerson(person: PersonId): Presenter {
    const zone = personZone(this.config, person);
    let reader = this.state.readers.get(zone);
    if (!reader) {
      reader = new Presenter(this.config, this.now, { zone: IANAZone.isValidZone(zone) ? zone : this.config.timeZone, state: this.state });
      this.state.readers.set(zone, reader);
    }
    return reader;
  }

  /** The presenter for whoever reads a message sent to `to`: a person's own, or the shared one. */
  forReader(to: Destination): Presenter {
    return to.kind === 'person' ? this.forPerson(to.person) : this.shared;
  }

  /**
   * A configured person's name; for someone missing from muster.yaml, the
   * name their chat gave (remembered as they act, newest kept), or for the
   * console the name typed; a raw ref only when nothing better is known.
   */
  personName(person: PersonId): string {
    const configured = this.config.people[person]?.name;
    if (configured) return configured;
    const seen = this.state.chatNames.get(person);
    if (seen) return seen;
    return person.startsWith('console:') ? person.slice('console:'.length) : person;
  }

  /** Remembers the chat's display name of someone missing from muster.yaml, for personName. */
  rememberChatName(ref: string, displayName: string): void {
    if (this.config.people[ref] || !displayName.trim()) return;
    const names = this.state.chatNames;
    names.delete(ref);
    names.set(ref, displayName.trim());
    if (names.size > CHAT_NAMES_KEPT) names.delete(names.keys().next().value as string);
  }

  /** Configured roles by name; experts pulled in by /incident escalate as "expert: <team or person>". */
  /** A declarer missing from muster.yaml is shown by the name their chat gave, not a raw id. */
  /** What the declared notices (room, broadcast) say: the incident, who declared it, the roles, the room. */
  declaredParams(incident: Incident): Record<string, string> {
    return {
      ...this.incidentParams(incident),
      declarer: this.declarerName(incident),
      roles: this.roleList(incident.slots.map((slot) => slot.role)) || '-',
      room: incident.roomName,
    };
  }

  declarerName(incident: Incident): string {
    return this.config.people[incident.declaredBy] ? this.personName(incident.declaredBy) : (incident.declaredByName ?? this.personName(incident.declaredBy));
  }

  /** An escalation step's source in the reader's words ("backup on-call", 副值班), never the config keyword. */
  viaName(via: string): string {
    const known: Record<string, MessageKey> = { primary: 'chainVia.primary', backup: 'chainVia.backup', manager: 'chainVia.manager', people: 'chainVia.people' };
    const key = known[via];
    return key ? this.t(key) : via;
  }

  roleName(role: string): string {
    const spec = this.config.roles[role];
    const configured = spec?.names?.[this.config.locale] ?? spec?.name;
    if (configured) return configured;
    if (role.startsWith('expert-')) {
      const target = role.slice('expert-'.length);
      const name = this.config.teams[target]?.name ?? this.config.people[target]?.name ?? target;
      return this.t('role.expert', { name });
    }
    return role;
  }

  /**
   * Wall-clock time in the reader's zone, with the zone and (when not today)
   * the day: "09:01:05 CET" to a person, "09:01:05 (Europe/Berlin)" in a
   * shared place.
   */
  time(at: number): string {
    return this.personal ? this.clock.time(at) : this.clock.named(at);
  }

  /** Date and minute with the zone, for due dates and past incidents: "2026-11-04 10:00 CET" (shared: "(Europe/Berlin)"). */
  dated(at: number): string {
    return this.clock.dated(at, !this.personal);
  }

  /** The time with the zone's abbreviation only ("09:01:05 CET"), for lines under a heading that names the zone (the board's slots). */
  shortTime(at: number): string {
    return this.clock.time(at);
  }

  /** The bare clock ("09:01:05"), for tables whose header already says the zone (the dashboard). */
  clockTime(at: number): string {
    return this.clock.clockOnly(at);
  }

  /** A deadline: its time and how far off it is, "09:15:00 CET (in 15 min)". */
  deadline(at: number): string {
    return this.t('time.deadline', { time: this.time(at), minutes: this.clock.minutesUntil(at) });
  }

  private readonly clock: ZonedClock;

  elapsed(ms: number): string {
    return formatClock(ms);
  }

  page(incident: Incident, slot: RoleSlot): Message {
    const params = this.incidentParams(incident);
    return {
      title: this.t('page.title', params),
      text: [this.t('page.text', { ...params, role: this.roleName(slot.role), room: incident.roomName }), this.pageDeadline(incident)].filter(Boolean).join('\n'),
      // Once the room exists, the page links it; a page sent while it opens names it only.
      ...(roomPending(incident) ? {} : { room: incident.room }),
      tone: 'alert',
      buttons: [
        {
          label: this.t('button.ack'),
          command: `/incident ack ${incident.id} ${slot.role}`,
          style: 'primary',
        },
      ],
    };
  }

  /** The DM of someone a role was handed to (assign, handoff): names the room, and links it once it exists. */
  assigned(incident: Incident, params: Record<string, string>): Message {
    return { ...this.notice(this.t('dm.assigned', { ...params, room: incident.roomName }), 'alert'), ...(roomPending(incident) ? {} : { room: incident.room }) };
  }

  /** A page sent while the team assembles says by when, in the paged person's zone when this presenter is theirs. */
  private pageDeadline(incident: Incident): string {
    const at = incident.assembleDeadlineAt;
    if (at === undefined || incident.status !== 'assembling' || incident.breachedAt !== undefined || at <= this.now()) return '';
    return this.t('page.deadline', { deadline: this.deadline(at) });
  }

  breachPage(incident: Incident, missing: string[]): Message {
    const params = this.incidentParams(incident);
    return {
      title: this.t('page.title', params),
      text: this.t('page.breach', { ...params, missing: this.roleList(missing) }),
      tone: 'alert',
    };
  }

  notice(text: string, tone: Message['tone'] = 'info'): Message {
    return { text, tone };
  }

  roleList(roles: string[]): string {
    return roles.map((role) => this.roleName(role)).join(', ');
  }

  /** The live board: one field per role slot, edited in place as the muster moves. */
  board(incident: Incident): Message {
    const params = this.incidentParams(incident);
    const deadline = this.boardDeadline(incident);
    const summary = this.t('board.summary', {
      status: this.t(`status.${incident.status}`),
      declarer: this.declarerName(incident),
      declaredAt: this.time(incident.declaredAt),
      deadline,
    });
    return {
      title: this.t('board.title', params),
      text: incident.summary ? `${incident.summary}\n${summary}` : summary,
      fields: [
        ...incident.slots.map((slot) => ({ label: this.roleName(slot.role), value: this.slotLine(slot) })),
        ...this.playbookField(incident),
        ...this.alertsField(incident),
      ],
      tone: incident.status === 'assembling' ? (incident.breachedAt ? 'warning' : 'alert') : 'success',
      pin: true,
    };
  }

  /**
   * While the team assembles, the deadline with its zone and how far off it is
   * (as of this rendering: the board is redrawn on every change); once it
   * passed unmet, that it passed; after, just when it was.
   */
  private boardDeadline(incident: Incident): string {
    const at = incident.assembleDeadlineAt;
    if (at === undefined) return '';
    if (incident.status !== 'assembling') return this.t('board.deadline', { deadlineAt: this.time(at) });
    if (incident.breachedAt !== undefined || at <= this.now()) return this.t('board.deadlinePassed', { deadlineAt: this.time(at) });
    return this.t('board.deadline', { deadlineAt: this.deadline(at) });
  }

  private playbookField(incident: Incident): Array<{ label: string; value: string }> {
    const run = runOf(incident);
    if (!run) return [];
    const steps = run.definition.steps.flatMap((step) => (step.kind === 'parallel' ? step.steps : [step]));
    const closed = steps.filter((step) => ['done', 'skipped'].includes(run.steps[step.id]?.status ?? '')).length;
    const open = steps.filter((step) => run.steps[step.id]?.status === 'open').map((step) => step.id);
    return [{
      label: this.t('board.playbook'),
      value: this.t('board.playbookProgress', { title: run.definition.title, done: closed, total: steps.length, open: open.length > 0 ? ` · ${open.join(', ')}` : '' }),
    }];
  }

  /** What monitoring reported, when the incident came from (or was joined by) alerts. */
  private alertsField(incident: Incident): Array<{ label: string; value: string }> {
    const tally = incident.alerts;
    if (!tally) return [];
    const leftOut = tally.truncated + tally.excess;
    const value = this.t('board.alertsTally', { firing: tally.firing, resolved: tally.resolved, lastSeen: this.shortTime(tally.lastSeenAt) })
      + (leftOut > 0 ? this.t('board.alertsLeftOut', { count: leftOut }) : '');
    return [{ label: this.t('board.alerts'), value }];
  }

  /** A drill's title carries [DRILL], so the board, pages and replies say it too. */
  incidentParams(incident: Incident): Record<string, string> {
    const title = incident.drill ? `[DRILL] ${incident.title}` : incident.title;
    return { id: incident.id, severity: incident.severity, title };
  }

  private slotLine(slot: RoleSlot): string {
    const last = slot.pages[slot.pages.length - 1];
    if (!last) return this.t('board.unpaged');
    const person = slot.ackedBy ?? last.person;
    const firstPage = slot.pages.find((page) => page.person === person) ?? last;
    const latest = [...slot.pages].reverse().find((page) => page.person === person);
    const failed = slot.state === 'paging' && latest?.delivery === 'failed';
    const state = failed ? this.t('board.pageFailed', { reason: latest.reason ?? '-' }) : this.slotState(slot);
    const receipts = receiptsLine(this.t, latest);
    return this.t('board.slot', {
      person: this.personName(person),
      pagedAt: this.shortTime(firstPage.at),
      state: receipts ? this.t('paging.board.receipts', { state, receipts }) : state,
    }) + this.othersFailed(slot, person);
  }

  /**
   * While a slot still pages, the people before the one shown whose page could
   * never be delivered, and why: the reason the chain moved on early.
   */
  private othersFailed(slot: RoleSlot, shown: PersonId): string {
    if (slot.state !== 'paging') return '';
    const failed = [...new Set(slot.pages.map((page) => page.person))]
      .filter((person) => person !== shown)
      .flatMap((person) => {
        const latest = [...slot.pages].reverse().find((page) => page.person === person);
        return latest?.delivery === 'failed' ? [this.t('board.otherFailed', { person: this.personName(person), reason: latest.reason ?? '-' })] : [];
      });
    return failed.map((line) => `\n${line}`).join('');
  }

  private slotState(slot: RoleSlot): string {
    if (slot.state === 'released') return this.t('board.slotReleased');
    if (slot.state === 'cancelled') return this.t('board.slotCancelled');
    if (slot.state === 'acked' && slot.ackedAt !== undefined) {
      return this.t('board.slotAcked', {
        ackedAt: this.shortTime(slot.ackedAt),
        elapsed: this.elapsed(slot.ackedAt - slot.startedAt),
      });
    }
    return slot.nextStep >= slot.chain.length ? this.t('board.slotExhausted') : this.t('board.slotPaging');
  }
}
