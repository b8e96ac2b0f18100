// Retention and download policies against a real Dovecot, with an injected
// clock: what is deleted from the server, by which rule, and when.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { MailStore } from '../../src/store/store';
import { fetchMail, type FetchOptions } from '../../src/sync/fetch';
import { downloadFull } from '../../src/sync/full';
import { DAY_MS } from '../../src/sync/policy';
import { startDovecot, type Dovecot } from '../support/dovecot';

let dovecot: Dovecot;
let work: string;
const USERS = ['days', 'trash', 'size', 'newest', 'migrate', 'dry', 'now'];

before(async () => {
  dovecot = await startDovecot({ users: USERS.map((user) => ({ user, password: 'pw' })) });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-policy-'));
});
after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const msg = (uidl: string, subject: string, bodyBytes = 100): string =>
  `X-UIDL: ${uidl}\r\nFrom: test@example.org\r\nSubject: ${subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n${'b'.repeat(bodyBytes)}\r\n`;

function onServer(user: string): string[] {
  const dir = dovecot.maildir(user);
  return ['new', 'cur'].flatMap((sub) => (fs.existsSync(path.join(dir, sub)) ? fs.readdirSync(path.join(dir, sub)) : [])).sort();
}

async function sync(user: string, clock: { t: number }, extra: Partial<FetchOptions> = {}): Promise<Awaited<ReturnType<typeof fetchMail>>> {
  const store = await MailStore.open(path.join(work, user), { now: () => clock.t });
  return fetchMail({
    account: { name: user, host: 'localhost', port: dovecot.pop3sPort, user, security: 'tls', caFile: dovecot.caFile },
    password: 'pw',
    store,
    now: () => clock.t,
    ...extra,
  });
}

test('delete from the server after N days, by download time, on the injected clock', async () => {
  const clock = { t: Date.parse('2026-11-01T00:00:00Z') };
  dovecot.deliver('days', msg('d1', 'one'), 'd1');
  dovecot.deliver('days', msg('d2', 'two'), 'd2');
  const retention = { deleteAfterDays: 7 };
  assert.equal((await sync('days', clock, { retention })).downloaded, 2);
  clock.t += 3 * DAY_MS;
  dovecot.deliver('days', msg('d3', 'three'), 'd3');
  const r2 = await sync('days', clock, { retention });
  assert.equal(r2.deleted, 0, 'nothing is 7 days old yet');
  clock.t += 5 * DAY_MS; // d1, d2 are 8 days old; d3 is 5
  const r3 = await sync('days', clock, { retention });
  assert.deepEqual(r3.plan.delete.map((d) => [d.uidl, d.rule]), [['d1', 'after-days'], ['d2', 'after-days']]);
  assert.equal(r3.deleted, 2);
  assert.equal(onServer('days').length, 1);
  const store = await MailStore.open(path.join(work, 'days'));
  assert.equal(store.list().length, 3, 'the local copies stay');
});

test('delete from the server when deleted locally; the local copy then goes too', async () => {
  const clock = { t: Date.now() };
  dovecot.deliver('trash', msg('t1', 'keep'), 't1');
  dovecot.deliver('trash', msg('t2', 'bin'), 't2');
  const retention = { deleteWhenDeletedLocally: true };
  await sync('trash', clock, { retention });
  const store = await MailStore.open(path.join(work, 'trash'));
  store.trash(store.byUidl('t2')!.id);
  const r = await sync('trash', clock, { retention });
  assert.deepEqual(r.plan.delete.map((d) => [d.uidl, d.rule]), [['t2', 'deleted-locally']]);
  assert.equal(onServer('trash').length, 1);
  const after = await MailStore.open(path.join(work, 'trash'));
  assert.equal(after.byUidl('t2'), undefined);
  assert.equal(after.list().length, 1);
  assert.equal((await sync('trash', clock, { retention })).downloaded, 0, 'nothing comes back');
});

test('leave on server: a message deleted locally is not downloaded again', async () => {
  const clock = { t: Date.now() };
  dovecot.deliver('now', msg('n1', 'stay'), 'n1');
  await sync('now', clock);
  const store = await MailStore.open(path.join(work, 'now'));
  store.trash(store.byUidl('n1')!.id);
  const r = await sync('now', clock);
  assert.equal(r.downloaded, 0);
  assert.equal(r.deleted, 0);
  assert.equal(onServer('now').length, 1);
});

