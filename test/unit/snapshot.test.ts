// The index snapshot (src/store/snapshot.ts): a store opened from it holds
// exactly what the JSON log alone gives, the log's tail is folded over it,
// and a snapshot that no longer matches the log or is damaged is ignored.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { writeIndex } from '../../src/store/index-file';
import { snapshotDue } from '../../src/store/snapshot';
import { plainSummary, SnapshotSummary } from '../../src/store/snapshot-entries';
import { prepareSearch } from '../../src/store/prepare-search';
import { MailStore } from '../../src/store/store';
import type { MessageSummary } from '../../src/store/types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-snap-'));
  dirs.push(d);
  return d;
}

const COUNT = 600; // above the size at which a store keeps a snapshot
const SUBJECTS = ['Plain', 'Grüße aus München 🍺', '日本語の件名', '', '=?x?= not decoded', 'Ünïcödé ✓'];

function message(i: number): Buffer {
  const day = 1 + (i % 28);
  const date = i % 97 === 0 ? '' : `Date: ${day} Oct 2026 ${String(i % 24).padStart(2, '0')}:00:00 +0000\r\n`;
  const multipart = i % 5 === 0;
  // Threading headers on most, none on some (entries indexed before they were kept look like those).
  const ids = `${i % 4 === 0 ? '' : `Message-ID: <m${i}@example.org>\r\n`}${i % 3 === 1 ? `References: <m${i - 1}@example.org> <root@example.org>\r\n` : ''}`;
  const head = `From: Sender ${i % 7} <s${i % 7}@example.org>\r\nTo: Ann <ann@example.org>\r\nSubject: ${SUBJECTS[i % SUBJECTS.length]} ${i}\r\n${date}${ids}`;
  const body = multipart
    ? 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nx\r\n--b--\r\n'
    : `\r\nBody ${i} with ünïcödé text.\r\n`;
  return Buffer.from(head + body, 'utf8');
}

/** A store of COUNT messages with every kind of entry: read, deleted locally, headers-only, attachments, no date. */
async function build(dir: string): Promise<MailStore> {
  const store = await MailStore.open(dir);
  for (let i = 0; i < COUNT; i++) {
    const raw = message(i);
    const partial = i % 11 === 0;
    const w = store.begin(`uidl-${i}`, partial);
    w.write(partial ? raw.subarray(0, raw.indexOf('\r\n\r\n') + 4) : raw);
    const e = store.commit(w, { serverSize: partial ? 1_000_000 + i : undefined, skipFsync: true });
    if (i % 3 === 0) store.setSeen(e.id, true);
    if (i % 13 === 0) store.trash(e.id);
  }
  store.flush();
  return store;
}

const plain = (s: MailStore): MessageSummary[] => [...s.all()].map(plainSummary).sort((a, b) => (a.id < b.id ? -1 : 1));
const order = (s: MailStore): string[] => s.list().map((m) => m.id);

test('a store opened from the snapshot holds exactly what the log alone gives, in the same inbox order', async () => {
  const dir = tmp();
  const built = await build(dir);
  const snap = path.join(dir, 'index.snap');
  assert.ok(fs.existsSync(snap), 'flush wrote a snapshot');
  const fromSnapshot = await MailStore.open(dir);
  assert.deepEqual(plain(fromSnapshot), plain(built));
  assert.deepEqual(order(fromSnapshot), order(built));
  // JSON and spreading see every field of a snapshot entry.
  const first = fromSnapshot.list()[0]!;
  assert.deepEqual(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(built.get(first.id))));
  const headersOnly = [...fromSnapshot.all()].find((m) => m.headersOnly)!;
  assert.equal(headersOnly.serverSize! >= 1_000_000, true);
  const threaded = fromSnapshot.byUidl('uidl-7')!;
  assert.equal(threaded.messageId, 'm7@example.org');
  assert.equal(threaded.references, 'm6@example.org root@example.org');
  assert.equal(fromSnapshot.byUidl('uidl-8')!.messageId, undefined, 'no Message-ID: none from the snapshot either');
  assert.equal(fromSnapshot.byUidl('uidl-8')!.references, undefined);
  assert.ok(fromSnapshot.hasUidl('uidl-599') && fromSnapshot.byUidl('uidl-13')?.trashed, 'UIDL lookups work from the snapshot');
  assert.deepEqual(await fromSnapshot.readRaw(fromSnapshot.byUidl('uidl-1')!.id), message(1));

  fs.rmSync(snap);
  const fromLog = await MailStore.open(dir);
  assert.deepEqual(plain(fromLog), plain(built));
  assert.deepEqual(order(fromLog), order(built));
});

