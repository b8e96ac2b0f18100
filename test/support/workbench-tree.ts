// The Inbox tree in the workbench: rows, their context menus and hovers, and
// clicks that a tree redraw may swallow (repeated, bounded).
import type { Locator, Page } from 'playwright-core';
import { waitUntil } from './wait';
import { clearNotifications } from './workbench-notifications';

export const TREE_ROWS = '.pane-body .monaco-list-row';

export function treeRow(page: Page, text: string | RegExp): Locator {
  return page.locator(TREE_ROWS, { hasText: text }).first();
}

/** The labels (without descriptions) of the visible tree rows. */
export async function treeLabels(page: Page): Promise<string[]> {
  return (await page.locator(`${TREE_ROWS} .label-name`).allInnerTexts()).map((t) => t.trim());
}

/**
 * Right-clicks a row and runs a context menu entry by its label; returns the
 * menu's labels. A click that lands while the menu is still settling leaves
 * it open, so the click is repeated (bounded) until the menu closes.
 */
export async function contextMenu(page: Page, row: Locator, label: string | RegExp): Promise<string[]> {
  await row.click({ button: 'right' });
  const menu = page.locator('.monaco-menu').first();
  await menu.waitFor({ state: 'visible' });
  const labels = (await menu.locator('.action-label').allInnerTexts()).map((l) => l.trim()).filter(Boolean);
  const item = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: label }) }).first();
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!(await menu.isVisible())) return labels;
    await item.click().catch(() => undefined);
    if (await menu.waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false)) return labels;
  }
  throw new Error(`the context menu entry ${String(label)} did not run; the menu stays open`);
}

/** The labels of a row's context menu (closed again with Escape). */
export async function contextMenuLabels(page: Page, row: Locator): Promise<string[]> {
  await row.click({ button: 'right' });
  const menu = page.locator('.monaco-menu');
  await menu.first().waitFor({ state: 'visible' });
  const labels = (await menu.locator('.action-label').allInnerTexts()).map((l) => l.trim()).filter(Boolean);
  await page.keyboard.press('Escape');
  return labels;
}

/**
 * Clicks a message row until its tab shows (at most 3 clicks). VS Code drops a row's click command while
 * an ancestor row is redrawn (the extension keeps that rare: counts are redrawn once the user pauses), so
 * a click in that moment does nothing, and a user clicks again.
 */
export async function openRow(p: Page, subject: string): Promise<void> {
  const tab = p.locator('.tab', { hasText: subject }).first();
  for (let attempt = 1; ; attempt++) {
    await treeRow(p, subject).click();
    try {
      await tab.waitFor({ timeout: attempt < 3 ? 5_000 : 20_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await clearNotifications(p); // a dropped click shows VS Code's "command not found"
    }
  }
}

/**
 * Opens or closes a tree row (an account, folder or date group) by clicking
 * it while it is not as wanted: a click that lands while VS Code redraws the
 * tree can select the row without toggling it, so it is repeated (at most 3
 * clicks), and the row must end up as wanted.
 */
export async function setExpanded(page: Page, label: string | RegExp, open: boolean): Promise<void> {
  const state = async (): Promise<boolean> => (await treeRow(page, label).getAttribute('aria-expanded')) === String(open);
  await treeRow(page, label).waitFor();
  for (let attempt = 0; attempt < 3 && !(await state()); attempt++) {
    await treeRow(page, label).click();
    await waitUntil(`${String(label)} ${open ? 'open' : 'closed'}`, state, 3000).catch(() => undefined);
  }
  if (!(await state())) throw new Error(`${String(label)} is not ${open ? 'open' : 'closed'} after 3 clicks`);
}

/**
 * Moves the mouse out of the way and waits until no hover shows: a row's
 * tooltip left over from the last click can cover the next row to click.
 */
export async function dismissHover(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  const hovers = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /\S/ });
  await waitUntil('no hover', async () => !(await hovers.first().isVisible().catch(() => false)), 10_000);
}

/** The hover widget's text once it shows (tooltips of tree rows and status bar items). */
export async function hoverText(page: Page, target: Locator): Promise<string> {
  // A hover left over from before must go first, or its text would be read instead.
  await dismissHover(page);
  // Near the left edge: hovering an overflowing label would make Playwright scroll it sideways.
  await target.hover({ position: { x: 60, y: 8 } });
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /\S/ }).first();
  await hover.waitFor({ state: 'visible', timeout: 10_000 });
  return hover.innerText();
}
