// Account settings from an e-mail address: built-in presets, RFC 6186 SRV
// through an injected resolver, and autoconfig documents from a local HTTPS
// server (a real TLS server with a test CA; the names resolve to 127.0.0.1
// through the getter's lookup). Hostile documents are refused with a reason.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { discover, type SrvRecord } from '../../src/autoconfig/discover';
import { httpsGetter } from '../../src/autoconfig/https-get';
import { parseAutoconfig } from '../../src/autoconfig/xml';
import { testCerts } from '../support/certs';

const certs = testCerts();
let server: https.Server;
let port: number;
/** What the server answers, per SNI host name and path. */
const routes = new Map<string, (res: import('node:http').ServerResponse) => void>();

function leaf(names: string[]): { key: string; cert: string } {
  const dir = certs.dir;
  const ext = path.join(dir, 'autoconfig.ext');
  fs.writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ac.key', '-out', 'ac.csr', '-subj', '/CN=autoconfig']);
  run(['x509', '-req', '-in', 'ac.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '77', '-days', '2', '-sha256', '-extfile', ext, '-out', 'ac.crt']);
  return { key: fs.readFileSync(path.join(dir, 'ac.key'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'ac.crt'), 'utf8') };
}

before(async () => {
  const names = ['autoconfig.good.test', 'good.test', 'autoconfig.fallback.test', 'fallback.test', 'autoconfig.evil.test', 'autoconfig.huge.test', 'autoconfig.plain.test', 'autoconfig.redirect.test', 'autoconfig.dtd.test'];
  server = https.createServer(leaf(names), (req, res) => {
    const host = (req.socket as import('node:tls').TLSSocket).servername || '';
    const route = routes.get(`${host}${new URL(req.url ?? '/', 'https://x').pathname}`);
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (): ReturnType<typeof httpsGetter> => httpsGetter({ ca: certs.ca.cert, lookupAddress: '127.0.0.1', connectPort: port, timeoutMs: 3000 });
const noSrv = async (): Promise<SrvRecord[]> => {
  throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
};
const xml = (host: string, socketType = 'SSL', extra = ''): string => `<?xml version="1.0"?>
<clientConfig version="1.1"><!-- a comment -->
  <emailProvider id="x"><domain>x</domain>
    <incomingServer type="imap"><hostname>imap.${host}</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="pop3"><hostname>${host}</hostname><port>995</port><socketType>${socketType}</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>${extra}
  </emailProvider></clientConfig>`;
const serve = (body: string, status = 200, headers: Record<string, string> = {}) => (res: import('node:http').ServerResponse): void => {
  res.writeHead(status, { 'content-type': 'text/xml', ...headers }).end(body);
};

test('built-in presets come first and say so; iCloud has no POP', async () => {
  const g = await discover('someone@gmail.com', { resolveSrv: noSrv, get: get() });
  assert.deepEqual(g.settings, { host: 'pop.gmail.com', port: 995, security: 'tls', user: 'someone@gmail.com', login: 'oauth', oauthProvider: 'google' });
  assert.equal(g.sources.host, 'built-in preset (Gmail)');
  assert.ok(g.notes.some((n) => n.includes('When messages are accessed with POP')));
  assert.ok(g.notes.some((n) => n.includes('recent:')));
  const ms = await discover('a@Hotmail.com');
  assert.equal(ms.settings?.host, 'outlook.office365.com');
  assert.equal(ms.settings?.oauthProvider, 'microsoft');
  for (const [address, host] of [['a@yahoo.com', 'pop.mail.yahoo.com'], ['a@aol.com', 'pop.aol.com'], ['a@gmx.de', 'pop.gmx.net'], ['a@web.de', 'pop3.web.de'], ['a@mail.ru', 'pop.mail.ru'], ['a@yandex.ru', 'pop.yandex.com'], ['a@zoho.com', 'pop.zoho.com']]) {
    assert.equal((await discover(address!)).settings?.host, host, address);
  }
  const icloud = await discover('a@icloud.com');
  assert.equal(icloud.noPop, true);
  assert.equal(icloud.settings, undefined);
  assert.match(icloud.notes.join(' '), /IMAP only, no POP3/);
  await assert.rejects(discover('not-an-address'), /not an e-mail address/);
});

test('RFC 6186 SRV: _pop3s first; a "." target means not offered, then _pop3 with STARTTLS', async () => {
  const asked: string[] = [];
  const tls = await discover('me@srv.test', {
    resolveSrv: async (name) => {
      asked.push(name);
      return [{ name: 'pop-b.srv.test', port: 995, priority: 20, weight: 0 }, { name: 'pop-a.srv.test', port: 995, priority: 10, weight: 0 }];
    },
    get: get(),
  });
  assert.deepEqual(asked, ['_pop3s._tcp.srv.test']);
  assert.equal(tls.settings?.host, 'pop-a.srv.test');
  assert.equal(tls.settings?.security, 'tls');
  assert.match(tls.sources.host!, /^DNS SRV _pop3s\._tcp\.srv\.test/);
  const plain = await discover('me@srv.test', {
    resolveSrv: async (name) => (name.startsWith('_pop3s') ? [{ name: '.', port: 0, priority: 0, weight: 0 }] : [{ name: 'mail.srv.test.', port: 110, priority: 0, weight: 0 }]),
    get: get(),
  });
  assert.deepEqual([plain.settings?.host, plain.settings?.port, plain.settings?.security], ['mail.srv.test', 110, 'starttls']);
});

test('autoconfig over HTTPS: the POP server of the document, and where it came from; the .well-known URL as fallback', async () => {
  routes.set('autoconfig.good.test/mail/config-v1.1.xml', serve(xml('pop.good.test')));
  const r = await discover('me@good.test', { resolveSrv: noSrv, get: get() });
  assert.deepEqual(r.settings, { host: 'pop.good.test', port: 995, security: 'tls', user: 'me@good.test', login: 'password' });
  assert.equal(r.sources.host, 'https://autoconfig.good.test/mail/config-v1.1.xml');
  routes.set('fallback.test/.well-known/autoconfig/mail/config-v1.1.xml', serve(xml('fallback.test', 'STARTTLS').replace('995', '110')));
  const f = await discover('me@fallback.test', { resolveSrv: noSrv, get: get() });
  assert.deepEqual([f.settings?.host, f.settings?.security, f.sources.port], ['fallback.test', 'starttls', 'https://fallback.test/.well-known/autoconfig/mail/config-v1.1.xml']);
});

test('hostile documents are refused with a clear reason: another domain, plain POP, a redirect, huge, a DTD', async () => {
  routes.set('autoconfig.evil.test/mail/config-v1.1.xml', serve(xml('pop.attacker.example')));
  const evil = await discover('me@evil.test', { resolveSrv: noSrv, get: get() });
  assert.equal(evil.settings, undefined);
  assert.match(evil.refused.join('\n'), /another domain \(pop\.attacker\.example\); refused/);

  routes.set('autoconfig.plain.test/mail/config-v1.1.xml', serve(xml('pop.plain.test', 'plain')));
  assert.match((await discover('me@plain.test', { resolveSrv: noSrv, get: get() })).refused.join('\n'), /only an unencrypted POP server/);

  routes.set('autoconfig.redirect.test/mail/config-v1.1.xml', serve('', 301, { location: 'http://autoconfig.redirect.test/mail/config-v1.1.xml' }));
  const redirect = await discover('me@redirect.test', { resolveSrv: noSrv, get: get() });
  assert.equal(redirect.settings, undefined);
  assert.match(redirect.refused.join('\n'), /redirects are not followed/);

  const big = xml('pop.huge.test', 'SSL', `<x>${'a'.repeat(300 * 1024)}</x>`);
  routes.set('autoconfig.huge.test/mail/config-v1.1.xml', (res) => {
    res.writeHead(200, { 'content-type': 'text/xml' }); // no length: the cap applies while reading
    res.end(big);
  });
  const huge = await discover('me@huge.test', { resolveSrv: noSrv, get: get() });
  assert.equal(huge.settings, undefined);
  assert.match(huge.refused.join('\n'), /larger than 102400 bytes; refused/);

  routes.set('autoconfig.dtd.test/mail/config-v1.1.xml', serve(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${xml('pop.dtd.test')}`));
  assert.match((await discover('me@dtd.test', { resolveSrv: noSrv, get: get() })).refused.join('\n'), /DTDs and CDATA are not accepted/);
});

test('plain http is never fetched', async () => {
  await assert.rejects(get()('http://autoconfig.good.test/mail/config-v1.1.xml'), /not HTTPS/);
});

test('the XML scanner runs in linear time on hostile input', () => {
  const n = 1_000_000;
  for (const input of ['<'.repeat(n), `<a>${'&'.repeat(n)}</a>`, `<a b="${'x'.repeat(n)}`, `${'<a>'.repeat(31)}${'x'.repeat(n)}`, '<!--'.repeat(n / 4), `<a ${'c="d" '.repeat(n / 6)}>`]) {
    const started = process.hrtime.bigint();
    try {
      parseAutoconfig(input);
    } catch {
      // refusing is fine; hanging is not
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `${ms} ms on ${input.slice(0, 20)}...`);
  }
  assert.throws(() => parseAutoconfig('<a>'.repeat(40)), /nested too deeply|never closed/);
  assert.throws(() => parseAutoconfig(`<r>${'<a/>'.repeat(6000)}</r>`), /too many elements/);
  assert.deepEqual(parseAutoconfig(xml('pop.good.test')).pop[0]?.hostname, 'pop.good.test');
});
