// Wiring only: build the services, register the tree, the commands and the
// panel, and hand every disposable to VS Code.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { accountKey } from '../sync/account';
import { SearchService } from '../search/search-service';
import { affects } from './common/config';
import { COMMANDS, CONTEXT_KEYS, INBOX_VIEW } from './common/commands';
import { AccountCommands } from './accounts/account-commands';
import { Accounts, ACCOUNTS_SETTING } from './accounts/accounts';
import { registerFetchCommands } from './fetch/fetch-commands';
import { FetchService } from './fetch/fetch-service';
import { goToMessage } from './search/go-to-message';
import { searchMail } from './search/search-mail';
import { SEARCH_VIEW_ID, SearchViewProvider } from './search/search-view';
import { installTranslator } from './common/l10n';
import { InboxCommands } from './inbox/inbox-commands';
import { registerMessageView } from './message-view/register';
import { OAuthSessions } from './accounts/oauth-sessions';
import { Passwords } from './accounts/passwords';
import { CheckScheduler } from './fetch/scheduler';
import { MailStatusBar } from './fetch/status-bar';
import { storageRoot } from './common/storage-root';
import { Stores } from './common/stores';
import { snapshotInWorker } from '../store/snapshot-job';
import { InboxTree } from './inbox/inbox-tree';

/** Stopped in deactivate, which VS Code awaits: the workers save their index first. */
let search: SearchService | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // The pure modules (text, account settings, queries) translate through this (l10n.ts).
  installTranslator((message, ...args) => vscode.l10n.t(message, ...args));
  const log = vscode.window.createOutputChannel('POP3 Mail', { log: true });
  const accounts = new Accounts(log);
  const passwords = new Passwords(context.secrets, log);
  // A big store's index snapshot is written in a worker: the host's thread stays free for the editor.
  const stores = new Stores(storageRoot(context.globalStorageUri.fsPath), snapshotInWorker(path.join(context.extensionUri.fsPath, 'dist', 'snapshot-worker.js')));
  const sessions = new OAuthSessions(context.secrets, log);
  const fetcher = new FetchService(accounts, passwords, stores, log, context.globalState, sessions);
  const tree = new InboxTree(accounts, stores, fetcher, log);
  const panel = registerMessageView(context, accounts, stores, log);
  const view = vscode.window.createTreeView(INBOX_VIEW, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const statusBar = new MailStatusBar(accounts, fetcher, tree);
  const scheduler = new CheckScheduler(fetcher, accounts, stores);
  const messages = new InboxCommands(accounts, stores, passwords, fetcher, tree, view, panel, log);
  const accountCommands = new AccountCommands(accounts, passwords, sessions, stores, fetcher, log);
  const searchService = new SearchService(path.join(context.extensionUri.fsPath, 'dist', 'search-worker.js'));
  search = searchService;
  // Each account's index is built from its store and then fed every message as it is fetched.
  const indexAll = (): void => {
    for (const account of accounts.list()) {
      void stores
        .get(account)
        .then((store) => searchService.watch(store))
        .then((r) => r.damaged && log.warn(`Search: the index of ${account.name} was rebuilt (${r.damaged}).`))
        .catch((error: unknown) => log.error(`Search: ${String(error)}`));
    }
  };

  context.subscriptions.push(
    log,
    stores,
    fetcher,
    tree,
    view,
    statusBar,
    scheduler,
    fetcher.onDidFetch(() => tree.refresh()),
    stores.onWillClose((dir) => searchService.stop(dir)),
    // Another window (or the CLI) fetched, read, deleted or restored mail in a store this window shows.
    stores.onDidReload((key) => {
      const account = accounts.list().find((a) => accountKey(a) === key);
      if (account) fetcher.adoptCheckElsewhere(account, stores.dirFor(account));
      tree.refresh();
      void statusBar.recount();
    }),
    fetcher.onDidChangeState(() => {
      if (fetcher.isRunning()) indexAll();
      tree.refreshState();
      statusBar.update();
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.fetching, fetcher.isRunning());
    }),
    tree.onDidChangeUnread((n) => {
      view.badge = n > 0 ? { value: n, tooltip: vscode.l10n.t('{0} unread', n) } : undefined;
      void statusBar.recount();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(ACCOUNTS_SETTING)) {
        accountCommands.checkSettings();
        tree.refresh();
        statusBar.update();
      } else if (affects(e, 'inbox.groupBy')) tree.refresh();
    }),
    ...messages.register(),
    ...accountCommands.register(),
    ...registerFetchCommands(accounts, fetcher),
    vscode.commands.registerCommand(COMMANDS.goToMessage, () => goToMessage(accounts, stores, log, '', searchService)),
    vscode.window.registerWebviewViewProvider(SEARCH_VIEW_ID, new SearchViewProvider(context.extensionUri, accounts, stores, searchService, log), { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand(COMMANDS.searchMail, (initial?: unknown) => searchMail(accounts, stores, searchService, log, typeof initial === 'string' ? initial : '')),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
  );
  statusBar.update();
  accountCommands.checkSettings();
  // The unread count needs the stores: count them once the editor has settled, not during activation.
  const count = setTimeout(() => {
    void statusBar.recount();
    indexAll();
  }, 2000);
  context.subscriptions.push({ dispose: () => clearTimeout(count) });
  scheduler.start();
}

export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions.
  const s = search;
  search = undefined;
  await s?.dispose();
}
