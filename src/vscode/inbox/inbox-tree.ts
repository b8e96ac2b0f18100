// The Inbox tree's data: Account -> Inbox (unread count) -> date groups ->
// messages, with "Show more" paging inside a group, and Account -> Deleted
// (when there is any) -> the messages deleted here. It reads the summary
// index (never message files); groups are ranges of the store's sorted list,
// so a large inbox costs one binary search per group (inboxModel.ts). How
// rows look is items.ts; what they are is nodes.ts.
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from '../common/commands';
import { setting } from '../common/config';
import { inboxGrouping } from '../common/settings';
import type { MessageSummary } from '../../store/types';
import { accountKey, type AccountConfig } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { logError } from '../common/errors';
import { SIGN_IN_REQUIRED, type FetchService } from '../fetch/fetch-service';
import { pageOf, unreadIn } from './date-groups';
import type { Stores } from '../common/stores';
import { displayLine, forLabel } from '../common/surface-text';
import { AccountViews, deletedOf, type AccountView } from './account-views';
import { conversationFacts, conversationPageKey } from './conversation-rows';
import { accountItem, conversationItem, deletedItem, groupItem, inboxItem, messageItem, messageTooltip, moreItem, noticeItem } from './tree-items';
import {
  CONVERSATION_PREFIX,
  CONVERSATIONS_KEY,
  DELETED_KEY,
  PAGE_SIZE,
  type AccountNode,
  type ConversationNode,
  type DeletedNode,
  type FolderNode,
  type GroupNode,
  type InboxNode,
  type MessageNode,
  type MoreNode,
  type Welcome,
} from './tree-nodes';

/** Flag changes (reading through a list) redraw the folders' counts once they pause this long. */
const COUNTS_QUIET_MS = 1500;

