import type { MusterConfig } from '../config/schema.js';
import type { Translate } from '../i18n/catalog.js';
import type { Incident } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { ContactKind } from '../config/paging.js';
import { noticeAddresses } from '../paging/rules.js';
import type { Clock, IncidentStore, OutboundMessage, Outbox, Scheduler, Timer } from '../ports.js';
import { loadSchedule } from './changes.js';
import { staleWarning } from './explain.js';
import { shiftHandoffs, staleChanges, type Handoff } from './handoffs.js';
import { incomingNotice, incomingPush, outgoingNotice } from './messages.js';
import type { ShiftChangeStore } from './ports.js';
import { holderAt } from './resolve.js';
import { SCHEDULES_SCOPE } from './service.js';
import { changeStart, type ShiftChange } from './types.js';

/**
 * Shift notices (the owned timer kind "handoff"): at each handoff the
 * incoming primary or backup gets a message naming the team, the interval
 * with its zone and the open incidents they inherit; the outgoing holder gets
 * a short handoff note. The incoming holder is also pushed the notice
 * through each of their push methods (ntfy, Pushover) whose provider is on:
 * a plain notice, never a text or a call, and nothing to acknowledge.
 *
 * Planned like the weekly report: a repeating job (one across replicas, a
 * BullMQ job scheduler) re-plans every 15 minutes, and every change plans the
 * handoffs it creates at once. A handoff's timer id is its key (team,
 * position, instant), so every replica plans the same timer, once; when it
 * fires the schedule is read again, so a cancelled change notifies nobody,
 * and the messages' ids name the handoff and the person (and the push
 * method), so even a second firing (a re-plan racing the first) delivers
 * each notice once: the outbox's send claim and delivered mark hold for
 * pushes as for chat (src/paging/deliver.ts).
 */

const PLAN_EVERY_MS = 15 * 60_000;
/** How far ahead each plan schedules handoff timers; the next plan comes long before the window ends. */
const PLAN_AHEAD_MS = 24 * 3_600_000;
const PLAN_ID = 'handoff-plan';
/** How far the plans have scheduled handoff timers (epoch ms), kept in the store. */
const PLANNED_KEY = 'schedules:handoffs-planned-until';

export interface ShiftNoticesDeps {
  config: MusterConfig;
  shifts: ShiftChangeStore;
  store: Pick<IncidentStore, 'listActive' | 'getValue' | 'setValue'>;
  scheduler: Scheduler;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  t: Translate;
  /** Contact kinds with a provider on (the paging port's): the incoming holder's ntfy and Pushover among them get a push too. */
  pushKinds?: ReadonlySet<ContactKind>;
}

/** Open real incidents with a role staffed from the team: what a new holder of its pager inherits. */
function inheritedBy(incidents: Incident[], team: string): Incident[] {
  return incidents.filter((incident) => !incident.drill && incident.slots.some((slot) => slot.team === team && slot.state !== 'released' && slot.state !== 'cancelled'));
}

export class ShiftNotices {
  constructor(private readonly deps: ShiftNoticesDeps) {}

  async start(): Promise<void> {
    await this.deps.scheduler.repeat(PLAN_ID, PLAN_EVERY_MS, { incident: SCHEDULES_SCOPE, kind: 'handoff', key: 'plan', epoch: 0 });
    await this.plan(await this.resumeFrom());
    await this.warnStale();
  }

  async onTimer(timer: Timer): Promise<void> {
    if (timer.key === 'plan') await this.plan();
    else await this.notify(timer);
  }

  /** Schedules a timer for every handoff in (from, now + 24 h]: idempotent by id across replicas. */
  async plan(from = this.deps.clock.now(), teams?: string[]): Promise<number> {
    const now = this.deps.clock.now();
    const until = now + PLAN_AHEAD_MS;
    const schedule = await loadSchedule({ config: this.deps.config, store: this.deps.shifts }, from);
    const handoffs = shiftHandoffs(schedule, from, until, teams);
    await this.deps.scheduler.scheduleAll(handoffs.map((handoff) => ({
      id: handoff.key, dueAt: handoff.at, incident: SCHEDULES_SCOPE, kind: 'handoff', key: handoff.key, epoch: handoff.at,
    })));
    if (!teams) await this.deps.store.setValue(PLANNED_KEY, String(until));
    return handoffs.length;
  }

