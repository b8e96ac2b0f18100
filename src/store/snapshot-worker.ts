// The snapshot worker (bundled as dist/snapshot-worker.js): writes one
// store's index snapshot from its log and exits. The extension host starts
// one instead of writing the snapshot itself, which reads and encodes the
// whole index, seconds for a store of 100,000 (snapshot-job.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { snapshotOfLog } from './snapshot';
import type { SnapshotJobData, SnapshotJobResult } from './snapshot-job';

const { snapFile, indexFile } = workerData as SnapshotJobData;
let result: SnapshotJobResult;
try {
  result = { lines: snapshotOfLog(snapFile, indexFile) };
} catch (err) {
  // A full disk or a store removed meanwhile: the store goes on without a new snapshot.
  result = { lines: undefined, error: err instanceof Error ? err.message : String(err) };
}
parentPort?.postMessage(result);
