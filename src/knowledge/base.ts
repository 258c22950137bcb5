import type { Incident, TimelineEvent } from '../incidents/types.js';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../ports.js';
import { createKnowledgeIndex, indexIncident, removeIncident, search, similarIncidents, type KnowledgeHit, type SimilarOptions } from './search.js';

/**
 * The knowledge index of one replica, kept correct against the store (the
 * truth) in three ways:
 *
 * - **At start** (`load`) it reads every incident the store holds, a slice at
 *   a time so pages keep flowing while it builds, after noting the store's
 *   change-feed cursor.
 * - **On every commit in this process** (`observe`, called by the commit path
 *   after the commit's pages and timers were handed on).
 * - **For other replicas' commits** it follows the store's change feed
 *   (`IncidentStore.changedSince`): before every search, similar-incident
 *   query and reconciler pass (`sync`) it re-reads the incidents committed
 *   since the cursor it last saw, skipping those whose stored version it has
 *   indexed already (its own commits). The feed is written in the same atomic
 *   step as each commit, so nothing another replica committed before the
 *   query began is missed; one round trip when nothing changed.
 *
 * An older version never replaces a newer one, so the three may interleave.
 * It also tracks which resolved incidents still have an open knowledge task:
 * their reminder and overdue timers outlive the active set the reconciler
 * reads, so it asks for them here.
 */

const FEED_PAGE = 500;
/** How old a catch-up similar incidents may rely on (see `syncWithin`). */
const SIMILAR_STALE_MS = 1_000;
/** Incidents indexed between yields to the event loop while building at start. */
const BUILD_SLICE = 200;

export interface KnowledgeBaseDeps {
  store: IncidentStore;
  logger: Logger;
}

export class KnowledgeBase {
  readonly index = createKnowledgeIndex();
  private readonly versions = new Map<string, number>();
  private readonly openTasks = new Map<string, string>();
  private cursor = 0;
  private loading: Promise<void> | undefined;
  private pulling: Promise<void> | undefined;
  private nextPull: Promise<void> | undefined;
  /** When the last pull of the change feed began (wall clock, ms). */
  private lastPullAt: number | undefined;
  /** True once the start-up build finished. */
  loaded = false;

  constructor(private readonly deps: KnowledgeBaseDeps) {}

  /** Builds the index from the store, once; later calls wait for the same build. */
  load(): Promise<void> {
    this.loading ??= this.build().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async build(): Promise<void> {
    const started = Date.now();
    const { cursor } = await this.deps.store.changedSince(0, 0);
    const all = await this.deps.store.listRecent(await this.deps.store.incidentCount());
    for (let i = 0; i < all.length; i += 1) {
      this.observe(all[i]!);
      if ((i + 1) % BUILD_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.cursor = Math.max(this.cursor, cursor);
    this.loaded = true;
    this.deps.logger.info({ incidents: this.index.engine.documentCount, ms: Date.now() - started }, 'knowledge index built');
  }

  /** A committed record (this process's commit, the start-up build or the feed). */
  observe(incident: Incident, events: readonly TimelineEvent[] = []): void {
    const known = this.versions.get(incident.id);
    if (known !== undefined && known > incident.version) return;
    this.versions.set(incident.id, incident.version);
    indexIncident(this.index, incident, alertLabels(events));
    const task = incident.knowledge?.task;
    if (task?.state === 'open' && !incident.drill) this.openTasks.set(incident.id, task.owner);
    else this.openTasks.delete(incident.id);
  }

  private forget(id: string): void {
    removeIncident(this.index, id);
    this.versions.delete(id);
    this.openTasks.delete(id);
  }

  /**
   * Catches up with the change feed. A call made while a pull runs waits for
   * the next one, which starts after it: it sees every change committed
   * before it was called.
   */
  async sync(): Promise<void> {
    await this.load();
    if (!this.pulling) return this.startPull();
    this.nextPull ??= this.pulling.then(
      () => this.startPull(),
      () => this.startPull(),
    );
    return this.nextPull;
  }

  /**
   * Like `sync`, but content with a pull that began less than `maxAgeMs` ago:
   * similar incidents for a new war room are past ones, so a change another
   * replica made a moment ago can wait, and a storm of declares reads the
   * change feed once a second instead of once per declare.
   */
  async syncWithin(maxAgeMs: number): Promise<void> {
    if (this.lastPullAt !== undefined && Date.now() - this.lastPullAt < maxAgeMs) return this.load();
    return this.sync();
  }

  private startPull(): Promise<void> {
    this.nextPull = undefined;
    this.lastPullAt = Date.now();
    const run = this.pull().finally(() => {
      if (this.pulling === run) this.pulling = undefined;
    });
    this.pulling = run;
    return run;
  }

  private async pull(): Promise<void> {
    for (;;) {
      const page = await this.deps.store.changedSince(this.cursor, FEED_PAGE);
      // Most changes are this process's own commits, observed already: read only the rest.
      const stored = await this.deps.store.versions(page.ids);
      const unseen = page.ids.filter((id, i) => stored[i] === undefined || (this.versions.get(id) ?? -1) < stored[i]!);
      const incidents = await Promise.all(unseen.map((id) => this.deps.store.get(id)));
      unseen.forEach((id, i) => {
        const incident = incidents[i];
        if (incident) this.observe(incident);
        else this.forget(id);
      });
      this.cursor = Math.max(this.cursor, page.cursor);
      if (page.ids.length < FEED_PAGE) return;
    }
  }

  /** Free-text search by symptom or by fix, after catching up with the store. */
  async search(words: string, limit = 5): Promise<KnowledgeHit[]> {
    await this.sync();
    return search(this.index, words, limit);
  }

  /** Up to `limit` resolved past incidents like this one (never itself, never a drill). */
  async similar(incident: Incident, limit = 3, options: SimilarOptions = {}): Promise<KnowledgeHit[]> {
    await this.syncWithin(SIMILAR_STALE_MS);
    return similarIncidents(this.index, incident, limit, options);
  }

  /** The indexed incident, as a hit (what `/kb show` lists), if it is indexed. */
  hit(id: string): KnowledgeHit | undefined {
    const stored = this.index.hits.get(id);
    return stored ? { ...stored, score: 0 } : undefined;
  }

  /** Resolved incidents whose knowledge task is still open (the reconciler re-creates their timers). Empty until built. */
  async openTaskIncidents(): Promise<Incident[]> {
    if (!this.loaded) return [];
    await this.sync();
    const found = await Promise.all([...this.openTasks.keys()].map((id) => this.deps.store.get(id)));
    return found.filter((incident): incident is Incident => incident?.knowledge?.task?.state === 'open');
  }

  /** Ids of incidents whose open knowledge task `person` owns. */
  openTasksOf(person: string): string[] {
    return [...this.openTasks].filter(([, owner]) => owner === person).map(([id]) => id);
  }
}

/** The labels of the alerts a commit attached, for the index (values only, merged). */
function alertLabels(events: readonly TimelineEvent[]): Record<string, string> | undefined {
  let labels: Record<string, string> | undefined;
  for (const event of events) {
    if (event.type !== 'alert.received') continue;
    const given = event.data.labels;
    if (given && typeof given === 'object') labels = { ...labels, ...(given as Record<string, string>) };
  }
  return labels;
}
