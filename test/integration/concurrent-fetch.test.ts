// One store, many processes, against a real Dovecot with 300 messages: two
// processes that opened the store through its API (as two editor windows
// do) and the CLI fetch one account at the same moment. The store lock lets
// one fetch at a time and each later one reads what the earlier stored, so
// the Maildir holds every message exactly once, byte-identical, and the
// index lists each once. Then: the CLI without --wait exits 8 naming the
// holder; a fetch SIGKILLed mid-download leaves a lock the next fetch
// recovers, and the store is exact after it.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { LOCK_FILE } from '../../src/store/lock';
import { parseName } from '../../src/store/maildir';
import { MailStore } from '../../src/store/store';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { generateMailbox } from '../support/mailgen';
import { waitUntil } from '../support/wait';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const WORKER = path.resolve(__dirname, '../support/fetch-worker.ts');
const COUNT = 300;
const PASSWORD = 's3cret';

let dovecot: Dovecot;
let work: string;
const delivered = generateMailbox(1414, COUNT);
const children: ChildProcessWithoutNullStreams[] = [];

before(async () => {
  assert.ok(fs.existsSync(CLI), `build first: ${CLI} is missing`);
  dovecot = await startDovecot();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-concurrent-'));
  delivered.forEach((raw, i) => dovecot.deliver('alice', raw, `msg${String(i).padStart(4, '0')}`));
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcessWithoutNullStreams): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A worker that has opened the store and waits for the word to fetch. */
async function worker(store: string, waitMs: number): Promise<{ child: ChildProcessWithoutNullStreams; done: Promise<Run> }> {
  const options = { store, port: dovecot.pop3sPort, caFile: dovecot.caFile, user: 'alice', password: PASSWORD, waitMs };
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(options)], { stdio: 'pipe' });
  children.push(child);
  const done = collect(child);
  await waitUntil('the worker opened the store', () => /open\n/.test(readStdout(child)), 30_000);
  return { child, done };
}

const seen = new WeakMap<ChildProcessWithoutNullStreams, string>();
function readStdout(child: ChildProcessWithoutNullStreams): string {
  if (!seen.has(child)) {
    seen.set(child, '');
    child.stdout.on('data', (d: Buffer) => seen.set(child, seen.get(child)! + d.toString()));
  }
  return seen.get(child)!;
}

function cli(store: string, extra: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI, 'fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'alice', '--ca', dovecot.caFile, '--store', store, '--json', ...extra], {
    env: { ...process.env, POP3_PASSWORD: PASSWORD },
    stdio: 'pipe',
  });
  children.push(child);
  return child;
}

/** Every message file in new/ and cur/, by UIDL key; fails on a UIDL stored twice. */
function storedByUidl(store: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const sub of ['new', 'cur']) {
    const dir = path.join(store, 'Maildir', sub);
    for (const name of fs.readdirSync(dir)) {
      const key = parseName(name).uidlKey;
      assert.ok(key !== undefined, name);
      assert.ok(!out.has(key), `UIDL ${key} stored twice`);
      out.set(key, fs.readFileSync(path.join(dir, name)));
    }
  }
  return out;
}

/** `killedPid`: a process SIGKILLed mid-write leaves its partial files in tmp/ (removed after an hour, Maildir's rule); no one else may. */
async function assertExact(store: string, killedPid?: number): Promise<void> {
  const files = storedByUidl(store);
  assert.equal(files.size, COUNT, 'each message once in the Maildir');
  const key = (b: Buffer): string => b.toString('base64');
  assert.deepEqual([...files.values()].map(key).sort(), delivered.map(key).sort(), 'byte-identical to what was delivered');
  const leftovers = fs.readdirSync(path.join(store, 'Maildir', 'tmp')).filter((n) => !(killedPid !== undefined && n.includes(`P${killedPid}Q`)));
  assert.deepEqual(leftovers, [], 'nothing left in tmp/ by the fetches that ran to the end');
  // The index as written (last line wins per id), not repaired on open: each message listed once.
  const ids = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(store, 'index.jsonl'), 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { id: string; uidl?: string; removed?: boolean };
    if (e.removed) ids.delete(e.id);
    else ids.set(e.id, e.uidl!);
  }
  assert.equal(ids.size, COUNT, 'the index lists each message once');
  assert.equal(new Set(ids.values()).size, COUNT);
  const opened = await MailStore.open(store);
  assert.equal(opened.list().length, COUNT);
  opened.close();
}

