// The Inbox tree: accounts, and under each the messages of its local store
// (read from the summary index, never from message files). Everything shown
// goes through displayLine (bidi controls stripped, SECURITY.md T31).
import * as vscode from 'vscode';
import type { MessageSummary } from '../store/types';
import { accountKey, type AccountConfig } from '../sync/account';
import type { Accounts } from './accounts';
import { logError } from './errors';
import type { Stores } from './stores';
import { displayLine, formatBytes, longDate, mailbox, shortDate } from './text';

export const OPEN_MESSAGE_COMMAND = 'pop3Mail.openMessage';

export interface AccountNode {
  readonly kind: 'account';
  readonly account: AccountConfig;
}

export interface MessageNode {
  readonly kind: 'message';
  readonly account: AccountConfig;
  readonly summary: MessageSummary;
}

export interface NoticeNode {
  readonly kind: 'notice';
  readonly account: AccountConfig;
  readonly text: string;
  readonly problem: boolean;
}

export type InboxNode = AccountNode | MessageNode | NoticeNode;

/** True for an account item passed to a command from the tree's context menu. */
export function isAccountNode(value: unknown): value is AccountNode {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'account') return false;
  const account: unknown = (value as { account?: unknown }).account;
  if (typeof account !== 'object' || account === null) return false;
  const { user, host, port } = account as { user?: unknown; host?: unknown; port?: unknown };
  return typeof user === 'string' && typeof host === 'string' && typeof port === 'number';
}

export class InboxTree implements vscode.TreeDataProvider<InboxNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InboxNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.changed.dispose();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: InboxNode): Promise<InboxNode[]> {
    if (node === undefined) {
      // No accounts -> no items -> VS Code shows the viewsWelcome content.
      return this.accounts.list().map((account): AccountNode => ({ kind: 'account', account }));
    }
    switch (node.kind) {
      case 'account':
        return this.messagesOf(node.account);
      case 'message':
      case 'notice':
        return [];
    }
  }

  private async messagesOf(account: AccountConfig): Promise<InboxNode[]> {
    try {
      const store = await this.stores.get(account);
      const messages = store.list();
      if (messages.length === 0) return [{ kind: 'notice', account, text: 'No mail yet: Fetch Mail to download it', problem: false }];
      return messages.map((summary): MessageNode => ({ kind: 'message', account, summary }));
    } catch (error) {
      this.log.error(`reading the local store of ${displayLine(account.name)}: ${logError(error)}`);
      return [{ kind: 'notice', account, text: 'Could not read the local mail store (see the POP3 Mail log)', problem: true }];
    }
  }

  getTreeItem(node: InboxNode): vscode.TreeItem {
    switch (node.kind) {
      case 'account':
        return accountItem(node.account);
      case 'message':
        return messageItem(node.account, node.summary);
      case 'notice':
        return noticeItem(node);
    }
  }
}

function accountItem(account: AccountConfig): vscode.TreeItem {
  const item = new vscode.TreeItem(displayLine(account.name, 120), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `account/${accountKey(account)}`;
  item.iconPath = new vscode.ThemeIcon('account');
  item.contextValue = 'pop3Mail.account';
  item.tooltip = `${displayLine(account.user)} on ${displayLine(account.host)}:${account.port} (${account.security === 'tls' ? 'TLS' : 'STARTTLS'})`;
  return item;
}

function messageItem(account: AccountConfig, summary: MessageSummary): vscode.TreeItem {
  const subject = displayLine(summary.subject, 200) || '(no subject)';
  const item = new vscode.TreeItem(subject, vscode.TreeItemCollapsibleState.None);
  const locale = vscode.env.language;
  const sender = displayLine(summary.from.name, 80) || displayLine(summary.from.address, 120) || '(unknown sender)';
  const date = shortDate(summary.date, locale);
  item.id = `message/${accountKey(account)}/${summary.id}`;
  item.description = date ? `${sender} \u00b7 ${date}` : sender;
  // A plain string, not a MarkdownString: nothing in it is interpreted.
  item.tooltip = [
    subject,
    mailbox(summary.from),
    longDate(summary.date, locale),
    `${formatBytes(summary.size)}${summary.hasAttachments ? ', with attachments' : ''}`,
  ].join('\n');
  item.iconPath = new vscode.ThemeIcon(summary.seen ? 'mail-read' : 'mail');
  item.contextValue = 'pop3Mail.message';
  item.command = { command: OPEN_MESSAGE_COMMAND, title: 'Open Message', arguments: [accountKey(account), summary.id] };
  item.accessibilityInformation = { label: `${subject}, from ${sender}${date ? `, ${date}` : ''}` };
  return item;
}

function noticeItem(node: NoticeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.id = `notice/${accountKey(node.account)}`;
  item.iconPath = new vscode.ThemeIcon(node.problem ? 'warning' : 'info');
  item.contextValue = 'pop3Mail.notice';
  if (!node.problem) item.command = { command: 'pop3Mail.fetch', title: 'Fetch Mail', arguments: [{ kind: 'account', account: node.account }] };
  else item.command = { command: 'pop3Mail.showLog', title: 'Show Log' };
  return item;
}
