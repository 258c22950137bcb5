import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/types.js';
import { buildKnowledgeIndex, indexIncident, search, type KnowledgeIndex } from '../../src/knowledge/search.js';
import { tokenize } from '../../src/knowledge/tokenize.js';
import { LABELLED_QUERIES, PAST_INCIDENTS, pastIncident } from '../support/kb-incidents.js';
import { seeded } from '../support/seeded.js';

/**
 * `IncidentSearch.top` scores in one array instead of a result object per
 * matching incident (src/knowledge/engine.ts). It must rank exactly as
 * MiniSearch's own `search` with the same options: these tests compare the two
 * over a generated history of English, Chinese and mixed incidents, for
 * queries that exercise exact, prefix and fuzzy matching and repeated terms.
 */

const REGIONS = ['eu-west-1', 'us-east-1', 'cn-north-1', '华东', '华北'];

function history(count: number, rand: () => number): Incident[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const base = pick(PAST_INCIDENTS);
    const host = `${pick(['db', 'node', 'web'])}-${Math.floor(rand() * 300)}`;
    return pastIncident({
      ...base,
      n: 1_000 + i,
      title: `${base.title} (${pick(REGIONS)})`,
      summary: `${base.summary}; seen on ${host} ${Math.floor(rand() * 90)}% 错误率`,
      rootCause: `${base.rootCause} on ${host}`,
    });
  });
}

/** Queries by symptom and by fix, cut short (prefix), misspelt (fuzzy), doubled, in both languages. */
function queries(incidents: Incident[], rand: () => number): string[] {
  const out = LABELLED_QUERIES.map((q) => q.query);
  for (let i = 0; i < 120; i += 1) {
    const incident = incidents[Math.floor(rand() * incidents.length)]!;
    const words = incident.title.split(/[\s，,]+/);
    const step = incident.knowledge?.entry?.resolution[0] ?? incident.title;
    const variants = [
      words.slice(0, 4).join(' '),
      step,
      words.map((word) => word.slice(0, Math.max(4, word.length - 2))).join(' '),
      words.map((word) => (word.length > 6 ? word.slice(0, 2) + word.slice(3) : word)).join(' '),
      `${words[0]} ${words[0]} ${step}`,
    ];
    out.push(variants[i % variants.length]!);
  }
  return out;
}

function expectSameRanking(index: KnowledgeIndex, query: string, limit = 5): void {
  const reference = index.engine.search(query).slice(0, limit);
  const top = index.engine.top(query, limit);
  expect(top.map((match) => match.id), query).toEqual(reference.map((result) => result.id));
  top.forEach((match, i) => expect(match.score).toBeCloseTo(reference[i]!.score, 9));
}

