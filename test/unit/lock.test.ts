import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { LOCK_FILE, lockedByAnotherProcess, lockedByThisProcess, processAlive, StoreBusyError, StoreLock, type LockOwner } from '../../src/store/lock';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-lock-'));
  dirs.push(d);
  return d;
}

function writeLock(dir: string, owner: Partial<LockOwner>): void {
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: os.hostname(), started: 0, since: Date.now(), ...owner }));
}

/** The pid of a process that has exited (and whose start time we saw). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('one holder at a time: a second acquire fails at once with the owner; after release it succeeds', async () => {
  const dir = tmp();
  const first = await StoreLock.acquire(dir);
  const owner = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockOwner;
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, os.hostname());
  assert.ok(owner.started <= owner.since);
  await assert.rejects(StoreLock.acquire(dir), (err: unknown) => StoreBusyError.is(err) && err.owner?.pid === process.pid && err.message === `store in use by pid ${process.pid}`);
  first.release();
  first.release(); // idempotent
  assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
  (await StoreLock.acquire(dir)).release();
});

test('a stale lock of a dead process on this host is recovered', async () => {
  const dir = tmp();
  writeLock(dir, { pid: deadPid(), started: Date.now() - 1000 });
  const lock = await StoreLock.acquire(dir);
  assert.equal((JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockOwner).pid, process.pid);
  lock.release();
  assert.deepEqual(fs.readdirSync(dir), [], 'no break file left behind');
});

test('a reused pid (alive, another start time) does not hold the lock; the live owner with its start time does', async () => {
  const dir = tmp();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    assert.equal(processAlive(child.pid!, Date.now() - 3_600_000), false, 'started an hour earlier: another process');
    writeLock(dir, { pid: child.pid!, started: Date.now() - 3_600_000 });
    (await StoreLock.acquire(dir)).release();
    // The same child with its real start time is a live owner.
    const started = Date.now() - 50;
    assert.equal(processAlive(child.pid!, started), true);
    writeLock(dir, { pid: child.pid!, started });
    await assert.rejects(StoreLock.acquire(dir), StoreBusyError);
  } finally {
    child.kill('SIGKILL');
  }
});

test('tryAcquire: the lock when free or stale, undefined at once while a live process or this one holds it', async () => {
  const dir = tmp();
  const first = StoreLock.tryAcquire(dir);
  assert.ok(first);
  assert.equal(StoreLock.tryAcquire(dir), undefined, 'held by this process');
  first.release();
  writeLock(dir, { pid: deadPid(), started: Date.now() - 1000 });
  const recovered = StoreLock.tryAcquire(dir);
  assert.ok(recovered, 'a dead process\'s lock is recovered');
  recovered.release();
  assert.deepEqual(fs.readdirSync(dir), []);
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    writeLock(dir, { pid: child.pid!, started: Date.now() - 50 });
    assert.equal(StoreLock.tryAcquire(dir), undefined, 'a live process holds it');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid, child.pid);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a lock of another thread of this process (its start time read a millisecond apart) is this process\'s', () => {
  const dir = tmp();
  const held = StoreLock.tryAcquire(dir)!;
  const file = path.join(dir, LOCK_FILE);
  const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  for (const skew of [-1, 1]) {
    fs.writeFileSync(file, JSON.stringify({ ...owner, started: owner.started + skew }));
    assert.equal(lockedByThisProcess(dir), true, `skew ${skew}`);
    assert.equal(lockedByAnotherProcess(dir), false, `skew ${skew}: not a stale lock of a dead process either`);
    assert.equal(StoreLock.tryAcquire(dir), undefined, `skew ${skew}: still held`);
  }
  held.release();
  assert.equal(fs.existsSync(file), false, 'released by the thread that took it, whatever its reading');
  // Long before this process started: another process that had this pid.
  writeLock(dir, { pid: process.pid, started: owner.started - 3_600_000 });
  assert.equal(lockedByThisProcess(dir), false);
  assert.equal(lockedByAnotherProcess(dir), false, 'and it is gone: stale');
});

test('a lock from another host is kept (its process cannot be checked from here)', async () => {
  const dir = tmp();
  writeLock(dir, { pid: deadPid(), host: 'another-host.example' });
  await assert.rejects(StoreLock.acquire(dir, { waitMs: 300 }), (err: unknown) => StoreBusyError.is(err) && /on another-host\.example$/.test(err.message));
  assert.ok(fs.existsSync(path.join(dir, LOCK_FILE)));
});

test('waiting: onWait is called once, the lock is taken when the holder releases it, and a wait that ends first throws', async () => {
  const dir = tmp();
  const held = await StoreLock.acquire(dir);
  const waits: (LockOwner | undefined)[] = [];
  setTimeout(() => held.release(), 400);
  const second = await StoreLock.acquire(dir, { waitMs: 20_000, onWait: (o) => waits.push(o) });
  assert.equal(waits.length, 1);
  assert.equal(waits[0]?.pid, process.pid);
  await assert.rejects(StoreLock.acquire(dir, { waitMs: 200 }), StoreBusyError);
  second.release();
});

test('a wait is cancelled by its signal', async () => {
  const dir = tmp();
  const held = await StoreLock.acquire(dir);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(StoreLock.acquire(dir, { waitMs: 60_000, signal: controller.signal }));
  held.release();
});

test('an unreadable lock file is being written while young, and recovered once old', async () => {
  const dir = tmp();
  const file = path.join(dir, LOCK_FILE);
  fs.writeFileSync(file, '{"pid":');
  await assert.rejects(StoreLock.acquire(dir), (err: unknown) => StoreBusyError.is(err) && err.owner === undefined);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(file, old, old);
  (await StoreLock.acquire(dir)).release();
});

test('release leaves a lock that is no longer ours (recovered by another process meanwhile)', async () => {
  const dir = tmp();
  const lock = await StoreLock.acquire(dir);
  writeLock(dir, { pid: 4242, host: 'elsewhere' });
  lock.release();
  assert.ok(fs.existsSync(path.join(dir, LOCK_FILE)));
});

test('many processes contending: never two holders at once, every one gets its turn', async () => {
  const dir = tmp();
  const script = `
    const { StoreLock } = require(${JSON.stringify(path.resolve(__dirname, '../../src/store/lock.ts'))});
    const fs = require('fs'), path = require('path');
    (async () => {
      for (let i = 0; i < 5; i++) {
        const lock = await StoreLock.acquire(process.argv[1], { waitMs: 60000 });
        const marker = path.join(process.argv[1], 'inside');
        fs.writeFileSync(marker, String(process.pid), { flag: 'wx' }); // throws if another holder is inside
        await new Promise((r) => setTimeout(r, 5));
        fs.rmSync(marker);
        fs.appendFileSync(path.join(process.argv[1], 'turns'), process.pid + '\\n');
        lock.release();
      }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const codes = await Promise.all(
    children.map(
      (c) =>
        new Promise<number | null>((resolve) => {
          let err = '';
          c.stderr.on('data', (d: Buffer) => (err += d.toString()));
          c.once('exit', (code) => resolve(code === 0 ? 0 : (console.error(err), code)));
        }),
    ),
  );
  assert.deepEqual(codes, [0, 0, 0, 0]);
  assert.equal(fs.readFileSync(path.join(dir, 'turns'), 'utf8').trim().split('\n').length, 20);
});
