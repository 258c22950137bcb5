import type { Incident } from './types.js';

/** The slot a page was sent for, at the epoch it was sent in. */
export interface SlotFence {
  role: string;
  epoch: number;
}

/** A page is wanted while its slot still pages at the epoch it was sent in, on an open incident. */
export function pageWanted(incident: Incident | undefined, fence: SlotFence): boolean {
  if (!incident || incident.status === 'resolved') return false;
  const slot = incident.slots.find((candidate) => candidate.role === fence.role);
  return slot !== undefined && slot.state === 'paging' && slot.epoch === fence.epoch;
}

/**
 * The epochs of the slots still paging (none once resolved): what a store
 * keeps beside the record so delivery can check a page's fence without
 * reading and parsing the whole incident before every attempt.
 * Contract: `pageWanted(incident, f)` iff `pagingEpochs(incident)[f.role] === f.epoch`.
 */
export function pagingEpochs(incident: Incident): Record<string, number> {
  const epochs: Record<string, number> = {};
  if (incident.status === 'resolved') return epochs;
  for (const slot of incident.slots) if (slot.state === 'paging') epochs[slot.role] = slot.epoch;
  return epochs;
}
