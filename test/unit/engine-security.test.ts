// The POP3 engine against hostile and faulty servers (docs/security.md T01-T23):
// an in-process scripted server on 127.0.0.1 (plain, STLS and implicit TLS
// with throwaway certificates) replays what Dovecot never would. Each test is
// one a naive client fails. Every timeout is short, every test is bounded.

import assert from 'node:assert/strict';
import tls from 'node:tls';
import { test } from 'node:test';
import { apopTimestamp } from '../../src/pop3/auth/apop';
import type { AuthMethod } from '../../src/pop3/auth/types';
import { Pop3Client, type Pop3ClientOptions, type RetrJob } from '../../src/pop3/client';
import { Pop3Error, type Pop3ErrorCode } from '../../src/pop3/errors';
import type { Pop3Limits } from '../../src/pop3/limits';
import { serverInfo } from '../../src/pop3/serverinfo';
import { CertificateError } from '../../src/pop3/transport';
import { testCerts } from '../support/certs';
import { ScriptedServer, type ScriptedServerOptions, type ScriptedSession, type Step } from '../support/scripted-server';

const certs = testCerts();
const LIMITS: Partial<Pop3Limits> = { idleTimeoutMs: 300, greetingTimeoutMs: 300, tlsTimeoutMs: 500, connectTimeoutMs: 500 };
const SERVER_TLS: tls.TlsOptions = { key: certs.localhost.key, cert: certs.localhost.cert };
/** No test may take longer than this, whatever the engine does. */
const BOUND = { timeout: 15_000 };

// ---- script fragments -------------------------------------------------------

const GREETING: Step = { send: '+OK POP3 ready\r\n' };
const capa = (...caps: string[]): Step[] => [{ expect: /^CAPA$/ }, { send: `+OK\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n` }];
const LOGIN: Step[] = [{ expect: /^USER alice$/ }, { send: '+OK\r\n' }, { expect: /^PASS s3cret$/ }, { send: '+OK logged in\r\n' }];
const QUIT: Step[] = [{ expect: /^QUIT$/ }, { send: '+OK bye\r\n' }, { close: true }];
/** Greeting, CAPA, USER/PASS: the client is in the transaction state. */
const SESSION: Step[] = [GREETING, ...capa('USER', 'UIDL', 'TOP'), ...LOGIN];
/** retrMany asks CAPA again after login (RFC 2449: capabilities may change); without PIPELINING. */
const RETR_CAPA: Step[] = capa('USER', 'UIDL', 'TOP');

/** Dot-stuffs a message and appends the terminator, as a server sends it (RFC 1939 section 3). */
function stuffed(message: Buffer | string): Buffer {
  const text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
  return Buffer.from(`${text.replace(/(^|\n)\./g, '$1..')}.\r\n`, 'latin1');
}

// ---- helpers -----------------------------------------------------------------

async function withServer(options: ScriptedServerOptions, fn: (server: ScriptedServer) => Promise<void>): Promise<void> {
  const server = await ScriptedServer.start(options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function connect(server: ScriptedServer, extra: Partial<Pop3ClientOptions> = {}): Promise<Pop3Client> {
  return Pop3Client.connect({ host: 'localhost', port: server.port, ca: certs.ca.cert, ...extra, limits: { ...LIMITS, ...extra.limits } });
}

/** Connects and logs in as alice over implicit TLS (the script must start with SESSION). */
async function loggedIn(server: ScriptedServer, extra: Partial<Pop3ClientOptions> = {}): Promise<Pop3Client> {
  const client = await connect(server, extra);
  await client.authenticate({ user: 'alice', password: 's3cret' }, 'user');
  return client;
}

/** Rejects with a Pop3Error of `code`; returns it and how long it took. */
async function failsWith(promise: Promise<unknown>, code: Pop3ErrorCode | readonly Pop3ErrorCode[]): Promise<{ error: Pop3Error; ms: number }> {
  const start = performance.now();
  const codes: readonly Pop3ErrorCode[] = typeof code === 'string' ? [code] : code;
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Pop3Error, `a Pop3Error, got ${String(error)}`);
    assert.ok(codes.includes(error.code), `code ${error.code} (${error.message}), expected ${codes.join('|')}`);
    return { error, ms: performance.now() - start };
  }
  assert.fail(`expected a ${codes.join('|')} error, but it succeeded`);
}

/** Resolves with `promise`, or fails the test after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records the longest gap between ticks of a 5 ms interval: the event loop's responsiveness. */
function loopWatch(): { stop: () => number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}

