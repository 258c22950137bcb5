import type { PersonId } from '../kernel/ids.js';

/** A parameter value after the action's schema accepted it. */
export type ParamValue = string | number | boolean;
export type ActionParams = Record<string, ParamValue>;

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** A run waiting for the second person, stored on the incident. */
export interface ActionRequest {
  id: string;
  action: string;
  params: ActionParams;
  requestedBy: PersonId;
  requestedAt: number;
  expiresAt: number;
  needs: number;
  approvals: Array<{ person: PersonId; at: number }>;
  status: RequestStatus;
  decidedBy?: PersonId;
  decidedAt?: number;
  reason?: string;
}

/** A grant the timeline has announced (grant.issued) and not yet ended. */
export interface IssuedGrant {
  role: string;
  action: string;
  person: PersonId;
  from: number;
  until: number;
}

/** What the actions feature keeps on the incident record. */
export interface IncidentActions {
  nextRequest: number;
  nextRun: number;
  requests: ActionRequest[];
  grants: IssuedGrant[];
}

export function actionState(incident: { actions?: IncidentActions }): IncidentActions {
  incident.actions ??= { nextRequest: 1, nextRun: 1, requests: [], grants: [] };
  return incident.actions;
}
