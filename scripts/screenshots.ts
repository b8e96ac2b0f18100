// The README's pictures, taken from a real editor (code-server) against a real
// Dovecot, the way the e2e tests run them:
//   docs/images/inbox-light.png, inbox-dark.png      the inbox with a message open
//   docs/images/message-light.png, message-dark.png  the message view alone
//   docs/images/add-fetch-preview.gif                add an account, fetch, preview
// Run after `npm run package`, one editor run at a time on a shared machine:
//   flock /tmp/pop3-e2e.lock node --import tsx scripts/screenshots.ts
// Needs ImageMagick's convert for the animation (Debian: apt-get install -y imagemagick).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ACTIVITY_BAR_ENTRY, launchBrowser, openWorkbench, startCodeServer, type CodeServer } from '../test/support/code-server';
import { startDovecot, type Dovecot } from '../test/support/dovecot';
import { generateMailbox } from '../test/support/mailgen';
import { waitUntil } from '../test/support/wait';
import { closeAllEditors, findFrameWith } from '../test/support/workbench-editors';
import { QUICK_INPUT_BOX, runCommand } from '../test/support/workbench-input';
import { clearAllNotifications, toast } from '../test/support/workbench-notifications';
import { setTheme } from '../test/support/workbench-settings';
import { dismissHover, setExpanded, treeRow } from '../test/support/workbench-tree';

const ROOT = path.resolve(__dirname, '..');
const IMAGES = path.join(ROOT, 'docs', 'images');
const VSIX = path.join(ROOT, 'dist', 'pop3-mail.vsix');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'view');
const PASSWORD = 'readme-Shots-42';
/** The animation's width; the workbench is 1400 x 900. */
const GIF_WIDTH = 900;

interface Frame {
  readonly file: string;
  /** How long it shows, in hundredths of a second (GIF delay units). */
  readonly delay: number;
}

function fixture(name: string): string {
  const date = new Date(Date.now() - 20 * 60_000).toUTCString().replace('GMT', '+0000');
  // Remote images point at the discard port: the view blocks them anyway, and nothing leaves the machine.
  const vars: Record<string, string> = { DATE: date, HTTPS: 'https://127.0.0.1:9' };
  return fs
    .readFileSync(path.join(FIXTURES, name), 'utf8')
    .replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m)
    .replace(/\r?\n/g, '\r\n');
}

/** A plain message with two attachments, for the message view's picture. */
function reportMail(): string {
  const date = new Date(Date.now() - 35 * 60_000).toUTCString().replace('GMT', '+0000');
  const pdf = Buffer.from('%PDF-1.4\n% Q3 report\n').toString('base64');
  const csv = Buffer.from('month,budget,spent\nJuly,12000,11240\nAugust,12000,12810\nSeptember,12000,11930\n').toString('base64');
  return [
    'From: "Carol Finance" <carol@example.org>',
    'To: "Alice Example" <alice@example.com>',
    'Subject: Q3 report and the budget sheet',
    `Date: ${date}`,
    'Message-ID: <q3-report@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="q3"',
    '',
    '--q3',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hi Alice,',
    '',
    "here are the Q3 report and the budget sheet for Thursday's review.",
    'August ran over by about 7 %; the sheet has the details per month.',
    '',
    'Thanks,',
    'Carol',
    '--q3',
    'Content-Type: application/pdf; name="Q3 report.pdf"',
    'Content-Disposition: attachment; filename="Q3 report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    pdf,
    '--q3',
    'Content-Type: text/csv; name="budget-2026.csv"',
    'Content-Disposition: attachment; filename="budget-2026.csv"',
    'Content-Transfer-Encoding: base64',
    '',
    csv,
    '--q3--',
    '',
  ].join('\r\n');
}

class Recorder {
  readonly frames: Frame[] = [];
  constructor(
    private readonly page: Page,
    private readonly dir: string,
  ) {}

  async frame(delay: number): Promise<void> {
    const file = path.join(this.dir, `frame-${String(this.frames.length).padStart(3, '0')}.png`);
    await this.page.screenshot({ path: file });
    this.frames.push({ file, delay });
  }
}

/** Waits for wizard step `step` (e.g. '(2/9)'), types `text` so it shows, records a frame, accepts. */
async function wizardStep(page: Page, rec: Recorder, step: string, text: string | undefined): Promise<void> {
  const title = page.locator('.quick-input-widget .quick-input-title');
  await waitUntil(`wizard step ${step}`, async () => (await title.isVisible()) && (await title.innerText()).includes(step));
  const box = page.locator(QUICK_INPUT_BOX);
  if (text !== undefined) await box.fill(text);
  await rec.frame(110);
  await box.press('Enter');
}

