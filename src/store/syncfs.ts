// One syncfs(2) for a whole batch of files. Node has no binding for it, so
// it runs coreutils' `sync -f DIR`: a few milliseconds to start, then one
// write-back and one journal commit for every file and folder of the
// filesystem, where an fsync per file pays a commit (and a device flush)
// each. Measured on ext4 here: 5,000 files of 4 KB in 60-80 ms against
// 620-710 ms for 5,000 fsyncs on the thread pool. Linux only; elsewhere,
// or if `sync` is missing or fails, the caller fsyncs each file.

import { execFile } from 'node:child_process';

/** An object, not a bare function, so that the power-loss simulation (test/support) can stand in for it. */
export const filesystemSync = {
  /** A batch this big or bigger goes through syncfs; a smaller one costs less as fsyncs than starting `sync`. */
  minFiles: 64,

  /**
   * Bytes of a batch stored between two syncs started ahead of its end
   * (UnsyncedBatch.add). The full bench profile (5,000 messages, 573 MB), 3
   * alternating rounds: a keeping fetch took 6.20-6.31 s without them,
   * 5.64-5.91 s with one every 32 MB and 5.68-5.86 s every 96 MB. The same
   * for a deleting fetch (every message made durable before DELE by one
   * syncfs instead of an fsync each) was slower: 2.66 against 2.34 s for
   * 1,000, so a deleting fetch keeps its fsyncs.
   */
  writeAheadBytes: 32 * 1024 * 1024,

  /** syncfs of the filesystem that holds `dir`; false when it could not be done (the caller then fsyncs each file). */
  run(dir: string): Promise<boolean> {
    if (process.platform !== 'linux') return Promise.resolve(false);
    return new Promise((resolve) => {
      execFile('sync', ['-f', dir], { timeout: 120_000, windowsHide: true }, (err) => resolve(!err));
    });
  },
};
