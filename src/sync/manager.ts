// Runs fetches: several accounts in parallel, each account one session at a
// time. A second request for a busy account joins the running one instead
// of opening another session (POP3 locks the maildrop: [IN-USE]). Each run
// gets its own AbortSignal so "Cancel All" can stop every one of them.

export class SyncManager<T> {
  private readonly running = new Map<string, { promise: Promise<T>; controller: AbortController }>();

  /** True while a run for this account key is going on. */
  isBusy(key: string): boolean {
    return this.running.has(key);
  }

  /** How many runs are going on. */
  get size(): number {
    return this.running.size;
  }

  /**
   * The running fetch for `key`, or a new one started with `start`. The entry
   * is gone before `promise` settles for its callers, so code awaiting it sees
   * the account free again.
   */
  run(key: string, start: (signal: AbortSignal) => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.running.get(key);
    if (existing) return { promise: existing.promise, joined: true };
    const controller = new AbortController();
    const promise = Promise.resolve()
      .then(() => start(controller.signal))
      .finally(() => {
        if (this.running.get(key)?.promise === promise) this.running.delete(key);
      });
    this.running.set(key, { promise, controller });
    return { promise, joined: false };
  }

  /** Aborts every running fetch; returns how many there were. */
  abortAll(): number {
    const n = this.running.size;
    for (const { controller } of this.running.values()) controller.abort();
    return n;
  }
}
