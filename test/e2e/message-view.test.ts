// The message view in a real editor (docs/security.md T33-T36): a corpus
// of hostile messages (test/fixtures/hostile) is opened one by one while
// counting listeners on 127.0.0.1 (https and http) see every request and a
// canary marks any script that runs. Both must stay at zero, with the
// sanitizer on and again with it switched off by the test-only setting (the
// CSP and the sandboxed frame alone must hold). Then "Load remote content"
// on one message must fetch exactly its https images. Screenshots of a
// newsletter, a plain-text mail and an attachment-heavy mail, light and dark,
// go to test-artifacts/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { ACTIVITY_BAR_ENTRY, CHROMIUM_ARGS, CHROMIUM_PATH, type CodeServer, NO_AUTOMATIC_CHECKS, openWorkbench, screenshot, startCodeServer, VIEWPORT, WEBVIEW_LOAD_TIMEOUT_MS } from '../support/code-server';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { waitUntil } from '../support/wait';
import { closeAllEditors, findFrameWith } from '../support/workbench-editors';
import { answerDialog, answerQuickInput, runCommand, simpleDialogValue } from '../support/workbench-input';
import { setTheme } from '../support/workbench-settings';
import { dismissHover } from '../support/workbench-tree';

const VSIX = path.resolve(__dirname, '../../dist/pop3-mail.vsix');
const FIXTURES = path.resolve(__dirname, '../fixtures');
const PASSWORD = 'view-Secret-0815';
/** How long a message gets to make requests or run scripts after it is shown. */
const SETTLE_MS = 1500;

let dovecot: Dovecot;
let editor: CodeServer;
let browser: Browser;
let page: Page;
let tmp: string;
let httpsServer: https.Server;
let httpServer: http.Server;
/** Every request the listeners saw, as "https /path" or "http /path". */
const requests: string[] = [];

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function counting(scheme: string) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push(`${scheme} ${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(PIXEL);
  };
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m).replace(/\r?\n/g, '\r\n');
}

/** The attachment copies Open wrote, in the temporary root of the extension's global storage (paths with '/'). */
function attachmentCopies(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else found.push(p.split(path.sep).join('/'));
    }
  };
  const root = path.join(userDataDir, 'User', 'globalStorage', 'pop3-mail.pop3-mail', 'tmp');
  if (fs.existsSync(root)) walk(root);
  return found;
}

function subjectOf(raw: string): string {
  return /^Subject: (.*)$/m.exec(raw)![1]!.trim();
}

const hostile: { file: string; subject: string }[] = [];
const VIEW = {
  remote: 'Remote images: photo of the week',
  newsletter: 'Weekly Dev Digest: TypeScript 6, faster builds and more',
  plain: 'Plain text: build failure in src/app.ts',
  attachments: 'Attachments: invoices and reports',
  bomb: 'Bomb: 60 nested multiparts',
};

before(async () => {
  assert.ok(fs.existsSync(VSIX), `build the package first: ${VSIX}`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-view-e2e-'));
  // A throwaway certificate for the https listener. Chromium is told to
  // ignore certificate errors (below), in this test's browser only.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  httpsServer = https.createServer({ key: fs.readFileSync(path.join(tmp, 'key.pem')), cert: fs.readFileSync(path.join(tmp, 'cert.pem')) }, counting('https'));
  httpServer = http.createServer(counting('http'));
  const [httpsPort, httpPort] = [await listen(httpsServer), await listen(httpServer)];
  const vars = {
    HTTPS: `https://127.0.0.1:${httpsPort}`,
    HTTP: `http://127.0.0.1:${httpPort}`,
    HTTPSPORT: String(httpsPort),
    DATE: new Date(Date.now() - 60_000).toUTCString().replace('GMT', '+0000'),
  };

  // alice gets everything; bob only the hostile corpus, for the editor with the sanitizer off.
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }, { user: 'bob', password: PASSWORD }] });
  for (const dir of ['hostile', 'view']) {
    for (const file of fs.readdirSync(path.join(FIXTURES, dir)).sort()) {
      const raw = fill(fs.readFileSync(path.join(FIXTURES, dir, file), 'utf8'), vars);
      dovecot.deliver('alice', raw, file.replace(/\W/g, ''));
      if (dir === 'hostile') {
        dovecot.deliver('bob', raw, file.replace(/\W/g, ''));
        hostile.push({ file, subject: subjectOf(raw) });
      }
    }
  }

  // The workspace: a file for the `path:line` link, and an .eml for the custom editor.
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'src', 'app.ts'), 'export const a = 1;\nexport const b = 2;\nexport const broken = c;\n');
  fs.writeFileSync(path.join(workspace, 'saved-mail.eml'), fill(fs.readFileSync(path.join(FIXTURES, 'view', '31-plain.eml'), 'utf8'), vars).replace('Subject: Plain text:', 'Subject: From a file:'));

  // The editor's own home, with a Downloads folder: where Save starts.
  fs.mkdirSync(path.join(tmp, 'home', 'Downloads'), { recursive: true });
  editor = await startCodeServer({ vsix: VSIX, workspace, settings: editorSettings('alice'), home: path.join(tmp, 'home') });
  // --ignore-certificate-errors: only so that the https listener's throwaway
  // certificate works when remote images are allowed; only in this browser.
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'], headless: true, timeout: 60_000 });
  page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await editor?.stop();
  await dovecot?.stop();
  httpsServer?.close();
  httpServer?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Settings of an editor for `user`; the settings file is not watched here, so they are fixed per editor. */
