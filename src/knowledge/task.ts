import { DomainError } from '../errors.js';
import { clipText } from '../kernel/text.js';
import type { Translate } from '../i18n/catalog.js';
import type { Incident } from '../incidents/types.js';
import type { KnowledgeConfig } from './config.js';
import type { IncidentKnowledge, KnowledgeTask } from './record.js';

/**
 * The knowledge task as pure functions over the incident: open it at resolve,
 * say which timers it expects, apply a fired timer, close it by filing or by a
 * skip with a reason. Each returns the incident's next `knowledge`; the caller
 * commits it (and sends the notice) through the usual commit path.
 *
 * Timers are fenced by `task.epoch`: closing the task bumps it, so a reminder
 * or overdue alarm that fires late, twice, or on another replica does nothing.
 */

export const KNOWLEDGE_TIMER_KIND = 'knowledge' as const;
export type KnowledgeTimerKey = 'remind' | 'overdue';

export interface KnowledgeTimer {
  /** Deterministic and free of ":" (BullMQ job ids). */
  id: string;
  incident: string;
  kind: typeof KNOWLEDGE_TIMER_KIND;
  key: KnowledgeTimerKey;
  dueAt: number;
  epoch: number;
}

/** Who the team manager is, for the overdue escalation (from muster.yaml `teams`). */
export type ManagerOf = (team: string) => string | undefined;

/** What a fired timer asks the caller to send. */
export type KnowledgeNotice =
  | { kind: 'reminder'; to: string; dueAt: number }
  | { kind: 'overdue'; to: string; owner: string; dueAt: number };

export interface TimerOutcome {
  knowledge: IncidentKnowledge;
  notice?: KnowledgeNotice;
}

export function dueAfter(config: KnowledgeConfig, severity: Incident['severity']): number {
  return config.dueBySeverity[severity] ?? config.due;
}

/**
 * The task opened at resolve, or undefined for a drill (drills teach through
 * their scorecard) or when an entry is already filed. The owner is the holder
 * of the configured role, else the commander, else the declarer.
 */
export function openKnowledgeTask(incident: Incident, config: KnowledgeConfig, now: number): IncidentKnowledge | undefined {
  if (incident.drill || incident.knowledge?.entry || incident.knowledge?.task) return undefined;
  const held = (role: string) => incident.slots.find((slot) => slot.role === role && slot.state === 'acked' && slot.ackedBy);
  const slot = held(config.owner) ?? held('commander');
  const dueAt = now + dueAfter(config, incident.severity);
  const remindAt = dueAt - config.remindBefore;
  const task: KnowledgeTask = {
    state: 'open',
    owner: slot?.ackedBy ?? incident.declaredBy,
    ...(slot ? { ownerRole: slot.role, team: slot.team } : {}),
    openedAt: now,
    dueAt,
    ...(remindAt > now ? { remindAt } : {}),
    epoch: 0,
  };
  return { history: incident.knowledge?.history ?? [], ...incident.knowledge, task };
}

/** The timers an incident's knowledge task expects now (for the scheduler and the reconciler). */
export function knowledgeTimers(incident: Incident): KnowledgeTimer[] {
  const task = incident.knowledge?.task;
  if (!task || task.state !== 'open') return [];
  const timer = (key: KnowledgeTimerKey, dueAt: number): KnowledgeTimer => ({
    id: `knowledge-${incident.id}-${key}-${task.epoch}`,
    incident: incident.id,
    kind: KNOWLEDGE_TIMER_KIND,
    key,
    dueAt,
    epoch: task.epoch,
  });
  const timers: KnowledgeTimer[] = [];
  if (task.remindAt !== undefined && task.remindedAt === undefined && task.overdueAt === undefined) timers.push(timer('remind', task.remindAt));
  if (task.overdueAt === undefined) timers.push(timer('overdue', task.dueAt));
  return timers;
}

/**
 * Applies a fired timer. Returns undefined when it is stale (epoch moved, task
 * closed, already done): the caller then writes nothing and sends nothing.
 * Overdue goes to the owner's team manager, or to the owner when none is known.
 */
export function onKnowledgeTimer(incident: Incident, timer: Pick<KnowledgeTimer, 'key' | 'epoch'>, now: number, managerOf: ManagerOf): TimerOutcome | undefined {
  const knowledge = incident.knowledge;
  const task = knowledge?.task;
  if (!knowledge || !task || task.state !== 'open' || task.epoch !== timer.epoch) return undefined;
  if (timer.key === 'remind') {
    if (task.remindedAt !== undefined || task.overdueAt !== undefined) return undefined;
    return { knowledge: { ...knowledge, task: { ...task, remindedAt: now } }, notice: { kind: 'reminder', to: task.owner, dueAt: task.dueAt } };
  }
  if (task.overdueAt !== undefined) return undefined;
  const manager = task.team === undefined ? undefined : managerOf(task.team);
  const to = manager ?? task.owner;
  const next: KnowledgeTask = { ...task, overdueAt: now, escalatedTo: to };
  return { knowledge: { ...knowledge, task: next }, notice: { kind: 'overdue', to, owner: task.owner, dueAt: task.dueAt } };
}

/**
 * Marks the task filed, after `fileEntry` stored the entry. Filing without a
 * task (an incident resolved before the loop existed) is fine and changes nothing.
 */
export function closeTaskFiled(knowledge: IncidentKnowledge, by: string, now: number): IncidentKnowledge {
  const task = knowledge.task;
  if (!task || task.state !== 'open') return knowledge;
  return { ...knowledge, task: { ...task, state: 'filed', closedAt: now, closedBy: by, onTime: now <= task.dueAt, epoch: task.epoch + 1 } };
}

/** Skips the task; the reason is required and kept. */
export function skipKnowledgeTask(incident: Incident, reason: string, by: string, now: number, t: Translate): IncidentKnowledge {
  const task = incident.knowledge?.task;
  if (!incident.knowledge || !task) throw new DomainError('not_found', t('knowledge.noTask', { id: incident.id }));
  if (task.state === 'filed') throw new DomainError('conflict', t('knowledge.taskAlreadyFiled', { id: incident.id }));
  if (task.state === 'skipped') throw new DomainError('conflict', t('knowledge.taskAlreadySkipped', { id: incident.id }));
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw new DomainError('usage', t('knowledge.skipReasonRequired', { id: incident.id }));
  const next: KnowledgeTask = { ...task, state: 'skipped', closedAt: now, closedBy: by, skipReason: clipText(trimmed, 500), epoch: task.epoch + 1 };
  return { ...incident.knowledge, task: next };
}

export interface OnTimeShare {
  /** Tasks due in the window (opened for real incidents). */
  due: number;
  filedOnTime: number;
  filedLate: number;
  skipped: number;
  open: number;
  /** filedOnTime / due, or undefined when nothing was due. */
  share?: number;
}

/** The share of knowledge tasks filed on time, over tasks due in [from, to) (weekly report, dashboard). */
export function onTimeShare(incidents: Iterable<Incident>, from: number, to: number): OnTimeShare {
  const out: OnTimeShare = { due: 0, filedOnTime: 0, filedLate: 0, skipped: 0, open: 0 };
  for (const incident of incidents) {
    const task = incident.knowledge?.task;
    if (!task || incident.drill || task.dueAt < from || task.dueAt >= to) continue;
    out.due += 1;
    if (task.state === 'skipped') out.skipped += 1;
    else if (task.state === 'open') out.open += 1;
    else if (task.onTime) out.filedOnTime += 1;
    else out.filedLate += 1;
  }
  if (out.due > 0) out.share = out.filedOnTime / out.due;
  return out;
}
