// The Inbox's view model in conversation mode (pop3Mail.inbox.groupBy), on a
// real store: conversations newest first with their rows' facts, a read
// flag reaching the conversation row's counts, a reply arriving in the same
// conversation, and date mode computing no conversations.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { MailStore } from '../../src/store/store';
import type { MessageSummary } from '../../src/store/types';
import type { AccountConfig } from '../../src/sync/account';
import { inboxGrouping, type InboxGrouping } from '../../src/vscode/common/settings';
import { AccountViews, conversationNodeOf, type AccountView } from '../../src/vscode/inbox/account-views';
import { conversationFacts, conversationIndex, conversationPageKey, unreadOfConversation } from '../../src/vscode/inbox/conversation-rows';
import type { ConversationNode } from '../../src/vscode/inbox/tree-nodes';

const ACCOUNT: AccountConfig = { name: 'Test', host: 'localhost', port: 995, user: 'ann', security: 'tls' };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function put(store: MailStore, uidl: string, from: string, subject: string, hour: number, ids: { id: string; refs?: string }): MessageSummary {
  const w = store.begin(uidl);
  const refs = ids.refs ? `References: ${ids.refs}\r\nIn-Reply-To: ${ids.refs.split(' ').pop()}\r\n` : '';
  w.write(Buffer.from(`From: ${from}\r\nSubject: ${subject}\r\nDate: 3 Nov 2026 ${String(hour).padStart(2, '0')}:00:00 +0000\r\nMessage-ID: ${ids.id}\r\n${refs}\r\nBody\r\n`));
  return store.commitUnsynced(w);
}

