// The index snapshot (`index.snap`): the summary index folded into one
// binary file, so a 100,000-message store opens with one read and no
// JSON.parse, and its summaries are decoded only when something looks at
// them (a visible tree row, a search).
//
// It is a cache of a prefix of index.jsonl, never the truth: it records how
// many bytes of the log it covers, the log's inode and a hash of the bytes
// just before that point. Opening folds the log's tail (the lines appended
// since) over it; a snapshot that does not match, or is damaged, is ignored
// and the log is read in full.
//
// Layout (little-endian): magic, u32 meta length, meta JSON, padding to 8,
// then size (f64 × n), serverSize (f64 × n, NaN = none), block offsets
// (u32 × (FIELDS·blocks + 1)) into the UTF-8 blob, flags (u8 × n), padding to 8,
// the blob, and the magic again (a truncated file fails this check). The
// blob is field-major (every id, every date, every UIDL, ...), each text
// followed by a NUL so that a block decodes with one call: opening reads
// the file up to the end of the dates and keeps it open; other texts are
// read in blocks of BLOCK entries when something first asks for them. The
// open descriptor keeps the file's contents even after a newer snapshot
// replaces its name.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { foldLog, readIndex } from './index-file';
import { ATTACHMENTS, BLOCK, Columns, DOWNLOADED, F, HEADERS_ONLY, SEEN, SnapshotSummary, textOf, TRASHED, type Field } from './snapshot-entries';
import { inboxOrder, type MessageSummary } from './types';

const MAGIC = Buffer.from('P3MSNAP1', 'latin1');
const VERSION = 5;
/** Bytes of the log before the covered offset that are hashed to recognise it. */
const GUARD_BYTES = 4096;

