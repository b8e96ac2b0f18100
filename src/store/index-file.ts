// The summary index: one JSON object per line, appended as mail arrives, so
// the tree and `list` never read message files. A torn last line (a crash
// mid-append) or any damaged line is skipped on load; the store then
// re-indexes the messages it lost from the Maildir.

import * as fs from 'node:fs';
import type { MessageSummary } from './types';

export const INDEX_VERSION = 1;

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
    typeof o['seen'] === 'boolean'
  );
}

/** Reads the index; returns the valid entries and whether any line was damaged. */
export function readIndex(file: string): { entries: MessageSummary[]; damaged: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], damaged: false };
    throw err;
  }
  const entries: MessageSummary[] = [];
  let damaged = false;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isSummary(v)) entries.push(v);
      else damaged = true;
    } catch {
      damaged = true;
    }
  }
  return { entries, damaged };
}

/** Replaces the index atomically (write, fsync, rename). */
export function writeIndex(file: string, entries: readonly MessageSummary[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const text = entries.map((e) => JSON.stringify(e)).join('\n');
    fs.writeSync(fd, entries.length ? `${text}\n` : '');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Appends entries, one line each. A crash can tear only the last line. */
export function appendIndex(file: string, entries: readonly MessageSummary[]): void {
  if (entries.length === 0) return;
  fs.appendFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
}
