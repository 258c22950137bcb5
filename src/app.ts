import type { AuditKey } from './audit/key.js';
import type { MusterConfig } from './config/schema.js';
import { dispatch } from './commands/dispatch.js';
import type { CommandDeps } from './commands/deps.js';
import type { CommandRequest, DispatchOptions, Reply } from './kernel/request.js';
import { IncidentService } from './incidents/service.js';
import type { Incident, TimelineEvent } from './incidents/types.js';
import type { Logger } from './logger.js';
import { Presenter } from './notify/present.js';
import { EMPTY_LIBRARY, type PlaybookLibrary } from './playbooks/library.js';
import { stepTimer } from './playbooks/runner.js';
import { DrillScheduler } from './drills/scheduler.js';
import { WeeklyReports } from './reports/weekly.js';
import { ActionService } from './actions/service.js';
import type { ActionExecutors } from './actions/ports.js';
import { RetryLaterError, type ChatPort, type Clock, type IncidentStore, type Outbox, type OutboundMessage, type Scheduler, type Timer, type WebhookPort } from './ports.js';
import { Delivery } from './delivery/delivery.js';
import { reconcile, Watchdog, type ReconcileReport } from './timers/reconciler.js';
import { TimerTable, type IncidentTimerKind } from './timers/registry.js';
import { escalationTimer } from './muster/escalation-timer.js';
import { deadlineTimer } from './muster/deadline-timer.js';
import { boardTickTimer } from './muster/board-tick.js';
import { slaTimer } from './muster/sla.js';
import { updateTimer } from './muster/cadence.js';
import { knowledgeTimer } from './knowledge/timer.js';
import { resolutionTimer } from './muster/resolution.js';
import { KnowledgeBase } from './knowledge/base.js';
import { KnowledgeService } from './knowledge/service.js';
import type { PostmortemUrl } from './knowledge/messages.js';
import type { ShiftChangeStore } from './schedules/ports.js';
import { scheduleHolders } from './schedules/lookup.js';
import { ShiftService } from './schedules/service.js';
import { ShiftNotices } from './schedules/notices.js';
import { DomainError } from './errors.js';
import type { PhoneAck, PhoneAckOutcome } from './paging/inbound.js';
import { ackFromPhone } from './paging/phone-ack.js';
import { notifyTimer } from './paging/notify-timer.js';
import { mirrorPagerDuty } from './paging/pagerduty-mirror.js';
import type { Effects } from './kernel/effects.js';
import { Lanes } from './kernel/lanes.js';
import { PagingDelivery } from './paging/deliver.js';
import { recordPagingOutcome } from './paging/results.js';
import { pagingTester } from './paging/test-send.js';
import type { PagingPort } from './paging/port.js';
import type { DeliveryStatus } from './paging/inbound.js';
import { incidentWithMessage, recordProviderStatus } from './paging/receipts.js';
import type { AckTokens } from './paging/ack-links.js';

export interface MusterDeps {
  config: MusterConfig;
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  /** Signs the audit trail (src/audit/key.ts); from MUSTER_AUDIT_KEY in production. */
  auditKey: AuditKey;
  watchdogIntervalMs?: number;
  /** Sends signed JSON to webhook audiences (status pages); none configured means none sent. */
  webhooks?: WebhookPort;
  playbooks?: PlaybookLibrary;
  /** Runs privileged actions (http, exec); without it, actions can be planned but never run. */
  executors?: ActionExecutors;
  /** True for action runs that must only be planned (default: drills, unless live and approved). */
  dryRun?: (incident: Incident, action: string) => boolean;
  /** Shift changes (cover, swap, take): escalation pages whoever holds a pager then; without it, the rotation alone. */
  shifts?: ShiftChangeStore;
  /** Where a postmortem opens in a browser (the dashboard under MUSTER_PUBLIC_URL); without it, messages name `muster export`. */
  postmortemUrl?: PostmortemUrl;
  /** Texts, calls, push, email and PagerDuty (adapters/paging); `tokens` when acknowledging from the phone is on. Without it pages stay in chat. */
  paging?: { port: PagingPort; tokens?: AckTokens };
}

/** The timer kinds an incident's record implies; the reconciler and every commit derive timers from them. */
export const INCIDENT_TIMERS: IncidentTimerKind[] = [escalationTimer, deadlineTimer, boardTickTimer, slaTimer, resolutionTimer, updateTimer, stepTimer, knowledgeTimer, notifyTimer];

/** Every timer an incident's record expects now (the incident timer kinds' union). */
export function expectedTimers(incident: Incident): Timer[] {
  return INCIDENT_TIMERS.flatMap((kind) => kind.expected(incident));
}

type EventListener = (event: TimelineEvent) => void;

/**
 * The bot, given its ports. It knows nothing of which adapters it runs on;
 * the composition root (src/main/) picks them.
 */
