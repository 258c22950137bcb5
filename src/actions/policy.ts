import type { MusterConfig } from '../config/schema.js';
import type { Incident, PersonId } from '../incidents/types.js';
import { isActive } from '../incidents/types.js';
import type { ActionConfig } from './schema.js';
import type { ActionRequest, IssuedGrant } from './types.js';

/**
 * Who may run what, now. Pure: every answer is derived from the
 * incident record, the config and the time, so the same question asked inside
 * a commit (against fresh state) and in a listing gives the same answer.
 */

/** A delegation grant: scoped to (incident, role, action), held by the person staffing the role. */
export interface Grant extends IssuedGrant {
  incident: string;
}

export type Refusal =
  | 'unknown_person'
  | 'inactive'
  | 'no_authority'
  | 'self_approval'
  | 'not_approver'
  | 'expired'
  | 'decided'
  | 'already_approved'
  | 'no_break_glass'
  | 'reason_required'
  | 'unknown_action'
  | 'cannot_run'
  | 'too_few_approvers';

export type Decision =
  | { kind: 'grant'; grant: Grant }
  | { kind: 'approval'; needs: number; expiresInMs: number }
  | { kind: 'refuse'; reason: Refusal };

/** Every grant the incident confers at `now`, one per (role, action) slot holder. */
export function activeGrants(incident: Incident, config: MusterConfig, now: number): Grant[] {
  if (!isActive(incident)) return [];
  const grants: Grant[] = [];
  for (const [action, spec] of Object.entries(config.actions.catalog)) {
    const delegate = spec.policy.delegate;
    if (!delegate || !delegate.severities.includes(incident.severity)) continue;
    for (const slot of incident.slots) {
      if (slot.state !== 'acked' || !slot.ackedBy || slot.ackedAt === undefined) continue;
      if (!delegate.roles.includes(slot.role)) continue;
      const until = slot.ackedAt + delegate.ttl;
      if (now >= until) continue;
      grants.push({ incident: incident.id, role: slot.role, action, person: slot.ackedBy, from: slot.ackedAt, until });
    }
  }
  return grants;
}

export function grantFor(incident: Incident, config: MusterConfig, action: string, person: PersonId, now: number): Grant | undefined {
  return activeGrants(incident, config, now).find((grant) => grant.action === action && grant.person === person);
}

/** What running `action` now takes for `person`: their grant, a second person, or nothing at all. */
export function decide(incident: Incident, config: MusterConfig, action: string, person: PersonId | undefined, now: number): Decision {
  const spec = config.actions.catalog[action];
  if (!spec) return { kind: 'refuse', reason: 'unknown_action' };
  if (!person) return { kind: 'refuse', reason: 'unknown_person' };
  if (!isActive(incident)) return { kind: 'refuse', reason: 'inactive' };
  const grant = grantFor(incident, config, action, person, now);
  if (grant) return { kind: 'grant', grant };
  const approval = spec.policy.approval;
  if (approval) return { kind: 'approval', needs: approval.approvers, expiresInMs: approval.expires };
  return { kind: 'refuse', reason: 'no_authority' };
}

/** People who may approve: named people, and each named team's rotation and manager; undefined means anyone known. */
export function approverSet(config: MusterConfig, spec: ActionConfig): Set<PersonId> | undefined {
  const approval = spec.policy.approval;
  if (!approval || (!approval.teams && !approval.people)) return undefined;
  const set = new Set<PersonId>(approval.people ?? []);
  for (const teamId of approval.teams ?? []) {
    const team = config.teams[teamId];
    if (!team) continue;
    for (const person of [...team.rotation.primary, ...team.rotation.backup, team.manager]) set.add(person);
  }
  return set;
}

/** Whether `person` may approve (or deny) `request` now; never the requester, never after it lapsed. */
export function mayDecide(
  request: ActionRequest,
  config: MusterConfig,
  person: PersonId | undefined,
  now: number,
  kind: 'approve' | 'deny',
): Refusal | undefined {
  const spec = config.actions.catalog[request.action];
  if (!spec) return 'unknown_action';
  if (!person) return 'unknown_person';
  if (request.status !== 'pending') return request.status === 'expired' ? 'expired' : 'decided';
  if (now >= request.expiresAt) return 'expired';
  if (kind === 'approve' && person === request.requestedBy) return 'self_approval';
  const allowed = approverSet(config, spec);
  // The requester may withdraw their own request; anyone else must be an approver.
  if (kind === 'deny' && person === request.requestedBy) return undefined;
  if (allowed ? !allowed.has(person) : !config.people[person]) return 'not_approver';
  if (request.approvals.some((approval) => approval.person === person)) return 'already_approved';
  return undefined;
}

/** Break-glass: allowed by the action's policy, by a known person, with a reason. */
export function mayBreakGlass(incident: Incident, config: MusterConfig, action: string, person: PersonId | undefined, reason: string): Refusal | undefined {
  const spec = config.actions.catalog[action];
  if (!spec) return 'unknown_action';
  if (!person) return 'unknown_person';
  if (!isActive(incident)) return 'inactive';
  if (!spec.policy.breakGlass) return 'no_break_glass';
  if (!reason.trim()) return 'reason_required';
  return undefined;
}

/** Why a previously announced grant is gone: for grant.ended. */
export function endReason(incident: Incident, config: MusterConfig, grant: IssuedGrant, now: number): 'resolved' | 'severity' | 'ttl' | 'slot' | 'policy' {
  const delegate = config.actions.catalog[grant.action]?.policy.delegate;
  if (!isActive(incident)) return 'resolved';
  if (!delegate) return 'policy';
  if (!delegate.severities.includes(incident.severity)) return 'severity';
  if (now >= grant.until) return 'ttl';
  return 'slot';
}
