// Automatic checks: once after startup and then every N minutes, per
// account (its `checkInterval` field, else the pop3Mail.checkInterval
// setting; pop3Mail.checkOnStartup). The interval counts from the last
// check by any window (the store's shared record), so several windows check
// an account once per interval between them. Background checks never
// prompt: see FetchService (request.background).
import * as vscode from 'vscode';
import { readLastCheck } from '../../store/last-check';
import { accountKey, type AccountConfig } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { setting } from '../common/config';
import type { Stores } from '../common/stores';
import { dueAccounts, intervalMinutes } from './check-due';
import type { FetchService } from './fetch-service';

/** Startup check delay: let the editor settle first. */
const STARTUP_DELAY_MS = 5_000;
/** How often the scheduler looks for due accounts; a check may run up to half of this early. */
const TICK_MS = 60_000;

/** Minutes between automatic checks of an account: its own, else the global setting. */
export function checkIntervalOf(accounts: Accounts, account: AccountConfig): number {
  return intervalMinutes(accounts.policyOf(accountKey(account)).checks?.checkInterval, setting('checkInterval'));
}

export class CheckScheduler implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private startup: NodeJS.Timeout | undefined;
  private readonly since = Date.now();
  private ticking = false;

  constructor(
    private readonly fetcher: FetchService,
    private readonly accounts: Accounts,
    private readonly stores: Stores,
  ) {}

  start(): void {
    if (setting('checkOnStartup')) {
      this.startup = setTimeout(() => void this.checkAtStartup(), STARTUP_DELAY_MS);
    }
    this.timer = setInterval(() => void this.tick(), TICK_MS);
  }

  /** Every account but those whose own interval is 0 ("never automatically"). */
  private async checkAtStartup(): Promise<void> {
    for (const account of this.accounts.list()) {
      if (this.accounts.policyOf(accountKey(account)).checks?.checkInterval === 0) continue;
      await this.fetcher.fetchAccount(account, { background: true });
    }
  }

  /** Checks the accounts that are due, one after the other (as Fetch All does). */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const due = dueAccounts({
        accounts: this.accounts.list(),
        intervalOf: (a) => checkIntervalOf(this.accounts, a),
        lastCheckOf: (a) => {
          const here = this.fetcher.stateOf(a).lastCheck;
          const shared = readLastCheck(this.stores.dirFor(a));
          return here === undefined ? shared : shared === undefined ? here : Math.max(here, shared);
        },
        since: this.since,
        now: Date.now(),
        toleranceMs: TICK_MS / 2,
      });
      for (const account of due) await this.fetcher.fetchAccount(account, { background: true });
    } finally {
      this.ticking = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.startup) clearTimeout(this.startup);
  }
}
