// Event-loop delay as the extension host would feel it
// (perf_hooks.monitorEventLoopDelay): while a fetch runs in this process
// through the same API the extension uses (fetchMail into a MailStore), and
// while a 100,000-message store opens and lists its inbox.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { snapshotInWorker } from '../src/store/snapshot-job';
import { MailStore } from '../src/store/store';
import { fetchMail } from '../src/sync/fetch';
import type { Server } from './clients';

export interface LoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How long the measured work took. */
  readonly wallMs: number;
  /** 1-minute load average when it ended (other processes share the cores). */
  readonly load: number;
}

/** Snapshots written in the bundled worker, as the extension's stores write them (build first). */
const snapshotJob = snapshotInWorker(path.join(__dirname, '..', 'dist', 'snapshot-worker.js'));

/** Runs `work` under a 10 ms-resolution delay monitor; the loop gets a last turn so a final block is recorded. */
async function monitored(work: () => Promise<void>): Promise<LoopDelay> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  // A delay is recorded from the second tick of the monitor's timer on: let it run first.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 30));
  h.disable();
  return { p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, wallMs, load: os.loadavg()[0]! };
}

/** A keeping fetch of everything on `server`, in-process, into a fresh store. */
export async function fetchLoopDelay(server: Server): Promise<LoopDelay> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-loop-'));
  try {
    let stored = 0;
    const r = await monitored(async () => {
      const store = await MailStore.open(dir, { snapshotJob });
      const result = await fetchMail({
        account: { name: 'bench', host: 'localhost', port: server.port, user: server.user, security: 'tls', caFile: server.caFile },
        password: server.password,
        store,
      });
      stored = result.downloaded;
      store.close();
      await store.idle();
    });
    if (stored !== server.count) throw new Error(`in-process fetch stored ${stored} of ${server.count}`);
    return r;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Opening the cached 100,000-message store and listing its inbox: with its
 * snapshot, from its log alone ('log': the first open after an upgrade), or
 * without its stamp ('no-stamp': after an unclean stop, every file name
 * checked against the index).
 */
export async function openLoopDelay(dir: string, how: 'snapshot' | 'log' | 'no-stamp'): Promise<LoopDelay> {
  if (how === 'log') fs.rmSync(path.join(dir, 'index.snap'), { force: true });
  if (how === 'no-stamp') fs.rmSync(path.join(dir, 'index.stamp'), { force: true });
  return monitored(async () => {
    const store = await MailStore.open(dir, { snapshotJob });
    if (store.list().length !== 100_000) throw new Error('expected 100000 messages');
    store.close();
    await store.idle();
  });
}
