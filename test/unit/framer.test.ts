import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { Pop3Connection, type Reply } from '../../src/pop3/connection';
import { DotDecoder, splitLines } from '../../src/pop3/framer';
import { DEFAULT_LIMITS } from '../../src/pop3/limits';
import { FakeSocket } from '../support/fake-socket';

/** Dot-stuffs a body and appends the terminator, as a server sends it (RFC 1939 3). */
function stuff(body: string): Buffer {
  const stuffed = body.replace(/(^|\n)\./g, '$1..');
  const ending = body === '' || body.endsWith('\n') ? '' : '\r\n';
  return Buffer.from(`${stuffed}${ending}.\r\n`, 'latin1');
}

const BODIES = [
  '',
  'Subject: hi\r\n\r\nHello\r\n',
  '.starts with a dot\r\n..two dots\r\n.\r\n...\r\nend\r\n',
  'line\r\n.\r\nnot the end\r\n',
  'bare LF line\nanother\n.\nlast\r\n',
  '.\r\n',
  'x'.repeat(3000) + '\r\n.' + 'y'.repeat(50) + '\r\n',
  'no trailing newline',
];

function decodeSplit(wire: Buffer, cuts: number[]): { out: Buffer; consumed: number; done: boolean } {
  const out: Buffer[] = [];
  const dec = new DotDecoder((c) => out.push(Buffer.from(c)));
  let consumed = 0;
  let done = false;
  let start = 0;
  for (const end of [...cuts, wire.length]) {
    const r = dec.push(wire.subarray(start, end));
    consumed += r.consumed;
    if (r.done) {
      done = true;
      break;
    }
    start = end;
  }
  return { out: Buffer.concat(out), consumed, done };
}

test('DotDecoder: every body, split at every byte offset, decodes to the original bytes', () => {
  for (const body of BODIES) {
    const expected = Buffer.from(body.endsWith('\n') || body === '' ? body : `${body}\r\n`, 'latin1');
    const wire = Buffer.concat([stuff(body), Buffer.from('+OK next reply\r\n')]);
    const bodyLen = stuff(body).length;
    for (let i = 0; i <= wire.length; i++) {
      const r = decodeSplit(wire, i === 0 || i === wire.length ? [] : [i]);
      assert.ok(r.done, `terminator found for split ${i}`);
      assert.deepEqual(r.out, expected, `body ${JSON.stringify(body.slice(0, 20))} split at ${i}`);
      assert.equal(r.consumed, bodyLen, `consumed stops at the terminator (split ${i})`);
    }
  }
});

test('DotDecoder: one byte per chunk gives the same bytes (T17)', () => {
  for (const body of BODIES) {
    const wire = stuff(body);
    const cuts = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
    const expected = Buffer.from(body.endsWith('\n') || body === '' ? body : `${body}\r\n`, 'latin1');
    assert.deepEqual(decodeSplit(wire, cuts).out, expected);
  }
});

test('DotDecoder: a final "." without a line ending is not the end (T19)', () => {
  const r = decodeSplit(Buffer.from('hello\r\n.'), []);
  assert.equal(r.done, false);
  assert.deepEqual(r.out, Buffer.from('hello\r\n'));
});


const TRANSCRIPT = Buffer.from(
  [
    '+OK Dovecot ready.\r\n',
    '+OK\r\nCAPA\r\nTOP\r\nUIDL\r\n.capability-looking line\r\nPIPELINING\r\n.\r\n',
    '+OK 0 messages\r\n.\r\n',
    '+OK\r\n1 abc\r\n2 def\r\n.\r\n',
    '+OK 31 octets\r\nSubject: x\r\n\r\n..dot\r\nbody\r\n.\r\n',
    '-ERR [SYS/TEMP] try later\r\n',
  ].join(''),
  'latin1',
);

