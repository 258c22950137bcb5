import type { DraftEvent, TimelineEvent, TimelineHead } from '../incidents/types.js';
import type { AuditKey } from './key.js';

/** The hash a chain starts from, so the first entry is chained too. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with sorted keys: the same event always hashes the same, whoever wrote
 * it. Keys sort by UTF-16 code units (the default sort); undefined members are
 * left out, as JSON.stringify does. Written as plain loops: every timeline
 * event of every commit goes through it, and the entries/filter/sort/map
 * version was a tenth of a declare's CPU in a storm.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * An entry's hash: HMAC-SHA256 under the audit key over the canonical JSON of
 * everything else in it (seq, incident and prevHash included), so an entry can
 * be neither changed, moved nor re-chained without the key.
 */
export function hashEvent(event: Omit<TimelineEvent, 'hash'>, key: AuditKey): string {
  return key.mac(`muster.timeline.v2\n${canonicalJson(event)}`);
}

/** Links drafts onto the chain after `head`, signing each under `key`; returns the events and the new head. */
export function chainEvents(
  head: TimelineHead,
  incident: string,
  drafts: DraftEvent[],
  key: AuditKey,
): { events: TimelineEvent[]; head: TimelineHead } {
  let current = head;
  const events = drafts.map((draft) => {
    const unsigned = { ...draft, seq: current.seq + 1, incident, prevHash: current.hash };
    const event: TimelineEvent = { ...unsigned, hash: hashEvent(unsigned, key) };
    current = { seq: event.seq, hash: event.hash };
    return event;
  });
  return { events, head: current };
}

export interface ChainBreak {
  seq: number;
  index: number;
  reason: string;
}

/**
 * Recomputes the chain under `key` and returns the first entry that does not
 * fit: an edit or a forgery (hash mismatch), a deletion or reordering
 * (sequence or link mismatch).
 */
export function verifyChain(events: TimelineEvent[], key: AuditKey): ChainBreak | undefined {
  let previous: TimelineHead = { seq: 0, hash: GENESIS_HASH };
  for (const [index, event] of events.entries()) {
    if (event.seq !== previous.seq + 1) {
      return { seq: event.seq, index, reason: `expected entry ${previous.seq + 1}, found ${event.seq}` };
    }
    if (event.prevHash !== previous.hash) {
      return { seq: event.seq, index, reason: 'does not link to the entry before it' };
    }
    const { hash, ...unsigned } = event;
    if (hashEvent(unsigned, key) !== hash) {
      return { seq: event.seq, index, reason: 'content was changed after it was written' };
    }
    previous = { seq: event.seq, hash };
  }
  return undefined;
}
