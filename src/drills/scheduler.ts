import { randomUUID } from 'node:crypto';
import type { MusterConfig } from '../config/schema.js';
import type { IncidentService } from '../incidents/service.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { PlaybookLibrary } from '../playbooks/library.js';
import type { Clock, IncidentStore, Scheduler, Timer } from '../ports.js';
import { LeaseBusyError, withLease } from '../kernel/lease.js';
import { drillBlocker, launchDrill } from './launch.js';
import { isAllowed, nextDrillTime } from './planner.js';
import type { DrillSchedule } from './schedule-schema.js';

/** How often each schedule's planning job runs (a BullMQ job scheduler): it also re-arms a lost drill timer. */
export const PLAN_EVERY_MS = 60 * 60_000;
const RETRY_AFTER_BLOCK_MS = 60_000;
const PLAN_LEASE = { ttlMs: 30_000, waitMs: 10_000 };

interface DrillState {
  /** The planned start; only the scheduler sees it, never a responder. */
  plannedAt?: number;
  history: number[];
}

export interface DrillSchedulerDeps {
  config: MusterConfig;
  store: IncidentStore;
  scheduler: Scheduler;
  service: IncidentService;
  present: Presenter;
  playbooks: PlaybookLibrary;
  logger: Logger;
  clock: Clock;
  random?: () => number;
}

/**
 * Plans and fires unannounced drills. Each schedule has one repeating
 * planning job (idempotent by id, so restarts never duplicate it) and at most
 * one planned start, kept in the store. Firing is fenced by the planned time
 * and a lease, so a duplicate or late job never starts a second drill.
 */
export class DrillScheduler {
  private readonly owner = `drills-${randomUUID()}`;

  constructor(private readonly deps: DrillSchedulerDeps) {}

  private get schedules(): Record<string, DrillSchedule> {
    return this.deps.config.drills;
  }

  async start(): Promise<void> {
    for (const id of Object.keys(this.schedules)) {
      await this.deps.scheduler.repeat(`drill-plan-${id}`, PLAN_EVERY_MS, { incident: `drills-${id}`, kind: 'drill-plan', key: id, epoch: 0 });
      await this.plan(id);
    }
  }

  async onTimer(timer: Timer): Promise<void> {
    if (timer.kind === 'drill-plan') await this.plan(timer.key);
    else if (timer.kind === 'drill') await this.fire(timer.key, timer.epoch);
  }

  private async state(id: string): Promise<DrillState> {
    const raw = await this.deps.store.getValue(`drill-state:${id}`);
    return raw ? (JSON.parse(raw) as DrillState) : { history: [] };
  }

  private async save(id: string, state: DrillState): Promise<void> {
    await this.deps.store.setValue(`drill-state:${id}`, JSON.stringify({ ...state, history: state.history.slice(-50) }));
  }

  /**
   * Makes sure a start is planned and its timer armed (both idempotent).
   * Planning runs under a lease: BullMQ runs a new planning job at once, so a
   * fresh start plans in start() and in that job at the same moment, and two
   * replicas can start together; unserialised, each would draw its own random
   * start and arm a second drill.
   */
  async plan(id: string, after = this.deps.clock.now()): Promise<number | undefined> {
    const schedule = this.schedules[id];
    if (!schedule) return undefined;
    try {
      return await withLease(this.deps.store, `drill-plan:${id}`, this.owner, PLAN_LEASE, () => this.planLocked(id, schedule, after));
    } catch (error) {
      if (!(error instanceof LeaseBusyError)) throw error;
      this.deps.logger.warn({ schedule: id }, 'drill planning is held elsewhere; the hourly planning job checks again');
      return undefined;
    }
  }

  private async planLocked(id: string, schedule: DrillSchedule, after: number): Promise<number | undefined> {
    const state = await this.state(id);
    if (state.plannedAt === undefined || state.plannedAt < after - RETRY_AFTER_BLOCK_MS) {
      const next = nextDrillTime(schedule, after, state.history, this.deps.random ?? Math.random);
      if (next === undefined) {
        this.deps.logger.warn({ schedule: id }, 'no allowed moment for a drill in the next 400 days (windows and blackouts)');
        return undefined;
      }
      state.plannedAt = next;
      await this.save(id, state);
    }
    await this.deps.scheduler.schedule({ id: `drill-${id}-${state.plannedAt}`, dueAt: state.plannedAt, incident: `drills-${id}`, kind: 'drill', key: id, epoch: state.plannedAt });
    return state.plannedAt;
  }

  private async fire(id: string, plannedAt: number): Promise<void> {
    const key = `drill-fire:${id}`;
    if (!(await this.deps.store.acquireLease(key, this.owner, 60_000))) return;
    try {
      const state = await this.state(id);
      if (state.plannedAt !== plannedAt) return; // stale or already fired
      const schedule = this.schedules[id];
      const scenario = schedule ? this.deps.playbooks.get(schedule.scenario) : undefined;
      if (!schedule || !scenario) return;
      const now = this.deps.clock.now();
      const blocked = (await drillBlocker(this.deps.store, this.deps.present.t)) ?? (isAllowed(schedule, now, state.history).ok ? undefined : 'outside its windows');
      if (blocked) {
        this.deps.logger.info({ schedule: id, reason: blocked }, 'drill moved to a later window');
        await this.save(id, { history: state.history });
        await this.plan(id, now + RETRY_AFTER_BLOCK_MS);
        return;
      }
      await this.save(id, { history: [...state.history, now] });
      const incident = await launchDrill(this.deps, scenario, { startedBy: 'muster', origin: `drills:${id}`, schedule: id, live: schedule.live });
      this.deps.logger.info({ schedule: id, incident: incident.id }, 'unannounced drill started');
      await this.plan(id);
    } finally {
      await this.deps.store.releaseLease(key, this.owner).catch(() => undefined);
    }
  }
}
