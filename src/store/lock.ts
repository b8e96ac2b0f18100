// One fetch per store at a time, across processes: every window of the
// editor has its own extension host, and the CLI is another process, all on
// the same folder. Two fetches of one mailbox at once would each download
// every new message (neither has stored them yet), so a fetch first creates
// `fetch.lock` in the store folder with open(..., 'wx'), which exactly one
// process can win. The file says who holds it: pid, host and the process's
// start time. A lock whose process is gone (killed, crashed) is recovered
// by the next fetch on the same host; a lock from another host (a store on
// a network drive) is kept, since its process cannot be checked from here.
// A store that must rewrite its index (a repair on open) holds the same
// lock for that moment: a fetch appends index lines as it goes, and an
// append landing between the rewrite's read and its rename would be lost.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const LOCK_FILE = 'fetch.lock';
/** Held only while stale locks are checked and removed, so two recoverers cannot remove each other's new lock. */
const BREAK_FILE = 'fetch.lock.break';
/** A lock file with no readable owner is being written, unless it is this old (its writer died at once). */
const UNREADABLE_STALE_MS = 10_000;
/** A break file this old was left by a process that died within the few milliseconds it is held. */
const BREAK_STALE_MS = 30_000;
/** How often a waiting fetch looks again. */
const POLL_MS = 150;

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** When the owning process started (ms since the epoch): a reused pid has another start time. */
  readonly started: number;
  /** When it took the lock. */
  readonly since: number;
}

