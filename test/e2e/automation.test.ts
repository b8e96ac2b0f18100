// Automatic checks, new-mail notifications and failures that must not ask
// for a password, in a real editor (code-server) against a real Dovecot:
// - pop3Mail.checkOnStartup: a check runs by itself after the editor starts
//   (without a stored password it only warns, never prompts);
// - pop3Mail.checkInterval: a check runs again on the interval (1 minute,
//   the smallest the scheduler allows);
// - pop3Mail.notifyNewMail: a background check that brings mail shows a
//   notification (an explicit fetch a status bar message); off, neither;
// - [IN-USE] (Dovecot with pop3_lock_session while the test holds a session)
//   and [SYS/TEMP] (a scripted TLS server, Dovecot never says it) fail
//   without a password prompt, keep the password, and Retry works.
// Screenshots (light and dark) go to test-artifacts/auto-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Pop3Client } from '../../src/pop3/client';
import { testCerts } from '../support/certs';
import { ACTIVITY_BAR_ENTRY, type CodeServer, launchBrowser, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, workAccount } from '../support/code-server';
import { waitUntil } from '../support/wait';
import { answerQuickInput, openPicker, runCommand } from '../support/workbench-input';
import { clearAllNotifications, hideNotificationCenter, showNotificationCenter, statusBarText, toast } from '../support/workbench-notifications';
import { setTheme, setUserSetting } from '../support/workbench-settings';
import { contextMenu, treeRow } from '../support/workbench-tree';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { ScriptedServer, type Step } from '../support/scripted-server';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'auto-Alice-2468';
const TEMP_PASSWORD = 'auto-Carol-1357';
/** One interval (1 minute) plus the time a check and the tree need. */
const INTERVAL_WAIT_MS = 100_000;

let dovecot: Dovecot;
let scripted: ScriptedServer;
let editor: CodeServer;
let browser: Browser;
let page: Page;
let tmp: string;
let delivered = 0;

const QUICK_INPUT = '.quick-input-widget';

/** Delivers one small message to alice; returns its subject. */
function deliver(subject: string): string {
  delivered++;
  const date = new Date(Date.now() - 60_000).toUTCString().replace('GMT', '+0000');
  dovecot.deliver(
    'alice',
    [`From: "Auto Sender" <auto@example.org>`, 'To: alice@example.com', `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <auto-${delivered}@example.org>`, 'Content-Type: text/plain; charset=utf-8', '', `Message ${delivered}.`, ''].join('\r\n'),
    `auto${delivered}`,
  );
  return subject;
}

/** [SYS/TEMP] to PASS, on every connection (Dovecot never says it). */
const SYS_TEMP_SCRIPT: Step[] = [
  { send: '+OK scripted POP3 ready\r\n' },
  { expect: /^CAPA$/ },
  { send: '+OK\r\nUSER\r\nUIDL\r\n.\r\n' },
  { expect: /^USER carol$/ },
  { send: '+OK\r\n' },
  { expect: /^PASS / },
  { send: '-ERR [SYS/TEMP] Storage backend is resting, try again later\r\n' },
  { close: true },
];

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-auto-e2e-'));
  // pop3_lock_session: a second POP3 session of the same user gets -ERR [IN-USE].
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }], extraConfig: 'pop3_lock_session = yes\n' });
  deliver('First of two before the editor starts');
  deliver('Second of two before the editor starts');
  const certs = testCerts();
  scripted = await ScriptedServer.start({ tls: { key: certs.localhost.key, cert: certs.localhost.cert }, script: SYS_TEMP_SCRIPT });
  fs.writeFileSync(path.join(tmp, 'scripted-ca.pem'), certs.ca.cert);
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      'pop3Mail.checkOnStartup': true,
      'pop3Mail.checkInterval': 0,
      'workbench.colorTheme': 'Default Light Modern',
      'pop3Mail.accounts': [workAccount(dovecot)],
    },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await scripted?.close();
  await dovecot?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

screenshotAfterEachTest('auto', () => page);

/** Shows the POP3 Mail side bar (a click on an active entry would hide it). */
async function showInbox(): Promise<void> {
  if (!(await page.locator('.part.sidebar .composite.title', { hasText: /POP3 Mail/i }).isVisible().catch(() => false))) {
    await page.locator(ACTIVITY_BAR_ENTRY).click();
  }
  await page.locator('.part.sidebar .composite.title', { hasText: /POP3 Mail/i }).waitFor();
}

