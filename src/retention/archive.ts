/**
 * `muster archive`: resolved incidents leave the store only after they are
 * written out. Each batch is written and flushed (fsync) first; then each
 * incident is removed with a fence on the version and timeline length that
 * were written, so an incident that changed after export stays in the store.
 */
import type { Incident, TimelineEvent } from '../incidents/types.js';
import type { IncidentStore, ResolvedIncidents } from '../ports.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 100;

/** One JSON line of the archive. */
export interface ArchivedIncident {
  incident: Incident;
  timeline: TimelineEvent[];
}

/** Where archived lines go; `flush` returns once they are durable (on disk). */
export interface ArchiveSink {
  write(lines: string[]): void;
  flush(): void;
}

export interface ArchiveReport {
  archived: number;
  /** Written out but left in the store: it changed after it was read (it is written again next run). */
  kept: number;
}

/** The cut-off: --before when given, else now minus retention.resolvedDays; undefined when neither says. */
export function archiveCutoff(options: { before?: string; resolvedDays?: number; now: number }): number | undefined | Error {
  if (options.before !== undefined) {
    const text = options.before.trim();
    const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
    return Number.isNaN(at) ? new Error(`"${options.before}" is not a date: write it like 2026-01-31 (UTC midnight) or 2026-01-31T12:00:00Z`) : at;
  }
  if (options.resolvedDays !== undefined) return options.now - options.resolvedDays * DAY_MS;
  return undefined;
}

export async function archiveResolved(options: {
  store: IncidentStore;
  resolved: ResolvedIncidents;
  before: number;
  sink: ArchiveSink;
}): Promise<ArchiveReport> {
  const { store, resolved, before, sink } = options;
  const report: ArchiveReport = { archived: 0, kept: 0 };
  let after = 0;
  for (;;) {
    const batch = await resolved.resolvedBefore(before, BATCH, after);
    if (batch.length === 0) return report;
    after = batch[batch.length - 1]!.number;
    const entries: ArchivedIncident[] = [];
    for (const incident of batch) entries.push({ incident, timeline: await store.timeline(incident.id) });
    sink.write(entries.map((entry) => JSON.stringify(entry)));
    sink.flush();
    for (const { incident, timeline } of entries) {
      if (await resolved.removeResolved(incident.id, incident.version, timeline.length)) report.archived += 1;
      else report.kept += 1;
    }
  }
}
