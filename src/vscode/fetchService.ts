// "Fetch Mail" for the editor: one cancellable progress notification per
// account, password prompts, AuthFailed -> ask again and retry once,
// transient errors -> a Retry action. The core does the work (src/sync).
import * as vscode from 'vscode';
import { Pop3Error } from '../pop3/errors';
import { accountKey, type AccountConfig } from '../sync/account';
import { fetchMail, type FetchProgress, type FetchResult } from '../sync/fetch';
import type { Accounts } from './accounts';
import { describeError, logError } from './errors';
import type { Passwords } from './passwords';
import { askPassword } from './prompts';
import type { Stores } from './stores';
import { displayLine, formatBytes, notificationText, progressText } from './text';

export type FetchOutcome = 'done' | 'failed' | 'cancelled';

export interface FetchRequest {
  /** The user confirmed that every message looking new is expected (server migration, T26). */
  readonly acceptNewUidls?: boolean;
}

export class FetchService implements vscode.Disposable {
  private readonly running = new Map<string, Promise<FetchOutcome>>();
  private readonly fetched = new vscode.EventEmitter<AccountConfig>();
  /** Fires after every fetch attempt that may have changed a store (also after failures: partial downloads count). */
  readonly onDidFetch = this.fetched.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly passwords: Passwords,
    private readonly stores: Stores,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.fetched.dispose();
  }

  /** Every account, one after the other (their password prompts must not overlap). Cancelling one stops the rest. */
  async fetchAll(): Promise<void> {
    const accounts = this.accounts.list();
    if (accounts.length === 0) {
      void vscode.window.showInformationMessage('POP3 Mail: no account yet.', 'Add Account').then((choice) => {
        if (choice === 'Add Account') void vscode.commands.executeCommand('pop3Mail.addAccount');
      });
      return;
    }
    for (const account of accounts) {
      if ((await this.fetchAccount(account)) === 'cancelled') return;
    }
  }

  /** Fetches one account; a second call while it runs joins the running fetch. */
  fetchAccount(account: AccountConfig, request: FetchRequest = {}): Promise<FetchOutcome> {
    const key = accountKey(account);
    let run = this.running.get(key);
    if (!run) {
      run = this.run(account, request).finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }

  private async run(account: AccountConfig, request: FetchRequest): Promise<FetchOutcome> {
    let password = await this.passwords.get(account);
    if (password === undefined) {
      password = await askPassword(account);
      if (password === undefined) return 'cancelled';
      await this.passwords.set(account, password);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.fetchOnce(account, password, request);
        this.afterFetch(account, result);
        return 'done';
      } catch (error) {
        this.fetched.fire(account);
        if (Pop3Error.is(error, 'Aborted')) return 'cancelled';
        if (Pop3Error.is(error, 'AuthFailed') && attempt === 0) {
          const again = await askPassword(account, `The server rejected the password for ${account.user} on ${account.host}. Enter it again.`);
          if (again === undefined) return 'cancelled';
          password = again;
          await this.passwords.set(account, again);
          continue;
        }
        this.report(account, error);
        return 'failed';
      }
    }
  }

  /** Tells the user what the core flagged; like errors, without waiting for an answer. */
  private afterFetch(account: AccountConfig, result: FetchResult): void {
    const name = displayLine(account.name, 120);
    for (const warning of result.warnings) this.log.warn(`fetch ${name}: ${notificationText(warning, 500)}`);
    const anomaly = result.plan.anomaly;
    if (anomaly) {
      const message =
        `POP3 Mail: all ${anomaly.count} messages on ${name} have ids never seen before, although the server kept mail last time ` +
        '(a server migration?). Nothing was downloaded. Download them all again? This may create duplicates.';
      void vscode.window.showWarningMessage(message, 'Download All', 'Show Log').then((choice) => {
        if (choice === 'Download All') void this.fetchAccount(account, { acceptNewUidls: true });
        else if (choice === 'Show Log') this.log.show(true);
      });
      return;
    }
    const [first] = result.warnings;
    if (first !== undefined) {
      const more = result.warnings.length > 1 ? ` (and ${result.warnings.length - 1} more in the log)` : '';
      void vscode.window.showWarningMessage(`POP3 Mail: ${name}: ${notificationText(first, 300)}${more}`, 'Show Log').then((choice) => {
        if (choice === 'Show Log') this.log.show(true);
      });
    }
  }

  /** Shows the error without waiting for it: a notification can stay open for a long time. */
  private report(account: AccountConfig, error: unknown): void {
    const message = describeError(`POP3 Mail: fetching ${displayLine(account.name, 120)} failed`, error);
    const transient = Pop3Error.is(error) && error.isTransient();
    const actions = transient ? ['Retry', 'Show Log'] : ['Open Settings', 'Show Log'];
    void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
      switch (choice) {
        case 'Retry':
          void this.fetchAccount(account);
          break;
        case 'Open Settings':
          void vscode.commands.executeCommand('workbench.action.openSettings', 'pop3Mail.accounts');
          break;
        case 'Show Log':
          this.log.show(true);
          break;
        default:
          break;
      }
    });
  }

  private fetchOnce(account: AccountConfig, password: string, request: FetchRequest): Thenable<FetchResult> {
    const name = displayLine(account.name, 120);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `POP3 Mail: ${name}`, cancellable: true },
      async (progress, token) => {
        // The boundary: a CancellationToken outside, an AbortSignal inside.
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        if (token.isCancellationRequested) controller.abort();
        const started = Date.now();
        let percent = 0;
        const onProgress = (p: FetchProgress): void => {
          const now = p.totalBytes > 0 ? (100 * p.bytes) / p.totalBytes : p.totalMessages > 0 ? (100 * p.messages) / p.totalMessages : 0;
          const increment = Math.max(0, Math.min(100, now) - percent);
          percent += increment;
          progress.report({ message: progressText(p.messages, p.totalMessages, p.bytes), increment });
        };
        progress.report({ message: 'Connecting\u2026' });
        try {
          const store = await this.stores.get(account);
          const result = await fetchMail({
            account,
            password,
            store,
            signal: controller.signal,
            onProgress,
            trace: this.tracer(name, password),
            acceptNewUidls: request.acceptNewUidls === true,
          });
          const extra = `${result.headersOnly ? `, ${result.headersOnly} headers only` : ''}${result.deleted ? `, ${result.deleted} deleted on the server` : ''}`;
          this.log.info(`fetch ${name}: ${result.downloaded} new (${formatBytes(result.bytes)}${extra}), ${result.onServer} on server, ${Date.now() - started} ms`);
          this.fetched.fire(account);
          if (result.downloaded > 0) {
            vscode.window.setStatusBarMessage(`POP3 Mail: ${result.downloaded} new message${result.downloaded === 1 ? '' : 's'} for ${name}`, 5000);
          }
          return result;
        } catch (error) {
          const cancelled = controller.signal.aborted || Pop3Error.is(error, 'Aborted');
          this.log.info(`fetch ${name}: ${cancelled ? 'cancelled' : 'failed'} after ${Date.now() - started} ms`);
          if (!cancelled) this.log.error(`fetch ${name}: ${logError(error)}`);
          if (cancelled && !Pop3Error.is(error, 'Aborted')) throw new Pop3Error('Aborted', 'Fetch cancelled', { cause: error });
          throw error;
        } finally {
          subscription.dispose();
        }
      },
    );
  }

  /** The core's redacted trace at trace level; a leaked password would still be masked here. */
  private tracer(name: string, password: string): (line: string) => void {
    return (line) => {
      if (this.log.logLevel !== vscode.LogLevel.Trace) return;
      const masked = password.length >= 3 ? line.split(password).join('[redacted]') : line;
      this.log.trace(`[${name}] ${displayLine(masked, 2000)}`);
    };
  }
}
