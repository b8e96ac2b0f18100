// The tree's per-account views against a real store: flag changes patched
// in place, stored and expunged mail rebuilding the view (once per burst),
// deleted and restored mail at once, and no events after a view is dropped.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { MailStore } from '../../src/store/store';
import type { MessageSummary } from '../../src/store/types';
import type { AccountConfig } from '../../src/sync/account';
import { AccountViews, deletedOf, indexInList, planUpdate, trashedNewestFirst, type AccountView } from '../../src/vscode/inbox/account-views';

const ACCOUNT: AccountConfig = { name: 'Test', host: 'localhost', port: 995, user: 'ann', security: 'tls' };

const dirs: string[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function openStore(): Promise<MailStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-tree-'));
  dirs.push(dir);
  return MailStore.open(dir);
}

function put(store: MailStore, uidl: string, subject: string, day: number): MessageSummary {
  const w = store.begin(uidl);
  w.write(Buffer.from(`From: Ann <ann@example.org>\r\nSubject: ${subject}\r\nDate: ${day} Nov 2026 10:00:00 +0000\r\n\r\nBody\r\n`));
  return store.commitUnsynced(w);
}

const summary = (id: string, date: string, extra: Partial<MessageSummary> = {}): MessageSummary => ({
  id,
  uidl: id,
  file: `new/${id}`,
  subject: id,
  from: { name: '', address: '' },
  to: '',
  date,
  size: 1,
  hasAttachments: false,
  snippet: '',
  seen: false,
  ...extra,
});

interface Harness {
  readonly store: MailStore;
  readonly views: AccountViews;
  readonly patched: { view: AccountView; folder: string }[];
  readonly reloaded: string[];
  reloadedOnce(): Promise<void>;
}

