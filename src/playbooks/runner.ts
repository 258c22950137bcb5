import { DomainError } from '../errors.js';
import type { Incident, PersonId } from '../incidents/types.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import type { Button, Timer } from '../ports.js';
import type { Playbook, PlaybookStep } from './schema.js';
import { runOf, type PlaybookRun, type StepState, type WithPlaybook } from './run-state.js';
import type { IncidentTimerKind } from '../timers/registry.js';

/**
 * The playbook runner: pure steps over a draft incident. The playbook is
 * snapshotted onto the incident when attached, so editing the file later
 * never changes a running incident. Step state lives on the record; timers
 * (overdue nudges, waits) are derived from it like every other timer.
 */
function allSteps(playbook: Playbook): PlaybookStep[] {
  return playbook.steps.flatMap((step): PlaybookStep[] => (step.kind === 'parallel' ? [step, ...step.steps] : [step]));
}

function stepById(run: PlaybookRun, id: string): PlaybookStep | undefined {
  return allSteps(run.definition).find((step) => step.id === id);
}

function parentOf(run: PlaybookRun, id: string): PlaybookStep | undefined {
  return run.definition.steps.find((step) => step.kind === 'parallel' && step.steps.some((child) => child.id === id));
}

function buttonsFor(incidentId: string, step: PlaybookStep, t: MusterContext['present']['t']): Button[] {
  const base = `/incident`;
  const table: Record<string, Button[]> = {
    check: [
      { label: t('button.done'), command: `${base} done ${incidentId} ${step.id}`, style: 'primary' },
      { label: t('button.skip'), command: `${base} skip ${incidentId} ${step.id}` },
    ],
    notify: [{ label: t('button.send'), command: `${base} done ${incidentId} ${step.id}`, style: 'primary' }],
    action: [{ label: t('button.run'), command: `${base} run ${incidentId} ${step.id}`, style: 'danger' }],
    decision: [
      { label: t('button.yes'), command: `${base} decide ${incidentId} ${step.id} yes` },
      { label: t('button.no'), command: `${base} decide ${incidentId} ${step.id} no` },
    ],
  };
  return table[step.kind] ?? [];
}

function openStep(ctx: MusterContext, fx: Effects, run: PlaybookRun, step: PlaybookStep): void {
  const state = run.steps[step.id] ?? { status: 'pending' };
  if (state.status !== 'pending') return;
  const span = step.kind === 'wait' ? step.for : step.due;
  run.steps[step.id] = { status: 'open', openedAt: fx.now, ...(span !== undefined ? { dueAt: fx.now + span } : {}) };
  fx.event('step.opened', { role: step.role, data: { step: step.id, kind: step.kind, title: step.title } });
  if (step.kind === 'parallel') {
    for (const child of step.steps) openStep(ctx, fx, run, child);
    return;
  }
  const { present } = ctx;
  fx.toRoom(`step-${step.id}-open`, {
    text: present.t('room.stepOpen', { title: step.title, role: step.role ? present.roleName(step.role) : '-', step: step.id }),
    tone: 'info',
    buttons: buttonsFor(fx.incident.id, step, present.t),
  });
}

/** Attaches a playbook and opens its first step. */
export function attachPlaybook(ctx: MusterContext, fx: Effects, playbook: Playbook): void {
  const incident = fx.incident as WithPlaybook;
  const current = incident.playbook;
  if (current && current.completedAt === undefined) {
    throw new DomainError('conflict', ctx.present.t('error.playbookRunning', { id: incident.id, playbook: current.definition.id }));
  }
  const run: PlaybookRun = { definition: structuredClone(playbook), attachedAt: fx.now, steps: {} };
  for (const step of allSteps(playbook)) run.steps[step.id] = { status: 'pending' };
  incident.playbook = run;
  fx.event('playbook.attached', { data: { playbook: playbook.id, title: playbook.title } });
  fx.toRoom(`playbook-${playbook.id}-v${incident.version}`, ctx.present.notice(ctx.present.t('room.playbookAttached', { title: playbook.title, count: allSteps(playbook).filter((s) => s.kind !== 'parallel').length })));
  const first = playbook.steps[0];
  if (first) openStep(ctx, fx, run, first);
  fx.refreshBoard();
}