/** A RETR job that collects its bytes, and whether `done` saw it complete. */
function collector(n: number, listedSize?: number): { job: RetrJob; bytes: () => Buffer; chunks: () => number } {
  const parts: Buffer[] = [];
  return {
    job: { n, listedSize, open: () => (chunk) => parts.push(Buffer.from(chunk)) },
    bytes: () => Buffer.concat(parts),
    chunks: () => parts.length,
  };
}

function noLogin(server: ScriptedServer): void {
  assert.deepEqual(server.loginLines, [], 'no USER/PASS/AUTH/APOP was sent');
}

// ---- Transport ----------------------------------------------------------------------------------

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

test('T06 self-signed certificate: refused, fingerprint offered, pinning it then works', BOUND, async () => {
  await withServer({ tls: { key: certs.selfSigned.key, cert: certs.selfSigned.cert }, script: [GREETING, ...QUIT] }, async (server) => {
    const trace: string[] = [];
    const { error } = await failsWith(connect(server, { trace: (d, t) => trace.push(`${d} ${t}`) }), 'Tls');
    assert.ok(error instanceof CertificateError);
    assert.match(error.reason, /SELF_SIGNED/);
    assert.equal(error.certificate?.fingerprint256, certs.selfSigned.fingerprint256, '"trust this certificate" can show the SHA-256 fingerprint');
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
    assert.equal(server.sessions[0]!.bytesReceived, 0, 'not one protocol byte was written');
    assert.deepEqual(trace.filter((l) => /^[CS] /.test(l)), [], 'and none was read');

    // The user chose "trust this certificate": the pin is its fingerprint.
    const client = await connect(server, { pin: error.certificate!.fingerprint256 });
    assert.equal(client.greeting, 'POP3 ready');
    await client.quit();
    noLogin(server);
  });
});

test('T07 valid chain, wrong host name: refused', BOUND, async () => {
  await withServer({ tls: { key: certs.wrongHost.key, cert: certs.wrongHost.cert }, script: [GREETING, { stall: true }] }, async (server) => {
    const { error } = await failsWith(connect(server), 'Tls');
    assert.ok(error instanceof CertificateError);
    // Node itself reports the name check as ERR_TLS_CERT_ALTNAME_INVALID when the chain is fine.
    assert.match(error.reason, /ALTNAME|HOSTNAME/);
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
    assert.equal(server.sessions[0]!.bytesReceived, 0);
  });
  // Control: the same CA with the right name is accepted, so the refusal above is about the name.
  await withServer({ tls: SERVER_TLS, script: [GREETING, ...QUIT] }, async (server) => {
    await (await connect(server)).quit();
  });
});

test('T08 pinned fingerprint differs (MITM): hard fail before any protocol byte', BOUND, async () => {
  const pinned = certs.localhost.fingerprint256;
  // A self-signed MITM certificate: chain verification fails, so a pin checked
  // in checkServerIdentity would never even run (Node skips it).
  // A CA-signed one for the right name: the chain is fine, only the pin can tell.
  for (const mitm of [certs.selfSigned, certs.localhostOther]) {
    await withServer({ tls: { key: mitm.key, cert: mitm.cert }, script: [GREETING, ...capa('USER'), ...LOGIN, { stall: true }] }, async (server) => {
      const trace: string[] = [];
      let client: Pop3Client | undefined;
      const attempt = (async () => {
        client = await connect(server, { pin: pinned, trace: (d, t) => trace.push(`${d} ${t}`) });
        await client.authenticate({ user: 'alice', password: 's3cret' });
      })();
      const { error } = await failsWith(attempt, 'Tls');
      client?.close();
      assert.ok(error instanceof CertificateError);
      assert.equal(error.reason, 'PIN_MISMATCH');
      assert.equal(error.certificate?.fingerprint256, mitm.fingerprint256);
      await within(server.sessions[0]!.closed, 1000, 'the connection closing');
      assert.equal(server.sessions[0]!.bytesReceived, 0, 'not one protocol byte was written');
      assert.deepEqual(trace.filter((l) => /^[CS] /.test(l)), [], 'the greeting was never read');
      noLogin(server);
    });
  }
  // Control: the pinned certificate itself, pin written in lower case without colons.
  await withServer({ tls: SERVER_TLS, script: [GREETING, ...QUIT] }, async (server) => {
    await (await connect(server, { ca: undefined, pin: pinned.replace(/:/g, '').toLowerCase() })).quit();
  });
});

