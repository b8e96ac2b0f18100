// Repairing the summary index from the Maildir, which is the truth: what
// MailStore.open does when the index may not match the folders (a crash
// between a rename and its index line, another tool's change, a damaged log).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { headerEnd } from '../mail/headers';
import { SUMMARY_PREFIX_BYTES, summarize } from '../mail/summary';
import { idForUidl, parseName } from './maildir';
import { plainSummary } from './snapshot-entries';
import type { MessageSummary } from './types';

/** The summary of a stored message from its file name and the first bytes of its file. */
export function summaryOfFile(uidl: string, file: string, prefix: Buffer, size: number): MessageSummary {
  const name = parseName(path.basename(file));
  return {
    id: idForUidl(uidl),
    uidl,
    file,
    ...summarize(prefix),
    size,
    seen: name.seen,
    trashed: name.trashed || undefined,
    headersOnly: name.partial || undefined,
    downloaded: name.downloadedMs === undefined ? undefined : new Date(name.downloadedMs).toISOString(),
  };
}

/**
 * The summaries of every message in new/ and cur/: the index entry when it
 * matches the file, its flags taken from the name when only they changed,
 * else read from the file (a message the index lacks). Entries whose file
 * is gone are left out. `changed` says the index must be rewritten.
 */
export function reconcileWithMaildir(maildir: string, indexed: ReadonlyMap<string, MessageSummary>): { entries: MessageSummary[]; changed: boolean } {
  // A file the index names is that entry's: no name to parse and no id to
  // hash, which is most of the work in a store of 100,000 that matches.
  const byFile = new Map<string, MessageSummary>();
  for (const e of indexed.values()) byFile.set(e.file, e);
  const onDisk = new Map<string, { file: string; key?: string; entry?: MessageSummary }>(); // id -> file
  for (const sub of ['new', 'cur']) {
    for (const name of fs.readdirSync(path.join(maildir, sub))) {
      const file = path.join(sub, name);
      const entry = byFile.get(file);
      const parsed = entry ? undefined : parseName(name);
      if (parsed && parsed.uidlKey === undefined) continue; // a file some other tool put here
      const id = entry ? entry.id : idForUidl(parsed!.uidlKey!);
      const existing = onDisk.get(id);
      // Two files for one UIDL: a crash between a full download and removing the headers-only copy.
      if (existing && !parseName(path.basename(existing.file)).partial) {
        if ((parsed ?? parseName(name)).partial) fs.rmSync(path.join(maildir, file), { force: true });
        continue;
      }
      if (existing) fs.rmSync(path.join(maildir, existing.file), { force: true });
      onDisk.set(id, { file, key: parsed?.uidlKey, entry });
    }
  }
  let changed = false;
  const entries: MessageSummary[] = [];
  for (const [id, disk] of onDisk) {
    if (disk.entry) {
      entries.push(disk.entry);
      continue;
    }
    const e = indexed.get(id);
    const name = parseName(path.basename(disk.file));
    changed = true;
    if (e && e.headersOnly === (name.partial || undefined)) {
      // Same message, flags changed by another tool: take them from the name.
      entries.push({ ...plainSummary(e), file: disk.file, seen: name.seen, trashed: name.trashed || undefined });
      continue;
    }
    const abs = path.join(maildir, disk.file);
    let prefix = readPrefix(abs);
    if (name.partial) prefix = prefix.subarray(0, Math.max(headerEnd(prefix), 0) || prefix.length);
    entries.push(summaryOfFile(e?.uidl ?? disk.key!, disk.file, prefix, fs.statSync(abs).size));
  }
  return { entries, changed: changed || entries.length !== indexed.size };
}

function readPrefix(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SUMMARY_PREFIX_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** `index.jsonl.tmp-<pid>` and `state.json.tmp-<pid>` left by a process killed mid-write. */
export function removeStaleTempFiles(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const m = /\.tmp-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid !== process.pid;
    try {
      if (alive) process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) fs.rmSync(path.join(dir, name), { force: true });
  }
}
