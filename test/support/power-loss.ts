// A power loss, simulated in-process: a layer over node:fs records what an
// fsync made durable (a file's size when its data was synced, a folder's
// entries when the folder was synced), can "cut the power" (every later
// write, rename or removal fails with EIO, as if the machine were gone), and
// then throws away on disk everything that was not durable at the cut.
//
// unlinkSync is left alone: node's rimraf (behind rmSync) keeps the function
// it finds when first loaded, so a patched one would outlive uninstall.
//
// Simplifications: a name removed or renamed away is not brought back (the
// store only renames tmp/ -> new/ and temp files over their target, where the
// old name is worthless), and a file's lost data is cut from its end (what
// ext4 and XFS leave after delayed allocation: a short or empty file).

import { spawnSync } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { filesystemSync } from '../../src/store/syncfs';

// The module object itself: an `import * as` namespace is a read-only view of it.
const fs = createRequire(__filename)('node:fs') as typeof import('node:fs');

export interface PowerLossOptions {
  /** Folder names survive even when not synced (ext4's journal often commits them): only unsynced data is lost. */
  readonly keepNames?: boolean;
  /** The index log's appends survive (written back before the messages' data). */
  readonly keepIndex?: boolean;
}

type Fs = typeof import('node:fs');

/** A pid no process has now: one that just exited. */
export function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/**
 * Makes the store's "unsynced" marker name a process that is gone, as it is
 * after a crash or power loss. (In-process simulations leave our own, live
 * pid in it, which the store rightly takes for a batch still running.)
 */
export function markWriterGone(storeDir: string): void {
  const marker = path.join(storeDir, 'unsynced');
  if (!fs.existsSync(marker)) return;
  const { atime, mtime } = fs.statSync(marker);
  const lines = fs.readFileSync(marker, 'utf8').split('\n');
  lines[0] = String(deadPid());
  fs.writeFileSync(marker, lines.join('\n'));
  // Its time says where the batch began; a second earlier allows for utimes rounding it up.
  fs.utimesSync(marker, atime, new Date(mtime.getTime() - 1000));
}
type Patched = Pick<Fs, 'openSync' | 'open' | 'fsyncSync' | 'fsync' | 'writeSync' | 'writev' | 'writeFileSync' | 'appendFileSync' | 'renameSync' | 'rmSync' | 'mkdirSync'>;

const eio = (): NodeJS.ErrnoException => Object.assign(new Error('EIO: the power is off (simulated)'), { code: 'EIO' });

export class PowerLoss {
  /** Data size at the last fsync, by inode. */
  private readonly syncedSize = new Map<bigint, number>();
  /** Entries at the last fsync, by folder. */
  private readonly syncedEntries = new Map<string, Set<string>>();
  private readonly fdPaths = new Map<number, string>();
  private readonly saved: Partial<Patched> = {};
  private off = false;
  private savedSyncfs: typeof filesystemSync.run | undefined;
  /** fsyncs that completed since install (a syncfs counts as one). */
  fsyncs = 0;
  /** syncfs calls since install. */
  syncfsCalls = 0;
  /** Called after each completed fsync (a test cuts the power at the nth). */
  onFsync: ((count: number) => void) | undefined;

  /** Everything under `root` as it is now counts as durable. */
  constructor(private readonly root: string) {
    this.snapshotDurable(root);
  }

  private snapshotDurable(dir: string): void {
    const names = fs.readdirSync(dir);
    this.syncedEntries.set(dir, new Set(names));
    for (const name of names) {
      const abs = path.join(dir, name);
      const st = fs.statSync(abs, { bigint: true });
      if (st.isDirectory()) this.snapshotDurable(abs);
      else this.syncedSize.set(st.ino, Number(st.size));
    }
  }

  get powerOff(): boolean {
    return this.off;
  }

  /** From now on nothing reaches the disk. */
  cut(): void {
    this.off = true;
  }