function requireRun(ctx: MusterContext, incident: Incident): PlaybookRun {
  const run = runOf(incident);
  if (!run) throw new DomainError('not_found', ctx.present.t('error.noPlaybook', { id: incident.id }));
  return run;
}

function requireOpenStep(ctx: MusterContext, run: PlaybookRun, id: string, kinds?: PlaybookStep['kind'][]): PlaybookStep {
  const step = stepById(run, id);
  if (!step) throw new DomainError('not_found', ctx.present.t('error.noStep', { step: id, steps: allSteps(run.definition).map((s) => s.id).join(', ') }));
  if (run.steps[id]?.status !== 'open') throw new DomainError('conflict', ctx.present.t('error.stepNotOpen', { step: id, status: run.steps[id]?.status ?? 'pending' }));
  if (kinds && !kinds.includes(step.kind)) throw new DomainError('usage', ctx.present.t('error.stepWrongKind', { step: id, kind: step.kind }));
  return step;
}

/** Marks a step done (a notify step sends its message now) and opens what comes next. */
export function completeStep(ctx: MusterContext, fx: Effects, id: string, kinds: PlaybookStep['kind'][] = ['check', 'notify', 'action', 'wait']): void {
  const run = requireRun(ctx, fx.incident);
  const step = requireOpenStep(ctx, run, id, kinds);
  if (step.kind === 'notify') sendNotify(ctx, fx, step);
  close(ctx, fx, run, step, { status: 'done' });
}

export function skipStep(ctx: MusterContext, fx: Effects, id: string, reason: string): void {
  const run = requireRun(ctx, fx.incident);
  const step = requireOpenStep(ctx, run, id);
  close(ctx, fx, run, step, { status: 'skipped', reason });
}

export function decideStep(ctx: MusterContext, fx: Effects, id: string, answer: 'yes' | 'no'): void {
  const run = requireRun(ctx, fx.incident);
  const step = requireOpenStep(ctx, run, id, ['decision']);
  close(ctx, fx, run, step, { status: 'done', answer });
}

function close(ctx: MusterContext, fx: Effects, run: PlaybookRun, step: PlaybookStep, how: Pick<StepState, 'status' | 'reason' | 'answer'>): void {
  run.steps[step.id] = { ...run.steps[step.id], ...how, closedAt: fx.now, by: fx.actor } as StepState;
  const type = how.status === 'skipped' ? 'step.skipped' : 'step.done';
  fx.event(type, { role: step.role, data: { step: step.id, ...(how.reason ? { reason: how.reason } : {}), ...(how.answer ? { answer: how.answer } : {}) } });
  const parent = parentOf(run, step.id);
  if (parent) {
    if (parent.kind === 'parallel' && parent.steps.every((child) => run.steps[child.id]?.status !== 'open' && run.steps[child.id]?.status !== 'pending')) {
      close(ctx, fx, run, parent, { status: 'done' });
    }
  } else {
    advance(ctx, fx, run, step, how.answer);
  }
  fx.refreshBoard();
}

function advance(ctx: MusterContext, fx: Effects, run: PlaybookRun, step: PlaybookStep, answer?: 'yes' | 'no'): void {
  const order = run.definition.steps;
  const jump = step.kind === 'decision' ? (answer === 'yes' ? step.yes : step.no) : step.next;
  const target = jump === 'end' ? undefined : jump ? order.find((s) => s.id === jump) : order[order.indexOf(step) + 1];
  if (target && run.steps[target.id]?.status === 'pending') {
    openStep(ctx, fx, run, target);
    return;
  }
  run.completedAt = fx.now;
  fx.event('playbook.completed', { data: { playbook: run.definition.id } });
  fx.toRoom(`playbook-done-${run.definition.id}`, ctx.present.notice(ctx.present.t('room.playbookDone', { title: run.definition.title }), 'success'));
}

