// The built CLI logging in with an OAuth 2 access token against a real
// Dovecot whose oauth2 passdb asks the test's mock authorization server.
// The CLI runs as a child process asynchronously: the introspection
// endpoint lives in this process and must keep answering meanwhile.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { MockOAuthServer } from '../support/mock-oauth-server';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

let dovecot: Dovecot;
let auth: MockOAuthServer;
let work: string;

before(async () => {
  assert.ok(fs.existsSync(CLI), `build first: ${CLI} is missing`);
  auth = await MockOAuthServer.start({ user: 'alice' });
  dovecot = await startDovecot({ mechanisms: ['plain'], oauth2IntrospectionUrl: auth.endpoints.introspection });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-oauth-cli-'));
  dovecot.deliver('alice', 'Subject: one\r\n\r\nfirst\r\n', 'm1');
  dovecot.deliver('alice', 'Subject: two\r\n\r\nsecond\r\n', 'm2');
});

after(async () => {
  await dovecot?.stop();
  await auth?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base['POP3_PASSWORD'];
    delete base['POP3_OAUTH_TOKEN'];
    execFile(process.execPath, [CLI, ...args], { env: { ...base, POP3_MAIL_TRACE: '1', ...env }, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const fetchArgs = (store: string, method: string, ...more: string[]): string[] => [
  'fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'alice', '--ca', dovecot.caFile,
  '--store', path.join(work, store), '--auth', method, '--json', ...more,
];

const noToken = (r: Run, token: string): void => {
  const all = r.stdout + r.stderr;
  assert.ok(!all.includes(token) && !all.includes(token.slice(3, 40)), 'the token reached the output');
};

test('--auth xoauth2 with POP3_OAUTH_TOKEN fetches; the trace shows the two-line AUTH and no token', async () => {
  const token = auth.issueAccessToken();
  const r = await cli(fetchArgs('a', 'xoauth2'), { POP3_OAUTH_TOKEN: token });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { downloaded: number }).downloaded, 2);
  assert.match(r.stderr, /C: AUTH XOAUTH2\n/);
  noToken(r, token);
});

test('--auth oauthbearer with --token-command takes the first line of the command output', async () => {
  const token = auth.issueAccessToken();
  const file = path.join(work, 'token.txt');
  fs.writeFileSync(file, `${token}\nsecond line is not the token\n`, { mode: 0o600 });
  const r = await cli(fetchArgs('b', 'oauthbearer', '--token-command', 'cat "$TOKEN_FILE"'), { TOKEN_FILE: file });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { downloaded: number }).downloaded, 2);
  noToken(r, token);
});

test('a token the server refuses is exit 3, with the status of the JSON error and no token', async () => {
  for (const [method, status] of [['xoauth2', '401'], ['oauthbearer', 'invalid_token']] as const) {
    const token = auth.issueAccessToken();
    auth.expireAccessTokens();
    const r = await cli(fetchArgs(`c-${method}`, method), { POP3_OAUTH_TOKEN: token });
    assert.equal(r.status, 3, r.stderr);
    assert.ok(r.stderr.includes(`status: ${status}`), r.stderr);
    noToken(r, token);
    assert.ok(!fs.existsSync(path.join(work, `c-${method}`, 'Maildir', 'new')) || fs.readdirSync(path.join(work, `c-${method}`, 'Maildir', 'new')).length === 0);
  }
});

test('a failing --token-command is exit 3 naming its status; no token at all is a usage error', async () => {
  const failing = await cli(fetchArgs('d', 'xoauth2', '--token-command', 'echo secret-ish >&2; exit 4'), {});
  assert.equal(failing.status, 3, failing.stderr);
  assert.match(failing.stderr, /token-command exited with status 4/);
  const empty = await cli(fetchArgs('d', 'xoauth2', '--token-command', 'true'), {});
  assert.equal(empty.status, 3);
  assert.match(empty.stderr, /printed no token/);
  const none = await cli(fetchArgs('d', 'xoauth2'), {});
  assert.equal(none.status, 2);
  assert.match(none.stderr, /POP3_OAUTH_TOKEN/);
  const mixed = await cli([...fetchArgs('d', 'plain'), '--token-command', 'true'], { POP3_PASSWORD: 'x' });
  assert.equal(mixed.status, 2);
});
