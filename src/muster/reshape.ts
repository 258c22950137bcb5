import { SEVERITIES, type Severity } from '../config/schema.js';
import { DomainError } from '../errors.js';
import type { PersonId, RoleSlot } from '../incidents/types.js';
import { Effects } from '../kernel/effects.js';
import { openSlots, policyFor, positionHolder, snapshotChain, teamForRole } from './slots.js';
import { completeIfAssembled, runDueSteps } from './transitions.js';
import { type MusterContext } from '../kernel/context.js';
import { markResponded, startResponseClock } from './sla.js';
import { startResolutionClock } from './resolution.js';
import { graceFor, scheduleNextUpdate } from './cadence.js';
import { notifyUpgrade } from '../notify/audiences.js';
import { standDown } from './stand-down.js';

/**
 * An incident changing shape: a severity change, experts pulled in, a role
 * handed to someone else. Each is one step over the draft incident; slots that
 * stop escalating get a new epoch, so their pending timers go stale.
 */

function freshSlot(slot: RoleSlot, now: number, chain: RoleSlot['chain']): void {
  slot.state = 'paging';
  slot.epoch += 1;
  slot.startedAt = now;
  slot.nextStep = 0;
  slot.chain = chain;
  slot.pages = [];
  delete slot.ackedBy;
  delete slot.ackedAt;
}

/** Roles the new level needs that have no live slot: opened (or re-opened) and paged now. */
function openMissing(ctx: MusterContext, fx: Effects, required: string[]): string[] {
  const incident = fx.incident;
  const opened: string[] = [];
  for (const slot of openSlots(ctx.config, incident.severity, incident.service, fx.now, ctx.holders)) {
    if (!required.includes(slot.role)) continue;
    const existing = incident.slots.find((candidate) => candidate.role === slot.role);
    if (existing && existing.state !== 'released') {
      existing.required = true;
      continue;
    }
    if (existing) {
      freshSlot(existing, fx.now, slot.chain);
      existing.required = true;
    } else {
      incident.slots.push(slot);
    }
    opened.push(slot.role);
  }
  return opened;
}

/** Roles the new level no longer needs: still welcome if staffed, but no longer paged. */
function releaseUnneeded(ctx: MusterContext, fx: Effects, required: string[]): string[] {
  const released: string[] = [];
  for (const slot of fx.incident.slots) {
    if (required.includes(slot.role) || slot.role.startsWith('expert-') || slot.required === false) continue;
    slot.required = false;
    if (slot.state === 'paging') {
      slot.state = 'released';
      slot.epoch += 1;
      released.push(slot.role);
      standDown(ctx, fx, slot, 'released');
    }
  }
  return released;
}

/** Restarts the assembly clock when roles are missing; cancels it when none has a deadline. */
function restartAssembly(ctx: MusterContext, fx: Effects): void {
  const incident = fx.incident;
  const deadline = ctx.config.severities[incident.severity]?.assemble;
  incident.deadlineEpoch += 1;
  delete incident.breachedAt;
  if (incident.status === 'assembled') {
    incident.status = 'assembling';
    delete incident.assembledAt;
  }
  if (deadline !== undefined) incident.assembleDeadlineAt = fx.now + deadline;
  else delete incident.assembleDeadlineAt;
  // This commit redraws the board: the countdown's next tick is a minute on, not one owed since the declare.
  incident.boardTickAt = fx.now;
}

export function changeSeverity(ctx: MusterContext, fx: Effects, to: Severity, reason: string): { opened: string[]; released: string[] } {
  const incident = fx.incident;
  const from = incident.severity;
  const level = ctx.config.severities[to];
  if (!level) throw new DomainError('usage', ctx.present.t('error.unknownSeverity', { value: to, allowed: SEVERITIES.join(', ') }));
  if (from === to) throw new DomainError('conflict', ctx.present.t('error.sameSeverity', { id: incident.id, severity: to }));
  const unstaffable = level.roles.find((role) => !teamForRole(ctx.config, role, incident.service));
  if (unstaffable) {
    throw new DomainError('usage', ctx.present.t('error.serviceRequired', {
      severity: to, role: unstaffable, allowed: Object.keys(ctx.config.services).join(', '),
    }));
  }
  incident.severity = to;
  startResponseClock(ctx, incident);
  startResolutionClock(ctx, incident);
  scheduleNextUpdate(ctx, incident, fx.now);
  incident.updateGraceMs = graceFor(ctx, incident);
  const opened = openMissing(ctx, fx, level.roles);
  const released = releaseUnneeded(ctx, fx, level.roles);
  if (opened.length > 0 || incident.status === 'assembling') restartAssembly(ctx, fx);
  const upgrade = SEVERITIES.indexOf(to) < SEVERITIES.indexOf(from);
  fx.event('incident.severity_changed', { data: { from, to, reason, opened, released, upgrade } });
  const present = ctx.present;
  const notice = present.notice(present.t(upgrade ? 'room.upgraded' : 'room.downgraded', {
    id: incident.id, from, to, person: present.personName(fx.actor), reason: reason || '-', roles: present.roleList(opened) || '-',
  }), upgrade ? 'alert' : 'info');
  fx.toRoom(`sev-${incident.version}`, notice);
  if (ctx.config.channels.broadcast && !incident.drill) fx.send(`sev-broadcast-${incident.version}`, { kind: 'broadcast' }, notice);
  if (upgrade) notifyUpgrade(ctx, fx, from, reason);
  for (const slot of incident.slots) if (opened.includes(slot.role)) runDueSteps(ctx, fx, slot);
  completeIfAssembled(ctx, fx);
  fx.refreshBoard();
  return { opened, released };
}