export class Muster {
  readonly present: Presenter;
  readonly service: IncidentService;
  readonly actions: ActionService;
  readonly watchdog: Watchdog;
  readonly drills: DrillScheduler;
  readonly reports: WeeklyReports;
  /** The knowledge loop: the index of past incidents and its use cases (src/knowledge). */
  readonly knowledge: KnowledgeService;
  /** Settles once the knowledge index is built and open tasks' timers are reconciled (started by start()). */
  knowledgeReady: Promise<void> = Promise.resolve();
  /** Cover, swap, take from chat, and the shift notices at each handoff; absent without a shift-change store. */
  readonly shifts: ShiftService | undefined;
  readonly shiftNotices: ShiftNotices | undefined;
  /** The one table of timer kinds: the reconciler, the watchdog and every fired timer read it. */
  readonly timers: TimerTable;
  /** What the chat grammar calls: the use cases and the store's read side. */
  readonly commandDeps: CommandDeps;
  private readonly delivery: Delivery;
  /** Pages first (src/kernel/lanes.ts), shared by the use cases, delivery and the knowledge loop. */
  private readonly lanes = new Lanes();
  private readonly listeners = new Set<EventListener>();
  private readonly failureListeners = new Set<(message: OutboundMessage) => void>();
  /** Set once the timer and outbox workers run (the readiness check reads it). */
  workersStartedAt: number | undefined;

  constructor(private readonly deps: MusterDeps) {
    this.present = new Presenter(deps.config, () => deps.clock.now());
    this.timers = new TimerTable([
      ...INCIDENT_TIMERS,
      { kind: 'drill', scope: 'owned', fire: (timer) => this.drills.onTimer(timer) },
      { kind: 'drill-plan', scope: 'owned', fire: (timer) => this.drills.onTimer(timer) },
      { kind: 'report', scope: 'owned', fire: (timer) => this.reports.onTimer(timer) },
      { kind: 'handoff', scope: 'owned', fire: async (timer) => this.shiftNotices?.onTimer(timer) },
    ]);
    const expected = (incident: Incident) => this.timers.expectedTimers(incident);
    const base = new KnowledgeBase({ store: deps.store, logger: deps.logger });
    const lanes = this.lanes;
    this.service = new IncidentService({
      ...deps,
      lanes,
      ...(deps.playbooks ? { playbooks: deps.playbooks } : {}),
      present: this.present,
      onEvent: (event) => this.emit(event),
      expectedTimers: expected,
      onCommit: (incident, events) => this.onCommit(incident, events),
      // Pages are claimed in their commit's own write when this process sends them at once.
      sendClaims: (outbox) => (deps.outbox.deliversDirectly?.() ? this.delivery.claimsFor(outbox) : undefined),
      ...(deps.paging?.port.available().includes('pagerduty') ? { beforeWrite: (fx: Effects) => mirrorPagerDuty(deps.config, fx) } : {}),
      ...(deps.shifts ? { holders: scheduleHolders({ ...deps, store: deps.shifts, t: this.present.t, now: () => deps.clock.now() }) } : {}),
      ...(deps.paging ? { pagingKinds: new Set(deps.paging.port.available()) } : {}),
    });
    this.knowledge = new KnowledgeService({
      incidents: this.service, base, present: this.present, logger: deps.logger, scheduler: deps.scheduler, lanes,
      ...(deps.postmortemUrl ? { postmortemUrl: deps.postmortemUrl } : {}),
    });
    this.actions = new ActionService({
      config: deps.config, present: this.present, logger: deps.logger, service: this.service,
      executors: deps.executors ?? {}, now: () => deps.clock.now(), ...(deps.dryRun ? { dryRun: deps.dryRun } : {}),
    });
    this.delivery = new Delivery(deps.store, deps.chat, this.present, deps.logger, deps.webhooks,
      // A delivered page's receipt follows the other pages; a failed one moves its slot on at once.
      async (receipt) => {
        if (receipt.outcome === 'delivered') await lanes.afterUrgent();
        await this.service.recordPageReceipt(receipt);
      },
      (incident, options) => this.service.rooms.open(incident, options),
      deps.paging && this.pagingDelivery(deps.paging), lanes);
    const moreIncidents = () => base.openTaskIncidents();
    this.watchdog = new Watchdog({ ...deps, expectedTimers: expected, moreIncidents }, deps.watchdogIntervalMs);
    this.reports = new WeeklyReports({ ...deps, weekly: deps.config.reports.weekly, present: this.present });
    this.drills = new DrillScheduler({ ...deps, service: this.service, present: this.present, playbooks: deps.playbooks ?? EMPTY_LIBRARY });
    const pushKinds = new Set(deps.paging?.port.available() ?? []);
    const notices = deps.shifts ? new ShiftNotices({ ...deps, shifts: deps.shifts, t: this.present.t, pushKinds }) : undefined;
    this.shiftNotices = notices;
    this.shifts = deps.shifts
      ? new ShiftService({ ...deps, store: deps.shifts, t: this.present.t, onChange: async (change) => notices?.afterChange(change) })
      : undefined;
    this.commandDeps = {
      config: deps.config, store: deps.store, incidents: this.service, actions: this.actions,
      present: this.present, logger: deps.logger, now: () => deps.clock.now(), knowledge: this.knowledge,
      ...(this.shifts ? { shifts: this.shifts } : {}),
      ...(deps.paging ? { paging: pagingTester(deps.paging.port, deps.config) } : {}),
    };
  }

