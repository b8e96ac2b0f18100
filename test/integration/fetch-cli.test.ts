// The CLI against a real Dovecot POP3S server on loopback: what is stored is
// byte-identical to what was delivered, and a second fetch downloads nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { generateMailbox } from '../support/mailgen';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

let dovecot: Dovecot;
let work: string;
const delivered: Buffer[] = generateMailbox(42, 60);

before(async () => {
  assert.ok(fs.existsSync(CLI), `build first: ${CLI} is missing`);
  dovecot = await startDovecot();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-mail-it-'));
  delivered.forEach((raw, i) => dovecot.deliver('alice', raw, `msg${String(i).padStart(4, '0')}`));
  // Edge cases of framing, delivered as files so Dovecot dot-stuffs them on the wire (T16).
  delivered.push(Buffer.from('Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\n...\r\nlast line without dot\r\n'));
  dovecot.deliver('alice', delivered[delivered.length - 1]!, 'msg9998');
  delivered.push(Buffer.from('Subject: empty body\r\n\r\n'));
  dovecot.deliver('alice', delivered[delivered.length - 1]!, 'msg9999');
});

after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], password = 's3cret'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, POP3_PASSWORD: password },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fetchArgs = (store: string): string[] =>
  ['fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'alice', '--ca', dovecot.caFile, '--store', store, '--json'];

function storedFiles(store: string): Buffer[] {
  const dir = path.join(store, 'Maildir', 'new');
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)));
}

test('fetch stores every message byte-identical to what was delivered, then a re-fetch downloads nothing', () => {
  const store = path.join(work, 'store-a');
  const first = cli(fetchArgs(store));
  assert.equal(first.status, 0, first.stderr);
  const result = JSON.parse(first.stdout) as { downloaded: number; onServer: number; bytes: number };
  assert.equal(result.downloaded, delivered.length);
  assert.equal(result.onServer, delivered.length);

  const key = (b: Buffer): string => b.toString('base64');
  assert.deepEqual(storedFiles(store).map(key).sort(), delivered.map(key).sort());
  assert.deepEqual(fs.readdirSync(path.join(store, 'Maildir', 'tmp')), [], 'nothing left in tmp/');

  const second = cli(fetchArgs(store));
  assert.equal(second.status, 0, second.stderr);
  assert.equal((JSON.parse(second.stdout) as { downloaded: number }).downloaded, 0);
  assert.equal(storedFiles(store).length, delivered.length);
});

test('list --json gives id, uidl, subject, sender, ISO date and size from the index', () => {
  const store = path.join(work, 'store-a');
  const r = cli(['list', '--store', store, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { id: string; uidl: string; subject: string; from: { name: string; address: string }; date: string; size: number }[];
  assert.equal(rows.length, delivered.length);
  const dots = rows.find((x) => x.subject === 'dots');
  assert.ok(dots, 'the dot-stuffing message is listed');
  assert.equal(dots.size, delivered[delivered.length - 2]!.length);
  for (const row of rows) {
    assert.match(row.id, /^[0-9a-f]{24}$/);
    assert.ok(row.uidl.length > 0);
    if (row.date) assert.equal(new Date(row.date).toISOString(), row.date);
  }
  const dated = rows.filter((x) => x.date);
  assert.ok(dated.length >= delivered.length - 2, 'generated messages have dates');
  assert.deepEqual(dated.map((x) => x.date), [...dated.map((x) => x.date)].sort().reverse(), 'newest first');
});

test('show ID --json gives headers, text and attachments with safe names, from the editor\'s parser', () => {
  const store = path.join(work, 'store-a');
  const rows = JSON.parse(cli(['list', '--store', store, '--json']).stdout) as { id: string; subject: string }[];
  const dots = rows.find((x) => x.subject === 'dots')!;
  const r = cli(['show', dots.id, '--store', store, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { subject: string; text: string; attachments: unknown[]; security: string };
  assert.equal(shown.subject, 'dots');
  assert.equal(shown.text, '.\n..\n.leading\n...\nlast line without dot\n');
  assert.deepEqual(shown.attachments, []);
  assert.equal(shown.security, 'Fetched over TLS (POP3S), certificate verified with your CA file');
  const withAttachment = rows.map((x) => JSON.parse(cli(['show', x.id, '--store', store, '--json']).stdout) as { attachments: { name: string; size: number }[] }).find((m) => m.attachments.length > 0);
  assert.ok(withAttachment, 'a generated message with an attachment');
  for (const a of withAttachment.attachments) assert.ok(a.name.length > 0 && !/[/\\]/.test(a.name) && a.size > 0);
  assert.equal(cli(['show', 'no-such-id', '--store', store, '--json']).status, 2);
});

test('a wrong password exits 3 with one clear line on stderr and stores nothing', () => {
  const store = path.join(work, 'store-b');
  const r = cli(fetchArgs(store), 'wrong');
  assert.equal(r.status, 3, r.stderr);
  const err = JSON.parse(r.stderr.trim()) as { error: string; message: string };
  assert.equal(err.error, 'AuthFailed');
  assert.ok(!r.stderr.includes('wrong'), 'the password is not echoed');
  assert.deepEqual(storedFiles(store), []);
});

test('an untrusted certificate (no --ca) exits 4 before logging in', () => {
  const store = path.join(work, 'store-c');
  const args = fetchArgs(store).filter((a, i, all) => a !== '--ca' && all[i - 1] !== '--ca');
  const r = cli(args);
  assert.equal(r.status, 4, r.stderr);
  assert.equal((JSON.parse(r.stderr.trim()) as { error: string }).error, 'Tls');
});

test('a closed port exits 5; a missing option exits 2', () => {
  const r = cli(['fetch', '--host', '127.0.0.1', '--port', '1', '--user', 'alice', '--store', path.join(work, 'x'), '--json']);
  assert.equal(r.status, 5, r.stderr);
  assert.equal(cli(['fetch', '--host', 'localhost']).status, 2);
});
