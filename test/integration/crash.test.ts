// Crash safety (docs/security.md T22): a CLI fetch with deletion on runs against
// a real Dovecot and is SIGKILLed at 20+ points spread over the session
// (before login, while listing, inside RETR bodies, between the local fsync
// and DELE, among the DELEs, around QUIT, and at random instants that can land
// inside a message or index write). After each kill a normal fetch runs. The
// store must end up holding exactly what was delivered: nothing missing,
// nothing twice, no partial file outside tmp/, and an index that agrees with
// the Maildir.
//
// The child's redacted protocol trace (POP3_MAIL_TRACE=1, written to stderr
// as it happens) tells where it is. The child talks to Dovecot through a
// fault proxy: when the chosen trace line appears, the proxy stops the
// server's replies at once (the child can only finish local work on what it
// already received), then the child is SIGKILLed. So the point hit is the
// marker or at most one reply after it, even on a loaded machine. Random
// instants add kills by time alone. What each kill hit is read back from the
// store and the server, and printed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { idForUidl, parseName } from '../../src/store/maildir';
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';
import { messagesOnServer, startDovecot, type Dovecot, waitSessionsEnded as waitSessionsEndedIn } from '../support/dovecot';
import { checkStoredFiles, deliverUnique, sha, storedFiles, tmpFiles, type StoredFile } from '../support/stored-files';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { generateMessage } from '../support/mailgen';

const ROOT = path.resolve(__dirname, '../..');
const PASSWORD = 's3cret';

let dovecot: Dovecot;
let work: string;
let cli: string;
let storeDir: string;
/** Between the child and Dovecot: stalls the server's replies the moment a marker is seen. */
let proxy: FaultProxy;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-crash-'));
  // A fresh bundle of the CLI from the current sources (dist/ may be stale).
  cli = path.join(work, 'cli.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: cli,
    logLevel: 'silent',
  });
  storeDir = path.join(work, 'store');
  dovecot = await startDovecot();
  proxy = await startFaultProxy({ targetPort: dovecot.pop3sPort });
});

after(async () => {
  await proxy?.close();
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- delivered mail


/** Every message ever delivered, by content hash (each delivered once). */
const delivered = new Map<string, number>();
const deliveredRaw: Buffer[] = [];
let deliveries = 0;

function deliverBatch(seed: number, count: number): void {
  for (let i = 0; i < count; i++) {
    // Every fifth message carries a ~150 kB attachment (~200 kB on the wire), so RETR takes a while.
    const raw = generateMessage(seed, i, i % 5 === 2 ? { attachmentBytes: 150_000 } : { attachmentBytes: 0 });
    deliverUnique(dovecot, delivered, raw, `crash${String(++deliveries).padStart(5, '0')}`);
    deliveredRaw.push(raw);
  }
}

const serverCount = (): number => messagesOnServer(dovecot, 'alice');

// ---------------------------------------------------------------- store inspection


const assertNoPartialOrDuplicate = (dir: string, where: string): StoredFile[] => checkStoredFiles(dir, delivered, where, false);
const assertStoreEqualsDelivered = (dir: string, where: string): StoredFile[] => checkStoredFiles(dir, delivered, where, true);

/** The raw index log, folded (last line per id wins), without any repair. */
function readIndexLog(dir: string): { entries: Map<string, { file: string; uidl: string }>; bad: number; lines: number; tornTail: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'index.jsonl'), 'utf8');
  } catch {
    return { entries: new Map(), bad: 0, lines: 0, tornTail: false };
  }
  const entries = new Map<string, { file: string; uidl: string }>();
  let bad = 0;
  let lines = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    lines++;
    try {
      const v = JSON.parse(line) as { id: string; file?: string; uidl?: string; removed?: boolean };
      if (v.removed) entries.delete(v.id);
      else entries.set(v.id, { file: v.file ?? '', uidl: v.uidl ?? '' });
    } catch {
      bad++;
    }
  }
  return { entries, bad, lines, tornTail: text.length > 0 && !text.endsWith('\n') };
}

// ---------------------------------------------------------------- Dovecot sessions