export class InboxTree implements vscode.TreeDataProvider<InboxNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InboxNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly views: AccountViews;
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
    this.views = new AccountViews({
      open: (account) => this.stores.get(account),
      locale: () => vscode.env.language,
      debug: (line) => this.log.debug(line),
      grouping: () => inboxGrouping(setting('inbox.groupBy')),
      onPatched: (_view, folder, node, conversation) => {
        if (folder.kind === 'inbox') this.unreadChanged.fire(this.views.totalUnread());
        // The row at once; the counts of its Inbox and group once no flag changed for a moment. Refreshing
        // an ancestor makes VS Code drop the click commands of every row below it until they are drawn
        // again, so a click in that moment is lost ("command not found"): keep those refreshes rare.
        if (node) this.changed.fire(node);
        if (conversation) this.refreshCountsSoon(conversation);
        this.refreshCountsSoon(folder);
      },
      onReloaded: () => {
        // The badge even while the view is hidden (getChildren, which counts too, runs only when it is shown).
        this.unreadChanged.fire(this.views.totalUnread());
        this.changed.fire(undefined);
      },
    });
    this.scheduleMidnight();
  }

  private countsTimer: NodeJS.Timeout | undefined;
  private readonly countsPending = new Set<InboxNode>();

  /** Redraws these folders (their counts and rows) when no flag has changed and no row was opened for COUNTS_QUIET_MS. */
  private refreshCountsSoon(folder?: InboxNode): void {
    if (folder) this.countsPending.add(folder);
    if (this.countsPending.size === 0) return;
    if (this.countsTimer) clearTimeout(this.countsTimer);
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      const folders = [...this.countsPending];
      this.countsPending.clear();
      for (const f of folders) this.changed.fire(f);
    }, COUNTS_QUIET_MS);
  }

  /** A row was just clicked: the user is going through the list, so the pending count redraw waits. */
  noteRowOpened(): void {
    this.refreshCountsSoon();
  }

  dispose(): void {
    if (this.countsTimer) clearTimeout(this.countsTimer);
    if (this.midnight) clearTimeout(this.midnight);
    this.views.dispose();
    this.changed.dispose();
    this.unreadChanged.dispose();
  }

  /** Everything again (settings changed, a fetch ended, the day changed). */
  refresh(): void {
    this.views.clear();
    this.changed.fire(undefined);
  }

  /** Fetch states changed: redraw rows and welcome, keep the cached inboxes. */
  refreshState(): void {
    this.changed.fire(undefined);
  }

  /** Shows one more page of a group ("Show more"). */
  async showMore(arg: unknown): Promise<void> {
    if (typeof arg !== 'object' || arg === null || (arg as MoreNode).kind !== 'more') return;
    const more = arg as MoreNode;
    const view = await this.views.pending(more.accountKey)?.catch(() => undefined);
    if (!view) return;
    const key = more.groupKey;
    const node =
      key === DELETED_KEY
        ? view.deletedFolder
        : key === CONVERSATIONS_KEY
          ? view.inbox
          : key.startsWith(CONVERSATION_PREFIX)
            ? view.conversationNodes.get(key.slice(CONVERSATION_PREFIX.length))
            : view.groupNodes.get(key);
    if (!node) return;
    view.pages.set(more.groupKey, (view.pages.get(more.groupKey) ?? 1) + 1);
    this.changed.fire(node);
  }

  /** Unread messages over all accounts whose inbox has been read. */
  totalUnread(): number {
    return this.views.totalUnread();
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
      case 'deleted':
      case 'notice':
        return this.accountNodes.get(node.accountKey);
      case 'group':
      case 'conversation':
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
      case 'conversation':
        return this.conversationMessages(node);
      case 'deleted':
        return this.deletedRows(node);
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
    else if (accounts.every((a) => this.stateEmpty(a))) {
      // Only accounts never fetched need their store opened to tell: the rows do not wait for a big store otherwise.
      const empty = await Promise.all(accounts.map(async (a) => (await this.viewOf(a).catch(() => undefined))?.list.length === 0));
      if (empty.every(Boolean)) {
        const states = accounts.map((a) => this.fetcher.stateOf(a));
        const failed = states.filter((s) => s.error !== undefined);
        if (states.some((s) => s.running)) welcome = 'fetching';
        // An automatic check that skipped an account without a password is not a failed fetch.
        else if (failed.length > 0) welcome = failed.every((s) => s.errorCode === 'NoPassword') ? 'needsPassword' : 'fetchFailed';
        else welcome = 'neverFetched';
      }
    }
    this.setWelcome(welcome);
    this.unreadChanged.fire(this.totalUnread());
    return welcome === 'none' ? nodes : [];
  }

  /** Never fetched successfully (after a success the account and its empty inbox are shown). */
  private stateEmpty(account: AccountConfig): boolean {
    return this.fetcher.stateOf(account).lastCheck === undefined;
  }

  private setWelcome(welcome: Welcome): void {
    if (welcome === this.welcome) return;
    this.welcome = welcome;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.welcome, welcome);
  }

  private viewOf(account: AccountConfig): Promise<AccountView> {
    return this.views.viewOf(account);
  }

  private async accountChildren(node: AccountNode): Promise<InboxNode[]> {
    const { account, accountKey: key } = node;
    const children: InboxNode[] = [];
    const state = this.fetcher.stateOf(account);
    if (state.error !== undefined && !state.running) {
      const signIn = state.errorCode === SIGN_IN_REQUIRED;
      const text = signIn ? forLabel(state.error, 160) : vscode.l10n.t('Fetch failed: {0}', forLabel(state.error, 160));
      children.push({ kind: 'notice', account, accountKey: key, text, problem: true, detail: state.error, ...(signIn ? { signIn } : {}) });
    }
    try {
      const view = await this.viewOf(account);
      children.push(view.inbox);
      if (view.deletedCount > 0) children.push(view.deletedFolder);
    } catch (error) {
      this.log.error(`reading the local store of ${displayLine(account.name)}: ${logError(error)}`);
      children.push({ kind: 'notice', account, accountKey: key, text: vscode.l10n.t('Could not read the local mail store (see the POP3 Mail log)'), problem: true });
    }
    return children;
  }

  private async groupsOf(node: FolderNode): Promise<InboxNode[]> {
    const view = await this.viewOf(node.account);
    if (view.list.length === 0) {
      return [{ kind: 'notice', account: node.account, accountKey: node.accountKey, text: vscode.l10n.t('No mail yet: Fetch Mail to download it'), problem: false }];
    }
    if (view.grouping === 'conversation') return this.conversationRows(view);
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
    const view = await this.views.pending(node.accountKey)?.catch(() => undefined);
    return view ? this.rows(view, (i) => view.list[i]!, node.group, node.group.key) : [];
  }

  /** Conversation mode: a page of conversations, newest first; one of a single message is that message's row. */
  private conversationRows(view: AccountView): InboxNode[] {
    const key = view.inbox.accountKey;
    const page = pageOf({ start: 0, end: view.conversations.length }, PAGE_SIZE, view.pages.get(CONVERSATIONS_KEY) ?? 1);
    const out: InboxNode[] = [];
    for (let k = page.start; k < page.end; k++) {
      const conversation = view.conversations[k]!;
      if (conversation.members.length === 1) {
        out.push(this.messageNode(view, view.list[conversation.members[0]!]!));
        continue;
      }
      const id = view.list[conversation.root]!.id;
      let node = view.conversationNodes.get(id);
      if (node) node.conversation = conversation;
      else {
        node = { kind: 'conversation', accountKey: key, key: id, conversation };
        view.conversationNodes.set(id, node);
      }
      out.push(node);
    }
    if (page.remaining > 0) out.push(this.moreNode(view, CONVERSATIONS_KEY, page.remaining));
    return out;
  }

  /** A conversation's messages, newest first. */
  private async conversationMessages(node: ConversationNode): Promise<InboxNode[]> {
    const view = await this.views.pending(node.accountKey)?.catch(() => undefined);
    if (!view) return [];
    const { members } = node.conversation;
    return this.rows(view, (i) => view.list[members[i]!]!, { start: 0, end: members.length }, conversationPageKey(node.key));
  }

  private async deletedRows(node: DeletedNode): Promise<InboxNode[]> {
    const view = await this.views.pending(node.accountKey)?.catch(() => undefined);
    if (!view) return [];
    const deleted = deletedOf(view);
    return this.rows(view, (i) => deleted[i]!, { start: 0, end: deleted.length }, DELETED_KEY);
  }

  /** The shown page of at(range.start) ... at(range.end - 1) as message rows, and "Show more" for the rest. */
  private rows(view: AccountView, at: (i: number) => MessageSummary, range: { readonly start: number; readonly end: number }, pageKey: string): InboxNode[] {
    const page = pageOf(range, PAGE_SIZE, view.pages.get(pageKey) ?? 1);
    const out: InboxNode[] = [];
    for (let i = page.start; i < page.end; i++) out.push(this.messageNode(view, at(i)));
    if (page.remaining > 0) out.push(this.moreNode(view, pageKey, page.remaining));
    return out;
  }

  /** The one row object of a message (VS Code keys rows by id and object). */
  private messageNode(view: AccountView, summary: MessageSummary): MessageNode {
    let m = view.messageNodes.get(summary.id);
    if (!m) {
      m = { kind: 'message', accountKey: view.inbox.accountKey, messageId: summary.id, summary };
      view.messageNodes.set(summary.id, m);
    } else m.summary = summary;
    return m;
  }

  private moreNode(view: AccountView, pageKey: string, remaining: number): MoreNode {
    let more = view.moreNodes.get(pageKey);
    if (more) more.remaining = remaining;
    else {
      more = { kind: 'more', accountKey: view.inbox.accountKey, groupKey: pageKey, remaining };
      view.moreNodes.set(pageKey, more);
    }
    return more;
  }

  getTreeItem(node: InboxNode): vscode.TreeItem {
    switch (node.kind) {
      case 'account':
        return accountItem(node, this.fetcher.stateOf(node.account), this.accounts.policyOf(node.accountKey).retention);
      case 'inbox': {
        // The view is built before this item is asked for (accountChildren awaited it).
        const cached = this.cachedView(node.accountKey);
        return inboxItem(node, cached && { total: cached.list.length, unread: cached.unread });
      }
      case 'group': {
        const cached = this.cachedView(node.accountKey);
        const { group } = node;
        return groupItem(node, cached?.groups[0]?.key === group.key, cached ? unreadIn(cached.list, group.start, group.end) : 0);
      }
      case 'conversation': {
        const cached = this.cachedView(node.accountKey);
        const { conversation } = node;
        // The cached view is the one the node came from unless a rebuild replaced it; then the rebuild redraws.
        if (!cached || cached.list[conversation.root]?.id !== node.key) return conversationItem(node, undefined, '');
        return conversationItem(node, conversationFacts(cached.list, conversation), cached.list[conversation.root]!.subject);
      }
      case 'deleted':
        return deletedItem(node, this.cachedView(node.accountKey)?.deletedCount ?? 0, this.restorable(node.accountKey));
      case 'message':
        return messageItem(node, node.summary.trashed === true && this.restorable(node.accountKey));
      case 'more':
        return moreItem(node);
      case 'notice':
        return noticeItem(node);
    }
  }

  /** Message tooltips are built when asked for (hover), not for each of the rows a page shows. */
  resolveTreeItem(item: vscode.TreeItem, node: InboxNode): vscode.TreeItem {
    if (node.kind === 'message' && item.tooltip === undefined) item.tooltip = messageTooltip(node.summary, node.summary.trashed === true && this.restorable(node.accountKey));
    return item;
  }

  /** Messages deleted here can be restored unless the account deletes them on the server too (and then forgets them). */
  private restorable(key: string): boolean {
    return this.accounts.policyOf(key).retention.deleteWhenDeletedLocally !== true;
  }

  /** The settled view for a key (getTreeItem is synchronous). */
  private cachedView(key: string): AccountView | undefined {
    return this.views.cached(key);
  }

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
