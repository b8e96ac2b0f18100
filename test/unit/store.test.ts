import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fsModule from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, mock, test } from 'node:test';
import { parseName } from '../../src/store/maildir';
import { flagSeparator, isPortableName, NAMING_ENV, type MaildirNaming } from '../../src/store/naming';
import { MailStore } from '../../src/store/store';
import { giveStage, takeStage } from '../../src/store/staging';
import { Prng } from '../support/prng';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-store-'));
  dirs.push(d);
  return d;
}

/**
 * Every test runs in both namings: "posix" (":2,S") and "windows" ("!2,S"),
 * forced through the environment as a Windows machine would choose it.
 */
let naming: MaildirNaming = 'posix';
function both(name: string, body: () => Promise<void>): void {
  for (const mode of ['posix', 'windows'] as const) {
    test(`${name} [${mode} names]`, async () => {
      const before = process.env[NAMING_ENV];
      process.env[NAMING_ENV] = mode;
      naming = mode;
      try {
        await body();
        // Whatever the test did, each name it left is one Windows accepts in the windows naming.
        if (mode === 'windows') for (const d of dirs) assertPortableTree(d);
      } finally {
        if (before === undefined) delete process.env[NAMING_ENV];
        else process.env[NAMING_ENV] = before;
      }
    });
  }
}

function assertPortableTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    assert.ok(isPortableName(e.name), `not a Windows file name: ${e.name}`);
    if (e.isDirectory()) assertPortableTree(path.join(dir, e.name));
  }
}

const sep = (): string => (naming === 'windows' ? '!' : ':');
const flagged = (letters: string): RegExp => new RegExp(`\\${sep()}2,${letters}$`);

const mail = (subject: string, date = 'Mon, 2 Nov 2026 10:00:00 +0000'): Buffer =>
  Buffer.from(`From: Ann <ann@example.org>\r\nSubject: ${subject}\r\nDate: ${date}\r\n\r\nBody of ${subject}\r\n`);

async function put(store: MailStore, uidl: string, raw: Buffer, partial = false): Promise<string> {
  const w = store.begin(uidl, partial);
  w.write(raw);
  return store.commit(w).id;
}

both('commit writes tmp -> new, indexes from headers, and the id comes from the UIDL', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const id = await put(store, 'uid-1', mail('hello'));
  const entry = store.get(id)!;
  assert.equal(entry.subject, 'hello');
  assert.match(entry.file, /^new\//);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'Maildir', 'tmp')), []);
  assert.deepEqual(await store.readRaw(id), mail('hello'));
  assert.equal(parseName(path.basename(entry.file)).uidlKey, 'uid-1');
  assert.ok(store.hasUidl('uid-1'));
});

both('flags: read moves to cur/ with S; trash hides from the inbox but keeps the UIDL', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const id = await put(store, 'u', mail('x'));
  assert.match(store.setSeen(id, true).file, /^cur\//);
  assert.match(store.setSeen(id, true).file, flagged('S'));
  assert.match(store.trash(id).file, flagged('ST'));
  assert.equal(sep(), flagSeparator(naming));
  assert.equal(store.list().length, 0);
  assert.ok(store.hasUidl('u'), 'a message deleted locally is not fetched again');
  const reopened = await MailStore.open(dir);
  assert.equal(reopened.get(id)?.trashed, true);
  assert.equal(reopened.get(id)?.seen, true);
  reopened.restore(id);
  assert.equal(reopened.list().length, 1);
});

both('a flag change keeps the inbox order without sorting again; trash and restore move it out and back', async () => {
  const store = await MailStore.open(tmp());
  const ids = [];
  for (let d = 1; d <= 5; d++) ids.push(await put(store, `u${d}`, mail(`m${d}`, `Sun, ${d} Nov 2026 10:00:00 +0000`)));
  const before = store.list().map((m) => m.id);
  assert.deepEqual(before, [...ids].reverse());
  store.setSeen(ids[2]!, true);
  assert.deepEqual(store.list().map((m) => m.id), before);
  assert.equal(store.list()[2]!.seen, true, 'the patched entry is the new one');
  store.trash(ids[4]!);
  assert.deepEqual(store.list().map((m) => m.id), before.slice(1));
  store.restore(ids[4]!);
  assert.deepEqual(store.list().map((m) => m.id), before);
});