test('changes after the snapshot (flags, delete, restore, expunge, new mail) are folded from the log tail', async () => {
  const dir = tmp();
  const store = await build(dir);
  const snapBytes = fs.readFileSync(path.join(dir, 'index.snap'));
  const [a, b, c] = store.list();
  store.setSeen(a!.id, !a!.seen);
  store.trash(b!.id);
  store.expunge(c!.id);
  store.restore(store.byUidl('uidl-13')!.id);
  const w = store.begin('late');
  w.write(Buffer.from('From: x@example.org\r\nSubject: late\r\nDate: 30 Dec 2026 10:00:00 +0000\r\n\r\nhi\r\n'));
  store.commit(w, { skipFsync: true });
  store.flush(); // a short tail: the snapshot is not rewritten
  assert.deepEqual(fs.readFileSync(path.join(dir, 'index.snap')), snapBytes);

  const reopened = await MailStore.open(dir);
  assert.deepEqual(plain(reopened), plain(store));
  assert.deepEqual(order(reopened), order(store));
  assert.equal(reopened.list()[0]!.subject, 'late');
  assert.equal(reopened.get(c!.id), undefined);
  assert.equal(reopened.get(b!.id)?.trashed, true);
  // A flag change on an entry that came from the snapshot writes a full entry to the log.
  const fromSnap = reopened.list()[5]!;
  reopened.setSeen(fromSnap.id, !fromSnap.seen);
  const again = await MailStore.open(dir);
  assert.deepEqual(plainSummary(again.get(fromSnap.id)!), { ...plainSummary(fromSnap), seen: !fromSnap.seen, file: again.get(fromSnap.id)!.file });
});

test('a long tail is folded into a new snapshot at the next flush', async () => {
  const dir = tmp();
  const store = await build(dir);
  const before = fs.statSync(path.join(dir, 'index.snap')).mtimeMs;
  for (const m of store.list().slice(0, 520)) store.setSeen(m.id, !m.seen);
  store.flush();
  const snap = fs.readFileSync(path.join(dir, 'index.snap'));
  assert.ok(fs.statSync(path.join(dir, 'index.snap')).mtimeMs >= before);
  const reopened = await MailStore.open(dir);
  assert.deepEqual(plain(reopened), plain(store));
  // Opened from the new snapshot with an empty tail: the inbox order came from it.
  assert.deepEqual(order(reopened), order(store));
  assert.ok(snap.length > 0);
});

test('a damaged, truncated, foreign or stale snapshot is ignored and the store is still exact', async () => {
  const dir = tmp();
  const store = await build(dir);
  const snapFile = path.join(dir, 'index.snap');
  const good = fs.readFileSync(snapFile);
  const expected = plain(store);

  const damage: [string, (b: Buffer) => Buffer][] = [
    ['truncated', (b) => b.subarray(0, b.length - 100)],
    ['bad magic', (b) => Buffer.concat([Buffer.from('XXXXXXXX'), b.subarray(8)])],
    ['meta garbage', (b) => {
      const c = Buffer.from(b);
      c.fill(0x7b, 12, 40);
      return c;
    }],
    ['offsets scrambled', (b) => {
      const c = Buffer.from(b);
      const metaLen = c.readUInt32LE(8);
      const at = ((12 + metaLen + 7) & ~7) + 16 * COUNT; // after the two f64 columns: the offsets
      c.fill(0xff, at + 40, at + 80);
      return c;
    }],
    ['a flag flipped', (b) => {
      const c = Buffer.from(b);
      const metaLen = c.readUInt32LE(8);
      const at = ((12 + metaLen + 7) & ~7) + 16 * COUNT + 4 * (10 * 1 + 1); // after the sizes and the block offsets: the flags
      c[at + 3] = c[at + 3]! ^ 1; // SEEN
      return c;
    }],
    ['a text block damaged', (b) => {
      const c = Buffer.from(b);
      c.fill(0x41, c.length - 300, c.length - 20); // inside the last field's block: its NULs are gone
      return c;
    }],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [name, f] of damage) {
    fs.writeFileSync(snapFile, f(good));
    const s = await MailStore.open(dir);
    assert.deepEqual(plain(s), expected, name);
  }

  // Stale: the log was compacted (a new file) after the snapshot was written.
  fs.writeFileSync(snapFile, good);
  const indexFile = path.join(dir, 'index.jsonl');
  const entries = [...store.all()].map(plainSummary);
  entries[0] = { ...entries[0]!, subject: 'changed after the snapshot' };
  writeIndex(indexFile, entries);
  fs.writeFileSync(path.join(dir, 'index.stamp'), ''); // make open reconcile, as after another tool's change
  const stale = await MailStore.open(dir);
  assert.equal(stale.get(entries[0]!.id)?.subject, 'changed after the snapshot', 'the log, not the stale snapshot');

  // Foreign: another store's snapshot copied in.
  const other = tmp();
  await build(other);
  fs.copyFileSync(path.join(other, 'index.snap'), snapFile);
  const foreign = await MailStore.open(dir);
  assert.equal(foreign.get(entries[0]!.id)?.subject, 'changed after the snapshot');
});

