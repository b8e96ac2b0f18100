// The summary index: one JSON object per line, appended as mail arrives and
// as flags change, so the tree and `list` never read message files. The last
// line for an id wins; `{"id":…,"removed":true}` forgets one. A torn last line
// (a crash mid-append) or any damaged line is skipped on load; the store then
// re-indexes what it lost from the Maildir, which is the truth.

import * as fs from 'node:fs';
import type { MessageSummary } from './types';

function isSummary(v: unknown): v is MessageSummary {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const from = o['from'] as Record<string, unknown> | undefined;
  return (
    typeof o['id'] === 'string' &&
    typeof o['uidl'] === 'string' &&
    typeof o['file'] === 'string' &&
    typeof o['subject'] === 'string' &&
    typeof from === 'object' &&
    from !== null &&
    typeof from['name'] === 'string' &&
    typeof from['address'] === 'string' &&
    typeof o['to'] === 'string' &&
    typeof o['date'] === 'string' &&
    typeof o['size'] === 'number' &&
    typeof o['hasAttachments'] === 'boolean' &&
    typeof o['snippet'] === 'string' &&
    typeof o['seen'] === 'boolean' &&
    (o['messageId'] === undefined || typeof o['messageId'] === 'string') &&
    (o['references'] === undefined || typeof o['references'] === 'string')
  );
}

function isRemoval(v: unknown): v is { id: string; removed: true } {
  return typeof v === 'object' && v !== null && (v as { removed?: unknown }).removed === true && typeof (v as { id?: unknown }).id === 'string';
}

export interface LoadedIndex {
  readonly entries: Map<string, MessageSummary>;
  /** Lines read, to decide when the log is worth compacting. */
  readonly lines: number;
  readonly damaged: boolean;
}

/** Reads the index log; later lines for an id replace earlier ones. */
export function readIndex(file: string): LoadedIndex {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), lines: 0, damaged: false };
    throw err;
  }
  const entries = new Map<string, MessageSummary>();
  const { lines, damaged } = foldLog(text, entries);
  return { entries, lines, damaged };
}

/**
 * Folds log text (whole lines) into `entries`. A damaged line counts but
 * changes nothing; the caller repairs from the Maildir.
 */
export function foldLog(text: string, entries: Map<string, MessageSummary>): { lines: number; damaged: boolean } {
  let damaged = false;
  let lines = 0;
  // Fast path: one JSON.parse for the whole log (a few times faster than one per line).
  if (text.endsWith('\n')) {
    let all: unknown;
    try {
      all = JSON.parse(`[${text.slice(0, -1).replace(/\n/g, ',')}]`);
    } catch {
      all = undefined; // a damaged line: read line by line
    }
    if (Array.isArray(all)) {
      for (const v of all) {
        if (isSummary(v)) entries.set(v.id, v);
        else if (isRemoval(v)) entries.delete(v.id);
        else damaged = true;
      }
      return { lines: all.length, damaged };
    }
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    lines++;
    try {
      const v: unknown = JSON.parse(line);
      if (isSummary(v)) entries.set(v.id, v);
      else if (isRemoval(v)) entries.delete(v.id);
      else damaged = true;
    } catch {
      damaged = true;
    }
  }
  return { lines, damaged };
}

/** Replaces the index atomically (write, fsync, rename): compaction and repair. */
export function writeIndex(file: string, entries: Iterable<MessageSummary>): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    let text = '';
    for (const e of entries) text += `${JSON.stringify(e)}\n`;
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Lines held back at most, so that memory stays small and the tree sees a long fetch arrive. */
const HOLD_MAX = 256;

/**
 * Appends index lines, holding back those of a fetch's messages (`hold`) so
 * that a batch costs one append instead of an open, write and close per
 * message. A crash loses only held lines: the store re-indexes from the
 * Maildir. Any unheld line writes the held ones first, so order is kept.
 */
export class IndexAppender {
  private held: string[] = [];

  /** `onWrite` runs after each write to the file with the bytes written (the store notes its own change there). */
  constructor(
    private readonly file: string,
    private readonly onWrite: (bytes: number) => void = () => undefined,
  ) {}

  add(record: MessageSummary | { id: string; removed: true }, hold: boolean): void {
    this.held.push(`${JSON.stringify(record)}\n`);
    if (!hold || this.held.length >= HOLD_MAX) this.flush();
  }

  flush(): void {
    if (this.held.length === 0) return;
    const text = Buffer.from(this.held.join(''), 'utf8');
    this.held = [];
    fs.appendFileSync(this.file, text, { mode: 0o600 });
    this.onWrite(text.length);
  }
}
