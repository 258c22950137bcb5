import MiniSearch, { type SearchOptions } from 'minisearch';

/**
 * MiniSearch with two reads of its inverted index that its public API does not
 * offer: how many incidents hold a term, and the best few matches of a query
 * without building a result for every incident that matched.
 *
 * `MiniSearch.search` allocates a result per matching incident, with the
 * matched terms and fields of each, then sorts them all. A Chinese title of
 * ten bigrams, or a query holding "error" or a region name, matches most of a
 * 10,000-incident history, so `/kb search` spent most of its time (p99 over
 * 20 ms) on results nobody reads: it shows five. `top` scores the same way
 * (BM25+ per field, field boosts, prefix and fuzzy weights, the score
 * multiplied by the number of query terms matched) into one array of numbers
 * and keeps the best `limit`. test/unit/knowledge-engine.test.ts holds it to
 * `search` on generated histories, so an upgrade of MiniSearch that changes
 * its scoring or its index fails there rather than ranking differently.
 */

type FieldPostings = Map<number, Map<number, number>>;

export interface EngineOptions {
  fields: readonly string[];
  boost: Readonly<Record<string, number>>;
  /** Which query terms also match longer terms, and which match within an edit distance (a share of the term's length). */
  prefix: (term: string) => boolean;
  fuzzy: (term: string) => number | false;
  weights: { prefix: number; fuzzy: number };
}

/** Which incidents may rank (`keep`), and a factor on each one's score (`boost`). */
export interface RankOptions {
  keep?: (id: string) => boolean;
  boost?: (id: string) => number;
}

export interface TopMatch {
  id: string;
  score: number;
}

/** MiniSearch's defaults (minisearch 7), which `search` uses when the options name none. */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
const MAX_FUZZY = 6;

/** Score, query terms matched and the last term counted, per short id; `seen` lists the ids touched. */
interface Scratch {
  scores: Float64Array;
  matched: Uint16Array;
  lastTerm: Uint16Array;
  seen: number[];
}

export class IncidentSearch<T> extends MiniSearch<T> {
  private readonly ranking: EngineOptions;
  private scratch: Scratch | undefined;

  constructor(options: EngineOptions & { tokenize: (text: string) => string[] }) {
    const search: SearchOptions = {
      boost: { ...options.boost },
      combineWith: 'OR',
      prefix: options.prefix,
      fuzzy: options.fuzzy,
      weights: options.weights,
    };
    super({ fields: [...options.fields], tokenize: options.tokenize, processTerm: (term) => term, searchOptions: search });
    this.ranking = options;
  }

  /** Incidents holding `term`, summed over fields: an upper bound, enough to rank terms by rarity. */
  documentFrequency(term: string): number {
    const fields = this._index.get(term);
    let count = 0;
    if (fields) {
      for (const docs of fields.values()) {
        this.pruneRemoved(docs);
        count += docs.size;
      }
    }
    return count;
  }

  /**
   * Drops the postings of replaced or removed incidents as they are met, as
   * MiniSearch's own search does: otherwise they would count in the rarity of
   * a term (its idf) until the next vacuum, which on a large history is rare.
   */
  private pruneRemoved(docs: Map<number, number>): void {
    if (this._dirtCount === 0) return;
    for (const doc of docs.keys()) if (!this._fieldLength.has(doc)) docs.delete(doc);
  }

  /** The best `limit` matches of `query`, best first; equal scores keep the order `search` gives them. */
  top(query: string, limit: number): TopMatch[] {
    const terms = this._options.tokenize(query, undefined).filter((term) => term !== '');
    return this.ranked(terms, limit, (term) => this.expansions(term));
  }

  /**
   * As `search(terms.join(' '), { prefix: false, fuzzy: false, filter, boostDocument })`
   * with the terms taken as they are: the best `limit` of the incidents `keep`
   * accepts, each score times `boost` (which never depends on the term). The
   * similar-incident query of every declare, without a result per incident
   * that shares a word with it.
   */
  topOfTerms(terms: readonly string[], limit: number, options: RankOptions = {}): TopMatch[] {
    return this.ranked(terms, limit, (term) => {
      const exact = this._index.get(term);
      return exact ? [[exact, 1]] : [];
    }, options);
  }

