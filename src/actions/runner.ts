import type { MusterConfig } from '../config/schema.js';
import { DomainError } from '../errors.js';
import type { PersonId } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import { expandArgs } from './params.js';
import { approverSet, decide, mayBreakGlass, mayDecide, type Refusal } from './policy.js';
import type { ActionExecutors, ActionOutcome, ExecutorProblem } from './ports.js';
import { actionProblem, describeProblem } from './readiness.js';
import { finishRun, openRequest, recordBreakGlass, recordRefusal, startRun, syncGrants, type StartedRun } from './record.js';
import type { NamedAction } from './schema.js';
import type { ActionParams, ActionRequest } from './types.js';
import type { Presenter } from '../notify/present.js';

/**
 * Runs privileged actions with the audit first: authorisation
 * is decided inside the commit against fresh state, the `action.started`
 * entry is committed, and only then is the executor called. If that commit
 * throws, the executor is never reached. Refusals are committed too.
 */

export interface RunnerDeps {
  config: MusterConfig;
  present: Presenter;
  logger: Logger;
  /** IncidentService.apply: one version-checked, hash-chained commit. */
  service: { apply<T>(incidentId: string, actor: string, change: (fx: Effects, ctx: MusterContext) => T): Promise<T> };
  executors: ActionExecutors;
  now: () => number;
}

export interface RunOptions {
  /** Drills: record the plan, never call the executor. */
  dryRun?: boolean;
}

export type RunResult =
  | { kind: 'refused'; reason: Refusal; action: string; problem?: ExecutorProblem }
  | { kind: 'requested'; request: ActionRequest; approvers: string }
  | { kind: 'approved'; request: ActionRequest }
  | { kind: 'denied'; request: ActionRequest }
  | { kind: 'ran'; started: StartedRun; outcome: ActionOutcome; plan?: Record<string, unknown> };

type Started = { kind: 'started'; started: StartedRun; action: NamedAction };
type Step = Exclude<RunResult, { kind: 'ran' }> | Started;

export function namedAction(config: MusterConfig, name: string): NamedAction | undefined {
  const spec = config.actions.catalog[name];
  return spec ? { ...spec, name } : undefined;
}

/** "Cara Commander, Sam SRE" or "anyone else": who a request waits for; never the requester, who may not approve it. */
export function describeApprovers(deps: Pick<RunnerDeps, 'config' | 'present'>, action: NamedAction, requester?: PersonId): string {
  const set = approverSet(deps.config, action);
  if (!set) return deps.present.t('approvers.anyone');
  return [...set].filter((person) => person !== requester).map((person) => deps.present.personName(person)).join(', ');
}

/**
 * Refuses, on the record and in the war room, a run this machine cannot do
 * (no executor, secret unset, program absent): before an approval is asked
 * for, and again before a start. A dry run needs none of it.
 */
function refuseUnready(
  deps: RunnerDeps, ctx: MusterContext, fx: Effects, action: NamedAction, options: RunOptions, data: Record<string, unknown>, requester = fx.actor,
): Step | undefined {
  if (options.dryRun) return undefined;
  const problem = actionProblem(deps.executors, action);
  if (!problem) return undefined;
  recordRefusal(fx, action.name, 'cannot_run', { ...data, problem });
  const { present } = ctx;
  fx.toRoom(`cannot-run-${fx.incident.version}`, present.notice(present.t('room.actionCannotRun', {
    person: present.personName(requester), action: action.name, problem: describeProblem(present.t, problem),
  }), 'warning'));
  return { kind: 'refused', reason: 'cannot_run', action: action.name, problem };
}