test('T09 SNI: servername is the host name, so an SNI server presents the right certificate', BOUND, async () => {
  const right = tls.createSecureContext({ key: certs.localhost.key, cert: certs.localhost.cert });
  const asked: string[] = [];
  const serverTls: tls.TlsOptions = {
    // Without SNI this server presents its default certificate, for another name.
    key: certs.wrongHost.key,
    cert: certs.wrongHost.cert,
    SNICallback: (name, cb) => {
      asked.push(name);
      cb(null, name === 'localhost' ? right : undefined);
    },
  };
  await withServer({ tls: serverTls, script: [GREETING, ...QUIT] }, async (server) => {
    const client = await connect(server);
    await client.quit();
    assert.equal(server.sessions[0]!.servername, 'localhost');
    assert.deepEqual(asked, ['localhost']);
  });
});

test('T10 server offers only TLS 1.0/1.1: refused even when the process-wide defaults allow it', BOUND, async () => {
  const legacy: tls.TlsOptions = { ...SERVER_TLS, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
  // Node's own default minimum is TLS 1.2 already, so a client without
  // `minVersion` would pass a plain check. Lower the process-wide defaults the
  // way `node --tls-min-v1.0` or another extension in the same extension host
  // can, prove that a naive client then speaks TLS 1.1 with this server (so
  // OpenSSL here really serves it), and check that ours still refuses.
  const saved = { min: tls.DEFAULT_MIN_VERSION, ciphers: tls.DEFAULT_CIPHERS };
  tls.DEFAULT_MIN_VERSION = 'TLSv1';
  tls.DEFAULT_CIPHERS = 'DEFAULT@SECLEVEL=0';
  try {
    await withServer({ tls: legacy, script: [GREETING, ...capa('USER'), ...LOGIN, ...QUIT] }, async (server) => {
      const naive = await within(
        new Promise<string | null>((resolve, reject) => {
          const s = tls.connect({ host: 'localhost', port: server.port, ca: certs.ca.cert, servername: 'localhost' }, () => {
            resolve(s.getProtocol());
            s.destroy();
          });
          s.on('error', reject);
        }),
        2000,
        'the naive TLS 1.1 handshake',
      );
      assert.equal(naive, 'TLSv1.1', 'this OpenSSL serves TLS 1.1, and a client without minVersion accepts it');

      const { error } = await failsWith(connect(server), 'Tls');
      assert.match(error.message, /protocol|version/i);
      await within(server.sessions[1]!.closed, 1000, 'the connection closing');
      assert.equal(server.sessions[1]!.tlsProtocol, undefined, 'no TLS session was established');
      assert.equal(server.sessions[1]!.bytesReceived, 0);
    });
  } finally {
    tls.DEFAULT_MIN_VERSION = saved.min;
    tls.DEFAULT_CIPHERS = saved.ciphers;
  }
});

// ---- Greeting and login -------------------------------------------------------------------

test('T12 bad greeting (-ERR, garbage, no CRLF, unsolicited lines): closed, reported, never authenticated', BOUND, async () => {
  const cases: { name: string; script: Step[]; code: Pop3ErrorCode; security?: 'starttls' }[] = [
    { name: '-ERR greeting', script: [{ send: '-ERR [SYS/TEMP] too busy\r\n' }], code: 'ServerTemp' },
    { name: 'garbage', script: [{ send: 'HTTP/1.1 400 Bad Request\r\n' }], code: 'Protocol' },
    { name: 'binary garbage', script: [{ send: Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01, 0x0a]) }], code: 'Protocol' },
    { name: 'no CRLF, then silence', script: [{ send: '+OK POP3 ready' }], code: 'Timeout' },
    { name: 'no CRLF, then close', script: [{ send: '+OK POP3 ready' }, { close: true }], code: 'Closed' },
    { name: 'garbage on the STLS port', script: [{ send: 'SSH-2.0-OpenSSH_9.6\r\n' }], code: 'Protocol', security: 'starttls' },
    { name: '-ERR on the STLS port', script: [{ send: '-ERR go away\r\n' }], code: 'ServerTemp', security: 'starttls' },
  ];
  for (const c of cases) {
    await withServer({ tls: c.security ? undefined : SERVER_TLS, script: [...c.script, { stall: true }] }, async (server) => {
      const { ms } = await failsWith(connect(server, { security: c.security }), c.code);
      assert.ok(ms < 2000, `${c.name}: ${Math.round(ms)} ms`);
      await within(server.sessions[0]!.closed, 1000, `${c.name}: the connection closing`);
      assert.deepEqual(server.lines, [], `${c.name}: nothing was sent`);
    });
  }
  // A greeting followed by unsolicited replies (pre-answers to CAPA, USER, PASS):
  // the connection is failed, so the login never starts.
  await withServer({ tls: SERVER_TLS, script: [{ send: '+OK ready\r\n+OK\r\nUSER\r\n.\r\n+OK\r\n+OK\r\n' }, ...capa('USER'), ...LOGIN] }, async (server) => {
    const client = await connect(server);
    await failsWith(client.authenticate({ user: 'alice', password: 's3cret' }), 'Protocol');
    client.close();
    assert.deepEqual(server.lines, []);
  });
});

