// What the workbench tells the user: notification toasts, the notification
// center and the status bar.
import type { Locator, Page } from 'playwright-core';
import { runCommand } from './workbench-input';

const NOTIFICATION_CENTER = '.notifications-center';

/** A notification toast containing `text`. */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text }).first();
}

/** Closes every notification toast (they cover the lower right corner). */
export async function clearNotifications(page: Page): Promise<void> {
  for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) await close.click().catch(() => undefined);
  for (const close of await page.locator('.notification-toast .codicon-close').all()) await close.click().catch(() => undefined);
}

/** Closes every notification (toasts and the center's list) with the workbench's own command: quicker than clicking each close button. */
export async function clearAllNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden' });
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

/** The status bar's text, including transient messages set with setStatusBarMessage. */
export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' ');
}
