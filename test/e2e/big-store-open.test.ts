// A big store opened by the installed extension after an unclean stop and
// without its index snapshot (as the first open after an upgrade finds it):
// the extension host leaves the check against the Maildir and the snapshot
// to its worker (dist/snapshot-worker.js, inside the package), and the
// inbox shows what the Maildir holds, another program's change included.
// Without a working worker the store still opens, but no snapshot is written.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MailStore } from '../../src/store/store';
import { accountKey } from '../../src/sync/account';
import { type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshotAfterEachTest, startCodeServer } from '../support/code-server';
import { generateMessage } from '../support/mailgen';
import { waitUntil } from '../support/wait';
import { treeRow } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
/** Enough for an index log over the 1 MiB an open folds on its own thread. */
const COUNT = 3000;
const ACCOUNT = { name: 'Archive', host: 'localhost', port: 995, user: 'archive', security: 'tls' as const };

let tmp: string;
let dir: string;
let editor: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-big-open-e2e-'));
  dir = path.join(tmp, 'accounts', accountKey(ACCOUNT));
  const store = await MailStore.open(dir);
  for (let i = 0; i < COUNT; i++) {
    const w = store.begin(`big-${i}`);
    w.write(generateMessage(9, i, { attachmentBytes: 0, kind: 'plain' }).subarray(0, 1500));
    store.commitUnsynced(w); // a fixture, not a fetch
  }
  store.flush();
  store.close();
  assert.ok(fs.statSync(path.join(dir, 'index.jsonl')).size > 1024 * 1024, 'the log is over the fold-on-open limit');
  // An unclean stop (no stamp), no snapshot, and another program marked one message read by renaming its file.
  for (const f of ['index.snap', 'index.stamp']) fs.rmSync(path.join(dir, f), { force: true });
  const one = fs.readdirSync(path.join(dir, 'Maildir', 'new'))[0]!;
  fs.renameSync(path.join(dir, 'Maildir', 'new', one), path.join(dir, 'Maildir', 'cur', `${one}:2,S`));

  editor = await startCodeServer({
    vsix: VSIX,
    settings: { ...NO_AUTOMATIC_CHECKS, 'pop3Mail.storageFolder': tmp, 'pop3Mail.accounts': [ACCOUNT] },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

screenshotAfterEachTest('big-store-open', () => page);

test('a big store without its stamp or snapshot: the worker checks it and writes the snapshot; the inbox shows the Maildir', async () => {
  await openWorkbench(page, editor.url);
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  const inbox = treeRow(page, /^Inbox/);
  await inbox.waitFor({ timeout: 60_000 });
  let text = '';
  await waitUntil('the inbox row with its unread count', async () => {
    text = await inbox.innerText();
    return /(?<!\d)\d+ unread/.test(text);
  }, 60_000);
  assert.equal(Number(/(?<!\d)(\d+) unread/.exec(text)?.[1]), COUNT - 1, `the file renamed to read counts as read: ${text}`);
  // Only the worker writes a snapshot in the editor: its file says the worker ran inside the installed package.
  await waitUntil('the snapshot the worker writes', () => fs.existsSync(path.join(dir, 'index.snap')), 30_000);
  assert.ok(fs.existsSync(path.join(dir, 'index.stamp')), 'the check wrote the stamp');
});
