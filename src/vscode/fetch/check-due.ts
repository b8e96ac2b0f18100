// Which accounts an automatic check is due for: each account's own interval
// (its `checkInterval` field) or the global one, counted from its last check
// by any window. Pure, so that the rule is tested without an editor.

export interface DueInput<A> {
  readonly accounts: readonly A[];
  /** Minutes between checks for the account; 0 or less: never. */
  readonly intervalOf: (account: A) => number;
  /** Epoch ms of the account's last check (by this or another window), if any. */
  readonly lastCheckOf: (account: A) => number | undefined;
  /** When this window's checks began: an account never checked is due one interval after. */
  readonly since: number;
  readonly now: number;
  /** How early a check may run: the scheduler looks once per tick, so up to one tick early. */
  readonly toleranceMs: number;
}

export function dueAccounts<A>(input: DueInput<A>): A[] {
  return input.accounts.filter((account) => {
    const minutes = input.intervalOf(account);
    if (!(minutes > 0)) return false;
    const last = input.lastCheckOf(account) ?? input.since;
    return input.now - last >= minutes * 60_000 - input.toleranceMs;
  });
}

/** Minutes between automatic checks: the account's own interval, else the global one; at least 1, or 0 for none. */
export function intervalMinutes(own: number | undefined, global: number): number {
  const minutes = own ?? global;
  return minutes > 0 ? Math.max(1, minutes) : 0;
}
