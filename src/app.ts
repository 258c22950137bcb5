import type { AuditKey } from './audit/key.js';
import type { MusterConfig } from './config/schema.js';
import { dispatch } from './commands/dispatch.js';
import type { CommandRequest, Reply } from './commands/types.js';
import { IncidentService } from './incidents/service.js';
import type { TimelineEvent } from './incidents/types.js';
import type { Logger } from './logger.js';
import { Presenter } from './notify/present.js';
import { EMPTY_LIBRARY, type PlaybookLibrary } from './playbooks/library.js';
import { DrillScheduler } from './drills/scheduler.js';
import { WeeklyReports } from './reports/weekly.js';
import { createActionCommands, type ActionCommands } from './actions/commands.js';
import type { ActionExecutors } from './actions/ports.js';
import type { ChatPort, Clock, IncidentStore, Outbox, OutboundMessage, Scheduler, Timer, WebhookPort } from './ports.js';
import { Delivery } from './runtime/delivery.js';
import { reconcile, Watchdog, type ReconcileReport } from './runtime/reconciler.js';

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
}

type EventListener = (event: TimelineEvent) => void;

/**
 * The bot, given its ports. It knows nothing of which adapters it runs on;
 * src/main.ts picks them.
 */
export class Muster {
  readonly present: Presenter;
  readonly service: IncidentService;
  readonly watchdog: Watchdog;
  private readonly delivery: Delivery;
  private readonly actions: ActionCommands;
  readonly drills: DrillScheduler;
  readonly reports: WeeklyReports;
  private readonly listeners = new Set<EventListener>();
  private readonly failureListeners = new Set<(message: OutboundMessage) => void>();
  /** Set once the timer and outbox workers run (the readiness check reads it). */
  workersStartedAt: number | undefined;

  constructor(private readonly deps: MusterDeps) {
    this.present = new Presenter(deps.config);
    this.service = new IncidentService({
      ...deps,
      ...(deps.playbooks ? { playbooks: deps.playbooks } : {}),
      present: this.present,
      onEvent: (event) => this.emit(event),
    });
    this.delivery = new Delivery(deps.store, deps.chat, this.present, deps.logger, deps.webhooks);
    this.watchdog = new Watchdog(deps, deps.watchdogIntervalMs);
    this.actions = createActionCommands({ executors: deps.executors ?? {} });
    this.reports = new WeeklyReports({ ...deps, weekly: deps.config.reports.weekly, present: this.present });
    this.drills = new DrillScheduler({ ...deps, service: this.service, present: this.present, playbooks: deps.playbooks ?? EMPTY_LIBRARY });
  }

  /** Re-creates missing timers and messages, then starts the workers and the watchdog. */
  async start(options: { watchdog?: boolean } = {}): Promise<ReconcileReport> {
    const report = await reconcile(this.deps);
    await this.deps.scheduler.start((timer) => this.fire(timer));
    await this.deps.outbox.start((message) =>
      this.delivery.deliver(message).catch((error: unknown) => {
        for (const listener of this.failureListeners) listener(message);
        throw error;
      }),
    );
    await this.drills.start();
    await this.reports.start();
    this.workersStartedAt = this.deps.clock.now();
    if (options.watchdog !== false) this.watchdog.start();
    this.deps.logger.info({ ...report, overdue: report.overdue.length }, 'muster started');
    return report;
  }

  dispatch(request: CommandRequest): Promise<Reply> {
    return dispatch(request, {
      config: this.deps.config,
      store: this.deps.store,
      service: this.service,
      present: this.present,
      logger: this.deps.logger,
      now: () => this.deps.clock.now(),
      actions: this.actions,
    });
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
    await this.deps.scheduler.close();
    await this.deps.outbox.close();
  }

  private async fire(timer: Timer): Promise<void> {
    try {
      if (timer.kind === 'drill' || timer.kind === 'drill-plan') await this.drills.onTimer(timer);
      else if (timer.kind === 'report') await this.reports.onTimer(timer);
      else await this.service.onTimer(timer);
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
