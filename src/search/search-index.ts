// The in-memory inverted index of one account: a document table and, per
// term, delta-encoded postings (postings.ts). A sorted copy of the terms,
// made when a prefix query needs it, answers prefixes by binary search.
// Ranking is BM25 (subject, names and attachment names weigh more than the
// body), then newest first. Pure: no file or editor access (store-index.ts
// persists it).

import { Postings } from './postings';
import type { Clause, SearchQuery } from './query';
import type { SearchDocument } from './document';
import { TermDictionary } from './term-dictionary';
import { eachTermRange, fold } from './tokenize';

/** What the index keeps per message, besides its postings. */
export interface DocMeta {
  readonly id: string;
  /** File relative to the Maildir (for snippets and phrase checks); it changes with the flags. */
  file: string;
  /** Epoch ms from the Date header, 0 when there is none. */
  readonly date: number;
  seen: boolean;
  trashed: boolean;
  readonly hasAttachments: boolean;
  /** Weighted term count, for BM25's length normalisation. */
  readonly length: number;
  /** Folded, for from:/to:/subject:. */
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  /** False once the message left the store. */
  alive: boolean;
}

export interface RankedHit {
  readonly doc: number;
  readonly score: number;
}

/** Prefix expansions at most: `a*` over a big dictionary would otherwise visit it all. */
const MAX_PREFIX_TERMS = 2000;
const K1 = 1.2;
const B = 0.75;
/** Term weights per field. */
const WEIGHT = { subject: 3, names: 2, attachments: 2, body: 1 } as const;

export class SearchIndex {
  readonly docs: DocMeta[] = [];
  readonly terms = new TermDictionary<Postings>();
  private readonly byId = new Map<string, number>();
  private sortedTerms: string[] | undefined;
  private totalLength = 0;
  private liveCount = 0;

  get size(): number {
    return this.liveCount;
  }

