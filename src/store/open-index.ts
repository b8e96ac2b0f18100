// Reading a store's index when it opens or reloads: as saved when the stamp
// says it matches the Maildir, else checked against the Maildir and, where
// they differ, rewritten from it. The Maildir is the truth.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeIndex } from './index-file';
import { loadIndex } from './load-index';
import { lockedByAnotherProcess, lockedByThisProcess, StoreLock } from './lock';
import { reconcileWithMaildir } from './reconcile';
import { snapshotCovers, snapshotOfLog } from './snapshot';
import { IndexStamp } from './stamp';
import { hasMarker, repairUnsynced } from './unsynced';
import type { MessageSummary } from './types';

/** Where a store keeps its mail and index: one place for the store and its worker. */
export function storeFiles(dir: string): { maildir: string; indexFile: string; snapshotFile: string; stampFile: string } {
  return { maildir: path.join(dir, 'Maildir'), indexFile: path.join(dir, 'index.jsonl'), snapshotFile: path.join(dir, 'index.snap'), stampFile: path.join(dir, 'index.stamp') };
}

/**
 * A log tail longer than this after the snapshot (or a log without one) is
 * left to the worker when a store opens with one: folding it takes about
 * 40 ms per MiB on the opening thread, and a first open after an upgrade
 * has 50 MiB at 100,000 messages.
 */
export const FOLD_ON_OPEN_MAX_BYTES = 1024 * 1024;

/** Bytes of the log the snapshot does not hold (the whole log without one). */
export function logBytesAfterSnapshot(dir: string): number {
  const f = storeFiles(dir);
  let size: number;
  try {
    size = fs.statSync(f.indexFile).size;
  } catch {
    return 0;
  }
  return size - snapshotCovers(f.snapshotFile, f.indexFile);
}

/**
 * Whether opening the store on its own thread would take time in
 * proportion to it: a long log tail to fold, or (in a store that big) a
 * check against the Maildir, which the stamp spares only when it holds.
 */
export function openIsSlow(dir: string): boolean {
  const f = storeFiles(dir);
  if (logBytesAfterSnapshot(dir) >= FOLD_ON_OPEN_MAX_BYTES) return true;
  let size: number;
  try {
    size = fs.statSync(f.indexFile).size;
  } catch {
    return false;
  }
  return size >= FOLD_ON_OPEN_MAX_BYTES && (hasMarker(dir) || !new IndexStamp(f.stampFile, f.maildir, f.indexFile).matches());
}

/**
 * A job of the snapshot worker (snapshot-worker.ts). 'snapshot': write the
 * snapshot of the log as it is. 'open': what an open would do in time
 * proportional to the store, done ahead so that the open then reads the
 * snapshot: the check against the Maildir when the stamp does not hold
 * (with the index rewritten where they differ, and the stamp written), then
 * the snapshot when the log has a long tail after it. The check is made
 * only when no fetch holds the lock: under this process's own fetch its
 * thread appends to the index, and under another's nothing may be written;
 * the open then makes it on its own thread, as without a worker. Returns
 * the lines a snapshot written holds.
 */
export function runIndexJob(dir: string, kind: 'open' | 'snapshot'): number | undefined {
  const f = storeFiles(dir);
  if (kind === 'snapshot') return snapshotOfLog(f.snapshotFile, f.indexFile);
  const stamp = new IndexStamp(f.stampFile, f.maildir, f.indexFile);
  if ((hasMarker(dir) || !stamp.matches()) && !lockedByThisProcess(dir) && !lockedByAnotherProcess(dir)) {
    readStoreIndex({ dir, maildir: f.maildir, indexFile: f.indexFile, snapshotFile: f.snapshotFile, stamp }).closeSnapshot?.();
  }
  return logBytesAfterSnapshot(dir) >= FOLD_ON_OPEN_MAX_BYTES ? snapshotOfLog(f.snapshotFile, f.indexFile) : undefined;
}

export interface IndexPaths {
  readonly dir: string;
  readonly maildir: string;
  readonly indexFile: string;
  readonly snapshotFile: string;
  readonly stamp: IndexStamp;
}

/** What a store holds after reading its index. */
export interface ReadIndex {
  /** By id; undefined when the entries came from the snapshot and are not mapped yet (`unmapped`). */
  readonly entries: Map<string, MessageSummary> | undefined;
  readonly unmapped: readonly MessageSummary[];
  /** The inbox in order, when the snapshot had it. */
  readonly sorted: MessageSummary[] | undefined;
  readonly logLines: number;
  readonly snapshotLines: number;
  /** Closes the snapshot file the entries read from. */
  readonly closeSnapshot: (() => void) | undefined;
}

export function readStoreIndex(p: IndexPaths): ReadIndex {
  // An unsynced batch that was cut short leaves its marker: then sizes are
  // checked against the index whatever the stamp says.
  const cutShort = hasMarker(p.dir);
  const saved = cutShort ? undefined : readIfUnchanged(p);
  if (saved) return saved;
  // The index is rewritten only under the fetch lock: this process's fetch's, or the lock taken for the
  // rewrite. While another process holds it, the Maildir and the index are only read (lock.ts says why);
  // the stamp then stays unknown, so the first look after that fetch reads the store again.
  const own = lockedByThisProcess(p.dir);
  const taken = own ? undefined : StoreLock.tryAcquire(p.dir);
  const readOnly = !own && taken === undefined;
  try {
    const read = reconcile(p, cutShort && !readOnly, readOnly);
    if (!readOnly) p.stamp.write();
    return read;
  } finally {
    taken?.release();
  }
}

function readIfUnchanged(p: IndexPaths): ReadIndex | undefined {
  if (!p.stamp.matches()) return undefined;
  const { entries, unmapped, lines, damaged, inbox, snapshotLines, closeSnapshot } = loadIndex(p.indexFile, p.snapshotFile);
  if (damaged) {
    closeSnapshot?.();
    return undefined;
  }
  return { entries, unmapped: unmapped ?? [], sorted: inbox?.slice(), logLines: lines, snapshotLines: snapshotLines ?? 0, closeSnapshot };
}

/** Loads the index, keeps what matches the Maildir, indexes files it lacks, drops entries without a file, compacts a grown log. */
function reconcile(p: IndexPaths, repairUnsyncedFiles: boolean, readOnly: boolean): ReadIndex {
  const opened = loadIndex(p.indexFile, p.snapshotFile);
  const indexed = opened.entries ?? new Map((opened.unmapped ?? []).map((e) => [e.id, e]));
  let logLines = opened.lines;
  let snapshotLines = opened.snapshotLines ?? 0;
  const dropped = repairUnsyncedFiles ? repairUnsynced(p.dir, p.maildir, indexed) : 0;
  const result = reconcileWithMaildir(p.maildir, indexed);
  const entries = new Map(result.entries.map((e) => [e.id, e]));
  const same = !result.changed && dropped === 0 && !opened.damaged;
  if (!readOnly && (!same || opened.lines > 2 * indexed.size + 1000)) {
    fs.rmSync(p.snapshotFile, { force: true }); // it describes the log being replaced
    writeIndex(p.indexFile, entries.values());
    logLines = entries.size;
    snapshotLines = 0;
  }
  // The Maildir held exactly the snapshot's entries: its inbox order still holds (sorting 100,000 costs a quarter second).
  return { entries, unmapped: [], sorted: same ? opened.inbox?.slice() : undefined, logLines, snapshotLines, closeSnapshot: opened.closeSnapshot };
}
