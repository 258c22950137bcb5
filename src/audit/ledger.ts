import type { Incident, TimelineEvent } from '../incidents/types.js';
import { canonicalJson } from './chain.js';
import type { AuditKey } from './key.js';

/**
 * The incident ledger: one signed entry per declared incident, written in the
 * same atomic commit that creates it. With the store's incident counter it
 * makes a deleted incident visible: every number up to the counter must have
 * both its record and its signed entry, and the entry pins the first entry of
 * the incident's timeline, so a replaced incident does not pass either.
 */
export interface LedgerEntry {
  number: number;
  incident: string;
  declaredAt: number;
  /** The hash of the incident's first timeline entry. */
  first: string;
  /** HMAC-SHA256 under the audit key over the fields above. */
  mac: string;
}

export function ledgerMac(entry: Omit<LedgerEntry, 'mac'>, key: AuditKey): string {
  const { number, incident, declaredAt, first } = entry;
  return key.mac(`muster.ledger.v1\n${canonicalJson({ number, incident, declaredAt, first })}`);
}

/** The signed entry for a new incident whose first events were just chained. */
export function ledgerEntryFor(incident: Incident, firstEvent: TimelineEvent, key: AuditKey): LedgerEntry {
  const unsigned = { number: incident.number, incident: incident.id, declaredAt: incident.declaredAt, first: firstEvent.hash };
  return { ...unsigned, mac: ledgerMac(unsigned, key) };
}

export interface LedgerProblem {
  incident: string;
  reason: string;
}

/** What is wrong with one incident number, looking at its record, its signed entry and its first entry. */
export function checkNumber(
  number: number,
  found: { entry?: LedgerEntry; incident?: Incident; firstHash?: string },
  key: AuditKey,
): LedgerProblem | undefined {
  const { entry, incident } = found;
  if (entry && ledgerMac(entry, key) !== entry.mac) {
    return { incident: entry.incident, reason: `its ledger entry (number ${number}) is forged or was changed` };
  }
  if (entry && entry.number !== number) {
    return { incident: entry.incident, reason: `its ledger entry was moved from number ${entry.number} to ${number}` };
  }
  if (entry && !incident) {
    const when = new Date(entry.declaredAt).toISOString();
    return { incident: entry.incident, reason: `is missing: the signed ledger says it was declared at ${when}, but its record is gone (deleted)` };
  }
  if (!entry && incident) {
    return { incident: incident.id, reason: 'has no signed ledger entry (written behind Muster\'s back, or before the ledger existed)' };
  }
  if (!entry || !incident) {
    return {
      incident: `INC-${number}`,
      reason: `is missing: number ${number} was allocated but neither its record nor its signed ledger entry exists (deleted, or its declaration never committed)`,
    };
  }
  if (entry.incident !== incident.id) {
    return { incident: incident.id, reason: `its ledger entry names ${entry.incident}` };
  }
  if (found.firstHash !== entry.first) {
    return { incident: incident.id, reason: 'its timeline does not start with the entry the signed ledger pins (replaced)' };
  }
  return undefined;
}
