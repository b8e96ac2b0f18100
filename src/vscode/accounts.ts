// The `pop3Mail.accounts` setting: read, validate, append. Passwords never
// live here (they go to SecretStorage, see passwords.ts).
import * as vscode from 'vscode';
import { accountKey, type AccountConfig } from '../sync/account';
import { parseAccounts } from './accountConfig';

const SECTION = 'pop3Mail';
const KEY = 'accounts';
export const ACCOUNTS_SETTING = `${SECTION}.${KEY}`;

export class Accounts {
  private lastProblems = '';

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /**
   * The configured accounts, from user settings only: the setting is
   * application-scoped, so a workspace cannot point the user's mail client at
   * its own server. Invalid entries are skipped (and logged once); entries
   * that resolve to the same account key keep the first.
   */
  list(): AccountConfig[] {
    const raw = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY)?.globalValue;
    const { accounts, problems } = parseAccounts(raw);
    const joined = problems.join('\n');
    if (joined !== this.lastProblems) {
      this.lastProblems = joined;
      for (const problem of problems) this.log.warn(problem);
    }
    const seen = new Set<string>();
    return accounts.filter((account) => {
      const key = accountKey(account);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  byKey(key: string): AccountConfig | undefined {
    return this.list().find((account) => accountKey(account) === key);
  }

  /**
   * Adds the account to the user settings, replacing an entry for the same
   * account key. Entries we do not understand are kept as they are.
   */
  async add(account: AccountConfig): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const raw = config.inspect<unknown>(KEY)?.globalValue;
    const existing: unknown[] = Array.isArray(raw) ? [...(raw as unknown[])] : [];
    const key = accountKey(account);
    const entry = {
      name: account.name,
      host: account.host,
      port: account.port,
      user: account.user,
      security: account.security,
      ...(account.caFile !== undefined ? { caFile: account.caFile } : {}),
      ...(account.auth !== undefined ? { auth: account.auth } : {}),
      ...(account.pin !== undefined ? { pin: account.pin } : {}),
    };
    const index = existing.findIndex((e) => {
      const [parsed] = parseAccounts([e]).accounts;
      return parsed !== undefined && accountKey(parsed) === key;
    });
    if (index >= 0) existing[index] = entry;
    else existing.push(entry);
    await config.update(KEY, existing, vscode.ConfigurationTarget.Global);
  }
}
