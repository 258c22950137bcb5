import { chainEvents } from '../audit/chain.js';
import type { AuditKey } from '../audit/key.js';
import { ledgerEntryFor } from '../audit/ledger.js';
import { CommitOutcomeUnknownError, DomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { StoreUnavailableError, type Clock, type Commit, type IncidentStore, type OutboundMessage, type Outbox, type Scheduler, type SendClaims, type Timer } from '../ports.js';
import { Effects } from '../kernel/effects.js';
import type { Lanes } from '../kernel/lanes.js';
import { nextDueAt, wakeFor } from '../timers/wake.js';
import type { Incident, TimelineEvent } from './types.js';

export interface CommitDeps {
  store: IncidentStore;
  outbox: Outbox;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Signs every timeline entry and ledger entry; the secret never reaches the store. */
  auditKey: AuditKey;
  /** Called with each committed event, in order (the console's --json mode listens). */
  onEvent: (event: TimelineEvent) => void;
  /** The timers a committed record expects (the timer table); the commit queues its incident's wake for the earliest. */
  expectedTimers: (incident: Incident) => Timer[];
  /**
   * Called with each committed record and its events, after its messages and
   * timers were handed on (the knowledge index follows commits this way). It
   * must not throw or block: it runs behind the pages, never in their way.
   */
  onCommit?: (incident: Incident, events: TimelineEvent[]) => void;
  /**
   * Effects that follow from the record itself, whatever changed it (PagerDuty
   * mirroring): run on the draft just before each write attempt, so what it
   * adds lands in the same atomic commit.
   */
  beforeWrite?: (fx: Effects) => void;
  /** Pages first (src/kernel/lanes.ts): a declare is urgent until its pages are handed on, and timers follow the pages. */
  lanes?: Lanes;
  /**
   * The send claims to take with a commit's messages (src/delivery/): the
   * pages are claimed in the commit's own write, and their first attempt
   * goes straight to the chat. Absent: every attempt claims for itself.
   */
  sendClaims?: (outbox: OutboundMessage[]) => SendClaims | undefined;
}

const MAX_ATTEMPTS = 8;

/**
 * Writes one use case's effects: chains the events, commits the incident with
 * its version check, then hands the outbox messages and timers onwards.
 * On a version conflict (an ack racing a timer, two replicas) it re-reads and
 * re-runs `change`, which re-checks its fencing tokens against fresh state.
 *
 * Returns the committed incident, or undefined when `change` decided there was
 * nothing to do. If enqueueing fails after the commit, nothing is lost: the
 * messages stay pending in the store and the reconciler re-sends them.
 */
export async function commitChange<T>(
  deps: CommitDeps,
  load: () => Promise<Incident | undefined>,
  actor: string,
  change: (fx: Effects) => T,
): Promise<{ incident: Incident; result: T; changed: boolean }> {
  // The record a refused write read back (to tell a refusal from a landed write) is the next attempt's start.
  let fresh: Incident | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const current = fresh ?? (await load());
    fresh = undefined;
    if (!current) throw new DomainError('not_found', 'incident vanished');
    const fx = new Effects(structuredClone(current), deps.clock.now(), actor);
    const result = change(fx);
    if (!fx.changed) return { incident: current, result, changed: false };
    const written = await write(deps, current.version, fx, undefined, current);
    if ('committed' in written) return { incident: written.committed, result, changed: true };
    fresh = written.stored;
    deps.logger.debug({ incident: current.id, attempt }, 'version conflict, retrying');
  }
  throw new DomainError('conflict', `incident changed ${MAX_ATTEMPTS} times while writing`);
}

/** Creates a new incident (expected version 0) with its first effects. */
export async function createIncident(deps: CommitDeps, fx: Effects, request?: Commit['request']): Promise<Incident> {
  const written = await write(deps, 0, fx, request);
  if (!('committed' in written)) throw new DomainError('conflict', `incident ${fx.incident.id} already exists`);
  return written.committed;
}

/** Written, or refused with the record as the store holds it now (read to tell a refusal from a landed write). */
type Written = { committed: Incident } | { stored: Incident | undefined };

