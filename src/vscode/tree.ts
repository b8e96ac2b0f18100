// The Inbox tree: Account -> Inbox (unread count) -> date groups -> messages,
// with "Show more" paging inside a group. It reads the summary index (never
// message files); groups are ranges of the store's sorted list, so a large
// inbox costs one binary search per group (inboxModel.ts). Everything shown
// goes through displayLine / escapeMarkdown (bidi controls stripped, T31).
import * as vscode from 'vscode';
import type { MailStore } from '../store/store';
import type { MessageSummary } from '../store/types';
import { accountKey, type AccountConfig } from '../sync/account';
import type { Accounts } from './accounts';
import { describeRetention } from './accountConfig';
import { logError } from './errors';
import type { FetchService } from './fetchService';
import { firstDayOfWeek, groupByDate, pageOf, unreadIn, type DateGroup } from './inboxModel';
import type { Stores } from './stores';
import { displayLine, formatBytes, messageTooltip, shortDate } from './text';

export const OPEN_MESSAGE_COMMAND = 'pop3Mail.openMessage';
export const SHOW_MORE_COMMAND = 'pop3Mail.showMore';
/** Messages per "page" inside a date group. */
export const PAGE_SIZE = 200;

export interface AccountNode {
  readonly kind: 'account';
  readonly account: AccountConfig;
  readonly accountKey: string;
}

export interface FolderNode {
  readonly kind: 'inbox';
  readonly account: AccountConfig;
  readonly accountKey: string;
}

export interface GroupNode {
  readonly kind: 'group';
  readonly accountKey: string;
  /** Updated in place: VS Code keys tree elements by id and object, so a refreshed group stays the same object. */
  group: DateGroup;
}

/**
 * A message row. Commands run from its context menu get this object;
 * `accountKey` and `messageId` are what `pop3Mail.openMessage` takes as its
 * two arguments (see messageRef.ts for accepting both shapes).
 */
export interface MessageNode {
  readonly kind: 'message';
  readonly accountKey: string;
  readonly messageId: string;
  summary: MessageSummary;
}

export interface MoreNode {
  readonly kind: 'more';
  readonly accountKey: string;
  readonly groupKey: string;
  remaining: number;
}

export interface NoticeNode {
  readonly kind: 'notice';
  readonly account: AccountConfig;
  readonly accountKey: string;
  readonly text: string;
  readonly problem: boolean;
  readonly detail?: string;
}

export type InboxNode = AccountNode | FolderNode | GroupNode | MessageNode | MoreNode | NoticeNode;

/** True for an account item passed to a command from the tree's context menu. */
export function isAccountNode(value: unknown): value is AccountNode {
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'account') return false;
  const account: unknown = (value as { account?: unknown }).account;
  if (typeof account !== 'object' || account === null) return false;
  const { user, host, port } = account as { user?: unknown; host?: unknown; port?: unknown };
  return typeof user === 'string' && typeof host === 'string' && typeof port === 'number';
}

/** The cached view of one account's inbox, rebuilt when its store changes or the day changes. */
interface AccountView {
  readonly store: MailStore;
  list: readonly MessageSummary[];
  groups: DateGroup[];
  unread: number;
  readonly groupNodes: Map<string, GroupNode>;
  readonly messageNodes: Map<string, MessageNode>;
  readonly moreNodes: Map<string, MoreNode>;
  /** Pages shown per group key; kept across refreshes of the same day. */
  readonly pages: Map<string, number>;
  readonly inbox: FolderNode;
  day: string;
}

/** Which welcome the empty view shows (package.json viewsWelcome, context key pop3Mail.welcome). */
export type Welcome = 'noAccount' | 'neverFetched' | 'fetching' | 'fetchFailed' | 'none';

