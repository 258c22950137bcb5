import { DateTime } from 'luxon';
import { formatClock } from '../config/duration.js';
import { WEEKDAY, type ReportsConfig } from '../config/reports.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { Clock, IncidentStore, Message, OutboundMessage, Outbox, Scheduler, Timer } from '../ports.js';
import type { Incident } from '../incidents/types.js';
import { breachesOf, median } from './dashboard-data.js';
import { knowledgeLine, knowledgeMeasures } from '../knowledge/measures.js';

/**
 * The weekly report (`reports.weekly` in muster.yaml): last week's incidents,
 * assembly times, breaches and drills, posted to the leads' conversation at a
 * fixed local day and time. Planned like the drills: an hourly job scheduler
 * makes sure the next report's one-off timer exists; the send is idempotent
 * by the week it covers.
 */
type Weekly = NonNullable<ReportsConfig['weekly']>;

const PLAN_EVERY_MS = 60 * 60_000;

/** The next report moment strictly after `after`, in the report's zone (DST-safe via luxon). */
export function nextReportAt(weekly: Weekly, after: number): number {
  const [hour = 9, minute = 0] = weekly.time.split(':').map(Number);
  const weekday = WEEKDAY.options.indexOf(weekly.day) + 1;
  let candidate = DateTime.fromMillis(after, { zone: weekly.timeZone }).set({ hour, minute, second: 0, millisecond: 0 });
  while (candidate.weekday !== weekday || candidate.toMillis() <= after) {
    candidate = candidate.plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 });
  }
  return candidate.toMillis();
}

/** The report text for incidents declared in [from, to). */
export function weeklyMessage(present: Presenter, incidents: Incident[], from: number, to: number): Message {
  const week = incidents.filter((incident) => incident.declaredAt >= from && incident.declaredAt < to);
  const real = week.filter((incident) => !incident.drill);
  const drills = week.filter((incident) => incident.drill);
  const assembly = real.flatMap((incident) => (incident.assembledAt !== undefined ? [incident.assembledAt - incident.declaredAt] : []));
  const typical = median(assembly);
  const breaches = real.filter((incident) => breachesOf(incident).length > 0).length;
  const t = present.t;
  return {
    title: t('report.weeklyTitle', { from: new Date(from).toISOString().slice(0, 10), to: new Date(to - 1).toISOString().slice(0, 10) }),
    text: [
      t('report.weeklySummary', {
        incidents: real.length,
        p1: real.filter((incident) => incident.severity === 'P1').length,
        median: typical !== undefined ? formatClock(typical) : '-',
        breaches,
        drills: drills.length,
      }),
      knowledgeLine(t, knowledgeMeasures(incidents, from, to)),
    ].join('\n'),
    fields: real.slice(0, 20).map((incident) => ({
      label: `${incident.id} [${incident.severity}]`,
      value: `${incident.title} · ${incident.assembledAt !== undefined ? formatClock(incident.assembledAt - incident.declaredAt) : t('drill.notAssembled')}${breachesOf(incident).length > 0 ? ` · ${breachesOf(incident).join(', ')}` : ''}`,
    })),
    tone: 'info',
  };
}

export interface WeeklyDeps {
  weekly: Weekly | undefined;
  store: IncidentStore;
  scheduler: Scheduler;
  outbox: Outbox;
  present: Presenter;
  clock: Clock;
  logger: Logger;
}

export class WeeklyReports {
  constructor(private readonly deps: WeeklyDeps) {}

  async start(): Promise<void> {
    if (!this.deps.weekly) return;
    await this.deps.scheduler.repeat('report-weekly-plan', PLAN_EVERY_MS, { incident: 'reports', kind: 'report', key: 'plan', epoch: 0 });
    await this.plan();
  }

  async onTimer(timer: Timer): Promise<void> {
    if (timer.key === 'plan') await this.plan();
    else await this.send(timer.epoch);
  }

  private async plan(): Promise<void> {
    const weekly = this.deps.weekly;
    if (!weekly) return;
    const at = nextReportAt(weekly, this.deps.clock.now());
    await this.deps.scheduler.schedule({ id: `report-weekly-${at}`, dueAt: at, incident: 'reports', kind: 'report', key: 'send', epoch: at });
  }

  /** Sends the report for the week ending at `at`, once: the outbox message id names the week. */
  private async send(at: number): Promise<void> {
    const weekly = this.deps.weekly;
    if (!weekly) return;
    const from = at - 7 * 86_400_000;
    const incidents = await this.deps.store.listRecent(1000);
    const message: OutboundMessage = {
      id: `report-weekly-${at}`,
      incident: 'reports',
      kind: 'message',
      to: { kind: 'room', conversation: weekly.conversation },
      message: weeklyMessage(this.deps.present, incidents, from, at),
    };
    await this.deps.outbox.enqueue([message]);
    this.deps.logger.info({ week: new Date(from).toISOString() }, 'weekly report sent');
    await this.plan();
  }
}
