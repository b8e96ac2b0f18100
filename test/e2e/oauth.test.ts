// Sign in from the editor, end to end: code-server with the .vsix, the
// custom OAuth2 provider pointed at the mock authorization server (on
// loopback), a real Dovecot whose oauth2 passdb asks that server about each
// token. Add Account with "Custom OAuth2" signs in with the device code
// (code-server is a browser-based editor), the test approves the code shown
// in the notification, the fetch brings the mail. Then the provider revokes
// the sign-in: the next fetch says "Sign in again" (notification and tree
// row), Sign In fixes it, and nothing is lost or fetched twice. Remove
// Account revokes the refresh token at the provider. Afterwards no access or
// refresh token is anywhere in the editor's files (settings, state, logs
// with the protocol trace at its most verbose).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { MockOAuthServer } from '../support/mock-oauth-server';
import { ACTIVITY_BAR_ENTRY, type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, startCodeServer } from '../support/code-server';
import { answerDialog, answerQuickInput, openPicker, runCommand } from '../support/workbench-input';
import { toast } from '../support/workbench-notifications';
import { readSettings, settingsFile } from '../support/workbench-settings';
import { contextMenuLabels, TREE_ROWS, treeRow } from '../support/workbench-tree';
import { waitUntil } from '../support/wait';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');

let auth: MockOAuthServer;
let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;

const message = (n: number): string => [`From: Sender ${n} <s${n}@example.org>`, 'To: alice@example.com', `Subject: OAuth mail ${n}`, `Message-ID: <oauth-${n}@example.org>`, 'Date: Mon, 07 Dec 2026 10:00:00 +0000', '', `Body ${n}.`, ''].join('\r\n');

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  auth = await MockOAuthServer.start({ user: 'alice' });
  dovecot = await startDovecot({ mechanisms: ['plain'], oauth2IntrospectionUrl: auth.endpoints.introspection });
  dovecot.deliver('alice', message(1), 'm1');
  dovecot.deliver('alice', message(2), 'm2');
  const e = auth.endpoints;
  editor = await startCodeServer({
    vsix: VSIX,
    extraArgs: ['--log', 'trace'],
    settings: {
      ...NO_AUTOMATIC_CHECKS,
      'pop3Mail.oauth.custom.clientId': auth.clientId,
      'pop3Mail.oauth.custom.authorizationEndpoint': e.authorization,
      'pop3Mail.oauth.custom.tokenEndpoint': e.token,
      'pop3Mail.oauth.custom.deviceEndpoint': e.device,
      'pop3Mail.oauth.custom.revocationEndpoint': e.revocation,
      'pop3Mail.oauth.custom.scopes': 'mail offline_access',
    },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
  await auth?.close();
});

/** Reads the device code from the notification and approves it at the mock provider, as the user would in a browser. */
async function approveShownCode(seen: Set<string>): Promise<string> {
  const notice = toast(page, /enter the code [0-9A-F]{4}-[0-9A-F]{4} at/);
  let code: string | undefined;
  for (let i = 0; i < 100 && code === undefined; i++) {
    const texts = await page.locator('.notification-toast').allInnerTexts();
    code = texts.map((t) => /enter the code ([0-9A-F]{4}-[0-9A-F]{4}) at/.exec(t)?.[1]).find((c) => c !== undefined && !seen.has(c));
    if (code === undefined) await page.waitForTimeout(200);
  }
  assert.ok(code, 'a new device code is shown');
  assert.match(await notice.innerText(), new RegExp(`at ${auth.base.replace(/[.]/g, '\\.')}`), 'with the verification address');
  assert.ok(await notice.locator('.monaco-button', { hasText: 'Copy and Open' }).count(), 'with a Copy and Open button');
  seen.add(code);
  auth.decideDevice(code, 'approved');
  return code;
}

