// A store that another process is fetching into: that process renames
// files into new/ and appends their index lines later, in batches. A
// window that opens, reloads or marks mail meanwhile must read, never
// rewrite, and a line the fetch appends after a window's change must not
// be taken as the truth by the next open.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fsModule from 'node:fs';
import { afterEach, mock, test } from 'node:test';
import { LOCK_FILE } from '../../src/store/lock';
import { MailStore } from '../../src/store/store';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-foreign-'));
  dirs.push(d);
  return d;
}

const mail = (subject: string): Buffer => Buffer.from(`From: Ann <ann@example.org>\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nBody\r\n`);

/** Commits as a fetch does: the file is in new/ at once, its index line waits for the store's next flush. */
function fetchOne(store: MailStore, uidl: string): string {
  const w = store.begin(uidl);
  w.write(mail(uidl));
  return store.commit(w, { skipFsync: true, batch: true }).id;
}

/** A lock file naming a live process that is not this one, as a fetch in another window or the CLI leaves it. */
async function lockByAnotherProcess(dir: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  const started = Date.now();
  await new Promise((resolve) => child.once('spawn', resolve));
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: os.hostname(), started, since: Date.now() }));
}

const fileState = (file: string): string => {
  const st = fs.statSync(file);
  return `${st.ino}:${fs.readFileSync(file, 'base64')}`;
};

test('while another process fetches, a store opened or reloaded reads the Maildir but rewrites no index and writes no stamp', async () => {
  const dir = tmp();
  const fetcher = await MailStore.open(dir);
  fetchOne(fetcher, 'a');
  fetcher.flush();
  await lockByAnotherProcess(dir);
  fetchOne(fetcher, 'b'); // in new/, its line held
  const index = path.join(dir, 'index.jsonl');
  const before = fileState(index);

  const window = await MailStore.open(dir);
  assert.deepEqual(window.list().map((m) => m.uidl).sort(), ['a', 'b'], 'what the Maildir holds is shown');
  assert.equal(fileState(index), before, 'index.jsonl is neither replaced nor rewritten');
  assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), false, 'no stamp claims the index matches');

  // A read mark: the file is renamed and its line appended, still no stamp.
  const id = window.byUidl('a')!.id;
  window.setSeen(id, true);
  assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), false);
  assert.equal(window.reloadIfChanged(), true, 'the store is read again at the next look, the fetch still running');

  // The fetch ends: its held line is written, the lock goes; the next look repairs and stamps.
  fetcher.flush();
  fs.rmSync(path.join(dir, LOCK_FILE));
  window.reloadIfChanged();
  assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), true);
  const reopened = await MailStore.open(dir);
  assert.deepEqual(reopened.list().map((m) => [m.uidl, m.seen]).sort(), [['a', true], ['b', false]]);
  for (const s of [fetcher, window, reopened]) s.close();
});

test('a fetch line appended after another process\'s read mark: no stamp, so the next open takes the flag from the file\'s name', async () => {
  const dir = tmp();
  const fetcher = await MailStore.open(dir);
  const id = fetchOne(fetcher, 'x'); // renamed into new/, line held
  const window = await MailStore.open(dir); // indexes x from the file
  window.setSeen(id, true); // cur/…S, and its line appended
  fetcher.flush(); // the held line for x, unread and in new/, comes after it
  assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), false, 'the fetch saw lines that are not its own: it claims nothing');
  const reopened = await MailStore.open(dir);
  const x = reopened.get(id)!;
  assert.equal(x.seen, true);
  assert.match(x.file, /^cur\//);
  assert.deepEqual(await reopened.readRaw(id), mail('x'));
  for (const s of [fetcher, window, reopened]) s.close();
});

test('a big store writes no snapshot over index lines it has not read', async () => {
  const dir = tmp();
  const fetcher = await MailStore.open(dir);
  const ids = Array.from({ length: 600 }, (_, i) => fetchOne(fetcher, `m${i}`));
  const window = await MailStore.open(dir);
  window.setSeen(ids[7]!, true);
  const snap = path.join(dir, 'index.snap');
  const snapshot = (): string | undefined => (fs.existsSync(snap) ? fileState(snap) : undefined);
  const before = snapshot(); // the window's, of what it read
  fetcher.flush(); // due for a snapshot by its lines, but the log holds the window's lines too
  assert.equal(snapshot(), before, 'the fetch wrote no snapshot');
  const reopened = await MailStore.open(dir);
  assert.equal(reopened.list().length, 600);
  assert.equal(reopened.get(ids[7]!)!.seen, true);
  assert.equal(reopened.get(ids[8]!)!.seen, false);
  for (const s of [fetcher, window, reopened]) s.close();
});

test('open rewrites an index that needs repair holding the fetch lock, so that no fetch appends beside it, and leaves no lock', async () => {
  const dir = tmp();
  const first = await MailStore.open(dir);
  fetchOne(first, 'a');
  fetchOne(first, 'b');
  first.flush();
  first.close();
  fs.rmSync(path.join(dir, 'index.stamp'));
  fs.appendFileSync(path.join(dir, 'index.jsonl'), '{"torn":\n'); // a damaged line: the index is rewritten
  const lockedAtRename: boolean[] = [];
  const original = fsModule.renameSync;
  // The module object itself: what the store's `fs.renameSync` calls reach.
  const rename = mock.method(fsModule, 'renameSync', (from: fs.PathLike, to: fs.PathLike) => {
    if (String(to).endsWith('index.jsonl')) lockedAtRename.push(fs.existsSync(path.join(dir, LOCK_FILE)));
    original(from, to);
  });
  let reopened: MailStore;
  try {
    reopened = await MailStore.open(dir);
  } finally {
    rename.mock.restore();
  }
  assert.deepEqual(lockedAtRename, [true], 'the index was replaced once, under the lock');
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
  assert.deepEqual(reopened.list().map((m) => m.uidl).sort(), ['a', 'b']);
  reopened.close();
});