const waitSessionsEnded = (timeoutMs?: number): Promise<void> => waitSessionsEndedIn(dovecot, 'alice', timeoutMs);

// ---------------------------------------------------------------- the child fetch

interface KillPoint {
  readonly name: string;
  /** Kill at the nth trace line that matches (1-based). */
  readonly match?: RegExp;
  readonly nth?: number;
  /** Extra wait after the marker, or after the spawn when there is no marker. */
  readonly delayMs?: number;
  /** Stop the server's replies at the marker (default); false: the kill is timed only. */
  readonly freeze?: boolean;
}

interface ChildRun {
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly lines: string[];
  readonly ms: number;
  /** Time from spawn to the marker. */
  readonly markerMs: number | undefined;
  /** Time from spawn to the greeting. */
  readonly greetingMs: number | undefined;
}

function runAndKill(point: KillPoint): Promise<ChildRun> {
  const args = ['fetch', '--host', 'localhost', '--port', String(proxy.port), '--user', 'alice', '--ca', dovecot.caFile, '--store', storeDir, '--delete', '--json'];
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, POP3_PASSWORD: PASSWORD, POP3_MAIL_TRACE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let killed = false;
  let markerMs: number | undefined;
  let greetingMs: number | undefined;
  let seen = 0;
  const timers: NodeJS.Timeout[] = [];
  const kill = (): void => {
    if (killed || child.exitCode !== null || child.signalCode !== null) return;
    killed = child.kill('SIGKILL');
  };
  const later = (ms: number): void => {
    if (ms <= 0) kill();
    else timers.push(setTimeout(kill, ms));
  };
  child.stdout.resume();
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (greetingMs === undefined && /^S: \+OK Dovecot/.test(line)) greetingMs = Date.now() - t0;
      if (point.match && point.match.test(line) && ++seen === (point.nth ?? 1)) {
        markerMs = Date.now() - t0;
        // Freeze the session where the marker is: the child gets no further
        // reply (it may still finish local work on what it already has).
        if (point.freeze !== false) proxy.arm('serverToClient', 'stall', 0);
        later(point.delayMs ?? 0);
      }
    }
  });
  if (!point.match) later(point.delayMs ?? 0);
  // A child that hangs is a failure, not a kill point.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(guard);
      for (const t of timers) clearTimeout(t);
      if (partial) lines.push(partial);
      resolve({ killed, exitCode: code, lines, ms: Date.now() - t0, markerMs, greetingMs });
    });
  });
}

/** What the kill interrupted, read from the store and the server without repairing anything. */
function landing(run: ChildRun, onServerBefore: number, tmpBefore: readonly string[]): string[] {
  const seen: string[] = [];
  const tmp = tmpFiles(storeDir).filter((n) => !tmpBefore.includes(n));
  if (tmp.length) seen.push(`${tmp.length} partial file(s) left in tmp/`);
  const index = readIndexLog(storeDir);
  const files = storedFiles(storeDir);
  const unindexed = files.filter((f) => index.entries.get(idForUidl(f.uidlKey ?? ''))?.file !== f.rel);
  if (unindexed.length) seen.push(`${unindexed.length} file(s) in new/ not yet indexed`);
  if (index.tornTail || index.bad) seen.push('torn index line');
  const leftovers = fs.readdirSync(storeDir).filter((n) => /\.tmp-\d+$/.test(n));
  if (leftovers.length) seen.push(`leftover ${leftovers.join(', ')}`);
  const last = [...run.lines].reverse().find((l) => /^[CS]: /.test(l)) ?? '(no protocol line)';
  const after = serverCount();
  if (after < onServerBefore) seen.push(`server committed the deletion of ${onServerBefore - after}`);
  seen.push(`last trace line ${JSON.stringify(last.slice(0, 40))}`);
  return seen;
}

// ---------------------------------------------------------------- the test

const RETR_REPLY = /^S: \+OK \d+ octets/;