/** Pulls in a second-line team's on-call (their own chain) or a named person; tracked like a slot. */
export function escalateTo(ctx: MusterContext, fx: Effects, target: string, reason: string): RoleSlot {
  const incident = fx.incident;
  const role = `expert-${target}`;
  const existing = incident.slots.find((slot) => slot.role === role);
  if (existing && existing.state !== 'released') {
    throw new DomainError('conflict', ctx.present.t('error.alreadyEscalated', { id: incident.id, name: ctx.present.roleName(role) }));
  }
  const team = ctx.config.teams[target];
  const chain = team
    ? snapshotChain(policyFor(ctx.config, incident.severity, target), team, fx.now, positionHolder(ctx.holders, target))
    : [{ atMs: 0, targets: [target], via: 'people' }];
  const slot: RoleSlot = existing ?? {
    role, team: team ? target : '', state: 'paging', required: false, startedAt: fx.now, epoch: 0, nextStep: 0, chain, pages: [],
  };
  if (existing) freshSlot(existing, fx.now, chain);
  else incident.slots.push(slot);
  fx.event('escalation.requested', { role, data: { target, kind: team ? 'team' : 'person', reason } });
  fx.toRoom(`expert-${target}-e${slot.epoch}`, ctx.present.notice(ctx.present.t('room.expertPaged', {
    name: ctx.present.roleName(role), person: ctx.present.personName(fx.actor), reason: reason || '-',
  }), 'warning'));
  runDueSteps(ctx, fx, slot);
  fx.refreshBoard();
  return slot;
}

/** Hands a role to `person` at once (the commander speaks for them), and tells both people. */
export function assignRole(ctx: MusterContext, fx: Effects, role: string, person: PersonId): PersonId | undefined {
  const incident = fx.incident;
  const slot = incident.slots.find((candidate) => candidate.role === role && candidate.state !== 'released');
  if (!slot) throw new DomainError('not_found', ctx.present.t('error.noSuchSlot', { id: incident.id, role: ctx.present.roleName(role) }));
  const previous = slot.ackedBy ?? slot.pages.at(-1)?.person;
  if (slot.state === 'acked' && slot.ackedBy === person) {
    throw new DomainError('conflict', ctx.present.t('error.alreadyHolds', { id: incident.id, person: ctx.present.personName(person), role: ctx.present.roleName(role) }));
  }
  const wasPaging = slot.state === 'paging';
  slot.epoch += 1;
  markResponded(incident, fx.now);
  slot.state = 'acked';
  slot.ackedBy = person;
  slot.ackedAt = fx.now;
  slot.pages.push({ person, at: fx.now, step: slot.nextStep });
  const present = ctx.present;
  const params = { id: incident.id, role: present.roleName(role), person: present.personName(person), by: present.personName(fx.actor), previous: previous ? present.personName(previous) : '-' };
  fx.event('slot.assigned', { role, person, data: { from: previous ?? null } });
  fx.send(`assigned-${role}-e${slot.epoch}-${person}`, { kind: 'person', person }, present.assigned(incident, params), {
    invite: fx.roomOpenedEarlier,
  });
  if (previous && previous !== person) {
    fx.send(`unassigned-${role}-e${slot.epoch}-${previous}`, { kind: 'person', person: previous }, present.notice(present.t('dm.unassigned', params)));
  }
  fx.toRoom(`assigned-${role}-e${slot.epoch}`, present.notice(present.t('room.assigned', params)));
  if (wasPaging) standDown(ctx, fx, slot, 'assigned', person, previous ? [previous] : []);
  completeIfAssembled(ctx, fx);
  fx.refreshBoard();
  return previous;
}
