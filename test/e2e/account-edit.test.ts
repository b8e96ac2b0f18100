// Edit Account as its own flow, in a real editor (code-server) against a
// real Dovecot: the wizard opens with the account's values, changes its
// display name and moves it from POP3S to STARTTLS on the other port; the
// pop3Mail.accounts entry is rewritten in place, the tree shows the new
// name, the local mail (with its read flags) stays, and the next fetch uses
// the kept password (no prompt) and downloads only what is new. Escape in
// the wizard changes nothing. Screenshots (light and dark) of the steps go
// to test-artifacts/edit-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ACTIVITY_BAR_ENTRY, type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, workAccount } from '../support/code-server';
import { waitUntil } from '../support/wait';
import { answerQuickInput } from '../support/workbench-input';
import { clearAllNotifications, toast } from '../support/workbench-notifications';
import { readSettings, setTheme } from '../support/workbench-settings';
import { contextMenu, treeLabels, treeRow } from '../support/workbench-tree';
import { startDovecot, type Dovecot } from '../support/dovecot';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'edit-Alice-9753';
const QUICK_INPUT = '.quick-input-widget';
const BOX = `${QUICK_INPUT} .quick-input-box input`;
const TITLE = `${QUICK_INPUT} .quick-input-title`;
/** The placeholder of the wizard's options page (9/9). */
const OPTIONS_PAGE = 'Press Enter to test the connection and save';

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;
let delivered = 0;

function deliver(subject: string): string {
  delivered++;
  const date = new Date(Date.now() - 60_000 * (10 - delivered)).toUTCString().replace('GMT', '+0000');
  dovecot.deliver(
    'alice',
    [`From: "Edit Sender" <edit@example.org>`, 'To: alice@example.com', `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <edit-${delivered}@example.org>`, 'Content-Type: text/plain; charset=utf-8', '', `Message ${delivered}.`, ''].join('\r\n'),
    `edit${delivered}`,
  );
  return subject;
}

const OLD = ['Kept across the edit, read', 'Kept across the edit, unread one', 'Kept across the edit, unread two'];

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  // The local port in each login line: the test checks which listener the edited account used.
  dovecot = await startDovecot({
    users: [{ user: 'alice', password: PASSWORD }],
    extraConfig: 'login_log_format_elements = user=<%u> method=%m rip=%r lip=%l lport=%{lport} mpid=%e %c session=<%{session}>\n',
  });
  OLD.forEach(deliver);
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

screenshotAfterEachTest('edit', () => page);

const accounts = (): Record<string, unknown>[] => readSettings(editor)['pop3Mail.accounts'] as Record<string, unknown>[];

/** Waits for wizard step `n` and returns the value it was opened with. */
async function stepValue(n: number): Promise<string> {
  await waitUntil(`step ${n}/9`, async () => (await page.locator(TITLE).innerText().catch(() => '')).includes(`(${n}/9)`) && (await page.locator(BOX).isVisible()));
  return page.locator(BOX).inputValue();
}

test('a fetched account with one message read', async () => {
  await openWorkbench(page, editor.url);
  await page.locator(ACTIVITY_BAR_ENTRY).click();
  await page.locator('.pane-body .monaco-text-button', { hasText: 'Fetch Mail' }).click();
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  for (const s of OLD) await treeRow(page, s).waitFor({ timeout: 30_000 });
  await contextMenu(page, treeRow(page, OLD[0]!), 'Mark Read');
  await waitUntil('2 unread', async () => /2 unread/.test(await treeRow(page, /^Inbox/).innerText()));
  await clearAllNotifications(page);
});