export class InboxTree implements vscode.TreeDataProvider<InboxNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InboxNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly views = new Map<string, Promise<AccountView>>();
  private readonly accountNodes = new Map<string, AccountNode>();
  private readonly unreadChanged = new vscode.EventEmitter<number>();
  /** Total unread over all accounts, after each computation. */
  readonly onDidChangeUnread = this.unreadChanged.event;
  private welcome: Welcome | undefined;
  private midnight: NodeJS.Timeout | undefined;

  constructor(
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly fetcher: FetchService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.scheduleMidnight();
  }

  dispose(): void {
    if (this.midnight) clearTimeout(this.midnight);
    this.changed.dispose();
    this.unreadChanged.dispose();
  }

  /** Everything again (settings changed, a fetch ended, the day changed). */
  refresh(): void {
    this.views.clear();
    this.resolved.clear();
    this.changed.fire(undefined);
  }

  /** Fetch states changed: redraw rows and welcome, keep the cached inboxes. */
  refreshState(): void {
    this.changed.fire(undefined);
  }

  /** A message's flags changed through us: patch it in place, update its row, its group and the counts. */
  async messageChanged(key: string, summary: MessageSummary): Promise<void> {
    const view = await this.views.get(key)?.catch(() => undefined);
    if (!view) return;
    const node = view.messageNodes.get(summary.id);
    const index = view.list.findIndex((m) => m.id === summary.id);
    if (index < 0 || summary.trashed) {
      this.refresh();
      return;
    }
    // The list is our own snapshot (the store re-sorts lazily); the date, and so the order, did not change.
    const before = view.list[index]!;
    (view.list as MessageSummary[])[index] = summary;
    view.unread += (before.seen ? 0 : -1) + (summary.seen ? 0 : 1);
    this.unreadChanged.fire(await this.totalUnread());
    if (node) node.summary = summary;
    // One refresh from the inbox down (its count, the group's count, the row): overlapping refreshes of
    // an element and its ancestor raced in VS Code and left rows whose command was already disposed.
    this.changed.fire(view.inbox);
  }

  /** Shows one more page of a group ("Show more"). */
  async showMore(arg: unknown): Promise<void> {
    if (typeof arg !== 'object' || arg === null || (arg as MoreNode).kind !== 'more') return;
    const more = arg as MoreNode;
    const view = await this.views.get(more.accountKey)?.catch(() => undefined);
    const node = view?.groupNodes.get(more.groupKey);
    if (!view || !node) return;
    view.pages.set(more.groupKey, (view.pages.get(more.groupKey) ?? 1) + 1);
    this.changed.fire(node);
  }

  /** Unread messages over all accounts whose inbox has been read. */
  async totalUnread(): Promise<number> {
    let n = 0;
    for (const view of this.resolved.values()) n += view.unread;
    return n;
  }

  /** Unread in one account (opens its store). */
  async unreadOf(account: AccountConfig): Promise<number> {
    return (await this.viewOf(account).catch(() => undefined))?.unread ?? 0;
  }

  getParent(node: InboxNode): InboxNode | undefined {
    switch (node.kind) {
      case 'account':
        return undefined;
      case 'inbox':
      case 'notice':
        return this.accountNodes.get(node.accountKey);
      case 'group':
        return undefined; // reveal() is not used below the inbox
      case 'message':
      case 'more':
        return undefined;
    }
  }

  async getChildren(node?: InboxNode): Promise<InboxNode[]> {
    if (node === undefined) return this.roots();
    switch (node.kind) {
      case 'account':
        return this.accountChildren(node);
      case 'inbox':
        return this.groupsOf(node);
      case 'group':
        return this.messagesOf(node);
      case 'message':
      case 'more':
      case 'notice':
        return [];
    }
  }

  private async roots(): Promise<InboxNode[]> {
    const accounts = this.accounts.list();
    this.accountNodes.clear();
    const nodes = accounts.map((account): AccountNode => {
      const key = accountKey(account);
      const node: AccountNode = { kind: 'account', account, accountKey: key };
      this.accountNodes.set(key, node);
      return node;
    });
    // An empty tree shows the welcome that fits, while there is nothing to show but the account itself.
    let welcome: Welcome = 'none';
    if (accounts.length === 0) welcome = 'noAccount';
    else {
      const empty = await Promise.all(accounts.map(async (a) => (await this.viewOf(a).catch(() => undefined))?.list.length === 0 && this.stateEmpty(a)));
      if (empty.every(Boolean)) {
        const states = accounts.map((a) => this.fetcher.stateOf(a));
        welcome = states.some((s) => s.running) ? 'fetching' : states.some((s) => s.error !== undefined) ? 'fetchFailed' : 'neverFetched';
      }
    }
    this.setWelcome(welcome);
    this.unreadChanged.fire(await this.totalUnread());
    return welcome === 'none' ? nodes : [];
  }

  /** Never fetched successfully (after a success the account and its empty inbox are shown). */
  private stateEmpty(account: AccountConfig): boolean {
    return this.fetcher.stateOf(account).lastCheck === undefined;
  }

  private setWelcome(welcome: Welcome): void {
    if (welcome === this.welcome) return;
    this.welcome = welcome;
    void vscode.commands.executeCommand('setContext', 'pop3Mail.welcome', welcome);
  }

  private viewOf(account: AccountConfig): Promise<AccountView> {
    const key = accountKey(account);
    let view = this.views.get(key);
    if (!view) {
      view = this.buildView(account);
      view.catch(() => this.views.delete(key));
      this.views.set(key, view);
    }
    return view;
  }

  private async buildView(account: AccountConfig): Promise<AccountView> {
    const key = accountKey(account);
    const started = Date.now();
    const store = await this.stores.get(account);
    const opened = Date.now();
    // A snapshot: we patch flags into it ourselves (messageChanged).
    const list = [...store.list()];
    const locale = vscode.env.language;
    const now = new Date();
    const groups = groupByDate(list, now, { locale, firstDayOfWeek: firstDayOfWeek(locale) });
    const unread = unreadIn(list);
    const previous = this.pageMemory.get(key);
    const day = now.toDateString();
    const view: AccountView = {
      store,
      list,
      groups,
      unread,
      groupNodes: new Map(),
      messageNodes: new Map(),
      moreNodes: new Map(),
      pages: previous && previous.day === day ? previous.pages : new Map(),
      inbox: { kind: 'inbox', account, accountKey: key },
      day,
    };
    this.resolved.set(key, view);
    this.pageMemory.set(key, { day, pages: view.pages });
    this.log.debug(`inbox ${displayLine(account.name)}: ${list.length} messages, ${groups.length} groups; store ${opened - started} ms, view ${Date.now() - opened} ms`);
    return view;
  }

  /** "Show more" pages per account, kept across refreshes of the same day. */
  private readonly pageMemory = new Map<string, { day: string; pages: Map<string, number> }>();

  private async accountChildren(node: AccountNode): Promise<InboxNode[]> {
    const { account, accountKey: key } = node;
    const children: InboxNode[] = [];
    const state = this.fetcher.stateOf(account);
    if (state.error !== undefined && !state.running) {
      children.push({ kind: 'notice', account, accountKey: key, text: `Fetch failed: ${displayLine(state.error, 160)}`, problem: true, detail: state.error });
    }
    try {
      children.push((await this.viewOf(account)).inbox);
    } catch (error) {
      this.log.error(`reading the local store of ${displayLine(account.name)}: ${logError(error)}`);
      children.push({ kind: 'notice', account, accountKey: key, text: 'Could not read the local mail store (see the POP3 Mail log)', problem: true });
    }
    return children;
  }

  private async groupsOf(node: FolderNode): Promise<InboxNode[]> {
    const view = await this.viewOf(node.account);
    if (view.list.length === 0) {
      return [{ kind: 'notice', account: node.account, accountKey: node.accountKey, text: 'No mail yet: Fetch Mail to download it', problem: false }];
    }
    // The same objects on every call: a partial refresh must not hand VS Code a second object for an id.
    return view.groups.map((group) => {
      let g = view.groupNodes.get(group.key);
      if (g) g.group = group;
      else {
        g = { kind: 'group', accountKey: node.accountKey, group };
        view.groupNodes.set(group.key, g);
      }
      return g;
    });
  }

  private async messagesOf(node: GroupNode): Promise<InboxNode[]> {
    const view = await this.views.get(node.accountKey)?.catch(() => undefined);
    if (!view) return [];
    const page = pageOf(node.group, PAGE_SIZE, view.pages.get(node.group.key) ?? 1);
    const out: InboxNode[] = [];
    for (let i = page.start; i < page.end; i++) {
      const summary = view.list[i]!;
      let m = view.messageNodes.get(summary.id);
      if (!m) {
        m = { kind: 'message', accountKey: node.accountKey, messageId: summary.id, summary };
        view.messageNodes.set(summary.id, m);
      } else m.summary = summary;
      out.push(m);
    }
    if (page.remaining > 0) {
      let more = view.moreNodes.get(node.group.key);
      if (more) more.remaining = page.remaining;
      else {
        more = { kind: 'more', accountKey: node.accountKey, groupKey: node.group.key, remaining: page.remaining };
        view.moreNodes.set(node.group.key, more);
      }
      out.push(more);
    }
    return out;
  }

  getTreeItem(node: InboxNode): vscode.TreeItem {
    switch (node.kind) {
      case 'account':
        return this.accountItem(node);
      case 'inbox':
        return this.inboxItem(node);
      case 'group':
        return this.groupItem(node);
      case 'message':
        return messageItem(node);
      case 'more':
        return moreItem(node);
      case 'notice':
        return noticeItem(node);
    }
  }

  private accountItem(node: AccountNode): vscode.TreeItem {
    const { account } = node;
    const item = new vscode.TreeItem(displayLine(account.name, 120), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `account/${node.accountKey}`;
    const state = this.fetcher.stateOf(account);
    item.iconPath = state.running
      ? new vscode.ThemeIcon('sync~spin')
      : state.error !== undefined
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon('account');
    item.description = state.running ? 'fetching\u2026' : state.lastCheck ? `checked ${shortDate(new Date(state.lastCheck).toISOString(), vscode.env.language)}` : undefined;
    item.contextValue = `pop3Mail.account${state.running ? '.fetching' : ''}`;
    const policy = this.accounts.policyOf(node.accountKey);
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(`${account.user} on ${account.host}:${account.port} (${account.security === 'tls' ? 'TLS' : 'STARTTLS'})`);
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(`Mail is ${describeRetention(policy.retention)}.`);
    if (state.lastCheck) tooltip.appendMarkdown('\n\n').appendText(`Last check: ${new Date(state.lastCheck).toLocaleString(vscode.env.language)}`);
    if (state.error) tooltip.appendMarkdown('\n\n').appendText(`Last fetch failed: ${state.error}`);
    item.tooltip = tooltip;
    return item;
  }

  private inboxItem(node: FolderNode): vscode.TreeItem {
    const item = new vscode.TreeItem('Inbox', vscode.TreeItemCollapsibleState.Expanded);
    item.id = `inbox/${node.accountKey}`;
    item.iconPath = new vscode.ThemeIcon('inbox');
    item.contextValue = 'pop3Mail.inbox';
    // The view is built before this item is asked for (accountChildren awaited it).
    const cached = this.cachedView(node.accountKey);
    if (cached) {
      item.description = cached.unread > 0 ? `${cached.unread} unread` : undefined;
      item.tooltip = `${cached.list.length} message${cached.list.length === 1 ? '' : 's'}, ${cached.unread} unread`;
      item.accessibilityInformation = { label: `Inbox, ${cached.unread} unread of ${cached.list.length}` };
    }
    return item;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const { group } = node;
    const cached = this.cachedView(node.accountKey);
    const first = cached?.groups[0]?.key === group.key;
    const item = new vscode.TreeItem(group.label, first ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `group/${node.accountKey}/${group.key}`;
    item.contextValue = 'pop3Mail.group';
    const count = group.end - group.start;
    const unread = cached ? unreadIn(cached.list, group.start, group.end) : 0;
    item.description = unread > 0 ? `${unread} unread \u00b7 ${count}` : String(count);
    item.tooltip = `${count} message${count === 1 ? '' : 's'}, ${unread} unread`;
    return item;
  }

  /** The resolved view for a key, if its promise has settled (kept alongside for synchronous getTreeItem). */
  private cachedView(key: string): AccountView | undefined {
    return this.resolved.get(key);
  }

  private readonly resolved = new Map<string, AccountView>();

  private scheduleMidnight(): void {
    const now = new Date();
    const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 5);
    this.midnight = setTimeout(() => {
      this.refresh();
      this.scheduleMidnight();
    }, next.getTime() - now.getTime());
    this.midnight.unref?.();
  }
}

