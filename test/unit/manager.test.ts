import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchResult } from '../../src/sync/fetch';
import { SyncManager } from '../../src/sync/manager';

const result = { downloaded: 1 } as FetchResult;

test('a second fetch for a busy account joins the running one; other accounts run in parallel', async () => {
  const m = new SyncManager();
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
  assert.equal(started, 2);
  assert.ok(m.isBusy('a'));
  release();
  await Promise.all([a1.promise, b1.promise]);
  assert.equal(m.isBusy('a'), false);
  assert.equal(m.run('a', start).joined, false, 'after it ends, a new fetch starts');
});

test('a failed fetch frees the account', async () => {
  const m = new SyncManager();
  const r = m.run('a', () => Promise.reject(new Error('boom')));
  await assert.rejects(r.promise, /boom/);
  assert.equal(m.isBusy('a'), false);
});
