// Writing a store's index snapshot off the calling thread. A snapshot is a
// cache of the log (snapshot.ts), so a worker can write it from the log
// alone, with nothing of the store's memory: the store only starts the job
// and, when it opens, waits for one instead of folding a long log itself.
// No editor import: the extension passes the bundled worker's path.

import { Worker } from 'node:worker_threads';

export interface SnapshotJobData {
  readonly snapFile: string;
  readonly indexFile: string;
}

export interface SnapshotJobResult {
  /** Lines of the log the snapshot holds; undefined when none was written. */
  readonly lines: number | undefined;
  readonly error?: string;
}

/** Writes the snapshot of `indexFile` into `snapFile`; resolves with the lines it holds, or undefined when it wrote none. Never rejects. */
export type SnapshotJob = (snapFile: string, indexFile: string) => Promise<number | undefined>;

/** A job run in a worker_threads worker started from `workerFile` (dist/snapshot-worker.js), one per snapshot. */
export function snapshotInWorker(workerFile: string): SnapshotJob {
  return (snapFile, indexFile) =>
    new Promise((resolve) => {
      let lines: number | undefined;
      let worker: Worker;
      try {
        // Not the host's flags (a debugger port, a TS loader in tests): the worker is plain bundled JS.
        worker = new Worker(workerFile, { workerData: { snapFile, indexFile } satisfies SnapshotJobData, execArgv: [] });
      } catch {
        resolve(undefined);
        return;
      }
      worker.on('message', (r: SnapshotJobResult) => (lines = r.lines));
      worker.on('error', () => undefined); // 'exit' follows and resolves
      worker.on('exit', () => resolve(lines));
    });
}
