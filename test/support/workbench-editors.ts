// Editors and webviews: closing every editor, and finding a webview's
// content in its nested iframes.
import type { Frame, Page } from 'playwright-core';
import { WEBVIEW_LOAD_TIMEOUT_MS } from './code-server';
import { sleep } from './processes';
import { runCommand } from './workbench-input';
import { waitUntil } from './wait';

/** Webview content lives in nested iframes: search every frame for the selector. */
export async function findFrameWith(page: Page, selector: string, timeoutMs = WEBVIEW_LOAD_TIMEOUT_MS): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      try {
        if ((await frame.$(selector)) !== null) return frame;
      } catch {
        // frame navigated or detached while we looked: try the others
      }
    }
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url().slice(0, 120));
      throw new Error(`no frame contains ${JSON.stringify(selector)} after ${timeoutMs} ms; frames: ${JSON.stringify(urls)}`);
    }
    await sleep(200);
  }
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
