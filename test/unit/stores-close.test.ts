// Stores tells its listeners (the search workers) before an account's store
// is closed to be deleted or moved, while the folder is still there, and
// waits for the store's snapshot job to end.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runIndexJob } from '../../src/store/open-index';
import type { SnapshotJob } from '../../src/store/snapshot-job';
import { MailStore } from '../../src/store/store';
import { Stores } from '../../src/vscode/common/stores';
import type { AccountConfig } from '../../src/sync/account';

test('onWillClose runs before Remove Account deletes the folder and before a move', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-stores-'));
  try {
    const stores = new Stores(root);
    const account = { name: 'A', host: 'h.example', port: 995, user: 'u', security: 'tls' } as AccountConfig;
    await stores.get(account);
    const seen: { dir: string; existed: boolean }[] = [];
    const sub = stores.onWillClose(async (dir) => {
      await new Promise((r) => setTimeout(r, 10));
      seen.push({ dir, existed: fs.existsSync(dir) });
    });
    const moved = { ...account, port: 1995 } as AccountConfig;
    assert.equal(await stores.move(account, moved), true);
    await stores.deleteLocal(moved);
    assert.deepEqual(seen, [
      { dir: stores.dirFor(account), existed: true },
      { dir: stores.dirFor(moved), existed: true },
    ]);
    assert.equal(fs.existsSync(stores.dirFor(moved)), false);
    sub.dispose();
    await stores.get(account);
    await stores.deleteLocal(account);
    assert.equal(seen.length, 2, 'a disposed listener is not called');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('Remove Account deletes the folder only after a snapshot job writing in it has ended', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-stores-'));
  try {
    let release!: () => void;
    let started = 0;
    const job: SnapshotJob = async (dir, kind) => {
      started++;
      await new Promise<void>((resolve) => (release = resolve));
      return runIndexJob(dir, kind);
    };
    const stores = new Stores(root, job);
    const account = { name: 'A', host: 'h.example', port: 995, user: 'u', security: 'tls' } as AccountConfig;
    const seed = await MailStore.open(stores.dirFor(account));
    for (let i = 0; i < 600; i++) {
      const w = seed.begin(`u${i}`);
      w.write(Buffer.from(`Subject: ${i}\r\n\r\nbody\r\n`));
      seed.commitUnsynced(w);
    }
    seed.flush();
    seed.close();
    fs.rmSync(path.join(stores.dirFor(account), 'index.snap')); // so that the open finds a snapshot due
    await stores.get(account);
    assert.equal(started, 1, 'the open handed the due snapshot to the job');
    let deleted = false;
    const deleting = stores.deleteLocal(account).then(() => (deleted = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(deleted, false, 'the delete waits for the job');
    assert.ok(fs.existsSync(stores.dirFor(account)));
    release();
    await deleting;
    assert.equal(fs.existsSync(stores.dirFor(account)), false, 'and then removes the folder, the snapshot included');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
