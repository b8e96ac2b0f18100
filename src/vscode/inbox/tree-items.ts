// How each Inbox tree element looks: label, icon, description, tooltip,
// context value (package.json menus match on it) and click command.
// Labels and descriptions go through forLabel, tooltip Markdown through
// forMarkdown (../common/surface-text.ts). The provider passes in what a row
// needs to know.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import type { RetentionPolicy } from '../../sync/policy';
import { describeRetention } from '../accounts/account-settings';
import type { FetchState } from '../fetch/fetch-service';
import type { ConversationFacts } from './conversation-rows';
import type { DateGroup } from './date-groups';
import { forLabel, forMarkdown } from '../common/surface-text';
import { formatBytes, messageTooltip as messageTooltipText, shortDate } from '../common/text';
import { PAGE_SIZE, type AccountNode, type ConversationNode, type DeletedNode, type FolderNode, type GroupNode, type MessageNode, type MoreNode, type NoticeNode } from './tree-nodes';

export function accountItem(node: AccountNode, state: FetchState, retention: RetentionPolicy): vscode.TreeItem {
  const { account } = node;
  const item = new vscode.TreeItem(forLabel(account.name, 120), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `account/${node.accountKey}`;
  item.iconPath = state.running
    ? new vscode.ThemeIcon('sync~spin')
    : state.error !== undefined
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('account');
  item.description = state.running ? vscode.l10n.t('fetching\u2026') : state.lastCheck ? vscode.l10n.t('checked {0}', shortDate(new Date(state.lastCheck).toISOString(), vscode.env.language)) : undefined;
  // " oauth": the menus offer Sign In instead of Change Password.
  item.contextValue = `pop3Mail.account${state.running ? '.fetching' : ''}${account.login !== undefined ? ' oauth' : ''}`;
  // Each paragraph is plain text, escaped whole: the server's error text is part of one.
  const lines = [vscode.l10n.t('{0} on {1}:{2} ({3})', account.user, account.host, account.port, account.security === 'tls' ? 'TLS' : 'STARTTLS'), vscode.l10n.t('Mail is {0}.', describeRetention(retention))];
  if (state.lastCheck) lines.push(vscode.l10n.t('Last check: {0}', new Date(state.lastCheck).toLocaleString(vscode.env.language)));
  if (state.error) lines.push(vscode.l10n.t('Last fetch failed: {0}', state.error));
  const tooltip = new vscode.MarkdownString(lines.map((line) => forMarkdown(line, 600)).join('\n\n'), false);
  tooltip.supportHtml = false;
  item.tooltip = tooltip;
  return item;
}

/** `counts` is undefined while the account's inbox has not been read. */
export function inboxItem(node: FolderNode, counts: { readonly total: number; readonly unread: number } | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Inbox'), vscode.TreeItemCollapsibleState.Expanded);
  item.id = `inbox/${node.accountKey}`;
  item.iconPath = new vscode.ThemeIcon('inbox');
  item.contextValue = 'pop3Mail.inbox';
  if (counts) {
    item.description = counts.unread > 0 ? vscode.l10n.t('{0} unread', counts.unread) : undefined;
    item.tooltip = messagesUnread(counts.total, counts.unread);
    item.accessibilityInformation = { label: vscode.l10n.t('Inbox, {0} unread of {1}', counts.unread, counts.total) };
  }
  return item;
}

/**
 * The Deleted folder, collapsed (its rows are read when it is opened).
 * `restorable`: false when the account deletes mail on the server when it is
 * deleted here (it is expunged after that, so there is nothing to restore).
 */
export function deletedItem(node: DeletedNode, count: number, restorable: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Deleted'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `deleted/${node.accountKey}`;
  item.iconPath = new vscode.ThemeIcon('trash');
  item.contextValue = 'pop3Mail.deleted';
  item.description = String(count);
  if (restorable) {
    item.tooltip =
      count === 1 ? vscode.l10n.t('{0} message deleted here. Restore brings a message back to the Inbox.', count) : vscode.l10n.t('{0} messages deleted here. Restore brings a message back to the Inbox.', count);
  } else {
    item.tooltip =
      count === 1
        ? vscode.l10n.t('{0} message deleted here. This account deletes them on the server too, so they cannot be restored.', count)
        : vscode.l10n.t('{0} messages deleted here. This account deletes them on the server too, so they cannot be restored.', count);
  }
  item.accessibilityInformation = { label: count === 1 ? vscode.l10n.t('Deleted, {0} message', count) : vscode.l10n.t('Deleted, {0} messages', count) };
  return item;
}

/** `first`: the newest group, shown expanded. */
export function groupItem(node: GroupNode, first: boolean, unread: number): vscode.TreeItem {
  const { group } = node;
  const item = new vscode.TreeItem(groupLabel(group), first ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group/${node.accountKey}/${group.key}`;
  item.contextValue = 'pop3Mail.group';
  const count = group.end - group.start;
  item.description = unread > 0 ? vscode.l10n.t('{0} unread \u00b7 {1}', unread, count) : String(count);
  item.tooltip = messagesUnread(count, unread);
  return item;
}

/**
 * A conversation: its first subject as the label, how many messages (and
 * how many unread), who wrote and when the newest came as the description,
 * collapsed.
 * `facts` undefined: its view is being rebuilt (a redraw follows).
 */
export function conversationItem(node: ConversationNode, facts: ConversationFacts | undefined, subject: string): vscode.TreeItem {
  const label = forLabel(subject, 200) || vscode.l10n.t('(no subject)');
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `conversation/${node.accountKey}/${node.key}`;
  item.contextValue = 'pop3Mail.conversation';
  if (!facts) return item;
  const { count, unread } = facts;
  const names = facts.senders.map((s) => forLabel(s, 60) || vscode.l10n.t('(unknown sender)'));
  const senders = facts.moreSenders ? vscode.l10n.t('{0}, \u2026', names.join(', ')) : names.join(', ');
  const date = shortDate(facts.date, vscode.env.language);
  // The counts first: a narrow sidebar cuts the end of the description.
  const counts = unread > 0 ? vscode.l10n.t('{0} unread of {1}', unread, count) : vscode.l10n.t('{0} messages', count);
  item.description = [counts, senders, date].filter(Boolean).join(' \u00b7 ');
  item.iconPath = new vscode.ThemeIcon('comment-discussion', unread > 0 ? new vscode.ThemeColor('pop3Mail.unreadIcon') : undefined);
  item.tooltip = `${label}\n${senders}\n${messagesUnread(count, unread)}`;
  item.accessibilityInformation = { label: vscode.l10n.t('Conversation {0}, with {1}, {2}', label, senders, messagesUnread(count, unread)) };
  return item;
}

/** "3 messages, 1 unread" */
function messagesUnread(total: number, unread: number): string {
  return total === 1 ? vscode.l10n.t('{0} message, {1} unread', total, unread) : vscode.l10n.t('{0} messages, {1} unread', total, unread);
}

/** The fixed groups in the user's language; older months are already named in it (Intl). */
function groupLabel(group: DateGroup): string {
  switch (group.kind) {
    case 'future':
      return vscode.l10n.t('Future Dates');
    case 'today':
      return vscode.l10n.t('Today');
    case 'yesterday':
      return vscode.l10n.t('Yesterday');
    case 'week':
      return vscode.l10n.t('This Week');
    case 'month':
      return vscode.l10n.t('This Month');
    case 'undated':
      return vscode.l10n.t('No Date');
    case 'olderMonth':
      return group.label;
  }
}

/** A message row's tooltip, built when the pointer rests on the row (resolveTreeItem), not for every row shown. */
export function messageTooltip(summary: MessageNode['summary'], restorable: boolean): vscode.MarkdownString {
  const deleted = summary.trashed === true;
  const note = !deleted ? '' : `\n\n---\n\n${restorable ? vscode.l10n.t('Deleted here. Restore brings it back to the Inbox.') : vscode.l10n.t('Deleted here and on the server: it cannot be restored.')}`;
  const tooltip = new vscode.MarkdownString(messageTooltipText(summary, vscode.env.language) + note, false);
  tooltip.supportHtml = false;
  tooltip.supportThemeIcons = false;
  return tooltip;
}

/** A message row; under Deleted (summary.trashed) it offers Restore when `restorable`. */
export function messageItem(node: MessageNode, restorable = false): vscode.TreeItem {
  const { summary } = node;
  const subject = forLabel(summary.subject, 200) || vscode.l10n.t('(no subject)');
  const item = new vscode.TreeItem(subject, vscode.TreeItemCollapsibleState.None);
  const locale = vscode.env.language;
  const sender = forLabel(summary.from.name, 80) || forLabel(summary.from.address, 120) || vscode.l10n.t('(unknown sender)');
  const date = shortDate(summary.date, locale);
  item.id = `message/${node.accountKey}/${summary.id}`;
  const marks = `${summary.hasAttachments ? '\u{1F4CE} ' : ''}`;
  item.description = `${marks}${date ? `${sender} \u00b7 ${date}` : sender}`;
  const deleted = summary.trashed === true;
  item.iconPath = summary.headersOnly
    ? new vscode.ThemeIcon('cloud-download', summary.seen ? undefined : new vscode.ThemeColor('pop3Mail.unreadIcon'))
    : summary.seen
      ? new vscode.ThemeIcon('mail-read')
      : new vscode.ThemeIcon('mail', new vscode.ThemeColor('pop3Mail.unreadIcon'));
  const flags = [summary.seen ? 'read' : 'unread', summary.headersOnly ? 'headersOnly' : 'full', summary.hasAttachments ? 'attachments' : 'noAttachments'];
  item.contextValue = deleted ? `pop3Mail.deletedMessage ${restorable ? 'restorable' : 'serverDeleted'} ${flags.join(' ')}` : `pop3Mail.message ${flags.join(' ')}`;
  // VS Code registers a command with arguments per rendering and drops it when an ancestor row is
  // refreshed; the provider keeps such refreshes rare (counts are redrawn once the tree is quiet).
  item.command = { command: COMMANDS.openMessage, title: vscode.l10n.t('Open Message'), arguments: [node.accountKey, summary.id] };
  const parts = [date ? vscode.l10n.t('{0}, from {1}, {2}', subject, sender, date) : vscode.l10n.t('{0}, from {1}', subject, sender)];
  if (deleted) parts.push(vscode.l10n.t('deleted'));
  if (!summary.seen) parts.push(vscode.l10n.t('unread'));
  if (summary.hasAttachments) parts.push(vscode.l10n.t('with attachments'));
  if (summary.headersOnly) parts.push(vscode.l10n.t('headers only, {0} on the server', formatBytes(summary.serverSize ?? summary.size)));
  item.accessibilityInformation = { label: parts.join(', ') };
  return item;
}

export function moreItem(node: MoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Show {0} more ({1} not shown)', Math.min(PAGE_SIZE, node.remaining), node.remaining), vscode.TreeItemCollapsibleState.None);
  item.id = `more/${node.accountKey}/${node.groupKey}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = 'pop3Mail.more';
  item.command = { command: COMMANDS.showMore, title: vscode.l10n.t('Show More'), arguments: [node] };
  return item;
}

export function noticeItem(node: NoticeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(forLabel(node.text, 200), vscode.TreeItemCollapsibleState.None);
  item.id = `notice/${node.accountKey}/${node.problem ? 'problem' : 'info'}`;
  item.iconPath = new vscode.ThemeIcon(node.problem ? 'error' : 'info', node.problem ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
  item.contextValue = node.problem ? `pop3Mail.error${node.signIn ? ' signIn' : ''}` : 'pop3Mail.notice';
  const target: AccountNode = { kind: 'account', account: node.account, accountKey: node.accountKey };
  if (node.signIn) {
    item.tooltip = vscode.l10n.t('{0}\n\nClick to sign in.', forLabel(node.detail ?? node.text, 600));
    item.command = { command: COMMANDS.signIn, title: vscode.l10n.t('Sign In'), arguments: [target] };
    return item;
  }
  if (node.detail) item.tooltip = vscode.l10n.t('{0}\n\nClick to retry.', forLabel(node.detail, 600));
  if (node.detail !== undefined || !node.problem) item.command = { command: COMMANDS.fetch, title: vscode.l10n.t('Retry'), arguments: [target] };
  else item.command = { command: COMMANDS.showLog, title: vscode.l10n.t('Show Log') };
  return item;
}
