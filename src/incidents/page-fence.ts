import type { Incident } from './types.js';

/** The slot a page was sent for, at the epoch it was sent in. */
export interface SlotFence {
  role: string;
  epoch: number;
}

/**
 * The incident's own clocks a reminder can be fenced on, beside the slots
 * (their keys start with '#', which no role id does): the update cadence, the
 * knowledge task (which runs after resolve), and the warnings of the response
 * SLA and the resolution clock.
 */
export const UPDATE_CLOCK = '#update';
export const KNOWLEDGE_CLOCK = '#knowledge';
/** The response SLA while nobody has responded yet, and the resolution clock while the incident is open. */
export const RESPOND_CLOCK = '#respond';
export const RESOLVE_CLOCK = '#resolve';

/**
 * A page is wanted while its slot still pages at the epoch it was sent in, on
 * an open incident; a reminder while its clock is still at its epoch.
 */
export function pageWanted(incident: Incident | undefined, fence: SlotFence): boolean {
  return incident !== undefined && pagingEpochs(incident)[fence.role] === fence.epoch;
}

/**
 * The epochs of the slots still paging (none once resolved) and of the clocks
 * still running: what a store keeps beside the record so delivery can check a
 * message's fence without reading and parsing the whole incident before every
 * attempt. Contract: `pageWanted(incident, f)` iff `pagingEpochs(incident)[f.role] === f.epoch`.
 */
export function pagingEpochs(incident: Incident): Record<string, number> {
  const epochs: Record<string, number> = {};
  const task = incident.knowledge?.task;
  if (task?.state === 'open') epochs[KNOWLEDGE_CLOCK] = task.epoch;
  if (incident.status === 'resolved') return epochs;
  for (const slot of incident.slots) if (slot.state === 'paging') epochs[slot.role] = slot.epoch;
  if (incident.updateDueAt !== undefined) epochs[UPDATE_CLOCK] = incident.updateEpoch ?? 0;
  if (incident.respondBy !== undefined && incident.respondedAt === undefined) epochs[RESPOND_CLOCK] = incident.slaEpoch ?? 0;
  if (incident.resolveBy !== undefined) epochs[RESOLVE_CLOCK] = incident.resolveEpoch ?? 0;
  return epochs;
}
