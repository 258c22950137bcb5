import { verifyChain } from '../audit/chain.js';
import type { Incident, TimelineEvent } from '../incidents/types.js';
import type { IncidentStore } from '../ports.js';

/**
 * `muster audit verify` and `muster audit export`: recompute every incident's
 * hash chain from the store, and write the timelines as JSON lines.
 */

/** Far more incidents than a response center keeps; listRecent needs a bound. */
export const AUDIT_SCAN_LIMIT = 1_000_000;

export interface AuditBreak {
  incident: string;
  seq: number;
  reason: string;
  /** The entry's type, when the broken entry is there to name. */
  type?: string;
}

export interface AuditReport {
  ok: boolean;
  /** Entries checked, over all incidents. */
  checked: number;
  incidents: number;
  firstBreak?: AuditBreak;
}

async function incidentsOf(store: IncidentStore, incidentId?: string): Promise<Incident[]> {
  if (incidentId) {
    const incident = await store.get(incidentId);
    return incident ? [incident] : [];
  }
  return (await store.listRecent(AUDIT_SCAN_LIMIT)).sort((a, b) => a.number - b.number);
}

/**
 * The first entry that does not fit its chain: an edit, a deletion or a
 * reordering inside the timeline, or entries missing from its end (the
 * incident record's head names the last entry written).
 */
export function checkTimeline(incident: Incident, timeline: TimelineEvent[]): AuditBreak | undefined {
  const broken = verifyChain(timeline);
  if (broken) {
    const type = timeline[broken.index]?.type;
    return { incident: incident.id, seq: broken.seq, reason: broken.reason, ...(type ? { type } : {}) };
  }
  const last = timeline.at(-1);
  const seq = last?.seq ?? 0;
  if (seq !== incident.head.seq || (last && last.hash !== incident.head.hash)) {
    return { incident: incident.id, seq: seq + 1, reason: `entries ${seq + 1}..${incident.head.seq} are missing from the end` };
  }
  return undefined;
}

export async function verifyAudit(store: IncidentStore, incidentId?: string): Promise<AuditReport> {
  const incidents = await incidentsOf(store, incidentId);
  if (incidentId && incidents.length === 0) {
    return { ok: false, checked: 0, incidents: 0, firstBreak: { incident: incidentId, seq: 0, reason: 'no such incident' } };
  }
  let checked = 0;
  for (const incident of incidents) {
    const timeline = await store.timeline(incident.id);
    const broken = checkTimeline(incident, timeline);
    if (broken) return { ok: false, checked: checked + Math.max(0, broken.seq - 1), incidents: incidents.length, firstBreak: broken };
    checked += timeline.length;
  }
  return { ok: true, checked, incidents: incidents.length };
}

/** Writes every timeline entry, oldest incident first, one JSON object a line; returns how many. */
export async function exportAudit(store: IncidentStore, write: (line: string) => void | Promise<void>, incidentId?: string): Promise<number> {
  let count = 0;
  for (const incident of await incidentsOf(store, incidentId)) {
    for (const event of await store.timeline(incident.id)) {
      await write(`${JSON.stringify(event)}\n`);
      count += 1;
    }
  }
  return count;
}

/** One line for a person at a terminal: what was checked, or which entry broke. */
export function describeAudit(report: AuditReport): string {
  if (report.ok) return `audit OK: ${report.checked} entries in ${report.incidents} incidents verify`;
  const broken = report.firstBreak;
  return broken
    ? `audit FAILED: ${broken.incident} entry ${broken.seq}${broken.type ? ` (${broken.type})` : ''}: ${broken.reason}`
    : 'audit FAILED';
}