/** Reloads the window: a new extension host, so the extension activates (and its startup check runs) again. */
async function reloadWindow(): Promise<void> {
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
}

/** The text of every notification so far (the center keeps those whose toast is gone). */
async function notificationCenterText(): Promise<string> {
  await showNotificationCenter(page);
  const text = await page.locator('.notifications-center').innerText();
  await hideNotificationCenter(page);
  return text;
}

/**
 * Everything the extension host sent before this call has reached the
 * workbench once a notification it sends now is shown: RPC keeps order.
 * Reveal Mail Folder answers with a notification and changes nothing.
 */
async function barrier(): Promise<void> {
  await runCommand(page, 'POP3 Mail: Reveal Mail Folder');
  await toast(page, /the mail of Work is in/).waitFor();
}

const workRow = (): ReturnType<typeof treeRow> => treeRow(page, /^Work/);

test('checkOnStartup: the startup check runs by itself; without a stored password it warns and never prompts', async () => {
  await openWorkbench(page, editor.url);
  await showInbox();
  const warning = toast(page, /Work has no stored password, so automatic checks skip it/);
  await warning.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'a background check never asks for a password');
  // The empty inbox says why, and not that a fetch failed.
  const welcome = page.locator('.pane-body .welcome-view-content');
  await welcome.filter({ hasText: 'no password is stored for it yet' }).waitFor();
  assert.doesNotMatch(await welcome.innerText(), /failed/);
  await screenshot(page, 'auto-1-startup-no-password-light');
  // Enter Password: an explicit fetch, which asks.
  await warning.locator('.monaco-button', { hasText: 'Enter Password' }).click();
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  await treeRow(page, 'First of two').waitFor({ timeout: 30_000 });
  await treeRow(page, 'Second of two').waitFor();
  // An explicit fetch says what arrived in the status bar, not in a notification.
  assert.match(await statusBarText(page), /POP3 Mail: 2 new messages for Work/);
  await barrier();
  assert.doesNotMatch(await notificationCenterText(), /new message/);
  await clearAllNotifications(page);
});

test('checkOnStartup with a stored password: after a reload the check fetches by itself and notifies; Show Inbox shows it', async () => {
  const subject = deliver('Arrived while the editor was closed');
  await reloadWindow();
  // Another view in front, so that Show Inbox has something to do.
  await runCommand(page, 'View: Show Explorer');
  const note = toast(page, 'POP3 Mail: 1 new message for Work');
  await note.waitFor({ timeout: 45_000 });
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'the stored password was used');
  await screenshot(page, 'auto-2-new-mail-notification-light');
  // The same notification in the dark theme, in the notification center (a toast may time out meanwhile).
  await setTheme(page, 'Dark Modern');
  await showNotificationCenter(page);
  const item = page.locator('.notifications-center .notification-list-item', { hasText: 'POP3 Mail: 1 new message for Work' });
  await item.waitFor();
  await screenshot(page, 'auto-3-new-mail-notification-dark');
  await item.locator('.monaco-button', { hasText: 'Show Inbox' }).click();
  await treeRow(page, subject).waitFor({ timeout: 20_000 });
  assert.match(await workRow().innerText(), /checked/);
  await hideNotificationCenter(page);
  await clearAllNotifications(page);
});

test('checkInterval (1 minute) with notifyNewMail off: a check runs again by itself and brings mail without a notification; an explicit fetch without a status message', async () => {
  await setUserSetting(page, editor, 'pop3Mail.notifyNewMail', false);
  await setUserSetting(page, editor, 'pop3Mail.checkInterval', 1);
  // Nothing fetches now but the interval: the startup check is long done.
  const quiet = deliver('Arrived between two interval checks');
  await treeRow(page, quiet).waitFor({ timeout: INTERVAL_WAIT_MS });
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false);
  await barrier();
  assert.doesNotMatch(await notificationCenterText(), /new message/);
  // Explicit: the status bar message would stay 5 s; it is not there when the mail is.
  const explicit = deliver('Arrived quietly on request');
  await contextMenu(page, workRow(), 'Fetch Mail');
  await treeRow(page, explicit).waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await statusBarText(page), /new message/);
  await clearAllNotifications(page);
});