describe('IncidentSearch.top ranks as MiniSearch.search does', () => {
  it('for 140 queries over 1,500 generated incidents', () => {
    const rand = seeded(4242);
    const incidents = history(1_500, rand);
    const index = buildKnowledgeIndex(incidents);
    for (const query of queries(incidents, rand)) expectSameRanking(index, query);
  });

  it('after re-indexing, once MiniSearch has cleaned up the replaced entries', async () => {
    const rand = seeded(99);
    const incidents = history(600, rand);
    const index = buildKnowledgeIndex(incidents);
    for (const incident of incidents.slice(0, 200)) indexIncident(index, { ...incident, summary: `${incident.summary ?? ''} 已更新 rerouted` });
    // The old postings of a replaced incident are skipped before they are vacuumed…
    expect(search(index, 'rerouted', 300).map((hit) => hit.id).sort()).toEqual(incidents.slice(0, 200).map((incident) => incident.id).sort());
    const ids = index.engine.top(incidents[0]!.title, 100).map((match) => match.id);
    expect(ids.every((id) => index.hits.has(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // …and once vacuumed the ranking is MiniSearch's again.
    await index.engine.vacuum();
    for (const query of queries(incidents, rand).slice(0, 60)) expectSameRanking(index, `${query} rerouted`);
  });

  it('ranks the same before the replaced entries are vacuumed as after (their postings do not count)', async () => {
    const rand = seeded(123);
    const incidents = history(600, rand);
    // 50 of 600 replaced: under MiniSearch's auto-vacuum threshold (a tenth), so `dirty` stays dirty.
    const reindex = (index: KnowledgeIndex) => {
      for (const incident of incidents.slice(0, 50)) indexIncident(index, { ...incident, summary: `${incident.summary ?? ''} 已更新 rerouted` });
    };
    const dirty = buildKnowledgeIndex(incidents);
    reindex(dirty);
    expect(dirty.engine.dirtCount).toBe(50);
    const clean = buildKnowledgeIndex(incidents);
    reindex(clean);
    await clean.engine.vacuum();
    const rankingOf = (matches: Array<{ id: string; score: number }>) => matches.map((match) => `${match.id} ${match.score.toFixed(9)}`);
    for (const query of queries(incidents, rand).slice(0, 60)) {
      expect(rankingOf(dirty.engine.top(`${query} rerouted`, 5)), query).toEqual(rankingOf(clean.engine.top(`${query} rerouted`, 5)));
      const terms = [...new Set(tokenize(query))];
      expect(rankingOf(dirty.engine.topOfTerms(terms, 3)), query).toEqual(rankingOf(clean.engine.topOfTerms(terms, 3)));
      for (const term of terms) expect(dirty.engine.documentFrequency(term), term).toBe(clean.engine.documentFrequency(term));
    }
  });

  it('keeps the best few, never more than asked for, and nothing for words no incident has', () => {
    const index = buildKnowledgeIndex(history(200, seeded(7)));
    expect(index.engine.top('payment gateway timeout', 3)).toHaveLength(3);
    expect(index.engine.top('xylophone quokka', 5)).toEqual([]);
    expect(index.engine.top('', 5)).toEqual([]);
  });
});

/**
 * The similar-incident query (src/knowledge/search.ts similarIncidents) goes
 * through `topOfTerms`: exact terms, a filter and a per-incident boost. It
 * must rank as MiniSearch's `search` with the same options did before it.
 */
describe('IncidentSearch.topOfTerms ranks as MiniSearch.search with a filter and a document boost', () => {
  it('for 120 term sets over 1,500 generated incidents, with and without the filter and the boost', () => {
    const rand = seeded(777);
    const incidents = history(1_500, rand);
    const index = buildKnowledgeIndex(incidents);
    const services = [...new Set(incidents.map((incident) => incident.service))];
    for (let i = 0; i < 120; i += 1) {
      const incident = incidents[Math.floor(rand() * incidents.length)]!;
      const terms = [...new Set(tokenize(`${incident.title} ${incident.service ?? ''}`))].slice(0, 6);
      const below = 1_000 + Math.floor(rand() * 1_500);
      const service = services[i % services.length];
      const keep = (id: string) => (index.hits.get(id)?.number ?? Infinity) < below;
      const boost = (id: string) => (index.hits.get(id)?.service === service ? 1.5 : 1);
      const reference = index.engine
        .search(terms.join(' '), {
          tokenize: (text) => text.split(' '),
          prefix: false,
          fuzzy: false,
          ...(i % 3 === 0 ? {} : { filter: (result) => keep(result.id as string) }),
          ...(i % 2 === 0 ? {} : { boostDocument: (id) => boost(id as string) }),
        })
        .slice(0, 3);
      const top = index.engine.topOfTerms(terms, 3, { ...(i % 3 === 0 ? {} : { keep }), ...(i % 2 === 0 ? {} : { boost }) });
      expect(top.map((match) => match.id), terms.join(' ')).toEqual(reference.map((result) => result.id));
      top.forEach((match, j) => expect(match.score).toBeCloseTo(reference[j]!.score, 9));
    }
  });
});
