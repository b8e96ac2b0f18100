// The `pop3Mail.accounts` setting: read, validate, add, replace, remove.
// Passwords never live here (they go to SecretStorage, see passwords.ts).
import * as vscode from 'vscode';
import { accountKey, type AccountConfig } from '../../sync/account';
import { parseAccounts, toSettingEntry, type AccountEntry, type AccountPolicy } from './account-settings';

const SECTION = 'pop3Mail';
const KEY = 'accounts';
export const ACCOUNTS_SETTING = `${SECTION}.${KEY}`;

const NO_POLICY: AccountPolicy = { retention: {}, download: {} };

export class Accounts {
  private lastProblems = '';

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /**
   * The configured accounts with their policies, from user settings only:
   * the setting is application-scoped, so a workspace cannot point the
   * user's mail client at its own server. Invalid entries are skipped (and
   * logged once); entries that resolve to the same account key keep the first.
   */
  entries(): AccountEntry[] {
    const raw = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY)?.globalValue;
    const { entries, problems } = parseAccounts(raw);
    const joined = problems.join('\n');
    if (joined !== this.lastProblems) {
      this.lastProblems = joined;
      for (const problem of problems) this.log.warn(problem);
    }
    const seen = new Set<string>();
    return entries.filter(({ account }) => {
      const key = accountKey(account);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Setting problems from the last read, one line each (for a notification). */
  problems(): string[] {
    this.entries();
    return this.lastProblems === '' ? [] : this.lastProblems.split('\n');
  }

  list(): AccountConfig[] {
    return this.entries().map((e) => e.account);
  }

  byKey(key: string): AccountConfig | undefined {
    return this.list().find((account) => accountKey(account) === key);
  }

  entryOf(key: string): AccountEntry | undefined {
    return this.entries().find((e) => accountKey(e.account) === key);
  }

  policyOf(key: string): AccountPolicy {
    return this.entryOf(key)?.policy ?? NO_POLICY;
  }

  /** Adds the account, or replaces the entry for the same account key. */
  async add(account: AccountConfig, policy: AccountPolicy = NO_POLICY): Promise<void> {
    await this.save(account, policy, accountKey(account));
  }

  /**
   * Writes the entry in place of the one whose key is `replacing` (an edit
   * may change the key: host, port or user), or appends it. Entries we do
   * not understand are kept as they are.
   */
  async save(account: AccountConfig, policy: AccountPolicy, replacing: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const existing = this.rawEntries();
    const entry = toSettingEntry(account, policy);
    const index = this.indexOf(existing, replacing);
    if (index >= 0) existing[index] = entry;
    else existing.push(entry);
    // An edit that changed the key must not leave a second entry for the new key.
    const newKey = accountKey(account);
    if (newKey !== replacing) {
      const dup = existing.findIndex((e, i) => e !== entry && i !== index && this.keyOfRaw(e) === newKey);
      if (dup >= 0) existing.splice(dup, 1);
    }
    await config.update(KEY, existing, vscode.ConfigurationTarget.Global);
  }

  async remove(key: string): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const existing = this.rawEntries().filter((e) => this.keyOfRaw(e) !== key);
    await config.update(KEY, existing.length > 0 ? existing : undefined, vscode.ConfigurationTarget.Global);
  }

  private rawEntries(): unknown[] {
    const raw = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY)?.globalValue;
    return Array.isArray(raw) ? [...(raw as unknown[])] : [];
  }

  private keyOfRaw(entry: unknown): string | undefined {
    const [parsed] = parseAccounts([entry]).accounts;
    return parsed && accountKey(parsed);
  }

  private indexOf(entries: unknown[], key: string): number {
    return entries.findIndex((e) => this.keyOfRaw(e) === key);
  }
}
