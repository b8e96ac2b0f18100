// Wiring only: build the services, register the tree, the commands and the
// panel, and hand every disposable to VS Code.
import * as vscode from 'vscode';
import { accountKey } from '../sync/account';
import { Accounts, ACCOUNTS_SETTING } from './accounts';
import { addAccount } from './addAccount';
import { FetchService } from './fetchService';
import { MessagePanel } from './messagePanel';
import { Passwords } from './passwords';
import { Stores } from './stores';
import { InboxTree, isAccountNode, OPEN_MESSAGE_COMMAND } from './tree';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('POP3 Mail', { log: true });
  const accounts = new Accounts(log);
  const passwords = new Passwords(context.secrets, log);
  const stores = new Stores(context.globalStorageUri.fsPath);
  const fetcher = new FetchService(accounts, passwords, stores, log);
  const tree = new InboxTree(accounts, stores, log);
  const panel = new MessagePanel(context.extensionUri, accounts, stores, log);
  const view = vscode.window.createTreeView('pop3Mail.inbox', { treeDataProvider: tree, showCollapseAll: true });

  context.subscriptions.push(
    log,
    fetcher,
    tree,
    panel,
    view,
    fetcher.onDidFetch(() => tree.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(ACCOUNTS_SETTING)) tree.refresh();
    }),
    vscode.commands.registerCommand('pop3Mail.addAccount', () => addAccount(accounts, passwords, fetcher, log)),
    vscode.commands.registerCommand('pop3Mail.fetch', async (node?: unknown) => {
      if (isAccountNode(node)) {
        const account = accounts.byKey(accountKey(node.account));
        if (account) await fetcher.fetchAccount(account);
        return;
      }
      await fetcher.fetchAll();
    }),
    vscode.commands.registerCommand(OPEN_MESSAGE_COMMAND, (key: unknown, id: unknown) => panel.open(key, id)),
    vscode.commands.registerCommand('pop3Mail.showLog', () => log.show()),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
