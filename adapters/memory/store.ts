import type { LedgerEntry } from '../../src/audit/ledger.js';
import type { Commit, DeliveryClaim, RequestClaim, DeliveryFence, IncidentStore, OutboundMessage, ResolvedIncidents, SendClaims } from '../../src/ports.js';
import { pageWanted } from '../../src/incidents/page-fence.js';
import type { Incident, TimelineEvent } from '../../src/incidents/types.js';
import { isActive } from '../../src/incidents/types.js';

/**
 * Embedded store: everything lives in this process and is gone when it exits.
 * Not for production — use the Redis store (REDIS_URL). Values are deep-copied
 * in and out so callers can never mutate stored state by accident.
 */
export class MemoryStore implements IncidentStore, ResolvedIncidents {
  private counter = 0;
  private readonly incidents = new Map<string, Incident>();
  private readonly timelines = new Map<string, TimelineEvent[]>();
  private readonly ledgerEntries = new Map<number, LedgerEntry>();
  private readonly rooms = new Map<string, string>();
  private readonly pending = new Map<string, OutboundMessage>();
  private readonly delivered = new Set<string>();
  /** Messages whose sending began and has not been marked delivered. */
  private readonly attempted = new Set<string>();
  private readonly requests = new Map<string, { expiresAt: number; outcome?: string }>();
  private readonly values = new Map<string, string>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  /** The change feed: incident id -> sequence number of its last change (Map order is kept by re-inserting). */
  private readonly changes = new Map<string, number>();
  private changeSeq = 0;
  /** The next-due index: incident id -> when its earliest expected timer comes due. */
  private readonly due = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async nextIncidentNumber(): Promise<number> {
    this.counter += 1;
    return this.counter;
  }

  async incidentCount(): Promise<number> {
    return this.counter;
  }

  async ledger(): Promise<LedgerEntry[]> {
    return [...this.ledgerEntries.values()].map((entry) => structuredClone(entry));
  }

  async get(id: string): Promise<Incident | undefined> {
    const found = this.incidents.get(id);
    return found ? structuredClone(found) : undefined;
  }

  async versions(ids: string[]): Promise<Array<number | undefined>> {
    return ids.map((id) => this.incidents.get(id)?.version);
  }

  async listActive(): Promise<Incident[]> {
    return [...this.incidents.values()]
      .filter(isActive)
      .sort((a, b) => a.number - b.number)
      .map((incident) => structuredClone(incident));
  }

  async listActiveDrills(): Promise<Incident[]> {
    return (await this.listActive()).filter((incident) => incident.drill);
  }

  async listRecent(limit: number): Promise<Incident[]> {
    return [...this.incidents.values()]
      .sort((a, b) => b.number - a.number)
      .slice(0, limit)
      .map((incident) => structuredClone(incident));
  }

  async findByRoom(room: string): Promise<string | undefined> {
    return this.rooms.get(room);
  }

  async commit(change: Commit): Promise<boolean> {
    const current = this.incidents.get(change.incident.id);
    if ((current?.version ?? 0) !== change.expectedVersion) return false;
    const incident = structuredClone(change.incident);
    this.incidents.set(incident.id, incident);
    this.changed(incident.id);
    this.rooms.set(incident.room, incident.id);
    const timeline = this.timelines.get(incident.id) ?? [];
    timeline.push(...structuredClone(change.events));
    this.timelines.set(incident.id, timeline);
    for (const [key, value] of Object.entries(change.values ?? {})) this.values.set(key, value);
    if (change.nextDueAt !== undefined) this.due.set(incident.id, change.nextDueAt);
    else this.due.delete(incident.id);
    if (change.request) this.requests.set(change.request.id, { expiresAt: this.now() + change.request.ttlMs, outcome: change.request.outcome });
    if (change.ledger && !this.ledgerEntries.has(change.ledger.number)) this.ledgerEntries.set(change.ledger.number, structuredClone(change.ledger));
    const claimed = new Set(change.claims?.ids);
    for (const message of change.outbox) {
      if (this.delivered.has(message.id)) continue;
      this.pending.set(message.id, structuredClone(message));
      if (change.claims && claimed.has(message.id)) this.claimWithCommit(message.id, change.claims);
    }
    return true;
  }

  async changedSince(cursor: number, limit: number): Promise<{ cursor: number; ids: string[] }> {
    if (limit <= 0) return { cursor: this.changeSeq, ids: [] };
    const ids: string[] = [];
    let next = cursor;
    for (const [id, seq] of this.changes) {
      if (seq <= cursor) continue;
      if (ids.length >= limit) break;
      ids.push(id);
      next = seq;
    }
    return { cursor: next, ids };
  }

  private changed(id: string): void {
    this.changeSeq += 1;
    this.changes.delete(id);
    this.changes.set(id, this.changeSeq);
  }

  async timeline(id: string): Promise<TimelineEvent[]> {
    return structuredClone(this.timelines.get(id) ?? []);
  }

