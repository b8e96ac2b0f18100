// `pop3-mail search`: builds the index of a store that has none, prints
// matches like `list` plus a terminal-safe snippet, --json for scripts, and
// rebuilds a damaged index.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { INDEX_FILE } from '../../src/search/index-file';
import { MailStore } from '../../src/store/store';

const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-cli-search-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const msg = (subject: string, body: string, date: string): Buffer =>
  Buffer.from(`From: Build Bot <ci@example.com>\r\nSubject: ${subject}\r\nDate: ${date}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${body}\r\n`, 'utf8');

test('search builds the index, prints matches with snippets, and --json for scripts', async () => {
  const store = await MailStore.open(dir);
  for (const [uidl, raw] of [
    ['u1', msg('Build #12 failed', 'The linker step fail=\r\ned with exit 3 =E2=80=94 see the lo=\r\ng.', 'Mon, 2 Nov 2026 10:00:00 +0000')],
    ['u2', msg('Lunch', 'Caf=C3=A9 at noon? \x1b]52;c;evil\x07 ok', 'Tue, 3 Nov 2026 10:00:00 +0000')],
  ] as const) {
    const w = store.begin(uidl);
    w.write(raw);
    store.commitUnsynced(w);
  }
  store.close();

  const text = cli('search', 'failed', '--store', dir);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^2026-11-02 {2}Build Bot +Build #12 failed {2}\[/);
  assert.equal(lines[1], '    The linker step failed with exit 3 \u2014 see the log.');
  assert.ok(fs.existsSync(path.join(dir, INDEX_FILE)), 'the index was built and saved');

  const json = cli('search', 'cafe', '--store', dir, '--json');
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { total: number; results: { uidl: string; subject: string; from: { address: string }; date: string; snippet: string; highlights: [number, number][] }[] };
  assert.equal(parsed.total, 1);
  assert.equal(parsed.results[0]!.uidl, 'u2');
  assert.equal(parsed.results[0]!.subject, 'Lunch');
  assert.equal(parsed.results[0]!.from.address, 'ci@example.com');
  assert.equal(parsed.results[0]!.date, '2026-11-03T10:00:00.000Z');
  const [s, e] = parsed.results[0]!.highlights[0]!;
  assert.equal(parsed.results[0]!.snippet.slice(s, e), 'Café');

  // The escape sequence in the body never reaches the terminal.
  const escaped = cli('search', 'noon', '--store', dir);
  assert.equal(escaped.code, 0);
  assert.ok(!escaped.stdout.includes('\x1b'));
  assert.match(escaped.stdout, /Café at noon\? +ok/);
  assert.ok(!escaped.stdout.includes('evil'));

  assert.equal(cli('search', 'nothing-like-this', '--store', dir).stdout, '');
});

test('a damaged index is rebuilt and says so; a query is required', () => {
  fs.writeFileSync(path.join(dir, INDEX_FILE), 'not an index');
  const r = cli('search', 'linker', '--store', dir, '--json');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /damaged/);
  assert.equal((JSON.parse(r.stdout) as { total: number }).total, 1);
  assert.equal(cli('search', '--store', dir).code, 2);
});