/** `/incident run`: the caller's grant runs it now; otherwise it becomes a request, or is refused. */
export async function requestRun(
  deps: RunnerDeps, incidentId: string, actor: { name: string; person?: PersonId }, action: NamedAction, params: ActionParams, options: RunOptions = {},
): Promise<RunResult> {
  const step = await deps.service.apply<Step>(incidentId, actor.name, (fx, ctx) => {
    syncGrants(ctx, fx);
    const decision = decide(fx.incident, ctx.config, action.name, actor.person, fx.now);
    if (decision.kind === 'refuse') {
      recordRefusal(fx, action.name, decision.reason, { params });
      return { kind: 'refused', reason: decision.reason, action: action.name };
    }
    const unready = refuseUnready(deps, ctx, fx, action, options, { params });
    if (unready) return unready;
    if (decision.kind === 'approval') {
      const set = approverSet(ctx.config, action);
      const others = set ? [...set].filter((person) => person !== actor.person).length : Infinity;
      if (others < decision.needs) {
        // Nobody (or too few) besides the requester may approve: a request would wait for ever.
        recordRefusal(fx, action.name, 'too_few_approvers', { params, needs: decision.needs, approvers: others });
        return { kind: 'refused', reason: 'too_few_approvers', action: action.name };
      }
      const approvers = describeApprovers(deps, action, actor.person);
      return { kind: 'requested', request: openRequest(ctx, fx, action, params, approvers), approvers };
    }
    const started = startRun(ctx, fx, action, params, { via: 'grant', role: decision.grant.role }, { dryRun: options.dryRun === true });
    return { kind: 'started', started, action };
  });
  return step.kind === 'started' ? execute(deps, incidentId, step.action, step.started) : step;
}

function findRequest(deps: RunnerDeps, fx: Effects, requestId: string): ActionRequest {
  const request = fx.incident.actions?.requests.find((candidate) => candidate.id === requestId);
  if (!request) throw new DomainError('not_found', deps.present.t('error.noSuchRequest', { id: fx.incident.id, request: requestId }));
  return request;
}

/** Marks a lapsed request expired, in the same commit as whatever refused it. */
function expire(fx: Effects, request: ActionRequest): void {
  if (request.status !== 'pending' || fx.now < request.expiresAt) return;
  request.status = 'expired';
  request.decidedAt = fx.now;
}

/** `/incident approve`: adds an approval; the last one needed starts the run in the same commit. */
export async function approveRequest(
  deps: RunnerDeps, incidentId: string, actor: { name: string; person?: PersonId }, requestId: string, options: RunOptions = {},
): Promise<RunResult> {
  const step = await deps.service.apply<Step>(incidentId, actor.name, (fx, ctx) => {
    syncGrants(ctx, fx);
    const request = findRequest(deps, fx, requestId);
    const refusal = mayDecide(request, ctx.config, actor.person, fx.now, 'approve');
    if (refusal) {
      expire(fx, request);
      recordRefusal(fx, request.action, refusal, { request: request.id, approver: actor.name });
      return { kind: 'refused', reason: refusal, action: request.action };
    }
    const action = namedAction(ctx.config, request.action) as NamedAction;
    // Checked before the approval counts: an approval of a run that cannot start would read as progress.
    const unready = refuseUnready(deps, ctx, fx, action, options, { request: request.id, approver: actor.name }, request.requestedBy);
    if (unready) return unready;
    request.approvals.push({ person: actor.person as PersonId, at: fx.now });
    fx.event('action.approved', { person: actor.person, data: { request: request.id, action: request.action, have: request.approvals.length, needs: request.needs } });
    const { present } = ctx;
    fx.toRoom(`approved-${request.id}-${request.approvals.length}`, present.notice(present.t('room.actionApproved', {
      person: present.personName(actor.person as PersonId), request: request.id, have: request.approvals.length, needs: request.needs,
    }), 'info'));
    if (request.approvals.length < request.needs) return { kind: 'approved', request };
    request.status = 'approved';
    request.decidedAt = fx.now;
    request.decidedBy = actor.person as PersonId;
    const started = startRun(ctx, fx, action, request.params, {
      via: 'approval', request: request.id, approvers: request.approvals.map((approval) => approval.person),
    }, { dryRun: options.dryRun === true, requestedBy: request.requestedBy });
    return { kind: 'started', started, action };
  });
  return step.kind === 'started' ? execute(deps, incidentId, step.action, step.started) : step;
}

