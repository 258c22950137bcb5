import { DomainError } from '../errors.js';
import type { IncidentService } from '../incidents/service.js';
import type { Incident } from '../incidents/types.js';
import type { Lanes } from '../kernel/lanes.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { Scheduler } from '../ports.js';
import { runOf } from '../playbooks/run-state.js';
import type { KnowledgeBase } from './base.js';
import { editEntry, fileEntry, type KnowledgeInput, type KnowledgePatch } from './entry.js';
import { similarMessage, type PostmortemUrl } from './messages.js';
import type { IncidentKnowledge, KnowledgeField } from './record.js';
import { closeTaskFiled, knowledgeTimers, skipKnowledgeTask } from './task.js';

/**
 * The knowledge loop's use cases: file, edit and skip (each one commit on the
 * incident, with a timeline entry), the similar incidents posted after a
 * declare, and noting that a suggestion was opened. Reads go to the
 * KnowledgeBase, which follows the store.
 */

export interface KnowledgeServiceDeps {
  incidents: IncidentService;
  base: KnowledgeBase;
  present: Presenter;
  logger: Logger;
  /** Pending reminders of a closed task are taken out of the queue (their fence would stop them anyway). */
  scheduler: Scheduler;
  /** Where a postmortem opens in a browser; absent, suggestions and results name `muster export`. */
  postmortemUrl?: PostmortemUrl;
  /** Suggestions follow the pages (src/kernel/lanes.ts). */
  lanes?: Lanes;
}

export interface FileOutcome {
  /** False when the entry already said exactly this. */
  changed: boolean;
  /** First filing (else an edit of an earlier one). */
  first: boolean;
  fields: KnowledgeField[];
  /** Set when this filing closed the task. */
  onTime?: boolean;
}

/** How many suggestions a war room gets. */
export const SIMILAR_LIMIT = 3;

export class KnowledgeService {
  private suggestions: Promise<void> = Promise.resolve();

  constructor(private readonly deps: KnowledgeServiceDeps) {}

  /** Where a postmortem opens in a browser, when the dashboard is served under a public URL. */
  get postmortemUrl(): PostmortemUrl | undefined {
    return this.deps.postmortemUrl;
  }

  /** The index, for reads (search, the incident behind a hit, who owns which task). */
  get base(): KnowledgeBase {
    return this.deps.base;
  }

  private get t() {
    return this.deps.present.t;
  }

  /** Files the entry (or re-files it, recorded as an edit); closes an open task. */
  async file(incidentId: string, input: KnowledgeInput, by: string): Promise<FileOutcome> {
    let stale: string[] = [];
    const outcome = await this.deps.incidents.apply(incidentId, by, (fx): FileOutcome => {
      const incident = fx.incident;
      this.refuseDrill(incident);
      stale = knowledgeTimers(incident).map((timer) => timer.id);
      const before = incident.knowledge;
      const first = !before?.entry;
      const filed = fileEntry(before, input, by, fx.now, this.t, runOf(incident)?.definition.id);
      const next = closeTaskFiled(filed, by, fx.now);
      if (next === before) return { changed: false, first, fields: [] };
      incident.knowledge = next;
      const fields = next.history.at(-1)?.fields ?? [];
      const onTime = next.task?.state === 'filed' && before?.task?.state === 'open' ? next.task.onTime : undefined;
      fx.event(first ? 'knowledge.filed' : 'knowledge.edited', { person: by, data: { fields, ...(onTime !== undefined ? { onTime } : {}) } });
      return { changed: true, first, fields, ...(onTime !== undefined ? { onTime } : {}) };
    });
    if (outcome.onTime !== undefined) await this.cancel(stale);
    return outcome;
  }

