// Diagnostic, not part of `npm test`: how often a new message view stays
// blank after quick open/keep/close rounds in code-server (the stall that
// retainContextWhenHidden avoids; see message-view-manager.ts createViewer).
//   npm run package && ROUNDS=20 node --import tsx --test test/diagnostics/webview-churn.test.ts
// Each round: Close All, two clicks (one preview), double-click (kept), a
// click (new preview), Enter (kept), a click (third panel); the round passes
// when the third view shows its subject within 15 s. A failed round logs the
// service worker states of the webview frames to test-artifacts/webview-churn.log.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS_DIR, type CodeServer, launchBrowser, openWorkbench, startCodeServer } from '../support/code-server';
import { waitUntil } from '../support/wait';
import { closeAllEditors } from '../support/workbench-editors';
import { answerQuickInput } from '../support/workbench-input';
import { clearNotifications } from '../support/workbench-notifications';
import { openRow, treeRow } from '../support/workbench-tree';
import { startDovecot, type Dovecot } from '../support/dovecot';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'churn-Password-1';
const ROUNDS = Math.min(100, Math.max(1, Number(process.env['ROUNDS'] ?? '10')));
const SUBJECTS = ['Fresh news today', 'Old newsletter', 'Quarterly report'] as const;
/** Runs inside a webview's outer frame: its id and the service worker registration's states. */
const PROBE = `(async () => {
  const s = (w) => (w ? (/id=([0-9a-f]{8})/.exec(w.scriptURL) || [])[1] + ':' + w.state : '-');
  const r = await navigator.serviceWorker.getRegistration();
  return 'view ' + (/id=([0-9a-f]{8})/.exec(location.href) || [])[1] + ' controller ' + s(navigator.serviceWorker.controller) +
    ' installing ' + s(r && r.installing) + ' waiting ' + s(r && r.waiting) + ' active ' + s(r && r.active);
})()`;

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;
const log: string[] = [];
const started = Date.now();
const note = (line: string): void => void log.push(`${((Date.now() - started) / 1000).toFixed(1)} ${line}`);
let failed = 0;

function message(subject: string, i: number): string {
  return [`From: sender${i}@example.org`, 'To: alice@example.com', `Subject: ${subject}`, `Date: ${new Date(Date.now() - i * 3600_000).toUTCString()}`, `Message-ID: <churn${i}@example.org>`, '', `Body ${i}.`, ''].join('\r\n');
}

before(async () => {
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  SUBJECTS.forEach((s, i) => dovecot.deliver('alice', message(s, i), `churn${i}`));
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      'pop3Mail.checkOnStartup': false,
      'pop3Mail.checkInterval': 0,
      'pop3Mail.accounts': [{ name: 'Work', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile }],
    },
  });
  ({ browser, page } = await launchBrowser());
  page.on('console', (m) => {
    if (/service worker/i.test(m.text())) note(`console: ${m.text().slice(0, 300)}`);
  });
});

after(async () => {
  console.log(`webview churn: ${failed} of ${ROUNDS} rounds left a view blank for 15 s`);
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS_DIR, 'webview-churn.log'), `${log.join('\n')}\n`);
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
});

async function showing(subject: string): Promise<boolean> {
  for (const frame of page.frames()) {
    const text = await frame.locator('#subject').textContent({ timeout: 300 }).catch(() => undefined);
    if (text?.includes(subject)) return true;
  }
  return false;
}

test('fetch the three messages', async () => {
  await openWorkbench(page, editor.url);
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  await page.locator('.pane-body .monaco-text-button', { hasText: 'Fetch Mail' }).click();
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  for (const s of SUBJECTS) await treeRow(page, s).waitFor({ timeout: 60_000 });
  await clearNotifications(page);
});

for (let round = 1; round <= ROUNDS; round++) {
  test(`round ${round}`, async () => {
    note(`round ${round}`);
    const tabs = page.locator('.part.editor .tabs-container .tab');
    await closeAllEditors(page);
    await openRow(page, SUBJECTS[0]);
    await openRow(page, SUBJECTS[1]);
    await waitUntil('one preview', async () => (await tabs.count()) === 1);
    await treeRow(page, SUBJECTS[1]).dblclick();
    await page.waitForTimeout(800);
    await treeRow(page, SUBJECTS[0]).click();
    await waitUntil('two panels', async () => (await tabs.count()) === 2);
    await treeRow(page, SUBJECTS[0]).click();
    await page.locator('.pane-body .monaco-list').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
    await treeRow(page, SUBJECTS[2]).click();
    await waitUntil('three panels', async () => (await tabs.count()) === 3);
    const shown = await waitUntil('the third view', () => showing(SUBJECTS[2]), 15_000).then(() => true, () => false);
    if (!shown) {
      failed++;
      // Watch the stalled registration until it moves on (bounded: 30 s).
      for (let k = 0; k < 15 && !(await showing(SUBJECTS[2])); k++) {
        for (const frame of page.frames().filter((f) => f.url().includes('/pre/index.html'))) {
          note(`blank: ${String(await frame.evaluate(PROBE).catch((e: Error) => e.message))}`);
        }
        await page.waitForTimeout(2000);
      }
    }
    assert.ok(shown, 'the third message view shows its subject within 15 s');
  });
}