  private inside(p: string): boolean {
    const rel = path.relative(this.root, path.resolve(p));
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  private recordSync(fd: number): void {
    if (this.off) return; // too late: the machine is gone
    const st = fs.fstatSync(fd, { bigint: true });
    const p = this.fdPaths.get(fd);
    if (st.isDirectory()) {
      if (p !== undefined) this.syncedEntries.set(p, new Set(fs.readdirSync(p)));
    } else {
      this.syncedSize.set(st.ino, Number(st.size));
    }
    this.fsyncs++;
    this.onFsync?.(this.fsyncs);
  }

  install(): void {
    const real = fs as unknown as Record<string, unknown>;
    const keys: (keyof Patched)[] = ['openSync', 'open', 'fsyncSync', 'fsync', 'writeSync', 'writev', 'writeFileSync', 'appendFileSync', 'renameSync', 'rmSync', 'mkdirSync'];
    for (const k of keys) (this.saved as Record<string, unknown>)[k] = real[k];
    const s = this.saved as Patched;
    const guard = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
      if (this.off) throw eio();
      return f(...a);
    };
    real['openSync'] = (p: import('node:fs').PathLike, flags?: import('node:fs').OpenMode, mode?: import('node:fs').Mode): number => {
      if (this.off && flags !== undefined && flags !== 'r') throw eio();
      const fd = s.openSync(p, flags ?? 'r', mode);
      if (typeof p === 'string' && this.inside(p)) this.fdPaths.set(fd, path.resolve(p));
      return fd;
    };
    real['open'] = (p: import('node:fs').PathLike, flags: import('node:fs').OpenMode, ...rest: unknown[]): void => {
      const cb = rest.pop() as (err: NodeJS.ErrnoException | null, fd: number) => void;
      if (this.off && flags !== 'r') return void process.nextTick(cb, eio(), -1);
      (s.open as (...a: unknown[]) => void)(p, flags, ...rest, (err: NodeJS.ErrnoException | null, fd: number) => {
        if (!err && typeof p === 'string' && this.inside(p)) this.fdPaths.set(fd, path.resolve(p));
        cb(err, fd);
      });
    };
    real['fsyncSync'] = (fd: number): void => {
      if (this.off) throw eio();
      s.fsyncSync(fd);
      this.recordSync(fd);
    };
    real['fsync'] = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void => {
      if (this.off) return void process.nextTick(cb, eio());
      s.fsync(fd, (err) => {
        if (!err) this.recordSync(fd);
        cb(err);
      });
    };
    real['writev'] = (fd: number, bufs: NodeJS.ArrayBufferView[], ...rest: unknown[]): void => {
      const cb = rest.pop() as (err: NodeJS.ErrnoException | null, n: number) => void;
      if (this.off) return void process.nextTick(cb, eio(), 0);
      (s.writev as (...a: unknown[]) => void)(fd, bufs, ...rest, cb);
    };
    // A syncfs makes everything on the filesystem durable, the store included.
    this.savedSyncfs = filesystemSync.run;
    filesystemSync.run = async (): Promise<boolean> => {
      if (this.off) throw eio();
      this.snapshotDurable(this.root);
      this.syncfsCalls++;
      this.fsyncs++;
      this.onFsync?.(this.fsyncs);
      return true;
    };
    for (const k of ['writeSync', 'writeFileSync', 'appendFileSync', 'renameSync', 'rmSync', 'mkdirSync'] as const) {
      real[k] = guard(s[k] as (...a: unknown[]) => unknown);
    }
    syncBuiltinESMExports();
  }

  uninstall(): void {
    if (this.savedSyncfs) filesystemSync.run = this.savedSyncfs;
    Object.assign(fs, this.saved);
    syncBuiltinESMExports();
  }

  /** Files in `dir` whose data a power loss now would cut. */
  unsyncedFiles(dir: string): string[] {
    return fs.readdirSync(dir).filter((name) => {
      const st = fs.statSync(path.join(dir, name), { bigint: true });
      return st.isFile() && (this.syncedSize.get(st.ino) ?? 0) < Number(st.size);
    });
  }

  /**
   * The power comes back: what was not durable at the cut is gone. Returns
   * what was thrown away, for the test's message.
   */
  applyLoss(options: PowerLossOptions = {}): { removed: string[]; cut: string[] } {
    const removed: string[] = [];
    const cut: string[] = [];
    const walk = (dir: string): void => {
      const durable = this.syncedEntries.get(dir);
      for (const name of fs.readdirSync(dir)) {
        const abs = path.join(dir, name);
        if (!options.keepNames && durable !== undefined && !durable.has(name)) {
          fs.rmSync(abs, { recursive: true, force: true });
          removed.push(path.relative(this.root, abs));
          continue;
        }
        const st = fs.statSync(abs, { bigint: true });
        if (st.isDirectory()) {
          walk(abs);
          continue;
        }
        if (options.keepIndex && name === 'index.jsonl') continue;
        const keep = this.syncedSize.get(st.ino) ?? 0;
        if (Number(st.size) > keep) {
          fs.truncateSync(abs, keep);
          cut.push(`${path.relative(this.root, abs)} ${st.size} -> ${keep}`);
        }
      }
    };
    walk(this.root);
    return { removed, cut };
  }
}
