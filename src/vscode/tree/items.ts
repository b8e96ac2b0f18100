// How each Inbox tree element looks: label, icon, description, tooltip,
// context value (package.json menus match on it) and click command.
// Everything shown goes through displayLine / escapeMarkdown (bidi controls
// stripped, T31). The provider passes in what a row needs to know.
import * as vscode from 'vscode';
import type { RetentionPolicy } from '../../sync/policy';
import { describeRetention } from '../accountConfig';
import type { FetchState } from '../fetchService';
import { displayLine, formatBytes, messageTooltip, shortDate } from '../text';
import { OPEN_MESSAGE_COMMAND, PAGE_SIZE, SHOW_MORE_COMMAND, type AccountNode, type DeletedNode, type FolderNode, type GroupNode, type MessageNode, type MoreNode, type NoticeNode } from './nodes';

export function accountItem(node: AccountNode, state: FetchState, retention: RetentionPolicy): vscode.TreeItem {
  const { account } = node;
  const item = new vscode.TreeItem(displayLine(account.name, 120), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `account/${node.accountKey}`;
  item.iconPath = state.running
    ? new vscode.ThemeIcon('sync~spin')
    : state.error !== undefined
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('account');
  item.description = state.running ? 'fetching\u2026' : state.lastCheck ? `checked ${shortDate(new Date(state.lastCheck).toISOString(), vscode.env.language)}` : undefined;
  item.contextValue = `pop3Mail.account${state.running ? '.fetching' : ''}`;
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.appendText(`${account.user} on ${account.host}:${account.port} (${account.security === 'tls' ? 'TLS' : 'STARTTLS'})`);
  tooltip.appendMarkdown('\n\n');
  tooltip.appendText(`Mail is ${describeRetention(retention)}.`);
  if (state.lastCheck) tooltip.appendMarkdown('\n\n').appendText(`Last check: ${new Date(state.lastCheck).toLocaleString(vscode.env.language)}`);
  if (state.error) tooltip.appendMarkdown('\n\n').appendText(`Last fetch failed: ${state.error}`);
  item.tooltip = tooltip;
  return item;
}

/** `counts` is undefined while the account's inbox has not been read. */
export function inboxItem(node: FolderNode, counts: { readonly total: number; readonly unread: number } | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem('Inbox', vscode.TreeItemCollapsibleState.Expanded);
  item.id = `inbox/${node.accountKey}`;
  item.iconPath = new vscode.ThemeIcon('inbox');
  item.contextValue = 'pop3Mail.inbox';
  if (counts) {
    item.description = counts.unread > 0 ? `${counts.unread} unread` : undefined;
    item.tooltip = `${counts.total} message${counts.total === 1 ? '' : 's'}, ${counts.unread} unread`;
    item.accessibilityInformation = { label: `Inbox, ${counts.unread} unread of ${counts.total}` };
  }
  return item;
}

/**
 * The Deleted folder, collapsed (its rows are read when it is opened).
 * `restorable`: false when the account deletes mail on the server when it is
 * deleted here (it is expunged after that, so there is nothing to restore).
 */
export function deletedItem(node: DeletedNode, count: number, restorable: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem('Deleted', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `deleted/${node.accountKey}`;
  item.iconPath = new vscode.ThemeIcon('trash');
  item.contextValue = 'pop3Mail.deleted';
  item.description = String(count);
  const messages = `${count} message${count === 1 ? '' : 's'} deleted here`;
  item.tooltip = restorable
    ? `${messages}. Restore brings a message back to the Inbox.`
    : `${messages}. This account deletes them on the server too, so they cannot be restored.`;
  item.accessibilityInformation = { label: `Deleted, ${count} message${count === 1 ? '' : 's'}` };
  return item;
}

/** `first`: the newest group, shown expanded. */
export function groupItem(node: GroupNode, first: boolean, unread: number): vscode.TreeItem {
  const { group } = node;
  const item = new vscode.TreeItem(group.label, first ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group/${node.accountKey}/${group.key}`;
  item.contextValue = 'pop3Mail.group';
  const count = group.end - group.start;
  item.description = unread > 0 ? `${unread} unread \u00b7 ${count}` : String(count);
  item.tooltip = `${count} message${count === 1 ? '' : 's'}, ${unread} unread`;
  return item;
}

/** A message row; under Deleted (summary.trashed) it offers Restore when `restorable`. */
export function messageItem(node: MessageNode, restorable = false): vscode.TreeItem {
  const { summary } = node;
  const subject = displayLine(summary.subject, 200) || '(no subject)';
  const item = new vscode.TreeItem(subject, vscode.TreeItemCollapsibleState.None);
  const locale = vscode.env.language;
  const sender = displayLine(summary.from.name, 80) || displayLine(summary.from.address, 120) || '(unknown sender)';
  const date = shortDate(summary.date, locale);
  item.id = `message/${node.accountKey}/${summary.id}`;
  const marks = `${summary.hasAttachments ? '\u{1F4CE} ' : ''}`;
  item.description = `${marks}${date ? `${sender} \u00b7 ${date}` : sender}`;
  const deleted = summary.trashed === true;
  const note = !deleted ? '' : restorable ? '\n\n---\n\nDeleted here. Restore brings it back to the Inbox.' : '\n\n---\n\nDeleted here and on the server: it cannot be restored.';
  const tooltip = new vscode.MarkdownString(messageTooltip(summary, locale) + note, false);
  tooltip.supportHtml = false;
  tooltip.supportThemeIcons = false;
  item.tooltip = tooltip;
  item.iconPath = summary.headersOnly
    ? new vscode.ThemeIcon('cloud-download', summary.seen ? undefined : new vscode.ThemeColor('pop3Mail.unreadIcon'))
    : summary.seen
      ? new vscode.ThemeIcon('mail-read')
      : new vscode.ThemeIcon('mail', new vscode.ThemeColor('pop3Mail.unreadIcon'));
  const flags = [summary.seen ? 'read' : 'unread', summary.headersOnly ? 'headersOnly' : 'full', summary.hasAttachments ? 'attachments' : 'noAttachments'];
  item.contextValue = deleted ? `pop3Mail.deletedMessage ${restorable ? 'restorable' : 'serverDeleted'} ${flags.join(' ')}` : `pop3Mail.message ${flags.join(' ')}`;
  item.command = { command: OPEN_MESSAGE_COMMAND, title: 'Open Message', arguments: [node.accountKey, summary.id] };
  const states = [deleted ? 'deleted' : '', summary.seen ? '' : 'unread', summary.hasAttachments ? 'with attachments' : '', summary.headersOnly ? `headers only, ${formatBytes(summary.serverSize ?? summary.size)} on the server` : '']
    .filter(Boolean)
    .join(', ');
  item.accessibilityInformation = { label: `${subject}, from ${sender}${date ? `, ${date}` : ''}${states ? `, ${states}` : ''}` };
  return item;
}

export function moreItem(node: MoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`Show ${Math.min(PAGE_SIZE, node.remaining)} more (${node.remaining} not shown)`, vscode.TreeItemCollapsibleState.None);
  item.id = `more/${node.accountKey}/${node.groupKey}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = 'pop3Mail.more';
  item.command = { command: SHOW_MORE_COMMAND, title: 'Show More', arguments: [node] };
  return item;
}

export function noticeItem(node: NoticeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.id = `notice/${node.accountKey}/${node.problem ? 'problem' : 'info'}`;
  item.iconPath = new vscode.ThemeIcon(node.problem ? 'error' : 'info', node.problem ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
  item.contextValue = node.problem ? 'pop3Mail.error' : 'pop3Mail.notice';
  if (node.detail) item.tooltip = `${node.detail}\n\nClick to retry.`;
  const target: AccountNode = { kind: 'account', account: node.account, accountKey: node.accountKey };
  if (node.detail !== undefined || !node.problem) item.command = { command: 'pop3Mail.fetch', title: 'Retry', arguments: [target] };
  else item.command = { command: 'pop3Mail.showLog', title: 'Show Log' };
  return item;
}
