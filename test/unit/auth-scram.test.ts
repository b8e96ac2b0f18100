// SCRAM-SHA-1/-256 against a scripted server that plays the server side of
// RFC 5802 for real (it checks the client proof and computes its own
// signature). The login may only succeed when the server proves it knows the
// password: a wrong signature, an e= error, or a +OK that skips the
// server-final message are authentication errors.

import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type tls from 'node:tls';
import { test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { Pop3Error } from '../../src/pop3/errors';
import { testCerts } from '../support/certs';
import { ScriptedServer, type ScriptedSession, type Step } from '../support/scripted-server';

const certs = testCerts();
const SERVER_TLS: tls.TlsOptions = { key: certs.localhost.key, cert: certs.localhost.cert };
const LIMITS = { idleTimeoutMs: 1000, greetingTimeoutMs: 1000, tlsTimeoutMs: 2000, connectTimeoutMs: 2000 };
const BOUND = { timeout: 15_000 };
const PASSWORD = 'pencil';
const SALT = Buffer.from('salt-for-the-test');
const ITERATIONS = 4096;

type Hash = 'sha1' | 'sha256';
/** What the server does once it has checked the client's proof. */
type Ending = 'correct' | 'wrong-signature' | 'ok-without-final' | 'error';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const hmac = (hash: Hash, key: Buffer, data: string): Buffer => createHmac(hash, key).update(data).digest();

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

interface Outcome {
  /** Whether the client's proof was right (the server checked it). */
  proofOk?: boolean;
  /** Lines the client sent after the server's last SCRAM message. */
  after: string[];
}

/** The server half of SCRAM, written from RFC 5802 independently of src/pop3/auth/scram.ts. */
function scramServer(hash: Hash, ending: Ending, outcome: Outcome): Step[] {
  const name = hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
  const run = async (s: ScriptedSession): Promise<void> => {
    const auth = await s.nextLine();
    const m = auth === undefined ? null : new RegExp(`^AUTH ${name} (\\S+)$`).exec(auth);
    if (!m) {
      s.errors.push(`expected AUTH ${name} with an initial response, got ${auth}`);
      return;
    }
    const clientFirst = Buffer.from(m[1]!, 'base64').toString('utf8');
    assert.ok(clientFirst.startsWith('n,,'), 'gs2 header without channel binding');
    const clientFirstBare = clientFirst.slice(3);
    const clientNonce = attributes(clientFirstBare).get('r')!;
    const nonce = `${clientNonce}server-part`;
    const serverFirst = `r=${nonce},s=${SALT.toString('base64')},i=${ITERATIONS}`;
    await s.write(`+ ${b64(serverFirst)}\r\n`);

    const finalLine = (await s.nextLine()) ?? '';
    const clientFinal = Buffer.from(finalLine, 'base64').toString('utf8');
    const attrs = attributes(clientFinal);
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = pbkdf2Sync(PASSWORD, SALT, ITERATIONS, hash === 'sha1' ? 20 : 32, hash);
    const storedKey = createHash(hash).update(hmac(hash, salted, 'Client Key')).digest();
    const clientSignature = hmac(hash, storedKey, authMessage);
    const clientKey = Buffer.from(Buffer.from(attrs.get('p') ?? '', 'base64').map((b, k) => b ^ (clientSignature[k] ?? 0)));
    const recomputed = createHash(hash).update(clientKey).digest();
    outcome.proofOk = attrs.get('r') === nonce && recomputed.length === storedKey.length && timingSafeEqual(recomputed, storedKey);

    const serverSignature = hmac(hash, hmac(hash, salted, 'Server Key'), authMessage);
    switch (ending) {
      case 'correct':
        await s.write(`+ ${b64(`v=${serverSignature.toString('base64')}`)}\r\n`);
        break;
      case 'wrong-signature': {
        const wrong = Buffer.from(serverSignature);
        wrong[0] = wrong[0]! ^ 0x01;
        await s.write(`+ ${b64(`v=${wrong.toString('base64')}`)}\r\n`);
        break;
      }
      case 'error':
        await s.write(`+ ${b64('e=invalid-proof')}\r\n`);
        break;
      case 'ok-without-final':
        // The server skips its proof and lets the client in.
        await s.write('+OK Logged in.\r\n');
        break;
    }
    if (ending !== 'ok-without-final') {
      const answer = (await s.nextLine()) ?? '<closed>';
      outcome.after.push(answer);
      await s.write(answer === '' ? '+OK Logged in.\r\n' : '-ERR Authentication cancelled.\r\n');
    }
    for (;;) {
      const line = await s.nextLine();
      if (line === undefined) return;
      outcome.after.push(line);
      if (line === 'QUIT') {
        await s.write('+OK bye\r\n');
        return;
      }
      if (line === 'STAT') await s.write('+OK 0 0\r\n');
      else await s.write('-ERR not in this script\r\n');
    }
  };
  return [{ send: '+OK ready\r\n' }, { expect: /^CAPA$/ }, { send: `+OK\r\nUSER\r\nSASL ${name}\r\n.\r\n` }, { run }];
}

async function login(hash: Hash, ending: Ending): Promise<{ result: unknown; outcome: Outcome; client: Pop3Client; server: ScriptedServer }> {
  const outcome: Outcome = { after: [] };
  const server = await ScriptedServer.start({ tls: SERVER_TLS, script: scramServer(hash, ending, outcome) });
  const client = await Pop3Client.connect({ host: 'localhost', port: server.port, ca: certs.ca.cert, limits: LIMITS });
  let result: unknown;
  try {
    await client.authenticate({ user: 'alice', password: PASSWORD }, hash === 'sha1' ? 'scram-sha-1' : 'scram-sha-256');
    result = 'ok';
  } catch (err) {
    result = err;
  }
  return { result, outcome, client, server };
}

for (const hash of ['sha1', 'sha256'] as const) {
  test(`${hash}: the correct server signature logs in`, BOUND, async () => {
    const { result, outcome, client, server } = await login(hash, 'correct');
    try {
      assert.equal(result, 'ok', `logged in (${String(result)})`);
      assert.equal(outcome.proofOk, true, 'the server accepted the client proof');
      assert.deepEqual(await client.stat(), { count: 0, size: 0 }, 'the session is usable');
      assert.deepEqual(outcome.after, ['', 'STAT'], 'an empty response to the server-final message, then STAT');
      assert.deepEqual(server.sessions.flatMap((s) => s.errors), []);
    } finally {
      client.close();
      await server.close();
    }
  });

  test(`${hash}: a wrong server signature is an authentication error and the exchange is cancelled`, BOUND, async () => {
    const { result, outcome, client, server } = await login(hash, 'wrong-signature');
    try {
      assert.ok(Pop3Error.is(result, 'AuthFailed'), `AuthFailed, got ${String(result)}`);
      assert.match((result as Error).message, /prove/);
      assert.equal(outcome.proofOk, true, 'the client itself did everything right');
      assert.deepEqual(outcome.after, ['*'], 'the client cancels (RFC 5034 "*") instead of answering');
    } finally {
      client.close();
      await server.close();
    }
  });

  test(`${hash}: +OK without the server-final message is an authentication error`, BOUND, async () => {
    const { result, outcome, client, server } = await login(hash, 'ok-without-final');
    try {
      assert.ok(Pop3Error.is(result, 'AuthFailed'), `AuthFailed, got ${String(result)}`);
      assert.match((result as Error).message, /without proving/);
      assert.deepEqual(outcome.after, ['QUIT'], 'the client leaves the session it did not trust, and sends nothing else');
      await assert.rejects(client.stat(), 'no command runs on the untrusted session');
    } finally {
      client.close();
      await server.close();
    }
  });

  test(`${hash}: an e= server-final message is an authentication error carrying the server's reason`, BOUND, async () => {
    const { result, outcome, client, server } = await login(hash, 'error');
    try {
      assert.ok(Pop3Error.is(result, 'AuthFailed'), `AuthFailed, got ${String(result)}`);
      assert.equal((result as Pop3Error).serverText, 'invalid-proof');
      assert.deepEqual(outcome.after, ['*']);
    } finally {
      client.close();
      await server.close();
    }
  });
}
