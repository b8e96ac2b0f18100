// The entries of an index snapshot (snapshot.ts reads and writes the file):
// the shared columns of one snapshot file, whose texts are read from the
// file a block at a time when first asked for, and the summaries over them.

import * as fs from 'node:fs';
import type { MessageSummary } from './types';

/** Texts are read from the file in blocks of this many entries, when first needed. */
export const BLOCK = 1024;
/** The string fields of a summary, in blob order (`count`: how many). */
export const F = { id: 0, date: 1, uidl: 2, file: 3, subject: 4, fromName: 5, fromAddress: 6, to: 7, snippet: 8, downloaded: 9, messageId: 10, references: 11, count: 12 } as const;
export type Field = Exclude<(typeof F)[keyof typeof F], 12>;

/** Bits of the flags column. */
export const SEEN = 1;
export const TRASHED = 2;
export const HEADERS_ONLY = 4;
export const ATTACHMENTS = 8;
export const DOWNLOADED = 16;

/** A summary as a plain object (what JSON and object spread see), keys with undefined left out. */
export function plainSummary(s: MessageSummary): MessageSummary {
  const out: { -readonly [K in keyof MessageSummary]: MessageSummary[K] } = {
    id: s.id,
    uidl: s.uidl,
    file: s.file,
    subject: s.subject,
    from: { name: s.from.name, address: s.from.address },
    to: s.to,
    date: s.date,
    size: s.size,
    hasAttachments: s.hasAttachments,
    snippet: s.snippet,
    seen: s.seen,
  };
  if (s.headersOnly) out.headersOnly = true;
  if (s.serverSize !== undefined) out.serverSize = s.serverSize;
  if (s.trashed) out.trashed = true;
  if (s.downloaded !== undefined) out.downloaded = s.downloaded;
  if (s.messageId !== undefined) out.messageId = s.messageId;
  if (s.references !== undefined) out.references = s.references;
  return out;
}

/** The text of one field of a summary. */
export function textOf(e: MessageSummary, f: Field): string {
  switch (f) {
    case F.id:
      return e.id;
    case F.uidl:
      return e.uidl;
    case F.file:
      return e.file;
    case F.subject:
      return e.subject;
    case F.fromName:
      return e.from.name;
    case F.fromAddress:
      return e.from.address;
    case F.to:
      return e.to;
    case F.date:
      return e.date;
    case F.snippet:
      return e.snippet;
    case F.messageId:
      return e.messageId ?? '';
    case F.references:
      return e.references ?? '';
    default:
      return e.downloaded ?? '';
  }
}

/** Closes a snapshot's file once nothing refers to its entries any more. */
const closer = new FinalizationRegistry<number>((fd) => fs.close(fd, () => undefined));

/** The columns of one snapshot file, shared by its entries; texts come from the file in blocks. */
export class Columns {
  /** Decoded texts per field, filled a block at a time. */
  private readonly texts: (string[] | undefined)[] = [];
  private froms: { readonly name: string; readonly address: string }[] | undefined;

  constructor(
    readonly n: number,
    readonly sizes: Float64Array,
    readonly serverSizes: Float64Array,
    readonly offsets: Uint32Array,
    readonly flags: Uint8Array,
    /** The ids and dates, the start of the blob. */
    private readonly head: Buffer,
    fd: number,
    private readonly blobAt: number,
    /** The summaries from the log, for a block found damaged after open (it also removes the snapshot). */
    private readonly recover: () => ReadonlyMap<string, MessageSummary>,
  ) {
    this.fd = fd;
    closer.register(this, fd, this);
  }

  private fd: number | undefined;

