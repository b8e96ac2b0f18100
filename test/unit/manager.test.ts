import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchResult } from '../../src/sync/fetch';
import { SyncManager } from '../../src/sync/manager';

const result = { downloaded: 1 } as FetchResult;

test('a second fetch for a busy account joins the running one; other accounts run in parallel', async () => {
  const m = new SyncManager<FetchResult>();
  let started = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const start = async (): Promise<FetchResult> => {
    started++;
    await gate;
    return result;
  };
  const a1 = m.run('a', start);
  const a2 = m.run('a', start);
  const b1 = m.run('b', start);
  assert.equal(a1.joined, false);
  assert.equal(a2.joined, true);
  assert.equal(a2.promise, a1.promise);
  assert.equal(b1.joined, false);
  assert.equal(m.size, 2);
  assert.ok(m.isBusy('a'));
  release();
  await Promise.all([a1.promise, b1.promise]);
  assert.equal(started, 2);
  assert.equal(m.isBusy('a'), false);
  assert.equal(m.size, 0);
  assert.equal(m.run('a', start).joined, false, 'after it ends, a new fetch starts');
});

test('a failed fetch frees the account, also when start throws at once', async () => {
  const m = new SyncManager<FetchResult>();
  const r = m.run('a', () => Promise.reject(new Error('boom')));
  await assert.rejects(r.promise, /boom/);
  assert.equal(m.isBusy('a'), false);
  const t = m.run('a', () => {
    throw new Error('sync boom');
  });
  await assert.rejects(t.promise, /sync boom/);
  assert.equal(m.isBusy('a'), false);
});

test('abortAll aborts every running fetch through its own signal and counts them', async () => {
  const m = new SyncManager<string>();
  const signals: AbortSignal[] = [];
  const start = (signal: AbortSignal): Promise<string> =>
    new Promise((resolve) => {
      signals.push(signal);
      signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
  const a = m.run('a', start);
  const b = m.run('b', start);
  await Promise.resolve();
  assert.equal(signals.length, 2);
  assert.notEqual(signals[0], signals[1], 'one signal per account');
  assert.equal(m.abortAll(), 2);
  assert.deepEqual(await Promise.all([a.promise, b.promise]), ['aborted', 'aborted']);
  assert.equal(m.abortAll(), 0, 'nothing left running');
});