test('T13 APOP timestamps: huge, non-ASCII, unterminated are refused in linear time; auto never picks APOP', BOUND, async () => {
  const hostile = [
    `+OK <${'a@'.repeat(100_000)}>`, // 200 kB
    `+OK <${'a'.repeat(200_000)}@b>`,
    `+OK ${'<a@b'.repeat(50_000)}`,
    `+OK ${'<'.repeat(200_000)}`,
    '+OK <1896.697170952@dbc.mtview.ca.us', // unterminated
    '+OK <1896.697170952@dbc.mtview.ca.us\u00e9>', // non-ASCII
    '+OK <\u0430lice@host>',
    '+OK <12 34@host>',
    '+OK <>',
    '+OK <no-at-sign>',
  ];
  for (const greeting of hostile) {
    const start = performance.now();
    assert.equal(apopTimestamp(greeting), undefined, greeting.slice(0, 60));
    assert.ok(performance.now() - start < 50, `linear time for ${greeting.slice(0, 30)}`);
  }
  assert.equal(apopTimestamp('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>'), '<1896.697170952@dbc.mtview.ca.us>');

  // auto: the greeting has a valid timestamp, CAPA has no SASL -> USER/PASS, never APOP.
  await withServer({ tls: SERVER_TLS, script: [{ send: '+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n' }, ...capa('USER', 'TOP'), ...LOGIN, ...QUIT] }, async (server) => {
    const client = await connect(server);
    await client.authenticate({ user: 'alice', password: 's3cret' }, 'auto');
    await client.quit();
    assert.deepEqual(server.lines, ['CAPA', 'USER alice', 'PASS s3cret', 'QUIT']);
  });
  // APOP asked for explicitly with an unterminated timestamp: refused before anything is sent.
  await withServer({ tls: SERVER_TLS, script: [{ send: '+OK ready <1896.697170952@dbc.mtview.ca.us\r\n' }, ...capa('USER'), { stall: true }] }, async (server) => {
    const client = await connect(server);
    await failsWith(client.authenticate({ user: 'alice', password: 's3cret' }, 'apop'), 'AuthFailed');
    client.close();
    noLogin(server);
  });
  // serverinfo reports a timestamp only when the strict parser accepts it, and in linear time.
  const greetings: [string, boolean][] = [
    [`+OK <${'a@'.repeat(30_000)}\r\n`, false], // 60 kB: a backtracking regex takes seconds
    ['+OK <1896.697170952@dbc.mtview.ca.us\u00e9>\r\n', false],
    ['+OK <1896.697170952@dbc.mtview.ca.us>\r\n', true],
  ];
  for (const [greeting, expected] of greetings) {
    await withServer({ tls: SERVER_TLS, script: [{ send: Buffer.from(greeting, 'latin1') }, ...capa('USER'), ...QUIT] }, async (server) => {
      const watch = loopWatch();
      const info = await serverInfo({ host: 'localhost', port: server.port, ca: certs.ca.cert, limits: { ...LIMITS, maxStatusLine: 64 * 1024 } });
      const worst = watch.stop();
      assert.equal(info.apopTimestamp, expected, greeting.slice(0, 40));
      assert.ok(worst < 500, `the event loop was blocked for ${Math.round(worst)} ms`);
    });
  }
});

