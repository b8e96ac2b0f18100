// "POP3 Mail: Add Account": input boxes, then the password to SecretStorage
// and the rest to the `pop3Mail.accounts` user setting.
import * as vscode from 'vscode';
import type { Accounts } from './accounts';
import { describeError } from './errors';
import type { FetchService } from './fetchService';
import type { Passwords } from './passwords';
import { askNewAccount } from './prompts';
import { displayLine } from './text';

export async function addAccount(accounts: Accounts, passwords: Passwords, fetcher: FetchService, log: vscode.LogOutputChannel): Promise<void> {
  const answer = await askNewAccount();
  if (!answer) return; // Escape at any step: nothing saved.
  const { account, password } = answer;
  // The password first: should the setting fail, no account points at a missing secret.
  await passwords.set(account, password);
  try {
    await accounts.add(account);
  } catch (error) {
    await passwords.delete(account);
    void vscode.window.showErrorMessage(describeError('POP3 Mail: could not save the account', error));
    return;
  }
  log.info(`account added: ${displayLine(account.name)} (${displayLine(account.host)}:${account.port}, ${account.security}${account.caFile ? ', extra CA file' : ''})`);
  void vscode.window.showInformationMessage('Account added', 'Fetch Now').then((choice) => {
    if (choice === 'Fetch Now') void fetcher.fetchAccount(account);
  });
}