  /** Closes the file now (before the store's folder is moved or deleted); texts not read yet then come from the log. */
  close(): void {
    if (this.fd === undefined) return;
    closer.unregister(this);
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** A text, decoded with the rest of its block on first use and kept. */
  cached(i: number, field: Field): string {
    const column = (this.texts[field] ??= new Array<string>(this.n));
    let text = column[i];
    if (text === undefined) {
      this.decodeBlock(field, Math.floor(i / BLOCK), column);
      text = column[i]!;
    }
    return text;
  }

  fromOf(i: number): { readonly name: string; readonly address: string } {
    const column = (this.froms ??= new Array(this.n));
    return (column[i] ??= { name: this.cached(i, F.fromName), address: this.cached(i, F.fromAddress) });
  }

  /** Each text ends with a NUL (never part of a text): one decode and one split per block. */
  private decodeBlock(field: Field, b: number, column: string[]): void {
    const first = b * BLOCK;
    const last = Math.min(first + BLOCK, this.n);
    const at = field * Math.ceil(this.n / BLOCK) + b;
    const from = this.offsets[at]!;
    const to = this.offsets[at + 1]!;
    let bytes: Buffer;
    if (to <= this.head.length) bytes = this.head.subarray(from, to);
    else if (this.fd === undefined) bytes = Buffer.alloc(0); // closed: taken from the log below
    else {
      bytes = Buffer.allocUnsafe(to - from);
      let got = 0;
      while (got < bytes.length) {
        const r = fs.readSync(this.fd, bytes, got, bytes.length - got, this.blobAt + from + got);
        if (r === 0) throw new Error('index.snap is shorter than its own offsets');
        got += r;
      }
    }
    const parts = bytes.toString('utf8').split('\0');
    if (parts.length === last - first + 1) {
      for (let k = first; k < last; k++) column[k] = parts[k - first]!;
      return;
    }
    // Damaged after open was checked (the ids and dates were verified): take this block from the log.
    const log = this.recover();
    for (let k = first; k < last; k++) {
      const entry = log.get(this.cached(k, F.id));
      column[k] = entry ? textOf(entry, field) : '';
    }
  }
}

/**
 * One summary of a snapshot: two fields, everything else read from the
 * shared columns when asked (and the texts kept there), so 100,000 of them
 * are cheap to create and to keep.
 */
export class SnapshotSummary implements MessageSummary {
  constructor(
    private readonly columns: Columns,
    private readonly i: number,
  ) {}

  get id(): string {
    return this.columns.cached(this.i, F.id);
  }
  get date(): string {
    return this.columns.cached(this.i, F.date);
  }
  get seen(): boolean {
    return (this.columns.flags[this.i]! & SEEN) !== 0;
  }
  get size(): number {
    return this.columns.sizes[this.i]!;
  }
  get uidl(): string {
    return this.columns.cached(this.i, F.uidl);
  }
  get file(): string {
    return this.columns.cached(this.i, F.file);
  }
  get subject(): string {
    return this.columns.cached(this.i, F.subject);
  }
  get from(): { readonly name: string; readonly address: string } {
    return this.columns.fromOf(this.i);
  }
  get to(): string {
    return this.columns.cached(this.i, F.to);
  }
  get snippet(): string {
    return this.columns.cached(this.i, F.snippet);
  }
  get hasAttachments(): boolean {
    return (this.columns.flags[this.i]! & ATTACHMENTS) !== 0;
  }
  get headersOnly(): boolean | undefined {
    return (this.columns.flags[this.i]! & HEADERS_ONLY) !== 0 || undefined;
  }
  get trashed(): boolean | undefined {
    return (this.columns.flags[this.i]! & TRASHED) !== 0 || undefined;
  }
  get serverSize(): number | undefined {
    const v = this.columns.serverSizes[this.i]!;
    return Number.isNaN(v) ? undefined : v;
  }
  get downloaded(): string | undefined {
    return (this.columns.flags[this.i]! & DOWNLOADED) !== 0 ? this.columns.cached(this.i, F.downloaded) : undefined;
  }

  /** '' in the file stands for none (an id is never empty). */
  get messageId(): string | undefined {
    return this.columns.cached(this.i, F.messageId) || undefined;
  }
  get references(): string | undefined {
    return this.columns.cached(this.i, F.references) || undefined;
  }

  toJSON(): MessageSummary {
    return plainSummary(this);
  }
}
