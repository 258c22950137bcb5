import type { TimelineEvent } from '../incidents/types.js';
import { canonicalJson, hashEvent } from './chain.js';
import type { AuditKey } from './key.js';

/**
 * `muster audit verify --against FILE`: the sink (MUSTER_AUDIT_SINK) holds a
 * copy of every entry as it was committed, outside Redis. Every line there
 * must still be in the store, unchanged. This catches what the store alone
 * cannot show: the newest entries or incidents cut off together with the
 * counter, or the whole store rolled back to an older, consistent state.
 */
export interface SinkMismatch {
  incident: string;
  seq: number;
  reason: string;
  type?: string;
}

function parseLine(line: string): TimelineEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<TimelineEvent>;
    return typeof value.incident === 'string' && typeof value.seq === 'number' && typeof value.hash === 'string' ? (value as TimelineEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** The first sink line that the store contradicts, reading each incident's timeline once. */
export async function compareWithSink(
  lines: string[],
  timeline: (incident: string) => Promise<TimelineEvent[]>,
  key: AuditKey,
): Promise<{ mismatch?: SinkMismatch; compared: number }> {
  const cache = new Map<string, Map<number, TimelineEvent>>();
  let compared = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const copy = parseLine(line);
    if (!copy) return { mismatch: { incident: '(sink)', seq: 0, reason: `line ${index + 1} of the sink is not an audit entry` }, compared };
    const { hash, ...unsigned } = copy;
    const named = { incident: copy.incident, seq: copy.seq, type: copy.type };
    if (hashEvent(unsigned, key) !== hash) return { mismatch: { ...named, reason: `its copy in the sink (line ${index + 1}) does not verify under this key` }, compared };
    if (!cache.has(copy.incident)) cache.set(copy.incident, new Map((await timeline(copy.incident)).map((event) => [event.seq, event])));
    const stored = cache.get(copy.incident)!.get(copy.seq);
    if (!stored) return { mismatch: { ...named, reason: 'is in the sink but missing from the store (deleted or rolled back)' }, compared };
    if (canonicalJson(stored) !== canonicalJson(copy)) return { mismatch: { ...named, reason: 'differs from its copy in the sink' }, compared };
    compared += 1;
  }
  return { compared };
}