async function write(deps: CommitDeps, expectedVersion: number, fx: Effects, request?: Commit['request'], before?: Incident): Promise<Written> {
  deps.beforeWrite?.(fx);
  const incident = fx.incident;
  const { events, head } = chainEvents(incident.head, incident.id, fx.events, deps.auditKey);
  incident.head = head;
  incident.version = expectedVersion + 1;
  // The commit that creates an incident also writes its signed ledger entry, so it cannot vanish unseen.
  const first = expectedVersion === 0 ? events[0] : undefined;
  const ledger = first ? { ledger: ledgerEntryFor(incident, first, deps.auditKey) } : {};
  const values = Object.keys(fx.values).length > 0 ? { values: fx.values } : {};
  const expected = deps.expectedTimers(incident);
  const due = nextDueAt(expected);
  const claims = deps.sendClaims?.(fx.outbox);
  const outcome = await commitOnce(deps, {
    incident, expectedVersion, events, outbox: fx.outbox, ...ledger, ...values,
    ...(request ? { request } : {}), ...(due !== undefined ? { nextDueAt: due } : {}), ...(claims ? { claims } : {}),
  });
  if (outcome !== true) return { stored: outcome.stored };
  for (const event of events) deps.onEvent(event);
  await afterCommit(deps, incident, expected, fx, before, claims);
  deps.onCommit?.(incident, events);
  return { committed: incident };
}

/**
 * One commit, telling apart "refused" from "landed but the reply was lost".
 * A lost reply surfaces as a connection error, or as a refusal when the client
 * re-sends the script after reconnecting and the version check stops the
 * duplicate. Either way the record decides: the exact head we computed means
 * our write is in. When even that cannot be read, say the outcome is unknown
 * rather than claim nothing was recorded.
 */
async function commitOnce(deps: CommitDeps, change: Commit): Promise<true | { stored: Incident | undefined }> {
  try {
    if (await deps.store.commit(change)) return true;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    const landed = await ourWriteLanded(deps, change).catch(() => {
      throw new CommitOutcomeUnknownError(change.incident.id);
    });
    if (landed === true) return true;
    throw error;
  }
  return ourWriteLanded(deps, change);
}

async function ourWriteLanded(deps: CommitDeps, change: Commit): Promise<true | { stored: Incident | undefined }> {
  const stored = await deps.store.get(change.incident.id);
  return stored?.version === change.incident.version && stored.head.hash === change.incident.head.hash ? true : { stored };
}

/**
 * What this commit changed in its incident's queued wake (src/timers/wake.ts):
 * a new earliest due time is a new wake to queue, and the wake it replaced
 * leaves the queue now (one removal, where firing later to find nothing due
 * costs a read). A wake firing this very commit is held by its worker, which
 * the queue refuses to remove (and drops once done): asking for it would be a
 * round trip for nothing. A commit that keeps the earliest due time queues
 * nothing: its wake is queued already (one that never made it, after a failed
 * hand-off, is the reconciler's).
 */
function timerChanges(deps: CommitDeps, incident: Incident, expected: Timer[], firing: ReadonlySet<string>, before?: Incident): { added: Timer[]; stale: string[] } {
  const wake = wakeFor(incident.id, expected);
  if (!before) return { added: wake ? [wake] : [], stale: [] };
  const was = wakeFor(before.id, deps.expectedTimers(before));
  if (was?.id === wake?.id) return { added: [], stale: [] };
  return { added: wake ? [wake] : [], stale: was && !firing.has(was.id) ? [was.id] : [] };
}

async function afterCommit(deps: CommitDeps, incident: Incident, expected: Timer[], fx: Effects, before?: Incident, claimed?: SendClaims): Promise<void> {
  const handOn = () => deps.outbox.enqueue(fx.outbox, claimed ? { claimed } : {});
  try {
    const { added, stale } = timerChanges(deps, incident, expected, fx.firing, before);
    const handOff = async () => {
      if (added.length > 0 || stale.length > 0) await Promise.all([deps.scheduler.scheduleAll(added), ...(stale.length > 0 ? [deps.scheduler.cancel(stale)] : [])]);
    };
    // The wake is for later; the pages are for now. While pages are on their
    // way (a storm of declares), the queue adds, and the client work each
    // costs, wait behind them; the commit does not wait for them then.
    if (deps.lanes?.busy) {
      void deps.lanes.afterUrgent().then(handOff).catch((error: unknown) => handOffFailed(deps, incident, error));
      await handOn();
    } else {
      await Promise.all([handOn(), handOff()]);
    }
  } catch (error) {
    handOffFailed(deps, incident, error);
  }
}

function handOffFailed(deps: CommitDeps, incident: Incident, error: unknown): void {
  deps.logger.warn({ incident: incident.id, err: error }, 'committed, but could not hand messages or timers on yet; the reconciler will retry');
}