/** The store is being fetched by another process, and this one did not wait (long enough). */
export class StoreBusyError extends Error {
  constructor(readonly owner: LockOwner | undefined) {
    super(owner ? `store in use by pid ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`}` : 'store in use by another process');
    this.name = 'StoreBusyError';
  }

  static is(err: unknown): err is StoreBusyError {
    return err instanceof StoreBusyError;
  }
}

export interface LockOptions {
  /** How long to wait for another process's lock, in ms (default 0: fail at once). */
  readonly waitMs?: number;
  /** Called once, when the lock is held by another process and this one starts waiting. */
  readonly onWait?: (owner: LockOwner | undefined) => void;
  readonly signal?: AbortSignal;
  /** Tells whether a process of this host is alive with this start time (tests replace it). */
  readonly isAlive?: (pid: number, started: number) => boolean;
}

const processStarted = Math.round(Date.now() - process.uptime() * 1000);

/**
 * Whether a lock's start time is this process's. Each thread (the
 * extension host's snapshot worker too) computes it when it loads this
 * module, and two readings differ by a millisecond now and then; a pid
 * cannot be reused while this process lives, so a lock of this pid is
 * another process's only if that one started long before this one.
 */
const startedByThisProcess = (started: number): boolean => Math.abs(started - processStarted) <= 1000;

export class StoreLock {
  private released = false;

  private constructor(readonly file: string) {}

  /** Takes the lock of the store in `dir`, waiting up to `waitMs`; throws StoreBusyError after that. */
  static async acquire(dir: string, options: LockOptions = {}): Promise<StoreLock> {
    const file = path.join(dir, LOCK_FILE);
    const deadline = Date.now() + (options.waitMs ?? 0);
    const isAlive = options.isAlive ?? processAlive;
    let announced = false;
    for (;;) {
      options.signal?.throwIfAborted();
      if (tryCreate(file)) return new StoreLock(file);
      const owner = readOwner(file);
      if (owner === 'gone') continue;
      if (isStale(file, owner, isAlive)) {
        breakStale(dir, file, owner);
        continue;
      }
      if (Date.now() >= deadline) throw new StoreBusyError(owner);
      if (!announced) {
        announced = true;
        options.onWait?.(owner);
      }
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())), options.signal);
    }
  }

  /**
   * Takes the lock now if it is free (or stale), else returns undefined: for
   * a short rewrite of the index that must not run beside a fetch.
   */
  static tryAcquire(dir: string): StoreLock | undefined {
    const file = path.join(dir, LOCK_FILE);
    if (tryCreate(file)) return new StoreLock(file);
    const owner = readOwner(file);
    if (owner !== 'gone' && !isStale(file, owner, processAlive)) return undefined;
    if (owner !== 'gone') breakStale(dir, file, owner);
    return tryCreate(file) ? new StoreLock(file) : undefined;
  }

  /** Removes the lock, if it is still ours (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const owner = readOwner(this.file);
    if (owner !== 'gone' && owner !== undefined && owner.pid === process.pid && startedByThisProcess(owner.started)) fs.rmSync(this.file, { force: true });
  }
}

/** The live holder of the lock of the store in `dir`: 'none' when it is free or stale, undefined when unreadable. */
function liveOwner(dir: string): LockOwner | undefined | 'none' {
  const file = path.join(dir, LOCK_FILE);
  const owner = readOwner(file);
  return owner === 'gone' || isStale(file, owner, processAlive) ? 'none' : owner;
}

/**
 * Whether a live process other than this one holds the store's lock (an
 * unreadable lock, being written, counts). That process appends index lines
 * and renames files into the Maildir as it goes, so this one must not
 * replace index.jsonl, write the stamp or a snapshot from what it read: an
 * append landing between its read and its rename would be lost.
 */
export function lockedByAnotherProcess(dir: string): boolean {
  const owner = liveOwner(dir);
  return owner !== 'none' && !isThisProcess(owner);
}

/** Whether this process holds the store's lock (its fetch runs). */
export function lockedByThisProcess(dir: string): boolean {
  return isThisProcess(readOwner(path.join(dir, LOCK_FILE)));
}

function isThisProcess(owner: LockOwner | undefined | 'gone' | 'none'): boolean {
  return typeof owner === 'object' && owner.pid === process.pid && startedByThisProcess(owner.started);
}

/** Whether a fetch (of any process, this one too) holds the store's lock now; a stale lock does not count. */
export function fetchRunning(dir: string): boolean {
  return liveOwner(dir) !== 'none';
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: processStarted, since: Date.now() };
    fs.writeSync(fd, JSON.stringify(owner));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The owner in the lock file; undefined when it cannot be read yet (being written, or damaged); 'gone' when there is no file. */
function readOwner(file: string): LockOwner | undefined | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
  if (text.length > 4096) return undefined;
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(o.pid) && typeof o.host === 'string' && Number.isFinite(o.started) && Number.isFinite(o.since)) return o as LockOwner;
  } catch {
    // torn or foreign content
  }
  return undefined;
}

function isStale(file: string, owner: LockOwner | undefined, isAlive: (pid: number, started: number) => boolean): boolean {
  if (owner === undefined) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return false;
    }
  }
  if (owner.host !== os.hostname()) return false;
  return !isAlive(owner.pid, owner.started);
}

/** Removes a stale lock under the break file, after checking it is still the same stale lock. */
function breakStale(dir: string, file: string, judged: LockOwner | undefined): void {
  const breaker = path.join(dir, BREAK_FILE);
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx', 0o600);
  } catch {
    // Someone else is recovering it; a break file left by a dead process goes after a while.
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > BREAK_STALE_MS) fs.rmSync(breaker, { force: true });
    } catch {
      // gone meanwhile
    }
    return;
  }
  try {
    fs.closeSync(fd);
    const now = readOwner(file);
    const same = now !== 'gone' && (now === undefined ? judged === undefined : judged !== undefined && now.pid === judged.pid && now.started === judged.started && now.since === judged.since);
    if (same) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * Whether a process of this host with this pid and start time runs. A pid
 * that answers with another start time was reused by a new process after
 * the owner died. Where the start time cannot be read (no /proc), a live
 * pid counts as the owner.
 */
export function processAlive(pid: number, started: number): boolean {
  if (pid === process.pid) return startedByThisProcess(started);
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const actual = linuxStartTime(pid);
  // /proc's start time is in clock ticks since boot: allow for rounding and clock steps.
  return actual === undefined || Math.abs(actual - started) < 5000;
}

let bootMs: number | undefined;

function linuxStartTime(pid: number): number | undefined {
  try {
    bootMs ??= Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))![1]) * 1000;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootMs)) return undefined;
    return bootMs + (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
