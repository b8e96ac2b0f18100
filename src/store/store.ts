import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUMMARY_PREFIX_BYTES } from '../mail/summary';
import { IndexAppender } from './index-file';
import { lockedByAnotherProcess } from './lock';
import { cleanTmp, ensureMaildir, fsyncFolders, MessageWriter, parseName, pathFor, uidlKey } from './maildir';
import { openIsSlow, readStoreIndex, storeFiles } from './open-index';
import { removeStaleTempFiles, summaryOfFile } from './reconcile';
import { snapshotDue, writeSnapshot } from './snapshot';
import type { SnapshotJob } from './snapshot-job';
import { IndexStamp } from './stamp';
import { plainSummary } from './snapshot-entries';
import { defaultNaming, type MaildirNaming } from './naming';
import { readState, writeState, type SyncState } from './state';
import { UnsyncedBatch } from './unsynced';
import { inboxOrder, type MessageSummary, type StoreChange } from './types';

/** tmp/ files older than this are leftovers of an interrupted write (Maildir's own rule is 36 h). */
const TMP_STALE_MS = 60 * 60 * 1000;


/**
 * The local mail of one account: `<dir>/Maildir` plus the summary index
 * `<dir>/index.jsonl` and the sync state `<dir>/state.json`. The Maildir is
 * the truth; the index is a cache of it, repaired on open.
 */
export class MailStore {
  /** By id; built on first use when the store opened from a snapshot (the tree needs only list()). */
  private idMap: Map<string, MessageSummary> | undefined = new Map();
  private unmapped: readonly MessageSummary[] = [];
  /** By UIDL key, built on first use: opening for the tree does not decode 100,000 UIDLs. */
  private byKeyMap: Map<string, MessageSummary> | undefined;
  private sorted: MessageSummary[] | undefined;
  /** A file entered or left new/ or cur/ since the last flush, which then fsyncs them (a fetch that found nothing new waits for no fsync). */
  private foldersChanged = false;
  /** Lines in index.jsonl, and how many of them the snapshot holds (0: none). */
  private logLines = 0;
  private snapshotLines = 0;
  /** Close the snapshot files this store's entries read from. */
  private readonly closers: (() => void)[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();
  /** Its folders and index files, named once (`maildir` is read for every message stored). */
  private readonly files: ReturnType<typeof storeFiles>;
  private readonly stamp: IndexStamp;
  private readonly unsynced: UnsyncedBatch;
  private readonly log: IndexAppender;

  private writeInline = false;
  /** Writes snapshots off this thread (the extension host's worker); undefined: on this thread (the CLI). */
  private snapshotJob: SnapshotJob | undefined;
  /** The snapshot job running, if any: no second one is started. */
  private snapshotting: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly now: () => number,
    /** How new flag names are spelled (naming.ts); files of either spelling are read. */
    readonly naming: MaildirNaming,
  ) {
    this.files = storeFiles(dir);
    this.stamp = new IndexStamp(this.files.stampFile, this.maildir, this.indexFile);
    this.unsynced = new UnsyncedBatch(dir, this.maildir);
    // A held line is written later: that write, too, is this store's own change, not another process's.
    this.log = new IndexAppender(this.indexFile, (bytes) => this.stamp.noteOwnChange(bytes));
  }

  get maildir(): string {
    return this.files.maildir;
  }

  private get indexFile(): string {
    return this.files.indexFile;
  }

  private get snapshotFile(): string {
    return this.files.snapshotFile;
  }

  /** Opens (creating if needed) the store in `dir`, reconciling the index with the Maildir. */
  /** `writeInline`: small messages opened and written on this thread, only a last copy's fsync on the pool, syncs started ahead (less CPU and time; the CLI: no event loop to keep free). */
  /** `snapshotJob`: snapshots are written by it (snapshot-job.ts), and an open that would take time in proportion to the store (a long log after the snapshot, a check against the Maildir) waits for it instead (the extension host). */
  static async open(dir: string, options?: { now?: () => number; naming?: MaildirNaming; writeInline?: boolean; snapshotJob?: SnapshotJob }): Promise<MailStore> {
    const store = new MailStore(dir, options?.now ?? Date.now, options?.naming ?? defaultNaming());
    store.writeInline = options?.writeInline === true;
    store.snapshotJob = options?.snapshotJob;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    ensureMaildir(store.maildir);
    cleanTmp(store.maildir, TMP_STALE_MS);
    removeStaleTempFiles(dir);
    // What the worker does not do (it could not, or failed), load() does here, as without one.
    if (store.snapshotJob && openIsSlow(dir)) await store.snapshotJob(dir, 'open');
    store.load();
    store.maybeSnapshot();
    return store;
  }

