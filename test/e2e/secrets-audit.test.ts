// Secrets audit (docs/security.md T39, T40): after a real session in the editor,
// with the protocol trace at its most verbose, the password is nowhere in the
// editor's user data, the extension's storage, the logs or the Output
// channel: not in clear, not in base64, not as the AUTH PLAIN response.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { generateMailbox } from '../support/mailgen';
import { ACTIVITY_BAR_ENTRY, type CodeServer, launchBrowser, openWorkbench, screenshot, startCodeServer } from '../support/code-server';
import { runCommand } from '../support/workbench-input';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const USER = 'auditor';
const PASSWORD = 'Audit-Pw-7f3c1e9a';

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;

/** Every form of the password a careless client could leave behind. */
function needles(): Map<string, Buffer> {
  const forms = new Map<string, Buffer>();
  const add = (name: string, text: string): void => {
    forms.set(name, Buffer.from(text));
    forms.set(`${name} (UTF-16LE)`, Buffer.from(text, 'utf16le'));
  };
  add('password', PASSWORD);
  add('base64(password)', Buffer.from(PASSWORD).toString('base64'));
  add('AUTH PLAIN response', Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'));
  add('AUTH PLAIN response without authzid', Buffer.from(`${USER}\0${PASSWORD}`).toString('base64'));
  add('JSON-escaped', JSON.stringify(PASSWORD).slice(1, -1));
  return forms;
}

function* files(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (entry.isFile()) yield p;
  }
}

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  dovecot = await startDovecot({ users: [{ user: USER, password: PASSWORD }] });
  generateMailbox(5, 4).forEach((raw, i) => dovecot.deliver(USER, raw, `a${i}`));
  editor = await startCodeServer({
    vsix: VSIX,
    extraArgs: ['--log', 'trace'],
    settings: { 'pop3Mail.accounts': [{ name: 'audit', host: 'localhost', port: dovecot.pop3sPort, user: USER, security: 'tls', caFile: dovecot.caFile }] },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
});

test('no form of the password is stored or logged by the extension (T39, T40)', async () => {
  await openWorkbench(page, editor.url);
  await page.locator(ACTIVITY_BAR_ENTRY).click();
  await runCommand(page, 'POP3 Mail: Fetch Mail');
  // The hand-written account has no stored password yet: Fetch asks for it.
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget .quick-input-box input[type="password"]').waitFor({ timeout: 30_000 });
  await box.fill(PASSWORD);
  await box.press('Enter');
  await page.locator('.pane-body .monaco-list-row').nth(2).waitFor({ timeout: 60_000 });
  // A second fetch uses the stored secret, and the trace logs a whole session.
  await runCommand(page, 'POP3 Mail: Fetch Mail');
  await page.waitForTimeout(3000);
  await runCommand(page, 'POP3 Mail: Show Protocol Log');
  await page.waitForTimeout(2000);
  const output = await page.locator('.part.panel .view-lines').innerText().catch(() => '');
  await screenshot(page, 'secrets-audit-output');
  assert.match(output, /AUTH|PASS|USER|RETR|UIDL/, 'the Output channel shows the protocol trace');
  const secretForms = [...needles().entries()];
  for (const [name, form] of secretForms) assert.ok(!output.includes(form.toString()), `Output channel holds the ${name}`);

  await browser.close();
  const hits: string[] = [];
  let scanned = 0;
  // Control: the redacted trace itself must be among what is scanned, or the audit proves nothing.
  const traceMarker = Buffer.from('AUTH PLAIN ********');
  let traceFiles = 0;
  // Read the folders once the editor has exited: every log and state file is flushed then.
  await editor.stop({
    beforeCleanup: () => {
      for (const root of [editor.userDataDir, editor.extensionsDir]) {
        for (const file of files(root)) {
          const data = fs.readFileSync(file);
          scanned++;
          if (data.includes(traceMarker)) traceFiles++;
          for (const [name, form] of secretForms) if (data.includes(form)) hits.push(`${path.relative(root, file)}: ${name}`);
        }
      }
    },
  });
  console.log(`secrets audit: ${scanned} files scanned (${traceFiles} with the redacted trace), ${hits.length} hits`);
  assert.ok(traceFiles > 0, 'the log files with the protocol trace were among the files scanned');
  assert.deepEqual(hits, []);
});