interface Meta {
  readonly version: number;
  readonly count: number;
  /** The first `inbox` entries are the inbox (not trashed), newest first; the rest are trashed. */
  readonly inbox: number;
  /** Bytes of index.jsonl folded into this snapshot, and the lines they hold. */
  readonly offset: number;
  readonly lines: number;
  readonly ino: string;
  /** SHA-256 (hex) of the log's GUARD_BYTES bytes before `offset`. */
  readonly guard: string;
  readonly blob: number;
  /** SHA-256 (hex) of the columns and of the ids and dates: what open reads is checked; text blocks check their NULs. */
  readonly sum: string;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** A store this big keeps a snapshot of its index. */
const SNAPSHOT_MIN_MESSAGES = 500;
/** Log lines after the snapshot that make it due again, in a store of any size. */
const SNAPSHOT_EVERY_LINES = 500;
/** A bigger store waits for this share of its size in log lines. */
const SNAPSHOT_TAIL_SHARE = 1 / 50;

/**
 * Whether the snapshot should be rewritten now. A rewrite costs time in
 * proportion to the store and blocks the thread that writes it (about 0.4 s
 * at 100,000 messages); replaying the log's tail on open costs time in
 * proportion to the tail (about 30 us a line). So a big store waits for a
 * tail of a fiftieth of its size: four times fewer rewrites at 100,000
 * messages than every 500 lines, and an open that replays at most 2 % of
 * the store.
 */
export function snapshotDue(size: number, linesSince: number): boolean {
  return size >= SNAPSHOT_MIN_MESSAGES && linesSince >= Math.max(SNAPSHOT_EVERY_LINES, size * SNAPSHOT_TAIL_SHARE);
}

function guardOf(fd: number, offset: number): string {
  const len = Math.min(GUARD_BYTES, offset);
  const buf = Buffer.alloc(len);
  const n = fs.readSync(fd, buf, 0, len, offset - len);
  return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
}

export interface LoadedSnapshot {
  /** Every entry, the inbox first (newest first), then the trashed ones. */
  readonly entries: readonly MessageSummary[];
  readonly inbox: number;
  readonly offset: number;
  readonly lines: number;
  /** Closes the snapshot file the entries read their texts from. */
  readonly close: () => void;
}

/**
 * Reads `snapFile` if it covers a prefix of `indexFile` as it is now;
 * undefined when it is missing, stale or damaged.
 */
export function readSnapshot(snapFile: string, indexFile: string): LoadedSnapshot | undefined {
  let fd: number;
  try {
    fd = fs.openSync(snapFile, 'r');
  } catch {
    return undefined;
  }
  let keep = false;
  try {
    const readAt = (length: number, position: number): Buffer => {
      // Typed arrays over this buffer need it 8-aligned: its own allocation, not the pool.
      const buf = Buffer.from(new ArrayBuffer(length));
      let got = 0;
      while (got < length) {
        const r = fs.readSync(fd, buf, got, length - got, position + got);
        if (r === 0) break;
        got += r;
      }
      return buf.subarray(0, got);
    };
    const size = fs.fstatSync(fd).size;
    if (size < 20 || !readAt(8, size - 8).equals(MAGIC)) return undefined;
    const start = readAt(Math.min(size, 64 * 1024), 0);
    if (!start.subarray(0, 8).equals(MAGIC)) return undefined;
    const metaLen = start.readUInt32LE(8);
    if (12 + metaLen > start.length) return undefined;
    const meta = JSON.parse(start.toString('utf8', 12, 12 + metaLen)) as Meta;
    if (meta.version !== VERSION || !Number.isSafeInteger(meta.count) || meta.count < 0 || !(meta.inbox >= 0 && meta.inbox <= meta.count)) return undefined;
    const n = meta.count;
    let at = align8(12 + metaLen);
    const sizesAt = at;
    at += 8 * n;
    const serverAt = at;
    at += 8 * n;
    const offsetsAt = at;
    const blocks = Math.ceil(n / BLOCK);
    at += 4 * (F.count * blocks + 1);
    const flagsAt = at;
    at = align8(at + n);
    const blobAt = at;
    if (blobAt + meta.blob + 8 !== size) return undefined;

    const index = fs.openSync(indexFile, 'r');
    try {
      const st = fs.fstatSync(index, { bigint: true });
      if (st.ino.toString() !== meta.ino || st.size < BigInt(meta.offset) || guardOf(index, meta.offset) !== meta.guard) return undefined;
    } finally {
      fs.closeSync(index);
    }

    const columnsBuf = readAt(blobAt, 0);
    if (columnsBuf.length !== blobAt) return undefined;
    const ab = columnsBuf.buffer;
    const offsets = new Uint32Array(ab, offsetsAt, F.count * blocks + 1);
    if (offsets[0] !== 0 || offsets[F.count * blocks] !== meta.blob) return undefined;
    for (let k = 1; k < offsets.length; k++) if (offsets[k]! <= offsets[k - 1]!) return undefined;
    const headLength = offsets[F.uidl * blocks]!;
    const head = readAt(headLength, blobAt);
    if (head.length !== headLength) return undefined;
    if (createHash('sha256').update(columnsBuf.subarray(sizesAt, blobAt)).update(head).digest('hex') !== meta.sum) return undefined;
    let recovered: ReadonlyMap<string, MessageSummary> | undefined;
    const recover = (): ReadonlyMap<string, MessageSummary> => {
      if (!recovered) {
        fs.rmSync(snapFile, { force: true });
        recovered = readIndex(indexFile).entries;
      }
      return recovered;
    };
    const columns = new Columns(
      n,
      new Float64Array(ab, sizesAt, n),
      new Float64Array(ab, serverAt, n),
      offsets,
      new Uint8Array(ab, flagsAt, n),
      head,
      fd,
      blobAt,
      recover,
    );
    keep = true;
    const entries = new Array<MessageSummary>(n);
    for (let i = 0; i < n; i++) entries[i] = new SnapshotSummary(columns, i);
    return { entries, inbox: meta.inbox, offset: meta.offset, lines: meta.lines, close: () => columns.close() };
  } catch {
    return undefined;
  } finally {
    if (!keep) fs.closeSync(fd);
  }
}

/**
 * Writes the snapshot of a store whose entries are the fold of the whole
 * of `indexFile` as it is now (`lines` lines): its inbox in list() order,
 * then the messages deleted locally. Atomic: write, fsync, rename. Writes
 * nothing unless the log is `indexSize` bytes, the size the store knows it
 * has read and written: a bigger one holds another process's lines, which
 * the snapshot would claim to cover without holding them.
 */
export function writeSnapshot(snapFile: string, indexFile: string, store: { list(): readonly MessageSummary[]; all(): Iterable<MessageSummary> }, lines: number, indexSize: number): void {
  const inbox = store.list(); // already in order, and usually already sorted by the store
  const trashed: MessageSummary[] = [];
  for (const e of store.all()) if (e.trashed) trashed.push(e);

  const fd = fs.openSync(indexFile, 'r');
  let covers: Covered;
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (Number(st.size) !== indexSize) return; // lines of another process the entries lack
    covers = { offset: indexSize, lines, ino: st.ino.toString(), guard: guardOf(fd, indexSize) };
  } finally {
    fs.closeSync(fd);
  }
  writeEntries(snapFile, inbox, trashed, covers);
}

/**
 * Writes the snapshot of `indexFile` as it is now, from the files alone
 * (the snapshot worker's job: no store's memory is needed, and any
 * whole-line prefix of the log is a valid one to cover): the snapshot
 * there plus the log's lines after it, or the whole log when it has none.
 * Returns the lines it covers, or undefined when it wrote nothing: no log,
 * or a damaged one, which the store repairs from the Maildir first.
 */
