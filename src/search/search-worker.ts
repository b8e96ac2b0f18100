// The search worker: one account's index, built and queried off the
// extension host's main thread (bundled as dist/search-worker.js). Requests
// are handled in order; a long (re)build goes in slices so that a query
// typed meanwhile is answered from what is indexed so far. Saves a moment
// after the last change, and when asked to flush.

import { parentPort, workerData } from 'node:worker_threads';
import { AccountIndex, type IndexEntry } from './account-index';
import type { SearchRequest, SearchResponse, SearchWorkerData } from './search-protocol';

/** Messages indexed between two yields to the queue during a sync. */
const SLICE = 250;
/** Quiet time before the index is saved. */
const SAVE_AFTER_MS = 2000;

const port = parentPort;
const { dir } = workerData as SearchWorkerData;

let index: AccountIndex | undefined;
let saveTimer: NodeJS.Timeout | undefined;
const queue: SearchRequest[] = [];
let running = false;

function post(response: SearchResponse): void {
  port?.postMessage(response);
}

function scheduleSave(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(save, SAVE_AFTER_MS);
}

function save(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = undefined;
  try {
    index?.save();
  } catch {
    // A full disk costs a rebuild next time, nothing else.
  }
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function sync(ai: AccountIndex, entries: readonly IndexEntry[]): Promise<{ added: number; removed: number }> {
  let added = 0;
  let removed = 0;
  const wanted = new Set(entries.map((e) => e.id));
  for (let i = 0; i < entries.length; i += SLICE) {
    const r = ai.sync(entries.slice(i, i + SLICE), undefined, Infinity, false);
    added += r.added;
    if (i + SLICE < entries.length) {
      await yieldNow();
      await drainQueries();
    }
  }
  for (const id of [...ai.ids()]) {
    if (!wanted.has(id)) {
      ai.remove(id);
      removed++;
    }
  }
  return { added, removed };
}

/** Answers the queries waiting in the queue (from inside a long sync). */
async function drainQueries(): Promise<void> {
  for (let i = 0; i < queue.length; ) {
    const r = queue[i]!;
    if (r.type === 'query') {
      queue.splice(i, 1);
      await handle(r);
    } else i++;
  }
}

async function handle(r: SearchRequest): Promise<void> {
  const ai = (index ??= AccountIndex.open(dir));
  switch (r.type) {
    case 'sync': {
      const { added, removed } = await sync(ai, r.entries);
      post({ type: 'synced', size: ai.size, damaged: ai.damaged, added, removed });
      if (ai.changed) scheduleSave();
      return;
    }
    case 'add':
      r.entries.forEach((e, i) => {
        const start = r.spans?.[2 * i] ?? -1;
        ai.add(e, r.bytes && start !== -1 ? Buffer.from(r.bytes.buffer, r.bytes.byteOffset + start, r.spans![2 * i + 1]! - start) : undefined);
      });
      scheduleSave();
      return;
    case 'flags':
      for (const e of r.entries) ai.setFlags(e);
      if (ai.changed) scheduleSave();
      return;
    case 'remove':
      for (const id of r.ids) ai.remove(id);
      if (ai.changed) scheduleSave();
      return;
    case 'query':
      try {
        post({ type: 'result', seq: r.seq, result: ai.search(r.text, r.limit, { lastWordPrefix: r.lastWordPrefix }) });
      } catch (error) {
        post({ type: 'error', seq: r.seq, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    case 'flush':
      save();
      post({ type: 'flushed', seq: r.seq });
      return;
  }
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length > 0) await handle(queue.shift()!);
  } finally {
    running = false;
  }
}

port?.on('message', (request: SearchRequest) => {
  queue.push(request);
  void pump();
});
