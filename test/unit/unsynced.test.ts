// Durability where it guards the last copy: messages committed with
// deferSync carry no fsync of their own; an "unsynced" marker, durable
// before the first of them, says a batch may be cut short. Opening a store
// with the marker checks what the batch wrote against the index.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { MailStore } from '../../src/store/store';
import { filesystemSync } from '../../src/store/syncfs';
import { markWriterGone } from '../support/power-loss';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-unsynced-'));
  dirs.push(d);
  return d;
}

const mail = (subject: string): Buffer =>
  Buffer.from(`From: Ann <ann@example.org>\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nBody of ${subject}, long enough to be cut.\r\n`);

function put(store: MailStore, uidl: string, deferSync: boolean): string {
  const w = store.begin(uidl);
  w.write(mail(uidl));
  return store.commit(w, { deferSync }).id;
}

const marker = (dir: string): boolean => fs.existsSync(path.join(dir, 'unsynced'));

/** Sets a file's times in the past: written (and synced) long before the batch. */
function age(file: string): void {
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(file, past, past);
}

test('a durable commit leaves no marker; a deferred one writes it first and syncDeferred removes it', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  put(store, 'd-1', false);
  assert.equal(marker(dir), false);
  const id = put(store, 'u-1', true);
  assert.equal(marker(dir), true, 'the marker is on disk while the message is unsynced');
  put(store, 'u-2', true);
  await store.syncDeferred();
  assert.equal(marker(dir), false);
  assert.deepEqual(await store.readRaw(id), mail('u-1'));
  await store.syncDeferred(); // nothing pending: nothing to do
  assert.equal(marker(dir), false);
});

test('after an unclean shutdown a short or empty file from the batch is dropped with its entry, so it is fetched again', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  put(store, 'old', false);
  age(store.pathOf(store.byUidl('old')!.id)!);
  const whole = put(store, 'whole', true);
  const short = put(store, 'short', true);
  const empty = put(store, 'empty', true);
  const shortFile = store.pathOf(short)!;
  const emptyFile = store.pathOf(empty)!;
  store.flush(); // the stamp says the index matches: the marker must override it
  store.close();
  markWriterGone(dir);
  fs.truncateSync(shortFile, 10);
  fs.truncateSync(emptyFile, 0);

  const reopened = await MailStore.open(dir);
  assert.equal(reopened.hasUidl('short'), false);
  assert.equal(reopened.hasUidl('empty'), false);
  assert.equal(fs.existsSync(shortFile), false);
  assert.equal(fs.existsSync(emptyFile), false);
  assert.deepEqual(await reopened.readRaw(whole), mail('whole'));
  assert.ok(reopened.hasUidl('old'));
  assert.equal(marker(dir), false, 'the check ran once; the kept files are synced now');
  reopened.close();
  // The repaired index is what the next open reads.
  const again = await MailStore.open(dir);
  assert.deepEqual([...again.all()].map((m) => m.uidl).sort(), ['old', 'whole']);
  again.close();
});

test('a file from the batch whose index line was lost is dropped; an older file the index lacks is re-indexed', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  put(store, 'old', false);
  const oldFile = store.pathOf(store.byUidl('old')!.id)!;
  age(oldFile);
  const indexSize = fs.statSync(path.join(dir, 'index.jsonl')).size;
  const lost = put(store, 'lost', true);
  const lostFile = store.pathOf(lost)!;
  store.close();
  markWriterGone(dir);
  // The power went: neither index line reached the disk, the batch's file did.
  fs.truncateSync(path.join(dir, 'index.jsonl'), 0);
  assert.ok(indexSize > 0);

  const reopened = await MailStore.open(dir);
  assert.equal(reopened.hasUidl('lost'), false, 'nothing says the file is whole');
  assert.equal(fs.existsSync(lostFile), false);
  assert.ok(reopened.hasUidl('old'), 'a message synced before the batch is the truth');
  assert.equal(reopened.size, 1);
  reopened.close();
});

test('a missing file from the batch is forgotten, and a marker alone (nothing written) changes nothing', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const gone = put(store, 'gone', true);
  const kept = put(store, 'kept', true);
  fs.rmSync(store.pathOf(gone)!);
  store.close();
  markWriterGone(dir);
  const reopened = await MailStore.open(dir);
  assert.equal(reopened.hasUidl('gone'), false);
  assert.deepEqual(await reopened.readRaw(kept), mail('kept'));
  reopened.close();

  fs.writeFileSync(path.join(dir, 'unsynced'), `${process.pid}\nanother boot\n`);
  const third = await MailStore.open(dir);
  assert.deepEqual([...third.all()].map((m) => m.uidl), ['kept']);
  assert.equal(marker(dir), false);
  third.close();
});

