/**
 * Knowledge-base figures: build an index over N generated past incidents,
 * then time `search` (labelled and generated queries), `similarIncidents` and
 * a per-commit `indexIncident` (replace). In-process, no Redis.
 *
 *   node --expose-gc --import tsx bench/kb.ts     standalone (prints the figures as JSON)
 *
 * The incidents recombine the 65 real-looking English and Chinese incidents of
 * test/support/kb-incidents.ts with generated hosts, regions, tenants and
 * numbers, so the vocabulary grows with N the way a real history's does.
 */
import { performance } from 'node:perf_hooks';
import type { Incident } from '../src/incidents/types.js';
import { buildKnowledgeIndex, indexIncident, search, similarIncidents } from '../src/knowledge/search.js';
import { LABELLED_QUERIES, PAST_INCIDENTS, pastIncident } from '../test/support/kb-incidents.js';
import { summarize, type Summary } from './stats.js';

const MB = 1024 * 1024;
const SERVICES = ['checkout', 'payments', 'login', 'search', 'cdn', 'database', 'redis', 'kafka', 'inventory', 'api-gateway', 'dns', 'k8s', 'notifications', 'observability', 'media', 'orders', 'accounts', 'pricing', 'shipping', 'reviews'];
/** What responders add to a summary; each appears in a fraction of the history, as in a real one. */
const DETAILS = [
  (host: string, tenant: string, rate: number) => `seen on ${host} for ${tenant}`,
  (host: string, _tenant: string, rate: number) => `${rate}% of requests failing on ${host}`,
  (_host: string, tenant: string) => `first reported by ${tenant} through support`,
  (host: string) => `alert fired on ${host}`,
  (host: string, _tenant: string, rate: number) => `${host} 错误率 ${rate}%`,
  (_host: string, tenant: string) => `客户 ${tenant} 反馈`,
  () => '',
];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'cn-north-1', 'cn-east-2', '华东', '华北', '华南'];

export interface KbBenchResult {
  incidents: number;
  buildMs: number;
  /** CPU time of the build and mean CPU time of a search: what the wall-clock figures cost on an idle machine. */
  buildCpuMs: number;
  searchCpuMeanMs: number;
  heapMb?: number;
  search: Summary;
  similar: Summary;
  /** A commit that changes no indexed text (an ack, a page). */
  upsert: Summary;
  /** A commit that changes indexed text (an entry filed, a new summary). */
  reindex: Summary;
  terms: number;
}

/** A deterministic PRNG (mulberry32): the same history every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function generateIncidents(count: number, seed = 17): Incident[] {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const base = pick(PAST_INCIDENTS);
    const host = `${pick(['db', 'node', 'web', 'edge', 'worker', 'cache'])}-${Math.floor(rand() * 800)}`;
    const region = pick(REGIONS);
    const tenant = `tenant-${Math.floor(rand() * 3000)}`;
    const incident = pastIncident({
      ...base,
      n: 10_000 + i,
      service: rand() < 0.6 ? base.service : pick(SERVICES),
      title: `${base.title} (${region})`,
      summary: `${base.summary}; ${pick(DETAILS)(host, tenant, Math.floor(rand() * 90) + 5)}`,
      rootCause: `${base.rootCause} on ${host}`,
    });
    return incident;
  });
}

function queriesFor(incidents: Incident[], count: number, seed = 29): string[] {
  const rand = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (i % 2 === 0) {
      out.push(LABELLED_QUERIES[i % LABELLED_QUERIES.length]!.query);
      continue;
    }
    const incident = incidents[Math.floor(rand() * incidents.length)]!;
    const steps = incident.knowledge?.entry?.resolution ?? [];
    out.push(i % 4 === 1 ? incident.title.split(/[\s，,]+/).slice(0, 4).join(' ') : (steps[0] ?? incident.title));
  }
  return out;
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function time(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

function heapUsed(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function knowledgeBench(count = 10_000, queryCount = 2_000): KbBenchResult {
  const incidents = generateIncidents(count);
  const before = heapUsed();
  let index: ReturnType<typeof buildKnowledgeIndex> | undefined;
  let buildCpuMs = 0;
  const buildMs = time(() => {
    buildCpuMs = cpuMs(() => {
      index = buildKnowledgeIndex(incidents);
    });
  });
  const after = heapUsed();
  const kb = index!;
  const queries = queriesFor(incidents, queryCount);
  for (const query of queries.slice(0, 200)) search(kb, query, 5); // warm-up
  let searchMs: number[] = [];
  const searchCpu = cpuMs(() => {
    searchMs = queries.map((query) => time(() => search(kb, query, 5)));
  });
  const declared = incidents.slice(0, 500).map((incident) => ({ ...incident, id: `NEW-${incident.id}`, status: 'assembling' as const, knowledge: undefined }));
  const similarMs = declared.map((incident) => time(() => similarIncidents(kb, incident, 3)));
  const upsertMs = incidents.slice(0, 1_000).map((incident) => time(() => indexIncident(kb, { ...incident, version: incident.version + 1 })));
  const reindexMs = incidents.slice(1_000, 2_000).map((incident) => time(() => indexIncident(kb, { ...incident, summary: `${incident.summary ?? ''} (updated)` })));
  return {
    incidents: count,
    buildMs,
    buildCpuMs,
    searchCpuMeanMs: searchCpu / queries.length,
    ...(before !== undefined && after !== undefined ? { heapMb: (after - before) / MB } : {}),
    search: summarize(searchMs),
    similar: summarize(similarMs),
    upsert: summarize(upsertMs),
    reindex: summarize(reindexMs),
    terms: kb.engine.termCount,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = knowledgeBench(Number(process.env.KB_INCIDENTS ?? 10_000));
  console.log(JSON.stringify(result));
}
