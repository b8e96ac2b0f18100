// Network faults (docs/security.md T21, T22): a fault proxy between the engine
// (in-process fetchMail) and a real Dovecot resets, truncates or stalls the
// connection at offsets spread over a whole POP3S session: inside the TLS
// handshake, in the greeting and login, in the listings, inside RETR bodies,
// among the DELEs, after the DELEs before QUIT's reply, and past the end.
// Each faulty fetch must end in a typed Pop3Error (or succeed when the fault
// came too late to matter), never hang, never leave an unhandled rejection or
// a partial message outside tmp/. A clean fetch follows; in the end the store
// holds exactly what was delivered.
//
// Offsets come from a profile: the first round's clean session through the
// proxy, with the proxy's byte counts noted at each trace line. Every round
// delivers messages of the same sizes (a fixed batch with a fixed-width
// round tag), so each round's session has (nearly) the same byte layout.
//
// fetchMail takes no `limits`, so a stall cannot be bounded by a shorter idle
// timeout than the engine's 60 s default: stalled rounds pass an AbortSignal
// that fires after STALL_ABORT_MS instead.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { Pop3Error } from '../../src/pop3/errors';
import { idForUidl } from '../../src/store/maildir';
import { MailStore } from '../../src/store/store';
import { fetchMail, type FetchResult } from '../../src/sync/fetch';
import type { RetentionPolicy } from '../../src/sync/policy';
import { messagesOnServer, startDovecot, type Dovecot, waitSessionsEnded as waitSessionsEndedIn } from '../support/dovecot';
import { checkStoredFiles, deliverUnique, sha, tmpFiles, type StoredFile } from '../support/stored-files';
import { startFaultProxy, type Direction, type FaultKind, type FaultProxy } from '../support/fault-proxy';
import { generateMessage } from '../support/mailgen';

const PASSWORD = 's3cret';
const STALL_ABORT_MS = 1000;
/** A faulty fetch that has not settled by then is a hang. */
const HANG_MS = 15_000;

let dovecot: Dovecot;
let work: string;
let storeDir: string;

before(async () => {
  dovecot = await startDovecot({ users: [{ user: 'alice', password: PASSWORD }, { user: 'bob', password: PASSWORD }, { user: 'carol', password: PASSWORD }] });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-faults-'));
  storeDir = path.join(work, 'store');
});

after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------- delivered mail

const delivered = new Set<string>();

/** Five messages, the third ~200 kB; the same sizes every round. */
const BASE = [0, 1, 2, 3, 4].map((i) => generateMessage(3141, i, i === 2 ? { attachmentBytes: 150_000 } : { attachmentBytes: 0 }));
const BIG = 2;

function deliverBatch(round: number): void {
  BASE.forEach((base, i) => {
    // Fixed width, so every round's messages have the same sizes.
    const raw = Buffer.concat([Buffer.from(`X-Fault-Round: ${String(round).padStart(4, '0')}.${i}\r\n`), base]);
    deliverUnique(dovecot, delivered, raw, `fault${String(round).padStart(4, '0')}x${i}`);
  });
}

const serverCount = (): number => messagesOnServer(dovecot, 'alice');

// ---------------------------------------------------------------- store inspection


const checkStore = (where: string, complete: boolean): StoredFile[] => checkStoredFiles(storeDir, delivered, where, complete);


// ---------------------------------------------------------------- Dovecot sessions

const waitSessionsEnded = (timeoutMs?: number): Promise<void> => waitSessionsEndedIn(dovecot, 'alice', timeoutMs);

// ---------------------------------------------------------------- fetching

const account = (port: number): Parameters<typeof fetchMail>[0]['account'] => ({
  name: 'faults',
  host: 'localhost',
  port,
  user: 'alice',
  security: 'tls',
  caFile: dovecot.caFile,
});

/** A clean fetch straight to Dovecot that deletes everything it stored: the server ends empty. */
async function cleanFetch(where: string): Promise<void> {
  await waitSessionsEnded();
  const store = await MailStore.open(storeDir);
  await fetchMail({ account: account(dovecot.pop3sPort), password: PASSWORD, store, retention: { deleteAfterDownload: true } });
  await waitSessionsEnded();
  assert.equal(serverCount(), 0, `${where}: the clean fetch left mail on the server`);
  checkStore(`${where}, after the clean fetch`, true);
  assert.deepEqual(tmpFiles(storeDir), [], `${where}: tmp/ is empty after the clean fetch`);
}