async function harness(reloadDelayMs = 40): Promise<Harness> {
  const store = await openStore();
  const patched: { view: AccountView; folder: string }[] = [];
  const reloaded: string[] = [];
  let wake: (() => void) | undefined;
  const views = new AccountViews({
    open: async () => store,
    locale: () => 'en-US',
    debug: () => undefined,
    onPatched: (view, folder) => patched.push({ view, folder: folder.kind }),
    onReloaded: (key) => {
      reloaded.push(key);
      wake?.();
    },
    reloadDelayMs,
  });
  cleanups.push(() => views.dispose());
  return {
    store,
    views,
    patched,
    reloaded,
    reloadedOnce: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload')), 5000);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
  };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('indexInList: a binary search on the date, then the run of equal dates; undated messages at the end; -1 when absent', () => {
  const list = [
    summary('a', '2026-11-05T10:00:00.000Z'),
    summary('b', '2026-11-04T10:00:00.000Z'),
    summary('c', '2026-11-04T10:00:00.000Z'),
    summary('d', '2026-11-04T10:00:00.000Z'),
    summary('e', '2026-11-01T10:00:00.000Z'),
    summary('f', ''),
    summary('g', ''),
  ];
  for (const [i, m] of list.entries()) assert.equal(indexInList(list, m), i, m.id);
  assert.equal(indexInList(list, summary('x', '2026-11-04T10:00:00.000Z')), -1);
  assert.equal(indexInList(list, summary('x', '2026-11-03T10:00:00.000Z')), -1);
  assert.equal(indexInList(list, summary('x', '')), -1);
  assert.equal(indexInList([], summary('a', '')), -1);
});

test('planUpdate: read state is patched, deleting or restoring rebuilds at once, stored or expunged mail rebuilds soon', () => {
  const a = summary('a', '2026-11-05T10:00:00.000Z');
  const t = { ...a, trashed: true };
  const list = [a];
  assert.deepEqual(planUpdate(list, undefined, { kind: 'flags', before: a, summary: { ...a, seen: true } }), { kind: 'patch', folder: 'inbox', index: 0 });
  assert.deepEqual(planUpdate(list, undefined, { kind: 'flags', before: a, summary: t }), { kind: 'reload', soon: false });
  assert.deepEqual(planUpdate([], [t], { kind: 'flags', before: t, summary: a }), { kind: 'reload', soon: false });
  // A deleted message read (opened from Deleted): patched there once that list was read, else nothing to show.
  assert.deepEqual(planUpdate([], undefined, { kind: 'flags', before: t, summary: { ...t, seen: true } }), { kind: 'none' });
  assert.deepEqual(planUpdate([], [summary('z', '2026-11-06T10:00:00.000Z', { trashed: true }), t], { kind: 'flags', before: t, summary: { ...t, seen: true } }), {
    kind: 'patch',
    folder: 'deleted',
    index: 1,
  });
  // Not in our copy although the store says it is listed: rebuild rather than show a stale row.
  assert.deepEqual(planUpdate([], undefined, { kind: 'flags', before: a, summary: { ...a, seen: true } }), { kind: 'reload', soon: false });
  assert.deepEqual(planUpdate([], [], { kind: 'flags', before: t, summary: { ...t, seen: true } }), { kind: 'reload', soon: false });
  assert.deepEqual(planUpdate(list, undefined, { kind: 'added', summary: a }), { kind: 'reload', soon: true });
  assert.deepEqual(planUpdate(list, undefined, { kind: 'removed', summary: a }), { kind: 'reload', soon: true });
});

test('trashedNewestFirst: only the messages deleted here, in the inbox order', () => {
  const all = [
    summary('old', '2026-10-01T10:00:00.000Z', { trashed: true }),
    summary('kept', '2026-11-09T10:00:00.000Z'),
    summary('undated', '', { trashed: true }),
    summary('new', '2026-11-08T10:00:00.000Z', { trashed: true }),
  ];
  assert.deepEqual(trashedNewestFirst(all).map((m) => m.id), ['new', 'old', 'undated']);
  assert.deepEqual(trashedNewestFirst([]), []);
});

test('a flag change through the store is patched into the view in place: row, counts, no rebuild', async () => {
  const h = await harness();
  const ids = [1, 2, 3].map((d) => put(h.store, `u${d}`, `m${d}`, d).id);
  const view = await h.views.viewOf(ACCOUNT);
  assert.equal(view.unread, 3);
  view.messageNodes.set(ids[1]!, { kind: 'message', accountKey: view.inbox.accountKey, messageId: ids[1]!, summary: view.list[1]! });
  h.store.setSeen(ids[1]!, true);
  assert.deepEqual(h.patched, [{ view, folder: 'inbox' }], 'told at once');
  assert.equal(view.unread, 2);
  assert.equal(view.list[1]!.id, ids[1]);
  assert.equal(view.list[1]!.seen, true);
  assert.equal(view.messageNodes.get(ids[1]!)!.summary.seen, true, 'the row object shows the new state');
  assert.equal(h.views.totalUnread(), 2);
  await tick(120);
  assert.deepEqual(h.reloaded, [], 'no rebuild for a flag change');
  assert.equal(h.views.cached(view.inbox.accountKey), view);
});

test('mail stored during a fetch: one rebuild for a burst, after the delay, with the new messages; the old view hears nothing more', async () => {
  const h = await harness(60);
  put(h.store, 'u1', 'first', 1);
  const first = await h.views.viewOf(ACCOUNT);
  const reloaded = h.reloadedOnce();
  for (let d = 2; d <= 6; d++) put(h.store, `u${d}`, `m${d}`, d);
  await reloaded;
  await tick(100);
  assert.equal(h.reloaded.length, 1, 'one rebuild for five messages');
  const second = h.views.cached(first.inbox.accountKey)!;
  assert.notEqual(second, first);
  assert.deepEqual(second.list.map((m) => m.subject), ['m6', 'm5', 'm4', 'm3', 'm2', 'first']);
  assert.equal(second.unread, 6);
  assert.equal(await h.views.viewOf(ACCOUNT), second, 'the rebuilt view is the current one');
  h.store.setSeen(second.list[0]!.id, true);
  assert.deepEqual(h.patched, [{ view: second, folder: 'inbox' }], 'only the current view is patched');
  assert.equal(first.unread, 1, 'the dropped view is not subscribed any more');
});

test('delete and restore rebuild the view without waiting', async () => {
  const h = await harness(10_000);
  const id = put(h.store, 'u1', 'one', 1).id;
  put(h.store, 'u2', 'two', 2);
  await h.views.viewOf(ACCOUNT);
  h.store.setSeen(id, true);
  h.patched.length = 0;
  let reloaded = h.reloadedOnce();
  h.store.trash(id);
  await reloaded;
  const trashed = await h.views.viewOf(ACCOUNT);
  assert.deepEqual(trashed.list.map((m) => m.subject), ['two']);
  assert.equal(trashed.deletedCount, 1);
  assert.equal(trashed.deleted, undefined, 'the Deleted list is read when the folder is opened');
  assert.deepEqual(deletedOf(trashed).map((m) => m.subject), ['one']);
  // Opened from Deleted and marked unread there: the row is patched, the inbox count stays.
  h.store.setSeen(id, false);
  assert.deepEqual(h.patched, [{ view: trashed, folder: 'deleted' }]);
  assert.equal(trashed.deleted![0]!.seen, false);
  assert.equal(trashed.unread, 1);
  reloaded = h.reloadedOnce();
  h.store.restore(id);
  await reloaded;
  const restored = await h.views.viewOf(ACCOUNT);
  assert.deepEqual(restored.list.map((m) => [m.subject, m.seen]), [['two', false], ['one', false]]);
  assert.equal(restored.deletedCount, 0);
  assert.equal(restored.unread, 2);
});

test('an expunged message (deleted on the server) leaves the view at the next rebuild', async () => {
  const h = await harness(30);
  const id = put(h.store, 'u1', 'one', 1).id;
  put(h.store, 'u2', 'two', 2);
  await h.views.viewOf(ACCOUNT);
  const reloaded = h.reloadedOnce();
  h.store.expunge(id);
  await reloaded;
  assert.deepEqual((await h.views.viewOf(ACCOUNT)).list.map((m) => m.subject), ['two']);
});

test('after clear() the dropped views hear nothing and pending rebuilds are cancelled', async () => {
  const h = await harness(30);
  const id = put(h.store, 'u1', 'one', 1).id;
  const view = await h.views.viewOf(ACCOUNT);
  put(h.store, 'u2', 'two', 2); // schedules a rebuild
  h.views.clear();
  h.store.setSeen(id, true);
  await tick(120);
  assert.deepEqual(h.patched, []);
  assert.deepEqual(h.reloaded, []);
  assert.equal(view.unread, 1);
  assert.equal(h.views.cached(view.inbox.accountKey), undefined);
  assert.equal((await h.views.viewOf(ACCOUNT)).list.length, 2, 'the next use reads the store again');
});
