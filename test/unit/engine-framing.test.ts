// The POP3 engine's framing through a real socket (docs/security.md T16-T19,
// T23): dot-stuffing, one byte per write, what ends a multi-line reply, and
// UIDL listings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOUND, capa, collector, connect, failsWith, GREETING, loggedIn, LOGIN, QUIT, RETR_CAPA, SERVER_TLS, SESSION, stuffed, within, withServer } from '../support/engine-scripts';
import type { Step } from '../support/scripted-server';

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

test('DELEs are pipelined when the server offers PIPELINING: a window arrives before the first reply; a refused DELE rejects and no QUIT follows', BOUND, async () => {
  const pipelined = capa('USER', 'UIDL', 'TOP', 'PIPELINING');
  const window = 3;
  const script: Step[] = [
    GREETING,
    ...pipelined,
    ...LOGIN,
    ...pipelined, // deleMany asks CAPA again after login
    // The first window: all three commands are read before any reply is sent.
    { expect: /^DELE 1$/ },
    { expect: /^DELE 2$/ },
    { expect: /^DELE 3$/ },
    { send: '+OK marked\r\n+OK marked\r\n+OK marked\r\n' },
    { expect: /^DELE 4$/ },
    { expect: /^DELE 5$/ },
    { send: '+OK marked\r\n-ERR message 5 already deleted\r\n' },
    // Whatever the client sends next is recorded: it must not be QUIT.
    { waitMs: 300 },
  ];
  await withServer({ tls: SERVER_TLS, script }, async (server) => {
    const client = await loggedIn(server, { limits: { pipelineWindow: window } });
    await failsWith(client.deleMany([1, 2, 3, 4, 5]), 'ServerPerm');
    client.close(); // what the fetch does on any failure before QUIT
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(server.lines.filter((l) => l.startsWith('DELE') || l === 'QUIT'), ['DELE 1', 'DELE 2', 'DELE 3', 'DELE 4', 'DELE 5']);
    assert.deepEqual(server.sessions[0]!.errors, []);
  });
});
