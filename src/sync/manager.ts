// Runs fetches: several accounts in parallel, each account one session at a
// time. A second request for a busy account joins the running one instead
// of opening another session (POP3 locks the maildrop: [IN-USE]).

import type { FetchResult } from './fetch';

export class SyncManager {
  private readonly running = new Map<string, Promise<FetchResult>>();

  /** True while a fetch for this account key runs. */
  isBusy(key: string): boolean {
    return this.running.has(key);
  }

  /** The running fetch for `key`, or a new one started with `start`. */
  run(key: string, start: () => Promise<FetchResult>): { promise: Promise<FetchResult>; joined: boolean } {
    const existing = this.running.get(key);
    if (existing) return { promise: existing, joined: true };
    const promise = start().finally(() => {
      if (this.running.get(key) === promise) this.running.delete(key);
    });
    this.running.set(key, promise);
    return { promise, joined: false };
  }
}