function editorSettings(user: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...NO_AUTOMATIC_CHECKS,
    'workbench.colorTheme': 'Default Light Modern',
    'pop3Mail.accounts': [{ name: user, host: 'localhost', port: dovecot.pop3sPort, user, security: 'tls', caFile: dovecot.caFile }],
    ...extra,
  };
}

async function fetchAll(user: string): Promise<void> {
  await openWorkbench(page, editor.url);
  await page.locator(ACTIVITY_BAR_ENTRY).click();
  await page.locator('.pane-body .monaco-text-button', { hasText: 'Fetch Mail' }).click();
  await answerQuickInput(page, PASSWORD, `Password for ${user}`);
  await row(hostile[0]!.subject).first().waitFor({ timeout: 60_000 });
}

function row(subject: string) {
  return page.locator('.pane-body .monaco-list-row', { hasText: subject });
}

/** Resolves to undefined after `ms` (Playwright calls on a frame whose navigation was blocked can wait forever). */
function within<T>(promise: Promise<T>, ms = 2000): Promise<T | undefined> {
  return Promise.race([promise.catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

/** Frames that may hold the message view's own document (not its sandboxed mail frames, not error pages). */
function viewCandidates(): Frame[] {
  return page.frames().filter((f) => !/^(?:about:|chrome-error:|data:)/.test(f.url()));
}

/** The text of #subject in a frame, or undefined. */
async function subjectIn(frame: Frame): Promise<string | undefined> {
  const element = await within(frame.$('#subject'));
  if (!element) return undefined;
  return (await within(element.textContent())) ?? undefined;
}

/** Clicks a message in the tree and waits until the view shows its subject; returns the view's frame. */
async function openMessage(subject: string): Promise<Frame> {
  // Generous: on a loaded 2-core CI machine the first webview of an editor can take a while.
  const deadline = Date.now() + 60_000;
  let clicked = 0;
  for (;;) {
    if (clicked === 0 || Date.now() - clicked > 15_000) {
      await dismissHover(page);
      await row(subject).first().click();
      clicked = Date.now();
    }
    for (const frame of viewCandidates()) {
      try {
        if ((await subjectIn(frame)) !== subject) continue;
        if ((await frame.locator('#message').getAttribute('aria-busy', { timeout: 500 })) === 'false') return frame;
      } catch {
        // not a view, or replaced by a fresh template meanwhile
      }
    }
    if (Date.now() > deadline) throw new Error(`the view did not show ${JSON.stringify(subject)}`);
    await page.waitForTimeout(200);
  }
}

/** The sources of one CSP directive. */
function cspSources(csp: string, directive: string): string[] {
  const d = csp.split(';').map((x) => x.trim()).find((x) => x.startsWith(`${directive} `));
  return d ? d.split(/\s+/).slice(1) : [];
}

/** The message view's frame once it shows `subject` (it may have been re-rendered meanwhile). */
async function viewShowing(subject: string): Promise<Frame> {
  const deadline = Date.now() + WEBVIEW_LOAD_TIMEOUT_MS;
  for (;;) {
    for (const frame of viewCandidates()) {
      try {
        if ((await subjectIn(frame)) === subject) return frame;
      } catch {
        // not this one, or detached
      }
    }
    if (Date.now() > deadline) throw new Error(`no view shows ${JSON.stringify(subject)}`);
    await page.waitForTimeout(200);
  }
}

/** Canary markers in every frame Playwright can see (the sandboxed frames included). */
async function canaries(): Promise<string[]> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    try {
      const marks = await within(frame.locator('[data-canary]').evaluateAll((els) => els.map((e) => e.getAttribute('data-canary') ?? '?')), 3000);
      found.push(...(marks ?? []));
    } catch {
      // detached while we looked
    }
  }
  return found;
}

/** The sandboxed HTML frames of a message view, loaded. */
async function htmlFrames(view: Frame): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const handle of await view.locator('#body iframe').elementHandles()) {
    const frame = await handle.contentFrame();
    if (!frame) continue;
    await frame.waitForLoadState('domcontentloaded');
    frames.push(frame);
  }
  return frames;
}

