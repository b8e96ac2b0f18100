// The Inbox tree's elements: what each row stands for. VS Code hands these
// objects back to commands run from a row (context menu, inline buttons), so
// their shapes are part of the commands' contract (see message-refs.ts).
import type { MessageSummary } from '../../store/types';
import type { AccountConfig } from '../../sync/account';
import type { Conversation } from '../../mail/conversations';
import type { DateGroup } from './date-groups';

/** Messages per "page" inside a date group. */
export const PAGE_SIZE = 200;
/** The "Show more" key of the Deleted folder (date group keys never take this value). */
export const DELETED_KEY = 'deleted';
/** The "Show more" key of the Inbox's list of conversations (conversation mode). */
export const CONVERSATIONS_KEY = 'conversations';
/** The "Show more" key of the messages of one conversation: its key after this prefix. */
export const CONVERSATION_PREFIX = 'c:';

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

/** "Deleted": the messages deleted here (Maildir flag T) that are still kept, newest first. */
export interface DeletedNode {
  readonly kind: 'deleted';
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
 * A conversation of two or more messages (pop3Mail.inbox.groupBy
 * "conversation"), its messages below it newest first. `key` is the id of
 * its oldest message, so the row keeps its identity while replies arrive.
 */
export interface ConversationNode {
  readonly kind: 'conversation';
  readonly accountKey: string;
  readonly key: string;
  /** Updated in place, as GroupNode.group is. */
  conversation: Conversation;
}

/**
 * A message row, in the Inbox or (summary.trashed) under Deleted. Commands
 * run from its context menu get this object; `accountKey` and `messageId`
 * are what `pop3Mail.openMessage` takes as its two arguments (see
 * messageRef.ts for accepting both shapes).
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
  /** Only a new sign-in helps: the row runs Sign In. */
  readonly signIn?: boolean;
}

export type InboxNode = AccountNode | FolderNode | DeletedNode | GroupNode | ConversationNode | MessageNode | MoreNode | NoticeNode;

/** Which welcome the empty view shows (package.json viewsWelcome, context key pop3Mail.welcome). */
export type Welcome = 'noAccount' | 'neverFetched' | 'fetching' | 'fetchFailed' | 'needsPassword' | 'none';
