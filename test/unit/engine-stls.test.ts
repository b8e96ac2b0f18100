// The POP3 engine against hostile STLS servers (docs/security.md T01-T05):
// STARTTLS is strict, never falls back to plaintext, and nothing read before
// the handshake counts after it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import type { Pop3ErrorCode } from '../../src/pop3/errors';
import { BOUND, capa, connect, failsWith, GREETING, LOGIN, noLogin, QUIT, SERVER_TLS, within, withServer } from '../support/engine-scripts';
import type { ScriptedSession, Step } from '../support/scripted-server';

test('T01 STLS account, CAPA without STLS: abort before any credential', BOUND, async () => {
  for (const capaReply of [[...capa('USER', 'SASL PLAIN', 'UIDL')], [{ expect: /^CAPA$/ }, { send: '-ERR what is CAPA\r\n' }]] as Step[][]) {
    await withServer({ script: [GREETING, ...capaReply, { stall: true }] }, async (server) => {
      const { error } = await failsWith(connect(server, { security: 'starttls' }), 'Tls');
      assert.match(error.message, /STLS/);
      await within(server.sessions[0]!.closed, 1000, 'the connection closing');
      assert.deepEqual(server.lines, ['CAPA'], 'nothing after CAPA, in plaintext');
      noLogin(server);
    });
  }
});

test('T02 STLS answered -ERR: abort, never continue in plaintext', BOUND, async () => {
  await withServer({ script: [GREETING, ...capa('STLS', 'USER'), { expect: /^STLS$/ }, { send: '-ERR [SYS/TEMP] TLS is resting\r\n' }, { stall: true }] }, async (server) => {
    const { error } = await failsWith(connect(server, { security: 'starttls' }), 'Tls');
    assert.equal(error.serverText, 'TLS is resting', 'server text kept apart from ours');
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
    assert.deepEqual(server.lines, ['CAPA', 'STLS']);
    noLogin(server);
  });
});

/** Waits until the client sent more than "CAPA\r\nSTLS\r\n": the start of its TLS handshake. */
async function clientHelloSeen(session: ScriptedSession): Promise<void> {
  while (session.bytesReceived <= 'CAPA\r\nSTLS\r\n'.length && !session.closedYet) await new Promise((r) => setTimeout(r, 2));
}

test('T03 plaintext bytes after the STLS +OK are never read as post-TLS replies', BOUND, async () => {
  // What the attacker injects: a post-TLS CAPA without SASL, and +OKs for USER and PASS.
  const injected = '+OK\r\nUSER\r\n.\r\n+OK\r\n+OK logged in\r\n';
  const variants: [Step[], Pop3ErrorCode[]][] = [
    // In the same TCP segment as the +OK (mutt CVE-2020-14954, curl CVE-2021-22947).
    [[{ startTls: true, reply: `+OK Begin TLS\r\n${injected}` }], ['Protocol']],
    // In the next segment, right behind.
    [[{ send: '+OK Begin TLS\r\n' }, { send: injected }, { startTls: true }], ['Protocol', 'Tls']],
    // Once the client has handed the socket to TLS (its ClientHello is here): it breaks the handshake.
    [[{ send: '+OK Begin TLS\r\n' }, { run: clientHelloSeen }, { send: injected }, { startTls: true }], ['Tls']],
  ];
  for (const [variant, codes] of variants) {
    await withServer({ tls: undefined, startTls: SERVER_TLS, script: [GREETING, ...capa('STLS', 'USER'), { expect: /^STLS$/ }, ...variant, ...capa('USER'), ...LOGIN, { stall: true }] }, async (server) => {
      let client: Pop3Client | undefined;
      const attempt = (async () => {
        client = await connect(server, { security: 'starttls' });
        await client.authenticate({ user: 'alice', password: 's3cret' }, 'auto');
      })();
      await failsWith(attempt, codes);
      client?.close();
      await within(server.sessions[0]!.closed, 1000, 'the connection closing');
      noLogin(server);
    });
  }
});

test('T04 CAPA is asked again after STLS and auth is chosen from the new list only', BOUND, async () => {
  const script: Step[] = [
    GREETING,
    ...capa('STLS', 'SASL PLAIN', 'USER'), // before TLS: forged by anyone on the path
    { expect: /^STLS$/ },
    { startTls: true, reply: '+OK Begin TLS\r\n' },
    ...capa('USER', 'UIDL'), // over TLS: no SASL at all
    ...LOGIN,
    ...QUIT,
  ];
  await withServer({ startTls: SERVER_TLS, script }, async (server) => {
    const client = await connect(server, { security: 'starttls' });
    await client.authenticate({ user: 'alice', password: 's3cret' }, 'auto');
    await client.quit();
    const session = server.sessions[0]!;
    assert.deepEqual(session.errors, []);
    assert.deepEqual(session.lines, ['CAPA', 'STLS', 'CAPA', 'USER alice', 'PASS s3cret', 'QUIT']);
    assert.match(String(session.tlsProtocol), /^TLSv1\.[23]$/);
  });
});

test('T05 +OK to STLS, then silence: handshake timeout, socket destroyed, no retry', BOUND, async () => {
  await withServer({ script: [GREETING, ...capa('STLS', 'USER'), { expect: /^STLS$/ }, { send: '+OK Begin TLS\r\n' }, { stall: true }] }, async (server) => {
    const { ms } = await failsWith(connect(server, { security: 'starttls' }), 'Timeout');
    assert.ok(ms < 2000, `gave up after ${Math.round(ms)} ms`);
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.sessions.length, 1, 'exactly one connection: no retry storm');
    noLogin(server);
  });
});