test('Custom OAuth2: add with the device code, fetch; revoked sign-in: "Sign in again", Sign In fixes it; Remove Account revokes', async () => {
  const seen = new Set<string>();
  await openWorkbench(page, editor.url);
  await page.locator(ACTIVITY_BAR_ENTRY).click();
  await page.locator('.monaco-text-button', { hasText: 'Add Account' }).waitFor({ timeout: 30_000 });

  await openPicker(page, 'POP3 Mail: Add Account');
  await answerQuickInput(page, '', '(1/9)'); // no address: no lookup, the server is typed in
  await answerQuickInput(page, 'localhost', '(2/9)');
  await answerQuickInput(page, '', '(3/9)'); // TLS
  await answerQuickInput(page, String(dovecot.pop3sPort), '(4/9)');
  await answerQuickInput(page, 'alice', '(5/9)');
  await answerQuickInput(page, 'Custom OAuth2', '(6/9)');
  // No password step for a sign-in: the next one is the CA file.
  await answerQuickInput(page, dovecot.caFile, '(8/9)');
  await answerQuickInput(page, '', '(9/9)'); // sign in, test, add
  await approveShownCode(seen);
  await screenshot(page, 'oauth-1-device-code');
  await toast(page, 'Account added').waitFor({ timeout: 30_000 });

  const settings = readSettings(editor);
  const entry = (settings['pop3Mail.accounts'] as Record<string, unknown>[])[0]!;
  assert.equal(entry['login'], 'custom', 'the login method is in the settings entry');
  const tokenCalls = auth.requestsTo('/token');
  assert.ok(tokenCalls.some((r) => r.form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code'), 'the device grant was used');

  await runCommand(page, 'POP3 Mail: Fetch Mail');
  await treeRow(page, 'OAuth mail 2').waitFor({ timeout: 60_000 });
  await treeRow(page, 'OAuth mail 1').waitFor({ timeout: 10_000 });
  await screenshot(page, 'oauth-2-fetched');
  // The account's menu offers Sign In, not Change Password.
  const menu = await contextMenuLabels(page, treeRow(page, /^alice@localhost/));
  assert.ok(menu.includes('Sign In...'), JSON.stringify(menu));
  assert.ok(!menu.includes('Change Password...'), JSON.stringify(menu));

  // The provider revokes the sign-in (and the access token lapses): only a new sign-in helps.
  auth.revokeRefreshTokens();
  auth.expireAccessTokens();
  dovecot.deliver('alice', message(3), 'm3');
  await runCommand(page, 'POP3 Mail: Fetch Mail');
  const again = toast(page, /Sign in again to alice@localhost/);
  await again.waitFor({ timeout: 30_000 });
  await treeRow(page, /Sign in again to alice@localhost/).waitFor({ timeout: 10_000 });
  assert.equal(await treeRow(page, 'OAuth mail 3').count(), 0, 'nothing fetched without a sign-in');
  assert.equal(await page.locator(TREE_ROWS, { hasText: 'OAuth mail 1' }).count(), 1, 'the mail fetched before is still there');
  await screenshot(page, 'oauth-3-sign-in-again');

  await again.locator('.monaco-button', { hasText: 'Sign In' }).click();
  await approveShownCode(seen);
  // Sign In fetches at once: the new message, and nothing twice.
  await treeRow(page, 'OAuth mail 3').waitFor({ timeout: 60_000 });
  await treeRow(page, /Sign in again/).waitFor({ state: 'detached', timeout: 10_000 });
  for (const n of [1, 2, 3]) assert.equal(await page.locator(TREE_ROWS, { hasText: `OAuth mail ${n}` }).count(), 1, `message ${n} once`);
  await screenshot(page, 'oauth-4-signed-in-again');

  // No token in the settings file; the entry has no secret field.
  const text = fs.readFileSync(settingsFile(editor), 'utf8');
  assert.doesNotMatch(text, /refresh|access_token|"token"/i);

  const revokesBefore = auth.requestsTo('/revoke').length;
  await runCommand(page, 'POP3 Mail: Remove Account...');
  const detail = await answerDialog(page, /Remove the account/, 'Remove, Keep Local Mail');
  assert.match(detail, /sign-in is deleted from the keychain and revoked/);
  await page.locator('.monaco-text-button', { hasText: 'Add Account' }).waitFor({ timeout: 15_000 });
  // The entry goes first, then the sign-in: wait for the revocation to reach the provider.
  await waitUntil('the revocation request', async () => auth.requestsTo('/revoke').length > revokesBefore, 15_000);
  const revokes = auth.requestsTo('/revoke').slice(revokesBefore);
  assert.equal(revokes.length, 1, 'the refresh token is revoked at the provider');
  assert.equal(revokes[0]!.form.get('token_type_hint'), 'refresh_token');
  assert.equal(auth.hasRefreshToken(revokes[0]!.form.get('token') ?? ''), false, 'and the provider no longer knows it');
});

function* files(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (entry.isFile()) yield p;
  }
}

test('no token is left in the editor\'s files: settings, state, logs', async () => {
  // Every token the provider saw: access tokens (Dovecot asked about each) and refresh tokens (refreshed or revoked).
  const tokens = new Set<string>();
  for (const r of auth.requestsTo('/introspect')) tokens.add(r.form.get('token') ?? '');
  for (const r of auth.requestsTo('/token')) tokens.add(r.form.get('refresh_token') ?? '');
  for (const r of auth.requestsTo('/revoke')) tokens.add(r.form.get('token') ?? '');
  tokens.delete('');
  assert.ok([...tokens].some((t) => t.startsWith('at.')) && [...tokens].some((t) => t.startsWith('rt.')), 'access and refresh tokens were seen');
  const needles: [string, Buffer][] = [];
  for (const t of tokens) {
    needles.push([t.slice(0, 12), Buffer.from(t)], [`XOAUTH2 response with ${t.slice(0, 12)}`, Buffer.from(Buffer.from(`user=alice\x01auth=Bearer ${t}\x01\x01`).toString('base64'))]);
  }
  await browser.close();
  const hits: string[] = [];
  let scanned = 0;
  let traceFiles = 0;
  await editor.stop({
    beforeCleanup: () => {
      for (const root of [editor.userDataDir, editor.extensionsDir]) {
        for (const file of files(root)) {
          const data = fs.readFileSync(file);
          scanned++;
          if (data.includes('AUTH XOAUTH2')) traceFiles++;
          for (const [name, needle] of needles) if (data.includes(needle)) hits.push(`${path.relative(root, file)}: ${name}`);
        }
      }
    },
  });
  console.log(`oauth token audit: ${tokens.size} tokens, ${scanned} files scanned (${traceFiles} with the protocol trace), ${hits.length} hits`);
  assert.ok(traceFiles > 0, 'the protocol trace was among the files scanned');
  assert.deepEqual(hits, []);
});