async function openCorpus(label: string, sanitized: boolean): Promise<void> {
  for (const { subject, file } of hostile) {
    const before = requests.length;
    const view = await openMessage(subject);
    if (!file.startsWith('13-')) {
      // The mode really is the one under test (13 has no HTML body to render).
      assert.equal(await view.locator('#body').getAttribute('data-sanitized'), String(sanitized), `${label}: ${file} rendered in the wrong mode`);
    }
    await page.waitForTimeout(SETTLE_MS);
    assert.deepEqual(requests.slice(before), [], `${label}: ${file} made requests`);
    assert.deepEqual(await canaries(), [], `${label}: a script ran in ${file}`);
    const frame = await viewShowing(subject);
    const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.ok(!cspSources(csp, 'img-src').includes('https:'), `${label}: ${file} has a remote-image CSP: ${csp}`);
    const iframes = frame.locator('#body iframe');
    for (let i = 0; i < (await iframes.count()); i++) {
      assert.equal(await iframes.nth(i).getAttribute('sandbox'), '', `${label}: ${file} frame ${i} is sandboxed with no permissions`);
    }
  }
}

test('hostile corpus with the sanitizer: no request, no script, forms/meta/base/iframes gone, links go through the host', async () => {
  await fetchAll('alice');
  assert.equal(requests.length, 0, 'fetching made no request to the listeners');

  await openCorpus('sanitized', true);
  assert.ok(hostile.length >= 13, 'the whole corpus was opened');

  // What the sanitizer left in the frames of one message: nothing active.
  const forms = await htmlFrames(await openMessage(hostile.find((h) => h.file.startsWith('10-'))!.subject));
  assert.equal(forms.length, 1);
  for (const f of forms) {
    assert.equal(await f.locator('form, input, button, meta, base, link, iframe, object, embed, script').count(), 0, 'forms, meta, base, link, frames and scripts are removed');
  }
  // The banner offers remote content for the message with remote resources.
  const remoteFrame = await openMessage(hostile.find((h) => h.file.startsWith('07-'))!.subject);
  assert.equal(await remoteFrame.locator('#remote-banner').isVisible(), true, 'the blocked-content banner shows');
  assert.match(await remoteFrame.locator('#remote-text').innerText(), /^(A remote image or resource was|\d+ remote images or resources were) blocked to protect your privacy\.$/);
  await screenshot(page, 'message-view-hostile-remote-banner');

  // A link click in the sandboxed frame reaches the host, which shows the real URL first.
  const [linkFrame] = await htmlFrames(await openMessage(hostile.find((h) => h.file.startsWith('03-'))!.subject));
  assert.ok(linkFrame);
  assert.equal(await linkFrame.locator('a[href^="javascript"], a[href^="data"], a[href^="command"], a[href^="vscode"], a[href^="file"]').count(), 0, 'dangerous links lost their href');
  await linkFrame.locator('#safe-link').click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 10_000 });
  const dialogText = await dialog.innerText();
  assert.match(dialogText, /Open this link from an email\?/);
  assert.match(dialogText, /https:\/\/example\.com\/real-target/, 'the dialog shows the real URL, not the link text');
  await screenshot(page, 'message-view-link-confirm');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // The message is back in the frame (the blocked navigation's error page is replaced).
  const [again] = await htmlFrames(await viewShowing(hostile.find((h) => h.file.startsWith('03-'))!.subject));
  await again!.locator('#safe-link').waitFor({ timeout: 10_000 });
  assert.deepEqual(requests, []);
});

