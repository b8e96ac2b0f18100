// The POP3 engine's limits against hostile servers (docs/security.md T20-T22):
// huge lines, RETRs that overrun or never end, resets mid-transfer, and
// aborting a RETR. The event loop must stay responsive throughout.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetrJob } from '../../src/pop3/client';
import { BOUND, collector, connect, failsWith, GREETING, loggedIn, loopWatch, RETR_CAPA, SERVER_TLS, SESSION, within, withServer } from '../support/engine-scripts';
import { ScriptedServer, type Step } from '../support/scripted-server';

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
