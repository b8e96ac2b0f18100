// The tree's copy of each account's mail: a snapshot of the store's inbox
// list with its date groups and counts, the messages deleted here (listed
// when the Deleted folder is opened), and the node objects handed to VS
// Code. Each view listens to its store (MailStore.onDidChange) while it is
// the current one: a flag change is patched into the snapshot in place; a
// stored, expunged, deleted or restored message rebuilds the view, soon but
// not for every message of a fetch. No vscode import: the provider is told
// what changed through the callbacks, and unit tests drive a real store.
import { threadConversations, type Conversation } from '../../mail/conversations';
import type { MailStore } from '../../store/store';
import type { StoreChange } from '../../store/types';
import type { MessageSummary } from '../../store/types';
import { accountKey, type AccountConfig } from '../../sync/account';
import type { InboxGrouping } from '../common/settings';
import { displayLine } from '../common/surface-text';
import { conversationIndex } from './conversation-rows';
import { firstBelow, firstDayOfWeek, groupByDate, unreadIn, type DateGroup } from './date-groups';
import type { ConversationNode, DeletedNode, FolderNode, GroupNode, MessageNode, MoreNode } from './tree-nodes';

/** The cached view of one account's inbox, rebuilt when its store changes or the day changes. */
export interface AccountView {
  readonly store: MailStore;
  /** Our own snapshot of store.list(): flags are patched into it, its order never changes. */
  readonly list: MessageSummary[];
  /** How the Inbox lists this view: date groups, or conversations. */
  readonly grouping: InboxGrouping;
  /** Date mode: the date groups (none in conversation mode). */
  readonly groups: DateGroup[];
  /** Conversation mode: the conversations over `list`, newest first (none in date mode). */
  readonly conversations: Conversation[];
  /** Conversation mode: each list index's conversation (index into `conversations`). */
  readonly conversationOf: Int32Array;
  unread: number;
  readonly groupNodes: Map<string, GroupNode>;
  /** Conversation rows by key (the id of its oldest message). */
  readonly conversationNodes: Map<string, ConversationNode>;
  readonly messageNodes: Map<string, MessageNode>;
  readonly moreNodes: Map<string, MoreNode>;
  /** Pages shown per group key; kept across refreshes of the same day. */
  readonly pages: Map<string, number>;
  readonly inbox: FolderNode;
  /** How many messages are deleted here and still kept (the Deleted folder shows when there are any). */
  readonly deletedCount: number;
  /** Those messages newest first, once the Deleted folder was opened (deletedOf). */
  deleted: MessageSummary[] | undefined;
  readonly deletedFolder: DeletedNode;
  readonly day: string;
}

export interface AccountViewsOptions {
  /** The account's store (Stores.get). */
  readonly open: (account: AccountConfig) => Promise<MailStore>;
  /** Locale for month names and the first day of the week. */
  readonly locale: () => string | undefined;
  readonly debug: (line: string) => void;
  /**
   * Flags were patched into `view` (counts, rows): redraw from `folder` (its
   * Inbox or Deleted) down; `conversation` is the row of the message's
   * conversation when one is shown (its counts changed).
   */
  readonly onPatched: (view: AccountView, folder: FolderNode | DeletedNode, row: MessageNode | undefined, conversation?: ConversationNode) => void;
  /** How the Inbox lists mail (read at each rebuild); date groups when not given. */
  readonly grouping?: () => InboxGrouping;
  /** The account's view was rebuilt after its mail changed: redraw the account. */
  readonly onReloaded: (key: string) => void;
  /** Least time between rebuilds while messages keep arriving; default 250 ms. */
  readonly reloadDelayMs?: number;
}

/** A rebuild waits at least this many times as long as the last one took (a 100,000-message inbox re-sorts). */
const RELOAD_COST_FACTOR = 5;

/**
 * Where `summary` is in `list` (sorted newest first by date string, as the
 * store sorts), found by a binary search on its date; -1 when it is not there.
 */
export function indexInList(list: readonly MessageSummary[], summary: Pick<MessageSummary, 'id' | 'date'>): number {
  for (let i = firstBelow(list, summary.date) - 1; i >= 0 && list[i]!.date === summary.date; i--) {
    if (list[i]!.id === summary.id) return i;
  }
  return -1;
}

