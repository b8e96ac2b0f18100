// User settings and the colour theme, changed the way a user does: code-server
// does not watch settings.json, so a test cannot just rewrite the file; it
// reads the file to see what VS Code wrote.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CodeServer } from './code-server';
import { QUICK_INPUT_BOX, runCommand } from './workbench-input';
import { waitUntil } from './wait';

const SETTINGS_EDITOR = '.settings-editor';

export function settingsFile(editor: CodeServer): string {
  return path.join(editor.userDataDir, 'User', 'settings.json');
}

export function readSettings(editor: CodeServer): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(settingsFile(editor), 'utf8')) as Record<string, unknown>;
}

/** settings.json as VS Code last wrote it; undefined while a write is half done. */
function settingsNow(editor: CodeServer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(settingsFile(editor), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Sets a boolean, number or enum (string) user setting in the Settings
 * editor (search by its id, toggle the checkbox, type the number or pick the
 * value in the drop-down), waits until VS Code has written it to
 * settings.json, and closes the editor again.
 */
export async function setUserSetting(page: Page, editor: CodeServer, id: string, value: boolean | number | string): Promise<void> {
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
  } else if (typeof value === 'string') {
    // The workbench draws its own drop-down list for a select box.
    await item.locator('select.monaco-select-box').click();
    // By the option's own text: a row also shows "default" beside the default value.
    const option = page.locator('.monaco-select-box-dropdown-container .monaco-list-row .option-text', { hasText: new RegExp(`^\\s*${value}\\s*$`) }).first();
    await option.waitFor();
    await option.click();
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
