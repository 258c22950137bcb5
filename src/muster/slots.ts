import type { EscalationPolicy, MusterConfig, Severity, TeamConfig } from '../config/schema.js';
import type { PersonId, RoleSlot, SnapshotStep } from '../incidents/types.js';
import type { HeldPosition, HolderLookup } from '../kernel/context.js';
import { onCall } from './rotation.js';

/**
 * Resolves who to page at declare time. The result is snapshotted onto the
 * incident: later config edits or rotation handoffs never change a running
 * muster.
 */

/** Which team staffs a role for this incident; undefined when the role needs a service and none was given. */
export function teamForRole(config: MusterConfig, role: string, service?: string): string | undefined {
  const roleConfig = config.roles[role];
  if (!roleConfig) return undefined;
  if (roleConfig.fromService) return service ? config.services[service]?.team : undefined;
  return roleConfig.team;
}

type Target = EscalationPolicy['steps'][number]['page'];

/** Who is on call, computed once per team and instant: declare asks for the same answer many times. */
const onCallMemo = new WeakMap<TeamConfig, { at: number; holders: ReturnType<typeof onCall> }>();

function holdersOf(team: TeamConfig, at: number): ReturnType<typeof onCall> {
  const cached = onCallMemo.get(team);
  if (cached?.at === at) return cached.holders;
  const holders = onCall(team, at);
  onCallMemo.set(team, { at, holders });
  return holders;
}

const TARGET_RESOLVERS: Record<'primary' | 'backup' | 'manager', (team: TeamConfig, at: number) => PersonId[]> = {
  primary: (team, at) => [holdersOf(team, at).primary],
  backup: (team, at) => {
    const backup = holdersOf(team, at).backup;
    return backup ? [backup] : [];
  },
  manager: (team) => [team.manager],
};

/** Who holds one position of one team at an instant, by the schedule (rotation and shift changes). */
export type PositionHolder = (position: 'primary' | 'backup', at: number) => HeldPosition | undefined;

function resolveTarget(target: Target, team: TeamConfig, at: number, holder?: PositionHolder): { targets: PersonId[]; heldBy?: string } {
  if (Array.isArray(target)) return { targets: [...target] };
  if (holder && target !== 'manager') {
    const held = holder(target, at);
    if (held !== undefined) return { targets: [held.person], heldBy: held.source };
  }
  return { targets: TARGET_RESOLVERS[target](team, at) };
}

/** The schedule's answer for one team, when the context has a schedule. */
export function positionHolder(holders: HolderLookup | undefined, team: string): PositionHolder | undefined {
  return holders ? (position, at) => holders(team, position, at) : undefined;
}

/**
 * Expands a policy into absolute offsets. `after` is the delay since the
 * previous step; a repeat restarts the chain after the last step's delay when
 * the first step has none, so a repeat never pages the primary and the manager
 * in the same instant. Steps that resolve to nobody (no backup) are dropped.
 */
export function snapshotChain(policy: EscalationPolicy, team: TeamConfig, at: number, holder?: PositionHolder): SnapshotStep[] {
  const steps = policy.steps;
  const lastDelay = steps[steps.length - 1]?.after ?? 0;
  const chain: SnapshotStep[] = [];
  let offset = 0;
  for (let cycle = 0; cycle <= policy.repeat; cycle += 1) {
    for (const [index, step] of steps.entries()) {
      const restart = cycle > 0 && index === 0 && step.after === 0;
      offset += restart ? lastDelay : step.after;
      const { targets, heldBy } = resolveTarget(step.page, team, at, holder);
      const via = Array.isArray(step.page) ? 'people' : step.page;
      if (targets.length > 0) chain.push({ atMs: offset, targets, via, ...(heldBy ? { heldBy } : {}) });
    }
  }
  return chain;
}

export function policyFor(config: MusterConfig, severity: Severity, teamId: string): EscalationPolicy {
  const team = config.teams[teamId];
  const level = config.severities[severity];
  const name = team?.escalation ?? level?.escalation ?? '';
  const policy = config.escalation[name];
  if (!policy) throw new Error(`escalation policy "${name}" is missing (validate the config)`);
  return policy;
}

/** Opens one slot per required role, each with its own snapshotted chain. */
export function openSlots(
  config: MusterConfig,
  severity: Severity,
  service: string | undefined,
  at: number,
  holders?: HolderLookup,
): RoleSlot[] {
  const level = config.severities[severity];
  if (!level) return [];
  return level.roles.map((role) => {
    const teamId = teamForRole(config, role, service);
    const team = teamId ? config.teams[teamId] : undefined;
    if (!teamId || !team) throw new Error(`role "${role}" has no team for service "${service ?? ''}"`);
    return {
      role,
      team: teamId,
      state: 'paging',
      startedAt: at,
      epoch: 0,
      nextStep: 0,
      chain: snapshotChain(policyFor(config, severity, teamId), team, at, positionHolder(holders, teamId)),
      pages: [],
    };
  });
}

/** The duty manager right now: a named person, or whoever holds the duty team's primary pager (shift changes included). */
export function dutyManager(config: MusterConfig, at: number, holders?: HolderLookup): PersonId {
  const duty = config.dutyManager;
  if ('person' in duty) return duty.person;
  const team = config.teams[duty.team];
  if (!team) throw new Error(`duty manager team "${duty.team}" is missing (validate the config)`);
  return holders?.(duty.team, 'primary', at)?.person ?? onCall(team, at).primary;
}