/** The store's order: newest first by the ISO date string, undated last. */
function newestFirst(a: MessageSummary, b: MessageSummary): number {
  return a.date < b.date ? 1 : a.date > b.date ? -1 : 0;
}

/** The messages deleted here (flag T) among `all`, newest first. */
export function trashedNewestFirst(all: Iterable<MessageSummary>): MessageSummary[] {
  const out: MessageSummary[] = [];
  for (const m of all) if (m.trashed) out.push(m);
  return out.sort(newestFirst);
}

/** What a store change means for an account's view. */
export type ViewUpdate =
  | { readonly kind: 'patch'; readonly folder: 'inbox' | 'deleted'; readonly index: number }
  | { readonly kind: 'reload'; readonly soon: boolean }
  | { readonly kind: 'none' };

/**
 * A flag change of a listed message is patched at its index (in the inbox,
 * or in the deleted list when that was read; `deleted` undefined otherwise);
 * a message deleted or restored moves between the two (rebuild at once); a
 * stored or expunged one too, but many arrive during a fetch (rebuild soon).
 */
export function planUpdate(list: readonly MessageSummary[], deleted: readonly MessageSummary[] | undefined, change: StoreChange): ViewUpdate {
  if (change.kind !== 'flags') return { kind: 'reload', soon: true };
  const { before, summary } = change;
  if ((before.trashed === true) !== (summary.trashed === true)) return { kind: 'reload', soon: false };
  if (summary.trashed && deleted === undefined) return { kind: 'none' }; // nothing shown of it yet
  const folder = summary.trashed ? 'deleted' : 'inbox';
  const index = indexInList(folder === 'deleted' ? deleted! : list, summary);
  return index < 0 ? { kind: 'reload', soon: false } : { kind: 'patch', folder, index };
}

/** The row of the conversation holding list[index], when that conversation has a row (two or more messages). */
export function conversationNodeOf(view: AccountView, index: number): ConversationNode | undefined {
  const c = view.conversations[view.conversationOf[index] ?? -1];
  return c && view.conversationNodes.get(view.list[c.root]!.id);
}

/** The account's deleted messages, newest first (read from the store the first time the folder is opened). */
export function deletedOf(view: AccountView): readonly MessageSummary[] {
  view.deleted ??= trashedNewestFirst(view.store.all());
  return view.deleted;
}

export class AccountViews {
  private readonly views = new Map<string, Promise<AccountView>>();
  /** The settled current views (for synchronous getTreeItem). */
  private readonly resolved = new Map<string, AccountView>();
  private readonly subscriptions = new Map<string, { dispose(): void }>();
  private readonly reloads = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly buildMs = new Map<string, number>();
  /** "Show more" pages per account, kept across refreshes of the same day. */
  private readonly pageMemory = new Map<string, { day: string; pages: Map<string, number> }>();

  constructor(private readonly options: AccountViewsOptions) {}

  /** The account's view, built (and subscribed to its store) on first use. */
  viewOf(account: AccountConfig): Promise<AccountView> {
    const key = accountKey(account);
    const existing = this.views.get(key);
    if (existing) return existing;
    let unsubscribe: { dispose(): void } | undefined;
    const promise: Promise<AccountView> = this.build(account, (s) => (unsubscribe = s)).then(
      (view) => {
        if (this.views.get(key) === promise) {
          this.subscriptions.get(key)?.dispose();
          if (unsubscribe) this.subscriptions.set(key, unsubscribe);
          this.resolved.set(key, view);
        } else unsubscribe?.dispose(); // dropped while it was being built
        return view;
      },
      (error: unknown) => {
        // A failed build is not kept: the next call tries again.
        if (this.views.get(key) === promise) {
          this.views.delete(key);
          this.resolved.delete(key);
        }
        throw error;
      },
    );
    this.views.set(key, promise);
    return promise;
  }

  /** The view being built or built for a key, without starting one. */
  pending(key: string): Promise<AccountView> | undefined {
    return this.views.get(key);
  }

  /** The settled view for a key, if any. */
  cached(key: string): AccountView | undefined {
    return this.resolved.get(key);
  }

  /** Unread messages over all accounts whose inbox has been read. */
  totalUnread(): number {
    let n = 0;
    for (const view of this.resolved.values()) n += view.unread;
    return n;
  }

