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
/**
 * Bytes of new messages held per batch for the worker, which then indexes
 * them without reading their files back; past this, it reads the files.
 */
const MAX_HELD_BYTES = 32 * 1024 * 1024;

interface Batch {
  /** `raw`: the message's chunks as received (never reused by the connection), `size` their length. */
  readonly add: Map<string, { entry: IndexEntry; raw?: readonly Buffer[]; size: number }>;
  readonly flags: Map<string, IndexEntry>;
  readonly remove: Set<string>;
  held: number;
}

const emptyBatch = (): Batch => ({ add: new Map(), flags: new Map(), remove: new Set(), held: 0 });

const entryOf = (m: MessageSummary): IndexEntry => ({ id: m.id, file: m.file, seen: m.seen, trashed: m.trashed === true });

class AccountWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: SearchResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private seq = 0;
  private batch = emptyBatch();
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

  private post(request: SearchRequest, transfer?: ArrayBuffer[]): void {
    if (!this.exited) this.worker.postMessage(request, transfer);
  }

  private onChange(change: StoreChange): void {
    if (change.kind === 'reloaded') {
      // Another process changed the store: the whole list is the truth now,
      // and the worker's sync adds and drops whatever differs.
      if (this.batchTimer) clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      this.batch = emptyBatch();
      this.post({ type: 'sync', entries: [...this.store.all()].map(entryOf) });
      return;
    }
    const b = this.batch;
    const id = change.summary.id;
    const added = b.add.get(id);
    if (added?.raw) b.held -= added.size;
    if (change.kind === 'added') {
      b.remove.delete(id);
      const size = change.raw?.reduce((n, c) => n + c.length, 0) ?? 0;
      const keep = change.raw !== undefined && b.held + size <= MAX_HELD_BYTES;
      if (keep) b.held += size;
      // The event's bytes are the writer's, reused once the event is over: the batch keeps a copy.
      b.add.set(id, { entry: entryOf(change.summary), raw: keep ? [Buffer.concat(change.raw)] : undefined, size });
    } else if (change.kind === 'removed') {
      b.add.delete(id);
      b.flags.delete(id);
      b.remove.add(id);
    } else if (added) {
      if (added.raw) b.held += added.size;
      b.add.set(id, { ...added, entry: entryOf(change.summary) });
    } else b.flags.set(id, entryOf(change.summary));
    this.batchTimer ??= setTimeout(() => this.sendBatch(), BATCH_MS);
  }

  private sendBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const b = this.batch;
    this.batch = emptyBatch();
    if (b.remove.size > 0) this.post({ type: 'remove', ids: [...b.remove] });
    if (b.add.size > 0) {
      // The held messages go as one buffer whose memory moves to the worker (no copy).
      const adds = [...b.add.values()];
      const bytes = new Uint8Array(b.held);
      const spans: number[] = [];
      let at = 0;
      for (const a of adds) {
        if (a.raw) {
          spans.push(at, at + a.size);
          for (const chunk of a.raw) {
            bytes.set(chunk, at);
            at += chunk.length;
          }
        } else spans.push(-1, -1);
      }
      this.post({ type: 'add', entries: adds.map((a) => a.entry), bytes, spans }, [bytes.buffer]);
    }
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
