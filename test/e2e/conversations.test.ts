// Conversations in a real editor (code-server) against a real Dovecot: a
// thread of three (linked by References / In-Reply-To) and two single
// messages are fetched; switching pop3Mail.inbox.groupBy to "conversation"
// in the Settings editor redraws the Inbox as one conversation row (its
// count and unread count) and two plain message rows; the conversation opens
// to its messages newest first, one of them opens in the message view and
// the row's unread count follows; switching back brings the date groups.
// Screenshots in light and dark theme go to test-artifacts/conversations-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type CodeServer, launchBrowser, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, screenshotAfterEachTest, startCodeServer, workAccount } from '../support/code-server';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { waitUntil } from '../support/wait';
import { findFrameWith } from '../support/workbench-editors';
import { answerQuickInput } from '../support/workbench-input';
import { clearNotifications } from '../support/workbench-notifications';
import { setTheme, setUserSetting } from '../support/workbench-settings';
import { openRow, setExpanded, TREE_ROWS, treeRow } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const PASSWORD = 'e2e-Conversations-4711';
const MINUTE = 60_000;

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;

function rfc822(from: string, subject: string, date: Date, id: string, refs: string[] = []): string {
  return [
    `From: ${from}`,
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}@example.org>`,
    ...(refs.length > 0 ? [`References: ${refs.map((r) => `<${r}@example.org>`).join(' ')}`, `In-Reply-To: <${refs[refs.length - 1]}@example.org>`] : []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject} (${id}).`,
    '',
  ].join('\r\n');
}