test('SIGKILL at 20+ points of a fetch with deletion: the store ends up with exactly the delivered mail', { timeout: 180_000 }, async () => {
  const started = Date.now();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

  // Markers along the session. Dovecot offers PIPELINING, so every RETR is
  // sent at once: what moves through the bodies is the nth RETR reply.
  const BATCH = 14; // messages 3, 8, 13 are ~200 kB
  const points: KillPoint[] = [
    { name: 'TLS up, greeting', match: /^S: \+OK Dovecot/ },
    { name: 'AUTH sent', match: /^C: AUTH/ },
    { name: 'second CAPA sent (sync state written next)', match: /^C: CAPA/, nth: 2 },
    { name: 'LIST sent (sync state just written)', match: /^C: LIST/ },
    { name: 'UIDL sent (listing)', match: /^C: UIDL/ },
    { name: 'RETRs sent, nothing received', match: /^C: RETR 1$/ },
    { name: 'RETR reply 1 (small)', match: RETR_REPLY, nth: 1 },
    { name: 'RETR reply 3 (200 kB body)', match: RETR_REPLY, nth: 3 },
    { name: 'RETR reply 3 + 2 ms', match: RETR_REPLY, nth: 3, delayMs: 2 },
    { name: 'RETR reply 4 (after a big body)', match: RETR_REPLY, nth: 4 },
    { name: 'RETR reply 6', match: RETR_REPLY, nth: 6 },
    { name: 'RETR reply 8 (200 kB body)', match: RETR_REPLY, nth: 8 },
    { name: 'RETR reply 8 + 1 ms', match: RETR_REPLY, nth: 8, delayMs: 1 },
    { name: 'RETR reply 11', match: RETR_REPLY, nth: 11 },
    { name: 'RETR reply 13 (200 kB body)', match: RETR_REPLY, nth: 13 },
    { name: 'last RETR reply', match: RETR_REPLY, nth: BATCH },
    { name: 'first DELE (all stored and fsynced)', match: /^C: DELE/, nth: 1 },
    // Dovecot answers DELE with "+OK Marked to be deleted."
    { name: 'second DELE answered', match: /^S: \+OK Marked/, nth: 2 },
    { name: 'seventh DELE', match: /^C: DELE/, nth: 7 },
    { name: 'last DELE', match: /^C: DELE/, nth: BATCH },
    { name: 'QUIT sent', match: /^C: QUIT/ },
    { name: 'QUIT answered (server committed)', match: /^S: \+OK Logging out/ },
  ];

  const summary: string[] = [];
  let kills = 0;
  let round = 0;
  let sessionMs = 0; // time from the greeting to QUIT's reply, for the random kills
  const runRound = async (point: KillPoint): Promise<void> => {
    round++;
    deliverBatch(1000 + round, round === 1 ? 40 : BATCH);
    const onServer = serverCount();
    const tmpBefore = tmpFiles(storeDir);
    const run = await runAndKill(point);
    const where = `round ${round} (${point.name})`;
    if (run.markerMs !== undefined && run.greetingMs !== undefined && /QUIT answered/.test(point.name)) sessionMs = run.markerMs - run.greetingMs;
    if (run.killed) kills++;
    else assert.equal(run.exitCode, 0, `${where}: the child fetch failed on its own:\n${run.lines.slice(-5).join('\n')}`);
    await waitSessionsEnded(); // a QUIT that reached Dovecot is committed by now
    const seen = run.killed ? landing(run, onServer, tmpBefore) : ['not killed: the fetch finished first'];
    summary.push(`${String(round).padStart(2)} ${point.name} @${run.markerMs ?? point.delayMs ?? '-'}ms: ${seen.join('; ')}`);
    assertNoPartialOrDuplicate(storeDir, `${where}, after the kill`);

    // Mail may arrive between the crash and the next fetch.
    if (round % 4 === 0) deliverBatch(5000 + round, 2);
    const store = await MailStore.open(storeDir);
    const result = await fetchMail({
      account: { name: 'crash', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile },
      password: PASSWORD,
      store,
      retention: { deleteAfterDownload: true },
    });
    assert.equal(result.plan.anomaly, undefined, `${where}: the normal fetch saw a UIDL anomaly`);
    await waitSessionsEnded();
    assert.equal(serverCount(), 0, `${where}: the normal fetch left mail on the server`);
    assertStoreEqualsDelivered(storeDir, `${where}, after the normal fetch`);
    assert.equal(store.size, delivered.size, `${where}: the store knows ${store.size} messages`);
  };

  for (const point of points) await runRound(point);

  // Random instants across the session after the greeting, by time alone (seeded,
  // so a failure replays): they land in the listings, bodies, fsyncs, index
  // appends and DELEs, wherever the child happens to be. One more right after
  // the spawn kills it in node's startup or the TLS handshake.
  let seed = 0x2545f491;
  const random = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  assert.ok(sessionMs > 0, 'the QUIT round measured the session length');
  for (let k = 0; k < 6; k++) {
    const delayMs = Math.round(random() * sessionMs);
    await runRound({ name: `greeting + ${delayMs} ms (random)`, match: /^S: \+OK Dovecot/, delayMs, freeze: false });
  }
  await runRound({ name: 'spawn + 60 ms (startup or handshake)', delayMs: 60 });
  // Random short delays after RETR replies: the window of a message's fsync,
  // rename and index append.
  for (let k = 0; k < 4; k++) {
    const nth = 1 + Math.floor(random() * BATCH);
    await runRound({ name: `RETR reply ${nth} + ${k % 2} ms`, match: RETR_REPLY, nth, delayMs: k % 2 });
  }

  // ---- the end state
  const files = assertStoreEqualsDelivered(storeDir, 'end');
  // The index as written, without the repair MailStore.open would do: every line
  // parses and it names exactly the files on disk.
  const index = readIndexLog(storeDir);
  assert.equal(index.bad, 0, 'every index line parses');
  assert.equal(index.tornTail, false, 'the index ends with a complete line');
  assert.equal(index.entries.size, files.length, 'the index has one entry per stored file');
  for (const f of files) {
    const e = index.entries.get(idForUidl(f.uidlKey!));
    assert.ok(e, `${f.rel} is in the index`);
    assert.equal(e.file, f.rel, `the index points at ${f.rel}`);
  }
  // tmp/ holds only leftovers of killed writes: each a prefix of a delivered
  // message, and MailStore.open removes them once they are stale.
  const tmpDir = path.join(storeDir, 'Maildir', 'tmp');
  const leftovers = fs.readdirSync(tmpDir);
  for (const name of leftovers) {
    assert.ok(parseName(name).uidlKey !== undefined, `tmp/${name} is one of ours`);
    const partial = fs.readFileSync(path.join(tmpDir, name));
    assert.ok(
      deliveredRaw.some((raw) => raw.length >= partial.length && raw.subarray(0, partial.length).equals(partial)),
      `tmp/${name} (${partial.length} bytes) is the start of a delivered message`,
    );
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(path.join(tmpDir, name), old, old);
  }
  const store = await MailStore.open(storeDir);
  assert.deepEqual(fs.readdirSync(tmpDir), [], 'MailStore.open removed the stale tmp/ leftovers');
  const ids = store.list().map((m) => m.id).sort();
  assert.deepEqual(ids, files.map((f) => idForUidl(f.uidlKey!)).sort(), 'store.list() ids = the files on disk');
  for (const m of store.all()) {
    assert.ok(delivered.has(sha(await store.readRaw(m.id))), `${m.id} reads back as a delivered message`);
    assert.equal(store.byUidl(m.uidl)?.id, m.id);
  }
  const storeLeftovers = fs.readdirSync(storeDir).filter((n) => /\.tmp-\d+$/.test(n));

  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
  console.log(summary.join('\n'));
  console.log(
    `crash test: ${kills} kill points run (${round} rounds), ${delivered.size} messages delivered and stored exactly once, ` +
      `${leftovers.length} stale tmp/ leftover(s) cleaned by MailStore.open, store-dir temp leftovers: ${storeLeftovers.join(', ') || 'none'}, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  assert.ok(kills >= 20, `at least 20 kill points ran (${kills})`);
});
