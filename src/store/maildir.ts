// One Maildir per account (new/, cur/, tmp/), so the mail is plain files that
// mutt, notmuch or grep can read. A message is written to tmp/, fsynced and
// renamed into new/: the rename is the moment it exists (crash-safe).
//
// The unique name carries what the store must never lose, so the Maildir
// alone is the truth and the summary index can always be rebuilt from it:
//   <seconds>.M<ms>P<pid>Q<seq>R<random>.pop3-mail,U=<base64url UIDL key>[,P]
// seconds = download time, U = the UIDL (or its hash, see uidlKey),
// P = headers only. Flags follow ":2," as Maildir defines them (S seen,
// T trashed), or "!2," under the Windows naming (naming.ts). Every part of
// the name is a character Windows accepts, and it stays under 255 bytes.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { giveStage, takeStage } from './staging';
import { defaultNaming, flagSeparator, splitInfo, type MaildirNaming } from './naming';

export const SUBDIRS = ['tmp', 'new', 'cur'] as const;

let sequence = 0;
/** Drawn once: pid, sequence and this keep names unique across processes; a draw per message only costs time. */
const PROCESS_RANDOM = randomBytes(4).toString('hex');

/** UIDLs longer than this are named by their SHA-256 in file names (T23: a file name has 255 bytes). */
const MAX_NAMED_UIDL = 100;

/** The key a UIDL is stored and matched under: itself, or its hash when it is very long. */
export function uidlKey(uidl: string): string {
  return uidl.length <= MAX_NAMED_UIDL ? uidl : `sha256:${createHash('sha256').update(uidl, 'latin1').digest('hex')}`;
}

/** The stable message id for a UIDL: opaque, short, file- and URI-safe. */
export function idForUidl(uidl: string): string {
  return createHash('sha256').update(uidlKey(uidl), 'latin1').digest('hex').slice(0, 24);
}

/** A new Maildir unique name for a message with this UIDL. */
export function uniqueName(uidl: string, partial: boolean, now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  const u = Buffer.from(uidlKey(uidl), 'latin1').toString('base64url');
  return `${sec}.M${now % 1000}P${process.pid}Q${++sequence}R${PROCESS_RANDOM}.pop3-mail,U=${u}${partial ? ',P' : ''}`;
}

export interface ParsedName {
  /** The unique part, without ":2,flags" (or "!2,flags"). */
  readonly base: string;
  /** The UIDL key, or undefined for a file we did not write. */
  readonly uidlKey: string | undefined;
  readonly partial: boolean;
  readonly seen: boolean;
  readonly trashed: boolean;
  /** Download time in ms (from the leading seconds), or undefined. */
  readonly downloadedMs: number | undefined;
}

export function parseName(fileName: string): ParsedName {
  const { base, flags } = splitInfo(fileName);
  const u = /,U=([A-Za-z0-9_-]+)(?:,|$)/.exec(base);
  const sec = /^(\d{9,11})\./.exec(base);
  return {
    base,
    uidlKey: u ? Buffer.from(u[1]!, 'base64url').toString('latin1') : undefined,
    partial: /,P(?:,|$)/.test(base),
    seen: flags.includes('S'),
    trashed: flags.includes('T'),
    downloadedMs: sec ? Number(sec[1]) * 1000 : undefined,
  };
}

