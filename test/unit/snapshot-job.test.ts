// Snapshots written off the store's thread (src/store/snapshot-job.ts and
// snapshot-worker.ts): the extension host's stores hand the snapshot to a
// worker, and an open whose log has a long unsnapshotted tail waits for one
// instead of folding the log itself.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readSnapshot, snapshotCovers, snapshotOfLog } from '../../src/store/snapshot';
import { plainSummary, SnapshotSummary } from '../../src/store/snapshot-entries';
import { LOCK_FILE, StoreLock } from '../../src/store/lock';
import { runIndexJob } from '../../src/store/open-index';
import { snapshotInWorker, type SnapshotJob } from '../../src/store/snapshot-job';
import { MailStore } from '../../src/store/store';
import type { MessageSummary } from '../../src/store/types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-snapjob-'));
const workerFile = path.join(root, 'snapshot-worker.js');
/** A store whose log alone is over the 1 MiB an open folds itself, built once and copied per test. */
const big = path.join(root, 'big');
const BIG = 2600;

function message(i: number): Buffer {
  const body = `Body ${i}: ${'words of a longer mail that fills the snippet '.repeat(6)}`;
  return Buffer.from(`From: Sender ${i % 7} <s${i % 7}@example.org>\r\nSubject: Report ${i}\r\nDate: ${1 + (i % 28)} Oct 2026 10:00:00 +0000\r\n\r\n${body}\r\n`);
}

function put(store: MailStore, i: number): MessageSummary {
  const w = store.begin(`uidl-${i}`);
  w.write(message(i));
  return store.commitUnsynced(w);
}