test('T14 response codes: only [AUTH] or a bare -ERR to PASS means "wrong password"', BOUND, async () => {
  const cases: { reply: string; code: Pop3ErrorCode; transient: boolean; method?: AuthMethod }[] = [
    { reply: '-ERR [AUTH] Authentication failed.', code: 'AuthFailed', transient: false },
    { reply: '-ERR Invalid password', code: 'AuthFailed', transient: false },
    { reply: '-ERR [IN-USE] Mailbox locked by another session', code: 'InUse', transient: true },
    { reply: '-ERR [LOGIN-DELAY] Logged in too recently', code: 'LoginDelay', transient: true },
    { reply: '-ERR [SYS/TEMP] Try again later', code: 'ServerTemp', transient: true },
    { reply: '-ERR [SYS/PERM] Account disabled', code: 'ServerPerm', transient: false },
    { reply: '-ERR [in-use] lower case', code: 'InUse', transient: true },
    // RFC 2449 section 8: codes are hierarchical and unknown detail is ignored.
    { reply: '-ERR [SYS/TEMP/DISK-FULL] Quota backend down', code: 'ServerTemp', transient: true },
    { reply: '-ERR [IN-USE/POP3] Locked', code: 'InUse', transient: true },
    // An unknown code is not a bare -ERR: not a wrong password.
    { reply: '-ERR [X-MAINTENANCE] Back soon', code: 'ServerPerm', transient: false },
    { reply: '-ERR [SYS/TEMP] Try again later', code: 'ServerTemp', transient: true, method: 'plain' },
    { reply: '-ERR [AUTH] Authentication failed.', code: 'AuthFailed', transient: false, method: 'plain' },
  ];
  const script = (i: number): Step[] => {
    const c = cases[i]!;
    const login: Step[] = c.method === 'plain'
      ? [{ expect: /^AUTH PLAIN \S+$/ }, { send: `${c.reply}\r\n` }]
      : [{ expect: /^USER alice$/ }, { send: '+OK\r\n' }, { expect: /^PASS s3cret$/ }, { send: `${c.reply}\r\n` }];
    return [GREETING, ...capa('USER', 'SASL PLAIN'), ...login, { stall: true }];
  };
  await withServer({ tls: SERVER_TLS, script }, async (server) => {
    for (const c of cases) {
      const client = await connect(server);
      const { error } = await failsWith(client.authenticate({ user: 'alice', password: 's3cret' }, c.method ?? 'user'), c.code);
      client.close();
      assert.equal(error.isTransient(), c.transient, `${c.reply}: isTransient`);
      assert.ok(!error.message.includes(c.reply.replace(/^-ERR (\[[^\]]*\] )?/, '')), 'the server text is kept out of our message');
      assert.equal(error.serverText, c.reply.replace(/^-ERR (\[[^\]]*\] ?)?/, ''), `${c.reply}: serverText`);
    }
    assert.deepEqual(server.sessions.flatMap((s) => s.errors), []);
  });
});

test('CR, LF or NUL in a user name is refused before anything is sent, for every login method', BOUND, async () => {
  const users = ['alice\r\nDELE 1', 'alice\nQUIT', 'alice\0admin', 'alice\r'];
  const methods: AuthMethod[] = ['user', 'apop', 'plain', 'login', 'cram-md5', 'scram-sha-256', 'auto'];
  await withServer({ tls: SERVER_TLS, script: [{ send: '+OK ready <1.2@host>\r\n' }, ...capa('USER', 'SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256'), { stall: true }] }, async (server) => {
    for (const method of methods) {
      for (const user of users) {
        const client = await connect(server);
        await failsWith(client.authenticate({ user, password: 's3cret' }, method), 'Protocol');
        client.close();
      }
    }
    noLogin(server);
    assert.ok(server.lines.every((l) => l === 'CAPA'), `only CAPA was sent: ${JSON.stringify(server.lines.filter((l) => l !== 'CAPA'))}`);
  });
});

// ---- Protocol framing -----------------------------------------------------------------------

test('T16 dot-stuffing through a real socket: exactly one leading dot removed, bytes identical', BOUND, async () => {
  const message = Buffer.concat([
    Buffer.from('Subject: dots\r\n\r\n.leading dot\r\n.\r\n..\r\n...three\r\n. space\r\n.\r\nnot the end\r\n', 'latin1'),
    Buffer.from([0x00, 0xff, 0x2e, 0x0d, 0x0a, 0x2e, 0x2e, 0x2e, 0x0d, 0x0a]),
    Buffer.from('end\r\n', 'latin1'),
  ]);
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: Buffer.concat([Buffer.from(`+OK ${message.length} octets\r\n`), stuffed(message)]) }, ...QUIT] }, async (server) => {
    const client = await loggedIn(server);
    const m = collector(1);
    let doneBytes = -1;
    await client.retrMany([m.job], (_job, bytes) => {
      doneBytes = bytes;
    });
    await client.quit();
    assert.deepEqual(m.bytes(), message);
    assert.equal(doneBytes, message.length);
  });
});

