// Deleted mail in a real editor (code-server) against a real Dovecot: a
// message deleted here (mail left on the server) moves to the account's
// Deleted folder, Undo in the notification and Restore (inline and in the
// context menu) bring it back to the Inbox with its read state, and a fetch
// does not download it again. An account that deletes mail on the server
// when it is deleted here offers no Restore. Screenshots in light and dark
// theme go to test-artifacts/deleted-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { MailStore } from '../../src/store/store';
import { accountKey, type AccountConfig } from '../../src/sync/account';
import { type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, workAccount } from '../support/code-server';
import { waitUntil } from '../support/wait';
import { answerDialog, answerQuickInput, openPicker } from '../support/workbench-input';
import { clearNotifications, toast } from '../support/workbench-notifications';
import { contextMenu, contextMenuLabels, hoverText, setExpanded, TREE_ROWS, treeRow } from '../support/workbench-tree';
import { freePorts, startDovecot, type Dovecot } from '../support/dovecot';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'e2e-Deleted-4711';
const HOUR = 3600_000;

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;
let storage: string;

function rfc822(subject: string, date: Date, i: number): string {
  return [
    'From: "Dana Sender" <dana@example.org>',
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <deleted-${i}@example.org>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}

// All of them today (newest first: Read one, Unread two, Stays three), so they share the open group.
const now = Date.now();
const today = new Date(Math.max(now - 60_000, new Date(new Date(now).toDateString()).getTime() + 2000));
const SUBJECTS = ['Read one', 'Unread two', 'Stays three'];

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  SUBJECTS.forEach((s, i) => dovecot.deliver('alice', rfc822(s, new Date(today.getTime() - i * 1000), i), `deleted${i}`));
  // A second account whose server is gone and that deletes mail on the server when it is deleted here:
  // its one message was downloaded before (a store built here), so a delete leaves it pending under Deleted.
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-e2e-deleted-'));
  const [closed] = await freePorts(1);
  const strict: AccountConfig = { name: 'Strict', host: '127.0.0.1', port: closed!, user: 'strict', security: 'tls' };
  const store = await MailStore.open(path.join(storage, 'accounts', accountKey(strict)));
  const w = store.begin('strict-1');
  w.write(Buffer.from(rfc822('Strict only one', new Date(today.getTime() - HOUR), 9)));
  store.commitUnsynced(w);
  store.flush();
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      ...NO_AUTOMATIC_CHECKS,
      'pop3Mail.storageFolder': storage,
      'workbench.colorTheme': 'Default Light Modern',
      'pop3Mail.accounts': [
        workAccount(dovecot),
        { ...strict, deleteWhenDeletedLocally: true },
      ],
    },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
  if (storage) fs.rmSync(storage, { recursive: true, force: true });
});

screenshotAfterEachTest('deleted', () => page);

const inboxRow = (): Locator => treeRow(page, /^Inbox/);
const deletedRow = (): Locator => treeRow(page, /^Deleted/);
const unread = async (): Promise<number> => Number(/(?<!\d)(\d+) unread/.exec(await inboxRow().innerText())?.[1] ?? 0);
const isRead = async (subject: string): Promise<boolean> => (await treeRow(page, subject).locator('.codicon-mail-read').count()) === 1;

/** The visible rows' labels in the order shown (the list positions its rows; the DOM order is not the order on screen). */
async function rowsInOrder(): Promise<string[]> {
  const rows = await page.locator(TREE_ROWS).evaluateAll((els) =>
    els.map((el) => ({ index: Number(el.getAttribute('data-index')), label: (el.querySelector('.label-name')?.textContent ?? '').trim() })),
  );
  return rows.sort((a, b) => a.index - b.index).map((r) => r.label);
}

// Deleting and restoring redraw the tree; VS Code may drop a click or a menu choice that lands while it
// does (a row it re-renders, a menu whose row was replaced). Both are repeated, a bounded number of times.

