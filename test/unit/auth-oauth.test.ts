// XOAUTH2 and OAUTHBEARER against scripted servers: the two-line form the
// client uses by default, the inline form on request, the failure exchange
// each mechanism's specification prescribes, and a token that never reaches
// the trace or the error. Dovecot's side of the same is in
// test/integration/oauth-dovecot.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oauthErrorStatus } from '../../src/pop3/auth/oauth';
import { Pop3Client } from '../../src/pop3/client';
import { Pop3Error } from '../../src/pop3/errors';
import { testCerts } from '../support/certs';
import { ScriptedServer, type Step } from '../support/scripted-server';

const certs = testCerts();
const SERVER_TLS = { key: certs.localhost.key, cert: certs.localhost.cert };
const LIMITS = { idleTimeoutMs: 500, greetingTimeoutMs: 500, tlsTimeoutMs: 1000, connectTimeoutMs: 1000 };
const BOUND = { timeout: 15_000 };
/** Longer than RFC 5034's 255-octet AUTH line once base64-encoded, as real access tokens are. */
const TOKEN = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${'x'.repeat(900)}.sig`;
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const XOAUTH2_RESPONSE = b64(`user=alice@example.com\x01auth=Bearer ${TOKEN}\x01\x01`);
const OAUTHBEARER_RESPONSE = b64(`n,a=alice@example.com,\x01auth=Bearer ${TOKEN}\x01\x01`);
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const GREETING: Step = { send: '+OK POP3 ready\r\n' };
const capa = (...caps: string[]): Step[] => [{ expect: /^CAPA$/ }, { send: `+OK\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n` }];

async function run(
  script: Step[],
  method: 'xoauth2' | 'oauthbearer' | 'user',
  options: { initialResponse?: 'inline' | 'separate'; user?: string } = {},
): Promise<{ error: unknown; trace: string[]; server: ScriptedServer }> {
  const server = await ScriptedServer.start({ script, tls: SERVER_TLS });
  const trace: string[] = [];
  let error: unknown;
  try {
    const client = await Pop3Client.connect({
      host: 'localhost',
      port: server.port,
      ca: certs.ca.cert,
      limits: LIMITS,
      trace: (dir, line) => trace.push(`${dir} ${line}`),
    });
    try {
      await client.authenticate({ user: options.user ?? 'alice@example.com', token: TOKEN, password: method === 'user' ? 'app-password' : undefined }, method, { initialResponse: options.initialResponse });
    } finally {
      await client.quit().catch(() => undefined);
    }
  } catch (err) {
    error = err;
  } finally {
    await server.close();
  }
  return { error, trace, server };
}

function assertNoToken(trace: string[], error: unknown): void {
  const all = `${trace.join('\n')}\n${error instanceof Error ? `${error.message} ${(error as Pop3Error).serverText ?? ''}` : ''}`;
  assert.ok(!all.includes(TOKEN), 'the token is in the trace or the error');
  assert.ok(!all.includes(XOAUTH2_RESPONSE) && !all.includes(OAUTHBEARER_RESPONSE), 'the encoded response is in the trace or the error');
  assert.ok(!all.includes(TOKEN.slice(0, 30)) && !all.includes(b64(TOKEN).slice(0, 40)), 'part of the token is in the trace');
}

test('XOAUTH2 sends AUTH XOAUTH2 alone, then its response on its own line after "+" (the form Exchange Online requires)', BOUND, async () => {
  const { error, trace, server } = await run(
    [
      GREETING,
      ...capa('SASL XOAUTH2', 'UIDL'),
      { expect: /^AUTH XOAUTH2$/ },
      { send: '+ \r\n' },
      { expect: new RegExp(`^${escape(XOAUTH2_RESPONSE)}$`) },
      { send: '+OK User successfully authenticated.\r\n' },
      { expect: /^QUIT$/ },
      { send: '+OK bye\r\n' },
      { close: true },
    ],
    'xoauth2',
  );
  assert.equal(error, undefined, String(error));
  assert.deepEqual(server.sessions[0]!.errors, []);
  assert.ok(trace.includes('C AUTH XOAUTH2'), trace.join('\n'));
  assert.ok(trace.includes('C ********'), trace.join('\n'));
  assertNoToken(trace, error);
});

test('OAUTHBEARER in the two-line form sends the RFC 7628 GS2 header and the bearer token', BOUND, async () => {
  const { error, server, trace } = await run(
    [GREETING, ...capa('SASL OAUTHBEARER'), { expect: /^AUTH OAUTHBEARER$/ }, { send: '+ \r\n' }, { expect: new RegExp(`^${escape(OAUTHBEARER_RESPONSE)}$`) }, { send: '+OK\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'oauthbearer',
  );
  assert.equal(error, undefined, String(error));
  assert.deepEqual(server.sessions[0]!.errors, []);
  assertNoToken(trace, error);
});

test('the inline form, on request, puts the response on the AUTH line and redacts it in the trace', BOUND, async () => {
  const { error, trace, server } = await run(
    [GREETING, ...capa('SASL XOAUTH2'), { expect: new RegExp(`^AUTH XOAUTH2 ${escape(XOAUTH2_RESPONSE)}$`) }, { send: '+OK\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'xoauth2',
    { initialResponse: 'inline' },
  );
  assert.equal(error, undefined, String(error));
  assert.deepEqual(server.sessions[0]!.errors, []);
  assert.ok(trace.includes('C AUTH XOAUTH2 ********'), trace.join('\n'));
  assertNoToken(trace, error);
});

test('OAUTHBEARER escapes "=" and "," in the user name (RFC 5801 saslname), "=" first', BOUND, async () => {
  const expected = b64(`n,a=a=3Db=2Cc,\x01auth=Bearer ${TOKEN}\x01\x01`);
  const { error, server } = await run(
    [GREETING, ...capa('SASL OAUTHBEARER'), { expect: /^AUTH OAUTHBEARER$/ }, { send: '+ \r\n' }, { expect: new RegExp(`^${escape(expected)}$`) }, { send: '+OK\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'oauthbearer',
    { user: 'a=b,c' },
  );
  assert.equal(error, undefined, String(error));
  assert.deepEqual(server.sessions[0]!.errors, []);
});

test('XOAUTH2 refused: the JSON error challenge gets an empty line, the -ERR ends as AuthFailed naming the status', BOUND, async () => {
  const json = '{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}';
  const { error, trace, server } = await run(
    [GREETING, ...capa('SASL XOAUTH2'), { expect: /^AUTH XOAUTH2$/ }, { send: '+ \r\n' }, { expect: /^\S+$/ }, { send: `+ ${b64(json)}\r\n` }, { expect: /^$/ }, { send: '-ERR [AUTH] Authentication failed.\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'xoauth2',
  );
  assert.ok(Pop3Error.is(error, 'AuthFailed'), String(error));
  assert.match((error as Error).message, /XOAUTH2 access token.*status: 401/);
  assert.deepEqual(server.sessions[0]!.errors, []);
  assertNoToken(trace, error);
});

test('OAUTHBEARER refused: the client sends the %x01 dummy response (AQ==), then AuthFailed with the status', BOUND, async () => {
  const { error, trace, server } = await run(
    [GREETING, ...capa('SASL OAUTHBEARER'), { expect: /^AUTH OAUTHBEARER$/ }, { send: '+ \r\n' }, { expect: /^\S+$/ }, { send: `+ ${b64('{"status":"invalid_token"}')}\r\n` }, { expect: /^AQ==$/ }, { send: '-ERR [AUTH] Authentication failed.\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'oauthbearer',
  );
  assert.ok(Pop3Error.is(error, 'AuthFailed'), String(error));
  assert.match((error as Error).message, /OAUTHBEARER access token.*status: invalid_token/);
  assert.deepEqual(server.sessions[0]!.errors, []);
  assertNoToken(trace, error);
});

test('a server that challenges again after the dummy response is cancelled with "*", not answered forever', BOUND, async () => {
  const challenge = `+ ${b64('{"status":"invalid_token"}')}\r\n`;
  const { error, server } = await run(
    [GREETING, ...capa('SASL OAUTHBEARER'), { expect: /^AUTH OAUTHBEARER$/ }, { send: '+ \r\n' }, { expect: /^\S+$/ }, { send: challenge }, { expect: /^AQ==$/ }, { send: challenge }, { expect: /^\*$/ }, { send: '-ERR cancelled\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }],
    'oauthbearer',
  );
  assert.ok(Pop3Error.is(error, 'AuthFailed'), String(error));
  assert.match((error as Error).message, /kept the OAUTHBEARER exchange open.*invalid_token/);
  assert.deepEqual(server.sessions[0]!.errors, []);
});

test('a server that goes silent after the failure exchange times out instead of hanging', BOUND, async () => {
  const started = Date.now();
  const { error } = await run(
    [GREETING, ...capa('SASL XOAUTH2'), { expect: /^AUTH XOAUTH2$/ }, { send: '+ \r\n' }, { expect: /^\S+$/ }, { send: `+ ${b64('{"status":"401"}')}\r\n` }, { expect: /^$/ }, { stall: true }],
    'xoauth2',
  );
  assert.ok(Pop3Error.is(error, 'Timeout'), String(error));
  assert.ok(Date.now() - started < 5000);
});

test('Exchange Online-like: USER/PASS refused, inline XOAUTH2 refused, the two-line XOAUTH2 logs in', BOUND, async () => {
  const exchange = (steps: Step[]): Step[] => [{ send: '+OK The Microsoft Exchange POP3 service is ready.\r\n' }, ...capa('TOP', 'UIDL', 'SASL XOAUTH2', 'USER'), ...steps];
  const viaUser = await run(
    exchange([{ expect: /^USER / }, { send: '+OK\r\n' }, { expect: /^PASS / }, { send: '-ERR Logon failure: unknown user name or bad password.\r\n' }]),
    'user',
  );
  // The inline form is what Exchange does not take: "-ERR Protocol error" style refusal.
  assert.ok(Pop3Error.is(viaUser.error, 'AuthFailed'), String(viaUser.error));
  const inline = await run(exchange([{ expect: /^AUTH XOAUTH2 \S+$/ }, { send: '-ERR Protocol error.\r\n' }]), 'xoauth2', { initialResponse: 'inline' });
  assert.ok(Pop3Error.is(inline.error), String(inline.error));
  const twoLine = await run(
    exchange([{ expect: /^AUTH XOAUTH2$/ }, { send: '+ \r\n' }, { expect: new RegExp(`^${escape(XOAUTH2_RESPONSE)}$`) }, { send: '+OK User successfully authenticated.\r\n' }, { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }]),
    'xoauth2',
  );
  assert.equal(twoLine.error, undefined, String(twoLine.error));
  assert.deepEqual(twoLine.server.sessions[0]!.errors, []);
});

test('the error status is taken only from JSON, printable and bounded', () => {
  assert.equal(oauthErrorStatus(Buffer.from('{"status":"401","schemes":"bearer"}')), '401');
  assert.equal(oauthErrorStatus(Buffer.from('{"status":400}')), '400');
  assert.equal(oauthErrorStatus(Buffer.from('{"status":"bad\\u001b[31m"}')), 'bad?[31m');
  assert.equal(oauthErrorStatus(Buffer.from(`{"status":"${'a'.repeat(500)}"}`))!.length, 64);
  assert.equal(oauthErrorStatus(Buffer.from('not json')), undefined);
  assert.equal(oauthErrorStatus(Buffer.from('["status"]')), undefined);
  assert.equal(oauthErrorStatus(Buffer.alloc(0)), undefined);
});

test('a ^A in the user name or a token with characters a bearer token cannot have is refused before anything is sent', BOUND, async () => {
  for (const [user, token, code] of [['a\x01auth=Bearer x', TOKEN, 'Protocol'], ['alice', 'tok en', 'AuthFailed'], ['alice', `tok\x01auth=x`, 'AuthFailed']] as const) {
    const server = await ScriptedServer.start({ script: [GREETING, ...capa('SASL XOAUTH2'), { expect: /^QUIT$/ }, { send: '+OK\r\n' }, { close: true }], tls: SERVER_TLS });
    try {
      const client = await Pop3Client.connect({ host: 'localhost', port: server.port, ca: certs.ca.cert, limits: LIMITS });
      await assert.rejects(client.authenticate({ user, token }, 'xoauth2'), (e: Pop3Error) => e.code === code);
      await client.quit();
      assert.ok(!server.lines.some((l) => l.startsWith('AUTH')), server.lines.join('\n'));
    } finally {
      await server.close();
    }
  }
});