function sendNotify(ctx: MusterContext, fx: Effects, step: Extract<PlaybookStep, { kind: 'notify' }>): void {
  const audience = ctx.config.audiences[step.audience];
  const message = { title: ctx.present.t('tpl.title', { id: fx.incident.id, severity: fx.incident.severity, title: fx.incident.title }), text: step.text, tone: 'info' as const };
  if (audience?.kind === 'chat') fx.send(`notify-${step.id}`, { kind: 'room', conversation: audience.conversation }, message);
  else fx.toRoom(`notify-${step.id}`, message);
}

/** Who answers for a step: the staffed holder of its role, else the commander, else the declarer. */
function ownerOf(incident: Incident, role: string | undefined): PersonId {
  const holder = (name: string) => incident.slots.find((slot) => slot.role === name && slot.state === 'acked')?.ackedBy;
  return (role ? holder(role) : undefined) ?? holder('commander') ?? incident.declaredBy;
}

/** Overdue steps nudge their owner, then the commander after half the step's time again; waits end by themselves. */
export function playbookTimers(incident: Incident): Timer[] {
  const run = runOf(incident);
  if (!run || run.completedAt !== undefined || incident.status === 'resolved') return [];
  const timers: Timer[] = [];
  for (const step of allSteps(run.definition)) {
    const state = run.steps[step.id];
    if (state?.status !== 'open' || state.dueAt === undefined || step.kind === 'parallel') continue;
    const base = { incident: incident.id, kind: 'step' as const, epoch: 0 };
    if (step.kind === 'wait') timers.push({ ...base, id: `step-${incident.id}-${step.id}-wait`, dueAt: state.dueAt, key: `${step.id}/wait` });
    else if (state.nudgedAt === undefined) timers.push({ ...base, id: `step-${incident.id}-${step.id}-due`, dueAt: state.dueAt, key: `${step.id}/due` });
    else if (state.escalatedAt === undefined) {
      const grace = Math.max(60_000, Math.floor((state.dueAt - (state.openedAt ?? state.dueAt)) / 2));
      timers.push({ ...base, id: `step-${incident.id}-${step.id}-escalate`, dueAt: state.dueAt + grace, key: `${step.id}/escalate` });
    }
  }
  return timers;
}

export function onStepTimer(ctx: MusterContext, fx: Effects, timer: Timer): void {
  const run = runOf(fx.incident);
  const [id = '', what] = timer.key.split('/');
  const step = run ? stepById(run, id) : undefined;
  const state = run?.steps[id];
  if (!run || !step || state?.status !== 'open' || fx.incident.status === 'resolved') return;
  if (what === 'wait') return close(ctx, fx, run, step, { status: 'done' });
  const commander = ownerOf(fx.incident, 'commander');
  const who = what === 'due' ? ownerOf(fx.incident, step.role) : commander;
  if (what === 'due') state.nudgedAt = fx.now;
  else state.escalatedAt = fx.now;
  fx.event('step.overdue', { person: who, role: step.role, data: { step: step.id, nudge: what } });
  fx.send(`step-${step.id}-${what}-${who}`, { kind: 'person', person: who }, {
    text: ctx.present.t(what === 'due' ? 'dm.stepOverdue' : 'dm.stepOverdueCommander', { id: fx.incident.id, title: step.title, step: step.id }),
    tone: 'warning',
    buttons: buttonsFor(fx.incident.id, step, ctx.present.t),
  });
}

/** One line per step for /incident steps and the board. */
export function stepLines(ctx: MusterContext, incident: Incident): Array<{ label: string; value: string }> {
  const run = runOf(incident);
  if (!run) return [];
  return allSteps(run.definition)
    .filter((step) => step.kind !== 'parallel')
    .map((step) => {
      const state = run.steps[step.id] ?? { status: 'pending' as const };
      const extra = state.answer ? ` (${state.answer})` : state.reason ? ` (${state.reason})` : '';
      return { label: `${step.id}: ${step.title}`, value: `${ctx.present.t(`stepStatus.${state.status}`)}${extra}${step.role ? ` · ${ctx.present.roleName(step.role)}` : ''}` };
    });
}

/** Playbook step nudges and waits as a timer kind (src/timers/registry.ts). */
export const stepTimer: IncidentTimerKind = { kind: 'step', scope: 'incident', expected: playbookTimers, fire: onStepTimer };
