import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { Pop3Error } from '../../src/pop3/errors';
import type { AccountConfig } from '../../src/sync/account';
import { connectOptions } from '../../src/sync/connect';

const account: AccountConfig = { name: 'Work', host: 'mail.example', port: 995, user: 'u', security: 'tls' };

test('connectOptions: host, port, security, pin and signal of the account; no CA without a CA file', () => {
  const signal = new AbortController().signal;
  const o = connectOptions({ ...account, security: 'starttls', port: 110, pin: 'AB:CD' }, { signal });
  assert.equal(o.host, 'mail.example');
  assert.equal(o.port, 110);
  assert.equal(o.security, 'starttls');
  assert.equal(o.pin, 'AB:CD');
  assert.equal(o.signal, signal);
  assert.equal(o.ca, undefined);
  assert.equal(o.trace, undefined);
});

test('connectOptions: the CA file is read; trace lines carry the direction', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-connect-'));
  try {
    const file = path.join(dir, 'ca.pem');
    fs.writeFileSync(file, '-----BEGIN CERTIFICATE-----\n');
    const lines: string[] = [];
    const o = connectOptions({ ...account, caFile: file }, { trace: (l) => lines.push(l) });
    assert.equal(String(o.ca), '-----BEGIN CERTIFICATE-----\n');
    o.trace!('C', 'CAPA');
    assert.deepEqual(lines, ['C: CAPA']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('connectOptions: an unreadable CA file is one Tls error naming the file, before any connection', () => {
  const missing = path.join(os.tmpdir(), 'pop3-no-such-dir', 'ca.pem');
  assert.throws(
    () => connectOptions({ ...account, caFile: missing }),
    (e: unknown) => Pop3Error.is(e, 'Tls') && e.message.includes(missing) && e.message.startsWith('Cannot read the CA file'),
  );
});
