// Reading a store's index when it opens or reloads: as saved when the stamp
// says it matches the Maildir, else checked against the Maildir and, where
// they differ, rewritten from it. The Maildir is the truth.
import * as fs from 'node:fs';
import { writeIndex } from './index-file';
import { loadIndex } from './load-index';
import { lockedByThisProcess, StoreLock } from './lock';
import { reconcileWithMaildir } from './reconcile';
import type { IndexStamp } from './stamp';
import { hasMarker, repairUnsynced } from './unsynced';
import type { MessageSummary } from './types';

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
