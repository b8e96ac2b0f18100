// The POP3 engine against bad certificates (docs/security.md T06-T10):
// self-signed, wrong host name, a pin that differs, SNI and old TLS versions.

import assert from 'node:assert/strict';
import tls from 'node:tls';
import { test } from 'node:test';
import { Pop3Client } from '../../src/pop3/client';
import { CertificateError } from '../../src/pop3/transport';
import { BOUND, capa, certs, connect, failsWith, GREETING, LOGIN, noLogin, QUIT, SERVER_TLS, within, withServer } from '../support/engine-scripts';

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