/** Byte counts (server to client, client to server) at each trace line of a clean session. */
interface Timeline {
  readonly events: { readonly line: string; readonly s2c: number; readonly c2s: number }[];
  readonly totalS2c: number;
  readonly totalC2s: number;
}

function at(t: Timeline, pattern: RegExp, nth = 1, dir: 's2c' | 'c2s' = 's2c'): number {
  const hits = t.events.filter((e) => pattern.test(e.line));
  const e = hits[nth - 1];
  assert.ok(e, `the profile has ${nth} trace line(s) matching ${pattern}`);
  return e[dir];
}

// ---------------------------------------------------------------- the test

interface FaultSpec {
  readonly name: string;
  readonly direction: Direction;
  readonly kind: Exclude<FaultKind, 'none'>;
  /** Absolute offset in the direction's bytes, or armed from the trace: fire after `afterMore` bytes once `onTrace` is seen. */
  readonly afterBytes?: number;
  readonly onTrace?: RegExp;
  readonly afterMore?: number;
  /** Delete after download in the faulty fetch (default: every other round). */
  readonly del?: boolean;
  /** The fault lies past the end of the session: the fetch must succeed. */
  readonly pastEnd?: boolean;
}

test('faults injected across a whole POP3S session end in typed errors, and the store ends up exact', { timeout: 180_000 }, async () => {
  const started = Date.now();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

  // ---- profile: a clean session through the proxy, deleting (round 0)
  deliverBatch(0);
  const profileProxy = await startFaultProxy({ targetPort: dovecot.pop3sPort });
  const events: Timeline['events'] = [];
  await fetchMail({
    account: account(profileProxy.port),
    password: PASSWORD,
    store: await MailStore.open(storeDir),
    retention: { deleteAfterDownload: true },
    trace: (line) => events.push({ line, s2c: profileProxy.currentBytes('serverToClient'), c2s: profileProxy.currentBytes('clientToServer') }),
  });
  await profileProxy.close();
  const profile: Timeline = { events, totalS2c: profileProxy.bytes('serverToClient'), totalC2s: profileProxy.bytes('clientToServer') };
  await waitSessionsEnded();
  assert.equal(serverCount(), 0);
  checkStore('profile', true);

  const tlsUp = at(profile, /^\*: TLS/);
  const greeting = at(profile, /^S: \+OK Dovecot/);
  const loggedIn = at(profile, /^S: \+OK Logged in/);
  const retrSent = at(profile, /^C: RETR 1$/);
  const deleSent = at(profile, /^C: DELE 1$/);
  const deleReply = (n: number): number => at(profile, /^S: \+OK Marked/, n);
  const quitSent = at(profile, /^C: QUIT$/);
  const c2sAuth = at(profile, /^C: AUTH/, 1, 'c2s');
  const c2sRetr = at(profile, /^C: RETR 1$/, 1, 'c2s');
  const c2sQuit = at(profile, /^C: QUIT$/, 1, 'c2s');
  // Counts noted when the client sends a command are exact (the server is
  // waiting for it); counts at a reply line can run ahead of the client, which
  // decrypts later than the proxy forwards. So positions inside the RETR
  // replies are laid out from the message sizes between two exact anchors:
  // RETR sent (nothing in flight yet) and DELE 1 sent (all received).
  const sizes = BASE.map((b) => b.length + 'X-Fault-Round: 0000.0\r\n'.length);
  const replies = sizes.map((n) => `+OK ${n} octets\r\n`.length + n + 3);
  const scale = (deleSent - retrSent) / replies.reduce((a, b) => a + b, 0);
  /** Position of byte `b` of the reply to RETR `n` (1-based; b = 0 is the first byte of its status line). */
  const inRetr = (n: number, b: number): number => Math.round(retrSent + (replies.slice(0, n - 1).reduce((x, y) => x + y, 0) + b) * scale);
  const bigSize = sizes[BIG]!;
  assert.ok(tlsUp > 500 && greeting > tlsUp && retrSent > loggedIn && deleSent - retrSent > bigSize, 'the profile looks like a POP3S session');
  assert.ok(scale >= 1 && scale < 1.05, `TLS overhead in the RETR replies is small (${scale})`);

  const s2c = (name: string, afterBytes: number, extra: Partial<FaultSpec> = {}): FaultSpec[] =>
    (['reset', 'truncate'] as const).map((kind) => ({ name, direction: 'serverToClient', kind, afterBytes, ...extra }));
  const specs: FaultSpec[] = [
    ...s2c('TLS handshake: first byte', 0),
    ...s2c('TLS handshake: ServerHello', 60),
    ...s2c('TLS handshake: certificate', Math.round(tlsUp / 2)),
    ...s2c('TLS handshake: Finished', tlsUp - 8),
    ...s2c('session tickets / greeting', greeting - 10),
    ...s2c('AUTH reply', loggedIn - 5),
    ...s2c('LIST/UIDL listings', retrSent - 40),
    ...s2c('RETR 1 status line', inRetr(1, 5)),
    ...s2c('RETR 1 body', inRetr(1, 300)),
    ...s2c('RETR 3 status line', inRetr(BIG + 1, 8)),
    ...s2c('RETR 3 body, 10 kB in', inRetr(BIG + 1, 10_000)),
    ...s2c('RETR 3 body, middle', inRetr(BIG + 1, Math.round(bigSize / 2))),
    ...s2c('RETR 3 body, 1 kB before its end', inRetr(BIG + 1, bigSize - 1000)),
    ...s2c('RETR 5, last bytes', deleSent - 60),
    ...s2c('DELE 1 reply', deleSent + 10, { del: true }),
    ...s2c('DELE 3 reply', deleReply(2) + 10, { del: true }),
    // Near the end, sessions differ from the profile by a few TLS records: these land
    // around QUIT's reply (the armed faults below hit the exact points).
    ...s2c('around QUIT (before its reply by the profile)', quitSent, { del: true }),
    ...s2c('around QUIT (inside its reply by the profile)', quitSent + 20, { del: true }),
    ...s2c('past the end', profile.totalS2c + 1000, { pastEnd: true }),
    // Stalls: bounded by the AbortSignal, since fetchMail cannot shorten the idle timeout.
    { name: 'TLS handshake: first byte', direction: 'serverToClient', kind: 'stall', afterBytes: 0 },
    { name: 'TLS handshake: certificate', direction: 'serverToClient', kind: 'stall', afterBytes: Math.round(tlsUp / 2) },
    { name: 'LIST/UIDL listings', direction: 'serverToClient', kind: 'stall', afterBytes: retrSent - 40 },
    { name: 'RETR 3 body, middle', direction: 'serverToClient', kind: 'stall', afterBytes: inRetr(BIG + 1, Math.round(bigSize / 2)), del: true },
    { name: 'around QUIT (before its reply by the profile)', direction: 'serverToClient', kind: 'stall', afterBytes: quitSent, del: true },
    { name: 'past the end', direction: 'serverToClient', kind: 'stall', afterBytes: profile.totalS2c + 1000, pastEnd: true },
    // Client to server.
    { name: 'ClientHello', direction: 'clientToServer', kind: 'reset', afterBytes: 100 },
    { name: 'inside AUTH PLAIN', direction: 'clientToServer', kind: 'truncate', afterBytes: c2sAuth + 10 },
    { name: 'inside the pipelined RETRs', direction: 'clientToServer', kind: 'stall', afterBytes: c2sRetr + 5 },
    { name: 'QUIT never reaches the server', direction: 'clientToServer', kind: 'truncate', afterBytes: c2sQuit, del: true },
    { name: 'inside QUIT', direction: 'clientToServer', kind: 'reset', afterBytes: c2sQuit + 10, del: true },
    { name: 'past the end', direction: 'clientToServer', kind: 'truncate', afterBytes: profile.totalC2s + 100, pastEnd: true },
    // Armed from the trace: exactly after the DELEs were answered and QUIT was sent (T22).
    { name: 'armed at "C: QUIT": QUIT reply lost', direction: 'serverToClient', kind: 'reset', onTrace: /^C: QUIT$/, afterMore: 0, del: true },
    { name: 'armed at "C: QUIT": QUIT reply lost', direction: 'serverToClient', kind: 'truncate', onTrace: /^C: QUIT$/, afterMore: 0, del: true },
    { name: 'armed at "C: QUIT": QUIT reply lost', direction: 'serverToClient', kind: 'stall', onTrace: /^C: QUIT$/, afterMore: 0, del: true },
    // Armed when DELE 1 is sent: everything is stored and fsynced, DELE 1 reaches the server, its reply is lost.
    { name: 'armed at "C: DELE 1": DELE reply lost', direction: 'serverToClient', kind: 'reset', onTrace: /^C: DELE 1$/, afterMore: 0, del: true },
  ];

  console.log(
    `profile: s->c TLS up ${tlsUp}, greeting ${greeting}, logged in ${loggedIn}, RETR sent ${retrSent}, RETR 3 at ${inRetr(BIG + 1, 0)}, ` +
      `DELE sent ${deleSent}, QUIT sent ${quitSent}, end ${profile.totalS2c}; c->s AUTH ${c2sAuth}, RETR ${c2sRetr}, QUIT ${c2sQuit}, end ${profile.totalC2s}`,
  );
  const outcomes = new Map<string, number>();
  /** Rounds after which tmp/ held files once the fetch had settled (T21/T22: partial data is discarded). */
  const tmpLeaks: string[] = [];
  const lines: string[] = [];
  let injected = 0;
  let fired = 0;
  for (const [k, spec] of specs.entries()) {
    const round = k + 1;
    const where = `round ${round} (${spec.kind} ${spec.direction} ${spec.name}${spec.afterBytes === undefined ? '' : ` @${spec.afterBytes}`})`;
    deliverBatch(round);
    const retention: RetentionPolicy = (spec.del ?? round % 2 === 0) ? { deleteAfterDownload: true } : {};
    const fault = spec.afterBytes === undefined ? undefined : { kind: spec.kind, afterBytes: spec.afterBytes };
    const proxy: FaultProxy = await startFaultProxy({
      targetPort: dovecot.pop3sPort,
      serverToClient: spec.direction === 'serverToClient' ? fault : undefined,
      clientToServer: spec.direction === 'clientToServer' ? fault : undefined,
    });
    const armed = { done: false };
    const stall = spec.kind === 'stall';
    const t0 = Date.now();
    let outcome: { ok: true; result: FetchResult } | { ok: false; error: unknown };
    let hang: NodeJS.Timeout | undefined;
    try {
      const run = fetchMail({
        account: account(proxy.port),
        password: PASSWORD,
        store: await MailStore.open(storeDir),
        retention,
        signal: stall ? AbortSignal.timeout(STALL_ABORT_MS) : undefined,
        trace: spec.onTrace
          ? (line) => {
              if (!armed.done && spec.onTrace!.test(line)) {
                armed.done = true;
                proxy.arm(spec.direction, spec.kind, spec.afterMore ?? 0);
              }
            }
          : undefined,
      }).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      outcome = await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          hang = setTimeout(() => reject(new Error(`${where}: the faulty fetch did not settle within ${HANG_MS} ms (hang)`)), HANG_MS);
        }),
      ]);
    } finally {
      clearTimeout(hang);
      await proxy.close();
    }
    const ms = Date.now() - t0;
    injected++;
    if (proxy.fired) fired++;
    const firedAt = proxy.firedFaults[0];

    if (outcome.ok) {
      // Success is right only when the fault came after everything that mattered:
      // the whole batch stored and, when deleting, the deletion committed.
      assert.equal(outcome.result.downloaded, BASE.length, `${where}: succeeded without downloading the batch`);
      checkStore(`${where}, after a successful faulty fetch`, true);
      if (retention.deleteAfterDownload) {
        assert.equal(outcome.result.deleted, BASE.length, `${where}: succeeded without deleting the batch`);
        await waitSessionsEnded();
        assert.equal(serverCount(), 0, `${where}: succeeded, yet the deletions were not committed`);
      }
    } else {
      assert.ok(outcome.error instanceof Pop3Error, `${where}: rejected with an untyped error: ${String(outcome.error)}`);
      if (stall && proxy.fired) assert.equal(outcome.error.code, 'Aborted', `${where}: a stall ends by the abort signal`);
    }
    if (spec.pastEnd) {
      assert.ok(outcome.ok, `${where}: a fault past the end must not fail the fetch (${outcome.ok ? '' : String(outcome.error)})`);
      assert.equal(proxy.fired, false, `${where}: the fault fired although it lay past the end`);
    } else if (spec.afterBytes === undefined || spec.afterBytes < deleSent - 1000 || spec.direction === 'clientToServer') {
      // Near the end, sessions differ from the profile by a TLS record or two; well inside, a fault must fire.
      assert.ok(proxy.fired, `${where}: the fault did not fire (the session was shorter than the profile said?)`);
    }
    assert.ok(ms < (stall ? STALL_ABORT_MS + 3000 : 5000), `${where}: took ${ms} ms`);
    const label = outcome.ok ? 'ok' : Pop3Error.is(outcome.error) ? outcome.error.code : 'untyped';
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    lines.push(
      `${String(round).padStart(2)} ${spec.kind.padEnd(8)} ${spec.direction === 'serverToClient' ? 's->c' : 'c->s'} ${spec.name}` +
        `${firedAt ? ` @${firedAt.atBytes}` : ' (not fired)'}${retention.deleteAfterDownload ? ' [delete]' : ''}: ${label} in ${ms} ms`,
    );

    // The engine discarded what it had half written, and stored nothing partial
    // or twice. Checked once the session is over and the thread pool had time
    // to finish: work still running after fetchMail settled shows up here.
    await waitSessionsEnded();
    await new Promise((r) => setTimeout(r, 100));
    const left = tmpFiles(storeDir);
    if (left.length) {
      const tmpDir = path.join(storeDir, 'Maildir', 'tmp');
      const kinds = left.map((name) => {
        const bytes = fs.readFileSync(path.join(tmpDir, name));
        fs.rmSync(path.join(tmpDir, name)); // recorded; removed so that later rounds are judged on their own
        return `${name.slice(0, 24)}… ${bytes.length} bytes, ${delivered.has(sha(bytes)) ? 'a complete message' : 'partial'}`;
      });
      tmpLeaks.push(`${where} -> ${outcome.ok ? 'ok' : Pop3Error.is(outcome.error) ? outcome.error.code : 'error'}: ${kinds.join('; ')}`);
    }
    checkStore(`${where}, after the fault`, false);
    await cleanFetch(where);
  }

  // ---- the end state
  const files = checkStore('end', true);
  const index = fs.readFileSync(path.join(storeDir, 'index.jsonl'), 'utf8');
  assert.ok(index.endsWith('\n'));
  const folded = new Map<string, string>();
  for (const line of index.split('\n').filter(Boolean)) {
    const v = JSON.parse(line) as { id: string; file?: string; removed?: boolean };
    if (v.removed) folded.delete(v.id);
    else folded.set(v.id, v.file ?? '');
  }
  assert.deepEqual(
    [...folded].sort(),
    files.map((f) => [idForUidl(f.uidlKey!), f.rel]).sort(),
    'the index names exactly the files on disk',
  );
  const store = await MailStore.open(storeDir);
  assert.deepEqual(store.list().map((m) => m.id).sort(), files.map((f) => idForUidl(f.uidlKey!)).sort(), 'store.list() ids = the files on disk');
  assert.ok(store.list().every((m) => !m.seen), 'nothing was marked seen');

  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
  console.log(lines.join('\n'));
  console.log(
    `faults test: ${injected} faults injected (${fired} fired, ${new Set(specs.map((s) => `${s.direction}:${s.afterBytes ?? s.name}`)).size} distinct offsets), ` +
      `outcomes ${[...outcomes].map(([k, v]) => `${k}=${v}`).join(' ')}, ${delivered.size} messages stored exactly once, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  assert.ok(injected >= 15);
  assert.deepEqual(tmpLeaks, [], `a failed fetch left files in tmp/ (written after fetchMail had settled) in ${tmpLeaks.length} round(s):\n${tmpLeaks.join('\n')}`);
});

// ---------------------------------------------------------------- the harness itself

/** A plain TCP peer for the proxy: sends `greeting` on connect and counts what it receives. */
async function tcpPeer(greeting: Buffer): Promise<{ port: number; received: () => number; ended: () => boolean; close: () => Promise<void> }> {
  let received = 0;
  let ended = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => void (received += d.length));
    s.on('end', () => {
      ended = true;
      s.end();
    });
    s.on('close', () => sockets.delete(s));
    s.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: () => received,
    ended: () => ended,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects through the proxy, optionally sends bytes, and reports what came back within `settleMs`. */
function probe(port: number, send: Buffer | undefined, settleMs: number): Promise<{ bytes: number; how: 'end' | 'reset' | 'open'; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let bytes = 0;
    let how: 'end' | 'reset' | 'open' = 'open';
    const done = (): void => resolve({ bytes, how, socket });
    socket.on('data', (d: Buffer) => void (bytes += d.length));
    socket.on('end', () => void (how = 'end'));
    socket.on('error', (err: NodeJS.ErrnoException) => void (how = err.code === 'ECONNRESET' ? 'reset' : how));
    socket.on('close', () => setImmediate(done));
    if (send) socket.write(send);
    setTimeout(done, settleMs);
  });
}

test('the fault proxy forwards exactly N bytes, then resets, truncates or stalls; close() ends everything', async () => {
  const peer = await tcpPeer(Buffer.alloc(100_000, 0x61));
  const proxies: FaultProxy[] = [];
  const sockets: net.Socket[] = [];
  try {
    const none = await startFaultProxy({ targetPort: peer.port });
    proxies.push(none);
    const clean = await probe(none.port, undefined, 2000);
    sockets.push(clean.socket);
    assert.equal(clean.bytes, 100_000, 'no fault: everything passes');
    assert.equal(none.fired, false);

    for (const kind of ['reset', 'truncate', 'stall'] as const) {
      const proxy = await startFaultProxy({ targetPort: peer.port, serverToClient: { kind, afterBytes: 12_345 } });
      proxies.push(proxy);
      const r = await probe(proxy.port, undefined, 300);
      sockets.push(r.socket);
      assert.deepEqual(proxy.firedFaults, [{ connection: 1, direction: 'serverToClient', kind, atBytes: 12_345 }]);
      assert.equal(proxy.bytes('serverToClient'), 12_345, `${kind}: the proxy forwarded exactly the bytes before the fault`);
      if (kind === 'reset') {
        // An RST may overtake bytes the client has not read yet, and Linux then reports a plain end.
        assert.ok(r.bytes <= 12_345 && r.how !== 'open', `reset: ${r.bytes} bytes, ${r.how}`);
      } else {
        assert.equal(r.bytes, 12_345, `${kind}: the client got exactly the bytes before the fault`);
        assert.equal(r.how, kind === 'truncate' ? 'end' : 'open', `${kind}: how the client saw it`);
      }
      if (kind === 'stall') {
        const closed = new Promise((resolve) => r.socket.once('close', resolve));
        await proxy.close();
        await closed; // close() ends a stalled connection too
      }
    }

    const c2s = await startFaultProxy({ targetPort: peer.port, clientToServer: { kind: 'truncate', afterBytes: 100 } });
    proxies.push(c2s);
    const before = peer.received();
    const r = await probe(c2s.port, Buffer.alloc(5000, 0x62), 300);
    sockets.push(r.socket);
    assert.equal(peer.received() - before, 100, 'client to server: 100 bytes, then a clean end');
    assert.ok(peer.ended());
  } finally {
    for (const s of sockets) s.destroy();
    await Promise.all(proxies.map((p) => p.close()));
    await peer.close();
  }
});

// docs/security.md T05/T14 ask for "back off / retry" on network trouble; the
// editor offers Retry only for transient errors (src/vscode/fetch/fetch-service.ts).
// A connection that the network (or the server) drops during the handshake
// must not read as a certificate or TLS-configuration problem.
test('a connection dropped inside the TLS handshake is a transient error, whether by RST or by FIN', async () => {
  const ca = fs.readFileSync(dovecot.caFile);
  const seen: string[] = [];
  for (const kind of ['reset', 'truncate'] as const) {
    for (const afterBytes of [0, 60, 700]) {
      const proxy = await startFaultProxy({ targetPort: dovecot.pop3sPort, serverToClient: { kind, afterBytes } });
      try {
        const err = await Pop3Client.connect({ host: 'localhost', port: proxy.port, ca }).then(
          (c) => {
            c.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        assert.ok(err instanceof Pop3Error, `${kind} @${afterBytes}: a typed error`);
        seen.push(`${kind} @${afterBytes}: ${err.code} (${err.message})`);
      } finally {
        await proxy.close();
      }
    }
  }
  const wrong = seen.filter((l) => !/: (Connect|Closed|Timeout) /.test(l));
  assert.deepEqual(wrong, [], `dropped handshakes reported as non-transient errors:\n${seen.join('\n')}`);
});

// T22 with the thread-pool commits: messages whose last byte arrived before
// the connection broke are complete; they must be kept (fsynced and renamed
// into new/), and nothing may be left in tmp/, also by work that was still
// running on the thread pool when fetchMail settled.
test('a fetch broken off mid-stream keeps the messages it fully received and leaves nothing in tmp/', async () => {
  const COUNT = 40;
  // Same size, no line starting with '.': the byte layout of the RETR replies is known.
  const body = `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n'.repeat(20)}`;
  const make = (round: number, i: number): Buffer =>
    Buffer.from(`Message-ID: <leak.${round}.${String(i).padStart(3, '0')}@example.com>\r\nSubject: leak ${round} ${String(i).padStart(3, '0')}\r\n\r\n${body}`);
  const dir = path.join(work, 'leak-store');
  const bob = { ...account(dovecot.pop3sPort), user: 'bob' };
  const findings: string[] = [];
  // Truncate: the server's stream ends. Stall: nothing more comes and the user
  // cancels (AbortSignal). (A reset is left out here: an RST may overtake bytes
  // the client has not read yet, so what had "fully arrived" is not known.)
  for (const [round, kind] of (['truncate', 'stall'] as const).entries()) {
    for (let i = 0; i < COUNT; i++) dovecot.deliver('bob', make(round, i), `leak${round}x${String(i).padStart(3, '0')}`);
    // Where the RETR replies start: a dry run has the same listings, then QUIT.
    const profile = await startFaultProxy({ targetPort: dovecot.pop3sPort });
    let retrStart = 0;
    await fetchMail({
      account: { ...bob, port: profile.port },
      password: PASSWORD,
      store: await MailStore.open(dir),
      dryRun: true,
      trace: (line) => {
        if (line === 'C: QUIT') retrStart = profile.currentBytes('serverToClient');
      },
    });
    await profile.close();
    assert.ok(retrStart > 0);

    const size = make(round, 0).length;
    const reply = `+OK ${size} octets\r\n`.length + size + 3;
    const cut = retrStart + Math.round(15.5 * reply * 1.01); // inside the 16th reply
    const proxy = await startFaultProxy({ targetPort: dovecot.pop3sPort, serverToClient: { kind, afterBytes: cut } });
    const storedBefore = (await MailStore.open(dir)).size;
    let replies = 0; // RETR status lines read: every reply before the last one was complete
    const error = await fetchMail({
      account: { ...bob, port: proxy.port },
      password: PASSWORD,
      store: await MailStore.open(dir),
      signal: kind === 'stall' ? AbortSignal.timeout(500) : undefined,
      trace: (line) => void (/^S: \+OK \d+ octets/.test(line) && replies++),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await proxy.close();
    assert.ok(Pop3Error.is(error), `${kind}: the broken fetch fails with a Pop3Error (${String(error)})`);
    await waitSessionsEnded();
    await new Promise((r) => setTimeout(r, 200)); // let the thread pool finish whatever it was still doing
    const leftover = fs.readdirSync(path.join(dir, 'Maildir', 'tmp'));
    const kept = (await MailStore.open(dir)).size - storedBefore;
    const complete = replies - 1;
    assert.ok(complete >= 10, `${kind}: the break came after several whole messages (${complete})`);
    if (kept < complete) findings.push(`${kind}: ${kept} of the ${complete} messages fully received before the break were kept (the next run downloads them again)`);
    if (leftover.length) findings.push(`${kind}: ${leftover.length} file(s) left in tmp/ after fetchMail settled`);
    for (const f of leftover) fs.rmSync(path.join(dir, 'Maildir', 'tmp', f));
    // Empty bob's mailbox for the next round, storing the rest.
    await fetchMail({ account: bob, password: PASSWORD, store: await MailStore.open(dir), retention: { deleteAfterDownload: true } });
    await waitSessionsEnded();
  }
  assert.deepEqual(findings, [], findings.join('\n'));
});

test('a message deleted here whose QUIT answer was lost leaves the store once the server no longer lists it, and only then', async () => {
  const dir = path.join(work, 'trash-store');
  const carol = { ...account(dovecot.pop3sPort), user: 'carol' };
  const retention: RetentionPolicy = { deleteWhenDeletedLocally: true };
  const subjects = (store: MailStore): string[] => store.list().map((m) => m.subject).sort();
  const trashedNow = (store: MailStore): string[] => [...store.all()].filter((m) => m.trashed).map((m) => m.subject).sort();
  for (const name of ['keep', 'lost-quit-1', 'lost-quit-2', 'unsent-quit']) {
    dovecot.deliver('carol', Buffer.from(`Message-ID: <${name}@example.com>\r\nSubject: ${name}\r\n\r\nbody of ${name}\r\n`), name);
  }
  await fetchMail({ account: carol, password: PASSWORD, store: await MailStore.open(dir), retention });
  await waitSessionsEndedIn(dovecot, 'carol');

  const trash = async (...names: string[]): Promise<void> => {
    const store = await MailStore.open(dir);
    for (const m of store.list()) if (names.includes(m.subject)) store.trash(m.id);
  };
  /** A fetch through the proxy whose fault is armed when QUIT is sent. */
  const faulty = async (direction: Direction, kind: Exclude<FaultKind, 'none'>): Promise<unknown> => {
    const proxy = await startFaultProxy({ targetPort: dovecot.pop3sPort });
    try {
      return await fetchMail({
        account: { ...carol, port: proxy.port },
        password: PASSWORD,
        store: await MailStore.open(dir),
        retention,
        signal: AbortSignal.timeout(3000),
        trace: (line) => {
          if (line === 'C: QUIT') proxy.arm(direction, kind, 0);
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
    } finally {
      await proxy.close();
      await waitSessionsEndedIn(dovecot, 'carol');
    }
  };

  // QUIT reaches Dovecot, which deletes; its answer is lost.
  await trash('lost-quit-1', 'lost-quit-2');
  assert.ok(Pop3Error.is(await faulty('serverToClient', 'reset')), 'the fetch whose QUIT answer was lost failed');
  assert.equal(messagesOnServer(dovecot, 'carol'), 2, 'Dovecot committed the deletions');
  assert.deepEqual(trashedNow(await MailStore.open(dir)), ['lost-quit-1', 'lost-quit-2'], 'unconfirmed: still in the local trash');
  // One of them restored meanwhile: the user wants it back, so it is kept although the server deleted it.
  {
    const store = await MailStore.open(dir);
    const back = [...store.all()].find((m) => m.subject === 'lost-quit-2')!;
    store.restore(back.id);
  }
  await fetchMail({ account: carol, password: PASSWORD, store: await MailStore.open(dir), retention });
  await waitSessionsEndedIn(dovecot, 'carol');
  let store = await MailStore.open(dir);
  assert.deepEqual(trashedNow(store), [], 'the next fetch saw it gone from the server and forgot it');
  assert.deepEqual(subjects(store), ['keep', 'lost-quit-2', 'unsent-quit']);
  assert.equal(store.readState().deleting, undefined, 'nothing left to settle');

  // QUIT never reaches Dovecot: nothing was deleted there, so the local copy stays until a fetch deletes it for real.
  await trash('unsent-quit');
  assert.ok(Pop3Error.is(await faulty('clientToServer', 'truncate')), 'the fetch whose QUIT was cut failed');
  assert.equal(messagesOnServer(dovecot, 'carol'), 2, 'Dovecot deleted nothing without QUIT');
  assert.deepEqual(trashedNow(await MailStore.open(dir)), ['unsent-quit']);
  await fetchMail({ account: carol, password: PASSWORD, store: await MailStore.open(dir), retention });
  await waitSessionsEndedIn(dovecot, 'carol');
  store = await MailStore.open(dir);
  assert.equal(messagesOnServer(dovecot, 'carol'), 1, 'the next fetch deleted it on the server');
  assert.deepEqual(trashedNow(store), []);
  assert.deepEqual(subjects(store), ['keep', 'lost-quit-2']);
});
