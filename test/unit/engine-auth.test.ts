// The POP3 engine's greeting and login against hostile servers
// (docs/security.md T12-T14): bad greetings, APOP timestamps, which replies
// mean a wrong password, and user names that would inject commands.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apopTimestamp } from '../../src/pop3/auth/apop';
import type { AuthMethod } from '../../src/pop3/auth/types';
import type { Pop3ErrorCode } from '../../src/pop3/errors';
import { serverInfo } from '../../src/pop3/serverinfo';
import { BOUND, capa, certs, connect, failsWith, GREETING, LIMITS, LOGIN, loopWatch, noLogin, QUIT, SERVER_TLS, within, withServer } from '../support/engine-scripts';
import type { Step } from '../support/scripted-server';

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
