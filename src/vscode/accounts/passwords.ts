// Account passwords: SecretStorage, or this session's memory when
// SecretStorage fails (docs/security.md T39). Never settings, globalState or files,
// and never a log line with the password in it.
import * as vscode from 'vscode';
import { accountKey, type AccountConfig } from '../../sync/account';
import { displayLine } from '../common/surface-text';

function secretKey(account: AccountConfig): string {
  return `pop3Mail.password/${accountKey(account)}`;
}

function reason(error: unknown): string {
  return displayLine(error instanceof Error ? error.message : String(error), 200);
}

export class Passwords {
  /** Passwords SecretStorage could not take, for this session only. */
  private readonly memory = new Map<string, string>();
  private warned = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async get(account: AccountConfig): Promise<string | undefined> {
    const key = secretKey(account);
    const inMemory = this.memory.get(key);
    if (inMemory !== undefined) return inMemory;
    try {
      return await this.secrets.get(key);
    } catch (error) {
      this.log.warn(`SecretStorage could not be read for ${account.name}: ${reason(error)}`);
      return undefined;
    }
  }

  /** Stores the password; where SecretStorage fails it is kept in memory and the user is told once. */
  async set(account: AccountConfig, password: string): Promise<void> {
    const key = secretKey(account);
    try {
      await this.secrets.store(key, password);
      this.memory.delete(key);
    } catch (error) {
      this.memory.set(key, password);
      this.log.warn(`SecretStorage could not store the password for ${account.name}: ${reason(error)}; keeping it in memory for this session`);
      if (!this.warned) {
        this.warned = true;
        void vscode.window.showWarningMessage(
          vscode.l10n.t('POP3 Mail: the system keychain (SecretStorage) is not available. The password is kept in memory for this session only and will be asked for again next time.'),
        );
      }
    }
  }

  async delete(account: AccountConfig): Promise<void> {
    const key = secretKey(account);
    this.memory.delete(key);
    try {
      await this.secrets.delete(key);
    } catch (error) {
      this.log.warn(`SecretStorage could not delete the password for ${account.name}: ${reason(error)}`);
    }
  }
}
