// The cached TLS context for an extra CA file (src/pop3/secure-context.ts):
// it trusts a chain to that CA, still trusts nothing else, is reused for the
// same CA, and never adds the CA to the process's default trust (which every
// other connection of the extension host uses).

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { after, before, test } from 'node:test';
import { secureContextWith } from '../../src/pop3/secure-context';
import { testCerts, type TestCerts } from '../support/certs';

let certs: TestCerts;
const servers: tls.Server[] = [];

before(() => {
  certs = testCerts();
});

after(() => {
  for (const s of servers) s.close();
});

/** A loopback TLS server presenting `pair`; resolves to its port. */
async function serve(pair: { cert: string; key: string }): Promise<number> {
  const server = tls.createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Whether the handshake verified the server's chain, with these client options. */
function authorized(port: number, options: tls.ConnectionOptions): Promise<{ ok: boolean; error: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options }, () => {
      resolve({ ok: s.authorized, error: String(s.authorizationError ?? '') });
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('a context with the extra CA verifies a chain to it and refuses a self-signed certificate', async () => {
  const good = await serve(certs.localhost);
  const selfSigned = await serve(certs.selfSigned);
  const ctx = secureContextWith(certs.ca.cert);
  assert.deepEqual(await authorized(good, { secureContext: ctx }), { ok: true, error: '' });
  const refused = await authorized(selfSigned, { secureContext: ctx });
  assert.equal(refused.ok, false);
  assert.match(refused.error, /SELF_SIGNED|UNABLE_TO_VERIFY/);
});

test('the extra CA does not leak into the default trust of other connections', async () => {
  const good = await serve(certs.localhost);
  secureContextWith(certs.ca.cert);
  const plain = await authorized(good, {});
  assert.equal(plain.ok, false, 'a connection without the CA file must not trust the test CA');
  const fresh = await authorized(good, { secureContext: tls.createSecureContext() });
  assert.equal(fresh.ok, false);
});

test('the same CA gives the same context; another CA gives another', () => {
  const a = secureContextWith(certs.ca.cert);
  assert.equal(secureContextWith(certs.ca.cert), a);
  assert.notEqual(secureContextWith(certs.selfSigned.cert), a);
});

test('the context refuses TLS 1.1', async () => {
  const server = tls.createServer({ cert: certs.localhost.cert, key: certs.localhost.key, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await assert.rejects(authorized(port, { secureContext: secureContextWith(certs.ca.cert) }));
});