  /**
   * Calls `listener` after each change made through this store object (not
   * by another process). A listener that throws does not stop the others.
   */
  onDidChange(listener: (change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(change: StoreChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // a view's bug must not undo a store change
      }
    }
  }

  /** The inbox: every stored message not deleted locally, newest first (by Date header, then id). */
  list(): readonly MessageSummary[] {
    this.sorted ??= [...this.byId.values()].filter((m) => !m.trashed).sort(inboxOrder);
    return this.sorted;
  }

  /** How many messages the store knows, including those deleted locally. */
  get size(): number {
    return this.idMap?.size ?? this.unmapped.length;
  }

  /** Every message the store knows, including those deleted locally. */
  all(): IterableIterator<MessageSummary> {
    return this.byId.values();
  }

  get(id: string): MessageSummary | undefined {
    return this.byId.get(id);
  }

  byUidl(uidl: string): MessageSummary | undefined {
    return this.byKey().get(uidlKey(uidl));
  }

  /** True when the message is stored, in full or headers only, or deleted locally. */
  hasUidl(uidl: string): boolean {
    return this.byKey().has(uidlKey(uidl));
  }

  private get byId(): Map<string, MessageSummary> {
    if (!this.idMap) {
      this.idMap = new Map();
      for (const e of this.unmapped) this.idMap.set(e.id, e);
      this.unmapped = [];
    }
    return this.idMap;
  }

  private byKey(): Map<string, MessageSummary> {
    if (!this.byKeyMap) {
      this.byKeyMap = new Map();
      for (const e of this.byId.values()) this.byKeyMap.set(uidlKey(e.uidl), e);
    }
    return this.byKeyMap;
  }

  /** The raw RFC 5322 bytes of a stored message (only the headers when headersOnly). */
  async readRaw(id: string): Promise<Buffer> {
    // Another window may have renamed the file (read, deleted) a moment ago: read the store again first.
    this.reloadIfChanged();
    const entry = this.byId.get(id);
    if (!entry) throw new Error(`No stored message with id ${id}.`);
    return fs.promises.readFile(path.join(this.maildir, entry.file));
  }

  /** Absolute path of a stored message's file. */
  pathOf(id: string): string | undefined {
    const entry = this.byId.get(id);
    return entry && path.join(this.maildir, entry.file);
  }

  /** Starts writing a downloaded message (or, with `partial`, its headers) into tmp/; `sizeHint`: the size the server listed. */
  begin(uidl: string, partial = false, sizeHint?: number): MessageWriter {
    return new MessageWriter(this.maildir, uidl, SUMMARY_PREFIX_BYTES, partial, this.now(), this.writeInline, sizeHint);
  }

  /**
   * Commits a fully received message: fsync, rename into new/, index it. A full download replaces a stored
   * headers-only copy (same id). With `deferSync` (the server keeps a copy), no fsync until syncDeferred
   * (unsynced.ts). With `batch` (a fetch, which calls flush), the index line waits for the next.
   */
  commit(writer: MessageWriter, extra?: { serverSize?: number; summaryPrefix?: Buffer; skipFsync?: boolean; deferSync?: boolean; batch?: boolean }): MessageSummary {
    const previous = this.byKey().get(uidlKey(writer.uidl));
    this.stamp.invalidate();
    this.foldersChanged = true;
    if (extra?.deferSync) this.unsynced.willAdd();
    const held = writer.held();
    let file = writer.commit(extra?.skipFsync !== true && extra?.deferSync !== true);
    let seen = false;
    if (previous) {
      // Keep the flags the user set on the headers-only copy.
      seen = previous.seen;
      const wanted = pathFor(parseName(path.basename(file)).base, { seen, trashed: previous.trashed === true }, this.naming);
      if (wanted !== file) {
        fs.renameSync(path.join(this.maildir, file), path.join(this.maildir, wanted));
        file = wanted;
      }
      fs.rmSync(path.join(this.maildir, previous.file), { force: true });
    }
    const prefix = extra?.summaryPrefix ?? writer.prefix();
    const entry: MessageSummary = {
      ...summaryOfFile(writer.uidl, file, prefix, writer.bytes),
      seen,
      trashed: previous?.trashed || undefined,
      headersOnly: writer.partial || undefined,
      serverSize: writer.partial ? extra?.serverSize : undefined,
    };
    this.append(entry, extra?.batch === true || extra?.deferSync === true);
    this.add(entry);
    // Syncs ahead only where no event loop must stay free: starting `sync` blocks this thread (16 ms in a 350 MB process).
    if (extra?.deferSync) this.unsynced.add(entry.id, this.writeInline ? writer.bytes : 0);
    this.emit({ kind: 'added', summary: entry, raw: held });
    writer.release();
    return entry;
  }