interface Harness {
  readonly store: MailStore;
  readonly views: AccountViews;
  readonly patched: { folder: string; conversation: ConversationNode | undefined }[];
  grouping: InboxGrouping;
  nextReload(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-conv-view-'));
  const store = await MailStore.open(dir);
  let wake: (() => void) | undefined;
  const h: Harness = {
    store,
    views: undefined as unknown as AccountViews,
    patched: [],
    grouping: 'conversation',
    nextReload: () => new Promise<void>((resolve) => (wake = resolve)),
  };
  const views = new AccountViews({
    open: async () => store,
    locale: () => 'en-US',
    debug: () => undefined,
    grouping: () => h.grouping,
    onPatched: (_view, folder, _row, conversation) => h.patched.push({ folder: folder.kind, conversation }),
    onReloaded: () => wake?.(),
    reloadDelayMs: 20,
  });
  (h as { views: AccountViews }).views = views;
  cleanups.push(() => {
    views.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return h;
}

/** A thread of three (Ann starts, Bob and Ann answer) and two single messages, interleaved in time. */
function fill(store: MailStore): void {
  put(store, 'u1', 'Ann <ann@example.org>', 'Build broken', 8, { id: '<t1@example.org>' });
  put(store, 'u2', 'Carl <carl@example.org>', 'Lunch?', 9, { id: '<s1@example.org>' });
  put(store, 'u3', 'Bob <bob@example.org>', 'Re: Build broken', 10, { id: '<t2@example.org>', refs: '<t1@example.org>' });
  put(store, 'u4', 'Dana <dana@example.org>', 'Invoice', 11, { id: '<s2@example.org>' });
  put(store, 'u5', 'Ann <ann@example.org>', 'Re: Build broken', 12, { id: '<t3@example.org>', refs: '<t1@example.org> <t2@example.org>' });
}

const subjects = (view: AccountView): string[][] => view.conversations.map((c) => c.members.map((i) => view.list[i]!.subject));

test('conversation mode: the thread first (its newest message is newest), singles after, each newest first', async () => {
  const h = await harness();
  fill(h.store);
  const view = await h.views.viewOf(ACCOUNT);
  assert.equal(view.grouping, 'conversation');
  assert.deepEqual(view.groups, [], 'no date groups computed');
  assert.deepEqual(subjects(view), [['Re: Build broken', 'Re: Build broken', 'Build broken'], ['Invoice'], ['Lunch?']]);
  const thread = view.conversations[0]!;
  assert.equal(view.list[thread.root]!.subject, 'Build broken');
  const facts = conversationFacts(view.list, thread);
  assert.deepEqual(facts, { count: 3, unread: 3, senders: ['Ann', 'Bob'], moreSenders: false, date: '2026-11-03T12:00:00.000Z' });
  assert.deepEqual(Array.from(view.conversationOf), [0, 1, 0, 2, 0]);
  assert.equal(conversationPageKey('abc'), 'c:abc');
});

test('a message read is patched into its conversation row: the row is told, its unread count drops', async () => {
  const h = await harness();
  fill(h.store);
  const view = await h.views.viewOf(ACCOUNT);
  const thread = view.conversations[0]!;
  const rootId = view.list[thread.root]!.id;
  // The tree made a row for it (as it does when it lists the Inbox).
  const node: ConversationNode = { kind: 'conversation', accountKey: view.inbox.accountKey, key: rootId, conversation: thread };
  view.conversationNodes.set(rootId, node);
  h.store.setSeen(view.list[thread.members[1]!]!.id, true);
  assert.deepEqual(h.patched, [{ folder: 'inbox', conversation: node }]);
  assert.equal(unreadOfConversation(view.list, thread), 2);
  assert.equal(view.unread, 4);
  // A single message's conversation has no row of its own: nothing extra to redraw.
  h.store.setSeen(view.list[view.conversations[1]!.members[0]!]!.id, true);
  assert.equal(h.patched[1]!.conversation, undefined);
  assert.equal(conversationNodeOf(view, thread.members[0]!), node);
});

test('a reply that arrives later joins its conversation, which keeps its key and moves to the top', async () => {
  const h = await harness();
  fill(h.store);
  const before = await h.views.viewOf(ACCOUNT);
  const key = before.list[before.conversations[0]!.root]!.id;
  put(h.store, 'u6', 'Eve <eve@example.org>', 'Re: Lunch?', 13, { id: '<s1r@example.org>', refs: '<s1@example.org>' });
  await h.nextReload();
  const after = h.views.cached(before.inbox.accountKey)!;
  assert.deepEqual(subjects(after), [['Re: Lunch?', 'Lunch?'], ['Re: Build broken', 'Re: Build broken', 'Build broken'], ['Invoice']]);
  assert.equal(after.list[after.conversations[1]!.root]!.id, key, 'same oldest message, same row key');
  assert.deepEqual(conversationFacts(after.list, after.conversations[0]!).senders, ['Carl', 'Eve']);
});

test('date mode computes no conversations; the setting value decides the mode', async () => {
  const h = await harness();
  h.grouping = 'date';
  fill(h.store);
  const view = await h.views.viewOf(ACCOUNT);
  assert.equal(view.grouping, 'date');
  assert.deepEqual(view.conversations, []);
  assert.ok(view.groups.length > 0);
  assert.equal(conversationNodeOf(view, 0), undefined);
  assert.equal(inboxGrouping('conversation'), 'conversation');
  assert.equal(inboxGrouping('date'), 'date');
  assert.equal(inboxGrouping('thread'), 'date', 'an unknown value is the default');
  assert.equal(inboxGrouping(undefined), 'date');
});

test('conversationFacts lists at most three senders (the first who wrote), each address once', () => {
  const s = (name: string, address: string, seen = false): MessageSummary =>
    ({ id: address, uidl: address, file: '', subject: '', from: { name, address }, to: '', date: '', size: 0, hasAttachments: false, snippet: '', seen }) as MessageSummary;
  const list = [s('Z', 'z@x'), s('Y', 'y@x', true), s('', 'x@x'), s('A again', 'A@x', true), s('A', 'a@x')];
  const facts = conversationFacts(list, { members: [0, 1, 2, 3, 4], root: 4 });
  assert.deepEqual(facts.senders, ['A', 'x@x', 'Y']);
  assert.equal(facts.moreSenders, true);
  assert.equal(facts.unread, 3);
  assert.deepEqual(Array.from(conversationIndex(3, [{ members: [2, 0], root: 0 }])), [0, -1, 0]);
});
