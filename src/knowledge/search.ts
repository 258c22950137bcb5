import { createHash } from 'node:crypto';
import type { SearchResult } from 'minisearch';
import type { Incident } from '../incidents/types.js';
import { IncidentSearch, type TopMatch } from './engine.js';
import { tokenize } from './tokenize.js';

/**
 * The in-process full-text index of past incidents (MiniSearch, BM25+). The
 * store stays the truth: every replica builds its own index from the store at
 * start (`buildKnowledgeIndex`) and keeps it current with `indexIncident` on
 * every commit it sees. Drills are never indexed, so they can never come back
 * as "similar" real incidents or as search results.
 */

/** One incident as the chat shows it in a suggestion or a search result. */
export interface KnowledgeHit {
  id: string;
  number: number;
  title: string;
  severity: Incident['severity'];
  service?: string;
  status: Incident['status'];
  declaredAt: number;
  resolvedAt?: number;
  /** declaredAt → resolvedAt, when resolved. */
  resolveMs?: number;
  module?: string;
  faultType?: string;
  rootCause?: string;
  /** Solution steps from the knowledge entry; empty before one is filed. */
  resolution: string[];
  score: number;
}

type Stored = Omit<KnowledgeHit, 'score'>;

interface IndexedDoc extends Stored {
  summary?: string;
  labels?: string;
  prevention?: string;
  resolutionText?: string;
}

const FIELDS = ['title', 'summary', 'service', 'labels', 'rootCause', 'resolutionText', 'prevention', 'module', 'faultType'] as const;
/**
 * MiniSearch stores nothing: it would copy stored fields into every matching
 * result, thousands per query at 10,000 incidents. What a hit shows, and what
 * filters and boosts read, comes from `KnowledgeIndex.hits`.
 */
/** Title and what fixed it weigh most; alert labels are noisy. */
const BOOST: Partial<Record<(typeof FIELDS)[number], number>> = {
  title: 3,
  rootCause: 2,
  resolutionText: 2,
  module: 1.5,
  faultType: 1.5,
  service: 1.5,
  summary: 1,
  prevention: 0.7,
  labels: 0.7,
};

/** A same-service incident scores this many times higher in `similarIncidents`. */
export const SAME_SERVICE_BOOST = 2;

/**
 * Query terms `similarIncidents` keeps from a declared incident: the rarest
 * ones in the history, at most this many, and none held by more than
 * SIMILAR_COMMON_SHARE of the indexed incidents (but never fewer than
 * SIMILAR_COMMON_FLOOR). A common word ("node", "eu", "alert") tells few
 * incidents apart yet costs a pass over thousands of them: at 10,000 indexed
 * this makes the query about 15 times cheaper for the same most-similar hits
 * (bench/kb.ts). The same-service boost does the work the service name did.
 */
const SIMILAR_MAX_TERMS = 12;
const SIMILAR_COMMON_SHARE = 0.05;
const SIMILAR_COMMON_FLOOR = 100;
/** "1", "54": counts and percentages make no two incidents alike (status codes like 502 stay). */
const SMALL_NUMBER = /^\d{1,2}$/;

const isLatin = (term: string) => /^[a-z0-9]/.test(term);

/** Prefix and fuzzy matching only for Latin terms: a Han bigram is a whole word already. */
const prefixMatch = (term: string) => isLatin(term) && term.length >= 4;
const fuzzyMatch = (term: string) => (isLatin(term) && term.length >= 5 ? 0.2 : false);

export interface KnowledgeIndex {
  readonly engine: IncidentSearch<IndexedDoc>;
  /** Alert labels per incident, kept across replaces (a commit carries the incident, not its timeline). */
  readonly labels: Map<string, string>;
  /** What a hit shows, per indexed incident. */
  readonly hits: Map<string, Stored>;
  /** A digest of the indexed text per incident: a commit that leaves it alone skips re-indexing. */
  readonly texts: Map<string, string>;
}

export function createKnowledgeIndex(): KnowledgeIndex {
  const engine = new IncidentSearch<IndexedDoc>({
    fields: FIELDS,
    boost: BOOST,
    tokenize: (text) => tokenize(text),
    prefix: prefixMatch,
    fuzzy: fuzzyMatch,
    weights: { fuzzy: 0.3, prefix: 0.5 },
  });
  return { engine, labels: new Map(), hits: new Map(), texts: new Map() };
}

/** Builds the index from the store's incidents (at start). Drills are skipped. */
export function buildKnowledgeIndex(incidents: Iterable<Incident>, labelsOf?: (incident: Incident) => Record<string, string> | undefined): KnowledgeIndex {
  const index = createKnowledgeIndex();
  for (const incident of incidents) indexIncident(index, incident, labelsOf?.(incident));
  return index;
}

/**
 * Adds or replaces one incident (call it on every commit). `labels` are the
 * alert labels that opened or joined it; omitted, the ones seen before stay.
 * A drill is removed if it was ever indexed, and never added.
 */