both('onDidChange reports each stored, flagged and forgotten message; a throwing listener stops no one', async () => {
  const store = await MailStore.open(tmp());
  const seen: string[] = [];
  store.onDidChange(() => {
    throw new Error('a buggy view');
  });
  const sub = store.onDidChange((c) => seen.push(c.kind === 'flags' ? `flags ${c.before.seen}->${c.summary.seen}` : c.kind === 'reloaded' ? c.kind : `${c.kind} ${c.summary.uidl}`));
  const id = await put(store, 'u1', mail('x'));
  store.setSeen(id, true);
  store.expunge(id);
  sub.dispose();
  await put(store, 'u2', mail('y'));
  assert.deepEqual(seen, ['added u1', 'flags false->true', 'removed u1']);
  assert.equal(store.list().length, 1, 'the change itself happened despite the throwing listener');
});

both('the index is rebuilt from the Maildir when it is missing, damaged or behind', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const a = await put(store, 'a', mail('first', 'Sun, 1 Nov 2026 10:00:00 +0000'));
  const b = await put(store, 'b', mail('second', 'Tue, 3 Nov 2026 10:00:00 +0000'));
  const index = path.join(dir, 'index.jsonl');
  // Damaged: a torn last line, as a crash mid-append leaves it.
  fs.writeFileSync(index, `${fs.readFileSync(index, 'utf8').split('\n')[0]}\n{"id":"tor`);
  const repaired = await MailStore.open(dir);
  assert.deepEqual(repaired.list().map((m) => m.id), [b, a], 'both messages, newest first');
  fs.rmSync(index);
  const rebuilt = await MailStore.open(dir);
  assert.deepEqual(rebuilt.list().map((m) => m.subject), ['second', 'first']);
  // Every index line parses after repair.
  for (const line of fs.readFileSync(index, 'utf8').trim().split('\n')) JSON.parse(line);
});

both('an entry whose file is gone is dropped; files from other tools are ignored', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const id = await put(store, 'gone', mail('gone'));
  fs.rmSync(store.pathOf(id)!);
  fs.writeFileSync(path.join(dir, 'Maildir', 'new', '1700000000.foreign.host'), mail('foreign'));
  const reopened = await MailStore.open(dir);
  assert.equal(reopened.size, 0);
});

both('a full download replaces the headers-only copy under the same id, keeping flags', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const raw = mail('big');
  const headers = raw.subarray(0, raw.indexOf('\r\n\r\n') + 4);
  const id = await put(store, 'big', headers, true);
  assert.equal(store.get(id)?.headersOnly, true);
  store.setSeen(id, true);
  const fullId = await put(store, 'big', raw);
  assert.equal(fullId, id);
  const entry = store.get(id)!;
  assert.equal(entry.headersOnly, undefined);
  assert.equal(entry.seen, true);
  assert.deepEqual(await store.readRaw(id), raw);
  const files = [...fs.readdirSync(path.join(dir, 'Maildir', 'new')), ...fs.readdirSync(path.join(dir, 'Maildir', 'cur'))];
  assert.equal(files.length, 1, 'the headers-only file is gone');
});

both('crash between a full download and removing the headers-only copy: the full one wins on open', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const raw = mail('both');
  await put(store, 'both', raw.subarray(0, raw.indexOf('\r\n\r\n') + 4), true);
  // Simulate: the full copy was renamed into new/ but the partial was not removed yet.
  const w = store.begin('both');
  w.write(raw);
  w.commit();
  const reopened = await MailStore.open(dir);
  assert.equal(reopened.size, 1);
  const only = reopened.list()[0]!;
  assert.equal(only.headersOnly, undefined);
  assert.deepEqual(await reopened.readRaw(only.id), raw);
});