export function snapshotOfLog(snapFile: string, indexFile: string): number | undefined {
  // The old snapshot is read in a few ms; the log it covers, 50 MB at 100,000 messages, takes seconds to parse.
  const base = readSnapshot(snapFile, indexFile);
  try {
    let fd: number;
    try {
      fd = fs.openSync(indexFile, 'r');
    } catch {
      return undefined;
    }
    const entries = new Map<string, MessageSummary>();
    if (base) for (const e of base.entries) entries.set(e.id, e);
    let covers: Covered;
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      const from = base?.offset ?? 0;
      const buf = Buffer.allocUnsafe(Number(st.size) - from);
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, from + got);
        if (n === 0) break;
        got += n;
      }
      // Another process may be appending: what was read up to its last newline is whole lines.
      const end = got === 0 ? 0 : buf.lastIndexOf(0x0a, got - 1) + 1;
      if (end === 0) return base?.lines; // nothing (new) to fold
      const { lines, damaged } = foldLog(buf.toString('utf8', 0, end), entries);
      if (damaged) return undefined;
      covers = { offset: from + end, lines: (base?.lines ?? 0) + lines, ino: st.ino.toString(), guard: guardOf(fd, from + end) };
    } finally {
      fs.closeSync(fd);
    }
    const inbox: MessageSummary[] = [];
    const trashed: MessageSummary[] = [];
    for (const e of entries.values()) (e.trashed ? trashed : inbox).push(e);
    inbox.sort(inboxOrder);
    trashed.sort(inboxOrder); // not needed by readers; makes the file the same whichever way it was made
    writeEntries(snapFile, inbox, trashed, covers);
    return covers.lines;
  } finally {
    base?.close();
  }
}

/** What part of the log a snapshot holds: its first `offset` bytes, `lines` lines, recognised by inode and guard. */
interface Covered {
  readonly offset: number;
  readonly lines: number;
  readonly ino: string;
  readonly guard: string;
}

function writeEntries(snapFile: string, inbox: readonly MessageSummary[], trashed: readonly MessageSummary[], covers: Covered): void {
  const all = inbox.concat(trashed);
  const n = all.length;
  const sizes = new Float64Array(n);
  const serverSizes = new Float64Array(n);
  const blocks = Math.ceil(n / BLOCK);
  const offsets = new Uint32Array(F.count * blocks + 1);
  const flags = new Uint8Array(n);
  const chunks: Buffer[] = [];
  let blob = 0;
  for (let f = 0; f < F.count; f++) {
    for (let b = 0; b < blocks; b++) {
      const texts: string[] = [];
      for (let i = b * BLOCK; i < Math.min(n, (b + 1) * BLOCK); i++) {
        const text = textOf(all[i]!, f as Field);
        if (text.includes('\0')) return; // NUL ends a text in the blob; summaries never hold one, but never guess
        texts.push(text);
      }
      offsets[f * blocks + b] = blob;
      const chunk = Buffer.from(`${texts.join('\0')}\0`, 'utf8');
      chunks.push(chunk);
      blob += chunk.length;
    }
  }
  for (let i = 0; i < n; i++) {
    const e = all[i]!;
    sizes[i] = e.size;
    serverSizes[i] = e.serverSize ?? Number.NaN;
    flags[i] = (e.seen ? SEEN : 0) | (e.trashed ? TRASHED : 0) | (e.headersOnly ? HEADERS_ONLY : 0) | (e.hasAttachments ? ATTACHMENTS : 0) | (e.downloaded !== undefined ? DOWNLOADED : 0);
  }
  if (blob > 0xffff_ffff) return; // beyond u32 offsets: the log alone serves
  offsets[F.count * blocks] = blob;

  const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const flagsPadded = Buffer.alloc(align8(offsets.byteLength + n) - offsets.byteLength);
  bytes(flags).copy(flagsPadded);
  const columns = [bytes(sizes), bytes(serverSizes), bytes(offsets), flagsPadded];
  const sum = createHash('sha256');
  for (const part of [...columns, ...chunks.slice(0, F.uidl * blocks)]) sum.update(part);
  const meta: Meta = { version: VERSION, count: n, inbox: inbox.length, ...covers, blob, sum: sum.digest('hex') };
  const metaBuf = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = Buffer.alloc(align8(12 + metaBuf.length));
  MAGIC.copy(head, 0);
  head.writeUInt32LE(metaBuf.length, 8);
  metaBuf.copy(head, 12);

  const tmp = `${snapFile}.tmp-${process.pid}`;
  const out = fs.openSync(tmp, 'w', 0o600);
  try {
    for (const part of [head, ...columns, ...chunks, MAGIC]) fs.writeSync(out, part);
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, snapFile);
}

/**
 * How many bytes of `indexFile` the snapshot says it holds (0 without one
 * for this log): a look at its header only, to decide whether a fold of the
 * rest is small enough for the thread that opens the store. readSnapshot
 * checks the whole.
 */
export function snapshotCovers(snapFile: string, indexFile: string): number {
  try {
    const fd = fs.openSync(snapFile, 'r');
    try {
      const start = Buffer.alloc(64 * 1024);
      const got = fs.readSync(fd, start, 0, start.length, 0);
      if (got < 12 || !start.subarray(0, 8).equals(MAGIC)) return 0;
      const metaLen = start.readUInt32LE(8);
      if (12 + metaLen > got) return 0;
      const meta = JSON.parse(start.toString('utf8', 12, 12 + metaLen)) as Meta;
      const ino = fs.statSync(indexFile, { bigint: true }).ino.toString();
      return meta.version === VERSION && meta.ino === ino && Number.isSafeInteger(meta.offset) ? meta.offset : 0;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return 0;
  }
}
