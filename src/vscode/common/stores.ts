// One MailStore per account, opened once and shared by the tree, the fetch
// and the message panel, under the extension's global storage folder (or
// the folder the `pop3Mail.storageFolder` setting names). Each open store is
// watched: what another window or the CLI changes in it shows here too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { portableFolderName } from '../../store/naming';
import { prepareSearch } from '../../store/prepare-search';
import type { SnapshotJob } from '../../store/snapshot-job';
import { MailStore } from '../../store/store';
import { StoreWatcher } from '../../store/store-watch';
import { accountKey, type AccountConfig } from '../../sync/account';

export class Stores {
  private readonly open = new Map<string, Promise<MailStore>>();
  private readonly watchers = new Map<string, StoreWatcher>();
  private readonly listeners = new Set<(accountKey: string) => void>();
  private readonly closing = new Set<(dir: string) => void | Promise<void>>();

  /** `snapshotJob`: how the stores write their index snapshots, off the extension host's thread. */
  constructor(
    private readonly rootDir: string,
    private readonly snapshotJob?: SnapshotJob,
  ) {}

  /** Calls `listener` with a store's folder before that store is closed to be moved or deleted. */
  onWillClose(listener: (dir: string) => void | Promise<void>): { dispose(): void } {
    this.closing.add(listener);
    return { dispose: () => this.closing.delete(listener) };
  }

  private async willClose(dir: string): Promise<void> {
    for (const listener of [...this.closing]) await Promise.resolve(listener(dir)).catch(() => undefined);
  }

  /** Calls `listener` with the account key when its store was read again after another process changed it. */
  onDidReload(listener: (accountKey: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private reloaded(key: string): void {
    for (const listener of [...this.listeners]) listener(key);
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.listeners.clear();
  }

  private unwatch(key: string): void {
    this.watchers.get(key)?.dispose();
    this.watchers.delete(key);
  }

  get root(): string {
    return this.rootDir;
  }

  dirFor(account: Pick<AccountConfig, 'user' | 'host' | 'port'>): string {
    return path.join(this.rootDir, 'accounts', portableFolderName(accountKey(account)));
  }

  get(account: AccountConfig): Promise<MailStore> {
    const key = accountKey(account);
    let store = this.open.get(key);
    if (!store) {
      store = MailStore.open(this.dirFor(account), { snapshotJob: this.snapshotJob });
      // A failed open is not cached: the next call tries again.
      store.catch(() => this.open.delete(key));
      void store.then((s) => {
        if (this.open.has(key) && !this.watchers.has(key)) this.watchers.set(key, new StoreWatcher(s, () => this.reloaded(key)));
      }).catch(() => undefined);
      // Go to Message over a big store is quick from its first keystroke: texts are read in idle slices now.
      void store.then((s) => setTimeout(() => void prepareSearch(s.list()).catch(() => undefined), 1000)).catch(() => undefined);
      this.open.set(key, store);
    }
    return store;
  }

  /**
   * Moves an account's local mail to the folder of its new key (Edit Account
   * changed the port of the same mailbox). False, and nothing moved, when
   * there is no local mail, the new folder is already taken, or the rename
   * fails (e.g. a file still open on Windows): the mail then stays where it was.
   */
  async move(from: AccountConfig, to: AccountConfig): Promise<boolean> {
    const source = this.dirFor(from);
    const target = this.dirFor(to);
    if (source === target || !fs.existsSync(source) || fs.existsSync(target)) return false;
    const key = accountKey(from);
    const opened = this.open.get(key);
    this.open.delete(key);
    await this.willClose(source);
    this.unwatch(key);
    await closeAndSettle(await opened?.catch(() => undefined));
    try {
      await fs.promises.rename(source, target);
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes an account's local mail and index (Remove Account, after asking). */
  async deleteLocal(account: AccountConfig): Promise<void> {
    const key = accountKey(account);
    const opened = this.open.get(key);
    this.open.delete(key);
    await this.willClose(this.dirFor(account));
    this.unwatch(key);
    await closeAndSettle(await opened?.catch(() => undefined));
    await fs.promises.rm(this.dirFor(account), { recursive: true, force: true });
  }
}

/** Closes a store and waits for its snapshot job, if one runs: nothing may write in a folder about to be moved or deleted. */
async function closeAndSettle(store: MailStore | undefined): Promise<void> {
  store?.close();
  await store?.idle();
}
