import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { parseName, pathFor, uniqueName } from '../../src/store/maildir';
import { isPortableName, MAX_NAME, portableFolderName, splitInfo } from '../../src/store/naming';
import { MailStore } from '../../src/store/store';
import { accountKey } from '../../src/sync/account';
import { Prng } from '../support/prng';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-naming-'));
  dirs.push(d);
  return d;
}

const mail = (subject: string): Buffer => Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n`);

test('flags are read after ":2," and "!2,"; anything else is part of the unique name', () => {
  assert.deepEqual(splitInfo('123.M1P2Q3.host:2,ST'), { base: '123.M1P2Q3.host', flags: 'ST' });
  assert.deepEqual(splitInfo('123.M1P2Q3.host!2,S'), { base: '123.M1P2Q3.host', flags: 'S' });
  assert.deepEqual(splitInfo('123.host!2,'), { base: '123.host', flags: '' });
  assert.deepEqual(splitInfo('a!b:2,S'), { base: 'a!b', flags: 'S' }, 'the last separator counts');
  assert.deepEqual(splitInfo('a:2,S!x'), { base: 'a:2,S!x', flags: '' }, 'not a flag suffix: no flags');
  assert.deepEqual(splitInfo('a!1,S'), { base: 'a!1,S', flags: '' }, 'only version 2 info');
  assert.deepEqual(splitInfo('a:2,S1'), { base: 'a:2,S1', flags: '' });
  assert.deepEqual(splitInfo('plain'), { base: 'plain', flags: '' });
  const p = parseName(`${uniqueName('uid-9', true)}!2,ST`);
  assert.equal(p.uidlKey, 'uid-9');
  assert.equal(p.partial, true);
  assert.equal(p.seen, true);
  assert.equal(p.trashed, true);
});

test('a long run of separators is split in one pass (untrusted names from other tools)', () => {
  const name = `${'!'.repeat(200_000)}2,${'S'.repeat(200_000)}`;
  assert.equal(splitInfo(name).flags.length, 200_000);
  assert.equal(splitInfo(`${':2,'.repeat(100_000)}x-`).flags, '');
});

test('pathFor spells the separator by naming; new/ names have none', () => {
  assert.equal(pathFor('b', { seen: true, trashed: false }, 'posix'), path.join('cur', 'b:2,S'));
  assert.equal(pathFor('b', { seen: true, trashed: true }, 'windows'), path.join('cur', 'b!2,ST'));
  assert.equal(pathFor('b', { seen: false, trashed: false }, 'windows'), path.join('new', 'b'));
});

test('every message name is a Windows file name under 255 bytes, for any UIDL and flags', () => {
  const rng = new Prng(1414);
  const uidls = ['1', 'a'.repeat(100), 'b'.repeat(101), 'x'.repeat(5000), 'CON', 'NUL.txt', 'a:b|c*d?e"f<g>h\\i/j', ' trailing. ', '\u00e9\u4e2d\u{1F600}'];
  for (let i = 0; i < 300; i++) {
    const len = 1 + rng.int(120);
    let u = '';
    for (let k = 0; k < len; k++) u += String.fromCharCode(0x21 + rng.int(0x5e));
    uidls.push(u);
  }
  for (const uidl of uidls) {
    for (const partial of [false, true]) {
      const base = uniqueName(uidl, partial);
      for (const flags of [{ seen: true, trashed: true }, { seen: false, trashed: false }]) {
        const name = path.basename(pathFor(base, flags, 'windows'));
        assert.ok(isPortableName(name), `not portable: ${name}`);
        assert.ok(Buffer.byteLength(name) <= MAX_NAME);
        const back = parseName(name);
        assert.equal(back.partial, partial);
        assert.equal(back.seen, flags.seen);
      }
    }
  }
});

test('reserved device names, forbidden characters, trailing dots and overlong keys become portable folder names; portable keys stay as they are', () => {
  for (const key of ['alice@example.com%3a995', accountKey({ user: 'a b', host: 'pop.example.com', port: 995 })]) assert.equal(portableFolderName(key), key);
  const cases = ['CON', 'con.x@host%3a995', 'nul', 'Com1.txt', 'LPT9', 'a:b', 'a|b?', 'trail.', 'trail ', '..', 'x'.repeat(400), '\u00e9'.repeat(200)];
  const names = new Set<string>();
  for (const key of cases) {
    const name = portableFolderName(key);
    assert.ok(isPortableName(name), `${JSON.stringify(key)} -> ${JSON.stringify(name)}`);
    names.add(name);
  }
  assert.equal(names.size, cases.length, 'different keys, different folders');
  assert.equal(isPortableName('CONOUT$'), false);
  assert.equal(isPortableName('console'), true, 'only the exact device names are reserved');
});

test('a store written with ":" opens under the Windows naming (and back): flags read, changed flags get the new separator', async () => {
  const dir = tmp();
  const posix = await MailStore.open(dir, { naming: 'posix' });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const w = posix.begin(`u${i}`);
    w.write(mail(`m${i}`));
    ids.push(posix.commit(w).id);
  }
  posix.setSeen(ids[0]!, true);
  posix.trash(ids[1]!);
  posix.close();
  fs.rmSync(path.join(dir, 'index.jsonl')); // reading the Maildir itself, not the index

  const windows = await MailStore.open(dir, { naming: 'windows' });
  assert.equal(windows.get(ids[0]!)?.seen, true);
  assert.equal(windows.get(ids[1]!)?.trashed, true);
  assert.equal(windows.list().length, 3);
  assert.match(windows.setSeen(ids[2]!, true).file, /!2,S$/);
  assert.match(windows.setSeen(ids[0]!, false).file, /^new/);
  assert.match(windows.restore(ids[1]!).file, /^new/);
  windows.trash(ids[3]!);
  windows.close();
  const cur = fs.readdirSync(path.join(dir, 'Maildir', 'cur'));
  assert.equal(cur.length, 2, cur.join());
  assert.ok(cur.every((n) => n.endsWith('!2,S') || n.endsWith('!2,T')), cur.join());

  fs.rmSync(path.join(dir, 'index.jsonl'));
  const again = await MailStore.open(dir, { naming: 'posix' });
  assert.deepEqual(
    [...again.all()].map((m) => [m.subject, m.seen, m.trashed === true]).sort(),
    [['m0', false, false], ['m1', false, false], ['m2', true, false], ['m3', false, true]],
  );
  assert.match(again.setSeen(ids[3]!, true).file, /:2,ST$/);
});