export function indexIncident(index: KnowledgeIndex, incident: Incident, labels?: Record<string, string>): void {
  if (labels && Object.keys(labels).length > 0) index.labels.set(incident.id, labelsText(labels));
  if (incident.drill) {
    removeIncident(index, incident.id);
    return;
  }
  const doc = toDoc(incident, index.labels.get(incident.id));
  const { summary: _summary, labels: _labels, prevention: _prevention, resolutionText: _text, ...hit } = doc;
  index.hits.set(incident.id, hit);
  const text = createHash('sha1').update(JSON.stringify(FIELDS.map((field) => doc[field] ?? ''))).digest('base64');
  if (index.texts.get(incident.id) === text) return;
  index.texts.set(incident.id, text);
  if (index.engine.has(incident.id)) index.engine.replace(doc);
  else index.engine.add(doc);
}

export function removeIncident(index: KnowledgeIndex, id: string): void {
  if (index.engine.has(id)) index.engine.discard(id);
  index.labels.delete(id);
  index.hits.delete(id);
  index.texts.delete(id);
}

export interface SimilarOptions {
  /** Also suggest incidents still open (default: resolved ones only). */
  includeOpen?: boolean;
  labels?: Record<string, string>;
}

/**
 * Up to `limit` past incidents like this one (same service first, then similar
 * title, summary, labels, root cause or resolution), never itself, a later
 * incident or a drill.
 */
export function similarIncidents(index: KnowledgeIndex, incident: Incident, limit = 3, options: SimilarOptions = {}): KnowledgeHit[] {
  const labels = options.labels ? labelsText(options.labels) : index.labels.get(incident.id);
  const entry = incident.knowledge?.entry;
  const query = [incident.title, incident.summary, incident.service, labels, entry?.rootCause, entry?.module, entry?.faultType].filter(Boolean).join(' ');
  // Whole words from the same tokenizer, no prefix or fuzzy expansion, each term once: the rarest few (see SIMILAR_MAX_TERMS).
  const common = Math.max(SIMILAR_COMMON_FLOOR, index.engine.documentCount * SIMILAR_COMMON_SHARE);
  const terms = [...new Set(tokenize(query))]
    .filter((term) => !SMALL_NUMBER.test(term))
    .map((term) => ({ term, count: index.engine.documentFrequency(term) }))
    .filter(({ count }) => count > 0 && count <= common)
    .sort((a, b) => a.count - b.count)
    .slice(0, SIMILAR_MAX_TERMS)
    .map(({ term }) => term);
  if (terms.length === 0) return [];
  // Only incidents declared before this one (lower numbers): "seen before", never a later one.
  const results = index.engine.topOfTerms(terms, limit, {
    keep: (id) => {
      const hit = index.hits.get(id);
      return hit !== undefined && id !== incident.id && hit.number < incident.number && (options.includeOpen === true || hit.status === 'resolved');
    },
    boost: (id) => (incident.service !== undefined && index.hits.get(id)?.service === incident.service ? SAME_SERVICE_BOOST : 1),
  });
  return topHits(index, results, limit);
}

/** Free-text search by symptom or by fix ("checkout timeout", "重启支付网关"), best first. */
export function search(index: KnowledgeIndex, words: string, limit = 5): KnowledgeHit[] {
  if (words.trim() === '') return [];
  return topHits(index, index.engine.top(words, limit), limit);
}

function toDoc(incident: Incident, labels: string | undefined): IndexedDoc {
  const entry = incident.knowledge?.entry;
  const resolveMs = incident.resolvedAt === undefined ? undefined : incident.resolvedAt - incident.declaredAt;
  const doc: IndexedDoc = {
    id: incident.id,
    number: incident.number,
    title: incident.title,
    severity: incident.severity,
    service: incident.service,
    status: incident.status,
    declaredAt: incident.declaredAt,
    resolvedAt: incident.resolvedAt,
    resolveMs,
    module: entry?.module,
    faultType: entry?.faultType,
    rootCause: entry?.rootCause,
    resolution: entry?.resolution ?? [],
    summary: incident.summary,
    labels,
    prevention: entry?.prevention,
    resolutionText: entry?.resolution.join('\n'),
  };
  return doc;
}

function topHits(index: KnowledgeIndex, results: ReadonlyArray<SearchResult | TopMatch>, limit: number): KnowledgeHit[] {
  const hits: KnowledgeHit[] = [];
  for (const result of results) {
    if (hits.length >= limit) break;
    const stored = index.hits.get(result.id as string);
    if (stored) hits.push({ ...withoutUndefined(stored), score: result.score });
  }
  return hits;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** "alertname=HighLatency service=checkout" → the values only: label names are the same everywhere. */
function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([name]) => !['severity', 'instance', 'job', 'prometheus'].includes(name))
    .map(([, value]) => value.replace(/([a-z])([A-Z])/g, '$1 $2'))
    .join(' ');
}