  /**
   * Where the first plan after a start begins: now, or where the last plan
   * before ended when every replica was down for longer than a plan reaches
   * (those handoffs are told late, if their shift still runs). A fresh store
   * starts now: nobody is told about a shift that began before the bot ran.
   */
  private async resumeFrom(): Promise<number> {
    const now = this.deps.clock.now();
    const planned = Number(await this.deps.store.getValue(PLANNED_KEY));
    return Number.isFinite(planned) && planned > 0 && planned < now ? planned : now;
  }

  /** A change was written: plan the handoffs it creates, including one that starts now. */
  async afterChange(change: ShiftChange): Promise<void> {
    if (change.status !== 'accepted') return;
    await this.plan(Math.min(changeStart(change), this.deps.clock.now()) - 1, [change.team]);
  }

  /** The handoff a timer stands for, if the schedule still has it. */
  private async handoffOf(timer: Timer): Promise<{ handoff: Handoff; end: number } | undefined> {
    const at = timer.epoch;
    const schedule = await loadSchedule({ config: this.deps.config, store: this.deps.shifts }, at);
    const handoff = shiftHandoffs(schedule, at - 1, at).find((candidate) => candidate.key === timer.key);
    if (!handoff) return undefined;
    const holding = holderAt(schedule, handoff.team, handoff.position, at) ?? handoff.incoming;
    return { handoff: { ...handoff, incoming: holding }, end: holding.end };
  }

  private async notify(timer: Timer): Promise<void> {
    const found = await this.handoffOf(timer);
    if (!found) {
      this.deps.logger.debug({ handoff: timer.key }, 'a planned handoff no longer happens (its change was cancelled); nobody told');
      return;
    }
    // Down for a whole shift: a notice about a shift already over helps nobody.
    if (found.end <= this.deps.clock.now()) return;
    const { handoff } = found;
    const incidents = inheritedBy(await this.deps.store.listActive(), handoff.team);
    const words = { config: this.deps.config, t: this.deps.t };
    const messages: OutboundMessage[] = [{
      id: `${handoff.key}-in-${handoff.incoming.person}`, incident: SCHEDULES_SCOPE, kind: 'message',
      to: { kind: 'person', person: handoff.incoming.person }, message: incomingNotice(words, handoff, handoff.incoming, incidents),
    }];
    messages.push(...this.pushes(handoff, incidents));
    const outgoing = handoff.outgoing?.person;
    if (outgoing && this.deps.config.people[outgoing]) {
      messages.push({
        id: `${handoff.key}-out-${outgoing}`, incident: SCHEDULES_SCOPE, kind: 'message',
        to: { kind: 'person', person: outgoing }, message: outgoingNotice(words, handoff, incidents),
      });
    }
    await this.deps.outbox.enqueue(messages);
    this.deps.logger.info({ team: handoff.team, position: handoff.position, incoming: handoff.incoming.person, outgoing }, 'shift notices sent');
  }

  /** The incoming holder's notice through each push method they have, one message (and id) per method. */
  private pushes(handoff: Handoff, incidents: Incident[]): OutboundMessage[] {
    const person = handoff.incoming.person;
    const addresses = noticeAddresses(this.deps.config.people[person] ?? {}, this.deps.pushKinds ?? new Set());
    if (addresses.length === 0) return [];
    const notice = incomingPush({ config: this.deps.config, t: this.deps.t }, handoff, handoff.incoming, incidents);
    return addresses.map((address) => ({ id: `${handoff.key}-push-${person}-${address.kind}`, incident: SCHEDULES_SCOPE, kind: 'notice', address, notice }));
  }

  /** Start-up warnings for stored changes that name teams or people the config no longer has (as `muster validate` prints). */
  private async warnStale(): Promise<void> {
    const now = this.deps.clock.now();
    const changes = await this.deps.shifts.list({ endsAfter: now });
    for (const stale of staleChanges(this.deps.config, changes, now)) {
      this.deps.logger.warn({ change: stale.change.id, problem: stale.problem, value: stale.value }, staleWarning(this.deps.config, this.deps.t, stale));
    }
  }
}
