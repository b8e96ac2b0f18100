// The inbox with 100,000 indexed messages in a real editor: the tree shows
// its first groups at once, a group pages with "Show more", Go to Message
// searches the whole index, and conversation mode (pop3Mail.inbox.groupBy)
// lists and pages its conversations; the figures (time to first group and
// to the first conversations, search time, extension host memory) go to
// test-artifacts/inbox-100k.json.
//
// The store is built once into a cache folder (about a minute) and reused;
// the extension finds it through the pop3Mail.storageFolder setting.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MailStore } from '../../src/store/store';
import { accountKey } from '../../src/sync/account';
import { ARTIFACTS_DIR, type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, startCodeServer } from '../support/code-server';
import { waitUntil } from '../support/wait';
import { openPicker } from '../support/workbench-input';
import { setUserSetting } from '../support/workbench-settings';
import { treeLabels, treeRow } from '../support/workbench-tree';
import { generateMessage } from '../support/mailgen';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const COUNT = 100_000;
const ACCOUNT = { name: 'Bulk', host: 'localhost', port: 995, user: 'bulk', security: 'tls' as const };
const CACHE = path.join(process.env.POP3_MAIL_CACHE ?? path.join(os.homedir(), '.cache', 'pop3-mail'), 'e2e-storage-100k');

let editor: CodeServer;
let browser: Browser;
let page: Page;
const figures: Record<string, number | string> = {};

/** The fixture store: 100,000 small messages, no fsync per message (a fixture, not a fetch). */
async function buildStore(root: string): Promise<void> {
  const dir = path.join(root, 'accounts', accountKey(ACCOUNT));
  const marker = path.join(root, `.complete-${COUNT}`);
  if (fs.existsSync(marker)) return;
  fs.rmSync(root, { recursive: true, force: true });
  const started = Date.now();
  const store = await MailStore.open(dir);
  for (let i = 0; i < COUNT; i++) {
    const w = store.begin(`e2e-${i}`);
    w.write(generateMessage(5, i, { attachmentBytes: 0, kind: 'plain' }).subarray(0, 1500));
    store.commitUnsynced(w);
  }
  store.flush();
  fs.writeFileSync(marker, '');
  figures.fixtureBuildMs = Date.now() - started;
}

/** This editor's extension hosts (descendants of the process started with our user-data dir), newest first. */
function extensionHosts(): { pid: number; rssMb: number; ageS: number }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,etimes=,args='], { encoding: 'utf8' });
  const procs = out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), rssKb: Number(m[3]), ageS: Number(m[4]), args: m[5]! }));
  const mine = new Set(procs.filter((p) => p.args.includes(editor.userDataDir)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) grew = mine.add(p.pid) !== undefined;
  }
  return procs
    .filter((p) => mine.has(p.pid) && p.args.includes('--type=extensionHost'))
    .map((p) => ({ pid: p.pid, rssMb: Math.round(p.rssKb / 1024), ageS: p.ageS }))
    .sort((a, b) => a.ageS - b.ageS);
}

/**
 * The resident memory (MB) of our extension host, once it runs (it starts
 * after the workbench connects). A window that reconnects gets a new host
 * while the old one shuts down: wait for that to end; a figure is taken of
 * the newest if two stay (and said).
 */
async function hostRss(): Promise<number> {
  let hosts: ReturnType<typeof extensionHosts> = [];
  await waitUntil('one extension host of ours', () => (hosts = extensionHosts()).length === 1, 60_000).catch(() => {
    if (hosts.length === 0) throw new Error('no extension host of ours');
    console.log(`${hosts.length} extension hosts of ours: ${JSON.stringify(hosts)}; the newest is measured`);
  });
  return hosts[0]!.rssMb;
}

/** Keyboard focus into the tree without clicking a row (a click toggles a group or opens a message). */
async function focusTree(): Promise<void> {
  await page.locator('.pane-body .monaco-list').first().focus();
}

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  await buildStore(CACHE);
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      ...NO_AUTOMATIC_CHECKS,
      'pop3Mail.storageFolder': CACHE,
      // The second entry is invalid: skipped, and the user is told why.
      'pop3Mail.accounts': [ACCOUNT, { host: 'pop.example.com', port: 70000, user: 'x' }],
    },
  });
  ({ browser, page } = await launchBrowser());
});

after(async () => {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS_DIR, 'inbox-100k.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log('100k figures', figures);
  await browser?.close().catch(() => undefined);
  await editor?.stop();
});