  async listDue(until: number, limit: number): Promise<Incident[]> {
    return [...this.due]
      .filter(([, at]) => at <= until)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .flatMap(([id]) => (this.incidents.has(id) ? [structuredClone(this.incidents.get(id)!)] : []));
  }

  async reindex(entries: Array<{ incident: Incident; nextDueAt: number | undefined }>): Promise<void> {
    for (const { incident, nextDueAt } of entries) {
      if (nextDueAt === undefined) this.due.delete(incident.id);
      else this.due.set(incident.id, nextDueAt);
    }
  }

  async pendingOutboxPage(cursor: string, count: number): Promise<{ cursor: string; messages: OutboundMessage[] }> {
    const all = [...this.pending.values()];
    const from = Number(cursor) || 0;
    const end = from + count;
    return { cursor: end >= all.length ? '0' : String(end), messages: all.slice(from, end).map((message) => structuredClone(message)) };
  }

  async pendingOutbox(): Promise<OutboundMessage[]> {
    return [...this.pending.values()].map((message) => structuredClone(message));
  }

  async markDelivered(messageId: string): Promise<boolean> {
    this.pending.delete(messageId);
    this.attempted.delete(messageId);
    if (this.delivered.has(messageId)) return false;
    this.delivered.add(messageId);
    return true;
  }

  async forgetAttempt(messageId: string): Promise<void> {
    this.attempted.delete(messageId);
  }

  async isDelivered(messageId: string): Promise<boolean> {
    return this.delivered.has(messageId);
  }

  /** What claimDelivery would set for a first attempt, taken by the commit that writes the message. */
  private claimWithCommit(messageId: string, claims: SendClaims): void {
    this.leases.set(`send:${messageId}`, { owner: claims.owner, expiresAt: this.now() + claims.ttlMs });
    this.attempted.add(messageId);
  }

  async claimDelivery(messageId: string, owner: string, ttlMs: number, fence?: DeliveryFence): Promise<DeliveryClaim> {
    if (this.delivered.has(messageId)) return 'delivered';
    if (!(await this.acquireLease(`send:${messageId}`, owner, ttlMs))) return 'busy';
    const retried = this.attempted.has(messageId);
    this.attempted.add(messageId);
    if (fence && !pageWanted(this.incidents.get(fence.incident), fence)) return 'superseded';
    return retried ? 'retried' : 'claimed';
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.leases.get(key);
    if (held && held.owner !== owner && held.expiresAt > this.now()) return false;
    this.leases.set(key, { owner, expiresAt: this.now() + ttlMs });
    return true;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
  }

  async leaseWithValue(key: string, owner: string, ttlMs: number, valueKey: string): Promise<{ value: string | undefined } | undefined> {
    return (await this.acquireLease(key, owner, ttlMs)) ? { value: this.values.get(valueKey) } : undefined;
  }

  async setValueAndRelease(valueKey: string, value: string, key: string, owner: string): Promise<void> {
    this.values.set(valueKey, value);
    await this.releaseLease(key, owner);
  }

  async claimRequest(requestId: string, ttlMs: number): Promise<RequestClaim> {
    const held = this.requests.get(requestId);
    if (held && held.expiresAt > this.now()) return held.outcome !== undefined ? { state: 'done', outcome: held.outcome } : { state: 'running' };
    this.requests.set(requestId, { expiresAt: this.now() + ttlMs });
    return { state: 'claimed' };
  }

  async finishRequest(requestId: string, outcome: string, ttlMs: number): Promise<void> {
    this.requests.set(requestId, { expiresAt: this.now() + ttlMs, outcome });
  }

  async releaseRequest(requestId: string): Promise<void> {
    // Only a running claim: a commit that landed after all keeps the outcome it wrote.
    if (this.requests.get(requestId)?.outcome === undefined) this.requests.delete(requestId);
  }

  async getValue(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async setValue(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async resolvedBefore(before: number, limit: number, after = 0): Promise<Incident[]> {
    return [...this.incidents.values()]
      .filter((incident) => incident.number > after && incident.status === 'resolved' && (incident.resolvedAt ?? Infinity) < before)
      .sort((a, b) => a.number - b.number)
      .slice(0, limit)
      .map((incident) => structuredClone(incident));
  }

  async removeResolved(id: string, version: number, events: number): Promise<boolean> {
    const incident = this.incidents.get(id);
    if (!incident || incident.status !== 'resolved' || incident.version !== version) return false;
    if ((this.timelines.get(id)?.length ?? 0) !== events) return false;
    this.incidents.delete(id);
    this.timelines.delete(id);
    if (this.rooms.get(incident.room) === id) this.rooms.delete(incident.room);
    this.values.delete(`board-ref:${id}`);
    this.values.delete(`board-drawn:${id}`);
    this.values.delete(`alert-seen:${id}`);
    this.due.delete(id);
    const group = incident.alerts ? `alert-incident:${incident.alerts.key}` : undefined;
    if (group && this.values.get(group) === id) this.values.delete(group);
    this.changed(id);
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