function messageItem(node: MessageNode): vscode.TreeItem {
  const { summary } = node;
  const subject = displayLine(summary.subject, 200) || '(no subject)';
  const item = new vscode.TreeItem(subject, vscode.TreeItemCollapsibleState.None);
  const locale = vscode.env.language;
  const sender = displayLine(summary.from.name, 80) || displayLine(summary.from.address, 120) || '(unknown sender)';
  const date = shortDate(summary.date, locale);
  item.id = `message/${node.accountKey}/${summary.id}`;
  const marks = `${summary.hasAttachments ? '\u{1F4CE} ' : ''}`;
  item.description = `${marks}${date ? `${sender} \u00b7 ${date}` : sender}`;
  const tooltip = new vscode.MarkdownString(messageTooltip(summary, locale), false);
  tooltip.supportHtml = false;
  tooltip.supportThemeIcons = false;
  item.tooltip = tooltip;
  item.iconPath = summary.headersOnly
    ? new vscode.ThemeIcon('cloud-download', summary.seen ? undefined : new vscode.ThemeColor('pop3Mail.unreadIcon'))
    : summary.seen
      ? new vscode.ThemeIcon('mail-read')
      : new vscode.ThemeIcon('mail', new vscode.ThemeColor('pop3Mail.unreadIcon'));
  const flags = [summary.seen ? 'read' : 'unread', summary.headersOnly ? 'headersOnly' : 'full', summary.hasAttachments ? 'attachments' : 'noAttachments'];
  item.contextValue = `pop3Mail.message ${flags.join(' ')}`;
  item.command = { command: OPEN_MESSAGE_COMMAND, title: 'Open Message', arguments: [node.accountKey, summary.id] };
  const states = [summary.seen ? '' : 'unread', summary.hasAttachments ? 'with attachments' : '', summary.headersOnly ? `headers only, ${formatBytes(summary.serverSize ?? summary.size)} on the server` : '']
    .filter(Boolean)
    .join(', ');
  item.accessibilityInformation = { label: `${subject}, from ${sender}${date ? `, ${date}` : ''}${states ? `, ${states}` : ''}` };
  return item;
}

function moreItem(node: MoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`Show ${Math.min(PAGE_SIZE, node.remaining)} more (${node.remaining} not shown)`, vscode.TreeItemCollapsibleState.None);
  item.id = `more/${node.accountKey}/${node.groupKey}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = 'pop3Mail.more';
  item.command = { command: SHOW_MORE_COMMAND, title: 'Show More', arguments: [node] };
  return item;
}

function noticeItem(node: NoticeNode): vscode.TreeItem {
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
