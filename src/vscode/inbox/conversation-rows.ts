// The Inbox's view model in conversation mode (pop3Mail.inbox.groupBy):
// what a conversation row shows, computed from the summaries only and only
// for the rows on screen. Pure: no vscode import, so it is unit-tested
// directly (the date mode's counterpart is date-groups.ts).
import type { Conversation } from '../../mail/conversations';
import type { MessageSummary } from '../../store/types';
import { CONVERSATION_PREFIX } from './tree-nodes';

/** What a conversation row says about its messages. */
export interface ConversationFacts {
  readonly count: number;
  readonly unread: number;
  /** Senders in the order they first wrote (oldest first), at most `max` of them. */
  readonly senders: readonly string[];
  /** More senders than listed. */
  readonly moreSenders: boolean;
  /** The newest message's date ('' when unknown): the row's place in the list. */
  readonly date: string;
}

/** Unread messages of a conversation. */
export function unreadOfConversation(list: readonly Pick<MessageSummary, 'seen'>[], c: Conversation): number {
  let n = 0;
  for (const i of c.members) if (!list[i]!.seen) n++;
  return n;
}

/**
 * A conversation's counts and senders (by name, else address; the same
 * address once). The scan over senders stops once `max + 1` are found, so
 * a row of a huge conversation decodes few summaries beyond its counts.
 */
export function conversationFacts(list: readonly MessageSummary[], c: Conversation, max = 3): ConversationFacts {
  const senders: string[] = [];
  const seen = new Set<string>();
  let more = false;
  for (let k = c.members.length - 1; k >= 0; k--) {
    const { name, address } = list[c.members[k]!]!.from;
    const who = address.toLowerCase() || name;
    if (seen.has(who)) continue;
    seen.add(who);
    if (senders.length === max) {
      more = true;
      break;
    }
    senders.push(name || address);
  }
  return { count: c.members.length, unread: unreadOfConversation(list, c), senders, moreSenders: more, date: list[c.members[0]!]!.date };
}

/** The "Show more" key of a conversation's messages. */
export function conversationPageKey(key: string): string {
  return `${CONVERSATION_PREFIX}${key}`;
}

/**
 * For each index of the list, the index of its conversation: a flag change
 * of one message finds the row whose counts it changes.
 */
export function conversationIndex(length: number, conversations: readonly Conversation[]): Int32Array {
  const of = new Int32Array(length).fill(-1);
  conversations.forEach((c, k) => {
    for (const i of c.members) of[i] = k;
  });
  return of;
}
