// More workbench helpers for the e2e tests: changing a user setting the way
// a user does (code-server does not watch settings.json, so a test cannot
// just rewrite the file), answering code-server's simple file dialog, the
// colour theme, and the status bar's transient messages.
import type { Page } from 'playwright-core';
import * as fs from 'node:fs';
import { runCommand, type CodeServer } from './code-server';
import { settingsFile, waitUntil } from './workbench';

const SETTINGS_EDITOR = '.settings-editor';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';
const NOTIFICATION_CENTER = '.notifications-center';

/** settings.json as VS Code last wrote it; undefined while a write is half done. */
function settingsNow(editor: CodeServer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(settingsFile(editor), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Sets a boolean or number user setting in the Settings editor (search by
 * its id, toggle the checkbox or type the number), waits until VS Code has
 * written it to settings.json, and closes the editor again.
 */
export async function setUserSetting(page: Page, editor: CodeServer, id: string, value: boolean | number): Promise<void> {
  const before = settingsNow(editor)?.[id];
  await runCommand(page, 'Preferences: Open User Settings');
  const settings = page.locator(SETTINGS_EDITOR);
  await settings.waitFor();
  // The search box is a small Monaco editor; it has the focus when the editor opens.
  const search = settings.locator('.settings-header .suggest-input-container .monaco-editor').first();
  await search.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(`@id:${id}`);
  // The row of this setting (the list shows only matches once the search applied).
  const item = settings.locator('.settings-body .setting-item-contents', { has: page.locator('.setting-item-title') }).first();
  await waitUntil(`the setting ${id} in the Settings editor`, async () => (await settings.locator('.settings-body .setting-item-contents').count()) === 1, 20_000);
  if (typeof value === 'boolean') {
    const box = item.locator('.setting-value-checkbox');
    if (((await box.getAttribute('aria-checked')) === 'true') !== value) await box.click();
  } else {
    const input = item.locator('input').first();
    await input.fill(String(value));
    await input.press('Tab');
  }
  // Set back to its default, a setting leaves settings.json instead.
  await waitUntil(`${id} = ${value} in settings.json`, () => {
    const now = settingsNow(editor);
    return now !== undefined && (now[id] === value || (now[id] === undefined && before !== undefined));
  }, 20_000);
  // Its tab's close button: the palette's keys may not reach the workbench from a settings field.
  await page.locator('.tabs-container .tab', { hasText: 'Settings' }).locator('.codicon-close').click();
  await settings.waitFor({ state: 'hidden' });
}

/** Picks a colour theme the way a user does, e.g. 'Dark Modern', and waits until the workbench shows it. */
export async function setTheme(page: Page, label: 'Light Modern' | 'Dark Modern'): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor();
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.locator(label === 'Dark Modern' ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').waitFor();
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

/** The status bar's text, including transient messages set with setStatusBarMessage. */
export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' ');
}

/** Opens the notification center (it lists every notification not closed yet, whether its toast still shows or not). */
export async function showNotificationCenter(page: Page): Promise<void> {
  if (!(await page.locator(NOTIFICATION_CENTER).isVisible())) await runCommand(page, 'Notifications: Show Notifications');
  await page.locator(NOTIFICATION_CENTER).waitFor();
}

/** Closes the notification center if it is open (an action run from it may have closed it already). */
export async function hideNotificationCenter(page: Page): Promise<void> {
  if (await page.locator(NOTIFICATION_CENTER).isVisible()) await runCommand(page, 'Notifications: Hide Notifications');
  await page.locator(NOTIFICATION_CENTER).waitFor({ state: 'hidden' });
}

/** Closes every notification (toasts and the center's list) with the workbench's own command: quicker than clicking each close button. */
export async function clearAllNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden' });
}

/**
 * Closes every editor and waits until no tab is left: the command runs after
 * the palette has closed, so the next step must not race it. A webview that
 * takes the focus while the palette is open closes the palette, losing the
 * command, which is then run again (at most 3 times).
 */
export async function closeAllEditors(page: Page): Promise<void> {
  const tabs = page.locator('.part.editor .tabs-container .tab');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'View: Close All Editor Groups');
    const closed = await waitUntil('every editor closed', async () => (await tabs.count()) === 0, 5000).then(
      () => true,
      () => false,
    );
    if (closed) return;
    if (attempt === 3) throw new Error(`Close All Editor Groups left ${await tabs.count()} tabs open`);
  }
}
