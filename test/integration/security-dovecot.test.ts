// Security cases that need a real server (docs/security.md T15, T24):
// credentials never cross a plaintext connection, and POP3 message numbers,
// which a server reassigns every session, are never what identifies mail.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';
import { startDovecot, type Dovecot } from '../support/dovecot';

let dovecot: Dovecot;
let work: string;

before(async () => {
  dovecot = await startDovecot({ users: [{ user: 'alice', password: 's3cret' }, { user: 'renum', password: 'pw' }] });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-sec-it-'));
});
after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/**
 * A TCP relay whose upstream connection leaves from 127.0.0.2: Dovecot
 * counts 127.0.0.1 -> 127.0.0.1 as secure and would allow plaintext logins
 * there, so only a connection from another address shows its refusal. It
 * records what the client sends.
 */
async function relayFrom127002(port: number): Promise<{ port: number; sent: Buffer[]; close(): void }> {
  const sent: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    sockets.add(client).add(upstream);
    client.on('data', (b) => sent.push(Buffer.from(b)));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Sends lines on a raw socket and collects the replies until `until` matches or 5 s pass. */
async function rawSession(port: number, lines: string[], until: RegExp): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (b) => (text += b.toString('latin1')));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const line of lines) socket.write(`${line}\r\n`);
  const deadline = Date.now() + 5000;
  while (!until.test(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  socket.destroy();
  return text;
}

test('T15 the plain port from a non-local address: the server refuses plaintext logins, and ours sends no credential before TLS', async () => {
  const relay = await relayFrom127002(dovecot.pop3Port);
  try {
    // What a client that logs in before TLS would meet: the refusal.
    const refused = await rawSession(relay.port, ['USER alice'], /\r\n[-+].*\r\n/);
    assert.match(refused, /^\+OK/, 'greeting');
    assert.match(refused, /-ERR .*[Pp]laintext authentication disallowed/, refused);

    relay.sent.length = 0;
    const ca = fs.readFileSync(dovecot.caFile);
    const client = await Pop3Client.connect({ host: 'localhost', port: relay.port, security: 'starttls', ca });
    await client.authenticate({ user: 'alice', password: 's3cret' });
    assert.ok((await client.stat()).count >= 0, 'logged in over the upgraded connection');
    await client.quit();

    // Everything before the first TLS record (a handshake record starts with 0x16) was plaintext.
    const all = Buffer.concat(relay.sent);
    const tlsStart = all.indexOf(0x16);
    assert.ok(tlsStart > 0, 'the client started TLS');
    const plaintext = all.subarray(0, tlsStart).toString('latin1');
    assert.deepEqual(plaintext.split('\r\n').filter(Boolean), ['CAPA', 'STLS'], 'only CAPA and STLS before TLS');
    assert.ok(!all.includes('s3cret'), 'the password never crossed the wire in the clear');
  } finally {
    relay.close();
  }
});

const msg = (uidl: string, subject: string): string =>
  `X-UIDL: ${uidl}\r\nFrom: test@example.org\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody of ${subject}\r\n`;

function serverSubjects(user: string): string[] {
  const dir = dovecot.maildir(user);
  return ['new', 'cur']
    .flatMap((sub) => (fs.existsSync(path.join(dir, sub)) ? fs.readdirSync(path.join(dir, sub)).map((f) => path.join(dir, sub, f)) : []))
    .map((f) => /^Subject: (.*)$/m.exec(fs.readFileSync(f, 'latin1'))![1]!.trim())
    .sort();
}

test('T24 the server renumbers between sessions: the message deleted here is the one deleted there', async () => {
  const user = 'renum';
  for (const s of ['a', 'b', 'c']) dovecot.deliver(user, msg(`u-${s}`, s), `m-${s}`);
  const storeDir = path.join(work, user);
  const account = { name: user, host: 'localhost', port: dovecot.pop3sPort, user, security: 'tls' as const, caFile: dovecot.caFile };
  const retention = { deleteWhenDeletedLocally: true };

  let store = await MailStore.open(storeDir);
  assert.equal((await fetchMail({ account, password: 'pw', store, retention })).downloaded, 3);

  // Another client removes "a" from the server: b and c are now messages 1
  // and 2 (they were 2 and 3), and a new "d" becomes 3.
  // Dovecot moves a retrieved message from new/ to cur/ (adding flags to its name).
  const dir = dovecot.maildir(user);
  const a = ['new', 'cur'].flatMap((sub) => fs.readdirSync(path.join(dir, sub)).filter((f) => f.startsWith('m-a')).map((f) => path.join(dir, sub, f)));
  assert.equal(a.length, 1);
  fs.rmSync(a[0]!);
  dovecot.deliver(user, msg('u-d', 'd'), 'm-d');
  // Deleted here: c (number 3 in the first session, which is now d's number).
  store.trash(store.byUidl('u-c')!.id);

  store = await MailStore.open(storeDir);
  const r = await fetchMail({ account, password: 'pw', store, retention });
  assert.deepEqual(r.plan.delete.map((d) => d.uidl), ['u-c']);
  assert.equal(r.downloaded, 1, 'only d is new');
  assert.deepEqual(serverSubjects(user), ['b', 'd'], 'c is gone from the server, d (now at c\'s old number) is not');
  const after = await MailStore.open(storeDir);
  assert.deepEqual(after.list().map((m) => m.subject).sort(), ['a', 'b', 'd']);
});