before(async () => {
  await esbuild.build({ entryPoints: ['src/store/snapshot-worker.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerFile, logLevel: 'silent' });
  const store = await MailStore.open(big);
  for (let i = 0; i < BIG; i++) {
    const e = put(store, i);
    if (i % 3 === 0) store.setSeen(e.id, true);
    if (i % 13 === 0) store.trash(e.id);
  }
  store.flush();
  store.close();
  fs.rmSync(path.join(big, 'index.snap'));
  assert.ok(fs.statSync(path.join(big, 'index.jsonl')).size > 1024 * 1024, 'the fixture log is over the fold-on-open limit');
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

let copies = 0;
function copyOfBig(): string {
  const dir = path.join(root, `copy-${copies++}`);
  fs.cpSync(big, dir, { recursive: true });
  return dir;
}

const plain = (s: MailStore): MessageSummary[] => [...s.all()].map(plainSummary).sort((a, b) => (a.id < b.id ? -1 : 1));
const order = (s: MailStore): string[] => s.list().map((m) => m.id);

/** A job run on this thread that finishes only when the test lets it, counting its starts. */
function heldJob(): { job: SnapshotJob; started: () => number; running: () => number; release: () => void } {
  let started = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const job: SnapshotJob = async (dir, kind) => {
    started++;
    running++;
    await new Promise<void>((resolve) => waiting.push(resolve));
    running--;
    return runIndexJob(dir, kind);
  };
  return { job, started: () => started, running: () => running, release: () => waiting.splice(0).forEach((r) => r()) };
}

/** Opens `dir` with a held job, checks that the open starts it and waits for it, then lets it run. */
async function openWaitingForJob(dir: string): Promise<MailStore> {
  const held = heldJob();
  let opened = false;
  const opening = MailStore.open(dir, { snapshotJob: held.job }).then((s) => {
    opened = true;
    return s;
  });
  for (let i = 0; i < 20 && held.started() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(held.started(), 1, 'the job was started');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(opened, false, 'the open waits for it');
  held.release();
  const store = await opening;
  assert.equal(held.started(), 1, 'and no second one is due');
  return store;
}

test('an open from a long log alone waits for the job, then reads its snapshot instead of the log', async () => {
  const dir = copyOfBig();
  const store = await openWaitingForJob(dir);
  assert.ok(store.list()[0] instanceof SnapshotSummary, 'the entries came from the snapshot, not a fold of the log');
  assert.equal(store.size, BIG);

  const fromLogHere = path.join(root, `copy-${copies++}`);
  fs.cpSync(big, fromLogHere, { recursive: true });
  const reference = await MailStore.open(fromLogHere); // no job: the log folded on this thread
  assert.deepEqual(plain(store), plain(reference));
  assert.deepEqual(order(store), order(reference));
});

test('a short log is folded on open; the snapshot it is due for is written by the job without holding up the open', async () => {
  const dir = path.join(root, `small-${copies++}`);
  const seed = await MailStore.open(dir);
  for (let i = 0; i < 600; i++) put(seed, i);
  seed.flush(); // writes a snapshot on this thread (no job)
  seed.close();
  fs.rmSync(path.join(dir, 'index.snap'));
  assert.ok(fs.statSync(path.join(dir, 'index.jsonl')).size < 1024 * 1024);

  const held = heldJob();
  const store = await MailStore.open(dir, { snapshotJob: held.job });
  assert.equal(store.size, 600);
  assert.ok(!(store.list()[0] instanceof SnapshotSummary), 'folded from the log');
  assert.equal(held.started(), 1, 'the due snapshot was handed to the job');
  assert.equal(fs.existsSync(path.join(dir, 'index.snap')), false, 'and not written on this thread');
  held.release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(snapshotCovers(path.join(dir, 'index.snap'), path.join(dir, 'index.jsonl')), fs.statSync(path.join(dir, 'index.jsonl')).size);
});

test('while a job runs no second one starts; when it ends the next one is due only after as many lines again', async () => {
  const dir = copyOfBig();
  fs.writeFileSync(path.join(dir, 'index.snap'), ''); // not a snapshot: the open must not wait on a job for this test
  const reference = await MailStore.open(dir); // folds the log and writes a snapshot on this thread
  reference.close();
  const held = heldJob();
  const store = await MailStore.open(dir, { snapshotJob: held.job });
  assert.equal(held.started(), 0, 'opened from a fresh snapshot');
  let next = BIG;
  const flushAfter = (n: number): void => {
    for (let k = 0; k < n; k++) put(store, next++);
    store.flush();
  };
  flushAfter(520); // 520 lines after the snapshot: due
  assert.equal(held.started(), 1);
  flushAfter(520);
  flushAfter(520);
  assert.equal(held.started(), 1, 'no second job while the first runs');
  assert.equal(held.running(), 1);
  let idle = false;
  void store.idle().then(() => (idle = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(idle, false, 'idle() waits for the job (a folder is moved or deleted only after it)');
  held.release();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(idle, true);
  const covered = snapshotCovers(path.join(dir, 'index.snap'), path.join(dir, 'index.jsonl'));
  assert.equal(covered, fs.statSync(path.join(dir, 'index.jsonl')).size, 'the job covered the whole log as it was on disk');
  flushAfter(10);
  assert.equal(held.started(), 1, 'the snapshot holds the lines written while it ran');
  flushAfter(520);
  assert.equal(held.started(), 2);
  held.release();
  await new Promise((r) => setTimeout(r, 20));
  const reopened = await MailStore.open(dir);
  assert.deepEqual(plain(reopened), plain(store));
  assert.deepEqual(order(reopened), order(store));
});

test('the worker writes the snapshot of the log as it is; a torn last line is left to the tail, a damaged log gets none', async () => {
  const dir = copyOfBig();
  const snapFile = path.join(dir, 'index.snap');
  const indexFile = path.join(dir, 'index.jsonl');
  const inWorker = snapshotInWorker(workerFile);
  const lines = fs.readFileSync(indexFile, 'utf8').split('\n').length - 1;
  assert.equal(await inWorker(dir, 'snapshot'), lines);
  const read = readSnapshot(snapFile, indexFile)!;
  assert.equal(read.lines, lines);
  assert.equal(read.entries.length, BIG);
  read.close();

  const whole = fs.statSync(indexFile).size;
  fs.appendFileSync(indexFile, '{"id":"torn","uid'); // an append another process is in the middle of
  assert.equal(await inWorker(dir, 'snapshot'), lines);
  assert.equal(snapshotCovers(snapFile, indexFile), whole, 'up to the last whole line');

  fs.writeFileSync(indexFile, `${fs.readFileSync(indexFile, 'utf8').slice(0, whole)}not json\n`);
  fs.rmSync(snapFile);
  assert.equal(await inWorker(dir, 'snapshot'), undefined);
  assert.equal(fs.existsSync(snapFile), false);
});

test('a worker that cannot start writes nothing, and the store opens from the log on its own thread', async () => {
  const dir = copyOfBig();
  const store = await MailStore.open(dir, { snapshotJob: snapshotInWorker(path.join(root, 'no-such-worker.js')) });
  assert.equal(store.size, BIG);
  assert.ok(!(store.list()[0] instanceof SnapshotSummary));
  await new Promise((r) => setTimeout(r, 300)); // the background job of the open, failing too
  assert.equal(fs.existsSync(path.join(dir, 'index.snap')), false);
});

test('the worker starts from the snapshot there and folds only the lines after it: the same file as from the whole log', async () => {
  const dir = copyOfBig();
  const snapFile = path.join(dir, 'index.snap');
  const indexFile = path.join(dir, 'index.jsonl');
  assert.ok(snapshotOfLog(snapFile, indexFile));
  const store = await MailStore.open(dir);
  const [a, b, c] = store.list();
  store.setSeen(a!.id, !a!.seen);
  store.trash(b!.id);
  store.expunge(c!.id);
  put(store, BIG + 1);
  store.flush(); // a short tail: no new snapshot
  store.close();
  const covered = snapshotCovers(snapFile, indexFile);
  assert.ok(covered > 0 && covered < fs.statSync(indexFile).size, 'a snapshot with a tail after it');

  const lines = fs.readFileSync(indexFile, 'utf8').split('\n').length - 1;
  assert.equal(snapshotOfLog(snapFile, indexFile), lines);
  const fromBase = fs.readFileSync(snapFile);
  fs.rmSync(snapFile);
  assert.equal(snapshotOfLog(snapFile, indexFile), lines);
  assert.deepEqual(fs.readFileSync(snapFile), fromBase, 'byte for byte what the whole log gives');

  // Proof that the covered part is not read again: damage the log's first line (far before the guarded bytes).
  const log = fs.readFileSync(indexFile);
  log.write('#', 0);
  fs.writeFileSync(indexFile, log);
  put(await MailStore.open(dir), BIG + 2); // opens from snapshot + tail; appends one line
  assert.equal(snapshotOfLog(snapFile, indexFile), lines + 1, 'from the snapshot: the damaged line is never read');
  fs.rmSync(snapFile);
  assert.equal(snapshotOfLog(snapFile, indexFile), undefined, 'from the whole log: damaged, nothing written');
});

test('an open without its stamp leaves the check against the Maildir to the job, then reads what it wrote', async () => {
  const dir = copyOfBig();
  (await MailStore.open(dir)).close(); // a snapshot and a stamp, as a store that has been open before
  const flagged = (await MailStore.open(dir)).list().find((m) => !m.seen && m.file.startsWith('new'))!;
  // An unclean stop (no stamp) and another program's change: one message marked read by renaming its file.
  fs.rmSync(path.join(dir, 'index.stamp'));
  fs.renameSync(path.join(dir, 'Maildir', flagged.file), path.join(dir, 'Maildir', 'cur', `${path.basename(flagged.file)}:2,S`));

  const store = await openWaitingForJob(dir);
  const entry = store.get(flagged.id)!;
  assert.equal(entry.seen, true, 'the flag from the file name');
  // Checked on the opening thread, the changed entry would be a plain object; from the job's new snapshot it is a snapshot entry.
  assert.ok(entry instanceof SnapshotSummary, 'read from the snapshot the job wrote after its check');
  assert.ok(fs.existsSync(path.join(dir, 'index.stamp')), 'the job wrote the stamp');
  assert.equal(store.size, BIG);
});

test('the job checks nothing while a fetch holds the lock: this process\'s (its thread appends to the index) or another\'s', async () => {
  const dir = copyOfBig();
  (await MailStore.open(dir)).close();
  fs.rmSync(path.join(dir, 'index.stamp'));
  const index = path.join(dir, 'index.jsonl');
  const before = `${fs.statSync(index).ino}:${fs.statSync(index).size}`;
  // This process's own fetch: its thread appends to the index, so the job may not rewrite it.
  const own = StoreLock.tryAcquire(dir)!;
  assert.ok(fs.existsSync(path.join(dir, LOCK_FILE)));
  assert.equal(runIndexJob(dir, 'open'), undefined);
  assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), false, 'no check made, no stamp written');
  assert.equal(`${fs.statSync(index).ino}:${fs.statSync(index).size}`, before);
  own.release();
  // Another process's fetch: nothing may be written.
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => other.once('spawn', resolve));
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: os.hostname(), started: Date.now(), since: Date.now() }));
    assert.equal(runIndexJob(dir, 'open'), undefined);
    assert.equal(fs.existsSync(path.join(dir, 'index.stamp')), false);
    assert.equal(`${fs.statSync(index).ino}:${fs.statSync(index).size}`, before);
  } finally {
    other.kill();
    fs.rmSync(path.join(dir, LOCK_FILE), { force: true });
  }
  assert.equal(runIndexJob(dir, 'open'), undefined, 'a snapshot that still covers the log is not written again');
  assert.ok(fs.existsSync(path.join(dir, 'index.stamp')), 'with the lock free the job checks and stamps');
});