test('prepareSearch reads the searched texts a slice at a time, letting the event loop run between slices', async () => {
  const dir = tmp();
  const built = await build(dir);
  const store = await MailStore.open(dir);
  let turns = 0;
  let running = true;
  const spin = (): void => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await prepareSearch(store.list(), 100);
  running = false;
  const slices = Math.ceil(store.list().length / 100);
  assert.ok(turns >= slices - 1, `${turns} event-loop turns for ${slices} slices`);
  assert.deepEqual(
    store.list().map((m) => [m.subject, m.from.name]),
    built.list().map((m) => [m.subject, m.from.name]),
  );
});

test('close() releases the snapshot file (Windows cannot move or delete a folder with an open file); texts still come, from the log', async () => {
  const dir = tmp();
  const built = await build(dir);
  const snapFile = path.join(dir, 'index.snap');
  const openSnapshots = (): number =>
    fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === snapFile;
      } catch {
        return false;
      }
    }).length;
  const before = openSnapshots();
  const store = await MailStore.open(dir);
  assert.equal(openSnapshots(), before + 1, 'the store reads its texts from the open snapshot');
  store.close();
  assert.equal(openSnapshots(), before, 'closed');
  assert.deepEqual(
    store.list().map((m) => m.subject),
    built.list().map((m) => m.subject),
  );
});

test('the snapshot is due after 500 log lines, and in a big store after a fiftieth of it', () => {
  assert.equal(snapshotDue(499, 10_000), false, 'a small store keeps no snapshot');
  assert.equal(snapshotDue(600, 499), false);
  assert.equal(snapshotDue(600, 500), true);
  assert.equal(snapshotDue(25_000, 500), true, 'up to 25,000 messages: every 500 lines');
  assert.equal(snapshotDue(100_000, 1_999), false, 'a rewrite of 100,000 entries waits for 2,000 lines');
  assert.equal(snapshotDue(100_000, 2_000), true);
});

test('opened without its stamp (an unclean stop), a store whose Maildir matches keeps its snapshot entries and order, and rewrites nothing', async () => {
  const dir = tmp();
  const built = await build(dir);
  built.close();
  const index = path.join(dir, 'index.jsonl');
  const before = fs.statSync(index, { bigint: true });
  fs.rmSync(path.join(dir, 'index.stamp'));
  const reopened = await MailStore.open(dir);
  assert.deepEqual(plain(reopened), plain(built));
  assert.deepEqual(order(reopened), order(built));
  assert.ok(reopened.list()[0] instanceof SnapshotSummary, 'the entries are the snapshot\'s, not read again from the files');
  const after = fs.statSync(index, { bigint: true });
  assert.equal(after.ino, before.ino, 'the index was not rewritten');
  assert.equal(after.size, before.size);
  assert.ok(fs.existsSync(path.join(dir, 'index.stamp')), 'and the stamp is written again');

  // One message renamed by another program (flagged read) and one file gone: only those two change.
  const [first, second] = reopened.list().filter((m) => !m.seen);
  assert.ok(first!.file.startsWith('new'));
  fs.renameSync(path.join(dir, 'Maildir', first!.file), path.join(dir, 'Maildir', 'cur', `${path.basename(first!.file)}${reopened.naming === 'windows' ? '!' : ':'}2,S`));
  fs.rmSync(path.join(dir, 'Maildir', second!.file));
  reopened.close();
  fs.rmSync(path.join(dir, 'index.stamp'));
  const again = await MailStore.open(dir);
  assert.equal(again.size, built.size - 1);
  assert.equal(again.get(second!.id), undefined);
  assert.equal(again.get(first!.id)?.seen, true);
  assert.equal(again.get(first!.id)?.subject, first!.subject);
});
