// Every window watches the stores it shows: another window (or the CLI)
// that fetches, marks read, deletes or restores appends to the store's
// index, and this process reads the store again and tells its views. The
// events are debounced, since a fetch appends one line per message.
import * as fs from 'node:fs';
import { fetchRunning, LOCK_FILE } from './lock';
import type { MailStore } from './store';

/** Quiet time after the last change before reading the store again (a fetch writes in bursts). */
const DEBOUNCE_MS = 150;
/**
 * A look without an event, for file systems that do not report changes
 * (network drives); cheap: three stats when nothing changed.
 */
const POLL_MS = 5_000;

export class StoreWatcher {
  private watcher: fs.FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** `onReload` runs after the store was read again because another process changed it. */
  constructor(
    private readonly store: MailStore,
    private readonly onReload: () => void,
  ) {
    try {
      this.watcher = fs.watch(store.dir, { persistent: false }, (_event, name) => {
        if (name === null || name === 'index.jsonl' || name === 'index.stamp' || name === LOCK_FILE) this.soon();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No watching here: the poll still sees changes.
    }
    this.poll = setInterval(() => this.check(), POLL_MS);
    this.poll.unref();
  }

  private soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), DEBOUNCE_MS);
  }

  /**
   * Reads the store again if another process changed it. Not while a fetch
   * runs: its index is growing, and the lock's removal at its end is the
   * next event (this process's own fetch reports itself).
   */
  check(): boolean {
    this.timer = undefined;
    if (this.disposed || fetchRunning(this.store.dir)) return false;
    try {
      if (!this.store.reloadIfChanged()) return false;
    } catch {
      return false; // a store being rewritten by another process: the next event or poll reads it
    }
    this.onReload();
    return true;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.stopWatching();
    clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
  }
}
