// Several windows on one mail folder, in a real editor (code-server) against
// a real Dovecot: two browser pages on one code-server are two windows, each
// with its own extension host, as two desktop windows are. Mail fetched in A
// shows in B; read in A, B's unread count drops; deleted in B, gone from A's
// inbox; restored in A, back in B. Then both windows start again at the same
// moment with new mail on the server: their startup checks run together and
// each new message is stored once. Screenshots: test-artifacts/windows-*.png.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { parseName } from '../../src/store/maildir';
import { accountKey } from '../../src/sync/account';
import { type CodeServer, launchBrowser, openWorkbench, screenshot, startCodeServer, workAccount } from '../support/code-server';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { waitUntil } from '../support/wait';
import { answerDialog, answerQuickInput } from '../support/workbench-input';
import { clearNotifications } from '../support/workbench-notifications';
import { contextMenu, setExpanded, treeRow } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'e2e-Windows-1618';
const FIRST = 6;
const LATER = 5;

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let a: Page;
let b: Page;
let storage: string;

function rfc822(subject: string, i: number): string {
  const date = new Date(Date.now() - (100 - i) * 60_000).toUTCString().replace('GMT', '+0000');
  return [`From: "Sender ${i}" <s${i}@example.org>`, 'To: alice@example.com', `Subject: ${subject}`, `Date: ${date}`, `Message-ID: <windows-${i}@example.org>`, '', `Body ${i}.`, ''].join('\r\n');
}

const subject = (i: number): string => `Window mail ${String(i).padStart(2, '0')}`;

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  storage = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-windows-e2e-'));
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  for (let i = 1; i <= FIRST; i++) dovecot.deliver('alice', rfc822(subject(i), i), `w${i}`);
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      'pop3Mail.checkOnStartup': true,
      'pop3Mail.checkInterval': 0,
      'pop3Mail.storageFolder': storage,
      'workbench.colorTheme': 'Default Light Modern',
      'pop3Mail.accounts': [workAccount(dovecot)],
    },
  });
  let first: Page;
  ({ browser, page: first } = await launchBrowser());
  a = first;
  b = await first.context().newPage();
  b.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
  if (storage) fs.rmSync(storage, { recursive: true, force: true });
});

const inboxRow = (p: Page): Locator => treeRow(p, /^Inbox/);
const unread = async (p: Page): Promise<number> => Number(/(?<!\d)(\d+) unread/.exec(await inboxRow(p).innerText())?.[1] ?? 0);
const shows = async (p: Page, s: string): Promise<boolean> => (await treeRow(p, s).count()) === 1;

/** Extension host processes of the editor (one per window). */
function extensionHosts(): number {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes('--type=extensionHost')).length;
}

const accountDir = (): string => path.join(storage, 'accounts', accountKey({ user: 'alice', host: 'localhost', port: dovecot.pop3sPort }));

/** The texts of the extension's log files (one per window and start) in the editor's logs folder. */
function extensionLogs(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('POP3 Mail')) found.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(editor.userDataDir, 'logs'));
  return found;
}

/** Every message file of the account in the Maildir, by UIDL; fails on a message stored twice. */
function storedUidls(): string[] {
  const maildir = path.join(accountDir(), 'Maildir');
  const keys = ['new', 'cur'].flatMap((sub) => fs.readdirSync(path.join(maildir, sub)).map((n) => parseName(n).uidlKey ?? n));
  assert.equal(new Set(keys).size, keys.length, `a message stored twice: ${keys.join(', ')}`);
  return keys;
}

async function openInbox(p: Page): Promise<void> {
  await openWorkbench(p, editor.url);
  await p.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
}

/** A context menu entry, repeated (bounded) while a tree redraw swallows the click. */
async function menu(p: Page, row: string, label: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await contextMenu(p, treeRow(p, row), label);
      return;
    } catch (err) {
      if (attempt === 2) throw err;
      await p.keyboard.press('Escape');
    }
  }
}

