// Giving the workbench input the way a user does: the command palette, quick
// inputs (showInputBox, showQuickPick), modal dialogs and code-server's simple
// file dialog.
import type { Page } from 'playwright-core';
import { UI_TIMEOUT_MS } from './code-server';
import { sleep } from './processes';
import { waitUntil } from './wait';

const QUICK_INPUT = '.quick-input-widget';

export const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;

const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

/**
 * Runs a command from the command palette by its label as shown there, for
 * example 'POP3 Mail: Add Account'. Prefers an exact label match.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  await openCommandPalette(page);
  await page.locator(QUICK_INPUT_BOX).fill(`>${title}`);
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    const labels = await page.locator(QUICK_INPUT_ROWS).evaluateAll((rows) =>
      rows.map((r) => (r.querySelector('.label-name')?.textContent ?? r.textContent ?? '').trim()),
    );
    let index = labels.findIndex((l) => l === title);
    if (index < 0) index = labels.findIndex((l) => l.toLowerCase().includes(title.toLowerCase()));
    if (index >= 0) {
      // Move the list focus to the row, then Enter: what a user's keyboard does.
      for (let k = 0; k < index; k++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await confirmPaletteClosed(page, title);
      return;
    }
    if (Date.now() > deadline) {
      await page.keyboard.press('Escape');
      throw new Error(`command ${JSON.stringify(title)} not in the palette; saw ${JSON.stringify(labels.slice(0, 15))}`);
    }
    await sleep(100);
  }
}

/**
 * An Enter that reaches the palette while its list is still being filtered
 * can be swallowed, and the palette then stays open with the typed command
 * (seen in CI: the next step waited for its picker in vain). When the
 * palette still shows the command after a moment, pick it again, by click.
 */
