// Opening the index: the snapshot (snapshot.ts) plus the log's tail when the
// snapshot still matches the log, else the whole log (index-file.ts). Apart
// from both because it needs both, and the snapshot itself reads the log.

import * as fs from 'node:fs';
import { foldLog, readIndex } from './index-file';
import { readSnapshot } from './snapshot';
import type { MessageSummary } from './types';

export interface OpenedIndex {
  /** Every entry; `unmapped` instead when the snapshot alone made them (no log tail). */
  readonly entries?: Map<string, MessageSummary>;
  readonly unmapped?: readonly MessageSummary[];
  readonly lines: number;
  readonly damaged: boolean;
  /** The inbox in list() order, when the snapshot alone made the entries. */
  readonly inbox?: readonly MessageSummary[];
  /** Lines of the log the snapshot held, when one was used. */
  readonly snapshotLines?: number;
  /** Closes the snapshot file, when one was used. */
  readonly closeSnapshot?: () => void;
}

/**
 * The index as MailStore.open needs it: from the snapshot plus the log's
 * tail when the snapshot still matches the log, else from the whole log.
 */
export function loadIndex(file: string, snapFile: string): OpenedIndex {
  const snap = readSnapshot(snapFile, file);
  if (!snap) return readIndex(file);
  const fd = fs.openSync(file, 'r');
  let tail: Buffer;
  try {
    const size = fs.fstatSync(fd).size;
    tail = Buffer.alloc(size - snap.offset);
    let got = 0;
    while (got < tail.length) {
      const n = fs.readSync(fd, tail, got, tail.length - got, snap.offset + got);
      if (n === 0) break;
      got += n;
    }
    tail = tail.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
  if (tail.length === 0) return { unmapped: snap.entries, lines: snap.lines, damaged: false, inbox: snap.entries.slice(0, snap.inbox), snapshotLines: snap.lines, closeSnapshot: snap.close };
  const entries = new Map<string, MessageSummary>();
  for (const e of snap.entries) entries.set(e.id, e);
  const { lines, damaged } = foldLog(tail.toString('utf8'), entries);
  return { entries, lines: snap.lines + lines, damaged, snapshotLines: snap.lines, closeSnapshot: snap.close };
}