test('a marker whose process still runs is left alone: that fetch is not over, its files are not damage', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const id = put(store, 'busy', true);
  const file = store.pathOf(id)!;
  store.close();
  // Another live process (the test runner) is named as the writer, in this boot.
  const marker = path.join(dir, 'unsynced');
  const { atime, mtime } = fs.statSync(marker);
  const lines = fs.readFileSync(marker, 'utf8').split('\n');
  lines[0] = String(process.ppid);
  fs.writeFileSync(marker, lines.join('\n'));
  fs.utimesSync(marker, atime, new Date(mtime.getTime() - 1000)); // where the batch began (utimes may round up)
  fs.truncateSync(path.join(dir, 'index.jsonl'), 0); // its index line is not written yet
  const other = await MailStore.open(dir);
  assert.ok(fs.existsSync(file), 'a file of a running batch is not removed');
  assert.ok(fs.existsSync(marker), 'the marker stays for its writer to remove');
  other.close();
  // Now the writer is gone, and so is the unsynced end of its file.
  fs.truncateSync(file, 3);
  markWriterGone(dir);
  const after = await MailStore.open(dir);
  assert.equal(after.hasUidl('busy'), false);
  assert.equal(fs.existsSync(file), false);
  assert.equal(fs.existsSync(marker), false);
  after.close();
});

test('a big batch is synced with one syncfs (the real `sync -f`); if that fails, file by file', async (t) => {
  const saved = { run: filesystemSync.run, minFiles: filesystemSync.minFiles };
  t.after(() => Object.assign(filesystemSync, saved));
  filesystemSync.minFiles = 3;
  const calls: boolean[] = [];
  const dir = tmp();
  const store = await MailStore.open(dir);
  filesystemSync.run = async (d: string) => {
    const ok = await saved.run(d);
    calls.push(ok);
    return ok;
  };
  for (let i = 0; i < 3; i++) put(store, `s-${i}`, true);
  await store.syncDeferred();
  assert.deepEqual(calls, [process.platform === 'linux'], 'one syncfs for the batch');
  assert.equal(marker(dir), false);
  filesystemSync.run = async () => {
    calls.push(false);
    return false; // no `sync` on this system: fsync each file instead
  };
  for (let i = 0; i < 3; i++) put(store, `f-${i}`, true);
  put(store, 'f-3', true);
  await store.syncDeferred();
  assert.equal(calls.length, 2);
  assert.equal(marker(dir), false, 'the fallback synced the batch and removed the marker');
  store.close();
});

test('a store that writes inline (the command line) stores the same bytes, unsynced until the batch sync', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir, { writeInline: true });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const w = store.begin(`i-${i}`);
    w.write(mail(`i-${i}`).subarray(0, 20));
    w.write(mail(`i-${i}`).subarray(20));
    ids.push((await store.commitDeferred(w)).id);
  }
  assert.equal(marker(dir), true);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'Maildir', 'tmp')), [], 'written into tmp/, then renamed');
  await store.syncDeferred();
  assert.equal(marker(dir), false);
  for (let i = 0; i < 5; i++) assert.deepEqual(await store.readRaw(ids[i]!), mail(`i-${i}`));
  store.close();
});

test('a long batch starts syncs ahead of its end, one at a time, and still syncs all of it at the end', async (t) => {
  const saved = { run: filesystemSync.run, minFiles: filesystemSync.minFiles, writeAheadBytes: filesystemSync.writeAheadBytes };
  t.after(() => Object.assign(filesystemSync, saved));
  const size = mail('w-0').length;
  filesystemSync.writeAheadBytes = 3 * size;
  filesystemSync.minFiles = 1;
  const started: number[] = []; // how many messages were stored when each sync started
  let finish: (() => void) | undefined;
  let stored = 0;
  filesystemSync.run = (d: string) => {
    started.push(stored);
    return new Promise((resolve) => (finish = () => saved.run(d).then(resolve)));
  };
  const dir = tmp();
  const store = await MailStore.open(dir, { writeInline: true }); // the command line's store; the editor's starts none
  const next = (): void => {
    put(store, `w-${stored}`, true);
    stored++;
  };
  while (stored < 7) next();
  assert.deepEqual(started, [2], 'one sync ahead after the third message; none starts while it runs');
  finish!();
  await new Promise((r) => setTimeout(r, 50));
  while (stored < 10) next();
  assert.deepEqual(started, [2, 7], 'the next one once the first ended and three more arrived');
  assert.equal(marker(dir), true, 'a sync ahead makes nothing count as synced');
  finish!();
  const end = store.syncDeferred();
  await new Promise((r) => setTimeout(r, 50));
  finish!(); // the final sync of the whole batch
  await end;
  assert.deepEqual(started, [2, 7, 10]);
  assert.equal(marker(dir), false);
  store.close();
  // The editor's store starts none: starting `sync` would block its event loop.
  const editorStore = await MailStore.open(tmp());
  for (let i = 0; i < 7; i++) put(editorStore, `e-${i}`, true);
  assert.deepEqual(started, [2, 7, 10]);
  editorStore.close();
});
