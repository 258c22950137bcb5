import type { Severity } from '../config/schema.js';
import type { IncidentActions } from '../actions/types.js';
import type { IncidentKnowledge } from '../knowledge/record.js';

import type { ConversationRef, PersonId } from '../kernel/ids.js';
import type { ContactKind } from '../config/paging.js';

export type { ConversationRef, PersonId } from '../kernel/ids.js';

export type IncidentStatus = 'assembling' | 'assembled' | 'mitigated' | 'resolved';
/**
 * released: no longer needed (a downgrade); cancelled: the incident was
 * resolved while the slot was still paging. Either way its escalation stopped.
 */
export type SlotState = 'paging' | 'acked' | 'released' | 'cancelled';

/**
 * One escalation step, snapshotted onto the incident at declare time so editing
 * the config later never changes a running muster.
 * `atMs` is the offset from the muster start; `targets` are resolved people.
 */
export interface SnapshotStep {
  atMs: number;
  targets: PersonId[];
  /** What the config said ("primary", "backup", "manager", "people"), for the timeline. */
  via: string;
  /**
   * Why the schedule chose `targets` for a position step when it was
   * snapshotted: "rotation" or the shift change's id. A step that runs later
   * compares it with the schedule then, to tell a handoff or an override
   * (page the new holder) from an edited config (keep the snapshot).
   */
  heldBy?: string;
}

export interface PageRecord {
  person: PersonId;
  at: number;
  step: number;
  /** The page's receipt, once delivery knows it. */
  delivery?: 'delivered' | 'failed';
  /** Why it failed, in the platform's words. */
  reason?: string;
  /**
   * The platform's reference of a page delivered while the war room was still
   * opening (so it names the room but cannot link it): the commit that opens
   * the room edits that message to link it, and clears this.
   */
  unlinkedRef?: string;
  /**
   * The person's later contact methods (their notification rule for the
   * severity, src/paging/plan.ts), snapshotted when paged: each step's offset
   * from `at` and its methods. Each step is a fenced `notify` timer.
   */
  notify?: Array<{ atMs: number; via: ContactKind[] }>;
  /** Methods already handed to the outbox (by this page's timer, or by another role's message in the same minute). */
  notified?: ContactKind[];
  /** What each provider said about the messages it took (status callbacks update `state`). */
  sent?: Array<{ kind: ContactKind; messageId?: string; state: 'accepted' | 'delivered' | 'failed'; detail?: string }>;
  /** Set when a method failed for good: the next step not yet run is due then instead of at its time. */
  hurryAt?: number;
}

/**
 * A role that must be staffed. `epoch` is the fencing token: any change that
 * makes pending timers obsolete (an ack) bumps it, and a timer whose epoch no
 * longer matches does nothing.
 */
export interface RoleSlot {
  role: string;
  team: string;
  state: SlotState;
  /** False for experts pulled in with /incident escalate and roles a downgrade no longer needs: they don't hold up assembly. */
  required?: boolean;
  /** When this slot's chain started (declare, or a later severity upgrade). */
  startedAt: number;
  epoch: number;
  /** Index of the next step to run in `chain`; equals chain.length when the chain is spent. */
  nextStep: number;
  chain: SnapshotStep[];
  pages: PageRecord[];
  ackedBy?: PersonId;
  ackedAt?: number;
}

export interface DrillMark {
  scenario: string;
  /** The drill schedule that planned it; absent for /drill start. */
  schedule?: string;
  /** Actions allowed to run for real in this drill, once a lead approved them at start. */
  live: string[];
  /** The lead who approved the live actions; until then they dry-run too. */
  liveApprovedBy?: string;
  startedBy: string;
}

export interface TimelineHead {
  seq: number;
  hash: string;
}