both('abort leaves nothing outside tmp/ and removes the tmp file', async () => {
  const dir = tmp();
  const store = await MailStore.open(dir);
  const w = store.begin('partial');
  w.write(Buffer.from('Subject: half'));
  w.abort();
  for (const sub of ['tmp', 'new', 'cur']) assert.deepEqual(fs.readdirSync(path.join(dir, 'Maildir', sub)), []);
  assert.equal(store.size, 0);
});

test('flush fsyncs new/ and cur/ after a message came or went, and nothing when nothing did (a fetch with nothing new)', async () => {
  const store = await MailStore.open(tmp());
  // The module object itself: what the store's `fs.fsyncSync` calls reach.
  const fsyncs = mock.method(fsModule, 'fsyncSync');
  try {
    store.flush();
    assert.equal(fsyncs.mock.callCount(), 0, 'nothing changed since the open');
    const id = await put(store, 'uid-1', mail('one'));
    fsyncs.mock.resetCalls();
    store.flush();
    assert.equal(fsyncs.mock.callCount(), 2, 'new/ and cur/ after a commit');
    fsyncs.mock.resetCalls();
    store.flush();
    assert.equal(fsyncs.mock.callCount(), 0, 'a second flush has nothing to sync');
    store.setSeen(id, true);
    store.flush();
    assert.equal(fsyncs.mock.callCount(), 2, 'a rename between folders');
    fsyncs.mock.resetCalls();
    store.expunge(id);
    store.flush();
    assert.equal(fsyncs.mock.callCount(), 2, 'a removal');
  } finally {
    fsyncs.mock.restore();
  }
});

test('a writer reuses the memory of the message before: every file, summary and added event holds its own message, small, grown or spilled to disk', async () => {
  const buffer = takeStage(20_000);
  giveStage(buffer);
  assert.equal(takeStage(30_000), buffer, 'a buffer given back is the next one handed out of its size');
  giveStage(buffer);

  const store = await MailStore.open(tmp());
  const rnd = new Prng(4122026);
  const seen = new Map<string, Buffer>();
  store.onDidChange((c) => {
    if (c.kind === 'added' && c.raw) seen.set(c.summary.id, Buffer.concat(c.raw));
  });
  const sent = new Map<string, Buffer>();
  // Sizes across the buffer sizes, one that outgrows its first buffer, and ones over the 1 MB kept in memory.
  const sizes = [500, 15_000, 40_000, 700, 300_000, 1_500_000, 2_000, 900_000, 3_000_000, 64, 120_000];
  for (const [i, size] of sizes.entries()) {
    const raw = Buffer.concat([mail(`message ${i}`), Buffer.alloc(size, 97 + (i % 26))]);
    // The size the server listed is sometimes short (a message that grows) and sometimes missing.
    const w = store.begin(`u${i}`, false, i % 3 === 0 ? undefined : Math.floor(raw.length / (1 + (i % 2))));
    for (let at = 0; at < raw.length; ) {
      const piece = raw.subarray(at, at + 1 + rnd.int(40_000));
      // A borrowed piece: the caller's buffer is scribbled over after the call, as the socket's is.
      const borrowed = Buffer.from(piece);
      w.write(borrowed);
      borrowed.fill(0);
      at += piece.length;
    }
    const summary = i % 2 === 0 ? await store.commitDeferred(w) : await store.commitAsync(w);
    sent.set(summary.id, raw);
    assert.equal(summary.subject, `message ${i}`);
  }
  await store.syncDeferred();
  for (const [id, raw] of sent) {
    assert.ok((await store.readRaw(id)).equals(raw), `the file of ${store.get(id)!.subject}`);
    const held = seen.get(id);
    if (raw.length <= 1024 * 1024) assert.ok(held?.equals(raw), `the added event's bytes of ${store.get(id)!.subject}`);
    else assert.equal(held, undefined, 'a message over 1 MB is not held in memory');
  }
});
