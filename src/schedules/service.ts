import type { MusterConfig } from '../config/schema.js';
import type { Translate } from '../i18n/catalog.js';
import type { Clock, OutboundMessage, Outbox } from '../ports.js';
import { coverShift, loadSchedule, takeShift, type ChangeOutcome, type CoverInput, type ScheduleDeps, type TakeInput } from './changes.js';
import { changeNotice, type ChangeEvent } from './messages.js';
import type { ShiftChangeStore } from './ports.js';
import { whoIsOn, type Schedule, type WhoIsOn } from './resolve.js';
import { cancelChange, decideSwap, listChanges, requestSwap, type SwapInput } from './swaps.js';
import type { ShiftChange } from './types.js';
import { weekAhead, type TeamWeek } from './week.js';

/**
 * The shift-change use cases as chat calls them: each runs the domain use
 * case (src/schedules/changes.ts, swaps.ts), then tells everyone involved
 * through the outbox — the person asked to swap gets Accept and Decline
 * buttons — and lets the shift notices plan any handoff the change creates.
 * Notice ids name the change and its version, so a retried request tells
 * nobody twice.
 */

/** Outbox messages that belong to no incident carry this in their incident field. */
export const SCHEDULES_SCOPE = 'schedules';

export interface ShiftServiceDeps {
  config: MusterConfig;
  store: ShiftChangeStore;
  outbox: Outbox;
  clock: Clock;
  t: Translate;
  /** Called after every change is written (the shift notices plan its handoffs). */
  onChange?: (change: ShiftChange) => Promise<void>;
}

export class ShiftService {
  constructor(private readonly deps: ShiftServiceDeps) {}

  get config(): MusterConfig {
    return this.deps.config;
  }

  private get domain(): ScheduleDeps {
    return { config: this.deps.config, store: this.deps.store, now: () => this.deps.clock.now(), t: this.deps.t };
  }

  cover(input: CoverInput): Promise<ChangeOutcome> {
    return this.tell(coverShift(this.domain, input), input.actor, 'cover');
  }

  take(input: TakeInput): Promise<ChangeOutcome> {
    return this.tell(takeShift(this.domain, input), input.actor, 'take');
  }

  swap(input: SwapInput): Promise<ChangeOutcome> {
    return this.tell(requestSwap(this.domain, input), input.actor, 'swapAsked');
  }

  decide(input: { actor: string; id: string; accept: boolean }): Promise<ChangeOutcome> {
    return this.tell(decideSwap(this.domain, input), input.actor, input.accept ? 'accepted' : 'declined');
  }

  cancel(input: { actor: string; id: string }): Promise<ChangeOutcome> {
    return this.tell(cancelChange(this.domain, input), input.actor, 'cancelled');
  }

  list(team?: string): Promise<ShiftChange[]> {
    return listChanges(this.domain, team);
  }

  /** The schedule (rotation and accepted changes) around `at`, read once for many questions. */
  schedule(at: number): Promise<Schedule> {
    return loadSchedule({ config: this.deps.config, store: this.deps.store }, Math.min(at, this.deps.clock.now()));
  }

  async whoIsOn(teams: string[], at: number): Promise<WhoIsOn[]> {
    const schedule = await this.schedule(at);
    return teams.map((team) => whoIsOn(schedule, team, at));
  }

  /** Every team's holdings over the next seven days (the dashboard). */
  async week(from = this.deps.clock.now()): Promise<TeamWeek[]> {
    return weekAhead(await this.schedule(from), { config: this.deps.config, t: this.deps.t }, from);
  }

  private async tell(work: Promise<ChangeOutcome>, actor: string, event: ChangeEvent): Promise<ChangeOutcome> {
    const outcome = await work;
    const { change } = outcome;
    const words = { config: this.deps.config, t: this.deps.t };
    const messages = outcome.notify.map((person): OutboundMessage => ({
      id: `oncall-${change.id}-v${change.version}-${person}`,
      incident: SCHEDULES_SCOPE,
      kind: 'message',
      to: { kind: 'person', person },
      message: changeNotice(words, change, actor, event, person),
    }));
    if (messages.length > 0) await this.deps.outbox.enqueue(messages);
    await this.deps.onChange?.(change);
    return outcome;
  }
}