test('two store-API processes and the CLI fetch one account at once: each message stored and indexed exactly once', async () => {
  const store = path.join(work, 'three');
  const a = await worker(store, 120_000);
  const b = await worker(store, 120_000);
  // All three are released together; both workers hold a store object opened before any fetch.
  a.child.stdin.write('go\n');
  b.child.stdin.write('go\n');
  const c = collect(cli(store, ['--wait', '120']));
  const [ra, rb, rc] = await Promise.all([a.done, b.done, c]);
  for (const r of [ra, rb, rc]) assert.equal(r.code, 0, r.stderr);
  const workers = [ra, rb].map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as { downloaded: number; waited: boolean; size: number });
  const cliResult = JSON.parse(rc.stdout) as { downloaded: number };
  const downloads = [...workers.map((w) => w.downloaded), cliResult.downloaded];
  console.log(`downloads per process (worker A, worker B, CLI): ${downloads.join(', ')}; waited: ${workers.map((w) => w.waited).join(', ')}, CLI ${/waiting for the fetch/.test(rc.stderr)}`);
  assert.equal(downloads.reduce((x, y) => x + y, 0), COUNT, 'together they downloaded each message once');
  assert.equal(downloads.filter((d) => d === COUNT).length, 1, 'one process downloaded them all, the others found them stored');
  for (const w of workers) assert.equal(w.size, COUNT, 'each worker\'s store object knows all of them afterwards');
  assert.equal(fs.existsSync(path.join(store, LOCK_FILE)), false, 'the lock is gone');
  await assertExact(store);
});

test('the CLI without --wait exits 8 naming the fetch that holds the store', async () => {
  const store = path.join(work, 'busy');
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { StoreLock } = require(${JSON.stringify(path.resolve(__dirname, '../../src/store/lock.ts'))});
    require('fs').mkdirSync(process.argv[1], { recursive: true });
    StoreLock.acquire(process.argv[1]).then(() => { process.stdout.write('held\\n'); setTimeout(() => {}, 60000); });`, store], { stdio: 'pipe' });
  children.push(holder);
  await waitUntil('the holder took the lock', () => /held/.test(readStdout(holder)), 30_000);
  const r = spawnSync(process.execPath, [CLI, 'fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'alice', '--ca', dovecot.caFile, '--store', store], {
    env: { ...process.env, POP3_PASSWORD: PASSWORD },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 8, r.stderr);
  assert.equal(r.stderr.trim(), `pop3-mail: store in use by pid ${holder.pid}`);
  holder.kill('SIGKILL');
});

test('a fetch killed mid-download leaves its lock; the next fetch recovers it and the store is exact', async () => {
  const store = path.join(work, 'killed');
  const victim = await worker(store, 0);
  victim.child.stdin.write('go\n');
  await waitUntil('some messages stored', () => fs.existsSync(path.join(store, 'Maildir', 'new')) && fs.readdirSync(path.join(store, 'Maildir', 'new')).length >= 30, 60_000);
  victim.child.kill('SIGKILL');
  await victim.done;
  assert.ok(fs.existsSync(path.join(store, LOCK_FILE)), 'the dead process left its lock');
  const r = await collect(cli(store, []));
  assert.equal(r.code, 0, r.stderr);
  await assertExact(store, victim.child.pid);
});

test('a window that opens the store and marks mail read again and again while another process fetches: the index stays exact', async () => {
  const store = path.join(work, 'reader');
  const fetcher = await worker(store, 0);
  // The reader opens the store as a window does (a reload, a message opened, a read mark) as often as it can,
  // until the fetch has ended; whatever it opened mid-fetch, it must never rewrite what the fetch appends.
  const reader = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const fs = require('fs');
    const path = require('path');
    const { MailStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/store/store.ts'))});
    const [dir, stop] = process.argv.slice(1);
    (async () => {
      let opens = 0;
      const marked = new Set();
      const deadline = Date.now() + 120000;
      while (!fs.existsSync(stop) && Date.now() < deadline) {
        const s = await MailStore.open(dir);
        if (opens++ === 0) process.stdout.write('ready\\n');
        const unread = s.list().find((m) => !m.seen);
        if (unread && opens % 3 === 0) {
          s.setSeen(unread.id, true);
          marked.add(unread.uidl);
        }
        s.close();
      }
      process.stdout.write(JSON.stringify({ opens, marked: [...marked] }) + '\\n');
    })();`, store, path.join(work, 'reader.stop')], { stdio: 'pipe' });
  children.push(reader);
  const readerDone = collect(reader);
  await waitUntil('the reader opened the store', () => /ready\n/.test(readStdout(reader)), 30_000);
  fetcher.child.stdin.write('go\n');
  const rf = await fetcher.done;
  fs.writeFileSync(path.join(work, 'reader.stop'), '');
  const rr = await readerDone;
  assert.equal(rf.code, 0, rf.stderr);
  assert.equal(rr.code, 0, rr.stderr);
  const { opens, marked } = JSON.parse(rr.stdout.trim().split('\n').pop()!) as { opens: number; marked: string[] };
  console.log(`reader: ${opens} opens, ${marked.length} marked read during the fetch`);
  assert.ok(opens >= 5, `the reader opened the store during the fetch (${opens} times)`);
  assert.equal((JSON.parse(rf.stdout.trim().split('\n').pop()!) as { downloaded: number }).downloaded, COUNT);
  await assertExact(store);
  // Every read mark holds, in the index as well as in the file's name.
  const opened = await MailStore.open(store);
  for (const uidl of marked) assert.equal(opened.byUidl(uidl)?.seen, true, `${uidl} marked read`);
  opened.close();
  // A fetch now finds nothing new: nothing was lost from the index, so nothing is downloaded twice.
  const again = await collect(cli(store, []));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /"downloaded":0/);
});