  get deadCount(): number {
    return this.docs.length - this.liveCount;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  docOf(id: string): DocMeta | undefined {
    const n = this.byId.get(id);
    return n === undefined ? undefined : this.docs[n];
  }

  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  /**
   * Indexes a message (replacing an older copy with the same id). Each word
   * is looked up once, in the dictionary itself: its postings hold the
   * count for the message being added until the message is done, so there
   * is no per-message map of counts to fill, walk and throw away.
   */
  add(meta: { id: string; file: string; seen: boolean; trashed: boolean }, doc: SearchDocument): void {
    this.remove(meta.id);
    const n = this.docs.length;
    const touched: Postings[] = [];
    let length = 0;
    let weight = 0;
    let text = '';
    const created = (): Postings => {
      this.sortedTerms = undefined;
      return new Postings();
    };
    const counted = (p: Postings): void => {
      if (p.pendingDoc !== n) {
        p.pendingDoc = n;
        p.pendingTf = 0;
        touched.push(p);
      }
      p.pendingTf += weight;
      length += weight;
    };
    const onAscii = (start: number, end: number, hash: number, seed: number): void => counted(this.terms.ascii(text, start, end, hash, seed, created));
    const onTerm = (t: string): void => {
      let p = this.terms.get(t);
      if (!p) {
        p = created();
        this.terms.set(t, p);
      }
      counted(p);
    };
    const count = (field: string, w: number): void => {
      text = field;
      weight = w;
      eachTermRange(field, this.terms.hashSeed, onAscii, onTerm);
    };
    count(doc.subject, WEIGHT.subject);
    count(`${doc.from}\n${doc.to}\n${doc.cc}`, WEIGHT.names);
    count(doc.attachments.join('\n'), WEIGHT.attachments);
    count(doc.body, WEIGHT.body);
    for (const p of touched) p.add(n, p.pendingTf);
    const date = doc.date === '' ? 0 : Date.parse(doc.date);
    const docMeta: DocMeta = {
      id: meta.id,
      file: meta.file,
      date: Number.isFinite(date) ? date : 0,
      seen: meta.seen,
      trashed: meta.trashed,
      hasAttachments: doc.hasAttachments,
      length,
      subject: fold(doc.subject),
      from: fold(doc.from),
      to: fold(`${doc.to}\n${doc.cc}`),
      alive: true,
    };
    this.pushDoc(docMeta);
  }

  /** Adds a document with its term counts as they are (tests build exact indexes with it). */
  insert(meta: DocMeta, counts: ReadonlyMap<string, number>): void {
    const n = this.docs.length;
    this.pushDoc(meta);
    counts.forEach((tf, term) => {
      let p = this.terms.get(term);
      if (!p) {
        p = new Postings();
        this.terms.set(term, p);
        this.sortedTerms = undefined;
      }
      p.add(n, tf);
    });
  }

  private pushDoc(meta: DocMeta): void {
    this.byId.set(meta.id, this.docs.length);
    this.docs.push(meta);
    this.totalLength += meta.length;
    this.liveCount++;
  }

  /** Restores a loaded document table entry without postings (the file holds them). */
  restoreDoc(meta: DocMeta): void {
    const n = this.docs.length;
    this.docs.push(meta);
    if (meta.alive) {
      this.byId.set(meta.id, n);
      this.totalLength += meta.length;
      this.liveCount++;
    }
  }

  restoreTerm(term: string, postings: Postings): void {
    this.terms.set(term, postings);
    this.sortedTerms = undefined;
  }

  /** The message left the store: its postings stay until compaction but never match. */
  remove(id: string): boolean {
    const n = this.byId.get(id);
    if (n === undefined) return false;
    const meta = this.docs[n]!;
    meta.alive = false;
    this.byId.delete(id);
    this.totalLength -= meta.length;
    this.liveCount--;
    return true;
  }

  setFlags(id: string, flags: { file: string; seen: boolean; trashed: boolean }): void {
    const meta = this.docOf(id);
    if (!meta) return;
    meta.file = flags.file;
    meta.seen = flags.seen;
    meta.trashed = flags.trashed;
  }

  /** Terms starting with `prefix`, from the sorted dictionary. */
  expand(prefix: string): string[] {
    this.sortedTerms ??= [...this.terms.keys()].sort();
    const sorted = this.sortedTerms;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < sorted.length && out.length < MAX_PREFIX_TERMS && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
    return out;
  }

  private filtered(q: SearchQuery, meta: DocMeta): boolean {
    if (!meta.alive || meta.trashed) return false;
    if (q.hasAttachment === true && !meta.hasAttachments) return false;
    if (q.unread !== undefined && q.unread === meta.seen) return false;
    if (q.before !== undefined && !(meta.date !== 0 && meta.date < q.before)) return false;
    if (q.after !== undefined && !(meta.date !== 0 && meta.date >= q.after)) return false;
    for (const s of q.subject) if (!meta.subject.includes(s)) return false;
    for (const s of q.from) if (!meta.from.includes(s)) return false;
    for (const s of q.to) if (!meta.to.includes(s)) return false;
    return true;
  }

  /** The postings lists a clause reads (a phrase needs all its words; the caller checks their order). */
  private clauseGroups(c: Clause): Postings[][] {
    const lists = (terms: readonly string[]): Postings[] => terms.map((t) => this.terms.get(t)).filter((p): p is Postings => p !== undefined);
    if (c.kind === 'word') return [lists([c.term])];
    if (c.kind === 'prefix') return [lists(this.expand(c.term))];
    return c.terms.map((t) => lists([t]));
  }

  /**
   * The best `keep` live, non-deleted messages that have all the clauses
   * and pass the filters, by BM25 score then date, best first, and how many
   * there are in all. One pass per postings
   * list with a dense counter per document: linear in the postings read.
   */
  rank(q: SearchQuery, keep = Infinity): { hits: RankedHit[]; total: number } {
    const n = this.docs.length;
    const groups = q.clauses.flatMap((c) => this.clauseGroups(c));
    const top = new TopK<RankedHit>(keep, (a, b) => a.score - b.score || this.docs[a.doc]!.date - this.docs[b.doc]!.date);
    if (groups.length === 0) {
      for (let d = 0; d < n; d++) if (this.filtered(q, this.docs[d]!)) top.push({ doc: d, score: 0 });
      return { hits: top.sorted(), total: top.total };
    }
    if (groups.some((g) => g.length === 0)) return { hits: [], total: 0 };
    // Rarest first, so later groups touch fewer candidates.
    const df = (g: Postings[]): number => g.reduce((s, p) => s + p.df, 0);
    groups.sort((a, b) => df(a) - df(b));
    const seen = new Uint16Array(n);
    const scores = new Float64Array(n);
    const avg = this.liveCount > 0 ? this.totalLength / this.liveCount : 1;
    const N = Math.max(1, this.liveCount);
    groups.forEach((group, gi) => {
      for (const p of group) {
        const idf = Math.log(1 + (N - p.df + 0.5) / (p.df + 0.5));
        p.forEach((d, tf) => {
          const c = seen[d]!;
          if (c !== gi && c !== gi + 1) return;
          const len = this.docs[d]!.length;
          scores[d] += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg));
          seen[d] = gi + 1;
        });
      }
    });
    const all = groups.length;
    for (let d = 0; d < n; d++) if (seen[d] === all && this.filtered(q, this.docs[d]!)) top.push({ doc: d, score: scores[d]! });
    return { hits: top.sorted(), total: top.total };
  }

  /**
   * A copy without the removed documents (renumbered), when enough of them
   * piled up: their postings cost space and time.
   */
  compacted(): SearchIndex {
    const out = new SearchIndex();
    const map = new Int32Array(this.docs.length).fill(-1);
    for (let d = 0; d < this.docs.length; d++) {
      const meta = this.docs[d]!;
      if (!meta.alive) continue;
      map[d] = out.docs.length;
      out.restoreDoc(meta);
    }
    for (const [term, p] of this.terms) {
      const q = new Postings();
      p.forEach((d, tf) => {
        const m = map[d]!;
        if (m !== -1) q.add(m, tf);
      });
      if (q.df > 0) out.restoreTerm(term, q);
    }
    return out;
  }
}

/** The best `k` of a stream (a min-heap of the kept ones), so a word in every message costs no full sort. */
class TopK<T> {
  private readonly heap: T[] = [];
  total = 0;

  /** `cmp(a, b) > 0` when a is better than b. */
  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
  ) {}

  push(item: T): void {
    this.total++;
    const h = this.heap;
    if (h.length < this.k) {
      h.push(item);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.cmp(h[parent]!, h[i]!) <= 0) break;
        [h[parent], h[i]] = [h[i]!, h[parent]!];
        i = parent;
      }
      return;
    }
    if (this.k === 0 || this.cmp(item, h[0]!) <= 0) return;
    h[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.cmp(h[l]!, h[worst]!) < 0) worst = l;
      if (r < h.length && this.cmp(h[r]!, h[worst]!) < 0) worst = r;
      if (worst === i) return;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.cmp(b, a));
  }
}