async function runTranscript(cuts: number[]): Promise<string[]> {
  const sock = new FakeSocket();
  const conn = new Pop3Connection(sock as unknown as Socket, DEFAULT_LIMITS);
  const retr: Buffer[] = [];
  const replies: Promise<Reply | { status: Awaited<ReturnType<Pop3Connection['greeting']>> }>[] = [
    conn.greeting().then((status) => ({ status })),
    conn.command('CAPA', 'CAPA', { multi: true }),
    conn.command('LIST', 'LIST', { multi: true }),
    conn.command('UIDL', 'UIDL', { multi: true }),
    conn.command('RETR 1', 'RETR 1', { multi: true, sink: (c) => retr.push(Buffer.from(c)) }),
    conn.command('NOOP', 'NOOP', { multi: false }),
  ];
  let start = 0;
  for (const end of [...cuts, TRANSCRIPT.length]) {
    sock.emit('data', TRANSCRIPT.subarray(start, end));
    start = end;
  }
  const done = await Promise.all(replies);
  return [
    ...done.map((r) => `${r.status.ok ? '+' : '-'}${r.status.code ?? ''}|${r.status.text}|${'body' in r && r.body ? splitLines(r.body).join('/') : ''}`),
    Buffer.concat(retr).toString('latin1'),
  ];
}

test('Pop3Connection: a whole transcript split at every byte offset gives the same replies (T17, T18)', async () => {
  const expected = await runTranscript([]);
  assert.deepEqual(expected, [
    '+|Dovecot ready.|',
    '+||CAPA/TOP/UIDL/capability-looking line/PIPELINING',
    '+|0 messages|',
    '+||1 abc/2 def',
    '+|31 octets|',
    '-SYS/TEMP|try later|',
    'Subject: x\r\n\r\n.dot\r\nbody\r\n',
  ]);
  for (let i = 1; i < TRANSCRIPT.length; i++) assert.deepEqual(await runTranscript([i]), expected, `split at ${i}`);
  for (let i = 1; i < TRANSCRIPT.length; i += 7) {
    for (let j = i + 1; j < TRANSCRIPT.length; j += 5) assert.deepEqual(await runTranscript([i, j]), expected, `split at ${i},${j}`);
  }
});

test('Pop3Connection: data nobody asked for is a protocol error', async () => {
  const sock = new FakeSocket();
  const conn = new Pop3Connection(sock as unknown as Socket, DEFAULT_LIMITS);
  const greeting = conn.greeting();
  sock.emit('data', Buffer.from('+OK hi\r\n+OK surprise\r\n'));
  await greeting;
  await assert.rejects(conn.command('NOOP', 'NOOP', { multi: false }), { code: 'Protocol' });
  assert.ok(sock.destroyed);
});

test('Pop3Connection: an over-long status line is a LimitExceeded error, not a hang (T20)', async () => {
  const sock = new FakeSocket();
  const conn = new Pop3Connection(sock as unknown as Socket, { ...DEFAULT_LIMITS, maxStatusLine: 1024 });
  const greeting = conn.greeting();
  for (let i = 0; i < 10; i++) sock.emit('data', Buffer.alloc(200, 0x41));
  await assert.rejects(greeting, { code: 'LimitExceeded' });
  assert.ok(sock.destroyed);
});

test('Pop3Connection: CR, LF or NUL in a command is refused before anything is sent', async () => {
  const sock = new FakeSocket();
  const conn = new Pop3Connection(sock as unknown as Socket, DEFAULT_LIMITS);
  await assert.rejects(conn.command('USER a\r\nDELE 1', 'USER', { multi: false }), { code: 'Protocol' });
  assert.deepEqual(sock.written, []);
});

test('splitLines: CRLF and bare LF end a line, a lone CR at the end is dropped, empty lines stay, bytes stay latin1', () => {
  const lines = (s: string): string[] => splitLines(Buffer.from(s, 'latin1'));
  assert.deepEqual(lines(''), []);
  assert.deepEqual(lines('\r\n'), ['']);
  assert.deepEqual(lines('1 a\r\n2 b\r\n'), ['1 a', '2 b']);
  assert.deepEqual(lines('1 a\n\n3 c'), ['1 a', '', '3 c']);
  assert.deepEqual(lines('1 a\r\r\n2\rb\r'), ['1 a\r', '2\rb']);
  assert.deepEqual(lines('1 \xe9\xff\r\n'), ['1 \xe9\xff']);
});
