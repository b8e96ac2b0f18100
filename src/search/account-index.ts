// One account's search index kept in step with its store: loads the saved
// index (or starts empty when it is missing or damaged), brings it up to
// date from the store's entry list (new messages read from the Maildir,
// removed ones dropped, flags copied), answers queries with snippets, and
// saves when changed. Runs in the search worker (search-worker.ts) and in
// the CLI; nothing here imports the editor.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { searchDocument, type SearchDocument } from './document';
import { loadIndex, saveIndex } from './index-file';
import { parseSearchQuery, type SearchQuery } from './query';
import { SearchIndex } from './search-index';
import { hasPhrases, makeSnippet, type Snippet } from './snippet';

/** What the index needs to know of a stored message (a subset of MessageSummary). */
export interface IndexEntry {
  readonly id: string;
  readonly file: string;
  readonly seen: boolean;
  readonly trashed?: boolean;
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
  readonly snippet: Snippet;
}

export interface SearchResult {
  /** Matches in all (for a phrase: candidates that have its words, checked only as far as needed). */
  readonly total: number;
  readonly hits: readonly SearchHit[];
  /** Filters that were not understood. */
  readonly problems: readonly string[];
}

/** Phrase checks read messages: at most this many candidates are read per query. */
const MAX_PHRASE_CHECKS = 500;

export class AccountIndex {
  private dirty = false;

  private constructor(
    readonly dir: string,
    private index: SearchIndex,
    /** Why the saved index was not used ('' when it was, or there was none). */
    readonly damaged: string,
  ) {}

  /** Opens the saved index of the store in `dir` (or an empty one to fill). */
  static open(dir: string): AccountIndex {
    const loaded = loadIndex(dir);
    const ai = new AccountIndex(dir, loaded.index ?? new SearchIndex(), loaded.damaged ?? '');
    if (!loaded.index) ai.dirty = true;
    return ai;
  }

  get maildir(): string {
    return path.join(this.dir, 'Maildir');
  }

  get size(): number {
    return this.index.size;
  }

  get changed(): boolean {
    return this.dirty;
  }

  private read(file: string): SearchDocument | undefined {
    try {
      return searchDocument(fs.readFileSync(path.join(this.maildir, file)));
    } catch {
      return undefined; // gone meanwhile: the next sync drops it
    }
  }

  /** Indexes (or re-indexes) one stored message: from `raw` when given (the bytes just fetched), else from its file. */
  add(entry: IndexEntry, raw?: Buffer): boolean {
    const doc = raw ? searchDocument(raw) : this.read(entry.file);
    if (!doc) return false;
    this.index.add({ id: entry.id, file: entry.file, seen: entry.seen, trashed: entry.trashed === true }, doc);
    this.dirty = true;
    return true;
  }

  ids(): IterableIterator<string> {
    return this.index.ids();
  }

  remove(id: string): void {
    if (this.index.remove(id)) this.dirty = true;
  }

  /** Copies a message's flags and file name; indexes it if it is not yet (its file was renamed before it could be read). */
  setFlags(entry: IndexEntry): void {
    const meta = this.index.docOf(entry.id);
    if (!meta) {
      this.add(entry);
      return;
    }
    if (meta.file === entry.file && meta.seen === entry.seen && meta.trashed === (entry.trashed === true)) return;
    this.index.setFlags(entry.id, { file: entry.file, seen: entry.seen, trashed: entry.trashed === true });
    this.dirty = true;
  }

  /**
   * Makes the index match the store's entries: indexes the missing ones,
   * drops those the store no longer has (unless `removeMissing` is false:
   * `entries` is then one slice of the list), copies flags. `onProgress` is
   * called every `every` messages indexed (to save or report).
   */
  sync(entries: Iterable<IndexEntry>, onProgress?: (indexed: number) => void, every = 5000, removeMissing = true): { added: number; removed: number } {
    const wanted = new Set<string>();
    let added = 0;
    for (const e of entries) {
      wanted.add(e.id);
      if (this.index.has(e.id)) this.setFlags(e);
      else if (this.add(e) && ++added % every === 0) onProgress?.(added);
    }
    let removed = 0;
    if (!removeMissing) return { added, removed };
    for (const id of [...this.index.ids()]) {
      if (!wanted.has(id)) {
        this.remove(id);
        removed++;
      }
    }
    return { added, removed };
  }

  /** Writes the index when it changed since it was loaded or saved. */
  save(): number | undefined {
    if (!this.dirty) return undefined;
    const { bytes } = saveIndex(this.dir, this.index);
    // The saved file holds no removed documents: keep the same in memory.
    if (this.index.deadCount > this.index.size / 4) this.index = this.index.compacted();
    this.dirty = false;
    return bytes;
  }

  /** Searches; the `limit` best hits get a snippet. */
  search(text: string | SearchQuery, limit = 50, options: { lastWordPrefix?: boolean } = {}): SearchResult {
    const q = typeof text === 'string' ? parseSearchQuery(text, options) : text;
    const phrases = q.clauses.some((c) => c.kind === 'phrase');
    const { hits: ranked, total } = this.index.rank(q, phrases ? MAX_PHRASE_CHECKS : limit);
    const hits: SearchHit[] = [];
    let checked = 0;
    let rejected = 0;
    for (const r of ranked) {
      if (hits.length >= limit && !phrases) break;
      if (hits.length >= limit || (phrases && checked >= MAX_PHRASE_CHECKS)) break;
      const meta = this.index.docs[r.doc]!;
      const needsDoc = phrases || hits.length < limit;
      const doc = needsDoc ? this.read(meta.file) : undefined;
      if (phrases) {
        checked++;
        if (!doc || !hasPhrases(doc, q)) {
          rejected++;
          continue;
        }
      }
      hits.push({ id: meta.id, score: r.score, snippet: doc ? makeSnippet(doc, q) : { text: '', highlights: [] } });
    }
    // A phrase's total counts the candidates beyond the ones checked as matches.
    return { total: total - rejected, hits, problems: q.problems };
  }
}
