/**
 * The `notify` timer kind: the later steps of a paged person's notification
 * rule (a text after 2 minutes, a call after 5), one fenced timer per step,
 * derived from the page record (src/paging/plan.ts snapshotted the rule).
 * Methods due the moment the person is paged (push with a P1's chat page)
 * need no alarm: notifyAtOnce puts them in the page's own commit.
 *
 * Fence: the slot still pages at the epoch and escalation step the person
 * was paged in, and the step's methods have not gone out. An ack, a
 * reassignment or a resolve bumps the epoch; the chain moving on to its next
 * step moves `nextStep`; either way the timer does nothing. A firing hands
 * each method to the outbox as a `paging` message (src/paging/deliver.ts),
 * which re-checks the fence before the provider is called.
 *
 * Cost and noise: each method at most once per page (the plan holds each
 * kind once), and a person paged for two roles of one incident gets one
 * message per method naming both when the other role's same method falls
 * due within the minute.
 */
import type { ContactKind } from '../config/paging.js';
import type { Incident, PageRecord, PersonId, RoleSlot } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import type { PageNotification } from './port.js';
import { contactAddresses } from './rules.js';

/** Another role's notice this close to now joins the one going out. */
export const SAME_MINUTE_MS = 60_000;
const KEY_SEPARATOR = '~';

interface PagedFor {
  slot: RoleSlot;
  page: PageRecord;
}

const timerKey = (role: string, person: PersonId, index: number) => [role, person, String(index)].join(KEY_SEPARATOR);

function parseKey(key: string): { role: string; person: PersonId; index: number } | undefined {
  const [role, person, index, extra] = key.split(KEY_SEPARATOR);
  if (!role || !person || extra !== undefined || !/^\d+$/.test(index ?? '')) return undefined;
  return { role, person, index: Number(index) };
}

/** The person's page in the slot's current escalation step, while the slot still pages. */
function currentPage(slot: RoleSlot, person: PersonId): PageRecord | undefined {
  if (slot.state !== 'paging') return undefined;
  const step = slot.nextStep - 1;
  return [...slot.pages].reverse().find((page) => page.person === person && page.step === step);
}

const done = (page: PageRecord, kinds: readonly ContactKind[]) => kinds.every((kind) => page.notified?.includes(kind));

function expected(incident: Incident): Timer[] {
  if (incident.status === 'resolved') return [];
  return incident.slots.flatMap((slot) =>
    slot.pages.flatMap((page): Timer[] => {
      if (!page.notify || currentPage(slot, page.person) !== page) return [];
      const first = page.notify.findIndex((planned) => !done(page, planned.via));
      return page.notify.flatMap((planned, index): Timer[] => {
        if (done(page, planned.via)) return [];
        // A failed method hurries the next step: a new id, so the queue holds the earlier alarm too (its firing finds the step done).
        const hurried = index === first && page.hurryAt !== undefined && page.hurryAt < page.at + planned.atMs;
        return [{
          id: `ntf-${incident.id}-${slot.role}-e${slot.epoch}-s${page.step}-${page.person}-n${index}${hurried ? `-h${page.hurryAt}` : ''}`,
          dueAt: hurried ? (page.hurryAt as number) : page.at + planned.atMs,
          incident: incident.id,
          kind: 'notify',
          key: timerKey(slot.role, page.person, index),
          epoch: slot.epoch,
          step: page.step,
        }];
      });
    }),
  );
}

/** Other roles paging this person whose `kind` is due within the minute and has not gone out. */
function alsoDue(incident: Incident, person: PersonId, kind: ContactKind, until: number, except: RoleSlot): PagedFor[] {
  return incident.slots.flatMap((slot): PagedFor[] => {
    if (slot === except) return [];
    const page = currentPage(slot, person);
    const planned = page?.notify?.find((step) => step.via.includes(kind));
    if (!page || !planned || page.notified?.includes(kind) || page.at + planned.atMs > until) return [];
    return [{ slot, page }];
  });
}

function notification(ctx: MusterContext, incident: Incident, person: PersonId, paged: PagedFor[]): PageNotification {
  return {
    incident: incident.id,
    incidentNumber: incident.number,
    severity: incident.severity,
    title: incident.title,
    person,
    roles: paged.map(({ slot }) => ctx.present.roleName(slot.role)),
    drill: incident.drill !== undefined,
    room: { name: incident.roomName },
    fence: { incident: incident.id, person, roles: paged.map(({ slot }) => ({ role: slot.role, epoch: slot.epoch })) },
  };
}

/**
 * The same method already going out to this person in this commit (two roles
 * paged at once): it names this role too, instead of a second message.
 */
function joinedQueued(ctx: MusterContext, fx: Effects, person: PersonId, kind: ContactKind, one: PagedFor): boolean {
  const queued = fx.outbox.find((message) => message.kind === 'paging' && message.address.kind === kind && message.notification.person === person);
  if (!queued || queued.kind !== 'paging') return false;
  const { notification } = queued;
  if (!notification.fence.roles.some((fenced) => fenced.role === one.slot.role)) {
    notification.roles.push(ctx.present.roleName(one.slot.role));
    notification.fence.roles.push({ role: one.slot.role, epoch: one.slot.epoch });
  }
  return true;
}

/** Hands the methods of one planned step not yet sent to the outbox, each kind once per page. */
function sendStep(ctx: MusterContext, fx: Effects, slot: RoleSlot, page: PageRecord, index: number): void {
  const incident = fx.incident;
  const planned = page.notify?.[index];
  if (!planned) return;
  const person = page.person;
  const addresses = contactAddresses(ctx.config.people[person] ?? {});
  for (const kind of planned.via.filter((candidate) => !page.notified?.includes(candidate))) {
    const paged = [{ slot, page }, ...alsoDue(incident, person, kind, fx.now + SAME_MINUTE_MS, slot)];
    for (const one of paged) one.page.notified = [...(one.page.notified ?? []), kind];
    const address = addresses[kind];
    if (!address || address.kind === 'chat' || joinedQueued(ctx, fx, person, kind, { slot, page })) continue;
    fx.outbox.push({
      id: `${incident.id}-ntf-${slot.role}-e${slot.epoch}-s${page.step}-${person}-${kind}`,
      incident: incident.id,
      kind: 'paging',
      address,
      notification: notification(ctx, incident, person, paged),
    });
  }
}

/**
 * The methods of a rule due the moment the person is paged (push with the
 * chat page) go out in the page's own commit, not through a timer: a push
 * then leaves with the chat page instead of queueing behind every timer of
 * a burst of declares. Later steps stay timers.
 */
export function notifyAtOnce(ctx: MusterContext, fx: Effects, slot: RoleSlot, page: PageRecord): void {
  page.notify?.forEach((planned, index) => {
    if (planned.atMs <= 0) sendStep(ctx, fx, slot, page, index);
  });
}

function fire(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const incident = fx.incident;
  const key = parseKey(timer.key);
  const slot = key && incident.slots.find((candidate) => candidate.role === key.role);
  if (!key || !slot || incident.status === 'resolved' || slot.epoch !== timer.epoch || slot.nextStep - 1 !== timer.step) return;
  const page = currentPage(slot, key.person);
  if (page) sendStep(ctx, fx, slot, page, key.index);
}

export const notifyTimer: IncidentTimerKind = { kind: 'notify', scope: 'incident', expected, fire };
