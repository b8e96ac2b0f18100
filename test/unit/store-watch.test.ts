import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { readLastCheck, writeLastCheck } from '../../src/store/last-check';
import { StoreLock } from '../../src/store/lock';
import { MailStore } from '../../src/store/store';
import { StoreWatcher } from '../../src/store/store-watch';
import { fetchMail } from '../../src/sync/fetch';
import { waitUntil } from '../support/wait';

const dirs: string[] = [];
const disposables: { dispose(): void }[] = [];
afterEach(() => {
  for (const d of disposables.splice(0)) d.dispose();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-watch-'));
  dirs.push(d);
  return d;
}

const mail = (subject: string): Buffer => Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n`);

function put(store: MailStore, uidl: string): string {
  const w = store.begin(uidl);
  w.write(mail(uidl));
  const id = store.commit(w).id;
  store.flush();
  return id;
}

/** Two store objects on one folder, as two windows have them, each watched. */
async function twoWindows(): Promise<{ a: MailStore; b: MailStore; reloads: { a: number; b: number } }> {
  const dir = tmp();
  const a = await MailStore.open(dir);
  const b = await MailStore.open(dir);
  const reloads = { a: 0, b: 0 };
  disposables.push(new StoreWatcher(a, () => reloads.a++), new StoreWatcher(b, () => reloads.b++));
  return { a, b, reloads };
}

test('mail stored, read, deleted and restored through one store object shows in the other; its own changes do not reload it', async () => {
  const { a, b, reloads } = await twoWindows();
  const id = put(a, 'm1');
  await waitUntil('B sees the new message', () => b.list().length === 1, 10_000);
  assert.equal(b.get(id)?.subject, 'm1');

  a.setSeen(id, true);
  await waitUntil('B sees it read', () => b.get(id)?.seen === true, 10_000);

  b.trash(id);
  await waitUntil('A sees it deleted', () => a.list().length === 0, 10_000);
  assert.equal(a.get(id)?.trashed, true);

  a.restore(id);
  await waitUntil('B sees it restored', () => b.list().length === 1, 10_000);
  assert.ok(reloads.b >= 3 && reloads.a >= 1);
  const before = { ...reloads };
  a.setSeen(id, false);
  await waitUntil('B sees it unread', () => b.get(id)?.seen === false, 10_000);
  assert.equal(reloads.a, before.a, 'A made the change: A does not read the store again');
});

test('a flag change on a message another window has just moved finds its file (the store is read again first)', async () => {
  const dir = tmp();
  const a = await MailStore.open(dir);
  const b = await MailStore.open(dir);
  const id = put(a, 'm1');
  b.reloadIfChanged();
  a.setSeen(id, true); // new/ -> cur/ behind B's back, no watcher to tell it
  assert.equal(b.trash(id).trashed, true);
  assert.deepEqual(await b.readRaw(id), mail('m1'));
});

test('no reload while a fetch holds the store: the index is still growing; the lock\'s removal brings it', async () => {
  const dir = tmp();
  const a = await MailStore.open(dir);
  const b = await MailStore.open(dir);
  const watcher = new StoreWatcher(b, () => undefined);
  disposables.push(watcher);
  const lock = await StoreLock.acquire(a.dir);
  put(a, 'm1');
  put(a, 'm2');
  assert.equal(watcher.check(), false, 'a look while the fetch runs does not read the store');
  assert.equal(b.list().length, 0);
  lock.release();
  await waitUntil('B sees both once the fetch ended', () => b.list().length === 2, 10_000);
});

test('the shared last-check record: an automatic check that another window completed while this one waited is skipped without connecting', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  assert.equal(readLastCheck(dir), undefined);
  const requested = Date.now() - 10_000;
  const at = Date.now() - 5_000;
  writeLastCheck(dir, at);
  assert.equal(readLastCheck(dir), at);
  // Port 1 on loopback: a connection attempt would fail with Connect.
  const account = { name: 'x', host: '127.0.0.1', port: 1, user: 'u', security: 'tls' as const };
  const result = await fetchMail({ account, password: 'p', store, skipIfCheckedSince: requested });
  assert.equal(result.checkedElsewhere, at);
  assert.equal(result.downloaded, 0);
  // A check completed before this one was asked for, or a fetch asked for by the user: it runs (and fails to connect here).
  await assert.rejects(fetchMail({ account, password: 'p', store, skipIfCheckedSince: at + 1 }), { code: 'Connect' });
  await assert.rejects(fetchMail({ account, password: 'p', store }), { code: 'Connect' });
  assert.equal(readLastCheck(dir), at, 'a failed check is not recorded');
  fs.writeFileSync(path.join(dir, 'last-check.json'), '{"at":');
  assert.equal(readLastCheck(dir), undefined, 'a damaged record counts as none');
});
