// One Maildir per account (new/, cur/, tmp/), so the mail is plain files that
// mutt, notmuch or grep can read. A message is written to tmp/, fsynced and
// renamed into new/: the rename is the moment it exists (crash-safe).
//
// The unique name carries the message's UIDL (base64url after ",U="), so the
// Maildir alone says which server messages we have, and the summary index can
// always be rebuilt from it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

export const SUBDIRS = ['tmp', 'new', 'cur'] as const;

let sequence = 0;

/** UIDLs longer than this are named by their SHA-256 in file names (T23: a file name has 255 bytes). */
const MAX_NAMED_UIDL = 100;

/** The key a UIDL is stored and matched under: itself, or its hash when it is very long. */
export function uidlKey(uidl: string): string {
  return uidl.length <= MAX_NAMED_UIDL ? uidl : `sha256:${createHash('sha256').update(uidl, 'latin1').digest('hex')}`;
}

/** A new Maildir unique name for a message with this UIDL. */
export function uniqueName(uidl: string): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const ms = now % 1000;
  const u = Buffer.from(uidlKey(uidl), 'latin1').toString('base64url');
  return `${sec}.M${ms}P${process.pid}Q${++sequence}R${randomBytes(4).toString('hex')}.pop3-mail,U=${u}`;
}

/** The UIDL key (see uidlKey) encoded in a unique name we wrote, or undefined for foreign files. */
export function uidlFromName(fileName: string): string | undefined {
  const base = fileName.split(':')[0]!;
  const m = /,U=([A-Za-z0-9_-]+)(?:,|$)/.exec(base);
  return m ? Buffer.from(m[1]!, 'base64url').toString('latin1') : undefined;
}

/** The message id: the unique name without the ":2,flags" info part. */
export function idFromName(fileName: string): string {
  return fileName.split(':')[0]!;
}

export function ensureMaildir(root: string): void {
  for (const sub of SUBDIRS) fs.mkdirSync(path.join(root, sub), { recursive: true, mode: 0o700 });
}

/** Flushes a directory's entries (renames) to disk. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes files left in tmp/ by an interrupted write, when older than `olderThanMs`. */
export function cleanTmp(root: string, olderThanMs: number): number {
  const tmp = path.join(root, 'tmp');
  let removed = 0;
  for (const name of fs.readdirSync(tmp)) {
    const file = path.join(tmp, name);
    try {
      if (Date.now() - fs.statSync(file).mtimeMs >= olderThanMs) {
        fs.unlinkSync(file);
        removed++;
      }
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}

/** Streams one message into tmp/, then commits it into new/. */
export class MessageWriter {
  readonly name: string;
  private readonly tmpPath: string;
  private fd: number | undefined;
  private size = 0;
  private readonly prefixChunks: Buffer[] = [];
  private prefixBytes = 0;

  constructor(
    private readonly root: string,
    readonly uidl: string,
    private readonly prefixLimit: number,
  ) {
    this.name = uniqueName(uidl);
    this.tmpPath = path.join(root, 'tmp', this.name);
    this.fd = fs.openSync(this.tmpPath, 'wx', 0o600);
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error('write after commit or abort');
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off);
    this.size += chunk.length;
    if (this.prefixBytes < this.prefixLimit) {
      const take = chunk.subarray(0, this.prefixLimit - this.prefixBytes);
      this.prefixChunks.push(Buffer.from(take));
      this.prefixBytes += take.length;
    }
  }

  /** The first bytes of the message (headers and the start of the body). */
  prefix(): Buffer {
    return Buffer.concat(this.prefixChunks);
  }

  get bytes(): number {
    return this.size;
  }

  /** fsyncs the file and renames it into new/. Returns the path relative to the Maildir. */
  commit(): string {
    if (this.fd === undefined) throw new Error('commit after commit or abort');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    const rel = path.join('new', this.name);
    fs.renameSync(this.tmpPath, path.join(this.root, rel));
    return rel;
  }

  /** Discards a partial message (T21, T22): nothing of it stays outside tmp/. */
  abort(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } finally {
      this.fd = undefined;
      fs.rmSync(this.tmpPath, { force: true });
    }
  }
}