  /** Changes some fields of a filed entry; the history keeps the old values. */
  edit(incidentId: string, patch: KnowledgePatch, by: string): Promise<FileOutcome> {
    return this.deps.incidents.apply(incidentId, by, (fx) => {
      const before = fx.incident.knowledge;
      const next = editEntry(before, patch, by, fx.now, this.t, incidentId);
      if (next === before) return { changed: false, first: false, fields: [] };
      fx.incident.knowledge = next;
      const fields = next.history.at(-1)?.fields ?? [];
      fx.event('knowledge.edited', { person: by, data: { fields } });
      return { changed: true, first: false, fields };
    });
  }

  /** Skips the task with a reason (required); its timers stop. */
  async skip(incidentId: string, reason: string, by: string): Promise<void> {
    let stale: string[] = [];
    await this.deps.incidents.apply(incidentId, by, (fx) => {
      this.refuseDrill(fx.incident);
      stale = knowledgeTimers(fx.incident).map((timer) => timer.id);
      fx.incident.knowledge = skipKnowledgeTask(fx.incident, reason, by, fx.now, this.t);
      fx.event('knowledge.skipped', { person: by, data: { reason: reason.trim().slice(0, 500) } });
    });
    await this.cancel(stale);
  }

  private async cancel(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deps.scheduler.cancel(ids).catch((error: unknown) => {
      this.deps.logger.warn({ timers: ids, err: error instanceof Error ? error.message : error }, 'could not cancel stale knowledge timers; their fence stops them');
    });
  }

  /**
   * Posts the similar past incidents to a new war room, behind the declare:
   * called after its commit handed the pages on, queued one at a time, and
   * never awaited by the declare. A failure is logged and costs nothing else.
   */
  suggestLater(incident: Incident): void {
    if (incident.drill) return;
    this.suggestions = this.suggestions
      .then(() => this.deps.lanes?.afterUrgent() ?? new Promise((resolve) => setImmediate(resolve)))
      .then(async () => {
        await this.suggest(incident);
      })
      .catch((error: unknown) => this.deps.logger.warn({ incident: incident.id, err: error instanceof Error ? error.message : error }, 'could not suggest similar incidents'));
  }

  /** Resolves once every suggestion queued so far was posted (tests, shutdown). */
  idle(): Promise<void> {
    return this.suggestions;
  }

  async suggest(incident: Incident): Promise<string[]> {
    const hits = await this.deps.base.similar(incident, SIMILAR_LIMIT);
    if (hits.length === 0) return [];
    const ids = hits.map((hit) => hit.id);
    await this.deps.incidents.apply(incident.id, 'muster', (fx, ctx) => {
      if (fx.incident.knowledge?.suggested) return;
      fx.incident.knowledge = { ...withHistory(fx.incident.knowledge), suggested: ids };
      fx.event('knowledge.suggested', { actor: 'muster', data: { ids } });
      fx.toRoom('knowledge-similar', similarMessage(ctx, fx.incident, hits, this.deps.postmortemUrl));
    });
    return ids;
  }

  /** Someone opened `shown` from `room`: when it was suggested there, that counts (once). */
  async opened(roomIncident: Incident, shown: string, by: string): Promise<void> {
    const suggested = roomIncident.knowledge?.suggested ?? [];
    if (!suggested.includes(shown) || roomIncident.knowledge?.opened?.includes(shown)) return;
    await this.deps.incidents.apply(roomIncident.id, by, (fx) => {
      const knowledge = withHistory(fx.incident.knowledge);
      if (knowledge.opened?.includes(shown)) return;
      fx.incident.knowledge = { ...knowledge, opened: [...(knowledge.opened ?? []), shown] };
      fx.event('knowledge.opened', { person: by, data: { opened: shown } });
    });
  }

  private refuseDrill(incident: Incident): void {
    if (incident.drill) throw new DomainError('conflict', this.t('knowledge.drill', { id: incident.id }));
  }
}

function withHistory(knowledge: IncidentKnowledge | undefined): IncidentKnowledge {
  return { history: [], ...knowledge };
}