test('100,000 messages: the first groups show at once, a group pages, Go to Message searches them all', async () => {
  await openWorkbench(page, editor.url);
  // onStartupFinished activates the extension; give it a moment, then measure the host before the view opens.
  await page.waitForTimeout(3000);
  // The POP3 Mail status bar item says the extension is active.
  await page.locator('.statusbar-item[aria-label^="POP3 Mail:"], .statusbar-item [aria-label^="POP3 Mail:"]').first().waitFor({ timeout: 60_000 });
  figures.extensionHostRssBeforeViewMb = await hostRss();
  await page.locator('.notification-toast', { hasText: 'pop3Mail.accounts[1] skipped: invalid "port"' }).first().waitFor({ timeout: 30_000 });

  const t0 = Date.now();
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  // The workbench's own part: the view and the account row (no store needed for them).
  await treeRow(page, /^Bulk/).waitFor({ timeout: 60_000 });
  figures.accountRowVisibleMs = Date.now() - t0;
  const inbox = treeRow(page, /^Inbox/);
  await inbox.waitFor({ timeout: 60_000 });
  // The newest group is expanded with its first page of 200 rows.
  const firstGroup = page.locator('.pane-body .monaco-list-row .label-name', { hasText: /^[A-Z][a-z]+ \d{4}$/ }).first();
  await firstGroup.waitFor({ timeout: 60_000 });
  await page.locator('.pane-body .monaco-list-row .codicon-mail').first().waitFor({ timeout: 60_000 });
  figures.firstGroupVisibleMs = Date.now() - t0;
  await screenshot(page, 'inbox-100k-tree');
  // The list is virtual: End scrolls to the "Show more" row after the group's 200 messages.
  await focusTree();
  await page.keyboard.press('End');
  const more = treeRow(page, /^Show \d+ more/);
  await more.waitFor({ timeout: 20_000 });
  await screenshot(page, 'inbox-100k-show-more');
  // At the end of the list: the collapsed older months.
  const months = (await treeLabels(page)).filter((l) => /^[A-Z][a-z]+ \d{4}$/.test(l));
  assert.ok(months.length >= 6, `one group per month: ${JSON.stringify(months)}`);
  figures.groups = months.length;
  await page.keyboard.press('Home');
  await treeRow(page, /^Inbox/).waitFor();
  const labels = await treeLabels(page);
  assert.ok(labels.includes('Bulk') && labels.includes('Inbox'), JSON.stringify(labels.slice(0, 10)));
  const inboxText = await inbox.innerText();
  const unread = Number(/(?<!\d)(\d+) unread/.exec(inboxText)?.[1]);
  assert.equal(unread, COUNT, `all unread in the fixture: ${inboxText}`);
  figures.extensionHostRssAfterTreeMb = await hostRss();

  // Show more: the next page of the group (200, or what is left).
  await focusTree();
  await page.keyboard.press('End');
  const before = Number(/\((\d+) not shown\)/.exec(await more.innerText())?.[1]);
  assert.ok(before > 0, await more.innerText());
  const t1 = Date.now();
  await more.click();
  await waitUntil('the next page', async () => {
    if (before <= 200) return (await treeRow(page, /^Show \d+ more/).count()) === 0;
    const m = /\((\d+) not shown\)/.exec(await treeRow(page, /^Show \d+ more/).innerText().catch(() => ''));
    return m !== null && Number(m[1]) === before - 200;
  });
  figures.showMoreMs = Date.now() - t1;
  await page.keyboard.press('Home');

  // Go to Message over the whole index.
  await openPicker(page, 'POP3 Mail: Go to Message...');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await waitUntil('the picker', async () => (await box.isVisible()) && !(await box.inputValue()).startsWith('>'));
  const title = page.locator('.quick-input-widget .quick-input-title');
  await waitUntil('newest first', async () => /newest first/.test(await title.innerText().catch(() => '')));
  const t2 = Date.now();
  await box.fill('invoice is:unread');
  await waitUntil('matches', async () => /(?<!\d)\d+ match/.test(await title.innerText().catch(() => '')), 30_000);
  figures.goToMessageSearchMs = Date.now() - t2;
  const matches = Number(/(?<!\d)(\d+) match/.exec(await title.innerText())?.[1]);
  assert.ok(matches > 0 && matches < COUNT, `a real filter: ${matches}`);
  figures.goToMessageMatches = matches;
  await screenshot(page, 'inbox-100k-goto');
  await page.keyboard.press('Escape');
  figures.extensionHostRssAfterSearchMb = await hostRss();
});

test('100,000 messages in conversation mode: the first page of conversations, newest first, then Show more', async () => {
  const t0 = Date.now();
  await setUserSetting(page, editor, 'pop3Mail.inbox.groupBy', 'conversation');
  // No date groups any more: conversations and single messages right under the Inbox.
  await waitUntil('the date groups gone', async () => (await page.locator('.pane-body .monaco-list-row .label-name', { hasText: /^[A-Z][a-z]+ \d{4}$/ }).count()) === 0, 60_000);
  await page.locator('.pane-body .monaco-list-row .codicon-mail, .pane-body .monaco-list-row .codicon-comment-discussion').first().waitFor({ timeout: 60_000 });
  figures.conversationsVisibleMs = Date.now() - t0;
  figures.extensionHostRssConversationsMb = await hostRss();
  await screenshot(page, 'inbox-100k-conversations');
  // One page of 200 rows, then Show more for the rest of the conversations.
  await focusTree();
  await page.keyboard.press('End');
  const more = treeRow(page, /^Show \d+ more/);
  await more.waitFor({ timeout: 20_000 });
  const before = Number(/\((\d+) not shown\)/.exec(await more.innerText())?.[1]);
  assert.ok(before > 0 && before < COUNT - 199, await more.innerText());
  figures.conversations = before + 200;
  await more.click();
  // The list is virtual: the new Show more row is 200 rows further down, drawn once scrolled to.
  await waitUntil('the next page of conversations', async () => {
    await focusTree();
    await page.keyboard.press('End');
    const m = /\((\d+) not shown\)/.exec(await treeRow(page, /^Show \d+ more/).innerText().catch(() => ''));
    return m !== null && Number(m[1]) === before - 200;
  });
  await page.keyboard.press('Home');
  await setUserSetting(page, editor, 'pop3Mail.inbox.groupBy', 'date');
});
