// T11 (docs/security.md): there is no way to "just ignore certificate
// errors". Node's process-wide NODE_TLS_REJECT_UNAUTHORIZED=0, which other
// tools tell users to set, must not make the engine accept a certificate it
// would refuse: only a pin of the fingerprint the user saw does.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { CertificateError } from '../../src/pop3/transport';
import { testCerts } from '../support/certs';
import { ScriptedServer } from '../support/scripted-server';

const certs = testCerts();
const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
after(() => {
  if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
});

const LIMITS = { idleTimeoutMs: 300, greetingTimeoutMs: 300, tlsTimeoutMs: 500, connectTimeoutMs: 500 };

for (const [label, tls, host] of [
  ['a self-signed certificate', { key: certs.selfSigned.key, cert: certs.selfSigned.cert }, 'localhost'],
  ['a certificate for another host name', { key: certs.wrongHost.key, cert: certs.wrongHost.cert }, 'localhost'],
] as const) {
  test(`NODE_TLS_REJECT_UNAUTHORIZED=0 does not let ${label} through`, { timeout: 10_000 }, async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const server = await ScriptedServer.start({ tls, script: [{ send: '+OK POP3 ready\r\n' }] });
    try {
      await assert.rejects(
        Pop3Client.connect({ host, port: server.port, ca: certs.ca.cert, limits: LIMITS }),
        (error: unknown) => error instanceof CertificateError,
      );
      assert.equal(server.sessions[0]?.bytesReceived ?? 0, 0, 'not one protocol byte was written');
    } finally {
      await server.close();
    }
  });
}
