import type { Incident } from '../incidents/types.js';
import type { Playbook } from './schema.js';

/** A playbook's progress on an incident: snapshotted definition and per-step state, kept on the record. */
export type StepStatus = 'pending' | 'open' | 'done' | 'skipped';

export interface StepState {
  status: StepStatus;
  openedAt?: number;
  dueAt?: number;
  closedAt?: number;
  by?: string;
  reason?: string;
  answer?: 'yes' | 'no';
  nudgedAt?: number;
  escalatedAt?: number;
}

export interface PlaybookRun {
  definition: Playbook;
  attachedAt: number;
  steps: Record<string, StepState>;
  completedAt?: number;
}

export type WithPlaybook = Incident & { playbook?: PlaybookRun };

export function runOf(incident: Incident): PlaybookRun | undefined {
  return (incident as WithPlaybook).playbook;
}