// Within the last hour, so that all five fall in one date group (Today) in date mode.
const now = Date.now();
const start = new Date(Math.max(now - 50 * MINUTE, new Date(new Date(now).toDateString()).getTime() + 1000));
const at = (minutes: number): Date => new Date(start.getTime() + minutes * MINUTE);
const MAIL: [string, string, string, Date, string, string[]][] = [
  ['t1', '"Ann Lee" <ann@example.org>', 'Release plan', at(0), 't1', []],
  ['s1', '"Carl Diaz" <carl@example.org>', 'Lunch on Friday', at(1), 's1', []],
  ['t2', '"Bob Stone" <bob@example.org>', 'Re: Release plan', at(2), 't2', ['t1']],
  ['s2', '"Dana Fox" <dana@example.org>', 'Invoice 42', at(3), 's2', []],
  ['t3', '"Ann Lee" <ann@example.org>', 'Re: Release plan', at(4), 't3', ['t1', 't2']],
];

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
  for (const [file, from, subject, date, id, refs] of MAIL) dovecot.deliver('alice', rfc822(from, subject, date, id, refs), `conv-${file}`);
  editor = await startCodeServer({
    vsix: VSIX,
    settings: {
      ...NO_AUTOMATIC_CHECKS,
      'pop3Mail.markReadOnOpen': true,
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

screenshotAfterEachTest('conversations', () => page);

const inboxRow = (): Locator => treeRow(page, /^Inbox/);
const conversationRow = (): Locator => page.locator(TREE_ROWS, { has: page.locator('.codicon-comment-discussion') }).first();

/** The visible rows' labels in the order shown (the list positions its rows; the DOM order is not the order on screen). */
async function rowsInOrder(): Promise<string[]> {
  const rows = await page.locator(TREE_ROWS).evaluateAll((els) =>
    els.map((el) => ({ index: Number(el.getAttribute('data-index')), label: (el.querySelector('.label-name')?.textContent ?? '').trim() })),
  );
  return rows.sort((a, b) => a.index - b.index).map((r) => r.label);
}

test('date mode first: the five messages fetched, each its own row in Today', async () => {
  await openWorkbench(page, editor.url);
  await page.locator('.activitybar a[aria-label^="POP3 Mail"]').first().click();
  // Never fetched: the view's welcome offers Fetch Mail.
  const fetchButton = page.locator('.pane-body .monaco-text-button', { hasText: 'Fetch Mail' });
  await fetchButton.waitFor({ timeout: 30_000 });
  await fetchButton.click();
  await answerQuickInput(page, PASSWORD, 'Password for alice');
  await treeRow(page, 'Invoice 42').waitFor({ timeout: 60_000 });
  await clearNotifications(page);
  await waitUntil('5 unread', async () => /5 unread/.test(await inboxRow().innerText()));
  const rows = await rowsInOrder();
  assert.ok(rows.includes('Today'), JSON.stringify(rows));
  assert.equal(rows.filter((r) => r === 'Re: Release plan').length, 2, `both replies are rows of their own: ${JSON.stringify(rows)}`);
  assert.equal(await conversationRow().count(), 0, 'no conversation rows in date mode');
});

test('groupBy "conversation": one conversation row with its count and unread count, the singles as plain rows, newest first', async () => {
  await setUserSetting(page, editor, 'pop3Mail.inbox.groupBy', 'conversation');
  await conversationRow().waitFor({ timeout: 20_000 });
  await waitUntil('the date groups gone', async () => (await treeRow(page, 'Today').count()) === 0);
  const rows = await rowsInOrder();
  // Newest first: the thread's last reply is the newest message; then Invoice 42, then Lunch on Friday.
  assert.deepEqual(rows.slice(rows.indexOf('Inbox') + 1), ['Release plan', 'Invoice 42', 'Lunch on Friday'], JSON.stringify(rows));
  const text = await conversationRow().innerText();
  assert.match(text, /Release plan/);
  assert.match(text, /3 unread of 3 \u00b7 Ann Lee, Bob Stone \u00b7 /, text);
  assert.equal(await conversationRow().getAttribute('aria-expanded'), 'false', 'collapsed until opened');
  assert.match((await conversationRow().getAttribute('aria-label')) ?? '', /Conversation Release plan, with Ann Lee, Bob Stone, 3 messages, 3 unread/);
  assert.equal(await treeRow(page, 'Invoice 42').locator('.codicon-mail').count(), 1, 'a single message is a plain message row');
  assert.match(await inboxRow().innerText(), /5 unread/);
  await screenshot(page, 'conversations-1-rows-light');
});

test('the conversation opens to its messages newest first; opening one marks it read and the row counts follow', async () => {
  await setExpanded(page, 'Release plan', true);
  await waitUntil('three message rows under it', async () => (await treeRow(page, 'Re: Release plan').count()) === 1 && (await page.locator(TREE_ROWS, { hasText: 'Re: Release plan' }).count()) === 2);
  const rows = await rowsInOrder();
  const from = rows.indexOf('Release plan');
  assert.deepEqual(rows.slice(from, from + 4), ['Release plan', 'Re: Release plan', 'Re: Release plan', 'Release plan'], JSON.stringify(rows));
  const children = await page.locator(TREE_ROWS, { hasText: 'Re: Release plan' }).evaluateAll((els) =>
    els.map((el) => ({ index: Number(el.getAttribute('data-index')), text: el.textContent ?? '' })).sort((a, b) => a.index - b.index).map((r) => r.text),
  );
  assert.match(children[0]!, /Ann Lee/, 'the newest reply (Ann) comes first');
  assert.match(children[1]!, /Bob Stone/);
  await screenshot(page, 'conversations-2-open-light');

  // The original message is the last row of the conversation: the one whose label is "Release plan" and has a mail icon.
  const original = page.locator(TREE_ROWS, { hasText: 'Release plan', has: page.locator('.codicon-mail') }).filter({ hasNotText: 'Re:' });
  await original.first().click();
  await page.locator('.tab', { hasText: 'Release plan' }).first().waitFor({ timeout: 20_000 });
  const frame = await findFrameWith(page, '#subject:has-text("Release plan")');
  assert.match(await frame.locator('body').innerText(), /Body of Release plan \(t1\)/);
  await waitUntil('4 unread in the Inbox', async () => /4 unread/.test(await inboxRow().innerText()));
  // The conversation row's count is redrawn once the tree is quiet.
  await waitUntil('2 unread on the conversation row', async () => /2 unread of 3 \u00b7 /.test(await conversationRow().innerText()), 20_000);
  await screenshot(page, 'conversations-3-opened-light');
});

test('dark theme: the conversation rows', async () => {
  await setTheme(page, 'Dark Modern');
  await conversationRow().waitFor();
  await screenshot(page, 'conversations-4-rows-dark');
  await setTheme(page, 'Light Modern');
});

test('back to groupBy "date": the date groups return, every message its own row again', async () => {
  await setUserSetting(page, editor, 'pop3Mail.inbox.groupBy', 'date');
  await treeRow(page, 'Today').waitFor({ timeout: 20_000 });
  await waitUntil('no conversation row', async () => (await conversationRow().count()) === 0);
  await openRow(page, 'Invoice 42');
  await waitUntil('3 unread', async () => /3 unread/.test(await inboxRow().innerText()));
});