test('hostile corpus with the sanitizer switched off (test-only setting): the CSP and the sandbox alone hold', async () => {
  // A second editor, started with the test-only setting, reading bob's copy of the corpus.
  const sanitizedEditor = editor;
  const sanitizedPage = page;
  editor = await startCodeServer({ vsix: VSIX, settings: editorSettings('bob', { 'pop3Mail.test.disableSanitizer': true }) });
  page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  page.setDefaultTimeout(20_000);
  try {
    await fetchAll('bob');
    await openCorpus('unsanitized', false);
    // Really unsanitized: the raw markup reached the frame.
    const view = await openMessage(hostile.find((h) => h.file.startsWith('01-'))!.subject);
    const frame = await view.locator('#body iframe').first().elementHandle().then((h) => h?.contentFrame());
    assert.ok(frame, 'the HTML frame is there');
    await frame.waitForLoadState('domcontentloaded');
    assert.ok((await frame.locator('script').count()) > 0, 'with the sanitizer off, the script elements are in the frame (and did not run)');
    await screenshot(page, 'message-view-unsanitized-script');
  } finally {
    await page.context().close();
    await editor.stop();
    editor = sanitizedEditor;
    page = sanitizedPage;
  }
});

test('"Load remote content" fetches exactly that message\'s https images, never http or CSS', async () => {
  const frame = await openMessage(VIEW.remote);
  await page.waitForTimeout(SETTLE_MS);
  assert.deepEqual(requests, [], 'nothing before the click');
  assert.equal(await frame.locator('#remote-banner').isVisible(), true);
  await frame.locator('#load-remote').click();
  const deadline = Date.now() + 15_000;
  while (requests.length < 2 && Date.now() < deadline) await page.waitForTimeout(200);
  await page.waitForTimeout(SETTLE_MS);
  const seen = [...requests].sort();
  requests.length = 0;
  assert.deepEqual(seen, ['https /remote-1.png', 'https /remote-2.png']);
  const after = await viewShowing(VIEW.remote);
  const csp = (await after.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
  assert.ok(cspSources(csp, 'img-src').includes('https:'), csp);
  assert.ok(!csp.split(/[\s;]+/).includes('http:'), `never http: ${csp}`);
  for (const d of ['default-src', 'script-src', 'connect-src', 'font-src', 'media-src', 'style-src']) assert.ok(!cspSources(csp, d).includes('https:'), `${d} unchanged: ${csp}`);
  assert.equal(await after.locator('#remote-banner').isVisible(), false, 'the banner is gone');
  await screenshot(page, 'message-view-remote-loaded');
});

async function screenshots(theme: 'Light Modern' | 'Dark Modern', tag: string): Promise<void> {
  await setTheme(page, theme);
  const news = await openMessage(VIEW.newsletter);
  await page.waitForTimeout(800);
  assert.equal(await news.locator('#view-toggle').isVisible(), true, 'HTML and plain text can be toggled');
  const [newsFrame] = await htmlFrames(news);
  assert.ok(newsFrame);
  const logo = newsFrame.locator('img[alt="logo"]');
  assert.equal(await newsFrame.locator('style').count(), 1, 'the newsletter keeps its (cleaned) style sheet');
  assert.match((await logo.getAttribute('src')) ?? '', /^data:image\/png;base64,/, 'the cid: image became a data: URL');
  await screenshot(page, `message-view-newsletter-${tag}`);
  await openMessage(VIEW.plain);
  await screenshot(page, `message-view-plain-${tag}`);
  await openMessage(VIEW.attachments);
  await screenshot(page, `message-view-attachments-${tag}`);
  assert.deepEqual(requests, [], 'the screenshots made no requests (tracking pixel blocked)');
}

test('newsletter, plain text and attachments: light and dark screenshots, toggle, links, safe names', async () => {
  await screenshots('Light Modern', 'light');
  await screenshots('Dark Modern', 'dark');

  const news = await openMessage(VIEW.newsletter);
  await news.locator('#show-text').click();
  await news.locator('#body pre', { hasText: 'Read online' }).waitFor();
  assert.equal(await news.locator('#body iframe').count(), 0, 'plain text shows no frame');

  const plain = await openMessage(VIEW.plain);
  const linkTexts = await plain.locator('#body .text-link').allTextContents();
  assert.deepEqual(linkTexts, ['src/app.ts:3', 'https://ci.example.org/builds/1234', 'https://git.example.org/c/abc']);
  assert.equal(await plain.locator('#body b, #body script').count(), 0, 'the plain text is text');
  await plain.locator('#body .text-link', { hasText: 'src/app.ts:3' }).click();
  await page.locator('.tab', { hasText: 'app.ts' }).waitFor({ timeout: 15_000 });

  const files = await openMessage(VIEW.attachments);
  const names = await files.locator('.attachment-name').allTextContents();
  assert.deepEqual(names, ['Quarterly report Q3.pdf', 'bashrc', 'evil.txt', 'invoicegpj.exe', 'win.ini', '_CON', 'logo.png']);
  // The words the script writes itself come from the host's translated strings in the template.
  assert.equal((await files.locator('#attachments-title').innerText()).trim(), '7 attachments');
  const bashrcSave = files.locator('.attachment', { hasText: 'bashrc' }).locator('.attachment-save');
  assert.equal((await bashrcSave.innerText()).trim(), 'Save\u2026');
  assert.equal(await bashrcSave.getAttribute('aria-label'), 'Save bashrc');

  // Save goes through the save dialog (code-server's simple dialog), proposing the safe name in Downloads, not the workspace.
  const downloads = path.join(tmp, 'home', 'Downloads');
  await files.locator('.attachment', { hasText: 'bashrc' }).locator('.attachment-save').click();
  const proposed = await simpleDialogValue(page, (v) => v.endsWith('bashrc'), 'the proposed name');
  assert.equal(proposed, path.join(downloads, 'bashrc'), 'the dialog proposes the safe name in Downloads');
  await page.keyboard.press('Enter');
  const saved = path.join(downloads, 'bashrc');
  await waitUntil('the saved attachment', () => fs.existsSync(saved), 15_000);
  assert.equal(fs.readFileSync(saved, 'utf8').trim(), 'echo pwned', 'the attachment was saved, decoded, in the chosen folder');
  assert.equal(fs.existsSync(path.join(editor.workspace, 'bashrc')), false, 'nothing in the workspace');
  assert.equal(fs.existsSync(path.join(path.dirname(downloads), '.bashrc')), false);

  // Open: text in the text editor, read-only, from a private copy in this window's temporary folder.
  await files.locator('.attachment', { hasText: 'win.ini' }).locator('.attachment-open').click();
  await page.locator('.tab', { hasText: 'win.ini' }).waitFor({ timeout: 15_000 });
  const lines = page.locator('.part.editor .monaco-editor .view-lines').first();
  await lines.waitFor();
  const before = await lines.innerText();
  await lines.click();
  await page.keyboard.type('typed ');
  await page.waitForTimeout(300);
  assert.equal(await lines.innerText(), before, 'the copy is read-only: typing changes nothing');
  const copies = (): string[] => attachmentCopies(editor.userDataDir);
  assert.equal(copies().filter((f) => f.endsWith('/win.ini')).length, 1, `one copy: ${JSON.stringify(copies())}`);
  assert.ok(copies().every((f) => /\/tmp\/\d+-[0-9a-f]+\/[0-9a-f]+\/[^/]+$/.test(f)), `in a window folder (<pid>-<id>): ${JSON.stringify(copies())}`);
  await screenshot(page, 'message-view-open-text-read-only');

  // An image opens in the image preview.
  const again = await openMessage(VIEW.attachments);
  await again.locator('.attachment', { hasText: 'logo.png' }).locator('.attachment-open').click();
  await page.locator('.tab', { hasText: 'logo.png' }).waitFor({ timeout: 15_000 });
  await findFrameWith(page, 'body.container.image');

  // Anything else asks first, naming what would open it; a program is not opened at all.
  const third = await openMessage(VIEW.attachments);
  await third.locator('.attachment', { hasText: 'Quarterly report Q3.pdf' }).locator('.attachment-open').click();
  const question = await answerDialog(page, 'Quarterly report Q3.pdf', 'Cancel');
  assert.match(question, /Open Quarterly report Q3\.pdf with the system's default application\?/);
  await third.locator('.attachment', { hasText: 'invoicegpj.exe' }).locator('.attachment-open').click();
  assert.match(await answerDialog(page, 'does not open programs', 'Cancel'), /POP3 Mail does not open programs: invoicegpj\.exe/);
  assert.equal(copies().some((f) => /Quarterly|invoice/.test(f)), false, 'no copy of what was not opened');

  // The copies go when the message view that opened them closes.
  await closeAllEditors(page);
  await waitUntil('the copies removed', () => copies().length === 0, 10_000);

  // A MIME bomb is refused with a clear message in the view (the parser runs in a worker with limits).
  const bomb = await openMessage(VIEW.bomb);
  await bomb.locator('#status.error', { hasText: 'looks like a MIME bomb' }).waitFor();
  await screenshot(page, 'message-view-bomb-refused');
});

test('Show Source opens the raw message read-only; an .eml file in the workspace opens in the viewer', async () => {
  await openMessage(VIEW.plain);
  await runCommand(page, 'POP3 Mail: Show Source');
  await page.locator('.tab', { hasText: '.eml' }).first().waitFor({ timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines', { hasText: 'Message-ID' }).first().waitFor({ timeout: 15_000 });

  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget .quick-input-box input').fill('saved-mail.eml');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'saved-mail.eml' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  const subject = 'From a file: build failure in src/app.ts';
  const fileView = await viewShowing(subject);
  assert.match((await fileView.locator('#security-text').textContent()) ?? '', /local \.eml file/);
  assert.equal(await page.locator('.tab', { hasText: 'saved-mail.eml' }).count(), 1, 'the tab is the file');
  await screenshot(page, 'message-view-eml-editor');
});
