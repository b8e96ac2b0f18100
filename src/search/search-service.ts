// Host side of the search workers: one worker per account store, fed the
// store's entries once and then each change as it happens (so mail is
// indexed as it is fetched), asked for results by query. No editor import:
// the extension wires it to its stores, and unit tests drive it directly.

import { Worker } from 'node:worker_threads';
import type { MailStore } from '../store/store';
import type { MessageSummary, StoreChange } from '../store/types';
import type { IndexEntry, SearchResult } from './account-index';
import type { SearchRequest, SearchResponse, SearchWorkerData } from './search-protocol';

/** Store changes are sent in batches (a fetch stores hundreds per second). */
const BATCH_MS = 250;
/** A worker that saves for longer than this on shutdown is stopped anyway: the index is rebuilt if needed. */
const FLUSH_TIMEOUT_MS = 5000;
/** A query unanswered after this fails (the worker is busy or stuck). */
const QUERY_TIMEOUT_MS = 30_000;

const entryOf = (m: MessageSummary): IndexEntry => ({ id: m.id, file: m.file, seen: m.seen, trashed: m.trashed === true });

class AccountWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: SearchResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private seq = 0;
  private batch: { add: Map<string, IndexEntry>; flags: Map<string, IndexEntry>; remove: Set<string> } = { add: new Map(), flags: new Map(), remove: new Set() };
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly subscription: { dispose(): void };
  private exited = false;
  /** Resolves after the first sync. */
  readonly ready: Promise<{ size: number; damaged: string }>;

  constructor(workerFile: string, readonly store: MailStore) {
    this.worker = new Worker(workerFile, { workerData: { dir: store.dir } satisfies SearchWorkerData, execArgv: [] });
    this.worker.unref();
    let synced!: (v: { size: number; damaged: string }) => void;
    this.ready = new Promise((resolve) => (synced = resolve));
    this.worker.on('message', (r: SearchResponse) => {
      if (r.type === 'synced') {
        synced({ size: r.size, damaged: r.damaged });
        return;
      }
      const p = this.pending.get(r.seq);
      if (!p) return;
      this.pending.delete(r.seq);
      clearTimeout(p.timer);
      p.resolve(r);
    });
    const fail = (error: Error): void => {
      this.exited = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(error);
      }
      this.pending.clear();
      synced({ size: 0, damaged: error.message });
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the search worker stopped (exit code ${code})`)));
    this.subscription = store.onDidChange((change) => this.onChange(change));
    this.post({ type: 'sync', entries: [...store.all()].map(entryOf) });
  }

  private post(request: SearchRequest): void {
    if (!this.exited) this.worker.postMessage(request);
  }

  private onChange(change: StoreChange): void {
    if (change.kind === 'reloaded') {
      // Another process changed the store: the whole list is the truth now,
      // and the worker's sync adds and drops whatever differs.
      if (this.batchTimer) clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      this.batch = { add: new Map(), flags: new Map(), remove: new Set() };
      this.post({ type: 'sync', entries: [...this.store.all()].map(entryOf) });
      return;
    }
    const b = this.batch;
    if (change.kind === 'added') {
      b.remove.delete(change.summary.id);
      b.add.set(change.summary.id, entryOf(change.summary));
    } else if (change.kind === 'removed') {
      b.add.delete(change.summary.id);
      b.flags.delete(change.summary.id);
      b.remove.add(change.summary.id);
    } else if (b.add.has(change.summary.id)) b.add.set(change.summary.id, entryOf(change.summary));
    else b.flags.set(change.summary.id, entryOf(change.summary));
    this.batchTimer ??= setTimeout(() => this.sendBatch(), BATCH_MS);
  }

  private sendBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const b = this.batch;
    this.batch = { add: new Map(), flags: new Map(), remove: new Set() };
    if (b.remove.size > 0) this.post({ type: 'remove', ids: [...b.remove] });
    if (b.add.size > 0) this.post({ type: 'add', entries: [...b.add.values()] });
    if (b.flags.size > 0) this.post({ type: 'flags', entries: [...b.flags.values()] });
  }

  private request(make: (seq: number) => SearchRequest, timeoutMs: number): Promise<SearchResponse> {
    if (this.exited) return Promise.reject(new Error('the search worker is not running'));
    this.sendBatch(); // a search sees every change made before it
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error('the search took too long'));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      this.post(make(seq));
    });
  }

  async query(text: string, limit: number, lastWordPrefix: boolean): Promise<SearchResult> {
    const r = await this.request((seq) => ({ type: 'query', seq, text, limit, lastWordPrefix }), QUERY_TIMEOUT_MS);
    if (r.type === 'result') return r.result;
    throw new Error(r.type === 'error' ? r.message : `unexpected answer ${r.type}`);
  }

  /** Saves what is indexed, then stops the worker. */
  async stop(): Promise<void> {
    this.subscription.dispose();
    await this.request((seq) => ({ type: 'flush', seq }), FLUSH_TIMEOUT_MS).catch(() => undefined);
    this.exited = true;
    await this.worker.terminate();
  }
}

export class SearchService {
  private readonly workers = new Map<string, AccountWorker>();

  constructor(private readonly workerFile: string) {}

  /** The worker of a store, started (and synced with the store) on first use. */
  private workerFor(store: MailStore): AccountWorker {
    let w = this.workers.get(store.dir);
    if (!w || w.store !== store) {
      if (w) void w.stop();
      w = new AccountWorker(this.workerFile, store);
      this.workers.set(store.dir, w);
    }
    return w;
  }

  /** Starts indexing a store (no-op when it already runs). */
  watch(store: MailStore): Promise<{ size: number; damaged: string }> {
    return this.workerFor(store).ready;
  }

  search(store: MailStore, text: string, limit = 50, options: { lastWordPrefix?: boolean } = {}): Promise<SearchResult> {
    return this.workerFor(store).query(text, limit, options.lastWordPrefix === true);
  }

  /** Stops the worker of a store folder (its account is removed or moved). */
  async stop(dir: string): Promise<void> {
    const w = this.workers.get(dir);
    this.workers.delete(dir);
    await w?.stop();
  }

  async dispose(): Promise<void> {
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((w) => w.stop()));
  }
}