/** The relative path for a message with these flags: new/ while unflagged and unseen, else cur/ with ":2," ("!2," under the Windows naming). */
export function pathFor(base: string, flags: { seen: boolean; trashed: boolean }, naming: MaildirNaming = defaultNaming()): string {
  const letters = `${flags.seen ? 'S' : ''}${flags.trashed ? 'T' : ''}`;
  return letters ? path.join('cur', `${base}${flagSeparator(naming)}2,${letters}`) : path.join('new', base);
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

/** Flushes the entries of new/ and cur/: the renames that put messages there or moved them. */
export function fsyncFolders(maildir: string): void {
  fsyncDir(path.join(maildir, 'new'));
  fsyncDir(path.join(maildir, 'cur'));
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

/**
 * Messages up to this size are collected in memory and written, fsynced and
 * closed on the thread pool in one go (syncAsync), so the main thread only
 * copies bytes; larger ones are streamed to their tmp/ file as they arrive.
 */
const IN_MEMORY_BYTES = 1024 * 1024;

/**
 * Receives one message and commits it into new/. Nothing is in new/ before
 * its bytes are on disk; until then it is in memory or in tmp/.
 */
export class MessageWriter {
  private currentName: string;
  private currentUidl: string;
  private tmpPath: string;
  /** The message while it is small: its first `staged` bytes, in a buffer from staging.ts until release(). */
  private stage: Buffer | undefined;
  private staged = 0;
  /** Open tmp/ file once the message spilled to disk. */
  private fd: number | undefined;
  /** The tmp/ file exists, complete and fsynced, closed (after syncAsync of an in-memory message). */
  private synced = false;
  private finished = false;
  private size = 0;
  private readonly prefixChunks: Buffer[] = [];
  private prefixBytes = 0;

  constructor(
    private readonly root: string,
    uidl: string,
    private readonly prefixLimit: number,
    readonly partial: boolean,
    private readonly now: number,
    /** Open and write an in-memory message on this thread, leaving only an fsync to the pool (MailStore.open's writeInline). */
    private readonly inline = false,
    /** The size the server announced, if known: the first buffer is made that large. */
    private readonly sizeHint = 0,
  ) {
    this.currentUidl = uidl;
    this.currentName = uniqueName(uidl, partial, now);
    this.tmpPath = path.join(root, 'tmp', this.currentName);
  }

  get name(): string {
    return this.currentName;
  }

  get uidl(): string {
    return this.currentUidl;
  }

  /** Gives the message another identity before commit (safe mode: the key is a hash of the content). */
  rekey(uidl: string): void {
    const name = uniqueName(uidl, this.partial, this.now);
    const tmp = path.join(this.root, 'tmp', name);
    if (this.fd !== undefined || this.synced) fs.renameSync(this.tmpPath, tmp);
    this.tmpPath = tmp;
    this.currentName = name;
    this.currentUidl = uidl;
  }

  /**
   * Takes a chunk, which may be borrowed (the connection's read buffer is
   * reused): a small message keeps a copy, a large one writes it out now.
   */
  write(chunk: Buffer): void {
    if (this.finished || this.synced) throw new Error('write after commit or abort');
    this.size += chunk.length;
    if (this.fd === undefined && this.size <= IN_MEMORY_BYTES) {
      this.stageBytes(chunk);
      return;
    }
    if (this.fd === undefined) this.spill();
    if (this.prefixBytes < this.prefixLimit) this.keepPrefix(chunk);
    writeAll(this.fd!, [chunk]);
  }

  private stageBytes(chunk: Buffer): void {
    const need = this.staged + chunk.length;
    if (!this.stage || this.stage.length < need) {
      const bigger = takeStage(Math.min(Math.max(need, this.sizeHint), IN_MEMORY_BYTES));
      if (this.stage) {
        this.stage.copy(bigger, 0, 0, this.staged);
        giveStage(this.stage);
      }
      this.stage = bigger;
    }
    chunk.copy(this.stage, this.staged);
    this.staged = need;
  }

  /** The message outgrew memory: what came so far goes to its tmp/ file, and so will the rest. */
  private spill(): void {
    this.fd = fs.openSync(this.tmpPath, 'wx', 0o600);
    const held = this.inMemory();
    for (const piece of held) this.keepPrefix(piece);
    writeAll(this.fd, held);
    this.releaseStage();
  }

  private keepPrefix(piece: Buffer): void {
    const take = piece.subarray(0, this.prefixLimit - this.prefixBytes);
    this.prefixChunks.push(Buffer.from(take));
    this.prefixBytes += take.length;
  }

  /** What is in memory and not yet in a file: the whole message while it is small. */
  private inMemory(): Buffer[] {
    return this.stage ? [this.stage.subarray(0, this.staged)] : [];
  }

  /**
   * The first bytes of the message (headers and the start of the body). For
   * a message in memory, a view of it: read it before release().
   */
  prefix(): Buffer {
    if (this.stage) return this.stage.subarray(0, Math.min(this.staged, this.prefixLimit));
    return Buffer.concat(this.prefixChunks);
  }

  /** Gives the message's memory back for the next message: call when nothing reads prefix() or held() any more. */
  release(): void {
    if (this.inFlight) void this.inFlight.then(() => this.releaseStage(), () => this.releaseStage());
    else this.releaseStage();
  }

  private releaseStage(): void {
    if (this.stage) giveStage(this.stage);
    this.stage = undefined;
    this.staged = 0;
  }

  get bytes(): number {
    return this.size;
  }

  /**
   * The whole message, while it is small enough to be kept in memory and not
   * yet committed (undefined once it spilled to a file); valid until
   * release(). The search index reads a new message from it instead of
   * reading its file back.
   */
  held(): readonly Buffer[] | undefined {
    return this.fd === undefined && !this.finished && this.size <= IN_MEMORY_BYTES ? this.inMemory() : undefined;
  }

  /**
   * Makes the message durable in tmp/ on the thread pool (write, fsync,
   * close), so that many messages are synced in parallel while the next ones
   * arrive; commit(false) then only renames.
   */
  syncAsync(fsync = true): Promise<void> {
    if (this.finished || this.synced || this.inFlight) return Promise.reject(new Error('sync after commit or abort'));
    const fd = this.fd;
    if (this.inline && fd === undefined) {
      // Open and write here: less CPU than round trips through the thread
      // pool (a fetch of 5,000 small messages kept: 4.95 against 3.54 s).
      // Only the fsync of a last copy waits there.
      let out: number | undefined;
      try {
        out = fs.openSync(this.tmpPath, 'wx', 0o600);
        writeAll(out, this.inMemory());
        if (!fsync) fs.closeSync(out);
      } catch (error) {
        if (out !== undefined) fs.closeSync(out);
        return Promise.reject(error);
      }
      if (!fsync) {
        this.synced = true;
        return Promise.resolve();
      }
      const opened = out;
      this.inFlight = new Promise<void>((resolve, reject) =>
        fs.fsync(opened, (err) => {
          let failed: unknown = err;
          try {
            fs.closeSync(opened);
          } catch (closeErr) {
            failed ??= closeErr;
          }
          if (failed) return reject(failed);
          this.synced = true;
          resolve();
        }),
      ).finally(() => {
        this.inFlight = undefined;
      });
      return this.inFlight;
    }
    const work =
      fd !== undefined
        ? new Promise<void>((resolve, reject) => (fsync ? fs.fsync(fd, (err) => (err ? reject(err) : resolve())) : resolve()))
        : writeFileDurably(this.tmpPath, this.inMemory(), fsync).then(() => {
            // The bytes stay in memory until release(), for held().
            this.synced = true;
          });
    this.inFlight = work.finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The thread-pool write of syncAsync while it runs: abort waits for it before removing the file. */
  private inFlight: Promise<void> | undefined;

  /** Writes what is still in memory, fsyncs (unless `fsync` is false: already synced, or a fixture), renames into new/. */
  commit(fsync = true): string {
    if (this.finished) throw new Error('commit after commit or abort');
    if (!this.synced) {
      const fd = this.fd ?? fs.openSync(this.tmpPath, 'wx', 0o600);
      this.fd = undefined;
      try {
        writeAll(fd, this.inMemory());
        if (fsync) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    this.finished = true;
    const rel = path.join('new', this.name);
    fs.renameSync(this.tmpPath, path.join(this.root, rel));
    return rel;
  }

  /** Discards a partial message (T21, T22): nothing of it stays outside tmp/. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    const remove = (): void => {
      try {
        if (this.fd !== undefined) fs.closeSync(this.fd);
      } finally {
        this.fd = undefined;
        this.releaseStage();
        fs.rmSync(this.tmpPath, { force: true });
      }
    };
    // A write still running on the thread pool would create the file after we removed it.
    if (this.inFlight) void this.inFlight.then(remove, remove);
    else remove();
  }
}

/** open(wx) + writev + fsync (unless not asked) + close, all on the thread pool (callback API: less overhead than FileHandle). */
function writeFileDurably(file: string, chunks: Buffer[], fsync: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.open(file, 'wx', 0o600, (err, fd) => {
      if (err) return reject(err);
      const finish = (first: NodeJS.ErrnoException | null): void => fs.close(fd, (closeErr) => (first ?? closeErr ? reject(first ?? closeErr) : resolve()));
      const total = chunks.reduce((n, c) => n + c.length, 0);
      fs.writev(fd, chunks, (werr, written) => {
        if (werr || written !== total) return finish(werr ?? Object.assign(new Error(`short write to ${file}`), { code: 'EIO' }));
        if (fsync) fs.fsync(fd, finish);
        else finish(null);
      });
    });
  });
}

function writeAll(fd: number, chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
  }
}