test('[IN-USE] from Dovecot (another session holds the mailbox): an error row and Retry, no password prompt; Retry works once it is free', async () => {
  await setUserSetting(page, editor, 'pop3Mail.checkInterval', 0);
  const subject = deliver('Waiting behind a locked mailbox');
  // Another client holds alice's mailbox: our own engine, logged in and idle.
  const holder = await Pop3Client.connect({ host: 'localhost', port: dovecot.pop3sPort, security: 'tls', ca: fs.readFileSync(dovecot.caFile) });
  try {
    await holder.authenticate({ user: 'alice', password: PASSWORD }, 'auto');
    await contextMenu(page, workRow(), 'Fetch Mail');
    const error = toast(page, /POP3 Mail: fetching Work failed/);
    await error.waitFor({ timeout: 30_000 });
    const text = await error.innerText();
    assert.match(text, /in use by another session/);
    assert.match(text, /Retry/, 'IN-USE is transient: Retry');
    assert.doesNotMatch(text, /Change Password/);
    // An AuthFailed would have asked before reporting; the prompt stays until answered, so it would be on screen.
    assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'no password prompt for IN-USE');
    await treeRow(page, /^Fetch failed: The mailbox is in use/).waitFor();
    assert.match(dovecot.logText(), /pop3\(alice\).*Couldn't lock POP3 session/, 'Dovecot refused the second session');
    await page.mouse.move(700, 500);
    await screenshot(page, 'auto-4-in-use-error-dark');
    await setTheme(page, 'Light Modern');
    await page.mouse.move(700, 500);
    await screenshot(page, 'auto-5-in-use-error-light');
  } finally {
    await holder.quit().catch(() => undefined);
    holder.close();
  }
  // Free again: Retry in the notification fetches with the kept password.
  await toast(page, /POP3 Mail: fetching Work failed/).locator('.monaco-button', { hasText: 'Retry' }).click();
  await treeRow(page, subject).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false);
  await waitUntil('the error row to go', async () => (await treeRow(page, /^Fetch failed/).count()) === 0);
  await clearAllNotifications(page);
});

test('[SYS/TEMP] (scripted TLS server): no password prompt after the failure, the same password is sent again on Retry', async () => {
  // Added through the wizard: its connection test meets SYS/TEMP too; add anyway (the password is stored).
  await openPicker(page, 'POP3 Mail: Add Account');
  await answerQuickInput(page, '', '(1/9)'); // no e-mail address: no lookup
  await answerQuickInput(page, 'localhost', '(2/9)');
  await answerQuickInput(page, '', '(3/9)');
  await answerQuickInput(page, String(scripted.port), '(4/9)');
  await answerQuickInput(page, 'carol', '(5/9)');
  await answerQuickInput(page, '', '(6/9)'); // login: Password
  await answerQuickInput(page, TEMP_PASSWORD, '(7/9)');
  await answerQuickInput(page, path.join(tmp, 'scripted-ca.pem'), '(8/9)');
  await answerQuickInput(page, '', '(9/9)');
  await waitUntil('the failed connection test', async () => /Connection test failed: The server has a temporary problem/.test(await page.locator(`${QUICK_INPUT} .quick-input-title`).innerText().catch(() => '')), 30_000);
  await answerQuickInput(page, 'Add Anyway', 'What now?');
  await toast(page, 'Account added: carol@localhost').waitFor({ timeout: 20_000 });
  await clearAllNotifications(page);
  const passesBefore = scripted.lines.filter((l) => l.startsWith('PASS ')).length;

  const account = treeRow(page, /^carol@localhost/);
  await account.waitFor();
  await contextMenu(page, account, 'Fetch Mail');
  const error = toast(page, /POP3 Mail: fetching carol@localhost failed/);
  await error.waitFor({ timeout: 30_000 });
  assert.match(await error.innerText(), /temporary problem/);
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'no password prompt for SYS/TEMP');
  await error.locator('.monaco-button', { hasText: 'Retry' }).click();
  await waitUntil('the retry to reach the server', () => scripted.lines.filter((l) => l.startsWith('PASS ')).length === passesBefore + 2, 30_000);
  // The failure is reported again (in the center: its toast may replace the old one's while that one closes).
  await showNotificationCenter(page);
  await page.locator('.notifications-center .notification-list-item', { hasText: /POP3 Mail: fetching carol@localhost failed/ }).waitFor({ timeout: 30_000 });
  await hideNotificationCenter(page);
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'still no prompt');
  // Every PASS carried the password given in the wizard: it was kept, never replaced.
  assert.deepEqual(new Set(scripted.lines.filter((l) => l.startsWith('PASS '))), new Set([`PASS ${TEMP_PASSWORD}`]));
  await treeRow(page, /^Fetch failed: The server has a temporary problem/).waitFor();
  await clearAllNotifications(page);
});
