// The account a command is about, from whatever the command was called with.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import type { AccountConfig } from '../../sync/account';
import { forQuickPick } from '../common/surface-text';
import type { Accounts } from './accounts';

/** A tree node or an account key names the account; otherwise the only account, or one the user picks. */
export async function pickAccount(accounts: Accounts, arg: unknown, question: string): Promise<AccountConfig | undefined> {
  const list = accounts.list();
  if (typeof arg === 'string') return accounts.byKey(arg);
  if (typeof arg === 'object' && arg !== null && typeof (arg as { accountKey?: unknown }).accountKey === 'string') {
    return accounts.byKey((arg as { accountKey: string }).accountKey);
  }
  if (list.length === 0) {
    const add = vscode.l10n.t('Add Account');
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: no account yet.'), add).then((c) => {
      if (c === add) void vscode.commands.executeCommand(COMMANDS.addAccount);
    });
    return undefined;
  }
  if (list.length === 1) return list[0];
  const pick = await vscode.window.showQuickPick(
    list.map((a) => ({ label: forQuickPick(a.name, 120), description: `${forQuickPick(a.host, 120)}:${a.port}`, account: a })),
    { title: vscode.l10n.t('POP3 Mail'), placeHolder: question },
  );
  return pick?.account;
}