test('T17 one byte per write: a whole pipelined session gives the same result, no hang', BOUND, async () => {
  const m1 = Buffer.from('Subject: one\r\n\r\n.\r\n..\r\nbody\r\n', 'latin1');
  const m2 = Buffer.from(`Subject: two\r\n\r\n${'x'.repeat(500)}\r\n.end\r\n`, 'latin1');
  const bytewise = (send: string | Buffer): Step => ({ send, chunkSize: 1 });
  const script: Step[] = [
    bytewise('+OK POP3 ready\r\n'),
    { expect: /^CAPA$/ },
    bytewise('+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n'),
    { expect: /^USER alice$/ },
    bytewise('+OK\r\n'),
    { expect: /^PASS s3cret$/ },
    bytewise('+OK logged in\r\n'),
    { expect: /^STAT$/ },
    bytewise(`+OK 2 ${m1.length + m2.length}\r\n`),
    { expect: /^UIDL$/ },
    bytewise('+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n'),
    { expect: /^LIST$/ },
    bytewise(`+OK\r\n1 ${m1.length}\r\n2 ${m2.length}\r\n.\r\n`),
    // Capabilities are asked again after login; PIPELINING: both RETRs arrive before the first reply.
    { expect: /^CAPA$/ },
    bytewise('+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n'),
    { expect: /^RETR 1$/ },
    { expect: /^RETR 2$/ },
    bytewise(Buffer.concat([Buffer.from(`+OK ${m1.length} octets\r\n`), stuffed(m1), Buffer.from(`+OK ${m2.length} octets\r\n`), stuffed(m2)])),
    { expect: /^DELE 1$/ },
    bytewise('+OK marked\r\n'),
    { expect: /^QUIT$/ },
    bytewise('+OK bye\r\n'),
    { close: true },
  ];
  await withServer({ tls: SERVER_TLS, script }, async (server) => {
    const client = await connect(server);
    assert.equal(client.greeting, 'POP3 ready');
    await client.authenticate({ user: 'alice', password: 's3cret' });
    assert.deepEqual(await client.stat(), { count: 2, size: m1.length + m2.length });
    assert.deepEqual(await client.uidlAll(), [{ n: 1, uidl: 'uid-one' }, { n: 2, uidl: 'uid-two' }]);
    const list = await client.listAll();
    const c1 = collector(1, list[0]!.size);
    const c2 = collector(2, list[1]!.size);
    const done: number[] = [];
    await client.retrMany([c1.job, c2.job], (job) => {
      done.push(job.n);
    });
    assert.deepEqual(done, [1, 2]);
    assert.deepEqual(c1.bytes(), m1);
    assert.deepEqual(c2.bytes(), m2);
    await client.dele(1);
    await client.quit();
    assert.deepEqual(server.sessions[0]!.errors, []);
  });
});

test('T18 only a line of exactly "." ends a response: dot lines in CAPA, empty listings end at once', BOUND, async () => {
  const script: Step[] = [
    GREETING,
    { expect: /^CAPA$/ },
    { send: '+OK Capability list follows\r\nTOP\r\n..capability\r\n..\r\n. \r\n.x\r\nUSER\r\nUIDL\r\n.\r\n' },
    ...LOGIN,
    { expect: /^STAT$/ },
    { send: '+OK 0 0\r\n' },
    { expect: /^UIDL$/ },
    { send: '+OK 0 messages\r\n.\r\n' },
    { expect: /^LIST$/ },
    { send: '+OK 0 messages\r\n.\r\n' },
    ...QUIT,
  ];
  await withServer({ tls: SERVER_TLS, script }, async (server) => {
    const client = await connect(server);
    const caps = await client.capa();
    assert.deepEqual([...caps.keys()], ['TOP', '.CAPABILITY', '.', 'X', 'USER', 'UIDL']);
    await client.authenticate({ user: 'alice', password: 's3cret' }, 'auto');
    assert.deepEqual(await client.stat(), { count: 0, size: 0 });
    // Each ends at once: waiting for more would be an idle Timeout (300 ms here), not [].
    assert.deepEqual(await client.uidlAll(), []);
    assert.deepEqual(await client.listAll(), []);
    await client.quit();
  });
});

test('T19 bare LF lines pass through; a final "." without CRLF is a Timeout and what follows is never a reply', BOUND, async () => {
  // Policy (framer.ts): a line ends at LF, CR before it optional. Bare-LF body
  // lines are kept byte for byte; ".\n" ends a body like ".\r\n".
  const message = Buffer.from('Subject: lf\n\nbare LF line\n+OK 2 200\r\n-ERR [AUTH] fake\n..\nmixed\r\n', 'latin1');
  const onWire = Buffer.from('Subject: lf\n\nbare LF line\n+OK 2 200\r\n-ERR [AUTH] fake\n...\nmixed\r\n.\n', 'latin1');
  await withServer({ tls: SERVER_TLS, script: [GREETING, { expect: /^CAPA$/ }, { send: '+OK\nUSER\nUIDL\n.\n' }, { expect: /^USER alice$/ }, { send: '+OK\n' }, { expect: /^PASS/ }, { send: '+OK in\n' }, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: Buffer.concat([Buffer.from('+OK\n'), onWire]) }, { expect: /^NOOP$/ }, { send: '+OK real\r\n' }, ...QUIT] }, async (server) => {
    const client = await loggedIn(server);
    const m = collector(1);
    await client.retrMany([m.job], () => undefined);
    assert.deepEqual(m.bytes(), message, 'bare LF lines and reply-looking lines stay in the body, byte for byte');
    await client.noop();
    await client.quit();
  });

  // "." without CRLF at the end, then a reply-looking line: the body has not
  // ended, so RETR times out and the injected "+OK" is never DELE's reply.
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK 6 octets\r\nbody\r\n.' }, { waitMs: 50 }, { send: '+OK injected\r\n' }, ...QUIT] }, async (server) => {
    const client = await loggedIn(server);
    const m = collector(1);
    let completed = false;
    const { ms } = await failsWith(
      (async () => {
        await client.retrMany([m.job], () => {
          completed = true;
        });
        await client.dele(1);
      })(),
      'Timeout',
    );
    assert.ok(ms < 2000, `timed out after ${Math.round(ms)} ms`);
    assert.equal(completed, false, 'the message was never reported complete');
    assert.ok(!server.lines.includes('DELE 1'), 'no DELE after an unfinished RETR');
    await failsWith(client.noop(), 'Timeout');
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
  });
});

