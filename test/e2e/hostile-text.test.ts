// A subject built to fool the editor's surfaces, in a real editor
// (code-server) against a real Dovecot: `[x](command:…)` would be a link
// that runs a command in a notification, `$(alert)` an icon in a quick pick,
// RTLO would reorder the row. Deleted, the message's notification shows the
// text with no link; the delete dialog, the tree row and Go to Message show
// it as typed. Screenshots go to test-artifacts/hostile-text-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, workAccount } from '../support/code-server';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { waitUntil } from '../support/wait';
import { answerDialog, answerQuickInput, openPicker } from '../support/workbench-input';
import { clearNotifications, toast } from '../support/workbench-notifications';
import { contextMenu, treeRow } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'e2e-Hostile-4711';
const SUBJECT = 'Invoice [x](command:workbench.action.terminal.new) $(alert) \u202Egpj.exe';
/** What every surface shows: the bidi control gone, the rest as typed. */
const SHOWN = 'Invoice [x](command:workbench.action.terminal.new) $(alert) gpj.exe';

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  const mail = [
    'From: "Billing" <billing@example.org>',
    'To: alice@example.com',
    `Subject: =?utf-8?b?${Buffer.from(SUBJECT, 'utf8').toString('base64')}?=`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'Message-ID: <hostile-text-1@example.org>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Pay now.',
    '',
  ].join('\r\n');
  dovecot.deliver('alice', mail, 'hostile-text-1');
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      ...NO_AUTOMATIC_CHECKS,
      'workbench.colorTheme': 'Default Light Modern',
      'pop3Mail.accounts': [workAccount(dovecot)],
    },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
});

screenshotAfterEachTest('hostile-text', () => page);

test('a subject with a command link, an icon and RTLO: plain text in the tree, Go to Message, the dialog and the notification', async () => {
  await openWorkbench(page, editor.url);
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  // Nothing fetched yet: the view's welcome content offers the first fetch.
  await page.locator('.welcome-view-content .monaco-button', { hasText: 'Fetch Mail' }).first().click({ timeout: 30_000 });
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  const row = treeRow(page, 'gpj.exe');
  await row.waitFor({ timeout: 60_000 });
  await clearNotifications(page);
  assert.equal((await row.locator('.label-name').innerText()).trim(), SHOWN, 'the tree label: bidi control gone, the rest as typed');

  // Go to Message: `$(alert)` in a quick pick label would be an icon.
  await openPicker(page, 'POP3 Mail: Go to Message...');
  const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'gpj.exe' }).first();
  await pick.waitFor();
  assert.equal(await pick.locator('.codicon-alert').count(), 0, 'no alert icon drawn from the subject');
  assert.match(await pick.innerText(), /\$\(alert\)/, 'the subject reads as typed');
  await screenshot(page, 'hostile-text-1-go-to-message');
  await page.keyboard.press('Escape');

  await contextMenu(page, row, 'Delete...');
  const question = await answerDialog(page, 'Delete', 'Delete');
  assert.ok(question.includes(`Delete "${SHOWN}"?`), `the dialog shows the subject as typed: ${question}`);

  const done = toast(page, /deleted "/);
  await done.waitFor();
  await page.waitForTimeout(600); // the toast fades in
  await screenshot(page, 'hostile-text-2-deleted-notification');
  const message = done.locator('.notification-list-item-message');
  assert.equal(await message.locator('a').count(), 0, 'no link in the notification');
  assert.equal(await message.locator('.codicon').count(), 0, 'no icon in the notification');
  const text = await message.innerText();
  assert.ok(text.includes('[x] (command:workbench.action.terminal.new) $(alert) gpj.exe'), `the subject as text: ${text}`);
  assert.ok(!text.includes('\u202E'));
  // Nothing ran: no terminal was opened.
  await page.waitForTimeout(500);
  assert.equal(await page.locator('.terminal-outer-container, .integrated-terminal').count(), 0);
  await waitUntil('the row out of the Inbox', async () => (await treeRow(page, /^Deleted/).count()) === 1);
});