test('two windows: fetched in A shows in B; read in A, deleted in B, restored in A, each seen by the other', async () => {
  await openInbox(a);
  await openInbox(b);
  await waitUntil('two extension hosts', () => extensionHosts() >= 2, 30_000).catch(() => undefined);
  console.log(`extension host processes: ${extensionHosts()}`);

  // No password stored yet: the startup checks of both windows skip the account. A fetches when asked.
  await a.locator('.welcome-view-content .monaco-button', { hasText: 'Fetch Mail' }).first().click({ timeout: 30_000 });
  await answerQuickInput(a, PASSWORD, 'Password for alice');
  await treeRow(a, subject(FIRST)).waitFor({ timeout: 60_000 });
  await treeRow(b, subject(FIRST)).waitFor({ timeout: 20_000 });
  await waitUntil(`B shows ${FIRST} unread`, async () => (await unread(b)) === FIRST);
  // B's own startup check failed (no password then); A's check completed after it, so B stops showing that failure.
  await waitUntil("B's failed-check row to go", async () => (await treeRow(b, /^Fetch failed/).count()) === 0, 15_000);
  for (const p of [a, b]) await clearNotifications(p);
  await screenshot(b, 'windows-1-b-after-a-fetched');

  await menu(a, subject(2), 'Mark Read');
  await waitUntil('A counts one read', async () => (await unread(a)) === FIRST - 1);
  await waitUntil('B counts one read', async () => (await unread(b)) === FIRST - 1);

  await menu(b, subject(3), 'Delete...');
  await answerDialog(b, 'Delete', 'Delete');
  await waitUntil('gone from B\'s inbox', async () => !(await shows(b, subject(3))));
  await waitUntil('gone from A\'s inbox', async () => !(await shows(a, subject(3))) && (await unread(a)) === FIRST - 2);
  await screenshot(a, 'windows-2-a-after-b-deleted');

  await setExpanded(a, /^Deleted/, true);
  await menu(a, subject(3), 'Restore');
  await waitUntil('back in B', async () => (await shows(b, subject(3))) && (await unread(b)) === FIRST - 1);
  await screenshot(b, 'windows-3-b-after-a-restored');
  assert.equal(storedUidls().length, FIRST);
});

test('both windows start at once with new mail: of their two startup checks one downloads it, and each message is stored once', async () => {
  for (let i = FIRST + 1; i <= FIRST + LATER; i++) dovecot.deliver('alice', rfc822(subject(i), i), `w${i}`);
  // Reloading a window starts its extension host again: a startup check in each, with the password stored now.
  await Promise.all([a.reload(), b.reload()]);
  await Promise.all([openInbox(a), openInbox(b)]);
  for (const p of [a, b]) await treeRow(p, subject(FIRST + LATER)).waitFor({ timeout: 90_000 });
  await waitUntil('A and B count the new mail', async () => (await unread(a)) === FIRST - 1 + LATER && (await unread(b)) === FIRST - 1 + LATER, 30_000);
  await screenshot(a, 'windows-4-a-after-startup');
  await screenshot(b, 'windows-4-b-after-startup');
  assert.equal(storedUidls().length, FIRST + LATER, 'each message once in the Maildir');
  // The two windows' logs: one startup check downloaded the new mail; the other either waited for it
  // and left the check out, or (when the windows' timers were further apart) found nothing new.
  // The editor writes its log files a little later than the lines are logged: wait (bounded) for both checks.
  const count = (logs: string[], text: string): number => logs.filter((t) => t.includes(text)).length;
  const outcomes = (logs: string[]): number => count(logs, `fetch Work: ${LATER} new`) + count(logs, 'fetch Work: skipped, another window checked') + count(logs, 'fetch Work: 0 new');
  await waitUntil('both startup checks in the logs', () => outcomes(extensionLogs()) >= 2, 30_000).catch(() => undefined);
  const logs = extensionLogs();
  const fetched = count(logs, `fetch Work: ${LATER} new`);
  const skipped = count(logs, 'fetch Work: skipped, another window checked');
  const nothing = count(logs, 'fetch Work: 0 new');
  console.log(`startup checks: ${fetched} downloaded ${LATER}, ${skipped} skipped after waiting, ${nothing} found nothing new`);
  assert.equal(fetched, 1, 'one window downloaded the new mail');
  const lines = logs.flatMap((t) => t.split('\n').filter((l) => l.includes('fetch Work'))).join('\n');
  assert.equal(skipped + nothing, 1, `the other downloaded none of it:\n${lines}`);
});
