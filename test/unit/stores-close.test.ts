// Stores tells its listeners (the search workers) before an account's store
// is closed to be deleted or moved, while the folder is still there.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
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