  /** Like commit, fsynced on the thread pool first (many in parallel): the message is in new/ only once on disk. */
  async commitAsync(writer: MessageWriter, extra?: { serverSize?: number; summaryPrefix?: Buffer }): Promise<MessageSummary> {
    await writer.syncAsync();
    return this.commit(writer, { ...extra, skipFsync: true, batch: true });
  }

  /** Like commitAsync for a message the server keeps: written on the thread pool, synced by syncDeferred. */
  async commitDeferred(writer: MessageWriter): Promise<MessageSummary> {
    await writer.syncAsync(false);
    return this.commit(writer, { skipFsync: true, deferSync: true });
  }

  /** Commits without fsyncing the file: for fixtures and imports only, never for mail from a server. */
  commitUnsynced(writer: MessageWriter): MessageSummary {
    return this.commit(writer, { skipFsync: true });
  }

  /** Makes the messages committed with `deferSync` durable, files and folders, and removes the marker. */
  async syncDeferred(): Promise<void> {
    this.log.flush();
    await this.unsynced.sync((id) => this.byId.get(id)?.file);
  }

  /** Makes the renames of committed messages durable (call before telling the server anything). */
  flush(): void {
    this.log.flush();
    if (this.foldersChanged) fsyncFolders(this.maildir);
    this.foldersChanged = false;
    this.writeStamp();
    this.maybeSnapshot();
  }

  /** After this store's own change; not while another process fetches: files it renamed into the Maildir may not be in the index yet. */
  private writeStamp(): void {
    if (!lockedByAnotherProcess(this.dir)) this.stamp.write(true);
  }

  /** Appends to the index log (a held line waits for the next flush), counting its lines; the log notes each write as this store's own change. */
  private append(record: MessageSummary | { id: string; removed: true }, hold = false): void {
    this.log.add(record, hold);
    this.logLines++;
  }

  /** Rewrites the snapshot when the store is big and enough log lines followed the last one (a failure only costs speed). */
  private maybeSnapshot(): void {
    if (this.snapshotting || !snapshotDue(this.size, this.logLines - this.snapshotLines)) return;
    if (this.snapshotJob) {
      // From the log as it is on disk, another process's lines included: any whole-line prefix will do.
      const at = this.logLines;
      this.snapshotting = this.snapshotJob(this.dir, 'snapshot').then((lines) => {
        this.snapshotting = undefined;
        // It may hold lines written while it ran (and another process's). One that wrote nothing is not tried again before as many lines follow.
        this.snapshotLines = Math.min(lines ?? at, this.logLines);
      });
      return;
    }
    // Only of an index holding exactly what this store has read and written (another process may have appended since).
    const indexSize = this.stamp.knownIndexSize();
    if (indexSize === undefined || lockedByAnotherProcess(this.dir)) return;
    try {
      writeSnapshot(this.snapshotFile, this.indexFile, this, this.logLines, indexSize);
      this.snapshotLines = this.logLines;
    } catch {
      fs.rmSync(this.snapshotFile, { force: true });
    }
  }

  /** Marks a message read or unread (Maildir flag S). */
  setSeen(id: string, seen: boolean): MessageSummary {
    return this.setFlags(id, { seen });
  }