  private ranked(terms: readonly string[], limit: number, expand: (term: string) => Array<[FieldPostings, number]>, options: RankOptions = {}): TopMatch[] {
    // A term twice in the query scores twice but counts once (MiniSearch's OR of the two).
    const repeats = new Map<string, number>();
    for (const term of terms) repeats.set(term, (repeats.get(term) ?? 0) + 1);
    const scratch = this.scratchFor(this._nextId);
    try {
      let termNumber = 0;
      for (const [term, times] of repeats) {
        termNumber += 1;
        for (const [postings, weight] of expand(term)) this.addScores(postings, weight * times, termNumber, scratch);
      }
      return this.best(scratch, limit, options);
    } finally {
      // Searches run one at a time (synchronous), so one set of arrays serves them all; only what this one touched is cleared.
      for (const doc of scratch.seen) {
        scratch.scores[doc] = 0;
        scratch.matched[doc] = 0;
        scratch.lastTerm[doc] = 0;
      }
      scratch.seen.length = 0;
    }
  }

  /**
   * Per-incident accumulators indexed by MiniSearch's short ids. Those only
   * grow (a replaced incident gets a new one), so the arrays grow with them.
   */
  private scratchFor(size: number): Scratch {
    if (!this.scratch || this.scratch.scores.length < size) {
      const capacity = Math.max(size, 1024) * 2;
      this.scratch = { scores: new Float64Array(capacity), matched: new Uint16Array(capacity), lastTerm: new Uint16Array(capacity), seen: [] };
    }
    return this.scratch;
  }

  /** The term itself, then longer terms it is a prefix of, then terms within its edit distance, each with its weight. */
  private expansions(term: string): Array<[FieldPostings, number]> {
    const out: Array<[FieldPostings, number]> = [];
    const exact = this._index.get(term);
    if (exact) out.push([exact, 1]);
    const { prefix: prefixWeight, fuzzy: fuzzyWeight } = this.ranking.weights;
    const fuzziness = this.ranking.fuzzy(term);
    // Below 1 a share of the term's length, as in MiniSearch; from 1 an edit distance.
    const maxDistance = fuzziness === false ? 0 : fuzziness < 1 ? Math.min(MAX_FUZZY, Math.round(term.length * fuzziness)) : fuzziness;
    const fuzzy = maxDistance > 0 ? this._index.fuzzyGet(term, maxDistance) : undefined;
    if (this.ranking.prefix(term)) {
      for (const [longer, postings] of this._index.atPrefix(term)) {
        const distance = longer.length - term.length;
        if (distance === 0) continue;
        fuzzy?.delete(longer);
        out.push([postings, (prefixWeight * longer.length) / (longer.length + 0.3 * distance)]);
      }
    }
    if (fuzzy) {
      for (const [near, [postings, distance]] of fuzzy) {
        if (distance === 0) continue;
        out.push([postings, (fuzzyWeight * near.length) / (near.length + distance)]);
      }
    }
    return out;
  }

  private addScores(postings: FieldPostings, weight: number, termNumber: number, into: Scratch): void {
    const { scores, matched, lastTerm, seen } = into;
    for (const field of this.ranking.fields) {
      const fieldId = this._fieldIds[field]!;
      const docs = postings.get(fieldId);
      if (!docs) continue;
      this.pruneRemoved(docs);
      const fieldBoost = this.ranking.boost[field] ?? 1;
      const average = this._avgFieldLength[fieldId]!;
      const idf = Math.log(1 + (this._documentCount - docs.size + 0.5) / (docs.size + 0.5));
      for (const [doc, frequency] of docs) {
        const lengths = this._fieldLength.get(doc);
        if (!lengths) continue; // pruned above while the index is dirty; never expected otherwise
        const bm25 = idf * (BM25.d + (frequency * (BM25.k + 1)) / (frequency + BM25.k * (1 - BM25.b + (BM25.b * lengths[fieldId]!) / average)));
        if (matched[doc] === 0) seen.push(doc);
        if (lastTerm[doc] !== termNumber) {
          lastTerm[doc] = termNumber;
          matched[doc] = matched[doc]! + 1;
        }
        scores[doc] = scores[doc]! + weight * fieldBoost * bm25;
      }
    }
  }

  private best({ seen, scores, matched }: Scratch, limit: number, { keep, boost }: RankOptions): TopMatch[] {
    const top: Array<{ doc: number; score: number }> = [];
    for (const doc of seen) {
      const id = keep || boost ? (this._documentIds.get(doc) as string) : '';
      if (keep && !keep(id)) continue;
      const score = scores[doc]! * matched[doc]! * (boost ? boost(id) : 1);
      if (top.length === limit && score <= top[top.length - 1]!.score) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < score) at -= 1;
      top.splice(at, 0, { doc, score });
      if (top.length > limit) top.pop();
    }
    return top.map(({ doc, score }) => ({ id: this._documentIds.get(doc) as string, score }));
  }
}