test('T20 10 MB status line, 200 kB greeting, 1 MB listing line: LimitExceeded, event loop stays responsive', BOUND, async () => {
  const junk = Buffer.alloc(64 * 1024, 'A');
  const cases: { name: string; script: Step[]; run: (server: ScriptedServer) => Promise<unknown> }[] = [
    { name: '200 kB greeting', script: [{ send: `+OK ${'G'.repeat(200 * 1024)}\r\n` }], run: (s) => connect(s) },
    {
      name: '10 MB status line',
      script: [GREETING, { expect: /^CAPA$/ }, { send: '+OK ' }, { flood: junk, totalBytes: 10 * 1024 * 1024 }, { send: '\r\n.\r\n' }],
      run: async (s) => (await connect(s)).capa(),
    },
    {
      name: '1 MB UIDL line',
      script: [...SESSION, { expect: /^UIDL$/ }, { send: '+OK\r\n1 ' }, { flood: junk, totalBytes: 1024 * 1024 }, { send: '\r\n.\r\n' }],
      run: async (s) => (await loggedIn(s, { limits: { maxListingBytes: 256 * 1024 } })).uidlAll(),
    },
  ];
  for (const c of cases) {
    await withServer({ tls: SERVER_TLS, script: [...c.script, { stall: true }] }, async (server) => {
      const watch = loopWatch();
      const { ms } = await failsWith(c.run(server), 'LimitExceeded');
      const worst = watch.stop();
      assert.ok(ms < 3000, `${c.name}: failed after ${Math.round(ms)} ms`);
      assert.ok(worst < 500, `${c.name}: the event loop was blocked for ${Math.round(worst)} ms`);
      await within(server.sessions[0]!.closed, 1000, `${c.name}: the connection closing`);
    });
  }
});

test('T21 RETR far over the LIST size is cut off; a RETR that never ends times out; neither is complete', BOUND, async () => {
  const line = Buffer.from(`${'y'.repeat(998)}\r\n`);
  // LIST says 2 kB, RETR streams 8 MB.
  await withServer({ tls: SERVER_TLS, script: [...SESSION, { expect: /^LIST$/ }, { send: '+OK\r\n1 2048\r\n.\r\n' }, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK 2048 octets\r\n' }, { flood: line, totalBytes: 8 * 1024 * 1024 }, { send: '.\r\n' }, { stall: true }] }, async (server) => {
    const client = await loggedIn(server);
    const [entry] = await client.listAll();
    const m = collector(1, entry!.size);
    let completed = false;
    await failsWith(client.retrMany([m.job], () => {
      completed = true;
    }), 'LimitExceeded');
    assert.equal(completed, false, 'the partial message is never reported complete');
    assert.ok(m.bytes().length < 2048 * 2 + 64 * 1024 + line.length, `${m.bytes().length} bytes reached the sink`);
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
  });
  // No LIST size: maxMessageBytes is the cap.
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK\r\n' }, { flood: line, totalBytes: 8 * 1024 * 1024 }, { stall: true }] }, async (server) => {
    const client = await loggedIn(server, { limits: { maxMessageBytes: 100 * 1024 } });
    const m = collector(1);
    await failsWith(client.retrMany([m.job], () => assert.fail('not complete')), 'LimitExceeded');
    assert.ok(m.bytes().length <= 100 * 1024);
  });
  // A RETR that never ends: some body, then silence.
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK\r\nSubject: x\r\n\r\npartial' }, { stall: true }] }, async (server) => {
    const client = await loggedIn(server);
    const m = collector(1);
    const { ms } = await failsWith(client.retrMany([m.job], () => assert.fail('not complete')), 'Timeout');
    assert.ok(ms < 2000, `timed out after ${Math.round(ms)} ms`);
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
  });
});