async function openMessage(page: Page, subject: string): Promise<void> {
  await treeRow(page, subject).click();
  await findFrameWith(page, `#subject:has-text(${JSON.stringify(subject.slice(0, 30))})`);
  // Fonts and images of the view settle after its first paint.
  await page.waitForTimeout(1000);
  await page.mouse.move(1390, 890);
}

async function stills(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await closeAllEditors(page);
  await openMessage(page, 'Weekly Dev Digest');
  await page.screenshot({ path: path.join(IMAGES, `inbox-${theme}.png`) });
  await closeAllEditors(page);
  await openMessage(page, 'Q3 report and the budget sheet');
  await page.locator('.part.editor').screenshot({ path: path.join(IMAGES, `message-${theme}.png`) });
}

async function main(): Promise<void> {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run npm run package first`);
  fs.mkdirSync(IMAGES, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-shots-'));
  let dovecot: Dovecot | undefined;
  let editor: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }] });
    generateMailbox(2024, 14, { now: Date.now() - 3600_000, to: 'alice@example.com' }).forEach((raw, i) => dovecot!.deliver('alice', raw, `gen${i}`));
    dovecot.deliver('alice', reportMail(), 'report');
    dovecot.deliver('alice', fixture('30-newsletter.eml'), 'newsletter');
    editor = await startCodeServer({
      vsix: VSIX,
      settings: { 'pop3Mail.checkOnStartup': false, 'pop3Mail.checkInterval': 0, 'workbench.colorTheme': 'Default Light Modern' },
    });
    let page: Page;
    ({ browser, page } = await launchBrowser());
    const rec = new Recorder(page, work);

    // Add account -> fetch -> preview, one frame per step.
    await openWorkbench(page, editor.url);
    await page.locator(ACTIVITY_BAR_ENTRY).click();
    await page.locator('.pane-body', { hasText: 'No POP3 account yet' }).waitFor();
    await dismissHover(page);
    await rec.frame(160);
    await runCommand(page, 'POP3 Mail: Add Account');
    await wizardStep(page, rec, '(1/9)', undefined);
    await wizardStep(page, rec, '(2/9)', 'localhost');
    await wizardStep(page, rec, '(3/9)', undefined);
    await wizardStep(page, rec, '(4/9)', String(dovecot.pop3sPort));
    await wizardStep(page, rec, '(5/9)', 'alice');
    await wizardStep(page, rec, '(6/9)', undefined);
    await wizardStep(page, rec, '(7/9)', PASSWORD);
    await wizardStep(page, rec, '(8/9)', dovecot.caFile);
    await wizardStep(page, rec, '(9/9)', undefined);
    const added = toast(page, 'Account added: alice@localhost');
    await added.waitFor({ timeout: 30_000 });
    await rec.frame(140);
    await added.locator('.monaco-button', { hasText: 'Fetch Now' }).click();
    await waitUntil('the fetched mail in the tree', () => treeRow(page, 'Weekly Dev Digest').isVisible(), 60_000);
    // The progress notification closes a moment after the fetch.
    await waitUntil('the fetch progress closed', async () => !(await page.locator('.notification-toast', { hasText: 'messages,' }).isVisible()), 15_000);
    await page.mouse.move(1390, 890);
    await rec.frame(160);
    await openMessage(page, 'Weekly Dev Digest');
    await rec.frame(350);

    const args = rec.frames.flatMap((f) => ['-delay', String(f.delay), f.file]);
    const gif = path.join(IMAGES, 'add-fetch-preview.gif');
    execFileSync('convert', [...args, '-resize', `${GIF_WIDTH}x`, '-colors', '128', '-layers', 'Optimize', '-loop', '0', gif]);
    console.log(`${path.relative(ROOT, gif)}: ${rec.frames.length} frames, ${fs.statSync(gif).size} bytes`);

    // The stills, light then dark; the groups open so the tree shows more than its headers.
    await clearAllNotifications(page);
    // The newest month group open too, so the tree shows more than headers.
    await setExpanded(page, /^[A-Z][a-z]+ \d{4}/, true);
    await stills(page, 'light');
    await setTheme(page, 'Dark Modern');
    await stills(page, 'dark');
    for (const f of fs.readdirSync(IMAGES)) console.log(`docs/images/${f}: ${fs.statSync(path.join(IMAGES, f)).size} bytes`);
  } finally {
    await browser?.close().catch(() => undefined);
    await editor?.stop();
    await dovecot?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