/** A context menu entry; the menu must close, or the choice did not take. */
async function menu(row: () => Locator, label: string): Promise<void> {
  const open = page.locator('.monaco-menu');
  for (let attempt = 0; attempt < 3; attempt++) {
    await contextMenu(page, row(), label);
    const closed = await open
      .first()
      .waitFor({ state: 'hidden', timeout: 3000 })
      .then(() => true, () => false);
    if (closed) return;
    await page.keyboard.press('Escape');
  }
  assert.fail(`the context menu entry ${label} did not take`);
}

/** Opens the Deleted folder (of the one open account). */
async function openDeleted(): Promise<void> {
  await setExpanded(page, /^Deleted/, true);
}

async function deleteMessage(subject: string): Promise<void> {
  await menu(() => treeRow(page, subject), 'Delete...');
  const text = await answerDialog(page, 'Delete', 'Delete');
  assert.match(text, /copy on the server is kept/);
  await waitUntil(`${subject} out of the Inbox`, async () => (await treeRow(page, subject).count()) === 0 || (await deletedRow().getAttribute('aria-expanded')) === 'true');
}

test('a message deleted here moves to Deleted; Undo in the notification brings it back with its read state', async () => {
  await openWorkbench(page, editor.url);
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  await treeRow(page, /^Work/).waitFor({ timeout: 30_000 });
  // Strict stays closed until the last test: one Inbox row on screen, the Work account's.
  await setExpanded(page, /^Strict/, false);
  await menu(() => treeRow(page, /^Work/), 'Fetch Mail');
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  await treeRow(page, 'Stays three').waitFor({ timeout: 60_000 });
  await clearNotifications(page);
  assert.equal(await deletedRow().count(), 0, 'no Deleted folder while nothing is deleted');

  await menu(() => treeRow(page, 'Read one'), 'Mark Read');
  await waitUntil('2 unread', async () => (await unread()) === 2);
  await deleteMessage('Read one');
  await deletedRow().waitFor();
  assert.match(await deletedRow().innerText(), /Deleted\s*1/);
  assert.equal(await unread(), 2, 'a read message leaves the unread count alone');
  const undo = toast(page, /deleted "Read one"/);
  await undo.waitFor();
  await undo.locator('.monaco-button', { hasText: 'Undo' }).click();
  await treeRow(page, 'Read one').waitFor();
  await waitUntil('the Deleted folder gone', async () => (await deletedRow().count()) === 0);
  assert.ok(await isRead('Read one'), 'still read');
  assert.equal(await unread(), 2);
});

test('Deleted lists deleted mail newest first; its rows open, offer Restore (context and inline), not Delete or Mark Read', async () => {
  await deleteMessage('Unread two');
  await waitUntil('1 unread', async () => (await unread()) === 1);
  await deleteMessage('Read one');
  await clearNotifications(page);
  await waitUntil('Deleted 2', async () => /Deleted\s*2/.test(await deletedRow().innerText().catch(() => '')));
  await openDeleted();
  await treeRow(page, 'Unread two').waitFor();
  const rows = await rowsInOrder();
  const at = rows.indexOf('Deleted');
  assert.deepEqual(rows.slice(at, at + 3), ['Deleted', 'Read one', 'Unread two'], `newest first under Deleted: ${JSON.stringify(rows)}`);
  assert.ok(!rows.slice(0, at).includes('Read one') && !rows.slice(0, at).includes('Unread two'), 'not in the Inbox any more');

  const labels = await contextMenuLabels(page, treeRow(page, 'Unread two'));
  for (const l of ['Restore', 'Open', 'Open to the Side', 'Show Source']) assert.ok(labels.includes(l), `${l} in ${JSON.stringify(labels)}`);
  for (const l of ['Delete...', 'Mark Read', 'Mark Unread']) assert.ok(!labels.includes(l), `no ${l} in ${JSON.stringify(labels)}`);
  const tip = await hoverText(page, treeRow(page, 'Unread two'));
  assert.match(tip, /Restore brings it back to the Inbox/);
  await page.mouse.move(700, 400);
  await treeRow(page, 'Unread two').hover();
  await treeRow(page, 'Unread two').locator('.action-label[aria-label="Restore"]').waitFor();
  await screenshot(page, 'deleted-1-folder-light');
});