export interface Incident {
  id: string;
  number: number;
  title: string;
  severity: Severity;
  service?: string;
  status: IncidentStatus;
  declaredBy: PersonId;
  /** The chat's display name of a declarer missing from muster.yaml. */
  declaredByName?: string;
  declaredAt: number;
  /** The war room; may be the conversation it was declared in when no room could be opened. */
  room: ConversationRef;
  /** The war room as people name it ("#inc-42-checkout-is-failing"). */
  roomName: string;
  /** Set while the room is being opened (see src/incidents/war-room.ts); `room` is a placeholder meanwhile. */
  roomOpening?: { origin: ConversationRef };
  /** Set on a drill: every message says DRILL, audiences hear nothing, actions dry-run unless live. */
  drill?: DrillMark;
  summary?: string;
  /** Audiences told of this incident so far (src/notify/audiences.ts): an upgrade tells the others as a declare. */
  audiencesTold?: string[];
  slots: RoleSlot[];
  /**
   * The last PagerDuty Events API v2 action Muster queued for each person it
   * triggered PagerDuty for (src/paging/pagerduty-mirror.ts): `acknowledge`
   * once they hold a role, `resolve` once they are no longer needed.
   */
  pagerduty?: Record<PersonId, 'acknowledge' | 'resolve'>;
  assembleDeadlineAt?: number;
  assembledAt?: number;
  breachedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  /** Fencing token of the assembly deadline timer. */
  deadlineEpoch: number;
  /**
   * When the board's assembly countdown was last redrawn by a board tick, or
   * the assembly clock last restarted (src/muster/board-tick.ts): the next
   * tick is the first whole minute before the deadline after it.
   */
  boardTickAt?: number;
  /** Response SLA: someone must acknowledge by then (severities.<P>.respond). */
  respondBy?: number;
  respondedAt?: number;
  /** Fencing token of the response SLA timers (warning, breach). */
  slaEpoch?: number;
  slaWarnedAt?: number;
  /** Update cadence (severities.<P>.update): the next status update is due then. */
  updateDueAt?: number;
  updateGraceMs?: number;
  updateEpoch?: number;
  updateRemindedAt?: number;
  updateOverdueAt?: number;
  slaBreachedAt?: number;
  /** Resolution clock: resolved by then (severities.<P>.resolve), fenced by resolveEpoch. */
  resolveBy?: number;
  resolveEpoch?: number;
  resolveWarnedAt?: number;
  resolveBreachedAt?: number;
  /** Optimistic-concurrency version; the store refuses a write against a stale one. */
  version: number;
  head: TimelineHead;
  /** Privileged action requests and announced grants (src/actions). */
  actions?: IncidentActions;
  /** What was learned (entry, edit history) and the task of filing it (src/knowledge). */
  knowledge?: IncidentKnowledge;
  /** What monitoring sent (src/alerts): counters, so a re-sent alert adds no timeline entry. */
  alerts?: AlertTally;
}

export interface AlertTally {
  /** The store key that maps the alert group to this incident (cleared when the incident is archived). */
  key: string;
  /** Notifications received, every re-send included. */
  notifications: number;
  firing: number;
  resolved: number;
  lastSeenAt: number;
  /** Alerts the sender left out of its last notification (Alertmanager's truncatedAlerts). */
  truncated: number;
  /** Distinct alerts past the per-incident limit: counted here, not recorded one by one. */
  excess: number;
}

export type TimelineType =
  | 'incident.declared'
  | 'incident.linked'
  | 'room.opened'
  | 'page.sent'
  | 'page.stood_down'
  | 'page.delivered'
  | 'page.failed'
  | 'page.superseded'
  | 'escalation.unreachable'
  | 'slot.acked'
  | 'escalation.step'
  | 'escalation.requested'
  | 'incident.severity_changed'
  | 'slot.assigned'
  | 'incident.assembled'
  | 'assembly.breached'
  | 'sla.warning'
  | 'update.posted'
  | 'update.due'
  | 'update.overdue'
  | 'update.snoozed'
  | 'sla.breached'
  | 'incident.mitigated'
  | 'alert.received'
  | 'alert.truncated'
  | 'drill.started'
  | 'drill.scored'
  | 'drill.stopped'
  | 'drill.live_approved'
  | 'playbook.attached'
  | 'playbook.completed'
  | 'step.opened'
  | 'step.done'
  | 'step.skipped'
  | 'step.overdue'
  | 'incident.resolved'
  | 'action.requested'
  | 'action.approved'
  | 'action.denied'
  | 'action.refused'
  | 'action.started'
  | 'action.completed'
  | 'action.failed'
  | 'grant.issued'
  | 'grant.ended'
  | 'breakglass.used'
  | 'knowledge.task_opened'
  | 'knowledge.reminded'
  | 'knowledge.overdue'
  | 'knowledge.filed'
  | 'knowledge.edited'
  | 'knowledge.skipped'
  | 'knowledge.suggested'
  | 'knowledge.opened'
  | 'page.phone_ack'
  | 'page.notified'
  | 'page.notify_failed'
  | 'page.receipt';

/** An append-only, hash-chained timeline entry. */
export interface TimelineEvent {
  seq: number;
  incident: string;
  type: TimelineType;
  at: number;
  actor: string;
  role?: string;
  person?: PersonId;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** A timeline event before the chain fields are filled in. */
export type DraftEvent = Omit<TimelineEvent, 'seq' | 'incident' | 'prevHash' | 'hash'>;

export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['assembling', 'assembled', 'mitigated'];

/** Slots that must be staffed before the team counts as assembled. */
export function requiredSlots(incident: Incident): RoleSlot[] {
  return incident.slots.filter((slot) => slot.required !== false && slot.state !== 'released');
}

export function isActive(incident: Incident): boolean {
  return ACTIVE_STATUSES.includes(incident.status);
}

/** A war room still being opened has this placeholder for `room` (src/incidents/war-room.ts). */
export const PENDING_ROOM_PREFIX = 'pending:';

export function roomPending(incident: Pick<Incident, 'room'>): boolean {
  return incident.room.startsWith(PENDING_ROOM_PREFIX);
}
