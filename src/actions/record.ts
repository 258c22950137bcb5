import type { Effects } from '../kernel/effects.js';
import type { MusterContext } from '../kernel/context.js';
import type { Message } from '../ports.js';
import { activeGrants, endReason, type Grant, type Refusal } from './policy.js';
import type { NamedAction } from './schema.js';
import { actionState, type ActionParams, type ActionRequest } from './types.js';
import type { ActionOutcome } from './ports.js';

/**
 * The audit side of privileged actions: pure steps over a draft incident that
 * record timeline entries (hash-chained on commit) and room messages. The
 * runner commits them through IncidentService.apply.
 */

/** Kept in a timeline entry: enough to see what happened, small enough for a list in Redis. */
export const AUDIT_OUTPUT_CHARS = 2_000;

export function formatParams(params: ActionParams): string {
  const entries = Object.entries(params);
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${String(value)}`).join(' ');
}

/**
 * Announces grants that appeared (grant.issued) and ends those that are gone
 * (grant.ended, with why). Any change of an incident may call it; the actions
 * commands always do, so the timeline shows a grant before its first use.
 */
export function syncGrants(ctx: MusterContext, fx: Effects): Grant[] {
  const incident = fx.incident;
  const current = activeGrants(incident, ctx.config, fx.now);
  if (current.length === 0 && !incident.actions?.grants.length) return current;
  const state = actionState(incident);
  const same = (a: { role: string; action: string; person: string; from: number }) => (b: typeof a) =>
    a.role === b.role && a.action === b.action && a.person === b.person && a.from === b.from;
  for (const issued of state.grants) {
    if (current.some(same(issued))) continue;
    fx.event('grant.ended', {
      role: issued.role,
      person: issued.person,
      data: { action: issued.action, reason: endReason(incident, ctx.config, issued, fx.now), from: issued.from, until: issued.until },
    });
  }
  for (const grant of current) {
    if (state.grants.some(same(grant))) continue;
    fx.event('grant.issued', {
      role: grant.role,
      person: grant.person,
      data: { action: grant.action, severity: incident.severity, from: grant.from, until: grant.until },
    });
  }
  state.grants = current.map(({ incident: _incident, ...rest }) => rest);
  return current;
}

export function recordRefusal(fx: Effects, action: string, reason: Refusal, data: Record<string, unknown> = {}): void {
  fx.event('action.refused', { data: { action, reason, ...data } });
}

export function openRequest(ctx: MusterContext, fx: Effects, action: NamedAction, params: ActionParams, approvers: string): ActionRequest {
  const state = actionState(fx.incident);
  const approval = action.policy.approval;
  const request: ActionRequest = {
    id: `REQ-${state.nextRequest}`,
    action: action.name,
    params,
    requestedBy: fx.actor,
    requestedAt: fx.now,
    expiresAt: fx.now + (approval?.expires ?? 15 * 60_000),
    needs: approval?.approvers ?? 1,
    approvals: [],
    status: 'pending',
  };
  state.nextRequest += 1;
  state.requests.push(request);
  fx.event('action.requested', {
    person: fx.actor,
    data: { request: request.id, action: action.name, params, needs: request.needs, expiresAt: request.expiresAt },
  });
  const { present } = ctx;
  const message: Message = {
    text: present.t('room.actionRequested', {
      person: present.personName(fx.actor),
      action: action.name,
      title: action.title,
      params: formatParams(params),
      request: request.id,
      needs: request.needs,
      who: approvers,
      time: present.deadline(request.expiresAt),
    }),
    tone: 'warning',
    buttons: [
      { label: present.t('button.approve'), command: `/incident approve ${fx.incident.id} ${request.id}`, style: 'primary' },
      { label: present.t('button.deny'), command: `/incident deny ${fx.incident.id} ${request.id}`, style: 'danger' },
    ],
  };
  fx.toRoom(`request-${request.id}`, message);
  return request;
}

/** How a run was authorised, for the start entry and the room. */
export type Authority =
  | { via: 'grant'; role: string }
  | { via: 'approval'; request: string; approvers: string[] }
  | { via: 'break-glass'; reason: string };

export interface StartedRun {
  run: string;
  action: string;
  params: ActionParams;
  requestedBy: string;
  at: number;
  dryRun: boolean;
}

/** The entry that must be committed before the executor may run. */
export function startRun(
  ctx: MusterContext,
  fx: Effects,
  action: NamedAction,
  params: ActionParams,
  authority: Authority,
  options: { dryRun: boolean; requestedBy?: string },
): StartedRun {
  const state = actionState(fx.incident);
  const run = `RUN-${state.nextRun}`;
  state.nextRun += 1;
  const requestedBy = options.requestedBy ?? fx.actor;
  fx.event('action.started', {
    person: requestedBy,
    ...(authority.via === 'grant' ? { role: authority.role } : {}),
    data: { run, action: action.name, executor: action.executor.kind, params, dryRun: options.dryRun, ...authority },
  });
  const { present } = ctx;
  const via =
    authority.via === 'grant'
      ? present.t('via.grant', { role: present.roleName(authority.role) })
      : authority.via === 'approval'
        ? present.t('via.approval', { approvers: authority.approvers.map((p) => present.personName(p)).join(', ') })
        : present.t('via.breakGlass');
  const text = present.t(options.dryRun ? 'room.actionDryRun' : 'room.actionStarted', {
    run, person: present.personName(requestedBy), action: action.name, params: formatParams(params), via,
  });
  fx.toRoom(`run-${run}-started`, present.notice(text, 'warning'));
  return { run, action: action.name, params, requestedBy, at: fx.now, dryRun: options.dryRun };
}

export function cut(text: string, max = AUDIT_OUTPUT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

export function finishRun(ctx: MusterContext, fx: Effects, started: StartedRun, outcome: ActionOutcome, plan?: Record<string, unknown>): void {
  const type = outcome.ok ? 'action.completed' : 'action.failed';
  fx.event(type, {
    person: started.requestedBy,
    data: {
      run: started.run,
      action: started.action,
      ok: outcome.ok,
      status: outcome.status,
      durationMs: outcome.durationMs,
      output: cut(outcome.output),
      dryRun: started.dryRun,
      ...(plan ? { plan } : {}),
    },
  });
  const { present } = ctx;
  // A failure's reason goes to the room, not only to the requester: the approvers and the team need it too.
  const text = present.t(outcome.ok ? 'room.actionCompleted' : 'room.actionFailed', {
    run: started.run, action: started.action, status: String(outcome.status), duration: present.elapsed(outcome.durationMs),
    output: cut(outcome.output.trim(), 500),
  }).trim();
  fx.toRoom(`run-${started.run}-finished`, present.notice(text, outcome.ok ? 'success' : 'alert'));
}

/** Break-glass alerts the security audience at once (a chat audience), else the war room, and says so in the timeline. */
export function recordBreakGlass(ctx: MusterContext, fx: Effects, action: NamedAction, params: ActionParams, reason: string): void {
  const { present, config } = ctx;
  const security = config.audiences.security;
  const alerted = security?.kind === 'chat' ? `audience:security` : 'room';
  fx.event('breakglass.used', { person: fx.actor, data: { action: action.name, params, reason, alerted } });
  const incident = fx.incident;
  const values = {
    id: incident.id, severity: incident.severity, person: present.personName(fx.actor), action: action.name, params: formatParams(params), reason,
  };
  fx.toRoom(`breakglass-${incident.version}`, present.notice(present.t('room.breakGlass', values), 'alert'));
  if (security?.kind === 'chat') {
    fx.send(`breakglass-security-${incident.version}`, { kind: 'room', conversation: security.conversation }, present.notice(present.t('security.breakGlass', values), 'alert'));
  }
}
