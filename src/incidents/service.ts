import type { MusterConfig, Severity } from '../config/schema.js';
import { DomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Effects } from '../kernel/effects.js';
import { openSlots } from '../muster/slots.js';
import { ackSlots, mitigate, resolve, runDueSteps } from '../muster/transitions.js';
import { Coalescer, type ItemErrors } from '../kernel/coalesce.js';
import { type HolderLookup, type MusterContext } from '../kernel/context.js';
import type { Presenter } from '../notify/present.js';
import type { ChatPort, Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import { recordReceipt, type PageReceipt } from '../muster/receipts.js';
import { GENESIS_HASH } from '../audit/chain.js';
import { assignRole, changeSeverity, escalateTo } from '../muster/reshape.js';
import { startResponseClock } from '../muster/sla.js';
import { startResolutionClock } from '../muster/resolution.js';
import { notifyAudiences } from '../notify/audiences.js';
import { attachPlaybook } from '../playbooks/runner.js';
import { runOf } from '../playbooks/run-state.js';
import { EMPTY_LIBRARY, type PlaybookLibrary } from '../playbooks/library.js';
import { graceFor, postUpdate, scheduleNextUpdate, snoozeUpdate } from '../muster/cadence.js';
import { commitChange, createIncident, type CommitDeps } from './commit.js';
import { pendingRoom, WarRooms } from './war-room.js';
import { roomName } from './room-name.js';
import { syncGrants } from '../actions/record.js';
import { roomPending, type ConversationRef, type DrillMark, type Incident, type PersonId } from './types.js';
import type { ContactKind } from '../config/paging.js';

export interface DeclareInput {
  title: string;
  severity: Severity;
  service?: string;
  summary?: string;
  /** Makes it a drill: marked DRILL everywhere, no audiences, actions dry-run unless live. */
  drill?: DrillMark;
  declaredBy: PersonId;
  declaredByName?: string;
  origin: ConversationRef;
  /** The platform request that declares it: remembered with the incident, so a redelivery never declares twice. */
  requestId?: string;
  /** Told once the incident is committed (before the room opens): Slack is acknowledged then. */
  onCommitted?: () => void;
  /** More effects for the declare commit itself (an alert group's mapping and alerts), all or nothing with it. */
  also?: (fx: Effects, ctx: MusterContext) => void;
  /** Incidents open on the same service that the declarer chose to declare beside (anyway=INC-n): linked both ways. */
  related?: string[];
}

export interface ServiceDeps extends CommitDeps {
  config: MusterConfig;
  present: Presenter;
  chat: ChatPort;
  logger: Logger;
  /** Playbooks attached by service and severity at declare, or by /incident playbook. */
  playbooks?: PlaybookLibrary;
  /** Loads who holds each pager (the rotation with shift changes) before a use case that pages; absent: the rotation alone. */
  holders?: () => Promise<HolderLookup | undefined>;
  /** Contact kinds whose paging provider is on: pages snapshot the person's later methods over them. */
  pagingKinds?: ReadonlySet<ContactKind>;
}

/** A change a timer or a page receipt makes to an incident, applied inside a commit. */
type IncidentChange = (ctx: MusterContext, fx: Effects) => void;

/** How long a declarer's reply waits for the war room to open, so it can name it; the pages never wait. */
const ROOM_REPLY_WAIT_MS = 2_000;
/** How long a declaring request id is remembered (platforms redeliver for minutes at most). */
const DECLARE_REQUEST_TTL_MS = 24 * 3_600_000;

export { roomName } from './room-name.js';

/** A scheduled drill never pages the people its schedule lets opt out; their steps go to whoever comes next. */
function withoutOptedOut(config: MusterConfig, slots: Incident['slots'], drill: DrillMark | undefined): Incident['slots'] {
  const schedules = config.drills;
  const optOut = drill?.schedule ? (schedules[drill.schedule]?.optOut ?? []) : [];
  if (optOut.length === 0) return slots;
  return slots.map((slot) => ({ ...slot, chain: skipPeople(slot.chain, optOut) }));
}

/** Drops people from a chain; a step left empty hands its moment to the next one (pulled forward). */
function skipPeople(chain: Incident['slots'][number]['chain'], skipped: string[]): Incident['slots'][number]['chain'] {
  const out: Incident['slots'][number]['chain'] = [];
  let pullBack = 0;
  chain.forEach((step, index) => {
    const targets = step.targets.filter((person) => !skipped.includes(person));
    if (targets.length > 0) {
      out.push({ ...step, atMs: step.atMs - pullBack, targets });
      return;
    }
    const next = chain[index + 1];
    if (next) pullBack += next.atMs - step.atMs;
  });
  return out;
}

/** The incident use cases. Each validates, mutates a draft and commits once. */
export class IncidentService {
  private readonly ctx: MusterContext;

  readonly library: PlaybookLibrary;
  /** Opens war rooms after their declare is durable (the outbox's `room` messages). */
  readonly rooms: WarRooms;
  private readonly writes = new Coalescer<IncidentChange>((incident, changes) => this.applyTogether(incident, changes));

  constructor(private readonly deps: ServiceDeps) {
    this.ctx = { config: deps.config, present: deps.present, ...(deps.pagingKinds ? { pagingKinds: deps.pagingKinds } : {}) };
    this.rooms = new WarRooms(deps);
    this.library = deps.playbooks ?? EMPTY_LIBRARY;
  }

  /**
   * Opens the incident: one commit with the first pages and the war room to
   * open (src/incidents/war-room.ts), so nothing is lost to a crash and the
   * pages never wait for the platform to make a room. The reply waits a
   * moment for the room: `roomOpening` says it is not open yet; `roomError`
   * that it could not be opened at all; `problems` what went wrong inside it.
   */
  async declare(input: DeclareInput): Promise<{ incident: Incident; roomError?: string; problems: string[]; roomOpening?: boolean }> {
    const urgent = this.deps.lanes?.begin();
    try {
      return await this.declareUrgently(input, () => urgent?.());
    } finally {
      urgent?.();
    }
  }

  /** `handedOn`: called once the first pages are with the outbox; what follows (the room, the reply's wait) is not urgent. */
  private async declareUrgently(input: DeclareInput, handedOn: () => void): Promise<{ incident: Incident; roomError?: string; problems: string[]; roomOpening?: boolean }> {
    const now = this.deps.clock.now();
    const ctx = await this.context();
    const number = await this.deps.store.nextIncidentNumber();
    // Built in a turn of its own: in a storm of declares each commit leaves for
    // Redis as soon as it is built, and Redis writes it while the next is built.
    await new Promise((resolve) => setImmediate(resolve));
    const id = `INC-${number}`;
    const slots = withoutOptedOut(this.deps.config, openSlots(this.deps.config, input.severity, input.service, now, ctx.holders), input.drill);
    const incident = this.newIncident({ id, number, now, input, slots });
    startResponseClock(this.ctx, incident);
    startResolutionClock(this.ctx, incident);
    scheduleNextUpdate(this.ctx, incident, now);
    incident.updateGraceMs = graceFor(this.ctx, incident);
    const fx = new Effects(incident, now, input.declaredBy);
    this.announce(fx, input.related ?? []);
    for (const slot of incident.slots) runDueSteps(ctx, fx, slot);
    // A drill follows its scenario (attached by the drill), not the real playbook for the service.
    const playbook = input.drill ? undefined : this.library.match(incident.service, incident.severity);
    if (playbook) attachPlaybook(this.ctx, fx, playbook);
    input.also?.(fx, this.ctx);
    fx.outbox.push({ id: `${id}-room`, incident: id, kind: 'room' });
    const room = this.rooms.waitFor(id, ROOM_REPLY_WAIT_MS);
    const request = input.requestId ? { id: input.requestId, outcome: JSON.stringify({ incident: id }), ttlMs: DECLARE_REQUEST_TTL_MS } : undefined;
    const created = await createIncident(this.deps, fx, request);
    handedOn();
    input.onCommitted?.();
    await this.linkRelated(created, input.related ?? []);
    if (!input.drill && input.severity === 'P1') await this.stopDrills(this.deps.present.t('drill.stoppedByReal', { id }), 'muster');
    const outcome = await room;
    if (!outcome) return { incident: created, problems: [], roomOpening: true };
    return { incident: outcome.incident, problems: outcome.problems, ...(outcome.roomError ? { roomError: outcome.roomError } : {}) };
  }

  /**
   * The open incidents a declarer declared beside hear of the new one, on
   * their timeline and in their room. The new incident exists either way: a
   * link that cannot be written is logged, not fatal.
   */
  private async linkRelated(created: Incident, related: string[]): Promise<void> {
    const { present } = this.deps;
    for (const id of related) {
      await this.apply(id, created.declaredBy, (fx) => {
        fx.event('incident.linked', { data: { related: created.id, service: created.service ?? null } });
        fx.toRoom(`linked-${created.id}`, present.notice(present.t('room.linked', {
          ...present.incidentParams(created), declarer: present.declarerName(created), room: created.roomName,
        }), 'warning'));
      }).catch((error: unknown) => this.deps.logger.warn({ incident: id, related: created.id, err: error }, 'could not link the incident declared beside it'));
    }
  }

  /** Lets a person into an incident's war room; what the chat could not do is returned, per person. */
  async join(incidentId: string, person: PersonId): Promise<string[]> {
    const incident = await this.deps.store.get(incidentId);
    if (!incident) throw new DomainError('not_found', this.deps.present.t('error.notFound', { id: incidentId }));
    if (roomPending(incident)) throw new DomainError('conflict', this.deps.present.t('error.roomStillOpening', { id: incidentId }));
    return this.deps.chat.invite(incident.room, [person]);
  }

  private newIncident(parts: { id: string; number: number; now: number; input: DeclareInput; slots: Incident['slots'] }): Incident {
    const deadline = this.deps.config.severities[parts.input.severity]?.assemble;
    return {
      id: parts.id,
      number: parts.number,
      title: parts.input.title,
      severity: parts.input.severity,
      ...(parts.input.service ? { service: parts.input.service } : {}),
      ...(parts.input.summary ? { summary: parts.input.summary } : {}),
      ...(parts.input.drill ? { drill: parts.input.drill } : {}),
      status: 'assembling',
      declaredBy: parts.input.declaredBy,
      ...(parts.input.declaredByName ? { declaredByName: parts.input.declaredByName } : {}),
      declaredAt: parts.now,
      room: pendingRoom(parts.id),
      roomName: `#${roomName(parts.id, parts.input.title, parts.input.service)}`,
      roomOpening: { origin: parts.input.origin },
      slots: parts.slots,
      ...(deadline !== undefined && parts.slots.length > 0 ? { assembleDeadlineAt: parts.now + deadline } : {}),
      deadlineEpoch: 0,
      version: 0,
      head: { seq: 0, hash: GENESIS_HASH },
    };
  }

  private announce(fx: Effects, related: string[]): void {
    const incident = fx.incident;
    if (incident.drill) fx.event('drill.started', { data: { scenario: incident.drill.scenario, schedule: incident.drill.schedule ?? null } });
    fx.event('incident.declared', {
      actor: incident.declaredBy,
      data: {
        title: incident.title,
        severity: incident.severity,
        service: incident.service ?? null,
        summary: incident.summary ?? null,
        room: incident.room,
        ...(related.length > 0 ? { related: related.join(', ') } : {}),
      },
    });
    if (related.length > 0) fx.toRoom('related', this.deps.present.notice(this.deps.present.t('room.relatedOpen', { ids: related.join(', ') }), 'warning'));
    const present = this.deps.present;
    const params = present.declaredParams(incident);
    if (this.deps.config.channels.broadcast && !incident.drill) {
      fx.send('broadcast-declared', { kind: 'broadcast' }, present.notice(present.t('broadcast.declared', params), 'alert'));
    }
    notifyAudiences(this.ctx, fx, 'declared');
  }

  async ack(incidentId: string, person: PersonId, role?: string): Promise<{ roles: string[]; already: boolean }> {
    const { result } = await commitChange(this.deps, () => this.deps.store.get(incidentId), person, (fx) => {
      const paged = fx.incident.slots.filter(
        (slot) => (!role || slot.role === role) && slot.pages.some((page) => page.person === person),
      );
      if (paged.length === 0) {
        // Nothing to acknowledge: say how to take a role anyway (assign) or bring someone in (escalate).
        const { present } = this.deps;
        const what = role ? present.roleName(role) : present.t('ack.anyRole');
        throw new DomainError('not_paged', present.t('error.notPaged', { what, id: incidentId, person }));
      }
      const open = paged.filter((slot) => slot.state === 'paging');
      if (open.length === 0) return { roles: paged.map((slot) => slot.role), already: true };
      ackSlots(this.ctx, fx, open, person);
      syncGrants(this.ctx, fx);
      return { roles: open.map((slot) => slot.role), already: false };
    });
    return result;
  }

  async resolve(incidentId: string, person: string, note: string): Promise<Incident> {
    const { incident } = await commitChange(this.deps, () => this.deps.store.get(incidentId), person, (fx) => {
      if (fx.incident.status === 'resolved') {
        throw new DomainError('conflict', this.deps.present.t('error.alreadyResolved', { id: incidentId }));
      }
      resolve(this.ctx, fx, person, note);
      syncGrants(this.ctx, fx);
    });
    return incident;
  }

  async changeSeverity(incidentId: string, actor: string, to: Severity, reason: string): Promise<{ opened: string[]; released: string[] }> {
    const ctx = await this.context();
    const { result } = await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => {
      const result = changeSeverity(ctx, fx, to, reason);
      this.playbookForSeverity(fx);
      syncGrants(this.ctx, fx);
      return result;
    },
    );
    return result;
  }

  /**
   * After a severity change, the playbook that matches the new severity is
   * attached when none is running (a P3 that became a P1 gets the P1
   * runbook); a running one is never replaced, nor a finished one re-run.
   */
  private playbookForSeverity(fx: Effects): void {
    const incident = fx.incident;
    if (incident.drill) return;
    const current = runOf(incident);
    if (current && current.completedAt === undefined) return;
    const playbook = this.library.match(incident.service, incident.severity);
    if (playbook && playbook.id !== current?.definition.id) attachPlaybook(this.ctx, fx, playbook);
  }

  async escalate(incidentId: string, actor: string, target: string, reason: string): Promise<string> {
    const ctx = await this.context();
    const { result } = await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) =>
      escalateTo(ctx, fx, target, reason).role,
    );
    return result;
  }

  async assign(incidentId: string, actor: string, role: string, person: PersonId): Promise<PersonId | undefined> {
    const { result } = await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => {
      const result = assignRole(this.ctx, fx, role, person);
      syncGrants(this.ctx, fx);
      return result;
    },
    );
    return result;
  }

  async mitigate(incidentId: string, person: string, note: string): Promise<void> {
    await commitChange(this.deps, () => this.deps.store.get(incidentId), person, (fx) => {
      if (fx.incident.status === 'mitigated' || fx.incident.status === 'resolved') {
        throw new DomainError('conflict', this.deps.present.t('error.alreadyMitigated', { id: incidentId, status: this.deps.present.t(`status.${fx.incident.status}`) }));
      }
      mitigate(this.ctx, fx, person, note);
    });
  }

  async postUpdate(incidentId: string, actor: string, text: string): Promise<void> {
    await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => postUpdate(this.ctx, fx, text));
  }

  async snooze(incidentId: string, actor: string, forMs: number, reason: string): Promise<void> {
    await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => snoozeUpdate(this.ctx, fx, forMs, reason));
  }

  /** Stops a drill at once: the record says why, and the war room hears it. */
  async stopDrill(incidentId: string, actor: string, reason: string): Promise<void> {
    await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => {
      if (!fx.incident.drill || fx.incident.status === 'resolved') return;
      fx.event('drill.stopped', { data: { reason } });
      fx.toRoom('drill-stopped', this.deps.present.notice(this.deps.present.t('drill.stopped', { id: incidentId, reason }), 'warning'));
      resolve(this.ctx, fx, actor, reason);
    });
  }

  /** Every running drill stops: a real P1, or the kill switch. */
  async stopDrills(reason: string, actor: string): Promise<string[]> {
    const drills = await this.deps.store.listActiveDrills();
    for (const drill of drills) await this.stopDrill(drill.id, actor, reason);
    return drills.map((drill) => drill.id);
  }

  /** Applies a change to one incident with the usual version check and retries (alerts joining a timeline). */
  async apply<T>(incidentId: string, actor: string, change: (fx: Effects, ctx: MusterContext) => T): Promise<T> {
    const { result } = await commitChange(this.deps, () => this.deps.store.get(incidentId), actor, (fx) => change(fx, this.ctx));
    return result;
  }

  /** What became of a page (src/delivery/): on the record, and a failed step moves its slot on at once. */
  recordPageReceipt(receipt: PageReceipt): Promise<void> {
    return this.writes.add(receipt.incident, (ctx, fx) => recordReceipt(ctx, fx, receipt));
  }

  /** An incident timer fired: re-read the record and let its kind's fenced transition decide. */
  onTimer(timer: Timer, kind: IncidentTimerKind): Promise<void> {
    return this.writes.add(timer.incident, (ctx, fx) => {
      fx.firing.add(timer.id);
      kind.fire(ctx, fx, timer);
    });
  }

  /**
   * The changes that came together for one incident (its first pages' receipts,
   * the escalations of its five roles due at one moment) in one commit, each
   * applied in turn to the record as it stands; if that fails, each goes on
   * its own, so one change's failure is its own.
   */
  private async applyTogether(incidentId: string, changes: IncidentChange[]): Promise<ItemErrors> {
    const ctx = await this.context();
    const one = (work: IncidentChange[]) => this.commitMissingOk(incidentId, (fx) => {
      for (const change of work) change(ctx, fx);
    });
    if (changes.length === 1) return [await one(changes).then(() => undefined, (error: unknown) => error)];
    try {
      await one(changes);
      return changes.map(() => undefined);
    } catch {
      const errors: ItemErrors = [];
      for (const change of changes) errors.push(await one([change]).then(() => undefined, (error: unknown) => error));
      return errors;
    }
  }

  /** An incident archived meanwhile has no record left to change: nothing to do. */
  private async commitMissingOk(incidentId: string, change: (fx: Effects) => void): Promise<void> {
    try {
      await commitChange(this.deps, () => this.deps.store.get(incidentId), 'muster', change);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
    }
  }

  /** The context with who holds each pager now, for use cases that may page (steps run at that moment). */
  private async context(): Promise<MusterContext> {
    const holders = await this.deps.holders?.();
    return holders ? { ...this.ctx, holders } : this.ctx;
  }
}
