// Restricted Mode in a real editor (code-server) against a real Dovecot: a
// folder the user chose not to trust. The inbox is there, fetching and the
// message view work; `src/app.ts:3` in a plain-text mail is no link and the
// view says why; once the folder is trusted the same view offers the link,
// and it opens the file. Screenshots go to test-artifacts/restricted-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { ACTIVITY_BAR_ENTRY, type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, WEBVIEW_LOAD_TIMEOUT_MS, workAccount } from '../support/code-server';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { waitUntil } from '../support/wait';
import { findFrameWith } from '../support/workbench-editors';
import { answerDialog, answerQuickInput, runCommand } from '../support/workbench-input';
import { openRow, treeRow } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'e2e-Restricted-2718';
const SUBJECT = 'Build failure in src/app.ts';

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;
let tmp: string;

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-restricted-e2e-'));
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  const mail = [
    'From: "Bob Builder" <bob@example.org>',
    'To: alice@example.com',
    `Subject: ${SUBJECT}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    'Message-ID: <restricted-1@example.org>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The nightly build failed at src/app.ts:3 again.',
    '',
  ].join('\r\n');
  dovecot.deliver('alice', mail, 'restricted-1');
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'src', 'app.ts'), 'export const a = 1;\nexport const b = 2;\nexport const broken = c;\n');
  editor = await startCodeServer({
    vsix: VSIX,
    workspace,
    workspaceTrust: true,
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
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

screenshotAfterEachTest('restricted', () => page);

/** The message view's frame once it shows the message (its status gone). */
async function messageFrame(): Promise<Frame> {
  const deadline = Date.now() + WEBVIEW_LOAD_TIMEOUT_MS;
  for (;;) {
    const frame = await findFrameWith(page, '#subject', Math.max(1000, deadline - Date.now()));
    const busy = await frame.locator('#message').getAttribute('aria-busy', { timeout: 1000 }).catch(() => undefined);
    const subject = await frame.locator('#subject').textContent({ timeout: 1000 }).catch(() => undefined);
    if (busy === 'false' && subject === SUBJECT) return frame;
    if (Date.now() > deadline) throw new Error(`the message view did not show ${SUBJECT}`);
    await page.waitForTimeout(300);
  }
}

test('an untrusted folder: the inbox, fetch and the view work; file links are off with the reason, and on once trusted', async () => {
  await openWorkbench(page, editor.url);
  // What a user does when asked: "No, I don't trust the authors".
  await answerDialog(page, /trust the authors/i, "No, I don't trust the authors");
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 20_000 });

  await page.locator(ACTIVITY_BAR_ENTRY).click();
  await page.locator('.welcome-view-content .monaco-button', { hasText: 'Fetch Mail' }).first().click({ timeout: 30_000 });
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  await treeRow(page, SUBJECT).waitFor({ timeout: 60_000 });
  // A click right after the tree redraws can be dropped by the workbench: openRow clicks again until the tab opens.
  await openRow(page, SUBJECT);

  const untrusted = await messageFrame();
  assert.match(await untrusted.locator('#body pre').innerText(), /src\/app\.ts:3/, 'the reference is in the text');
  assert.equal(await untrusted.locator('#body .text-link', { hasText: 'src/app.ts:3' }).count(), 0, 'no link into an untrusted folder');
  const off = untrusted.locator('#file-links-off');
  assert.equal(await off.isVisible(), true, 'the view says why');
  assert.match(await off.innerText(), /Restricted Mode/);
  await screenshot(page, 'restricted-1-untrusted-view');

  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  const trustButton = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust/ }).first();
  await trustButton.click({ timeout: 20_000 });
  await waitUntil('Restricted Mode to end', async () => (await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).count()) === 0, 20_000);
  await screenshot(page, 'restricted-2-trusted');

  // The open view offers the link now, without being opened again.
  await page.locator('.tab', { hasText: SUBJECT }).first().click();
  const trusted = await messageFrame();
  const link = trusted.locator('#body .text-link', { hasText: 'src/app.ts:3' });
  await waitUntil('the link after trusting', async () => (await link.count()) === 1, 20_000);
  assert.equal(await trusted.locator('#file-links-off').isVisible(), false, 'the line about Restricted Mode is gone');
  await screenshot(page, 'restricted-3-trusted-view');
  await link.click();
  await page.locator('.tab', { hasText: 'app.ts' }).waitFor({ timeout: 15_000 });
});