  /** Deletes a message locally (Maildir flag T): it leaves the inbox but its UIDL is remembered. */
  trash(id: string): MessageSummary {
    return this.setFlags(id, { trashed: true });
  }

  restore(id: string): MessageSummary {
    return this.setFlags(id, { trashed: false });
  }

  /** Forgets a message entirely and removes its file (after the server deleted it, or when asked). */
  expunge(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.stamp.invalidate();
    this.foldersChanged = true;
    fs.rmSync(path.join(this.maildir, entry.file), { force: true });
    this.append({ id, removed: true });
    this.byId.delete(id);
    this.byKeyMap?.delete(uidlKey(entry.uidl));
    this.sorted = undefined;
    this.writeStamp();
    this.emit({ kind: 'removed', summary: entry });
  }

  /**
   * Reads the store again when another process (a window, the CLI) changed
   * it since this object last did: the same object, so that views holding
   * it see the other process's mail and flags. Listeners hear 'reloaded'.
   */
  reloadIfChanged(): boolean {
    if (!this.stamp.changedElsewhere()) return false;
    this.close();
    [this.idMap, this.unmapped, this.byKeyMap, this.sorted] = [new Map(), [], undefined, undefined];
    this.load();
    this.emit({ kind: 'reloaded' });
    return true;
  }

  /** The index as it is on disk: as saved when the stamp holds, else repaired from the Maildir (open-index.ts). */
  private load(): void {
    const read = readStoreIndex({ dir: this.dir, maildir: this.maildir, indexFile: this.indexFile, snapshotFile: this.snapshotFile, stamp: this.stamp });
    if (read.closeSnapshot) this.closers.push(read.closeSnapshot);
    this.idMap = read.entries;
    this.unmapped = read.unmapped;
    this.byKeyMap = undefined;
    this.sorted = read.sorted;
    this.logLines = read.logLines;
    this.snapshotLines = read.snapshotLines;
  }

  /** Closes its open files (the snapshot) before its folder is moved or deleted, which Windows refuses while a file is open. Not usable afterwards. */
  close(): void {
    this.log.flush();
    for (const close of this.closers.splice(0)) close();
  }

  /** Resolves when no snapshot job writes in the folder (before it is moved or deleted). */
  async idle(): Promise<void> {
    await this.snapshotting;
  }

  readState(): SyncState {
    return readState(path.join(this.dir, 'state.json'));
  }

  writeState(state: SyncState): void {
    writeState(path.join(this.dir, 'state.json'), state);
  }

  private setFlags(id: string, change: { seen?: boolean; trashed?: boolean }): MessageSummary {
    this.reloadIfChanged(); // the file's name as another window left it
    const entry = this.byId.get(id);
    if (!entry) throw new Error(`No stored message with id ${id}.`);
    const seen = change.seen ?? entry.seen;
    const trashed = change.trashed ?? entry.trashed === true;
    const file = pathFor(parseName(path.basename(entry.file)).base, { seen, trashed }, this.naming);
    this.stamp.invalidate();
    this.foldersChanged = true;
    if (file !== entry.file) fs.renameSync(path.join(this.maildir, entry.file), path.join(this.maildir, file));
    const updated: MessageSummary = { ...plainSummary(entry), file, seen, trashed: trashed || undefined };
    this.append(updated);
    // Flags do not change the order: patch the sorted inbox instead of sorting 100,000 again.
    const sorted = this.sorted;
    this.add(updated);
    if (sorted && (entry.trashed === true) === trashed) {
      const at = sorted.findIndex((m) => m.id === id);
      if (at !== -1) sorted[at] = updated;
      this.sorted = sorted;
    } else if (sorted && trashed) {
      this.sorted = sorted.filter((m) => m.id !== id);
    }
    this.writeStamp();
    this.emit({ kind: 'flags', before: entry, summary: updated });
    return updated;
  }

  private add(entry: MessageSummary): void {
    const old = this.byId.get(entry.id);
    if (this.byKeyMap) {
      if (old) this.byKeyMap.delete(uidlKey(old.uidl));
      this.byKeyMap.set(uidlKey(entry.uidl), entry);
    }
    this.byId.set(entry.id, entry);
    this.sorted = undefined;
  }
}

