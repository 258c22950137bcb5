import type { MusterContext } from '../kernel/context.js';
import { KNOWLEDGE_CLOCK } from '../incidents/page-fence.js';
import type { Incident } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';
import { overdueMessage, reminderMessage, taskMessage } from './messages.js';
import { knowledgeTimers, onKnowledgeTimer, openKnowledgeTask, type KnowledgeTimerKey } from './task.js';

/**
 * The knowledge task in the incident's life: opened at resolve (the owner gets
 * a direct message naming what to file, by when, and the command), then its
 * reminder and overdue timers as one incident timer kind. Both timers fence on
 * `knowledge.task.epoch` and on what already happened (remindedAt, overdueAt),
 * and the commit's version check makes a second replica's firing a no-op.
 */

/** Opens the task on a draft being resolved (drills and incidents with an entry get none). */
export function openTaskAtResolve(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  const knowledge = openKnowledgeTask(incident, ctx.config.knowledge, fx.now);
  const task = knowledge?.task;
  if (!knowledge || !task) return;
  incident.knowledge = knowledge;
  fx.event('knowledge.task_opened', { actor: 'muster', person: task.owner, data: { owner: task.owner, dueAt: task.dueAt, ...(task.ownerRole ? { role: task.ownerRole } : {}) } });
  fx.send(`knowledge-task-${task.owner}`, { kind: 'person', person: task.owner }, taskMessage(readBy(ctx, task.owner), incident, task));
}

function fire(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const key = timer.key as KnowledgeTimerKey;
  if (key !== 'remind' && key !== 'overdue') return;
  const outcome = onKnowledgeTimer(fx.incident, { key, epoch: timer.epoch }, fx.now, (team) => ctx.config.teams[team]?.manager);
  if (!outcome?.notice) return;
  const incident = fx.incident;
  incident.knowledge = outcome.knowledge;
  const notice = outcome.notice;
  const epoch = timer.epoch;
  if (notice.kind === 'reminder') {
    fx.event('knowledge.reminded', { actor: 'muster', person: notice.to, data: { dueAt: notice.dueAt } });
    fx.send(`knowledge-remind-e${epoch}`, { kind: 'person', person: notice.to }, reminderMessage(readBy(ctx, notice.to), incident, notice.dueAt), { clock: taskClock(incident) });
    return;
  }
  fx.event('knowledge.overdue', { actor: 'muster', person: notice.to, data: { dueAt: notice.dueAt, owner: notice.owner } });
  fx.send(`knowledge-overdue-e${epoch}`, { kind: 'person', person: notice.to }, overdueMessage(readBy(ctx, notice.to), incident, notice.owner, notice.to, notice.dueAt), { clock: taskClock(incident) });
}

/** The context whose presenter speaks to `person`: a due date in their zone. */
function readBy(ctx: MusterContext, person: string): MusterContext {
  return { ...ctx, present: ctx.present.forPerson(person) };
}

/** Fenced on the task: filed or skipped before the reminder is delivered, it is not sent. */
function taskClock(incident: Incident): { key: string; epoch: number } | undefined {
  const task = incident.knowledge?.task;
  return task?.state === 'open' ? { key: KNOWLEDGE_CLOCK, epoch: task.epoch } : undefined;
}

/** The knowledge task's reminder and overdue alarms (src/timers/registry.ts). */
export const knowledgeTimer: IncidentTimerKind = {
  kind: 'knowledge',
  scope: 'incident',
  expected: (incident) => knowledgeTimers(incident),
  fire,
};
