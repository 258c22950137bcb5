import { verifyChain } from '../audit/chain.js';
import type { AuditKey } from '../audit/key.js';
import { checkNumber, type LedgerEntry } from '../audit/ledger.js';
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
  /** Set when the trail was checked under the unkeyed opt-out: a forger would pass. */
  unkeyed?: boolean;
}

async function incidentsOf(store: IncidentStore, incidentId?: string): Promise<Incident[]> {
  if (incidentId) {
    const incident = await store.get(incidentId);
    return incident ? [incident] : [];
  }
  return (await store.listRecent(AUDIT_SCAN_LIMIT)).sort((a, b) => a.number - b.number);
}

/**
 * The first entry that does not fit its chain under `key`: an edit, a forgery,
 * a deletion or a reordering inside the timeline, or entries missing from its
 * end (the incident record's head names the last entry written).
 */
export function checkTimeline(incident: Incident, timeline: TimelineEvent[], key: AuditKey): AuditBreak | undefined {
  const broken = verifyChain(timeline, key);
  if (broken) {
    const type = timeline[broken.index]?.type;
    return { incident: incident.id, seq: broken.seq, reason: broken.reason, ...(type ? { type } : {}) };
  }
  // On a live bot a commit may land between reading the record and its timeline:
  // keyed entries past the head are that commit's (only the key holder can chain them).
  const atHead = timeline.find((event) => event.seq === incident.head.seq);
  if (atHead && atHead.hash === incident.head.hash) return undefined;
  const last = timeline.at(-1);
  const seq = last?.seq ?? 0;
  if (seq !== incident.head.seq || (last && last.hash !== incident.head.hash)) {
    return { incident: incident.id, seq: seq + 1, reason: `entries ${seq + 1}..${incident.head.seq} are missing from the end` };
  }
  return undefined;
}

/** One incident number: its timeline first (so an edited entry is named), then its signed ledger entry. */
async function checkIncident(
  store: IncidentStore,
  key: AuditKey,
  number: number,
  found: { incident?: Incident; entry?: LedgerEntry },
): Promise<{ broken?: AuditBreak; entries: number }> {
  const timeline = found.incident ? await store.timeline(found.incident.id) : [];
  const broken = found.incident ? checkTimeline(found.incident, timeline, key) : undefined;
  if (broken) return { broken, entries: Math.max(0, broken.seq - 1) };
  const problem = checkNumber(number, { ...found, ...(timeline[0] ? { firstHash: timeline[0].hash } : {}) }, key);
  return { ...(problem ? { broken: { ...problem, seq: 0 } } : {}), entries: timeline.length };
}

/**
 * `muster audit verify`: every number up to the incident counter must have its
 * record, its signed ledger entry and an intact timeline under `key`. Stops at
 * the first break and names it.
 */
export async function verifyAudit(store: IncidentStore, key: AuditKey, incidentId?: string): Promise<AuditReport> {
  const unkeyed = key.kind === 'unkeyed' ? { unkeyed: true } : {};
  const incidents = await incidentsOf(store, incidentId);
  const ledger = await store.ledger();
  const ledgerByNumber = new Map(ledger.map((entry) => [entry.number, entry]));
  const entryOf = (number: number) => ledgerByNumber.get(number);
  let numbers: number[];
  if (incidentId) {
    const entry = ledger.find((item) => item.incident === incidentId);
    const number = incidents[0]?.number ?? entry?.number;
    if (number === undefined) {
      return { ok: false, checked: 0, incidents: 0, firstBreak: { incident: incidentId, seq: 0, reason: 'no such incident' }, ...unkeyed };
    }
    numbers = [number];
  } else {
    const counter = await store.incidentCount();
    const highest = [...incidents.map((i) => i.number), ...ledgerByNumber.keys()].reduce((a, b) => Math.max(a, b), counter);
    numbers = Array.from({ length: highest }, (_, index) => index + 1);
    const above = incidents.find((incident) => incident.number > counter);
    if (above) {
      return { ok: false, checked: 0, incidents: incidents.length, firstBreak: { incident: above.id, seq: 0, reason: `is numbered above the incident counter (${counter}): the counter was changed` }, ...unkeyed };
    }
  }
  const byNumber = new Map(incidents.map((incident) => [incident.number, incident]));
  let checked = 0;
  for (const number of numbers) {
    const incident = byNumber.get(number);
    const entry = entryOf(number);
    const result = await checkIncident(store, key, number, { ...(incident ? { incident } : {}), ...(entry ? { entry } : {}) });
    if (result.broken) return { ok: false, checked: checked + result.entries, incidents: incidents.length, firstBreak: result.broken, ...unkeyed };
    checked += result.entries;
  }
  return { ok: true, checked, incidents: incidents.length, ...unkeyed };
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
  const warning = report.unkeyed ? ' (UNKEYED: a forger with Redis access would pass too)' : '';
  if (report.ok) return `audit OK: ${report.checked} entries in ${report.incidents} incidents verify${warning}`;
  const broken = report.firstBreak;
  return broken
    ? `audit FAILED: ${broken.incident}${broken.seq > 0 ? ` entry ${broken.seq}` : ''}${broken.type ? ` (${broken.type})` : ''}: ${broken.reason}`
    : 'audit FAILED';
}