/** `/incident deny`: an approver refuses (or the requester withdraws); recorded with the reason. */
export async function denyRequest(
  deps: RunnerDeps, incidentId: string, actor: { name: string; person?: PersonId }, requestId: string, reason: string,
): Promise<RunResult> {
  return deps.service.apply<RunResult>(incidentId, actor.name, (fx, ctx) => {
    const request = findRequest(deps, fx, requestId);
    const refusal = mayDecide(request, ctx.config, actor.person, fx.now, 'deny');
    if (refusal && refusal !== 'already_approved') {
      expire(fx, request);
      recordRefusal(fx, request.action, refusal, { request: request.id, denier: actor.name });
      return { kind: 'refused', reason: refusal, action: request.action };
    }
    request.status = 'denied';
    request.decidedAt = fx.now;
    request.decidedBy = actor.person as PersonId;
    request.reason = reason;
    fx.event('action.denied', { person: actor.person, data: { request: request.id, action: request.action, reason } });
    const { present } = ctx;
    fx.toRoom(`denied-${request.id}`, present.notice(present.t('room.actionDenied', {
      person: present.personName(actor.person as PersonId), request: request.id, reason: reason || '-',
    }), 'info'));
    return { kind: 'denied', request };
  });
}

/** `/incident break-glass`: no approval, a reason, security told at once, all in the start commit. */
export async function breakGlass(
  deps: RunnerDeps, incidentId: string, actor: { name: string; person?: PersonId }, action: NamedAction, params: ActionParams, reason: string, options: RunOptions = {},
): Promise<RunResult> {
  const step = await deps.service.apply<Step>(incidentId, actor.name, (fx, ctx) => {
    syncGrants(ctx, fx);
    const refusal = mayBreakGlass(fx.incident, ctx.config, action.name, actor.person, reason);
    if (refusal) {
      recordRefusal(fx, action.name, refusal, { params, breakGlass: true });
      return { kind: 'refused', reason: refusal, action: action.name };
    }
    const unready = refuseUnready(deps, ctx, fx, action, options, { params, breakGlass: true });
    if (unready) return unready;
    recordBreakGlass(ctx, fx, action, params, reason);
    const started = startRun(ctx, fx, action, params, { via: 'break-glass', reason }, { dryRun: options.dryRun === true });
    return { kind: 'started', started, action };
  });
  return step.kind === 'started' ? execute(deps, incidentId, step.action, step.started) : step;
}

/** What a run would do, without secrets: shown and recorded by dry runs. */
export function planFor(action: NamedAction, params: ActionParams): Record<string, unknown> {
  const executor = action.executor;
  return executor.kind === 'exec'
    ? { executor: 'exec', program: executor.program, args: expandArgs(executor.args, params), timeoutMs: executor.timeout }
    : { executor: 'http', method: 'POST', url: executor.url, params, timeoutMs: executor.timeout, retries: executor.idempotent };
}

/** Runs (or plans) a started run, then records its outcome. */
async function execute(deps: RunnerDeps, incidentId: string, action: NamedAction, started: StartedRun): Promise<RunResult> {
  const plan = started.dryRun ? planFor(action, started.params) : undefined;
  const outcome = plan
    ? { ok: true, status: 'dry-run', output: JSON.stringify(plan), durationMs: 0 }
    : await callExecutor(deps, action, started, incidentId);
  try {
    await deps.service.apply(incidentId, started.requestedBy, (fx, ctx) => finishRun(ctx, fx, started, outcome, plan));
  } catch (error) {
    // The start entry is on the record; the outcome is logged so it is not lost.
    deps.logger.error({ incident: incidentId, run: started.run, action: action.name, ok: outcome.ok, status: outcome.status, err: error }, 'action ran but its outcome could not be recorded');
  }
  return { kind: 'ran', started, outcome, ...(plan ? { plan } : {}) };
}

async function callExecutor(deps: RunnerDeps, action: NamedAction, started: StartedRun, incident: string): Promise<ActionOutcome> {
  const executor = deps.executors[action.executor.kind];
  const begin = deps.now();
  if (!executor) return { ok: false, status: 'error', output: `no ${action.executor.kind} executor`, durationMs: 0 };
  try {
    return await executor.run(action, started.params, { incident, run: started.run, requestedBy: started.requestedBy, at: started.at });
  } catch (error) {
    deps.logger.warn({ incident, run: started.run, action: action.name, err: error instanceof Error ? error.message : String(error) }, 'action executor threw');
    return { ok: false, status: 'error', output: error instanceof Error ? error.message : String(error), durationMs: deps.now() - begin };
  }
}