  /** Re-creates missing timers and messages, then starts the workers and the watchdog. */
  async start(options: { watchdog?: boolean } = {}): Promise<ReconcileReport> {
    const report = await reconcile({ ...this.deps, expectedTimers: (incident) => this.timers.expectedTimers(incident) });
    await this.deps.scheduler.start((timer) => this.fireTimer(timer));
    await this.deps.outbox.start((message, options) =>
      this.delivery.deliver(message, options).catch((error: unknown) => {
        const failed = !(error instanceof RetryLaterError) || error.attemptFailed;
        if (failed) for (const listener of this.failureListeners) listener(message);
        throw error;
      }),
    );
    await this.drills.start();
    await this.reports.start();
    this.knowledgeReady = this.loadKnowledge();
    await this.shiftNotices?.start();
    this.workersStartedAt = this.deps.clock.now();
    if (options.watchdog !== false) this.watchdog.start();
    this.deps.logger.info({ ...report, overdue: report.overdue.length }, 'muster started');
    return report;
  }

  /**
   * Builds the knowledge index behind the start (it never holds up the
   * workers), then re-creates the timers of open knowledge tasks: they belong
   * to resolved incidents, outside the active set the first pass read.
   */
  private async loadKnowledge(): Promise<void> {
    try {
      await this.knowledge.base.load();
      const open = await this.knowledge.base.openTaskIncidents();
      await this.deps.scheduler.scheduleAll(open.flatMap((incident) => this.timers.queuedTimers(incident)), { revive: true });
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : error }, 'could not build the knowledge index yet; searches and the watchdog retry');
    }
  }

  /** Every commit in this process: the index follows it, and a new real incident gets its similar past ones. */
  /** The knowledge index follows every commit, behind the pages while any are on their way (it keeps the newest version). */
  private onCommit(incident: Incident, events: TimelineEvent[]): void {
    const follow = () => {
      try {
        this.knowledge.base.observe(incident, events);
        if (events.some((event) => event.type === 'incident.declared')) this.knowledge.suggestLater(incident);
      } catch (error) {
        this.deps.logger.warn({ incident: incident.id, err: error }, 'knowledge index could not follow a commit; the change feed will');
      }
    };
    if (this.lanes.busy) void this.lanes.afterUrgent().then(follow);
    else follow();
  }

  private pagingDelivery(paging: NonNullable<MusterDeps['paging']>): PagingDelivery['deliver'] {
    return new PagingDelivery({
      store: this.deps.store, port: paging.port, logger: this.deps.logger, tokenTtlMs: this.deps.config.paging.ackLinks.ttl,
      ...(paging.tokens ? { tokens: paging.tokens } : {}),
      record: (outcome) => this.service.apply(outcome.message.incident, 'muster', (fx, ctx) => recordPagingOutcome(ctx, fx, outcome)),
    }).deliver;
  }

  /** A provider's status callback: on the page's record, timeline and board; a failure moves the person to their next method. */
  async pagingStatus(status: DeliveryStatus): Promise<void> {
    const incident = incidentWithMessage(await this.deps.store.listActive(), status.messageId);
    if (!incident) {
      this.deps.logger.info({ provider: status.provider, messageId: status.messageId, state: status.state }, 'provider receipt for no open page; ignored');
      return;
    }
    await this.service.apply(incident.id, 'muster', (fx, ctx) => recordProviderStatus(ctx, fx, status));
  }

  /** An acknowledgement from the phone: the same ack transition as chat, fenced by the page's epochs. */
  async phoneAck(ack: PhoneAck): Promise<PhoneAckOutcome> {
    try {
      return await this.service.apply(ack.incident, ack.person, (fx, ctx) => ackFromPhone(ctx, fx, ack));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') return 'stale';
      throw error;
    }
  }

  dispatch(request: CommandRequest, options: DispatchOptions = {}): Promise<Reply> {
    return dispatch(request, this.commandDeps, options);
  }

  /** Each failed delivery attempt (the outbox retries it): metrics count them. */
  onDeliveryFailure(listener: (message: OutboundMessage) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.workersStartedAt = undefined;
    this.watchdog.stop();
    // Similar-incident follow-ups already queued finish first (each logs its own failure).
    await this.knowledge.idle();
    await this.deps.scheduler.close();
    await this.deps.outbox.close();
  }

  /** A timer fired: its kind's registration handles it (a fenced incident transition, or its owner). */
  async fireTimer(timer: Timer): Promise<void> {
    const kind = this.timers.get(timer.kind);
    try {
      if (kind?.scope === 'incident') await this.service.onTimer(timer, kind);
      else if (kind?.scope === 'owned') await kind.fire(timer);
      else this.deps.logger.warn({ timer: timer.id, kind: timer.kind }, 'a timer of an unknown kind fired; ignored');
    } catch (error) {
      this.deps.logger.error({ timer: timer.id, err: error }, 'timer handler failed; it will be retried');
      throw error;
    }
  }

  private emit(event: TimelineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'timeline listener failed');
      }
    }
  }
}
