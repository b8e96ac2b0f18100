// Automatic checks: once after startup and then every N minutes (settings
// pop3Mail.checkOnStartup and pop3Mail.checkInterval). Background checks
// never prompt: see FetchService (request.background).
import * as vscode from 'vscode';
import { affects, setting } from '../common/config';
import type { FetchService } from './fetch-service';

/** Startup check delay: let the editor settle first. */
const STARTUP_DELAY_MS = 5_000;

export class CheckScheduler implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private startup: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly fetcher: FetchService) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'checkInterval')) this.schedule();
    });
  }

  start(): void {
    if (setting('checkOnStartup')) {
      this.startup = setTimeout(() => void this.fetcher.fetchAll({ background: true }), STARTUP_DELAY_MS);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const minutes = setting('checkInterval');
    if (minutes <= 0) return;
    const ms = Math.max(1, minutes) * 60_000;
    this.timer = setInterval(() => void this.fetcher.fetchAll({ background: true }), ms);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.startup) clearTimeout(this.startup);
    this.subscription.dispose();
  }
}
