// The POP3 engine against a real Dovecot: every login mechanism Dovecot
// offers, STLS on the plain port, a pipelined fetch of a few hundred messages
// byte-identical to what was delivered, and X-UIDL edge cases (T23).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import type { AuthMethod } from '../../src/pop3/auth/types';
import { serverInfo } from '../../src/pop3/serverinfo';
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { generateMailbox } from '../support/mailgen';

let dovecot: Dovecot;
let work: string;
const MECHANISMS = ['plain', 'login', 'cram-md5', 'scram-sha-1', 'scram-sha-256', 'apop'];

before(async () => {
  dovecot = await startDovecot({ mechanisms: MECHANISMS, users: [{ user: 'alice', password: 's3cret' }, { user: 'uidl', password: 'edge' }] });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-engine-it-'));
});

after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ca = (): Buffer => fs.readFileSync(dovecot.caFile);

describe('login against Dovecot', () => {
  for (const method of ['user', 'plain', 'login', 'cram-md5', 'scram-sha-1', 'scram-sha-256', 'apop', 'auto'] as AuthMethod[]) {
    test(`${method} logs in, and fails with AuthFailed on a wrong password`, async () => {
      const trace: string[] = [];
      const client = await Pop3Client.connect({ host: 'localhost', port: dovecot.pop3sPort, ca: ca(), trace: (d, t) => trace.push(`${d} ${t}`) });
      await client.authenticate({ user: 'alice', password: 's3cret' }, method);
      assert.ok((await client.stat()).count >= 0);
      await client.quit();
      assert.ok(!trace.join('\n').includes('s3cret'), 'the password never reaches the trace');
      if (method === 'auto') assert.ok(trace.some((l) => l.includes('AUTH SCRAM-SHA-256')), 'auto picks the strongest mechanism');

      const bad = await Pop3Client.connect({ host: 'localhost', port: dovecot.pop3sPort, ca: ca() });
      await assert.rejects(bad.authenticate({ user: 'alice', password: 'nope' }, method), { code: 'AuthFailed' });
      bad.close();
    });
  }
});

test('STLS on the plain port: upgrades, asks CAPA again, logs in', async () => {
  const trace: string[] = [];
  const client = await Pop3Client.connect({ host: 'localhost', port: dovecot.pop3Port, security: 'starttls', ca: ca(), trace: (d, t) => trace.push(`${d} ${t}`) });
  await client.authenticate({ user: 'alice', password: 's3cret' });
  await client.quit();
  const stls = trace.findIndex((l) => l === 'C STLS');
  assert.ok(stls > 0);
  assert.ok(trace.slice(stls).some((l) => l === 'C CAPA'), 'CAPA is asked again after TLS (T04)');
  assert.ok(trace.slice(0, stls).every((l) => !/^C (USER|PASS|AUTH|APOP)/.test(l)), 'no credential before TLS');
});

test('serverinfo reports TLS, certificate fingerprint and SASL mechanisms', async () => {
  const info = await serverInfo({ host: 'localhost', port: dovecot.pop3sPort, ca: ca() });
  assert.match(info.tls.protocol, /^TLSv1\.[23]$/);
  assert.match(info.certificate?.fingerprint256 ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.ok(info.saslMechanisms.includes('SCRAM-SHA-256'));
  assert.ok('PIPELINING' in info.capabilities);
  assert.ok(info.apopTimestamp);
});

test('a pinned certificate is accepted without a CA; a wrong pin is refused (T08)', async () => {
  const info = await serverInfo({ host: 'localhost', port: dovecot.pop3sPort, ca: ca() });
  const pin = info.certificate!.fingerprint256;
  const ok = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.pop3sPort, pin });
  ok.close();
  await assert.rejects(Pop3Client.connect({ host: 'localhost', port: dovecot.pop3sPort, pin: pin.replace(/^../, '00') }), { code: 'Tls' });
  await assert.rejects(Pop3Client.connect({ host: 'localhost', port: dovecot.pop3sPort }), (err: Error & { certificate?: { fingerprint256: string } }) => {
    assert.equal(err.certificate?.fingerprint256, pin, 'the refused certificate is described for "trust this certificate"');
    return true;
  });
});

test('pipelined fetch of 300 messages is byte-identical to what was delivered', async () => {
  const mails = generateMailbox(7, 300);
  mails.forEach((m, i) => dovecot.deliver('alice', m, `bulk${i}`));
  const store = await MailStore.open(path.join(work, 'bulk'));
  const trace: string[] = [];
  const result = await fetchMail({
    account: { name: 'a', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile },
    password: 's3cret',
    store,
    trace: (l) => trace.push(l),
  });
  assert.equal(result.downloaded, 300);
  const stored = new Set(store.list().map((m) => fs.readFileSync(path.join(store.maildir, m.file)).toString('base64')));
  for (const m of mails) assert.ok(stored.has(m.toString('base64')));
  // Pipelining: several RETRs were sent before the first reply was read.
  const firstReply = trace.findIndex((l) => l.startsWith('S: +OK') && trace[trace.indexOf(l) - 1]?.startsWith('C: RETR'));
  const sentBefore = trace.slice(0, trace.findIndex((l, i) => i > trace.indexOf('C: RETR 1') && l.startsWith('S:'))).filter((l) => l.startsWith('C: RETR')).length;
  assert.ok(firstReply > 0);
  assert.ok(sentBefore > 1, `RETRs were pipelined (${sentBefore} in flight at first)`);
});

test('X-UIDL edge cases: over-long, spaced and duplicated UIDLs are tolerated; a duplicate is fetched once (T23)', async () => {
  const mk = (uidl: string, subject: string): string => `X-UIDL: ${uidl}\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`;
  const long = 'L'.repeat(80);
  const huge = 'H'.repeat(600);
  dovecot.deliver('uidl', mk(long, 'long'), 'u1');
  dovecot.deliver('uidl', mk('has space inside', 'spaced'), 'u2');
  dovecot.deliver('uidl', mk('dup-1', 'dup a'), 'u3');
  dovecot.deliver('uidl', mk('dup-1', 'dup b'), 'u4');
  dovecot.deliver('uidl', mk('plain-1', 'plain'), 'u5');
  dovecot.deliver('uidl', mk(huge, 'huge'), 'u6');
  const store = await MailStore.open(path.join(work, 'uidl'));
  const account = { name: 'u', host: 'localhost', port: dovecot.pop3sPort, user: 'uidl', security: 'tls' as const, caFile: dovecot.caFile };
  const first = await fetchMail({ account, password: 'edge', store });
  assert.equal(first.onServer, 6);
  assert.equal(first.downloaded, 5, 'the duplicated UIDL is fetched once');
  const uidls = store.list().map((m) => m.uidl).sort();
  assert.deepEqual(uidls, [long, huge, 'dup-1', 'has space inside', 'plain-1'].sort());
  const second = await fetchMail({ account, password: 'edge', store: await MailStore.open(path.join(work, 'uidl')) });
  assert.equal(second.downloaded, 0, 'no endless re-download, also after reopening the store');
});