  /** Drops every view and its store subscription (the next use rebuilds it). */
  clear(): void {
    for (const s of this.subscriptions.values()) s.dispose();
    this.subscriptions.clear();
    for (const r of this.reloads.values()) clearTimeout(r.timer);
    this.reloads.clear();
    this.views.clear();
    this.resolved.clear();
  }

  dispose(): void {
    this.clear();
  }

  private async build(account: AccountConfig, subscribed: (s: { dispose(): void }) => void): Promise<AccountView> {
    const key = accountKey(account);
    const started = Date.now();
    const store = await this.options.open(account);
    const opened = Date.now();
    const list = [...store.list()];
    let deletedCount = 0;
    for (const m of store.all()) if (m.trashed) deletedCount++;
    const locale = this.options.locale();
    const now = new Date();
    const grouping = this.options.grouping?.() ?? 'date';
    // Only the chosen mode is computed: threading reads every summary's ids, grouping by date only the dates.
    const groups = grouping === 'date' ? groupByDate(list, now, { locale, firstDayOfWeek: firstDayOfWeek(locale) }) : [];
    const conversations = grouping === 'conversation' ? threadConversations(list) : [];
    const previous = this.pageMemory.get(key);
    const day = now.toDateString();
    const view: AccountView = {
      store,
      list,
      grouping,
      groups,
      conversations,
      conversationOf: grouping === 'conversation' ? conversationIndex(list.length, conversations) : new Int32Array(0),
      unread: unreadIn(list),
      groupNodes: new Map(),
      conversationNodes: new Map(),
      messageNodes: new Map(),
      moreNodes: new Map(),
      pages: previous && previous.day === day ? previous.pages : new Map(),
      inbox: { kind: 'inbox', account, accountKey: key },
      deletedCount,
      deleted: undefined,
      deletedFolder: { kind: 'deleted', account, accountKey: key },
      day,
    };
    // Subscribed in the same tick as the snapshot: no change can fall between the two.
    subscribed(store.onDidChange((change) => this.changed(view, change)));
    this.pageMemory.set(key, { day, pages: view.pages });
    this.buildMs.set(key, Date.now() - opened);
    const shape = grouping === 'date' ? `${groups.length} groups` : `${conversations.length} conversations`;
    this.options.debug(`inbox ${displayLine(account.name)}: ${list.length} messages, ${shape}; store ${opened - started} ms, view ${Date.now() - opened} ms`);
    return view;
  }

  private changed(view: AccountView, change: StoreChange): void {
    const update = planUpdate(view.list, view.deleted, change);
    switch (update.kind) {
      case 'none':
        return;
      case 'reload':
        this.scheduleReload(view.inbox.account, update.soon ? Math.max(this.options.reloadDelayMs ?? 250, RELOAD_COST_FACTOR * (this.buildMs.get(view.inbox.accountKey) ?? 0)) : 0);
        return;
      case 'patch': {
        const { before, summary } = change as Extract<StoreChange, { kind: 'flags' }>;
        // The date, and so the order and the groups, did not change.
        const node = view.messageNodes.get(summary.id);
        if (node) node.summary = summary;
        if (update.folder === 'deleted') {
          view.deleted![update.index] = summary;
          this.options.onPatched(view, view.deletedFolder, node);
          return;
        }
        view.list[update.index] = summary;
        view.unread += (before.seen ? 0 : -1) + (summary.seen ? 0 : 1);
        this.options.onPatched(view, view.inbox, node, conversationNodeOf(view, update.index));
        return;
      }
    }
  }

  /**
   * Rebuilds the account's view after `delayMs`. Later changes within that
   * time join the same rebuild (a fetch stores many messages), so the tree is
   * redrawn at most once per delay; a sooner request brings it forward.
   */
  private scheduleReload(account: AccountConfig, delayMs: number): void {
    const key = accountKey(account);
    const due = Date.now() + delayMs;
    const pending = this.reloads.get(key);
    if (pending && pending.due <= due) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.reloads.delete(key);
      this.subscriptions.get(key)?.dispose();
      this.subscriptions.delete(key);
      this.views.delete(key);
      // The old view stays in `resolved` until the new one replaces it: rows drawn meanwhile keep their counts.
      this.viewOf(account).then(
        () => this.options.onReloaded(key),
        () => this.options.onReloaded(key),
      );
    }, delayMs);
    this.reloads.set(key, { timer, due });
  }
}