test('Edit Account: new display name, STARTTLS on the other port; the entry is rewritten, the tree renamed, local mail and read flags kept', async () => {
  await contextMenu(page, treeRow(page, /^Work/), 'Edit Account...');
  await answerQuickInput(page, '', '(1/9)'); // no e-mail address: no lookup
  assert.equal(await stepValue(2), 'localhost', 'the wizard opens with the account\'s host');
  assert.match(await page.locator(TITLE).innerText(), /Edit POP3 Account \(2\/9\)/);
  await screenshot(page, 'edit-1-host-light');
  await answerQuickInput(page, 'localhost', '(2/9)');
  await answerQuickInput(page, 'STARTTLS', '(3/9)');
  // A port that is not the usual one stays as it was when the security changes.
  assert.equal(await stepValue(4), String(dovecot.pop3sPort));
  await answerQuickInput(page, String(dovecot.pop3Port), '(4/9)');
  assert.equal(await stepValue(5), 'alice');
  await answerQuickInput(page, 'alice', '(5/9)');
  await answerQuickInput(page, '', '(6/9)'); // login: Password
  await answerQuickInput(page, '', 'Leave empty to keep the stored one');
  assert.equal(await stepValue(8), dovecot.caFile);
  await answerQuickInput(page, dovecot.caFile, '(8/9)');
  await answerQuickInput(page, 'Display name', OPTIONS_PAGE);
  await answerQuickInput(page, 'Office', 'Display name');
  await waitUntil('the options page with the new name', async () => /Display name\s*Office/.test(await page.locator(`${QUICK_INPUT} .quick-input-list`).innerText().catch(() => '')));
  await screenshot(page, 'edit-2-options-light');
  await answerQuickInput(page, '', OPTIONS_PAGE);
  // The connection test (STARTTLS, the stored password) passes: saved without asking anything else.
  await toast(page, 'Account saved: Office').waitFor({ timeout: 30_000 });
  assert.deepEqual(accounts(), [{ name: 'Office', host: 'localhost', port: dovecot.pop3Port, user: 'alice', security: 'starttls', caFile: dovecot.caFile }]);
  await treeRow(page, /^Office/).waitFor();
  const labels = await treeLabels(page);
  assert.ok(!labels.includes('Work'), `the old name is gone: ${JSON.stringify(labels)}`);
  // The local mail is still there before any fetch, with its flags.
  for (const s of OLD) await treeRow(page, s).waitFor({ timeout: 20_000 });
  assert.equal(await treeRow(page, OLD[0]!).locator('.codicon-mail-read').count(), 1, 'the read message is still read');
  assert.match(await treeRow(page, /^Inbox/).innerText(), /2 unread/);
  // The time of the last check moved along with the mail.
  assert.match(await treeRow(page, /^Office/).innerText(), /checked/);
  await clearAllNotifications(page);
  await screenshot(page, 'edit-3-renamed-light');
});

test('the next fetch of the edited account: no password prompt, only the new message comes (no duplicates)', async () => {
  const fresh = deliver('New after the edit');
  await contextMenu(page, treeRow(page, /^Office/), 'Fetch Mail');
  await treeRow(page, fresh).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(QUICK_INPUT).isVisible(), false, 'the password was kept');
  await waitUntil('a successful check', async () => /checked/.test(await treeRow(page, /^Office/).innerText()));
  const labels = await treeLabels(page);
  for (const s of [...OLD, fresh]) assert.equal(labels.filter((l) => l === s).length, 1, `${s} once: ${JSON.stringify(labels)}`);
  assert.match(await treeRow(page, /^Inbox/).innerText(), /3 unread/);
  // It went over STARTTLS on the plain port: Dovecot's third login (fetch, wizard test, fetch) is a TLS login there.
  const logins = (): string[] => dovecot.logText().split('\n').filter((l) => /pop3-login: Info: Login: user=<alice>/.test(l));
  await waitUntil('the third login in the Dovecot log', () => logins().length === 3);
  assert.match(logins()[0]!, new RegExp(`lport=${dovecot.pop3sPort},.* TLS,`), 'the first fetch: POP3S');
  for (const line of logins().slice(1)) assert.match(line, new RegExp(`lport=${dovecot.pop3Port},.* TLS,`), 'after the edit: STARTTLS on the plain port');
  await clearAllNotifications(page);
});

test('dark theme: the wizard steps; Escape changes nothing', async () => {
  const before = accounts();
  await setTheme(page, 'Dark Modern');
  await contextMenu(page, treeRow(page, /^Office/), 'Edit Account...');
  await answerQuickInput(page, '', '(1/9)'); // no e-mail address: no lookup
  assert.equal(await stepValue(2), 'localhost');
  await screenshot(page, 'edit-4-host-dark');
  await answerQuickInput(page, 'localhost', '(2/9)');
  await answerQuickInput(page, 'STARTTLS', '(3/9)');
  assert.equal(await stepValue(4), String(dovecot.pop3Port));
  await answerQuickInput(page, String(dovecot.pop3Port), '(4/9)');
  await answerQuickInput(page, 'alice', '(5/9)');
  await answerQuickInput(page, '', '(6/9)'); // login: Password
  await answerQuickInput(page, '', 'Leave empty to keep the stored one');
  await answerQuickInput(page, dovecot.caFile, '(8/9)');
  await waitUntil('the options page', async () => (await page.locator(BOX).getAttribute('placeholder'))?.startsWith(OPTIONS_PAGE) === true);
  await screenshot(page, 'edit-5-options-dark');
  await page.keyboard.press('Escape');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
  assert.deepEqual(accounts(), before);
  assert.equal(await toast(page, 'Account saved').count(), 0);
});
