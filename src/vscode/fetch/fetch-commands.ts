// Fetch Mail (one account, or all), Fetch Mail from All Accounts, Cancel Fetch.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import type { AccountConfig } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { pickAccount } from '../accounts/pick-account';
import { forQuickPick } from '../common/surface-text';
import type { FetchService } from './fetch-service';

export function registerFetchCommands(accounts: Accounts, fetcher: FetchService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.fetch, (arg?: unknown) => fetchCommand(accounts, fetcher, arg)),
    vscode.commands.registerCommand(COMMANDS.fetchAll, () => fetcher.fetchAll()),
    vscode.commands.registerCommand(COMMANDS.cancelFetch, () => {
      if (fetcher.cancelAll() === 0) void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: no fetch is running.'));
    }),
  ];
}

async function fetchCommand(accounts: Accounts, fetcher: FetchService, arg: unknown): Promise<void> {
  if (arg !== undefined) {
    const account = await pickAccount(accounts, arg, '');
    if (account) await fetcher.fetchAccount(account);
    return;
  }
  const list = accounts.list();
  if (list.length <= 1) return fetcher.fetchAll();
  const all = { label: `$(sync) ${vscode.l10n.t('All Accounts')}`, account: undefined as AccountConfig | undefined };
  const pick = await vscode.window.showQuickPick([all, ...list.map((a) => ({ label: forQuickPick(a.name, 120), description: `${forQuickPick(a.host, 120)}:${a.port}`, account: a }))], {
    title: vscode.l10n.t('POP3 Mail: Fetch Mail'),
    placeHolder: vscode.l10n.t('Fetch from all accounts, or pick one'),
  });
  if (!pick) return;
  if (pick.account) await fetcher.fetchAccount(pick.account);
  else await fetcher.fetchAll();
}