// The per-reply deadline (limits.replyBaseMs + size / minReplyBytesPerSecond) ends it.
test('T21 a RETR that trickles a byte just inside the idle timeout is ended by the per-reply deadline', BOUND, async () => {
  const trickle: Step = { flood: Buffer.from('x'), totalBytes: 1024 * 1024, delayMs: 100 };
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK\r\n' }, trickle] }, async (server) => {
    const client = await loggedIn(server, { limits: { replyBaseMs: 500, minReplyBytesPerSecond: 1e9 } });
    const retr = client.retrMany([collector(1, 100).job], () => assert.fail('not complete'));
    retr.catch(() => undefined);
    try {
      // LIST said 100 bytes; at 10 bytes/s the size cap needs ~2 hours. Expect a Timeout long before.
      await within(failsWith(retr, 'Timeout'), 1500, 'a Timeout for a RETR that never ends');
    } finally {
      client.close();
    }
  });
});

test('T22 (engine part) reset mid-RETR or before QUIT\'s +OK: Closed, nothing reported complete or committed', BOUND, async () => {
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK\r\nSubject: x\r\n\r\nhalf a bo' }, { waitMs: 30 }, { reset: true }] }, async (server) => {
    const client = await loggedIn(server);
    const m = collector(1);
    const { error } = await failsWith(client.retrMany([m.job], () => assert.fail('not complete')), 'Closed');
    assert.ok(error.isTransient());
  });
  await withServer({ tls: SERVER_TLS, script: [...SESSION, { expect: /^DELE 1$/ }, { send: '+OK marked\r\n' }, { expect: /^QUIT$/ }, { reset: true }] }, async (server) => {
    const client = await loggedIn(server);
    await client.dele(1);
    await failsWith(client.quit(), 'Closed'); // the caller must not believe the deletion was committed
  });
});

test('T23 UIDLs with spaces, of 80 chars, duplicated are parsed; a malformed line is a Protocol error', BOUND, async () => {
  const long = `${'u'.repeat(79)}Z`;
  const listing = `+OK\r\n1 abc def\r\n2 ${long}\r\n3  abc def \r\n4 dup\r\n5 dup\r\n.\r\n`;
  const malformed = ['1\r\n', 'abc def\r\n', `1 ${'v'.repeat(2000)}\r\n`, '-1 x\r\n', '1 \r\n'];
  const script = (i: number): Step[] => [...SESSION, { expect: /^UIDL$/ }, { send: i === 0 ? listing : `+OK\r\n1 ok\r\n${malformed[i - 1]}.\r\n` }, { stall: true }];
  await withServer({ tls: SERVER_TLS, script }, async (server) => {
    const client = await loggedIn(server);
    assert.deepEqual(await client.uidlAll(), [
      { n: 1, uidl: 'abc def' },
      { n: 2, uidl: long },
      { n: 3, uidl: 'abc def' },
      { n: 4, uidl: 'dup' },
      { n: 5, uidl: 'dup' },
    ]);
    client.close();
    for (const bad of malformed) {
      const c = await loggedIn(server);
      const { error } = await failsWith(c.uidlAll(), 'Protocol');
      assert.ok((error.serverText ?? '').length <= 200, `server text bounded for ${JSON.stringify(bad.slice(0, 20))}`);
      c.close();
    }
  });
});

test('AbortSignal during RETR: Aborted promptly, socket closed, message not complete', BOUND, async () => {
  const trickle: Step = { flood: Buffer.from('more body\r\n'), totalBytes: 1024 * 1024, delayMs: 20 };
  await withServer({ tls: SERVER_TLS, script: [...SESSION, ...RETR_CAPA, { expect: /^RETR 1$/ }, { send: '+OK\r\nSubject: slow\r\n\r\n' }, trickle] }, async (server) => {
    const controller = new AbortController();
    const client = await loggedIn(server, { signal: controller.signal });
    let opened = false;
    const job: RetrJob = {
      n: 1,
      open: () => {
        opened = true;
        setTimeout(() => controller.abort(), 50);
        return () => undefined;
      },
    };
    const retr = client.retrMany([job], () => assert.fail('not complete'));
    const abortedAt = await within(new Promise<number>((resolve) => controller.signal.addEventListener('abort', () => resolve(performance.now()))), 2000, 'the abort');
    await failsWith(retr, 'Aborted');
    const lag = performance.now() - abortedAt;
    assert.ok(opened);
    assert.ok(lag < 250, `rejected ${Math.round(lag)} ms after the abort`);
    await within(server.sessions[0]!.closed, 1000, 'the connection closing');
  });
});
