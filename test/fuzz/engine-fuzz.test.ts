// Fuzz the engine: thousands of POP3 sessions against a server that
// answers each command with a mutated, re-chunked, truncated or silent reply.
// Every session must end in success or a typed Pop3Error within a bound:
// never a hang, never an unhandled rejection, never another kind of error.

import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { after, before, test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { Pop3Error } from '../../src/pop3/errors';
import type { Pop3Limits } from '../../src/pop3/limits';
import { testCerts } from '../support/certs';
import { mutate, Prng, runSeed, scale } from '../support/prng';

const SESSIONS = scale(5000);
// Client and server share this process: more at once only slows every handshake.
const CONCURRENCY = 16;
/** Past this a session counts as hung: above the sum of the limits below that one session can meet. */
const SESSION_BOUND_MS = 10_000;
const LIMITS: Partial<Pop3Limits> = {
  idleTimeoutMs: 100,
  greetingTimeoutMs: 1000,
  tlsTimeoutMs: 2000,
  connectTimeoutMs: 2000,
  replyBaseMs: 1000,
  minReplyBytesPerSecond: 64 * 1024,
  maxStatusLine: 1024,
  maxListingBytes: 64 * 1024,
  maxMessageBytes: 256 * 1024,
};

const MESSAGE = 'Subject: fuzz\r\nFrom: a@example.org\r\n\r\n..dotted line\r\nbody\r\n';
/** What a well-behaved server would answer, per command. */
function canonical(line: string): string {
  const cmd = line.split(' ')[0]!.toUpperCase();
  switch (cmd) {
    case 'CAPA':
      return '+OK\r\nUSER\r\nUIDL\r\nTOP\r\nPIPELINING\r\nSASL PLAIN\r\n.\r\n';
    case 'USER':
      return '+OK\r\n';
    case 'PASS':
      return '+OK logged in\r\n';
    case 'AUTH':
      return '+OK logged in\r\n';
    case 'STAT':
      return '+OK 2 120\r\n';
    case 'UIDL':
      return '+OK\r\n1 uid-1\r\n2 uid-2\r\n.\r\n';
    case 'LIST':
      return '+OK 2 messages\r\n1 60\r\n2 60\r\n.\r\n';
    case 'RETR':
    case 'TOP':
      return `+OK 60 octets\r\n${MESSAGE}.\r\n`;
    case 'DELE':
      return '+OK marked\r\n';
    case 'QUIT':
      return '+OK bye\r\n';
    default:
      return '-ERR unknown\r\n';
  }
}

/** Serves one session: every reply may be mutated, split, delayed, dropped, or the connection reset. */
function serve(socket: tls.TLSSocket, rng: Prng): void {
  const p = 0.05 + rng.next() * 0.25; // how hostile this session is
  // One queue per session, so that pipelined replies never interleave.
  const queue: Buffer[] = [];
  let pumping = false;
  const pump = (): void => {
    const piece = queue.shift();
    if (socket.destroyed || piece === undefined) {
      pumping = false;
      return;
    }
    socket.write(piece);
    setImmediate(pump);
  };
  const send = (text: string): void => {
    if (socket.destroyed) return;
    let data: Buffer = Buffer.from(text, 'latin1');
    while (rng.chance(p)) data = mutate(rng, data);
    if (rng.chance(p / 6)) return void socket.destroy(); // drop the connection
    if (rng.chance(p / 8)) return; // silence
    // Re-chunk: up to eight writes at random cut points, a tick apart (boundaries matter, slowness is T21's).
    const cuts = [...new Set(Array.from({ length: rng.int(8) }, () => rng.int(data.length)))].sort((a, b) => a - b);
    queue.push(...[0, ...cuts, data.length].slice(1).map((end, i, ends) => data.subarray(i === 0 ? 0 : ends[i - 1]!, end)));
    if (!pumping) {
      pumping = true;
      pump();
    }
  };
  send('+OK fuzz ready <1.2@fuzz>\r\n');
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    let nl: number;
    while ((nl = pending.indexOf('\r\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 2);
      send(canonical(line));
    }
  });
  socket.on('error', () => undefined);
}

let sessionSeed = 0;
const servers: tls.Server[] = [];

/**
 * One server per worker, serving that worker's sessions one after another,
 * so that session `id` always meets the server replies seeded by `id` and a
 * failing session replays alone (FUZZ_SEED + FUZZ_SESSION).
 */
async function serverFor(ids: () => number): Promise<number> {
  const certs = testCerts();
  const server = tls.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, (socket) => serve(socket, new Prng(sessionSeed * 13 + ids())));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

before(() => {
  sessionSeed = runSeed();
  console.log(`engine fuzz seed ${sessionSeed} (FUZZ_SEED=${sessionSeed} replays it)`);
  process.on('unhandledRejection', onUnhandled);
});

after(() => {
  process.off('unhandledRejection', onUnhandled);
  for (const s of servers) s.close();
});

async function session(ca: string, port: number, rng: Prng): Promise<'ok' | string> {
  const trace = process.env['FUZZ_TRACE'] ? (d: string, t: string) => console.log(`${d} ${JSON.stringify(t).slice(0, 200)}`) : undefined;
  const client = await Pop3Client.connect({ host: 'localhost', port, ca, limits: LIMITS, trace });
  try {
    await client.authenticate({ user: 'fuzz', password: 'pw' }, rng.pick(['auto', 'user', 'plain'] as const));
    const uidls = await client.uidlAll();
    const sizes = await client.listAll();
    const got: Buffer[] = [];
    await client.retrMany(
      uidls.map((u) => ({ n: u.n, listedSize: sizes.find((s) => s.n === u.n)?.size, open: () => (c: Buffer) => got.push(Buffer.from(c)) })),
      () => undefined,
    );
    if (rng.chance(0.3)) await client.top(1, 0);
    if (rng.chance(0.3)) await client.dele(1);
    await client.quit();
    return 'ok';
  } finally {
    client.close();
  }
}

test(`engine fuzz: ${SESSIONS} hostile sessions end in success or a typed error, none hangs`, { timeout: 600_000 }, async () => {
  const ca = testCerts().ca.cert;
  const outcomes = new Map<string, number>();
  let started = 0;
  // FUZZ_SESSION=<id> (with FUZZ_SEED) replays one session alone.
  const only = process.env['FUZZ_SESSION'] === undefined ? undefined : Number(process.env['FUZZ_SESSION']);
  if (only !== undefined) started = only;
  const last = only === undefined ? SESSIONS : only + 1;
  const worker = async (): Promise<void> => {
    let current = 0;
    const port = await serverFor(() => current);
    while (started < last) {
      const id = started++;
      current = id;
      const rng = new Prng(sessionSeed * 7 + id);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`session ${id} hung: FUZZ_SEED=${sessionSeed} FUZZ_SESSION=${id} replays it`)), SESSION_BOUND_MS);
      });
      try {
        const r = await Promise.race([session(ca, port, rng), bound]);
        outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
      } catch (err) {
        if (!Pop3Error.is(err)) throw err instanceof Error ? err : new Error(String(err));
        outcomes.set(err.code, (outcomes.get(err.code) ?? 0) + 1);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: only === undefined ? CONCURRENCY : 1 }, worker));
  await new Promise((r) => setTimeout(r, 50));
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  console.log(`engine fuzz: ${total} sessions: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (only !== undefined) return;
  assert.equal(total, SESSIONS);
  assert.deepEqual(unhandled, [], 'no unhandled rejection');
  assert.ok((outcomes.get('ok') ?? 0) > 0, 'some sessions succeed: the fuzz server is not just noise');
  assert.ok(outcomes.size >= 4, 'the sessions fail in several different ways');
});
