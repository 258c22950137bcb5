import type { Incident, PersonId } from '../incidents/types.js';
import type { ActionParams } from './types.js';
import { approveRequest, breakGlass, denyRequest, requestRun, type RunnerDeps, type RunResult } from './runner.js';
import type { NamedAction } from './schema.js';

export interface Actor {
  name: string;
  person?: PersonId;
}

export interface ActionServiceDeps extends RunnerDeps {
  /** True for runs that must only be planned; default: a drill's actions, except those it lets run live. */
  dryRun?: (incident: Incident, action: string) => boolean;
}

/** In a drill every action is a dry run, except a `live` one after a lead approved the live actions. */
export function drillDryRun(incident: Incident, action: string): boolean {
  const drill = incident.drill;
  return drill !== undefined && !(drill.live.includes(action) && drill.liveApprovedBy !== undefined);
}

/**
 * The privileged-action use cases with typed input: run (a grant, or a request
 * for approval), approve, deny and break-glass. Executors are injected once by
 * the composition root; a drill turns every run into a plan.
 */
export class ActionService {
  constructor(private readonly deps: ActionServiceDeps) {}

  private dry(incident: Incident, action: string): { dryRun: boolean } {
    return { dryRun: (this.deps.dryRun ?? drillDryRun)(incident, action) };
  }

  run(incident: Incident, actor: Actor, action: NamedAction, params: ActionParams): Promise<RunResult> {
    return requestRun(this.deps, incident.id, actor, action, params, this.dry(incident, action.name));
  }

  approve(incident: Incident, actor: Actor, requestId: string): Promise<RunResult> {
    const pending = incident.actions?.requests.find((candidate) => candidate.id === requestId);
    return approveRequest(this.deps, incident.id, actor, requestId, this.dry(incident, pending?.action ?? ''));
  }

  deny(incident: Incident, actor: Actor, requestId: string, reason: string): Promise<RunResult> {
    return denyRequest(this.deps, incident.id, actor, requestId, reason);
  }

  breakGlass(incident: Incident, actor: Actor, action: NamedAction, params: ActionParams, reason: string): Promise<RunResult> {
    return breakGlass(this.deps, incident.id, actor, action, params, reason, this.dry(incident, action.name));
  }
}