test('Restore (inline, then from the context menu) puts each back in the Inbox with its read state; a fetch downloads nothing again', async () => {
  const row = treeRow(page, 'Unread two');
  await row.hover();
  await row.locator('.action-label[aria-label="Restore"]').click();
  await waitUntil('2 unread', async () => (await unread()) === 2);
  await waitUntil('Deleted 1', async () => /Deleted\s*1/.test(await deletedRow().innerText().catch(() => '')));
  assert.equal(await treeRow(page, 'Unread two').locator('.codicon-mail').count(), 1, 'unread as it was');

  await menu(() => treeRow(page, 'Read one'), 'Restore');
  await waitUntil('the Deleted folder gone', async () => (await deletedRow().count()) === 0);
  await treeRow(page, 'Read one').waitFor();
  assert.ok(await isRead('Read one'), 'read as it was');
  assert.equal(await unread(), 2);
  assert.deepEqual((await rowsInOrder()).filter((l) => SUBJECTS.includes(l)), SUBJECTS, 'in the Inbox in date order');
  await screenshot(page, 'deleted-2-restored-light');

  await menu(() => treeRow(page, /^Work/), 'Fetch Mail');
  await waitUntil('a successful check', async () => /checked/.test(await treeRow(page, /^Work/).innerText()), 30_000);
  await page.waitForTimeout(1000);
  for (const s of SUBJECTS) assert.equal(await page.locator(TREE_ROWS, { hasText: s }).count(), 1, `${s} once`);
  assert.equal(await unread(), 2);
  await clearNotifications(page);
});

test('an account that deletes mail on the server too: its deleted message offers no Restore, no Undo (dark theme)', async () => {
  await openPicker(page, 'Preferences: Color Theme');
  await answerQuickInput(page, 'Dark Modern');
  await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 20_000 });
  // The Work account again, in dark: one message under Deleted, its inline Restore shown on hover.
  await deleteMessage('Stays three');
  await clearNotifications(page);
  await openDeleted();
  await treeRow(page, 'Stays three').hover();
  await treeRow(page, 'Stays three').locator('.action-label[aria-label="Restore"]').waitFor();
  await screenshot(page, 'deleted-3-folder-dark');
  await menu(() => treeRow(page, 'Stays three'), 'Restore');
  await waitUntil('the Deleted folder gone', async () => (await deletedRow().count()) === 0);

  await setExpanded(page, /^Work/, false);
  await setExpanded(page, /^Strict/, true);
  await menu(() => treeRow(page, 'Strict only one'), 'Delete...');
  const text = await answerDialog(page, 'Delete', 'Delete Here and on Server');
  assert.match(text, /also deleted from the server/);
  // The fetch that would delete it on the server cannot run (no password, no server): it waits under Deleted.
  await openDeleted();
  const row = treeRow(page, 'Strict only one');
  await row.waitFor();
  assert.equal(await toast(page, /deleted "Strict only one"/).count(), 0, 'no Undo');
  const labels = await contextMenuLabels(page, row);
  assert.ok(labels.includes('Open'), JSON.stringify(labels));
  assert.ok(!labels.includes('Restore'), `no Restore in ${JSON.stringify(labels)}`);
  const tip = await hoverText(page, row);
  assert.match(tip, /cannot be restored/);
  await page.mouse.move(700, 400);
  await row.hover();
  assert.equal(await row.locator('.action-label[aria-label="Restore"]').count(), 0, 'no inline Restore');
  await screenshot(page, 'deleted-4-not-restorable-dark');
  await clearNotifications(page);
});
