// The snapshot worker (bundled as dist/snapshot-worker.js): one job for
// one store (open-index.ts, runIndexJob), then it exits. The extension host
// starts one instead of writing the snapshot itself, or checking a big
// store against its Maildir when it opens: seconds for a store of 100,000
// (snapshot-job.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { runIndexJob } from './open-index';
import type { SnapshotJobData, SnapshotJobResult } from './snapshot-job';

const { dir, kind } = workerData as SnapshotJobData;
let result: SnapshotJobResult;
try {
  result = { lines: runIndexJob(dir, kind) };
} catch {
  // A full disk or a store removed meanwhile: the store goes on without a new snapshot, and an open does the work itself.
  result = { lines: undefined };
}
parentPort?.postMessage(result);