test('size limit: headers only with a snippet, then "download the full message" on demand', async () => {
  const clock = { t: Date.now() };
  dovecot.deliver('size', msg('small', 'small', 100), 's1');
  dovecot.deliver('size', msg('large', 'large one', 50_000), 's2');
  const r = await sync('size', clock, { download: { maxMessageSize: 10_000 }, retention: { deleteAfterDownload: true } });
  assert.equal(r.downloaded, 2);
  assert.equal(r.headersOnly, 1);
  assert.equal(r.deleted, 1, 'only the fully stored message is deleted from the server');
  const store = await MailStore.open(path.join(work, 'size'));
  const large = store.byUidl('large')!;
  assert.equal(large.headersOnly, true);
  assert.equal(large.subject, 'large one');
  assert.match(large.snippet, /^b+/);
  assert.ok(large.size < 1000);
  const full = await downloadFull({
    account: { name: 'size', host: 'localhost', port: dovecot.pop3sPort, user: 'size', security: 'tls', caFile: dovecot.caFile },
    password: 'pw',
    store,
    id: large.id,
  });
  assert.equal(full.id, large.id);
  assert.equal(full.headersOnly, undefined);
  assert.ok(full.size > 50_000);
  assert.equal((await store.readRaw(large.id)).toString('latin1'), msg('large', 'large one', 50_000));
});

test('newest N on the first sync; the older ones are never fetched later', async () => {
  const clock = { t: Date.now() };
  for (let i = 1; i <= 6; i++) dovecot.deliver('newest', msg(`m${i}`, `msg ${i}`), `n${i}`);
  const r = await sync('newest', clock, { download: { newestOnFirstSync: 2 } });
  assert.equal(r.downloaded, 2);
  const store = await MailStore.open(path.join(work, 'newest'));
  assert.equal(store.list().length, 2);
  dovecot.deliver('newest', msg('m7', 'msg 7'), 'n7');
  const r2 = await sync('newest', clock, { download: { newestOnFirstSync: 2 } });
  assert.equal(r2.downloaded, 1);
});

test('server migration: every UIDL new while the server kept mail -> nothing downloaded until accepted (T26)', async () => {
  const clock = { t: Date.now() };
  for (let i = 1; i <= 3; i++) dovecot.deliver('migrate', msg(`old${i}`, `m${i}`), `o${i}`);
  assert.equal((await sync('migrate', clock)).downloaded, 3);
  // The "new server": same mail, new unique ids.
  for (const f of onServer('migrate')) fs.rmSync(path.join(dovecot.maildir('migrate'), f.includes(':') ? 'cur' : 'new', f), { force: true });
  for (let i = 1; i <= 3; i++) dovecot.deliver('migrate', msg(`new${i}`, `m${i}`), `p${i}`);
  const refused = await sync('migrate', clock);
  assert.deepEqual(refused.plan.anomaly, { kind: 'all-new', count: 3 });
  assert.equal(refused.downloaded, 0);
  const accepted = await sync('migrate', clock, { acceptNewUidls: true });
  assert.equal(accepted.downloaded, 3);
});

test('CLI: fetch --dry-run prints the plan and changes nothing; the refusal exits 7', () => {
  dovecot.deliver('dry', msg('x1', 'one'), 'x1');
  const store = path.join(work, 'dry-cli');
  const cli = path.resolve(__dirname, '../../dist/cli.js');
  const base = ['fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'dry', '--ca', dovecot.caFile, '--store', store];
  const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, POP3_PASSWORD: 'pw' }, encoding: 'utf8', timeout: 60_000 });
  const dry = run([...base, '--delete', '--dry-run']);
  assert.equal(dry.status, 0, String(dry.stderr));
  assert.match(String(dry.stdout), /download 1 .*delete 0 \+ each new message once stored/);
  assert.match(String(dry.stdout), /download #1 x1/);
  assert.equal(onServer('dry').length, 1);
  assert.equal(fs.readdirSync(path.join(store, 'Maildir', 'new')).length, 0);
  assert.equal(run(base).status, 0);
  for (const f of onServer('dry')) fs.rmSync(path.join(dovecot.maildir('dry'), f.includes(':') ? 'cur' : 'new', f));
  dovecot.deliver('dry', msg('y1', 'moved'), 'y1');
  const refused = run(base);
  assert.equal(refused.status, 7);
  assert.match(String(refused.stderr), /--accept-new-uidls/);
  assert.equal(run([...base, '--accept-new-uidls']).status, 0);
});
