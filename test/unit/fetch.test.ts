// T25: a server without UIDL (and without TOP) still syncs without duplicates,
// in a safe mode that never deletes and says so.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { after, test } from 'node:test';
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';
import { testCerts } from '../support/certs';

const MESSAGES = ['Subject: one\r\n\r\nfirst\r\n', 'Subject: two\r\n\r\nsecond\r\n', 'Subject: three\r\n\r\n..third\r\n'];
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A POP3S server with the given commands refused; records what the client sent. */
async function server(refuse: readonly string[]): Promise<{ port: number; sent: string[]; close(): void }> {
  const certs = testCerts();
  const sent: string[] = [];
  const srv = tls.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, (s) => {
    s.write('+OK ready\r\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        sent.push(line);
        const [cmd, arg] = line.split(' ');
        const n = Number(arg);
        if (refuse.includes(cmd!)) s.write('-ERR not supported\r\n');
        else if (cmd === 'CAPA') s.write('+OK\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n');
        else if (cmd === 'LIST') s.write(`+OK\r\n${MESSAGES.map((m, i) => `${i + 1} ${m.length}\r\n`).join('')}.\r\n`);
        else if (cmd === 'TOP') s.write(`+OK\r\n${MESSAGES[n - 1]!.split('\r\n\r\n')[0]}\r\n\r\n.\r\n`);
        else if (cmd === 'RETR') s.write(`+OK\r\n${MESSAGES[n - 1]!.replace(/^\./gm, '..')}.\r\n`);
        else if (cmd === 'QUIT') s.end('+OK bye\r\n');
        else s.write('+OK\r\n');
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, sent, close: () => srv.close() };
}

for (const [name, refuse, mode] of [
  ['no UIDL: matched by headers (TOP)', ['UIDL'], 'headers'],
  ['neither UIDL nor TOP: matched by content', ['UIDL', 'TOP'], 'content'],
] as const) {
  test(`T25 ${name}; no duplicates on the next fetch, nothing deleted, the user is told`, async () => {
    const s = await server(refuse);
    const certs = testCerts();
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-safe-')), 'ca.pem');
    dirs.push(path.dirname(caFile));
    fs.writeFileSync(caFile, certs.ca.cert);
    const dir = path.join(path.dirname(caFile), 'store');
    const account = { name: 'x', host: 'localhost', port: s.port, user: 'u', security: 'tls' as const, caFile };
    try {
      const first = await fetchMail({ account, password: 'p', store: await MailStore.open(dir), retention: { deleteAfterDownload: true } });
      assert.equal(first.plan.mode, mode);
      assert.equal(first.downloaded, 3);
      assert.equal(first.deleted, 0);
      assert.match(first.warnings.join(' '), /nothing is deleted from the server/);
      const second = await fetchMail({ account, password: 'p', store: await MailStore.open(dir), retention: { deleteAfterDownload: true } });
      const store = await MailStore.open(dir);
      assert.equal(store.list().length, 3, 'no message stored twice');
      assert.equal(mode === 'content' ? second.downloaded : second.plan.download.length, mode === 'content' ? 3 : 0);
      assert.ok(!s.sent.some((l) => l.startsWith('DELE')), 'DELE is never sent in safe mode');
      assert.deepEqual(
        store.list().map((m) => m.subject).sort(),
        ['one', 'three', 'two'],
      );
    } finally {
      s.close();
    }
  });
}