async function confirmPaletteClosed(page: Page, title: string): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  const stillTyped = async (): Promise<boolean> => (await box.isVisible()) && (await box.inputValue().catch(() => '')) === `>${title}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    for (let waited = 0; waited < 2000; waited += 100) {
      if (!(await stillTyped())) return;
      await sleep(100);
    }
    const row = page.locator(QUICK_INPUT_ROWS).filter({ hasText: title }).first();
    if ((await row.count()) > 0) await row.click().catch(() => undefined);
    else await page.keyboard.press('Enter');
  }
  if (await stillTyped()) throw new Error(`command ${JSON.stringify(title)} did not run: the palette stayed open`);
}

/** How long a command's picker may take to show before it counts as missed. */
const PICKER_GRACE_MS = 8000;

/**
 * Runs a command that opens a quick pick or an input box, and waits until
 * that picker (not the palette) is shown. A quick pick closes when it loses
 * the focus, and a webview or a tree that takes the focus late (as it
 * finishes loading) can close it the moment it opens; a user would run the
 * command again, and so does this, once, after printing what had the focus.
 * A second miss fails with that description.
 */
export async function openPicker(page: Page, title: string): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  const shown = async (): Promise<boolean> => (await box.isVisible()) && !(await box.inputValue().catch(() => '>')).startsWith('>');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    const deadline = Date.now() + (attempt === 1 ? PICKER_GRACE_MS : UI_TIMEOUT_MS);
    while (Date.now() < deadline) {
      if (await shown()) return;
      await sleep(100);
    }
    const seen = await describeFocus(page);
    if (attempt === 2) throw new Error(`the picker of ${JSON.stringify(title)} did not show, twice; ${seen}`);
    console.log(`the picker of ${JSON.stringify(title)} did not show within ${PICKER_GRACE_MS} ms (${seen}); running the command again`);
    if (await box.isVisible()) await page.keyboard.press('Escape');
  }
}

/** What has the focus and what is on top, in one line: for a failure message. */
export async function describeFocus(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      // Runs in the page; the repo's tsconfig has no DOM lib, hence the loose shapes.
      type El = { tagName: string; className: unknown; getAttribute(n: string): string | null; parentElement: El | null; textContent: string | null };
      const doc = (globalThis as unknown as { document: { activeElement: El | null; querySelectorAll(s: string): ArrayLike<El>; querySelector(s: string): (El & { value?: string }) | null } }).document;
      const describe = (e: El | null): string => {
        const path: string[] = [];
        for (let el = e, depth = 0; el && depth < 6; el = el.parentElement, depth++) {
          const cls = typeof el.className === 'string' ? el.className.split(/\s+/).filter(Boolean).slice(0, 3).join('.') : '';
          const label = el.getAttribute('aria-label');
          path.push(`${el.tagName.toLowerCase()}${cls ? `.${cls}` : ''}${label ? `[${label.slice(0, 40)}]` : ''}`);
        }
        return path.join(' < ');
      };
      const texts = (sel: string): string[] => Array.from(doc.querySelectorAll(sel)).map((e) => (e.textContent ?? '').trim().slice(0, 80));
      const widget = doc.querySelector('.quick-input-widget');
      const input = doc.querySelector('.quick-input-widget .quick-input-box input');
      return JSON.stringify({
        focus: describe(doc.activeElement),
        quickInput: widget ? { display: widget.getAttribute('style'), value: input?.value, title: texts('.quick-input-widget .quick-input-title')[0] } : null,
        tabs: texts('.part.editor .tabs-container .tab .label-name'),
        notifications: texts('.notifications-toasts .notification-list-item-message'),
        dialogs: texts('.monaco-dialog-box .dialog-message-text'),
      });
    })
    .catch((error: unknown) => `(the page could not be asked: ${String(error)})`);
}

async function openCommandPalette(page: Page): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  // F1 needs keyboard focus inside the workbench; if nothing has it yet, a
  // click into the editor area gives it without opening anything.
  for (const keys of ['F1', 'Control+Shift+P']) {
    await page.keyboard.press(keys);
    try {
      await box.waitFor({ state: 'visible', timeout: 3000 });
      return;
    } catch {
      await page.locator('.part.editor').click({ position: { x: 400, y: 300 } }).catch(() => undefined);
    }
  }
  await box.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
}

/**
 * Types into the visible quick input (showInputBox / showQuickPick) and
 * presses Enter. Waits until the input is there and is not the command
 * palette any more, so it is safe right after runCommand(). `expect` waits
 * for a prompt, placeholder or title containing it.
 */
export async function answerQuickInput(page: Page, text: string, expect?: string | RegExp): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  const deadline = Date.now() + UI_TIMEOUT_MS;
  for (;;) {
    if (await box.isVisible()) {
      const state = await page.locator(QUICK_INPUT).evaluate((w, input) => {
        // Runs in the page; the repo's tsconfig has no DOM lib, hence the shape.
        const el = w.querySelector(input) as { value: string; placeholder: string; getAttribute(name: string): string | null } | null;
        return {
          value: el?.value ?? '',
          prompt: [el?.placeholder, el?.getAttribute('aria-label'), w.querySelector('.quick-input-message')?.textContent, w.querySelector('.quick-input-title')?.textContent]
            .filter(Boolean)
            .join(' | '),
        };
      }, '.quick-input-box input');
      const isPalette = state.value.startsWith('>');
      const matches = expect === undefined || (typeof expect === 'string' ? state.prompt.includes(expect) : expect.test(state.prompt));
      if (!isPalette && matches) break;
      if (Date.now() > deadline) throw new Error(`quick input not ready for ${JSON.stringify(text)}: value ${JSON.stringify(state.value)}, prompt ${JSON.stringify(state.prompt)}`);
    } else if (Date.now() > deadline) {
      throw new Error(`no quick input appeared within ${UI_TIMEOUT_MS} ms (to answer ${JSON.stringify(text)})`);
    }
    await sleep(100);
  }
  await box.fill(text);
  await box.press('Enter');
}

/** Waits for a modal dialog containing `text`, returns its text, clicks `button`. */
export async function answerDialog(page: Page, text: string | RegExp, button: string): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: text });
  await dialog.waitFor({ state: 'visible' });
  const all = await dialog.innerText();
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden' });
  return all;
}

/**
 * code-server's save and open dialogs are VS Code's simple file dialog: a
 * quick input whose box holds a path, filled in steps (folder first, then
 * the proposed name). Waits until the box holds a value `ready` accepts and
 * returns it; the dialog stays open.
 */
export async function simpleDialogValue(page: Page, ready: (value: string) => boolean, what: string): Promise<string> {
  const box = page.locator(QUICK_INPUT_BOX);
  let value = '';
  await waitUntil(`the file dialog (${what}); its box holds ${JSON.stringify(value)}`, async () => {
    if (!(await box.isVisible())) return false;
    value = await box.inputValue();
    return ready(value);
  });
  return value;
}

/**
 * Types a path into the simple file dialog, waits until the box keeps it,
 * and accepts it with the dialog's OK button, labelled `okLabel` (Enter on
 * a folder would open the folder instead of choosing it).
 */
export async function answerSimpleDialog(page: Page, target: string, okLabel: string): Promise<void> {
  const box = page.locator(QUICK_INPUT_BOX);
  await box.fill(target);
  // The dialog completes and rewrites the value as you type; wait until it settles on ours.
  await waitUntil(`the dialog box to hold ${target}`, async () => (await box.inputValue()) === target);
  await page.locator('.quick-input-widget .monaco-button', { hasText: okLabel }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}
