// Writing a store's index snapshot off the calling thread. A snapshot is a
// cache of the log (snapshot.ts), so a worker can write it from the files
// alone, with nothing of the store's memory: the store only starts the job
// and, when it opens, waits for one instead of folding a long log or
// checking 100,000 file names itself. No editor import: the extension
// passes the bundled worker's path.

import { Worker } from 'node:worker_threads';

export interface SnapshotJobData {
  /** The store's folder. */
  readonly dir: string;
  /** open-index.ts, runIndexJob. */
  readonly kind: 'open' | 'snapshot';
}

export interface SnapshotJobResult {
  /** Lines of the log the snapshot holds; undefined when none was written. */
  readonly lines: number | undefined;
}

/** Runs runIndexJob(dir, kind) (open-index.ts); resolves with the lines of the snapshot it wrote, or undefined when it wrote none. Never rejects. */
export type SnapshotJob = (dir: string, kind: 'open' | 'snapshot') => Promise<number | undefined>;

/** A job run in a worker_threads worker started from `workerFile` (dist/snapshot-worker.js), one per snapshot. */
export function snapshotInWorker(workerFile: string): SnapshotJob {
  return (dir, kind) =>
    new Promise((resolve) => {
      let lines: number | undefined;
      let worker: Worker;
      try {
        // Not the host's flags (a debugger port, a TS loader in tests): the worker is plain bundled JS.
        worker = new Worker(workerFile, { workerData: { dir, kind } satisfies SnapshotJobData, execArgv: [] });
      } catch {
        resolve(undefined);
        return;
      }
      worker.on('message', (r: SnapshotJobResult) => (lines = r.lines));
      worker.on('error', () => undefined); // 'exit' follows and resolves
      worker.on('exit', () => resolve(lines));
    });
}
