// Seeded property test of the POP3 framing (T16-T19):
// random bodies (stuffed dots, lone dots, empty lines, bare LFs, long lines,
// reply-looking lines, binary bytes) in random transcripts of replies
// (single-line, -ERR, empty listings, multi-line bodies to a sink or
// collected), each fed to Pop3Connection and DotDecoder in many random
// chunkings. Every chunking must give exactly what the generator meant.
//
// Replay a failure with FRAMER_SEED=<seed printed in the output>.

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Pop3Connection, type Reply } from '../../src/pop3/connection';
import { DotDecoder } from '../../src/pop3/framer';
import { DEFAULT_LIMITS } from '../../src/pop3/limits';
import { FakeSocket } from '../support/fake-socket';
import { Prng } from '../support/prng';

const SEED = process.env.FRAMER_SEED !== undefined ? Number(process.env.FRAMER_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const TRANSCRIPTS = 220;
const CHUNKINGS_PER_TRANSCRIPT = 50; // 11,000 chunkings through Pop3Connection
const BODIES = 300;
const CHUNKINGS_PER_BODY = 40; // 12,000 through DotDecoder alone


// ---- generator: a body, as the server sees the message -------------------------------------

/** The content of one body line, without its ending. */
function lineContent(rng: Prng): string {
  switch (rng.int(12)) {
    case 0:
      return '';
    case 1:
      return '.';
    case 2:
      return '..';
    case 3:
      return `.${rng.text(1, 20)}`;
    case 4:
      return `..${rng.text(0, 5)}`;
    case 5:
      return rng.text(1500, 5000); // long line
    case 6:
      return rng.pick(['+OK fake', '-ERR [AUTH] fake', '+OK', '. ', ' .', '.\r', '\r', '.\t.']);
    case 7:
      return rng.text(1, 30, '\x00\xff\x7f\x80\xe9\x1b\r.ab'); // binary, lone CRs
    default:
      return rng.text(0, 80);
  }
}

/** A message body: lines with CRLF, bare LF or (last line only) no ending. */
function randomBody(rng: Prng): Buffer {
  let s = '';
  const lines = rng.int(rng.chance(0.1) ? 40 : 10);
  for (let i = 0; i < lines; i++) {
    s += lineContent(rng);
    const last = i === lines - 1;
    s += last && rng.chance(0.2) ? '' : rng.chance(0.75) ? '\r\n' : '\n';
  }
  return Buffer.from(s, 'latin1');
}

/**
 * What the server sends for a body (RFC 1939 section 3): a dot doubled at
 * every line start, CRLF added when the message does not end a line, then the
 * terminator ("." and CRLF, or a bare LF, which the framer's policy accepts).
 * Returns the wire bytes and the bytes the client must deliver.
 */
function serverForm(rng: Prng, body: Buffer): { wire: Buffer; decoded: Buffer } {
  const text = body.toString('latin1');
  const decoded = text === '' || text.endsWith('\n') ? text : `${text}\r\n`;
  const stuffedText = decoded.replace(/(^|\n)\./g, '$1..');
  const terminator = rng.chance(0.85) ? '.\r\n' : '.\n';
  return { wire: Buffer.from(stuffedText + terminator, 'latin1'), decoded: Buffer.from(decoded, 'latin1') };
}

// ---- generator: a transcript of replies --------------------------------------------------

interface Expected {
  readonly multi: boolean;
  readonly sink: boolean;
  readonly ok: boolean;
  readonly code: string | undefined;
  readonly text: string;
  readonly body: Buffer | undefined;
}

interface Transcript {
  readonly wire: Buffer;
  readonly replies: Expected[]; // [0] is the greeting
}

function statusLine(rng: Prng, ok: boolean): { line: string; code: string | undefined; text: string } {
  const eol = rng.chance(0.8) ? '\r\n' : '\n';
  if (!ok) {
    const code = rng.chance(0.5) ? rng.pick(['SYS/TEMP', 'SYS/PERM', 'IN-USE', 'LOGIN-DELAY', 'AUTH']) : undefined;
    const text = rng.text(0, 40);
    return { line: `-ERR ${code ? `[${code}] ` : ''}${text}${eol}`, code, text };
  }
  if (rng.chance(0.15)) return { line: `+OK${eol}`, code: undefined, text: '' };
  const text = rng.text(1, rng.chance(0.05) ? 3000 : 60).replace(/^\s+/, '') || 'x';
  return { line: `+OK ${text}${eol}`, code: undefined, text };
}

function randomTranscript(rng: Prng): Transcript {
  const parts: Buffer[] = [];
  const replies: Expected[] = [];
  const greeting = statusLine(rng, true);
  parts.push(Buffer.from(greeting.line, 'latin1'));
  replies.push({ multi: false, sink: false, ok: true, code: undefined, text: greeting.text, body: undefined });
  for (let n = 1 + rng.int(8); n > 0; n--) {
    const multi = rng.chance(0.6);
    const ok = rng.chance(0.85);
    const status = statusLine(rng, ok);
    parts.push(Buffer.from(status.line, 'latin1'));
    let body: Buffer | undefined;
    const sink = multi && rng.chance(0.5);
    if (multi && ok) {
      const { wire, decoded } = rng.chance(0.2) ? serverForm(rng, Buffer.alloc(0)) : serverForm(rng, randomBody(rng));
      parts.push(wire);
      body = decoded;
    }
    replies.push({ multi, sink, ok, code: status.code, text: status.text, body });
  }
  return { wire: Buffer.concat(parts), replies };
}

// ---- chunkings ------------------------------------------------------------------------------

/** Cut points (strictly increasing, inside (0, length)) by one of several strategies. */
function chunking(rng: Prng, wire: Buffer): number[] {
  const len = wire.length;
  if (len < 2) return [];
  const cuts = new Set<number>();
  switch (rng.int(5)) {
    case 0: // a few random cuts
      for (let k = 1 + rng.int(20); k > 0; k--) cuts.add(1 + rng.int(len - 1));
      break;
    case 1: // many tiny chunks
      for (let at = 1 + rng.int(7); at < len; at += 1 + rng.int(7)) cuts.add(at);
      break;
    case 2: // one byte per chunk (short transcripts), else bytewise around a random window
      if (len <= 4096) for (let at = 1; at < len; at++) cuts.add(at);
      else {
        const from = rng.int(len - 512);
        for (let at = Math.max(1, from); at < from + 512; at++) cuts.add(at);
      }
      break;
    default: {
      // cuts next to the interesting bytes: dots, CRs, LFs
      const p = 0.05 + rng.next() * 0.5;
      for (let at = 1; at < len; at++) {
        const b = wire[at]!;
        if ((b === 0x2e || b === 0x0d || b === 0x0a) && rng.chance(p)) cuts.add(at + rng.int(3) - 1);
      }
      cuts.delete(0);
      cuts.delete(len);
    }
  }
  return [...cuts].filter((c) => c > 0 && c < len).sort((a, b) => a - b);
}

// ---- running -------------------------------------------------------------------------------


interface Got {
  readonly ok: boolean;
  readonly code: string | undefined;
  readonly text: string;
  readonly body: string | undefined;
}

const render = (r: Expected): Got => ({ ok: r.ok, code: r.code, text: r.text, body: r.body?.toString('latin1') });

async function runConnection(t: Transcript, cuts: readonly number[]): Promise<Got[]> {
  const sock = new FakeSocket();
  const conn = new Pop3Connection(sock as unknown as Socket, DEFAULT_LIMITS);
  const pending: Promise<Got>[] = [conn.greeting().then((s) => ({ ok: s.ok, code: s.code, text: s.text, body: undefined }))];
  for (const [i, r] of t.replies.entries()) {
    if (i === 0) continue;
    const sunk: Buffer[] = [];
    const reply: Promise<Reply> = conn.command(`CMD ${i}`, `CMD ${i}`, { multi: r.multi, sink: r.sink ? (c) => sunk.push(Buffer.from(c)) : undefined });
    pending.push(
      reply.then((got) => ({
        ok: got.status.ok,
        code: got.status.code,
        text: got.status.text,
        body: r.sink && got.status.ok ? Buffer.concat(sunk).toString('latin1') : got.body?.toString('latin1'),
      })),
    );
  }
  let start = 0;
  for (const end of [...cuts, t.wire.length]) {
    sock.emit('data', t.wire.subarray(start, end));
    start = end;
  }
  const got = await Promise.all(pending);
  assert.equal(sock.destroyed, false, 'the connection did not fail');
  return got;
}

function runDecoder(wire: Buffer, cuts: readonly number[]): { out: Buffer; consumed: number; done: boolean } {
  const out: Buffer[] = [];
  const decoder = new DotDecoder((c) => out.push(Buffer.from(c)));
  let consumed = 0;
  let start = 0;
  for (const end of [...cuts, wire.length]) {
    const r = decoder.push(wire.subarray(start, end));
    consumed += r.consumed;
    if (r.done) return { out: Buffer.concat(out), consumed, done: true };
    start = end;
  }
  return { out: Buffer.concat(out), consumed, done: false };
}

test(`framer property: random transcripts through Pop3Connection, every chunking gives the intended replies (seed ${SEED})`, { timeout: 60_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}; replay with FRAMER_SEED=${SEED}`);
  const rng = new Prng(SEED);
  let runs = 0;
  let bytes = 0;
  for (let i = 0; i < TRANSCRIPTS; i++) {
    const transcript = randomTranscript(rng);
    const expected = transcript.replies.map(render);
    bytes += transcript.wire.length;
    for (let k = 0; k < CHUNKINGS_PER_TRANSCRIPT; k++) {
      const cuts = k === 0 ? [] : chunking(rng, transcript.wire);
      const got = await runConnection(transcript, cuts);
      runs++;
      if (!isDeepStrictEqual(got, expected)) {
        assert.deepEqual(got, expected, `seed ${SEED}, transcript ${i}, chunking ${k}, cuts ${JSON.stringify(cuts.slice(0, 40))}`);
      }
    }
  }
  t.diagnostic(`${runs} chunkings of ${TRANSCRIPTS} transcripts (${bytes} bytes)`);
  assert.ok(runs >= 10_000);
});

test(`framer property: random bodies through DotDecoder, every chunking gives the original bytes and stops at the terminator (seed ${SEED})`, { timeout: 60_000 }, (t) => {
  t.diagnostic(`seed ${SEED}; replay with FRAMER_SEED=${SEED}`);
  const rng = new Prng(SEED ^ 0x5bd1e995);
  const trailer = Buffer.from('+OK next reply\r\n.\r\n');
  let runs = 0;
  for (let i = 0; i < BODIES; i++) {
    const { wire, decoded } = serverForm(rng, randomBody(rng));
    const input = Buffer.concat([wire, trailer]); // bytes after the terminator belong to the next reply
    for (let k = 0; k < CHUNKINGS_PER_BODY; k++) {
      const cuts = k === 0 ? [] : chunking(rng, input);
      const r = runDecoder(input, cuts);
      runs++;
      const where = `seed ${SEED}, body ${i}, chunking ${k}, cuts ${JSON.stringify(cuts.slice(0, 40))}`;
      assert.ok(r.done, `terminator found: ${where}`);
      assert.equal(r.consumed, wire.length, `consumed stops at the terminator: ${where}`);
      if (!r.out.equals(decoded)) assert.deepEqual(r.out.toString('latin1'), decoded.toString('latin1'), where);
    }
  }
  t.diagnostic(`${runs} chunkings of ${BODIES} bodies`);
  assert.ok(runs >= 10_000);
});
