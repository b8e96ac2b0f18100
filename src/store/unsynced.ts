// Mail the server keeps a copy of is stored without a per-message fsync and
// made durable once, at the end of the run: a lost local file is simply
// downloaded again. What must hold across a power loss is that the index
// never claims a message whose file is missing or short (the next fetch
// would skip it for good). So before the first unsynced message a marker is
// made durable; it is removed once the batch is synced. Opening a store that
// still has it (an unclean shutdown) checks every file written since the
// marker against the index, drops what does not match, so the next fetch
// downloads it again, and syncs what it keeps.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fsyncDir, fsyncFolders, idForUidl, parseName } from './maildir';
import { filesystemSync } from './syncfs';
import type { MessageSummary } from './types';

const MARKER = 'unsynced';

/** Files fsynced at once: enough to keep the disk queue (and the journal's batching) full. */
const PARALLEL_SYNCS = 64;

export function markerPath(dir: string): string {
  return path.join(dir, MARKER);
}

/** Two boot times further apart than this are two boots (Date.now() drifts with clock adjustments). */
const BOOT_TOLERANCE_MS = 120_000;

/** Which boot this is: Linux's boot id, else the boot time (ms). */
function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return String(Math.round(Date.now() - os.uptime() * 1000));
  }
}

function sameBoot(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [Number(a), Number(b)];
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) < BOOT_TOLERANCE_MS;
}

/**
 * True when the marker is there and the process that wrote it is gone (or
 * the machine rebooted since): its batch was cut short. A process still
 * fetching into the store (the editor, while `pop3-mail list` opens it) is
 * left alone: its files may simply not be indexed yet.
 */
export function hasMarker(dir: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(markerPath(dir), 'utf8');
  } catch {
    return false;
  }
  const [pidText = '', boot = ''] = text.split('\n');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !sameBoot(boot, bootId())) return true;
  if (pid === process.pid) return false; // another store object of this process is mid-batch
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM'; // EPERM: alive, someone else's
  }
}

/** Makes the marker durable (file and folder) before anything unsynced is written. */
export function writeMarker(dir: string): void {
  const fd = fs.openSync(markerPath(dir), 'w', 0o600);
  try {
    fs.writeSync(fd, `${process.pid}\n${bootId()}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fsyncDir(dir);
}

/** After the batch is durable. Its removal need not be: a marker that comes back only costs a check. */
export function removeMarker(dir: string): void {
  fs.rmSync(markerPath(dir), { force: true });
}

/** The messages stored without an fsync since the last sync, by id. */
export class UnsyncedBatch {
  private readonly ids = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly maildir: string,
  ) {}

  /** Before an unsynced message is renamed into the Maildir: the marker goes first. */
  willAdd(): void {
    if (this.ids.size === 0) writeMarker(this.dir);
  }

  /**
   * `bytes`: the message's size (0: no syncs ahead). After every
   * `filesystemSync.writeAheadBytes` a syncfs starts in the background (one
   * at a time), so that the disk writes the batch back while the download
   * goes on instead of all of it in the final sync. It makes nothing count
   * as synced: sync() still syncs the whole batch.
   */
  add(id: string, bytes = 0): void {
    this.ids.add(id);
    this.sinceWriteAhead += bytes;
    if (this.sinceWriteAhead < filesystemSync.writeAheadBytes || this.writingAhead) return;
    this.sinceWriteAhead = 0;
    this.writingAhead = true;
    void filesystemSync.run(this.maildir).finally(() => {
      this.writingAhead = false;
    });
  }

  private sinceWriteAhead = 0;
  private writingAhead = false;

  /** Makes the batch durable, files and folders, then removes the marker. `fileOf`: an id's current file. */
  async sync(fileOf: (id: string) => string | undefined): Promise<void> {
    if (this.ids.size === 0) return;
    const ids = [...this.ids];
    const files = ids.flatMap((id) => fileOf(id) ?? []).map((f) => path.join(this.maildir, f));
    await syncFiles(files, [path.join(this.maildir, 'new'), path.join(this.maildir, 'cur')]);
    for (const id of ids) this.ids.delete(id);
    if (this.ids.size === 0) removeMarker(this.dir);
  }
}

/**
 * Makes `files` and the folders `dirs` that name them durable: one syncfs
 * for a big batch (syncfs.ts), else an fsync of each file on the thread
 * pool, many at once, then of the folders.
 */
export async function syncFiles(files: readonly string[], dirs: readonly string[]): Promise<void> {
  if (files.length >= filesystemSync.minFiles && dirs.length > 0 && (await filesystemSync.run(dirs[0]!))) return;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) await syncOne(files[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SYNCS, files.length) }, worker));
  for (const d of dirs) fsyncDir(d);
}

function syncOne(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // r+: Windows flushes only a handle opened for writing.
    fs.open(file, 'r+', (err, fd) => {
      if (err) return err.code === 'ENOENT' ? resolve() : reject(err); // renamed or removed meanwhile: its new name is synced with its folder
      fs.fsync(fd, (serr) => fs.close(fd, (cerr) => (serr ?? cerr ? reject(serr ?? cerr) : resolve())));
    });
  });
}

/**
 * After an unclean shutdown: every message file written since the marker
 * (mtime not older than it) must match its index entry's size, else the
 * file and the entry go. The kept ones are synced, then the marker removed.
 * Returns how many messages were dropped.
 */
export function repairUnsynced(dir: string, maildir: string, entries: Map<string, MessageSummary>): number {
  const since = fs.statSync(markerPath(dir)).mtimeMs;
  let dropped = 0;
  const kept: string[] = [];
  for (const sub of ['new', 'cur']) {
    for (const name of fs.readdirSync(path.join(maildir, sub))) {
      const rel = path.join(sub, name);
      const abs = path.join(maildir, rel);
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch {
        continue;
      }
      if (st.mtimeMs < since) continue; // durable before the batch began
      const key = parseName(name).uidlKey;
      if (key === undefined) continue; // not ours
      const id = idForUidl(key);
      const entry = entries.get(id);
      if (entry && entry.size === st.size) {
        kept.push(abs);
        continue;
      }
      fs.rmSync(abs, { force: true });
      if (entry) entries.delete(id);
      dropped++;
    }
  }
  for (const abs of kept) {
    const fd = fs.openSync(abs, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  fsyncFolders(maildir);
  removeMarker(dir);
  return dropped;
}
