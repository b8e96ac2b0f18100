// One MailStore per account, opened once and shared by the tree, the fetch
// and the message panel, under the extension's global storage folder.
import * as path from 'node:path';
import { MailStore } from '../store/store';
import { accountKey, type AccountConfig } from '../sync/account';

export class Stores {
  private readonly open = new Map<string, Promise<MailStore>>();

  constructor(private readonly globalStorageDir: string) {}

  dirFor(account: AccountConfig): string {
    return path.join(this.globalStorageDir, 'accounts', accountKey(account));
  }

  get(account: AccountConfig): Promise<MailStore> {
    const key = accountKey(account);
    let store = this.open.get(key);
    if (!store) {
      store = MailStore.open(this.dirFor(account));
      // A failed open is not cached: the next call tries again.
      store.catch(() => this.open.delete(key));
      this.open.set(key, store);
    }
    return store;
  }
}
